"""parse_tracker: untrusted tracker bytes -> canonical migration rows and located problems."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from regiondash.ingest.columns import (
    HeaderMatch,
    find_header,
)
from regiondash.ingest.errors import UnreadableFile
from regiondash.ingest.milestones import BY_DATE, title_as_at
from regiondash.ingest.plan_export import PlanMatch, check_plan
from regiondash.ingest.validate import Problem, ProblemsMixin, TrackerRows, check_rows
from regiondash.ingest.worker import (
    DEFAULT_LIMITS,
    Limits,
    PendingRead,
    WorkbookGrid,
    read_spreadsheet,
)
from regiondash.reference import Reference


@dataclass
class ParsedTracker(ProblemsMixin):
    """A tracker file read and checked: where its data was found, its rows and its problems."""

    file_name: str
    sha256: str
    file_kind: str
    workbook: WorkbookGrid
    match: HeaderMatch | None
    rows: TrackerRows | None
    header_problem: str | None  # set when no tracker header could be found
    as_at: dt.date | None = None  # the date the rows were checked as at
    as_at_from: str | None = None  # AS_AT_GIVEN, AS_AT_TITLE or AS_AT_DEFAULT

    @property
    def problems(self) -> list[Problem]:
        """Every problem, the missing header included."""
        if self.rows is not None:
            return self.rows.problems
        sheet = self.workbook.sheets[0].name if self.workbook.sheets else ""
        return [Problem("error", sheet, None, None, None, self.header_problem or "")]

    @property
    def notes(self) -> list[str]:
        """What the importer decided for the user (sheets ignored, totals row, inference)."""
        notes = []
        if self.match is not None:
            notes.append(
                f'Read sheet "{self.match.sheet.name}", header on row {self.match.header_row}, '
                f"as a {self.match.layout.replace('_', ' ')} tracker"
            )
            notes += [f'Sheet "{name}" ignored: {why}' for name, why in self.match.ignored_sheets]
            suggested = self.match.suggestion_labels
            plain = [header for header in self.match.unmapped if header not in suggested]
            if plain:
                notes.append("Columns not used: " + ", ".join(plain))
            notes += [
                f'Column "{header}" not used — did you mean {label}?'
                for header, label in suggested.items()
            ]
            notes += [
                f'Column "{header}" not used: an earlier column is already {key}'
                for header, key in self.match.duplicates
            ]
        if self.rows is not None:
            notes += self.rows.notes
        return notes


AS_AT_GIVEN, AS_AT_TITLE, AS_AT_DEFAULT = "given", "title row", "default"


def parse_tracker(
    data: bytes,
    file_name: str,
    reference: Reference,
    *,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    as_at: dt.date | None = None,
    default_as_at: dt.date | None = None,
    single_dates: str = BY_DATE,
    limits: Limits = DEFAULT_LIMITS,
    allow_unknown_practices: bool = False,
    reading: PendingRead | None = None,
) -> ParsedTracker:
    """Read and check a tracker; raises UnreadableFile (unsafe/unreadable) or MappingProblem.

    The rows are checked as at `as_at`; without one, as at the date the title rows give ("Last
    updated: 03/11/2026"), else `default_as_at` (the caller's today: the domain has no clock).
    A file whose practice codes are mostly not in the mapping is refused whole unless
    `allow_unknown_practices` (validate.absurd_tracker). `reading` is these bytes' read already
    started (worker.start_reading), e.g. while the caller loaded the database and the mapping.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    workbook = reading.result() if reading else read_spreadsheet(data, file_name, limits)
    if not workbook.sheets:
        raise UnreadableFile(f"{file_name} has no sheets to read", "no_sheets")
    match = find_header(workbook, sheet, mapping)
    if match is None:
        looked = ", ".join(f'"{s.name}"' for s in workbook.sheets if s.visible or sheet)
        hidden = ", ".join(f'"{s.name}"' for s in workbook.sheets if not s.visible)
        if not looked:
            message = (
                f"{file_name}: every sheet is hidden ({hidden}), so there is no sheet to read. In "
                "Excel right-click a sheet tab, choose Unhide and pick the tracker sheet, then "
                'save and upload again, or name the sheet to read (e.g. --sheet "Tracker").'
            )
        else:
            message = (
                f"{file_name}: no tracker header found in the first rows of {looked}. The header "
                "needs a practice ODS code column (e.g. 'Practice Code' or 'ODS') and at least one "
                "other known column; map other headers by hand (e.g. --map "
                '"Surgery ID=ods_code").'
            )
            if hidden and not sheet:
                message += f" Hidden sheets are not read: {hidden} (name one with --sheet)."
        return ParsedTracker(file_name, sha256, workbook.file_kind, workbook, None, None, message)
    as_at_from = AS_AT_GIVEN
    if as_at is None:
        as_at, as_at_from = title_as_at(match.sheet.rows[: match.header_index]), AS_AT_TITLE
        if as_at is None:
            as_at, as_at_from = default_as_at, AS_AT_DEFAULT
    if isinstance(match, PlanMatch):
        rows = check_plan(match, workbook.date1904, reference, as_at, allow_unknown_practices)
    else:
        rows = check_rows(
            match, workbook.date1904, reference, as_at, single_dates, allow_unknown_practices
        )
    return ParsedTracker(
        file_name, sha256, workbook.file_kind, workbook, match, rows, None, as_at, as_at_from
    )
