"""The one vocabulary of canonical tracker fields, the stored columns and the header alias table."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from regiondash.phases import MILESTONES, PHASES


@dataclass(frozen=True)
class Field:
    """A canonical tracker field: its machine key, template label and kind."""

    key: str
    label: str
    kind: str  # "text", "ods", "system", "date", "phase"
    description: str


def _milestone_fields() -> list[Field]:
    fields = []
    for key, name in MILESTONES.items():
        fields.append(Field(f"{key}_planned", f"{name} (planned)", "date", f"Planned {name} date"))
        fields.append(Field(f"{key}_actual", f"{name} (actual)", "date", f"Actual {name} date"))
    return fields


IDENTITY_FIELDS = [
    Field("ods_code", "ODS code", "ods", "Practice ODS code: one letter and five digits"),
    Field("practice_name", "Practice name", "text", "Practice name"),
    Field("sub_icb_code", "Sub-ICB code", "text", "Sub-ICB location (former CCG) ODS code"),
    Field("icb_code", "ICB code", "text", "Integrated care board ODS code"),
    Field("region_code", "Region code", "text", "NHS England region code (Y56-Y63)"),
    Field("csu", "CSU", "text", "Commissioning support unit running the migration"),
    Field("ordering_party", "Ordering party", "text", "Organisation that placed the order"),
    Field("source_system", "Source system", "system", "Clinical system migrating from"),
    Field("target_system", "Target system", "system", "Clinical system migrating to"),
    Field("reported_status", "Status", "text", "The tracker's own status"),
    Field("reported_rag", "RAG", "text", "The tracker's own red/amber/green rating"),
    Field("notes", "Notes", "text", "Free-text notes"),
]

EVENT_FIELDS = [
    Field(
        "extract_requested", "Data extract requested", "date", "Date the data extract was asked for"
    ),
    Field(
        "decommission_schedule_a",
        "Decommission Schedule A raised",
        "date",
        "Date the Schedule A to decommission the old system was raised",
    ),
    Field(
        "cutover_planning_meeting",
        "Cut-over planning meeting",
        "date",
        "Date of the cut-over planning meeting",
    ),
    Field(
        "tracking_updated",
        "Tracking record updated",
        "date",
        "Date the tracking record was updated after go live",
    ),
]

LONG_FIELDS = [
    Field("phase", "Phase", "phase", "Migration phase (long trackers: one row per phase)"),
    Field("planned_start", "Planned start", "date", "Phase planned start"),
    Field("planned_end", "Planned end", "date", "Phase planned end"),
    Field("actual_start", "Actual start", "date", "Phase actual start"),
    Field("actual_end", "Actual end", "date", "Phase actual end"),
]

MILESTONE_FIELDS = _milestone_fields()
FIELDS: list[Field] = IDENTITY_FIELDS + MILESTONE_FIELDS + EVENT_FIELDS + LONG_FIELDS
FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
DATE_FIELDS = frozenset(f.key for f in FIELDS if f.kind == "date")
WIDE_DATE_FIELDS = [f.key for f in MILESTONE_FIELDS]
EVENT_DATE_FIELDS = [f.key for f in EVENT_FIELDS]

# The most characters a text field keeps: longer text is cut, with a warning naming the cell.
# Free-text notes keep as much as the reader passes on (Limits.max_cell_chars); a name or a code
# longer than a line is not a name.
NOTES_MAX_CHARS = 2_000
TEXT_MAX_CHARS = 200
TEXT_LIMITS: dict[str, int] = {"notes": NOTES_MAX_CHARS}


def text_limit(key: str) -> int:
    """How many characters a text field keeps."""
    return TEXT_LIMITS.get(key, TEXT_MAX_CHARS)


# Columns of a stored migration row (one per migration per upload).
MIGRATION_COLUMNS = [
    "migration_id",
    "ods_code",
    "practice_name",
    "sub_icb_code",
    "sub_icb_name",
    "icb_code",
    "icb_name",
    "region_code",
    "region_name",
    "csu",
    "ordering_party",
    "source_system",
    "source_system_inferred",
    "target_system",
    "reported_status",
    "reported_rag",
    "notes",
    *EVENT_DATE_FIELDS,
    "sheet",
    "source_row",
]
# Columns of a stored phase row (one per migration-phase per upload).
PHASE_COLUMNS = [
    "migration_id",
    "phase",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
]
PROBLEM_COLUMNS = ["severity", "sheet", "row", "column", "value", "message"]

SYSTEMS = ("EMIS Web", "SystmOne", "Vision", "Evolution")
_SYSTEM_ALIASES = {
    "EMIS Web": ["emis", "emis web", "emisweb", "emis health", "emis web gp", "emis-web", "egton"],
    "SystmOne": [
        "systmone",
        "systm one",
        "system one",
        "systemone",
        "tpp",
        "s1",
        "tpp systmone",
        "systmone gp",
        "tpp s1",
    ],
    "Vision": ["vision", "inps", "inps vision", "cegedim", "cegedim vision", "vision 3", "vision3"],
    "Evolution": ["evolution", "medicus", "evolution gp", "cerner evolution"],
}


def normalise_header(text: object) -> str:
    """Header text folded for matching: lower case, letters and digits only, single spaces."""
    folded = re.sub(r"[^a-z0-9]+", " ", str(text).lower())
    return folded.strip()


SYSTEM_BY_ALIAS: dict[str, str] = {
    normalise_header(alias): system
    for system, aliases in _SYSTEM_ALIASES.items()
    for alias in [system, *aliases]
}


def canonical_system(value: object) -> str | None:
    """The canonical system name for a supplier or product name, or None if unrecognised."""
    folded = normalise_header(value)
    if not folded:
        return None
    if folded in SYSTEM_BY_ALIAS:
        return SYSTEM_BY_ALIAS[folded]
    # Product names in order exports carry extra words ("EMIS Web GP Clinical System").
    for alias, system in sorted(SYSTEM_BY_ALIAS.items(), key=lambda kv: -len(kv[0])):
        if len(alias) > 2 and re.search(rf"\b{re.escape(alias)}\b", folded):
            return system
    return None


# Header alias table: each canonical field with the header spellings trackers use. Matching is by
# normalise_header, so case, spacing and punctuation do not matter.
_HEADER_ALIASES: dict[str, list[str]] = {
    "ods_code": [
        "practice code",
        "ods",
        "ods code",
        "practice ods",
        "practice ods code",
        "org code",
        "organisation code",
        "gp code",
        "service recipient id",
        "national code",
        "practice id",
        "ods number",
    ],
    "practice_name": [
        "practice",
        "practice name",
        "surgery",
        "gp practice",
        "organisation name",
        "service recipient name",
        "name",
        "gp practice name",
    ],
    "sub_icb_code": [
        "ccg",
        "ccg code",
        "sub icb",
        "sub icb code",
        "sub icb location",
        "sub icb location code",
        "sicbl",
        "sicbl code",
        "locality",
    ],
    "icb_code": ["icb", "icb code", "stp", "integrated care board"],
    "region_code": ["region", "region code", "nhs region", "commissioning region"],
    "csu": ["csu", "commissioning support unit", "delivered by", "csu name"],
    "ordering_party": [
        "call off ordering party name",
        "ordering party",
        "commissioner",
        "call off ordering party",
    ],
    "source_system": [
        "current system",
        "source system",
        "current supplier",
        "from system",
        "old system",
        "existing system",
        "legacy system",
        "outgoing system",
        "source supplier",
        "from",
    ],
    "target_system": [
        "new system",
        "target system",
        "new supplier",
        "to system",
        "product name",
        "incoming system",
        "target supplier",
        "to",
        "new clinical system",
    ],
    "reported_status": ["status", "migration status", "project status", "stage"],
    "reported_rag": ["rag", "rag status", "rag rating", "risk rating"],
    "notes": ["notes", "comments", "comment", "issues", "narrative", "remarks"],
    "registration_planned": [
        "registration date",
        "order date",
        "date ordered",
        "registered",
        "tracking database registration",
        "registration planned",
    ],
    "registration_actual": ["registration actual", "actual registration", "order date actual"],
    "kickoff_planned": [
        "kickoff",
        "kick off",
        "kickoff date",
        "kick off date",
        "kickoff planned",
        "kick off meeting",
        "planned kickoff",
    ],
    "kickoff_actual": ["kickoff actual", "kick off actual", "actual kickoff", "actual kick off"],
    "technical_survey_planned": [
        "technical survey",
        "tech survey",
        "technical survey date",
        "survey date",
        "technical survey planned",
        "site survey",
    ],
    "technical_survey_actual": [
        "technical survey actual",
        "tech survey actual",
        "actual technical survey",
        "actual survey date",
    ],
    "idp_planned": [
        "idp",
        "idp date",
        "initial data production",
        "idp planned",
        "planned idp",
        "initial data extract",
    ],
    "idp_actual": ["idp actual", "actual idp", "initial data production actual"],
    "data_signoff_planned": [
        "data sign off",
        "data signoff",
        "sign off",
        "sign off date",
        "data sign off date",
        "data sign off planned",
        "planned sign off",
    ],
    "data_signoff_actual": [
        "data sign off actual",
        "actual sign off",
        "actual data sign off",
        "sign off actual",
        "data signed off",
    ],
    "fdp_planned": ["fdp", "fdp date", "final data production", "fdp planned", "planned fdp"],
    "fdp_actual": ["fdp actual", "actual fdp", "final data production actual"],
    "go_live_planned": [
        "go live",
        "go live date",
        "golive",
        "golive date",
        "go live planned",
        "planned go live",
        "go live date planned",
        "m1 planned delivery date",
        "m1 planned",
        "deployment date",
        "cutover date",
        "planned go live date",
    ],
    "go_live_actual": [
        "go live actual",
        "actual go live",
        "go live date actual",
        "actual m1 date",
        "actual m1",
        "went live",
        "actual go live date",
        "live date",
    ],
    "post_go_live_end_planned": [
        "post go live end",
        "post go live end planned",
        "data re entry end",
        "post go live complete",
        "buyer verification date m2",
        "m2 planned",
        "m2",
    ],
    "post_go_live_end_actual": [
        "post go live end actual",
        "actual post go live end",
        "data re entry end actual",
        "post go live complete actual",
        "actual m2 date",
        "actual m2",
        "m2 actual",
    ],
    "end_of_migration_planned": [
        "end of migration",
        "migration end",
        "end of migration planned",
        "closure date",
        "project close",
    ],
    "end_of_migration_actual": [
        "end of migration actual",
        "actual end of migration",
        "migration end actual",
        "closed",
        "closure date actual",
    ],
    "extract_requested": [
        "data extract requested",
        "extract requested",
        "extract request date",
        "data extract request",
    ],
    "decommission_schedule_a": [
        "decommission schedule a",
        "schedule a decommission",
        "decommission schedule a raised",
        "decom schedule a",
    ],
    "cutover_planning_meeting": [
        "cut over planning meeting",
        "cutover planning meeting",
        "cut over meeting",
    ],
    "tracking_updated": [
        "tracking record updated",
        "tracking database updated",
        "tracking updated",
    ],
    "phase": ["phase", "migration phase", "phase name", "activity", "task"],
    "planned_start": [
        "planned start",
        "start planned",
        "baseline start",
        "plan start",
        "planned start date",
    ],
    "planned_end": [
        "planned end",
        "end planned",
        "baseline end",
        "plan end",
        "planned end date",
        "planned finish",
    ],
    "actual_start": ["actual start", "start actual", "actual start date"],
    "actual_end": ["actual end", "end actual", "actual end date", "actual finish"],
}

FIELD_BY_ALIAS: dict[str, str] = {}
for _key, _aliases in _HEADER_ALIASES.items():
    for _alias in [_key, FIELD_BY_KEY[_key].label, *_aliases]:
        _folded = normalise_header(_alias)
        if _folded in FIELD_BY_ALIAS and FIELD_BY_ALIAS[_folded] != _key:
            raise ValueError(f"header alias {_alias!r} names two fields")
        FIELD_BY_ALIAS[_folded] = _key


# Matching by words. A header that is not an exact alias is split into words, abbreviations and
# spelling variants are expanded ("DB" -> database, "Req'd" -> request, "PGL" -> post go live),
# filler words are dropped and the words compared as a set, so word order does not matter.
# Words that say planned or actual are taken out as the header's qualifier: for a milestone the
# remaining words name the milestone and the qualifier picks its planned or actual field.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "database": ("db", "dbase"),
    "decommission": ("decom", "decomm", "decomission", "decommissioning", "decommissioned"),
    "schedule": ("sched", "sch", "schd"),
    "request": ("req", "reqd", "reqs", "rqst", "requested", "requests"),
    "meeting": ("mtg", "mtng", "meet", "meetings"),
    "post go live": ("pgl",),
    "go live": ("gl", "golive", "m1"),
    "post go live end": ("m2",),
    "sign off": ("signoff",),
    "sign off actual": ("signedoff",),
    "technical": ("tech", "techn"),
    "preparation": ("prep",),
    "date": ("dt", "dte", "dates"),
    "number": ("no", "num", "nbr", "nos"),
    "updated": ("upd", "updt", "update", "updates"),
    "registration": ("registered", "register", "regd"),
    "extract": ("extraction", "extracts"),
    "close": ("closure",),
    "close actual": ("closed",),
    "end": ("finish", "complete"),
    "end actual": ("finished",),
    "organisation": ("org", "organization"),
    "practice": ("practise",),
    "migration": ("mig", "migr", "migrations"),
    "plan": ("plans",),
    "actual": ("actuals", "actually"),
    "comments": ("comment",),
    "notes": ("note",),
    "remarks": ("remark",),
}
_WORD_SWAPS: dict[str, str] = {
    variant: word for word, variants in _SPELLINGS.items() for variant in variants
}
_PHRASE_SWAPS: tuple[tuple[str, str], ...] = (
    (r"\bkick off\b", "kickoff"),
    (r"\bcut over\b", "cutover"),
    (r"\bwent live\b", "go live actual"),
    (r"\bsigned off\b", "sign off actual"),
    (r"\bre entry\b", "reentry"),
    (r"\binitial data (production|extract)\b", "idp"),
    (r"\bfinal data (production|extract)\b", "fdp"),
    (r"\bbuyer verification\b", "post go live end"),
    (r"\btarget (clinical system|system|supplier)\b", "target_\\1"),
)
# Words that say a date is a plan, and words that say it happened (see header_says).
_PLAN_WORDS = frozenset(
    {"planned", "plan", "baseline", "baselined", "target", "targeted", "forecast", "forecasted"}
    | {"expected", "scheduled", "due", "proposed", "booked", "estimated", "provisional"}
    | {"projected", "anticipated"}
)
_ACTUAL_WORDS = frozenset(
    {"actual", "achieved", "completed", "done", "held", "happened", "occurred"}
)
_FILLER_WORDS = frozenset({"on", "the", "of", "for", "in", "at", "and", "was", "is"})
_DATE_WORDS = frozenset({"date"})  # dropped when at least two other words remain
_NOTES_WORDS = frozenset({"notes", "comments", "remarks", "narrative", "commentary", "issues"})


def _words(text: object) -> list[str]:
    """The header's words with abbreviations expanded and spelling variants made one."""
    lowered = re.sub(r"['\u2018\u2019`]", "", str(text).lower())  # "Req'd" -> "reqd"
    expanded = " ".join(_WORD_SWAPS.get(word, word) for word in normalise_header(lowered).split())
    for pattern, replacement in _PHRASE_SWAPS:
        expanded = re.sub(pattern, replacement, expanded)
    return expanded.split()


