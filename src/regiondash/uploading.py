"""The upload workflow, for a tracker file and a database source alike: prepare an upload (read
and checked rows, the tracker it replaces, whether its bytes are stored already) and commit it
(store it whole, its valid rows only, or refuse it). Below sources and importing: they hand it
the rows they read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from regiondash import store
from regiondash.ingest import (
    AS_AT_DEFAULT,
    AS_AT_GIVEN,
    AS_AT_TITLE,
    ParsedTracker,
    parse_tracker,
)
from regiondash.ingest.milestones import BY_DATE
from regiondash.ingest.validate import Problem
from regiondash.ingest.worker import PendingRead
from regiondash.reference import Reference
from regiondash.statuses import CANCELLED, reported_state

STORED, UNCHANGED, REJECTED, UNREADABLE = "stored", "unchanged", "rejected", "unreadable"
# Where the as-at date came from, as the command line's JSON says it.
_AS_AT_WORDS: dict[str | None, str] = {
    AS_AT_GIVEN: "--as-at",
    AS_AT_TITLE: "title row",
    AS_AT_DEFAULT: "today",
}
EXIT_CODES = {STORED: 0, UNCHANGED: 0, REJECTED: 1, UNREADABLE: 2}


@dataclass
class ImportOutcome:
    """What became of an upload, with everything the user needs to fix the file."""

    status: str
    upload_id: int | None
    parsed: ParsedTracker | None
    message: str
    tracker: TrackerChoice | None = None

    @property
    def exit_code(self) -> int:
        """The command line's exit code for this outcome."""
        return EXIT_CODES[self.status]

    def as_json(self) -> dict[str, object]:
        """The `regiondash import --json` object."""
        parsed = self.parsed
        rows = parsed.rows if parsed else None
        stored = self.status in (STORED, UNCHANGED)
        return {
            "status": self.status,
            "upload_id": self.upload_id,
            "migrations": len(rows.migrations) if rows is not None and stored else 0,
            "rows_read": rows.rows_read if rows is not None else 0,
            "rows_set_aside": len(rows.set_aside) if rows is not None and stored else 0,
            "errors": [p.as_dict() for p in parsed.errors] if parsed else [],
            "warnings": [p.as_dict() for p in parsed.warnings] if parsed else [],
            "notes": parsed.notes if parsed else [],
            "message": self.message,
            "as_at": parsed.as_at.isoformat() if parsed and parsed.as_at else None,
            "as_at_from": _AS_AT_WORDS.get(parsed.as_at_from) if parsed else None,
            "tracker": self.tracker.as_json() if self.tracker else None,
            "single_dates": (
                rows.reading.as_json() if rows is not None and rows.reading is not None else None
            ),
        }


_DATE_OR_VERSION = re.compile(
    r"\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{1,2}[-_.]\d{1,2}[-_.]\d{2,4}|\bv\d+\b|\(\d+\)"
    r"|\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"(\s+\d{2,4})?\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}\b"
    r"|\bcopy of\b|\b(final|latest|copy|updated?|version|draft|wk\s*\d+|week\s*\d+)\b",
    re.IGNORECASE,
)


def tracker_name(file_name: str) -> str:
    """Which tracker a file is: its name without extension, dates and version words, so that
    "SW tracker 2026-06-30.xlsx" and "SW tracker v3 (1).xlsx" are the same tracker."""
    stem = _DATE_OR_VERSION.sub(" ", Path(file_name).stem.replace("_", " "))
    return " ".join(stem.split()) or Path(file_name).stem or file_name


EXPLICIT, BY_FILE_NAME, BY_PRACTICES, NEW_TRACKER = "explicit", "file name", "practices", "new"
REPLACES_SHARE = 0.5  # a file replaces the tracker holding at least this share of its practices


