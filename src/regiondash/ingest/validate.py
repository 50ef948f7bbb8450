"""Tracker rows -> canonical migrations and phase spans, with every problem named by cell."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import pandas as pd

from regiondash.fields import (
    DATE_FIELDS,
    EVENT_DATE_FIELDS,
    FIELD_BY_KEY,
    MIGRATION_COLUMNS,
    PHASE_COLUMNS,
    PROBLEM_COLUMNS,
    canonical_system,
    normalise_header,
    phase_for_name,
    text_limit,
)
from regiondash.frames_schema import check_migration_frames
from regiondash.ingest.columns import HeaderMatch
from regiondash.ingest.dates import (
    EARLIEST,
    LATEST,
    DateProblem,
    cell_error_message,
    parse_date_cell,
)
from regiondash.ingest.errors import spreadsheet_error
from regiondash.ingest.grid import column_letters
from regiondash.ingest.milestones import (
    BY_DATE,
    DateReading,
    resolve_single_dates,
    single_date_milestones,
    status_disagreement,
)
from regiondash.phases import PHASE_KEYS, PHASE_SPAN_RULE
from regiondash.reference import Reference
from regiondash.statuses import reported_state

ODS_PATTERN = re.compile(r"[A-Z][0-9]{5}")
# Characters that do not show in a cell but make a code differ from the one typed.
INVISIBLE = {
    "\u00a0": "non-breaking space",
    "\u00ad": "soft hyphen",
    "\u2007": "figure space",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark",
    "\u202f": "narrow non-breaking space",
    "\u2060": "word joiner",
    "\ufeff": "byte order mark (BOM)",
}
_EDGE_JUNK = "".join(INVISIBLE) + " \t\r\n"


def invisible_problem(text: str) -> str | None:
    """What to say when a code holds an invisible character, naming it and where it is."""
    at = next((i for i, char in enumerate(text) if char in INVISIBLE), None)
    if at is None:
        return None
    shown = "".join(f"\\u{ord(c):04x}" if c in INVISIBLE else c for c in text)
    place = f"after '{text[:at]}'" if at else "at the start"
    others = sum(1 for char in text[at + 1 :] if char in INVISIBLE)
    more = f" and {others} more" if others else ""
    cleaned = "".join(c for c in text if c not in INVISIBLE and not c.isspace()).upper()
    typed = f" ({cleaned})" if ODS_PATTERN.fullmatch(cleaned) else ""
    return (
        f"'{shown}' holds an invisible character ({INVISIBLE[text[at]]}) {place}{more}, "
        f"often pasted from a web page or email; delete the cell and type the code{typed} again"
    )


_TOTAL_WORDS = re.compile(r"(grand )?totals?\b|count\b|sum\b")
_RAG = {"r": "Red", "red": "Red", "a": "Amber", "amber": "Amber", "g": "Green", "green": "Green"}


@dataclass(frozen=True)
class Problem:
    """One error or warning, located as the user sees it: sheet, Excel row, header as written."""

    severity: str  # "error" or "warning"
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        """The problem as the JSON object the command line prints."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table: severity, sheet, row, column, value, message."""
    frame = pd.DataFrame([p.__dict__ for p in problems], columns=PROBLEM_COLUMNS)
    return frame.astype({"row": "Int64"})


class ProblemsMixin:
    """Errors, warnings and the problems table, for anything that has `problems`."""

    if TYPE_CHECKING:  # a field or a property in the classes that use this

        @property
        def problems(self) -> list[Problem]: ...

    @property
    def errors(self) -> list[Problem]:
        """Problems that make a row untrustworthy."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems stored with the rows, worth a look."""
        return [p for p in self.problems if p.severity == "warning"]

    def problems_frame(self) -> pd.DataFrame:
        """The problems as a table (severity, sheet, row, column, value, message)."""
        return problems_frame(self.problems)