def _qualifier(words: list[str]) -> str | None:
    planned = any(w in _PLAN_WORDS for w in words)
    actual = any(w in _ACTUAL_WORDS for w in words)
    if planned and actual:
        return "both"
    return "planned" if planned else "actual" if actual else None


def _signature(text: object) -> tuple[frozenset[str], str | None]:
    """(the header's content words as a set, what it says: "planned", "actual", "both" or None)."""
    return _text_signature(str(text))


@functools.lru_cache(maxsize=4096)  # the header scan asks about the same cells again and again
def _text_signature(text: str) -> tuple[frozenset[str], str | None]:
    words = _words(text)
    core = [w for w in words if w not in _PLAN_WORDS | _ACTUAL_WORDS | _FILLER_WORDS]
    dateless = [w for w in core if w not in _DATE_WORDS]
    if len(set(dateless)) >= 2:
        core = dateless
    return frozenset(core), _qualifier(words)


def header_says(header: object) -> str | None:
    """What the header's words say its date is: "planned", "actual", or None if unqualified.

    "Go live (planned)", "Target go live", "Baseline IDP" say planned; "Actual M1 date", "Went
    live", "Data signed off", "Closed" say actual; "Go live", "IDP date" and "Kick off" say
    neither, nor does a header that says both.
    """
    says = _qualifier(_words(header))
    return says if says in ("planned", "actual") else None


