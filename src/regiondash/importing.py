"""One upload, start to finish: read and check a tracker file, then store it whole or refuse it
(the workflow is uploading's, shared with database sources); and the demo region's uploads."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from regiondash.ingest.milestones import BY_DATE
from regiondash.ingest.worker import PendingRead
from regiondash.reference import Reference
from regiondash.uploading import (
    BY_FILE_NAME,
    BY_PRACTICES,
    EXIT_CODES,
    EXPLICIT,
    NEW_TRACKER,
    REJECTED,
    REPLACES_SHARE,
    STORED,
    UNCHANGED,
    UNREADABLE,
    ImportOutcome,
    PreparedUpload,
    TrackerChoice,
    choose_tracker,
    commit,
    practice_clash_warnings,
    prepare_file,
    store_parsed,
    tracker_name,
    unchanged_message,
)

__all__ = [
    "BY_FILE_NAME",
    "BY_PRACTICES",
    "EXIT_CODES",
    "EXPLICIT",
    "NEW_TRACKER",
    "REJECTED",
    "REPLACES_SHARE",
    "STORED",
    "UNCHANGED",
    "UNREADABLE",
    "ImportOutcome",
    "PreparedUpload",
    "TrackerChoice",
    "choose_tracker",
    "commit",
    "import_tracker",
    "load_demo",
    "practice_clash_warnings",
    "prepare_file",
    "store_parsed",
    "tracker_name",
    "unchanged_message",
]


def import_tracker(
    engine: sa.Engine,
    content: bytes,
    file_name: str,
    reference: Reference,
    *,
    uploaded_by: str,
    uploaded_at: dt.datetime,
    as_at: dt.date | None,
    default_as_at: dt.date | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    accept_valid_rows: bool = False,
    single_dates: str = BY_DATE,
    tracker: str | None = None,
    is_demo: bool = False,
    allow_unknown_practices: bool = False,
    reading: PendingRead | None = None,
) -> ImportOutcome:
    """Parse, check and store one tracker file (UnreadableFile and MappingProblem propagate).

    Without `as_at` the tracker is as at the date its title rows give, else `default_as_at`.
    `reading` is the content's read already started (ingest.worker.start_reading)."""
    prepared = prepare_file(
        engine,
        content,
        file_name,
        reference,
        as_at=as_at,
        default_as_at=default_as_at,
        sheet=sheet,
        mapping=mapping,
        single_dates=single_dates,
        tracker=tracker,
        allow_unknown_practices=allow_unknown_practices,
        reading=reading,
    )
    return commit(
        engine,
        prepared,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at,
        accept_valid_rows=accept_valid_rows,
        is_demo=is_demo,
    )


def load_demo(engine: sa.Engine, reference: Reference) -> list[ImportOutcome]:
    """Store the fictional demo region's uploads (demo.build_demo_uploads), flagged as the demo,
    oldest first; stops at the first that is not stored."""
    from regiondash.demo import build_demo_uploads  # the demo builder is only needed here

    outcomes = []
    for upload in build_demo_uploads(reference):
        outcome = import_tracker(
            engine,
            upload.content,
            upload.file_name,
            reference,
            uploaded_by=upload.uploaded_by,
            uploaded_at=upload.uploaded_at,
            as_at=upload.as_at,
            is_demo=True,
        )
        outcomes.append(outcome)
        if outcome.exit_code:
            break
    return outcomes
