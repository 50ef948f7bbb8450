"""The one spreadsheet writer: real dates, bold headers, and no text a spreadsheet would run."""

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from regiondash.exports import FORMULA_TRIGGERS, csv_bytes, xlsx_bytes

FORMULA_LIKE = ["=1+1", "+44 20", "-5 days", "@SUM(A1)", "\tx", '=HYPERLINK("http://x")']


def read_back(frame: pd.DataFrame, sheet: str = "Sheet") -> openpyxl.worksheet.worksheet.Worksheet:
    # the default load (not data_only), so a stored formula would come back as a formula
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes({sheet: frame})))[sheet[:31]]


def test_formula_triggers_are_the_owasp_list():
    assert FORMULA_TRIGGERS == ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_xlsx_formula_like_text_stays_text(text):
    cell = read_back(pd.DataFrame({"Notes": [text]}))["A2"]
    assert cell.value == text
    assert isinstance(cell.value, str)
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


def test_xlsx_carriage_return_text_is_not_a_formula():
    cell = read_back(pd.DataFrame({"Notes": ["\rx"]}))["A2"]
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    assert isinstance(cell.value, str) and cell.value.endswith("x")


@pytest.mark.parametrize(
    ("text", "expected"), [("\rx", "\nx"), ("line one\r\nline two", "line one\nline two")]
)
def test_xlsx_line_ends_become_line_feeds(text, expected):
    # XML cannot hold a bare CR in cell text; the export turns line ends into line feeds itself.
    assert read_back(pd.DataFrame({"Notes": [text]}))["A2"].value == expected


def test_xlsx_values_keep_their_types():
    frame = pd.DataFrame(
        {
            "ODS code": ["A81001", "B82002"],
            "Days": [14, -3],
            "Share": [0.25, 1.5],
            "Go live": pd.to_datetime(["2026-03-16", None]).astype("datetime64[us]"),
            "Uploaded": pd.to_datetime(["2026-03-02 09:30", "2026-03-03 00:00"]),
            "Plain date": [dt.date(2026, 4, 1), None],
            "Moved": pd.array([14, pd.NA], dtype="Int64"),
        }
    )
    sheet = read_back(frame, "Migrations")
    header = [c.value for c in sheet[1]]
    assert header == list(frame.columns)
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    first = {name: sheet.cell(2, i + 1) for i, name in enumerate(header)}
    second = {name: sheet.cell(3, i + 1) for i, name in enumerate(header)}
    assert first["ODS code"].value == "A81001"
    assert (first["Days"].value, first["Days"].data_type) == (14, "n")
    assert (second["Days"].value, second["Days"].data_type) == (-3, "n")  # a number, not text
    assert first["Share"].value == 0.25
    assert first["Go live"].value == dt.datetime(2026, 3, 16)
    assert first["Go live"].is_date and first["Go live"].number_format == "dd/mm/yyyy"
    assert second["Go live"].value is None
    assert first["Uploaded"].value == dt.datetime(2026, 3, 2, 9, 30)
    assert first["Uploaded"].number_format == "dd/mm/yyyy hh:mm"
    assert second["Uploaded"].number_format == "dd/mm/yyyy"  # midnight: a whole day
    assert first["Plain date"].value == dt.datetime(2026, 4, 1)
    assert first["Plain date"].number_format == "dd/mm/yyyy"
    assert second["Plain date"].value is None
    assert (first["Moved"].value, second["Moved"].value) == (14, None)


def test_xlsx_one_sheet_per_table_with_names_cut_to_31_characters():
    long_name = "Overrunning migrations by sub-ICB location"
    book = openpyxl.load_workbook(
        io.BytesIO(xlsx_bytes({"Summary": pd.DataFrame({"a": [1]}), long_name: pd.DataFrame()}))
    )
    assert book.sheetnames == ["Summary", long_name[:31]]