# Milestone and phase date pairs: the qualifier picks the member; an unqualified milestone header
# is its planned field (as the exact aliases have it), an unqualified "Start" is neither.
_PAIRS: dict[str, dict[str | None, str]] = {
    **{
        m: {"planned": f"{m}_planned", "actual": f"{m}_actual", None: f"{m}_planned"}
        for m in MILESTONES
    },
    "start": {"planned": "planned_start", "actual": "actual_start"},
    "end": {"planned": "planned_end", "actual": "actual_end"},
}
_PAIR_OF: dict[str, str] = {key: pair for pair, keys in _PAIRS.items() for key in keys.values()}
_Signature = tuple[frozenset[str], str | None]


def _alias_cores() -> dict[str, list[_Signature]]:
    """Each field's alias signatures (key, template label and every alias)."""
    return {
        key: [_signature(text) for text in [key, FIELD_BY_KEY[key].label, *aliases]]
        for key, aliases in _HEADER_ALIASES.items()
    }


def _word_indexes() -> tuple[dict[_Signature, set[str]], dict[_Signature, set[str]]]:
    """(signatures the aliases themselves have, signatures derived by swapping the qualifier)."""
    own: dict[_Signature, set[str]] = {}
    derived: dict[_Signature, set[str]] = {}
    for key, signatures in _ALIAS_SIGNATURES.items():
        for core, says in signatures:
            if not core or says == "both":
                continue
            own.setdefault((core, says), set()).add(key)
            if key in _PAIR_OF:
                for qualifier, member in _PAIRS[_PAIR_OF[key]].items():
                    derived.setdefault((core, qualifier), set()).add(member)
            elif key in EVENT_DATE_FIELDS:
                for qualifier in ("planned", "actual", None):
                    derived.setdefault((core, qualifier), set()).add(key)
    return own, derived