@dataclass(frozen=True)
class TrackerChoice:
    """Which stored tracker an upload replaces, and how that was decided."""

    name: str
    matched_by: str  # EXPLICIT, BY_FILE_NAME, BY_PRACTICES or NEW_TRACKER
    is_new: bool = False  # no tracker of that name is stored yet

    def as_json(self) -> dict[str, str]:
        """The import JSON's `tracker` object."""
        return {"name": self.name, "matched_by": self.matched_by}

    def describe(self) -> str:
        """In words, for the upload page and the command line."""
        return {
            EXPLICIT: f'{"A new tracker" if self.is_new else "Replaces tracker"} "{self.name}" '
            "(chosen)",
            BY_FILE_NAME: f'Replaces tracker "{self.name}" (same file name once dates and '
            "versions are left out)",
            BY_PRACTICES: f'Replaces tracker "{self.name}" (at least half of its practices are '
            "those of that tracker)",
            NEW_TRACKER: f'A new tracker, "{self.name}"',
        }[self.matched_by]


def choose_tracker(
    file_name: str, migrations: pd.DataFrame, known: pd.DataFrame, explicit: str | None = None
) -> TrackerChoice:
    """The tracker an upload replaces: the one named, else the one with the same file name
    (dates, versions and "Copy of" removed), else the one of the same CSU holding most (at least
    half) of the file's practices, else a new tracker named after the file.

    `known` is store.tracker_practices: each tracker's latest practices and CSUs.
    """
    by_folded = {str(n).casefold(): str(n) for n in known["tracker"].dropna().unique()}
    if explicit and explicit.strip():
        named = " ".join(explicit.split())
        return TrackerChoice(named, EXPLICIT, is_new=named.casefold() not in by_folded)
    name = tracker_name(file_name)
    if name.casefold() in by_folded:
        return TrackerChoice(by_folded[name.casefold()], BY_FILE_NAME)
    practices = set(migrations["ods_code"].dropna())
    if not practices or known.empty:
        return TrackerChoice(name, NEW_TRACKER, is_new=True)
    csus = {str(c).casefold() for c in migrations["csu"].dropna() if str(c).strip()}
    best, best_share = None, 0.0
    for tracker, rows in known.groupby("tracker", sort=True):
        theirs = {str(c).casefold() for c in rows["csu"].dropna() if str(c).strip()}
        if csus and theirs and not csus & theirs:
            continue  # another CSU's tracker, however many practices they share
        share = len(practices & set(rows["ods_code"].dropna())) / len(practices)
        if share > best_share:
            best, best_share = str(tracker), share
    if best is not None and best_share >= REPLACES_SHARE:
        return TrackerChoice(best, BY_PRACTICES)
    return TrackerChoice(name, NEW_TRACKER)


def practice_clash_warnings(rows, known: pd.DataFrame, tracker: str, match) -> list[Problem]:
    """A warning for each row whose practice another tracker moves differently (SystmOne to EMIS
    Web here, EMIS Web to SystmOne there), neither cancelled: one of the trackers is wrong."""
    others = known[(known["tracker"] != tracker)]
    others = others[
        others["reported_status"].astype(object).map(reported_state).astype("string") != CANCELLED
    ]
    if others.empty or rows.migrations.empty:
        return []
    by_practice = others.groupby("ods_code")
    ods_header = (
        match.headers.get(next((i for i, k in match.columns.items() if k == "ods_code"), -1))
        if match is not None
        else None
    )
    warnings = []
    for row in rows.migrations.itertuples():
        if (
            reported_state(row.reported_status) == CANCELLED
            or row.ods_code not in by_practice.groups
        ):
            continue
        theirs = by_practice.get_group(row.ods_code)
        theirs = theirs[theirs["migration_id"] != row.migration_id]
        for other in theirs.itertuples():
            warnings.append(
                Problem(
                    "warning",
                    str(row.sheet),
                    int(row.source_row),
                    ods_header,
                    row.ods_code,
                    f"{row.ods_code} also has a migration {other.source_system or 'unknown'} → "
                    f'{other.target_system} in tracker "{other.tracker}" (as at '
                    f"{pd.Timestamp(other.as_at):%d/%m/%Y}); a practice cannot make both moves, "
                    "so one of the trackers needs correcting",
                )
            )
    return warnings


def refusal(parsed: ParsedTracker, accept_valid_rows: bool) -> ImportOutcome | None:
    """The outcome of a tracker that is not stored (no header, errors not accepted, no valid
    rows), or None when it may be stored."""
    rows = parsed.rows
    errors = parsed.errors
    if rows is None or (errors and not accept_valid_rows):
        count = len(errors)
        message = (
            f"{parsed.file_name} was refused: {count} error{'s' if count != 1 else ''}; "
            "nothing was stored. Fix the cells listed, or accept the valid rows only."
        )
        if rows is None:
            message = parsed.header_problem or message
        return ImportOutcome(REJECTED, None, parsed, message)
    if rows.migrations.empty:
        return ImportOutcome(
            REJECTED, None, parsed, f"{parsed.file_name} holds no valid migration rows to store"
        )
    return None


