"""A pull: a source's rows through the tracker checks, stored as an upload like a file."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, replace

import sqlalchemy as sa

from regiondash import store
from regiondash.ingest import AS_AT_GIVEN, ParsedTracker
from regiondash.ingest.columns import find_header
from regiondash.ingest.validate import check_rows
from regiondash.ingest.worker import WorkbookGrid
from regiondash.reference import Reference
from regiondash.sources.base import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_SECONDS,
    FILE_KIND,
    SourceProblem,
    describe_url,
)
from regiondash.sources.read import content_of, read_source
from regiondash.sources.spec import (
    SourceSpec,
    source_label,
    tracker_of,
)
from regiondash.uploading import UNCHANGED, UNREADABLE, ImportOutcome, commit, prepare_parsed

log = logging.getLogger(__name__)


@dataclass
class SourceTracker(ParsedTracker):
    """A source's rows read and checked like a tracker file's, with the bytes to store."""

    content: bytes = b""
    source: str = ""  # how the notes name it: table or query, and the URL without password

    @property
    def notes(self) -> list[str]:
        """The file importer's notes, with the first saying where the rows came from."""
        notes = super().notes
        if self.match is not None:
            rows = len(self.workbook.sheets[0].rows) - 1
            layout = self.match.layout.replace("_", " ")
            notes[0] = (
                f"Read {rows} row{'s' if rows != 1 else ''} from {self.source}, column names as "
                f"headers, as a {layout} tracker"
            )
        return notes


def parse_grid(
    grid: WorkbookGrid,
    label: str,
    reference: Reference,
    *,
    mapping: dict[str, str] | None = None,
    as_at: dt.date | None = None,
    source: str = "",
) -> SourceTracker:
    """Check a source's grid exactly as a tracker sheet is checked: aliases, mapping, rules."""
    content = content_of(grid)
    sha256 = hashlib.sha256(content).hexdigest()
    sheet = grid.sheets[0]
    file_name = f"{label}.csv"
    # Only the column names can be the header: a data row must never be taken for one.
    header_only = replace(grid, sheets=[replace(sheet, rows=sheet.rows[:1], row_numbers=[0])])
    match = find_header(header_only, None, mapping)
    if match is None:
        message = (
            f"{label}: no tracker columns among {', '.join(map(str, sheet.rows[0])) or 'none'}. "
            "The rows need a practice ODS code column (e.g. 'Practice Code' or 'ODS') and at "
            'least one other known column; map other columns by hand (e.g. --map "Surgery '
            'ID=ods_code").'
        )
        return SourceTracker(
            file_name, sha256, FILE_KIND, grid, None, None, message, content=content, source=source
        )
    match.sheet = sheet
    rows = check_rows(match, False, reference, as_at)
    return SourceTracker(
        file_name,
        sha256,
        FILE_KIND,
        grid,
        match,
        rows,
        None,
        as_at=as_at,
        as_at_from=AS_AT_GIVEN,
        content=content,
        source=source,
    )


def parse_source(
    spec: SourceSpec,
    reference: Reference,
    *,
    mapping: dict[str, str] | None = None,
    as_at: dt.date | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> SourceTracker:
    """Read and check a source (raises SourceProblem); store it with uploading.commit."""
    grid = read_source(spec, timeout_seconds, max_rows)
    what = f'table "{grid.sheets[0].name}"' if spec.table else "the query"
    return parse_grid(
        grid,
        source_label(spec),
        reference,
        mapping=mapping,
        as_at=as_at,
        source=f"{what} in {describe_url(spec.url)}",
    )


def pull_source(
    engine: sa.Engine,
    spec: SourceSpec,
    reference: Reference,
    *,
    uploaded_by: str,
    uploaded_at: dt.datetime,
    as_at: dt.date,
    mapping: dict[str, str] | None = None,
    accept_valid_rows: bool = False,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ImportOutcome:
    """Read, check and store a source as one upload; an unreadable source is status UNREADABLE."""
    label = source_label(spec)
    tracker = tracker_of(label)
    hand = {**dict(spec.mapping), **(mapping or {})}
    if not hand:
        hand = store.saved_header_mapping(engine, tracker)
    try:
        parsed = parse_source(
            spec,
            reference,
            mapping=hand,
            as_at=as_at,
            timeout_seconds=timeout_seconds,
            max_rows=max_rows,
        )
    except SourceProblem as problem:
        return ImportOutcome(UNREADABLE, None, None, problem.message)
    prepared = prepare_parsed(engine, parsed, parsed.content, signature=tracker, mapping=hand)
    outcome = commit(
        engine,
        prepared,
        uploaded_by=uploaded_by,
        uploaded_at=uploaded_at,
        as_at=as_at,
        accept_valid_rows=accept_valid_rows,
    )
    if outcome.status == UNCHANGED:
        outcome.message = (
            f'Source "{label}" is unchanged since upload {outcome.upload_id} '
            "(the same rows); nothing stored"
        )
    else:
        outcome.message = outcome.message.replace(parsed.file_name, f'source "{label}"', 1)
        outcome.message = outcome.message[:1].upper() + outcome.message[1:]
    return outcome


def last_pull(engine: sa.Engine, source: SourceSpec | str) -> dict | None:
    """The latest upload from this source (a spec, or its label), or None: a pull that found the
    source unchanged stores nothing, so this is the last pull that brought rows in."""
    uploads = store.list_uploads(engine)
    mine = uploads[(uploads["file_kind"] == FILE_KIND) & (uploads["tracker"] == tracker_of(source))]
    return None if mine.empty else mine.iloc[0].to_dict()  # list_uploads is newest first


# --------------------------------------------------------------------------------------------
# Configuration
