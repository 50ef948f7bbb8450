"""The one vocabulary of canonical tracker fields, the stored columns and the header alias table."""

from __future__ import annotations

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
    Field("extract_requested", "Data extract requested", "date",
          "Date the data extract was asked for"),
    Field("decommission_schedule_a", "Decommission Schedule A raised", "date",
          "Date the Schedule A to decommission the old system was raised"),
    Field("cutover_planning_meeting", "Cut-over planning meeting", "date",
          "Date of the cut-over planning meeting"),
    Field("tracking_updated", "Tracking record updated", "date",
          "Date the tracking record was updated after go live"),
]  # fmt: skip

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
    "SystmOne": ["systmone", "systm one", "system one", "systemone", "tpp", "s1", "tpp systmone",
                 "systmone gp", "tpp s1"],
    "Vision": ["vision", "inps", "inps vision", "cegedim", "cegedim vision", "vision 3", "vision3"],
    "Evolution": ["evolution", "medicus", "evolution gp", "cerner evolution"],
}  # fmt: skip


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
    "ods_code": ["practice code", "ods", "ods code", "practice ods", "practice ods code",
                 "org code", "organisation code", "gp code", "service recipient id",
                 "national code", "practice id"],
    "practice_name": ["practice", "practice name", "surgery", "gp practice", "organisation name",
                      "service recipient name", "name"],
    "sub_icb_code": ["ccg", "ccg code", "sub icb", "sub icb code", "sub icb location",
                     "sub icb location code", "sicbl", "sicbl code", "locality"],
    "icb_code": ["icb", "icb code", "stp", "integrated care board"],
    "region_code": ["region", "region code", "nhs region", "commissioning region"],
    "csu": ["csu", "commissioning support unit", "delivered by", "csu name"],
    "ordering_party": ["call off ordering party name", "ordering party", "commissioner",
                       "call off ordering party"],
    "source_system": ["current system", "source system", "current supplier", "from system",
                      "old system", "existing system", "legacy system", "outgoing system",
                      "source supplier", "from"],
    "target_system": ["new system", "target system", "new supplier", "to system",
                      "product name", "incoming system", "target supplier", "to",
                      "new clinical system"],
    "reported_status": ["status", "migration status", "project status", "stage"],
    "reported_rag": ["rag", "rag status", "rag rating", "risk rating"],
    "notes": ["notes", "comments", "comment", "issues", "narrative", "remarks"],
    "registration_planned": ["registration date", "order date", "date ordered", "registered",
                             "tracking database registration", "registration planned"],
    "registration_actual": ["registration actual", "actual registration", "order date actual"],
    "kickoff_planned": ["kickoff", "kick off", "kickoff date", "kick off date", "kickoff planned",
                        "kick off meeting", "planned kickoff"],
    "kickoff_actual": ["kickoff actual", "kick off actual", "actual kickoff", "actual kick off"],
    "technical_survey_planned": ["technical survey", "tech survey", "technical survey date",
                                 "survey date", "technical survey planned", "site survey"],
    "technical_survey_actual": ["technical survey actual", "tech survey actual",
                                "actual technical survey", "actual survey date"],
    "idp_planned": ["idp", "idp date", "initial data production", "idp planned", "planned idp",
                    "initial data extract"],
    "idp_actual": ["idp actual", "actual idp", "initial data production actual"],
    "data_signoff_planned": ["data sign off", "data signoff", "sign off", "sign off date",
                             "data sign off date", "data sign off planned", "planned sign off"],
    "data_signoff_actual": ["data sign off actual", "actual sign off", "actual data sign off",
                            "sign off actual", "data signed off"],
    "fdp_planned": ["fdp", "fdp date", "final data production", "fdp planned", "planned fdp"],
    "fdp_actual": ["fdp actual", "actual fdp", "final data production actual"],
    "go_live_planned": ["go live", "go live date", "golive", "golive date", "go live planned",
                        "planned go live", "go live date planned", "m1 planned delivery date",
                        "m1 planned", "deployment date", "cutover date", "planned go live date"],
    "go_live_actual": ["go live actual", "actual go live", "go live date actual",
                       "actual m1 date", "actual m1", "went live", "actual go live date",
                       "live date"],
    "post_go_live_end_planned": ["post go live end", "post go live end planned",
                                 "data re entry end", "post go live complete"],
    "post_go_live_end_actual": ["post go live end actual", "actual post go live end",
                                "data re entry end actual", "post go live complete actual"],
    "end_of_migration_planned": ["end of migration", "migration end", "end of migration planned",
                                 "closure date", "project close"],
    "end_of_migration_actual": ["end of migration actual", "actual end of migration",
                                "migration end actual", "closed", "closure date actual"],
    "extract_requested": ["data extract requested", "extract requested", "extract request date",
                          "data extract request"],
    "decommission_schedule_a": ["decommission schedule a", "schedule a decommission",
                                "decommission schedule a raised", "decom schedule a"],
    "cutover_planning_meeting": ["cut over planning meeting", "cutover planning meeting",
                                 "cut over meeting"],
    "tracking_updated": ["tracking record updated", "tracking database updated",
                         "tracking updated"],
    "phase": ["phase", "migration phase", "phase name", "activity", "task"],
    "planned_start": ["planned start", "start planned", "baseline start", "plan start",
                      "planned start date"],
    "planned_end": ["planned end", "end planned", "baseline end", "plan end", "planned end date",
                    "planned finish"],
    "actual_start": ["actual start", "start actual", "actual start date"],
    "actual_end": ["actual end", "end actual", "actual end date", "actual finish"],
}  # fmt: skip

FIELD_BY_ALIAS: dict[str, str] = {}
for _key, _aliases in _HEADER_ALIASES.items():
    for _alias in [_key, FIELD_BY_KEY[_key].label, *_aliases]:
        _folded = normalise_header(_alias)
        if _folded in FIELD_BY_ALIAS and FIELD_BY_ALIAS[_folded] != _key:
            raise ValueError(f"header alias {_alias!r} names two fields")
        FIELD_BY_ALIAS[_folded] = _key


def field_for_header(header: object) -> str | None:
    """The canonical field a header names, or None if the alias table does not know it."""
    return FIELD_BY_ALIAS.get(normalise_header(header))


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
    "early_preparation": ["early preparation", "early preparation and planning", "preparation",
                          "planning"],
    "initial_data_production": ["idp", "initial data production", "initial data extract"],
    "data_checking": ["data checking", "data check", "data validation"],
    "data_recheck_signoff": ["data recheck and sign off", "data recheck", "data sign off",
                             "sign off", "recheck and sign off"],
    "cutover_planning": ["cut over planning", "cutover planning",
                         "cut over planning and preparation", "cutover planning and preparation"],
    "final_data_production": ["fdp", "final data production", "final data extract"],
    "cutover": ["cut over", "cutover", "cut over period", "cutover period"],
    "go_live": ["go live", "golive", "live"],
    "post_go_live": ["post go live", "post go live data re entry", "data re entry", "post live"],
    "end_of_migration": ["end of migration", "end", "closure", "migration end", "close"],
}  # fmt: skip


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