_ALIAS_SIGNATURES = _alias_cores()
_OWN_SIGNATURES, _DERIVED_SIGNATURES = _word_indexes()


def _word_matches(header: object) -> set[str]:
    """The fields whose alias words equal the header's words (more than one: ambiguous)."""
    core, says = _signature(header)
    if not core or says == "both":
        return set()
    return _OWN_SIGNATURES.get((core, says)) or _DERIVED_SIGNATURES.get((core, says)) or set()


def field_for_header(header: object) -> str | None:
    """The canonical field a header names, or None if it names none (or two).

    An exact alias (any case, spacing, punctuation) first; then the header's words as a set
    against each alias's words, with abbreviations expanded, so "Decom Sched A", "Schedule A
    decommission" and "Data Extract Req'd" are known. Headers whose words match two fields are
    not mapped (suggest_field offers one).
    """
    exact = FIELD_BY_ALIAS.get(normalise_header(header))
    if exact is not None:
        return exact
    matches = _word_matches(header)
    return next(iter(matches)) if len(matches) == 1 else None


# suggest_field: weights of words that say little on their own, and the score a suggestion needs.
_WEAK_WORDS = frozenset(
    {"date", "data", "name", "code", "system", "number", "id", "migration", "start", "end"}
    | {"go", "live", "post", "a", "by", "to", "from"}
)
_SUGGEST_THRESHOLD = 0.6
_SAME_WORD_RATIO = 0.8  # "tracknig" is "tracking"