@dataclass
class TrackerRows(ProblemsMixin):
    """What a tracker sheet holds once checked: clean rows, rows set aside, and every problem."""

    migrations: pd.DataFrame
    phases: pd.DataFrame
    set_aside: pd.DataFrame
    problems: list[Problem]
    rows_read: int
    notes: list[str] = field(default_factory=list)
    reading: DateReading | None = None  # how single-date milestones were read (wide trackers)


def _shown(value: object) -> str:
    """A cell value as the user would recognise it in a message."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_blank(row: list[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


@dataclass
class _Row:
    """One spreadsheet row on its way through the checks."""

    number: int
    cells: list[object]
    values: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


_DATE, _PHASE, _TEXT = "date", "phase", "text"


def _text_of(values: dict[str, object], key: str) -> str | None:
    """A text (or phase) field's value once read: text, or None when blank (see _Checker.read)."""
    return cast("str | None", values.get(key))


def _field_kind(key: str) -> str:
    return _DATE if key in DATE_FIELDS else _PHASE if key == "phase" else _TEXT


class _Checker:
    """Checks one sheet's rows against the field rules, filling organisations from the reference."""

    def __init__(self, match: HeaderMatch, date1904: bool, reference: Reference, as_at):
        self.match = match
        self.sheet = match.sheet.name
        self.date1904 = date1904
        self.reference = reference
        self.as_at = as_at
        self.header_of = {key: match.headers[i] for i, key in match.columns.items()}
        self.plan = [
            (index, key, _field_kind(key), text_limit(key)) for index, key in match.columns.items()
        ]
        numbers = match.sheet.row_numbers
        # What the reader cut (to Limits.max_cell_chars) keeps its length before the cut.
        self.cut_lengths = {(numbers[i], j): n for i, j, n in match.sheet.cut_cells}

    def problem(self, row: _Row, severity: str, key: str | None, value: object, message: str):
        column = self.header_of.get(key) if key else None
        row.problems.append(
            Problem(severity, self.sheet, row.number, column, _shown(value), message)
        )

    def read(self, row: _Row) -> None:
        """Convert each mapped cell to its field's type, noting problems."""
        # Runs for every cell of a tracker (a quarter of a million at national scale), so the
        # commonest cells (blank, a date the reader already typed, short text) take a fast path.
        cells, values = row.cells, row.values
        width = len(cells)
        for index, key, kind, limit in self.plan:
            raw = cells[index] if index < width else None
            if raw is None:
                values[key] = None
                continue
            if kind is _DATE:
                # The reader types date cells as date (datetime when they hold a time).
                day = raw if raw.__class__ is dt.date else None
                if raw.__class__ is dt.datetime:
                    day = raw.date()
                if day is not None and EARLIEST <= day <= LATEST:
                    values[key] = day
                    continue
                try:
                    values[key] = parse_date_cell(raw, self.date1904)
                except DateProblem as problem:
                    self.problem(row, "error", key, raw, f"{problem}")
                    values[key] = None
                continue
            if raw.__class__ is str and (error := spreadsheet_error(raw)):
                self.problem(row, "error", key, raw, cell_error_message(error, "value"))
                values[key] = None
            elif kind is _PHASE:
                # _shown: a phase typed as 6 in Excel arrives as the float 6.0
                values[key] = _shown(raw) or None
            else:
                shown = _shown(raw)
                if len(shown) <= limit and (row.number, index) not in self.cut_lengths:
                    values[key] = shown or None
                else:
                    values[key] = self.text(row, key, index, shown) or None

    def text(self, row: _Row, key: str, index: int, text: str) -> str:
        """The cell's text, cut to its field's limit with a warning naming the cell."""
        limit = text_limit(key)
        length = self.cut_lengths.get((row.number, index), len(text))
        if length <= limit:
            return text
        cell = f"{column_letters(index)}{row.number}"
        label = FIELD_BY_KEY[key].label.lower() if key in FIELD_BY_KEY else "cell"
        self.problem(
            row,
            "warning",
            key,
            text[:60] + "…",
            f"cell {cell} holds {length:,} characters, more than the {limit:,} a {label} may "
            f"hold: the first {limit:,} were kept",
        )
        return text[:limit].rstrip()

    def identity(self, row: _Row) -> None:
        """ODS code, systems and organisations: checked, canonical, filled from the reference."""
        raw_ods = _text_of(row.values, "ods_code")
        # Non-breaking spaces and other invisible characters at the edges go, as spaces do.
        ods = (raw_ods or "").strip(_EDGE_JUNK).upper()
        row.values["ods_code"] = ods or None
        ods_header = self.header_of.get("ods_code")
        if not ods:
            if not any(p.column == ods_header for p in row.problems):
                self.problem(row, "error", "ods_code", raw_ods, "the practice ODS code is missing")
        elif hidden := invisible_problem(ods):
            self.problem(row, "error", "ods_code", raw_ods, hidden)
        elif not ODS_PATTERN.fullmatch(ods):
            self.problem(
                row,
                "error",
                "ods_code",
                raw_ods,
                f"'{ods}' is not an ODS practice code (one letter and five digits, e.g. A81001)",
            )
        practice = self.reference.practice_lookup.get(ods) if ods else None
        if ods and practice is None and ODS_PATTERN.fullmatch(ods):
            self.problem(
                row,
                "warning",
                "ods_code",
                raw_ods,
                f"{ods} is not in NHS England's practice mapping ({self.reference.source}); "
                "organisation columns are taken from the tracker as written",
            )
        for key in ("source_system", "target_system"):
            raw = row.values.get(key)
            if raw:
                system = canonical_system(raw)
                if system is None:
                    self.problem(
                        row,
                        "error",
                        key,
                        raw,
                        f"'{raw}' is not a clinical system we know "
                        "(EMIS Web, SystmOne, Vision or Evolution)",
                    )
                row.values[key] = system
        row.values["source_system_inferred"] = False
        target_header = self.header_of.get("target_system")
        if (
            target_header
            and not row.values.get("target_system")
            and not any(p.column == target_header for p in row.problems)
        ):
            self.problem(row, "error", "target_system", None, "the target system is missing")
        current = practice.get("source_system") if practice else None
        # The mapping gives today's system: once a practice has moved, that is the target.
        if (
            not row.values.get("source_system")
            and current
            and current != row.values.get("target_system")
        ):
            row.values["source_system"] = current
            row.values["source_system_inferred"] = True
        source, target = row.values.get("source_system"), row.values.get("target_system")
        if source and target and source == target:
            self.problem(
                row,
                "error",
                "target_system",
                target,
                f"the source and target system are both {target}",
            )
        self.organisations(row, practice)
        rag = _text_of(row.values, "reported_rag")
        if rag:
            row.values["reported_rag"] = _RAG.get(rag.strip().lower(), rag)

    def organisations(self, row: _Row, practice: dict | None) -> None:
        """Sub-ICB, ICB and region: the tracker's sub-ICB when it names a known one, else the
        practice's in the reference mapping; ICB and region follow the sub-ICB."""
        given = row.values.get("sub_icb_code")
        known = self.reference.sub_icb_lookup.get(normalise_header(given)) if given else None
        if given and known is None:
            self.problem(
                row,
                "warning",
                "sub_icb_code",
                given,
                f"'{given}' is not a sub-ICB location in the reference mapping"
                + ("; the practice's own sub-ICB is used" if practice else ""),
            )
        chosen = known or practice
        if chosen is None:
            for key in ("sub_icb_name", "icb_name", "region_name"):
                row.values.setdefault(key, None)
            return
        if practice and known and known["sub_icb_code"] != practice["sub_icb_code"]:
            self.problem(
                row,
                "warning",
                "sub_icb_code",
                given,
                f"the tracker says {known['sub_icb_code']} but NHS England's mapping puts this "
                f"practice in {practice['sub_icb_code']}; the tracker's is used",
            )
        for key in (
            "sub_icb_code",
            "sub_icb_name",
            "icb_code",
            "icb_name",
            "region_code",
            "region_name",
        ):
            row.values[key] = chosen[key]
        if practice and not row.values.get("practice_name"):
            row.values["practice_name"] = practice["practice_name"]

    def milestones(self, row: _Row, reading: DateReading) -> None:
        """Read single-date milestones by the tracker date and Status, then check the Status
        against the dates: a disagreement is a warning, never silently dropped."""
        raw = _text_of(row.values, "reported_status")
        state = reported_state(raw)
        if raw and state is None:
            reading.unknown_statuses[raw] = reading.unknown_statuses.get(raw, 0) + 1
        resolve_single_dates(row.values, reading, state)
        why = status_disagreement(row.values, state, raw or "", self.as_at)
        if why:
            ods = row.values.get("ods_code")
            self.problem(row, "warning", "reported_status", raw, f"{ods}: {why}" if ods else why)

    def future_actuals(self, row: _Row) -> None:
        """Warn on actual dates after the as-at date: recorded as done before they happened."""
        if self.as_at is None:
            return
        for key, value in row.values.items():
            if isinstance(value, dt.date) and value > self.as_at and "actual" in key:
                self.problem(
                    row,
                    "warning",
                    key,
                    value,
                    f"an actual date after the upload's as-at date ({self.as_at:%d/%m/%Y})",
                )


