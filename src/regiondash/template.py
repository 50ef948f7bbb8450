"""The tracker template users download: a formatted Tracker sheet and a Notes sheet, saved by
regiondash.exports (which also writes the fixtures' and the demo's trackers)."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from regiondash.exports import DATE_FORMAT, NHS_BLUE, stable_xlsx_bytes
from regiondash.fields import FIELD_BY_KEY, LONG_FIELDS, SYSTEMS, alias_rows

__all__ = ["template_columns", "template_workbook"]

TEMPLATE_ROWS = 500  # rows pre-formatted for dates and given the supplier drop-down

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color=NHS_BLUE, end_color=NHS_BLUE)

# Template column order: who and what first, then milestones and the events that belong beside them
# in the order they happen, free text last.
TEMPLATE_KEYS: tuple[str, ...] = (
    "ods_code",
    "practice_name",
    "sub_icb_code",
    "icb_code",
    "region_code",
    "csu",
    "ordering_party",
    "source_system",
    "target_system",
    "reported_status",
    "reported_rag",
    "registration_planned",
    "registration_actual",
    "decommission_schedule_a",
    "extract_requested",
    "kickoff_planned",
    "kickoff_actual",
    "technical_survey_planned",
    "technical_survey_actual",
    "idp_planned",
    "idp_actual",
    "data_signoff_planned",
    "data_signoff_actual",
    "cutover_planning_meeting",
    "fdp_planned",
    "fdp_actual",
    "go_live_planned",
    "go_live_actual",
    "tracking_updated",
    "post_go_live_end_planned",
    "post_go_live_end_actual",
    "end_of_migration_planned",
    "end_of_migration_actual",
    "notes",
)

_REQUIRED = {"ods_code": "Required", "target_system": "Required"}
_RECOMMENDED = {"practice_name", "source_system", "go_live_planned"}

_EXAMPLE: dict[str, object] = {
    "ods_code": "J81002",
    "practice_name": "ORCHID HOUSE SURGERY",
    "sub_icb_code": "11J",
    "icb_code": "QVV",
    "region_code": "Y58",
    "csu": "NHS South, Central and West CSU",
    "ordering_party": "NHS Dorset Integrated Care Board",
    "source_system": "SystmOne",
    "target_system": "EMIS Web",
    "reported_status": "In progress",
    "reported_rag": "Green",
    "registration_planned": dt.date(2026, 9, 7),
    "registration_actual": dt.date(2026, 9, 7),
    "decommission_schedule_a": dt.date(2026, 9, 9),
    "extract_requested": dt.date(2026, 9, 8),
    "kickoff_planned": dt.date(2026, 9, 16),
    "kickoff_actual": dt.date(2026, 9, 17),
    "technical_survey_planned": dt.date(2026, 9, 21),
    "technical_survey_actual": dt.date(2026, 9, 21),
    "idp_planned": dt.date(2026, 10, 1),
    "idp_actual": dt.date(2026, 10, 1),
    "data_signoff_planned": dt.date(2026, 10, 15),
    "cutover_planning_meeting": dt.date(2026, 10, 8),
    "fdp_planned": dt.date(2026, 11, 25),
    "go_live_planned": dt.date(2026, 11, 30),
    "post_go_live_end_planned": dt.date(2026, 12, 11),
    "end_of_migration_planned": dt.date(2026, 12, 18),
    "notes": "EXAMPLE ROW: a real practice with a fictional migration. Delete before uploading.",
}


def style_header(ws, row: int = 1) -> None:
    """Give a worksheet's header row the NHS-blue fill, white bold text and a frozen pane."""
    for cell in ws[row]:
        if cell.value is not None:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _format_note(key: str) -> str:
    kind = FIELD_BY_KEY[key].kind
    return {
        "date": "Date: dd/mm/yyyy or an Excel date",
        "ods": "One letter and five digits, e.g. J81002",
        "system": "EMIS Web, SystmOne, Vision or Evolution (supplier names such as TPP are fine)",
    }.get(kind, "Text")