def upload_record(
    parsed: ParsedTracker,
    content: bytes,
    choice: TrackerChoice,
    *,
    uploaded_by: str,
    uploaded_at: dt.datetime,
    as_at: dt.date,
    is_demo: bool = False,
) -> store.UploadRecord:
    """The stored upload's record: the file, who and when, how it was read, which tracker."""
    rows, match = parsed.rows, parsed.match
    assert rows is not None
    reading = rows.reading.as_json() if rows.reading is not None else None
    return store.UploadRecord(
        file_name=parsed.file_name,
        content=content,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at,
        as_at=as_at,
        file_kind=parsed.file_kind,
        sheet=match.sheet.name if match else None,
        header_row=match.header_row if match else None,
        tracker=choice.name,
        mapping=match.mapping if match else {},
        rows_read=rows.rows_read,
        sha256=parsed.sha256,
        is_demo=is_demo,
        read_as={
            "single_dates": reading,
            "as_at_from": parsed.as_at_from,
            "tracker_matched_by": choice.matched_by,
        },
    )


def store_parsed(
    engine: sa.Engine,
    parsed: ParsedTracker,
    content: bytes,
    *,
    uploaded_by: str,
    uploaded_at: dt.datetime,
    as_at: dt.date | None = None,
    accept_valid_rows: bool = False,
    tracker: str | None = None,
    is_demo: bool = False,
    known: pd.DataFrame | None = None,
) -> ImportOutcome:
    """Store a checked tracker, or refuse it when it has errors and valid rows were not accepted.

    `as_at` defaults to the date the rows were checked as at; `tracker` names the tracker this
    upload replaces (else choose_tracker decides); `known` is store.tracker_practices if already
    read."""
    refused = refusal(parsed, accept_valid_rows)
    if refused is not None:
        return refused
    rows = parsed.rows
    assert rows is not None  # a tracker without rows is refused
    as_at = as_at or parsed.as_at
    if as_at is None:
        raise ValueError("store_parsed needs the tracker's as-at date")
    if known is None:
        known = store.tracker_practices(engine)
    choice = choose_tracker(parsed.file_name, rows.migrations, known, tracker)
    rows.problems.extend(practice_clash_warnings(rows, known, choice.name, parsed.match))
    record = upload_record(
        parsed,
        content,
        choice,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at,
        as_at=as_at,
        is_demo=is_demo,
    )
    saved = store.save_upload(
        engine,
        record,
        rows.migrations,
        rows.phases,
        rows.set_aside,
        parsed.problems_frame(),
    )
    if saved.status == UNCHANGED:
        given = AS_AT_GIVEN if as_at != parsed.as_at else parsed.as_at_from
        message = unchanged_message(engine, parsed.file_name, saved.upload_id, as_at, given)
        return ImportOutcome(UNCHANGED, saved.upload_id, parsed, message, choice)
    aside = len(rows.set_aside)
    message = f"Stored {len(rows.migrations)} migrations from {parsed.file_name}" + (
        f"; {aside} row{'s' if aside != 1 else ''} set aside with their reasons" if aside else ""
    )
    message += f". {choice.describe()}"
    return ImportOutcome(STORED, saved.upload_id, parsed, message, choice)


_AS_AT_SAID = {
    AS_AT_GIVEN: "the as-at date you gave",
    AS_AT_TITLE: "the as-at date in its title rows",
    AS_AT_DEFAULT: "the as-at date (today)",
}