def _weight(word: str) -> float:
    return 0.4 if word in _WEAK_WORDS else 1.0


def _similarity(header: frozenset[str], alias: frozenset[str]) -> float:
    """Weighted word overlap (Dice), a misspelt word counting by how close it is."""
    if not header or not alias:
        return 0.0
    matched = 0.0
    for word in sorted(header):
        if word in alias:
            matched += _weight(word)
            continue
        best = max(difflib.SequenceMatcher(None, word, other).ratio() for other in alias)
        if best >= _SAME_WORD_RATIO and len(word) > 3:
            matched += _weight(word) * best
    total = sum(map(_weight, header)) + sum(map(_weight, alias))
    return round(2 * matched / total, 6)  # rounded so that ties are ties


def suggest_field(header: object) -> str | None:
    """The field a header most likely means, for "did you mean ...?", or None if none is close.

    A header field_for_header maps suggests its field; a notes-like word ("Go live notes",
    "Comments 2") suggests notes; otherwise the field whose alias words overlap the header's
    most (misspellings counting), if the overlap is good enough and no other field ties.
    """
    known = field_for_header(header)
    if known is not None:
        return known
    core, says = _signature(header)
    if not core:
        return None
    if core & _NOTES_WORDS:
        return "notes"
    folded = normalise_header(header)
    ambiguous = _word_matches(header)
    if ambiguous:  # the words name two fields: the one whose spelling is nearest
        return max(sorted(ambiguous), key=lambda key: _spelling_ratio(folded, key))
    qualifier = says if says in ("planned", "actual") else None
    best: dict[str, float] = {}
    for alias_key, signatures in _ALIAS_SIGNATURES.items():
        score = max(_similarity(core, alias_core) for alias_core, _ in signatures)
        key = alias_key
        if alias_key in _PAIR_OF:  # a milestone or phase date: the qualifier picks which
            pair = _PAIRS[_PAIR_OF[alias_key]]
            key = pair.get(qualifier) or pair["planned"]
        best[key] = max(best.get(key, 0.0), score)
    top = max(best.values())
    leaders = [key for key, score in best.items() if score == top]
    if top < _SUGGEST_THRESHOLD or len(leaders) > 1:
        return None
    return leaders[0]


