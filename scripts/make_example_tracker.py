"""Write data/example-tracker.xlsx: a realistic, slightly messy CSU tracker built from the demo.

It looks like trackers CSUs really keep: title rows and merged cells above the header (on row 4),
everyday header names, dates mostly as Excel dates but some typed as text and some "TBC", a blank
row, a "Total" row, a hidden lookup sheet first and a "Read me" sheet. Output is deterministic.

    .venv/bin/python scripts/make_example_tracker.py [output.xlsx]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from regiondash.demo import build_demo_uploads
from regiondash.exports import DATE_FORMAT, stable_xlsx_bytes
from regiondash.fields import FIELD_BY_KEY, SYSTEMS
from regiondash.reference import Reference, load_reference

OUTPUT = Path(__file__).resolve().parents[1] / "data" / "example-tracker.xlsx"
TRACKER_SHEET = "SW migrations"
HEADER_ROW = 4
ROWS = 25
BLANK_AFTER = 12  # data rows before the stray blank row

# The header a CSU would write -> the canonical field it means.
HEADERS: dict[str, str] = {
    "Practice Code": "ods_code",
    "Practice Name": "practice_name",
    "CCG": "sub_icb_code",
    "ICB": "icb_code",
    "CSU": "csu",
    "Current system": "source_system",
    "New supplier": "target_system",
    "Status": "reported_status",
    "RAG": "reported_rag",
    "Order date": "registration_planned",
    "Decom Schedule A": "decommission_schedule_a",
    "Extract requested": "extract_requested",
    "Kick off": "kickoff_planned",
    "Actual kick off": "kickoff_actual",
    "Tech survey": "technical_survey_planned",
    "Tech survey actual": "technical_survey_actual",
    "IDP date": "idp_planned",
    "Actual IDP": "idp_actual",
    "Sign off date": "data_signoff_planned",
    "Actual sign off": "data_signoff_actual",
    "Cut over meeting": "cutover_planning_meeting",
    "FDP date": "fdp_planned",
    "Actual FDP": "fdp_actual",
    "Go Live Date": "go_live_planned",
    "Go-live (actual)": "go_live_actual",
    "Tracking database updated": "tracking_updated",
    "Post go live complete": "post_go_live_end_planned",
    "Closure date": "end_of_migration_planned",
    "Comments": "notes",
}
STATUSES = ("Not started", "In progress", "Live", "Complete", "On hold", "Cancelled")
RAGS = ("Red", "Amber", "Green")


def _cell_value(key: str, value: object, row: int, col: int) -> object:
    """The value as the messy tracker holds it: some dates typed as text, some plans 'TBC'."""
    if value is None or pd.isna(value):
        return None
    if FIELD_BY_KEY[key].kind != "date":
        return value
    day = value.date()
    if (row * 7 + col) % 11 == 0:  # typed in by hand rather than picked as a date
        return day.strftime("%d/%m/%Y")
    return day


def _tracker_rows(frame: pd.DataFrame, as_at: dt.date) -> list[list[object]]:
    picked = frame.iloc[:: max(1, len(frame) // ROWS)].head(ROWS)
    rows = []
    for i, (_, record) in enumerate(picked.iterrows()):
        row = []
        for j, key in enumerate(HEADERS.values()):
            value = _cell_value(key, record[FIELD_BY_KEY[key].label], i, j)
            planned_far = isinstance(value, dt.date) and value > as_at + dt.timedelta(days=150)
            if key.endswith("_planned") and key != "registration_planned" and planned_far:
                value = "TBC"  # far-off plans are often not firmed up yet
            row.append(value)
        rows.append(row)
    return rows


def example_tracker_bytes(reference: Reference | None = None) -> bytes:
    """The example tracker workbook as deterministic .xlsx bytes."""
    upload = build_demo_uploads(reference or load_reference())[0]
    wb = Workbook()
    lookups = wb.active
    lookups.title = "Lookups"
    lookups.sheet_state = "hidden"
    lists = {"System": SYSTEMS, "Status": STATUSES, "RAG": RAGS}
    for col, (name, values) in enumerate(lists.items(), start=1):
        for row, value in enumerate((name, *values), start=1):
            lookups.cell(row=row, column=col, value=value)

    ws = wb.create_sheet(TRACKER_SHEET)
    width = len(HEADERS)
    last = get_column_letter(width)
    ws["A1"] = "South West GP system migrations — tracker"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Last updated {upload.as_at:%d/%m/%Y} by {upload.uploaded_by}"
    ws["A2"].font = Font(italic=True)
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    header_fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        dated = FIELD_BY_KEY[HEADERS[header]].kind == "date"
        ws.column_dimensions[get_column_letter(col)].width = 12 if dated else 20
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions[last].width = 50
    ws.freeze_panes = f"C{HEADER_ROW + 1}"

    row_number = HEADER_ROW
    for i, values in enumerate(_tracker_rows(upload.frame, upload.as_at)):
        row_number += 1
        if i == BLANK_AFTER:
            row_number += 1  # the blank row someone left in the middle
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row_number, column=col, value=value)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
    ws.cell(row=row_number + 1, column=1, value="Total").font = Font(bold=True)
    ws.cell(row=row_number + 1, column=2, value=ROWS).font = Font(bold=True)

    status_col = get_column_letter(list(HEADERS.values()).index("reported_status") + 1)
    statuses = DataValidation(type="list", formula1=f"Lookups!$B$2:$B${len(STATUSES) + 1}")
    ws.add_data_validation(statuses)
    statuses.add(f"{status_col}{HEADER_ROW + 1}:{status_col}{row_number}")

    readme = wb.create_sheet("Read me")
    for line in (
        "How to use this tracker",
        "",
        "One row per practice migration. Dates as dd/mm/yyyy; write TBC where not yet agreed.",
        "Update the actual dates as each milestone happens and re-plan by changing the plan.",
        "Status and RAG drop-downs come from the (hidden) Lookups sheet.",
        "Upload the whole workbook to regiondash: it finds the header row and the tracker sheet.",
        "",
        "This is an EXAMPLE: real practice codes and names with fictional migration dates.",
    ):
        readme.append([line])
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 100
    # A hidden sheet must be neither active nor selected, or Excel opens on a blank view.
    wb.active = wb.sheetnames.index(TRACKER_SHEET)
    lookups.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    return stable_xlsx_bytes(wb, modified=dt.datetime(2026, 7, 1, 9, 30))


def main(argv: list[str] | None = None) -> int:
    """Write the example tracker to the path given, or data/example-tracker.xlsx."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else OUTPUT
    target.write_bytes(example_tracker_bytes())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