def unchanged_message(
    engine: sa.Engine, file_name: str, upload_id: int, as_at: dt.date, as_at_from: str | None
) -> str:
    """What to say of a file whose bytes are already stored: uploads are immutable, so an as-at
    date other than the stored upload's is not recorded, and the user is told so."""
    uploads = store.list_uploads(engine)
    stored = uploads.loc[uploads["upload_id"] == upload_id, "as_at"]
    stored_as_at = pd.Timestamp(stored.iloc[0]).date() if len(stored) else None
    if stored_as_at is None:
        return f"{file_name} is identical to upload {upload_id}; nothing stored"
    message = f"{file_name} is identical to upload {upload_id} (as at {stored_as_at:%d/%m/%Y})"
    if stored_as_at == as_at:
        return f"{message}; nothing stored"
    said = _AS_AT_SAID.get(as_at_from or AS_AT_GIVEN, "the as-at date")
    return (
        f"{message}; nothing stored — {said}, {as_at:%d/%m/%Y}, was not recorded. Change the "
        "file (e.g. its 'Last updated' line) to record a new as-at"
    )


@dataclass
class PreparedUpload:
    """An upload read and checked but not stored: what the upload page shows before the user
    chooses, and what commit stores."""

    parsed: ParsedTracker
    content: bytes
    signature: str  # the tracker name its hand mapping is remembered under
    mapping: dict[str, str]  # the hand mapping the rows were read with ({} for none)
    known: pd.DataFrame  # store.tracker_practices: each tracker's latest practices and CSUs
    tracker: TrackerChoice | None  # the tracker it replaces (None: no valid rows to match)
    identical_to: int | None  # the stored upload with the same bytes, if any
    explicit_tracker: str | None = None  # the tracker named when it was prepared


def prepare_parsed(
    engine: sa.Engine,
    parsed: ParsedTracker,
    content: bytes,
    *,
    signature: str,
    mapping: dict[str, str] | None = None,
    tracker: str | None = None,
) -> PreparedUpload:
    """An upload of rows already read and checked (a file by prepare_file, a database source by
    sources.parse_source): which tracker it replaces and whether it is stored already."""
    rows = parsed.rows
    known = store.tracker_practices(engine)
    choice = None
    if rows is not None and not rows.migrations.empty:
        choice = choose_tracker(parsed.file_name, rows.migrations, known, tracker)
    return PreparedUpload(
        parsed,
        content,
        signature,
        dict(mapping or {}),
        known,
        choice,
        store.upload_with_content(engine, parsed.sha256),
        tracker,
    )


def prepare_file(
    engine: sa.Engine,
    content: bytes,
    file_name: str,
    reference: Reference,
    *,
    as_at: dt.date | None = None,
    default_as_at: dt.date | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    single_dates: str = BY_DATE,
    tracker: str | None = None,
    allow_unknown_practices: bool = False,
    reading: PendingRead | None = None,
) -> PreparedUpload:
    """Read and check a tracker file (UnreadableFile and MappingProblem propagate).

    Without `mapping` the tracker's remembered hand mapping is used. Without `as_at` the tracker
    is as at the date its title rows give, else `default_as_at`. `reading` is the content's read
    already started (ingest.worker.start_reading)."""
    signature = tracker or tracker_name(file_name)
    if mapping is None:
        mapping = store.saved_header_mapping(engine, signature)
    parsed = parse_tracker(
        content,
        file_name,
        reference,
        sheet=sheet,
        mapping=mapping,
        as_at=as_at,
        default_as_at=default_as_at,
        single_dates=single_dates,
        allow_unknown_practices=allow_unknown_practices,
        reading=reading,
    )
    return prepare_parsed(
        engine, parsed, content, signature=signature, mapping=mapping, tracker=tracker
    )


def commit(
    engine: sa.Engine,
    prepared: PreparedUpload,
    *,
    uploaded_by: str,
    uploaded_at: dt.datetime,
    as_at: dt.date | None = None,
    accept_valid_rows: bool = False,
    tracker: str | None = None,
    is_demo: bool = False,
) -> ImportOutcome:
    """Store a prepared upload (or refuse it, see store_parsed), remembering its hand mapping
    when stored so the tracker's next upload needs none. `tracker` overrides the one prepared."""
    outcome = store_parsed(
        engine,
        prepared.parsed,
        prepared.content,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at,
        as_at=as_at,
        accept_valid_rows=accept_valid_rows,
        tracker=tracker if tracker is not None else prepared.explicit_tracker,
        is_demo=is_demo,
        known=prepared.known,
    )
    if outcome.status == STORED and prepared.mapping:
        store.save_header_mapping(engine, prepared.signature, prepared.mapping)
    return outcome