def _spelling_ratio(folded: str, key: str) -> float:
    texts = [key, FIELD_BY_KEY[key].label, *_HEADER_ALIASES[key]]
    return max(difflib.SequenceMatcher(None, folded, normalise_header(t)).ratio() for t in texts)


def alias_rows() -> list[dict[str, str]]:
    """The alias table as rows (field, template label, accepted headers) for README and pages."""
    return [
        {
            "field": key,
            "template header": FIELD_BY_KEY[key].label,
            "also accepted": ", ".join(aliases),
        }
        for key, aliases in _HEADER_ALIASES.items()
    ]


_PHASE_ALIASES: dict[str, list[str]] = {
    "procurement": ["procurement", "registration", "schedule a", "order"],
    "kickoff": ["kickoff", "kick off", "kick off meeting"],
    "technical_survey": ["technical survey", "tech survey", "survey"],
    "early_preparation": [
        "early preparation",
        "early preparation and planning",
        "preparation",
        "planning",
    ],
    "initial_data_production": ["idp", "initial data production", "initial data extract"],
    "data_checking": ["data checking", "data check", "data validation"],
    "data_recheck_signoff": [
        "data recheck and sign off",
        "data recheck",
        "data sign off",
        "sign off",
        "recheck and sign off",
    ],
    "cutover_planning": [
        "cut over planning",
        "cutover planning",
        "cut over planning and preparation",
        "cutover planning and preparation",
    ],
    "final_data_production": ["fdp", "final data production", "final data extract"],
    "cutover": ["cut over", "cutover", "cut over period", "cutover period"],
    "go_live": ["go live", "golive", "live"],
    "post_go_live": ["post go live", "post go live data re entry", "data re entry", "post live"],
    "end_of_migration": ["end of migration", "end", "closure", "migration end", "close"],
}


def _phase_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for phase in PHASES:
        for alias in [phase.key, phase.name, str(phase.order), *_PHASE_ALIASES[phase.key]]:
            lookup[normalise_header(alias)] = phase.key
    return lookup


PHASE_BY_ALIAS = _phase_lookup()


def phase_for_name(text: object) -> str | None:
    """The phase key a long tracker's phase cell names (key, guide name, number or alias)."""
    return PHASE_BY_ALIAS.get(normalise_header(text))