def _requirement(key: str) -> str:
    if key in _REQUIRED:
        return _REQUIRED[key]
    return "Recommended" if key in _RECOMMENDED else "Optional"


def _notes_rows() -> list[list[str]]:
    aliases = {row["field"]: row["also accepted"] for row in alias_rows()}
    rows = [["Column", "What it means", "Format", "Required?", "Also accepted as header"]]
    for key in (*TEMPLATE_KEYS, *(f.key for f in LONG_FIELDS)):
        field = FIELD_BY_KEY[key]
        meaning = field.description
        if key in {"sub_icb_code", "icb_code", "region_code"}:
            meaning += " (filled in from NHS England's practice mapping when blank)"
        if key == "source_system":
            meaning += " (taken from NHS England's practice mapping when blank)"
        if field in LONG_FIELDS:
            meaning += " (long format only)"
        rows.append(
            [field.label, meaning, _format_note(key), _requirement(key), aliases.get(key, "")]
        )
    return rows


_RULES = (
    (
        "Dates",
        "Write dates as UK day-first dd/mm/yyyy (e.g. 03/11/2026) or as Excel dates. "
        "ISO yyyy-mm-dd (2026-11-03) is also accepted. US month-first dates are not.",
    ),
    ("Missing dates", "Leave the cell blank, or write TBC, N/A or - : all mean 'no date yet'."),
    (
        "Planned and actual",
        "Each milestone has a planned and an actual date. Keep the planned date "
        "when a milestone happens and add the actual; re-plan by changing the planned date.",
    ),
    (
        "One row per migration",
        "One row per practice migration. Header names are matched ignoring "
        "case, spaces and punctuation; the alternatives in the table above are recognised.",
    ),
    (
        "Long format",
        "A tracker with one row per migration phase is also accepted: ODS code, "
        "Phase, Planned start, Planned end, Actual start, Actual end (plus the identity columns).",
    ),
    (
        "Example row",
        "Row 2 of the Tracker sheet is a fictional example. Delete it before uploading.",
    ),
)


def template_workbook() -> bytes:
    """The downloadable tracker template: a formatted Tracker sheet and a Notes sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tracker"
    ws.append([FIELD_BY_KEY[k].label for k in TEMPLATE_KEYS])
    ws.append([_EXAMPLE.get(k) for k in TEMPLATE_KEYS])
    style_header(ws)
    ws.row_dimensions[1].height = 32
    systems = DataValidation(type="list", formula1=f'"{",".join(SYSTEMS)}"', allow_blank=True)
    ws.add_data_validation(systems)
    for col, key in enumerate(TEMPLATE_KEYS, start=1):
        letter = get_column_letter(col)
        field = FIELD_BY_KEY[key]
        ws.column_dimensions[letter].width = 14 if field.kind == "date" else 22
        if field.kind == "date":
            # Pre-format the empty rows too so typed dates show day-first.
            for row in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=row, column=col).number_format = DATE_FORMAT
        if field.kind == "system":
            systems.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions[get_column_letter(len(TEMPLATE_KEYS))].width = 60

    notes = wb.create_sheet("Notes")
    notes.append(["regiondash tracker template: what each column means"])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([])
    table = _notes_rows()
    for notes_row in table:
        notes.append(notes_row)
    style_header(notes, row=3)
    notes.append([])
    notes.append(["Rules"])
    notes.cell(row=notes.max_row, column=1).font = Font(bold=True)
    for title, text in _RULES:
        notes.append([title, text])
    for letter, width in zip("ABCDE", (34, 70, 40, 14, 90), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return stable_xlsx_bytes(wb)


def template_columns() -> list[str]:
    """The template's header labels in order."""
    return [FIELD_BY_KEY[k].label for k in TEMPLATE_KEYS]
