"""The downloadable template, deterministic .xlsx writing and the messy example tracker."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from regiondash import exports, template
from regiondash.fields import (
    EVENT_FIELDS,
    FIELD_BY_KEY,
    IDENTITY_FIELDS,
    LONG_FIELDS,
    MILESTONE_FIELDS,
    field_for_header,
)
from regiondash.reference import load_reference

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example-tracker.xlsx"


@pytest.fixture(scope="module")
def template_book():
    return load_workbook(io.BytesIO(template.template_workbook()))


@pytest.fixture(scope="module")
def example_script():
    path = ROOT / "scripts" / "make_example_tracker.py"
    spec = importlib.util.spec_from_file_location("make_example_tracker", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example_bytes(example_script):
    return example_script.example_tracker_bytes(load_reference())


def test_template_is_deterministic():
    assert template.template_workbook() == template.template_workbook()


def test_template_sheets_and_header(template_book):
    assert template_book.sheetnames == ["Tracker", "Notes"]
    ws = template_book["Tracker"]
    header = [c.value for c in ws[1]]
    assert header == template.template_columns()
    keys = [field_for_header(h) for h in header]
    assert all(FIELD_BY_KEY[k].label == h for k, h in zip(keys, header, strict=True))
    wanted = {f.key for f in (*IDENTITY_FIELDS, *MILESTONE_FIELDS, *EVENT_FIELDS)}
    assert sorted(keys) == sorted(wanted)
    assert header[0] == "ODS code" and header[-1] == "Notes"
    assert keys.index("go_live_planned") < keys.index("tracking_updated")
    assert keys.index("extract_requested") < keys.index("idp_planned")


def test_template_formatting(template_book):
    ws = template_book["Tracker"]
    first = ws["A1"]
    assert first.font.bold and first.font.color.rgb == "00FFFFFF"
    assert first.fill.fgColor.rgb == "00005EB8"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 40
    header = [c.value for c in ws[1]]
    for col, label in enumerate(header, start=1):
        cell = ws.cell(row=2, column=col)
        if FIELD_BY_KEY[field_for_header(label)].kind == "date":
            assert cell.number_format == "dd/mm/yyyy", label
            assert ws.cell(row=300, column=col).number_format == "dd/mm/yyyy"
    example = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert example["ODS code"] == "J81002"
    assert example["Go live (planned)"] == dt.datetime(2026, 11, 30)
    assert "EXAMPLE" in example["Notes"]
    assert ws.data_validations.dataValidation[0].formula1 == '"EMIS Web,SystmOne,Vision,Evolution"'


def test_template_notes_explain_every_column(template_book):
    notes = template_book["Notes"]
    rows = [[c.value for c in row] for row in notes.iter_rows()]
    table = {row[0]: row for row in rows[3:] if row[0] and row[2]}
    for key in (*template.TEMPLATE_KEYS, *(f.key for f in LONG_FIELDS)):
        label = FIELD_BY_KEY[key].label
        assert label in table, label
        assert table[label][1].startswith(FIELD_BY_KEY[key].description)
    assert table["ODS code"][3] == "Required"
    assert table["Go live (planned)"][3] == "Recommended"
    assert table["Kickoff (actual)"][3] == "Optional"
    assert "go live date" in table["Go live (planned)"][4]
    assert "practice code" in table["ODS code"][4]
    assert table["Data sign off (planned)"][2].startswith("Date: dd/mm/yyyy")
    text = " ".join(str(v) for row in rows for v in row if v)
    for phrase in ("dd/mm/yyyy", "yyyy-mm-dd", "TBC", "N/A", "Long format", "Planned start"):
        assert phrase in text, phrase


def test_xlsx_bytes_pins_timestamps():
    def book() -> Workbook:
        wb = Workbook()
        wb.active.append(["ODS code", dt.date(2026, 1, 2)])
        return wb

    first = exports.stable_xlsx_bytes(book())
    assert first == exports.stable_xlsx_bytes(book())
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2026-01-01T00:00:00Z" in core
    loaded = load_workbook(io.BytesIO(first))
    assert loaded.properties.created == loaded.properties.modified == dt.datetime(2026, 1, 1)


def test_workbook_bytes_writes_real_dates_and_blanks():
    frame = pd.DataFrame(
        {
            "ODS code": pd.Series(["J81002", pd.NA], dtype="string"),
            "Go live (planned)": pd.to_datetime(["2026-12-29", None]),
            "List size": [1200, 3400],
        }
    )
    ws = load_workbook(io.BytesIO(exports.workbook_bytes(frame, "Sheet X"))).active
    assert ws.title == "Sheet X" and ws.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [
        ["ODS code", "Go live (planned)", "List size"],
        ["J81002", dt.datetime(2026, 12, 29), 1200],
        [None, None, 3400],
    ]
    assert ws["B2"].is_date and ws["B2"].number_format == "dd/mm/yyyy"


def test_example_tracker_headers_are_known(example_script):
    for header, key in example_script.HEADERS.items():
        assert field_for_header(header) == key, header
    assert {
        "Practice Code",
        "CCG",
        "Current system",
        "New supplier",
        "Go Live Date",
        "Go-live (actual)",
        "IDP date",
        "FDP date",
    } <= set(example_script.HEADERS)


def test_example_tracker_layout(example_script, example_bytes):
    wb = load_workbook(io.BytesIO(example_bytes))
    assert wb.sheetnames == ["Lookups", "SW migrations", "Read me"]
    assert wb["Lookups"].sheet_state == "hidden"
    assert wb.active.title == "SW migrations"
    ws = wb["SW migrations"]
    assert ws["A1"].value == "South West GP system migrations — tracker"
    assert ws["A2"].value == "Last updated 30/06/2026 by SCW CSU migration team"
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:AC1", "A2:AC2"}
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    # Row 4 (index 3) is the header: every cell a known header; nothing above is.
    assert [field_for_header(v) for v in rows[3]] == list(example_script.HEADERS.values())
    assert not any(field_for_header(v) for row in rows[:3] for v in row if v)
    data = rows[4:]
    assert data[-1][:2] == ["Total", 25]
    assert data[12] == [None] * len(rows[3])  # the blank row in the middle
    practices = [row[0] for row in data[:-1] if row[0]]
    assert len(practices) == 25 and all(re.fullmatch(r"[A-Z]\d{5}", p) for p in practices)
    cells = [v for row in data[:-1] for v in row]
    real = sum(isinstance(v, dt.datetime) for v in cells)
    typed = sum(
        isinstance(v, str) and re.fullmatch(r"\d\d/\d\d/\d{4}", v) is not None for v in cells
    )
    tbc = sum(v == "TBC" for v in cells)
    assert real > 5 * typed > 0 and tbc >= 3


def test_example_tracker_is_deterministic_and_committed(example_script, example_bytes):
    assert example_script.example_tracker_bytes(load_reference()) == example_bytes
    # The committed file is what the script writes: regenerate it after changing the demo.
    assert EXAMPLE.read_bytes() == example_bytes
