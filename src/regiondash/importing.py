"""One upload, start to finish: read and check a tracker, then store it whole or refuse it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from regiondash import store
from regiondash.ingest import ParsedTracker, parse_tracker
from regiondash.reference import Reference

STORED, UNCHANGED, REJECTED, UNREADABLE = "stored", "unchanged", "rejected", "unreadable"
EXIT_CODES = {STORED: 0, UNCHANGED: 0, REJECTED: 1, UNREADABLE: 2}


@dataclass
class ImportOutcome:
    """What became of an upload, with everything the user needs to fix the file."""

    status: str
    upload_id: int | None
    parsed: ParsedTracker | None
    message: str

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
        }


_DATE_OR_VERSION = re.compile(
    r"\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{1,2}[-_.]\d{1,2}[-_.]\d{2,4}|\bv\d+\b|\(\d+\)"
    r"|\b(final|latest|copy|updated?)\b",
    re.IGNORECASE,
)


def tracker_name(file_name: str) -> str:
    """Which tracker a file is: its name without extension, dates and version words, so that
    "SW tracker 2026-06-30.xlsx" and "SW tracker v3 (1).xlsx" are the same tracker."""
    stem = _DATE_OR_VERSION.sub(" ", Path(file_name).stem.replace("_", " "))
    return " ".join(stem.split()) or Path(file_name).stem or file_name


def store_parsed(
    engine: sa.Engine,
    parsed: ParsedTracker,
    content: bytes,
    *,
    uploaded_by: str,
    uploaded_at: dt.datetime,
    as_at: dt.date,
    accept_valid_rows: bool = False,
) -> ImportOutcome:
    """Store a checked tracker, or refuse it when it has errors and valid rows were not accepted."""
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
    match = parsed.match
    record = store.UploadRecord(
        file_name=parsed.file_name,
        content=content,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at,
        as_at=as_at,
        file_kind=parsed.file_kind,
        sheet=match.sheet.name if match else None,
        header_row=match.header_row if match else None,
        tracker=tracker_name(parsed.file_name),
        mapping=match.mapping if match else {},
        rows_read=rows.rows_read,
        sha256=parsed.sha256,
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
        return ImportOutcome(
            UNCHANGED,
            saved.upload_id,
            parsed,
            f"{parsed.file_name} is identical to upload {saved.upload_id}; nothing changed",
        )
    aside = len(rows.set_aside)
    message = f"Stored {len(rows.migrations)} migrations from {parsed.file_name}" + (
        f"; {aside} row{'s' if aside != 1 else ''} set aside with their reasons" if aside else ""
    )
    return ImportOutcome(STORED, saved.upload_id, parsed, message)


def import_tracker(
    engine: sa.Engine,
    content: bytes,
    file_name: str,
    reference: Reference,
    *,
    uploaded_by: str,
    uploaded_at: dt.datetime,
    as_at: dt.date,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    accept_valid_rows: bool = False,
) -> ImportOutcome:
    """Parse, check and store one tracker file (UnreadableFile and MappingProblem propagate)."""
    if mapping is None:
        mapping = store.saved_header_mapping(engine, tracker_name(file_name))
    parsed = parse_tracker(content, file_name, reference, sheet=sheet, mapping=mapping, as_at=as_at)
    outcome = store_parsed(
        engine,
        parsed,
        content,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at,
        as_at=as_at,
        accept_valid_rows=accept_valid_rows,
    )
    if outcome.status == STORED and mapping:
        # Remembered so this tracker's next upload needs no hand mapping.
        store.save_header_mapping(engine, tracker_name(file_name), mapping)
    return outcome