def migration_id(ods: str, source: str | None, target: str | None) -> str:
    """The stable identity of a migration: practice, source system and target system."""
    return f"{ods}:{source or 'Unknown'}>{target or 'Unknown'}"


# The span rule unrolled into field names once, because it runs for every row of a tracker.
_SPAN_FIELDS = [
    (
        phase,
        tuple(f"{s}_planned" for s in starts),
        tuple(f"{s}_actual" for s in starts),
        f"{end}_planned",
        f"{end}_actual",
    )
    for phase, (starts, end) in PHASE_SPAN_RULE.items()
]


def _first(values: dict[str, object], keys: tuple[str, ...]) -> object:
    for key in keys:
        value = values.get(key)
        if value is not None:
            return value
    return None


def phase_spans(values: dict[str, object]) -> list[dict[str, object]]:
    """Phase spans from a wide row's milestone dates, by phases.PHASE_SPAN_RULE."""
    spans = []
    get = values.get
    for phase, planned_starts, actual_starts, planned_end, actual_end in _SPAN_FIELDS:
        span = (
            _first(values, planned_starts),
            get(planned_end),
            _first(values, actual_starts),
            get(actual_end),
        )
        if span != (None, None, None, None):
            spans.append(
                {
                    "phase": phase,
                    "planned_start": span[0],
                    "planned_end": span[1],
                    "actual_start": span[2],
                    "actual_end": span[3],
                }
            )
    return spans