def test_csv_neutralises_formula_like_text_and_starts_with_a_bom():
    frame = pd.DataFrame(
        {
            "Notes": [
                "=1+1",
                "+44 20",
                "-5 days",
                "@SUM(A1)",
                "\tx",
                "line\r\nbreak",
                "fine",
                None,
            ],
            "Days": [1, -2, 3, 4, 5, 6, 7, 8],
        }
    )
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Notes", "Days"]
    assert [r[0] for r in rows[1:]] == [
        "'=1+1",
        "'+44 20",
        "'-5 days",
        "'@SUM(A1)",
        "'\tx",
        "line\r\nbreak",
        "fine",
        "",
    ]
    assert len(rows) == 9


def test_csv_carriage_return_stays_inside_its_cell():
    data = csv_bytes(pd.DataFrame({"Notes": ["\rx", "a\rb"], "Days": [1, 2]}))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["Notes", "Days"], ["'\rx", "1"], ["a\rb", "2"]]


def test_csv_keeps_accents():
    data = csv_bytes(pd.DataFrame({"Practice": ["Café Surgery – Ōtautahi"]}))
    assert data.decode("utf-8-sig").splitlines() == ["Practice", "Café Surgery – Ōtautahi"]


def test_csv_with_pandas_string_dtype_is_neutralised_too():
    frame = pd.DataFrame({"Notes": pd.array(["=cmd|' /C calc'!A0", pd.NA], dtype="string")})
    assert csv_bytes(frame).decode("utf-8-sig").splitlines()[1] == "'=cmd|' /C calc'!A0"


# Text openpyxl can hold at all: no surrogates and none of the control characters it refuses.
cell_text = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs",),
    ),
    min_size=1,
).filter(lambda text: not ILLEGAL_CHARACTERS_RE.search(text))


@settings(max_examples=60, deadline=None)
@given(st.lists(cell_text, min_size=1, max_size=6))
def test_any_text_reads_back_unchanged_and_never_as_a_formula(texts):
    sheet = read_back(pd.DataFrame({"Text": texts}))
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    line_feeds = [t.replace("\r\n", "\n").replace("\r", "\n") for t in texts]
    assert [c.value for c in cells] == line_feeds
    assert [c.data_type for c in cells] == ["s"] * len(texts)


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.characters(
            exclude_categories=("Cs",),
        ),
        max_size=30,
    )
)
def test_csv_never_starts_a_cell_with_a_formula_trigger(text):
    data = csv_bytes(pd.DataFrame({"Text": [text]}))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cell = rows[1][0] if len(rows) > 1 and rows[1] else ""
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert cell in (text, "'" + text)


def test_notes_sheet_wraps_meanings_and_printable_sheets_fit_one_page_wide():
    # the layout table_xlsx gives its Definitions sheet, written in the one pass (no reload)
    meaning = "x" * 250  # 250 characters over a 92-character line: three lines of 15 points
    notes = pd.DataFrame({"Term": ["Short", "Long"], "Meaning": ["one line", meaning]})
    data = xlsx_bytes({"Table": pd.DataFrame({"A": [1]}), "Notes": notes}, "Notes", True)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Notes"]
    assert sheet.column_dimensions["A"].width == 24
    assert sheet.column_dimensions["B"].width == 100
    assert sheet["A3"].font.b and sheet["B3"].alignment.wrap_text
    assert sheet.row_dimensions[2].height == 15 and sheet.row_dimensions[3].height == 45
    for each in book.worksheets:
        assert each.page_setup.orientation == "landscape" and each.print_title_rows == "$1:$1"
        assert each.sheet_properties.pageSetUpPr.fitToPage
    assert not book["Table"]["B2"].alignment.wrap_text


def test_empty_text_is_kept_unless_asked_to_leave_the_cell_blank():
    frame = pd.DataFrame({"Busy": ["", "Christmas"]})
    kept = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"S": frame})))["S"]
    blank = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"S": frame}, blank_empty=True)))["S"]
    assert kept["A2"].data_type == "inlineStr" and blank["A2"].value is None
    assert blank["A3"].value == "Christmas"