def _data_rows(match: HeaderMatch) -> tuple[list[_Row], list[str]]:
    """Non-blank rows below the header, without a trailing totals row."""
    sheet, notes = match.sheet, []
    rows = [
        _Row(number, cells)
        for number, cells in zip(
            sheet.row_numbers[match.header_index + 1 :],
            sheet.rows[match.header_index + 1 :],
            strict=True,
        )
        if not _is_blank(cells)
    ]
    ods_index = next(i for i, k in match.columns.items() if k == "ods_code")
    while rows:
        last = rows[-1]
        ods_cell = _shown(last.cells[ods_index] if ods_index < len(last.cells) else None)
        texts = [normalise_header(c) for c in last.cells if isinstance(c, str) and c.strip()]
        if ODS_PATTERN.fullmatch(ods_cell.upper()) or not any(_TOTAL_WORDS.match(t) for t in texts):
            break
        notes.append(f"Row {last.number} looks like a totals row and was skipped")
        rows.pop()
    return rows, notes


def _date_column(values: list) -> pd.Series:
    """Python dates (None for missing) as a datetime64[us] column."""
    return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]")


def _frames(
    good: list[tuple[_Row, list[dict]]], bad: list[_Row], match: HeaderMatch
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    records = []
    phase_columns: dict[str, list] = {name: [] for name in PHASE_COLUMNS}
    for row, spans in good:
        record = {key: row.values.get(key) for key in MIGRATION_COLUMNS}
        record["sheet"], record["source_row"] = match.sheet.name, row.number
        records.append(record)
        for span in spans:
            phase_columns["migration_id"].append(record["migration_id"])
            for name in PHASE_COLUMNS[1:]:
                phase_columns[name].append(span[name])
    migrations = pd.DataFrame(records, columns=MIGRATION_COLUMNS)
    text_columns = [c for c in MIGRATION_COLUMNS if c not in EVENT_DATE_FIELDS]
    text_columns = [c for c in text_columns if c not in ("source_system_inferred", "source_row")]
    migrations = migrations.astype({c: "string" for c in text_columns})
    migrations["source_system_inferred"] = migrations["source_system_inferred"].astype(bool)
    migrations["source_row"] = migrations["source_row"].astype("int64")
    for column in EVENT_DATE_FIELDS:
        migrations[column] = _date_column(migrations[column].tolist())
    phases = pd.DataFrame(
        {
            "migration_id": pd.array(phase_columns["migration_id"], dtype="string"),
            "phase": pd.array(phase_columns["phase"], dtype="string"),
            **{name: _date_column(phase_columns[name]) for name in PHASE_COLUMNS[2:]},
        }
    )
    set_aside = pd.DataFrame(
        [
            {
                "sheet": match.sheet.name,
                "row": row.number,
                "values": {
                    text: _shown(row.cells[i] if i < len(row.cells) else None)
                    for i, text in match.headers.items()
                },
                "reasons": "; ".join(
                    f"{p.column or 'row'}: {p.message}"
                    for p in row.problems
                    if p.severity == "error"
                ),
            }
            for row in bad
        ],
        columns=["sheet", "row", "values", "reasons"],
    )
    check_migration_frames(migrations, phases)
    return migrations, phases, set_aside


def check_rows(
    match: HeaderMatch,
    date1904: bool,
    reference: Reference,
    as_at: dt.date | None = None,
    single_dates: str = BY_DATE,
    allow_unknown_practices: bool = False,
) -> TrackerRows:
    """Check every data row of the matched sheet and build the canonical tables.

    `single_dates` says how milestones with one date column are read (ingest.milestones). A
    file that cannot be a tracker of practice migrations (absurd_tracker) is refused whole;
    `allow_unknown_practices` lets through one whose codes are mostly not in the mapping (for
    a mapping newer than the reference)."""
    checker = _Checker(match, date1904, reference, as_at)
    rows, notes = _data_rows(match)
    if "target_system" not in match.columns.values():
        return _without_target(match, rows, notes)
    reading = None
    if match.layout != "long":
        reading = DateReading(
            single_date_milestones(match.columns, match.headers), single_dates, as_at
        )
    for row in rows:
        checker.read(row)
        checker.identity(row)
        if reading is not None:
            checker.milestones(row, reading)
        checker.future_actuals(row)
    absurd = absurd_tracker(rows, match.layout, reference, allow_unknown_practices)
    if absurd:
        return _refused_whole(match, rows, notes, absurd)
    if match.layout == "long":
        good, bad = _long_migrations(checker, rows)
    else:
        good, bad = _wide_migrations(checker, rows)
    for row, spans in good:
        _go_live_order(checker, row, spans)
    inferred = sum(1 for row, _ in good if row.values.get("source_system_inferred"))
    if inferred:
        notes.append(
            f"Source system inferred for {inferred} migration(s) from the practice's current "
            "supplier in NHS England's practice mapping"
        )
    if reading is not None:
        notes += _reading_notes(reading)
    migrations, phases, set_aside = _frames(good, bad, match)
    problems = [p for row in rows for p in row.problems]
    return TrackerRows(migrations, phases, set_aside, problems, len(rows), notes, reading)


# Milestones go live must not come before: (label, phase whose start it is).
_BEFORE_GO_LIVE = (("registration", "procurement"), ("kickoff", "kickoff"))
_GO_LIVE_KEYS = ("go_live_actual", "go_live_planned", "actual_start", "planned_start")


def _go_live_order(checker: _Checker, row: _Row, spans: list[dict[str, object]]) -> None:
    """Warn when go live (actual, else planned) is before registration or kickoff."""
    starts = {  # the dates as read: a date, or None when blank (see _Checker.read)
        span["phase"]: cast(dt.date, span["actual_start"] or span["planned_start"])
        for span in spans
        if span["actual_start"] or span["planned_start"]
    }
    go_live = starts.get("go_live")
    if go_live is None:
        return
    before = [
        f"{label} {starts[phase]:%d/%m/%Y}"
        for label, phase in _BEFORE_GO_LIVE
        if starts.get(phase) is not None and go_live < starts[phase]
    ]
    if not before:
        return
    key = next((k for k in _GO_LIVE_KEYS if k in checker.header_of), None)
    ods = row.values.get("ods_code")
    message = f"go live {go_live:%d/%m/%Y} is before {' and '.join(before)}; check the dates"
    checker.problem(row, "warning", key, go_live, f"{ods}: {message}" if ods else message)


def _reading_notes(reading: DateReading) -> list[str]:
    notes = [text] if (text := reading.describe()) else []
    if reading.unknown_statuses:
        shown = ", ".join(f"'{s}' ({n})" for s, n in sorted(reading.unknown_statuses.items()))
        notes.append(
            f"Status values not recognised, so the dates decide: {shown}. Recognised: planned, "
            "in progress, live or complete, on hold, cancelled (and their usual spellings)"
        )
    return notes


NO_TARGET = (
    "the file has no column for the target system (the system each practice moves to). Add one "
    "headed e.g. 'Target system' or 'New system', or map an existing column to target_system "
    '(--map "HEADER=target_system")'
)


UNKNOWN_SHARE = 0.5  # more than this share of a file's practice codes unknown: refused
UNKNOWN_MIN = 20  # ...when more than this many are unknown
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def mapping_label(reference: Reference) -> str:
    """The mapping's month as people say it ("January 2026"), else its file name."""
    found = re.search(r"(\d{4})-(\d{2})", reference.source)
    if found and 1 <= int(found.group(2)) <= 12:
        return f"{_MONTHS[int(found.group(2)) - 1]} {found.group(1)}"
    return reference.source


def absurd_tracker(
    rows: list[_Row], layout: str, reference: Reference, allow_unknown: bool = False
) -> str | None:
    """Why a file cannot be a tracker of practice migrations, or None: more migrations than
    there are practices in England, or most of its practice codes not in NHS England's mapping
    (unless allowed, for a mapping newer than the reference)."""
    practices = len(reference.practices)
    label = mapping_label(reference)
    if layout == "long":
        keys = {
            (r.values.get("ods_code"), r.values.get("source_system"), r.values.get("target_system"))
            for r in rows
        }
        migrations = len(keys)
    else:
        migrations = len(rows)
    if migrations > practices:
        return (
            f"the file holds {migrations:,} migrations, more than the {practices:,} practices in "
            f"NHS England's practice mapping ({label}), so it cannot be a tracker of practice "
            "migrations. Check you picked the right file and sheet"
        )
    if allow_unknown:
        return None
    codes = {_text_of(r.values, "ods_code") for r in rows}
    codes = {c for c in codes if c and ODS_PATTERN.fullmatch(c)}
    unknown = [c for c in codes if c not in reference.practice_lookup]
    if len(unknown) > UNKNOWN_MIN and len(unknown) > UNKNOWN_SHARE * len(codes):
        return (
            f"{len(unknown):,} of {len(codes):,} practice codes ({len(unknown) / len(codes):.0%}) "
            f"are not in NHS England's practice mapping ({label}), so this is unlikely to be a "
            "tracker of GP practice migrations. Check you picked the right file and that the "
            "practice code column is the ODS code; if the mapping is out of date, import with a "
            "newer one (REGIONDASH_REFERENCE_CSV) or with --allow-unknown-practices"
        )
    return None


def _refused_whole(
    match: HeaderMatch, rows: list[_Row], notes: list[str], message: str
) -> TrackerRows:
    """One file-level error, every row set aside with it and no other problem listed."""
    problem = Problem("error", match.sheet.name, None, None, None, message)
    for row in rows:
        row.problems = [problem]
    _, _, set_aside = _frames([], rows, match)
    empty, phases, _ = _frames([], [], match)
    return TrackerRows(empty, phases, set_aside, [problem], len(rows), notes)


def _without_target(match: HeaderMatch, rows: list[_Row], notes: list[str]) -> TrackerRows:
    """A tracker with no target-system column: one file-level error, every row set aside."""
    problem = Problem("error", match.sheet.name, None, None, None, NO_TARGET)
    for row in rows:
        row.problems.append(problem)
    _, _, set_aside = _frames([], rows, match)
    empty, phases, _ = _frames([], [], match)
    return TrackerRows(empty, phases, set_aside, [problem], len(rows), notes)


def _wide_migrations(checker: _Checker, rows: list[_Row]):
    seen: dict[str, int] = {}
    good, bad = [], []
    for row in rows:
        values = row.values
        if not row.has_error:
            key = migration_id(
                cast(str, values["ods_code"]),
                _text_of(values, "source_system"),
                _text_of(values, "target_system"),
            )
            if key in seen:
                checker.problem(
                    row,
                    "error",
                    "ods_code",
                    values["ods_code"],
                    f"{values['ods_code']} already appears for the same migration "
                    f"({values.get('source_system') or 'unknown'} → {values['target_system']}) "
                    f"at row {seen[key]}",
                )
            else:
                seen[key] = row.number
                values["migration_id"] = key
        if row.has_error:
            bad.append(row)
        else:
            good.append((row, phase_spans(values)))
    return good, bad


def _long_migrations(checker: _Checker, rows: list[_Row]):
    """Group a long tracker's phase rows into migrations; one bad row sets its migration aside."""
    groups: dict[str, list[_Row]] = {}
    ungrouped: list[_Row] = []
    for row in rows:
        values = row.values
        phase = phase_for_name(values.get("phase")) if values.get("phase") is not None else None
        if phase is None:
            checker.problem(
                row,
                "error",
                "phase",
                values.get("phase"),
                "not a phase of the migration guide (e.g. 'Data checking', 'Go live' or 1–13)",
            )
        values["phase"] = phase
        ods = _text_of(values, "ods_code")
        if ods and ODS_PATTERN.fullmatch(ods):
            key = migration_id(
                ods, _text_of(values, "source_system"), _text_of(values, "target_system")
            )
            groups.setdefault(key, []).append(row)
        else:
            ungrouped.append(row)
    good, bad = [], list(ungrouped)
    for key, members in groups.items():
        first_seen: dict[str, int] = {}
        for row in members:
            phase = _text_of(row.values, "phase")
            if phase and phase in first_seen:
                checker.problem(
                    row,
                    "error",
                    "phase",
                    row.values["phase"],
                    f"this migration's {phase} phase is already at row {first_seen[phase]}",
                )
            elif phase:
                first_seen[phase] = row.number
        broken = [r for r in members if r.has_error]
        if broken:
            for row in members:
                if not row.has_error:
                    checker.problem(
                        row,
                        "error",
                        None,
                        None,
                        f"another row of this migration has an error (row {broken[0].number})",
                    )
            bad.extend(members)
            continue
        head = members[0]
        head.values["migration_id"] = key
        spans = sorted(
            ({k: r.values.get(k) for k in PHASE_COLUMNS[1:]} for r in members),
            key=lambda span: PHASE_KEYS.index(span["phase"]),
        )
        for row in members[1:]:
            for name in MIGRATION_COLUMNS:
                if head.values.get(name) is None and row.values.get(name) is not None:
                    head.values[name] = row.values[name]
        good.append((head, spans))
    bad.sort(key=lambda r: r.number)
    return good, bad
