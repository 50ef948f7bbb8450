"""Every table as XLSX and CSV: readable columns, real dates, a Definitions sheet with the as-at
date, and no cell a spreadsheet would run as a formula, whatever the text."""

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from regiondash.definitions import TERMS
from regiondash.exports import FORMULA_TRIGGERS, export_file_name
from regiondash.tables import TABLES, export_table, table_csv, table_xlsx
from tests.report import convert_to_pdf, demo_inputs

AS_AT = dt.date(2026, 11, 20)
PAYLOADS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
COLUMNS = {
    "migrations": [
        "Practice",
        "ODS code",
        "Sub-ICB",
        "ICB",
        "From",
        "To",
        "Status",
        "Current phase",
        "Go-live date",
        "First planned go live",
        "Go live moved (days)",
        "Days over plan",
        "Days late",
        "Phases overrun",
        "Tracker RAG",
        "CSU",
    ],
    "overruns": [
        "Practice",
        "ODS code",
        "Sub-ICB",
        "To",
        "Status",
        "Phase",
        "What happened",
        "Planned (first plan for go live)",
        "Actual (or current plan)",
        "Days over",
    ],
    "risks": [
        "Practice",
        "ODS code",
        "Sub-ICB",
        "To",
        "Go-live date",
        "Computed RAG",
        "Tracker RAG",
        "Differs",
        "Risks",
        "Why",
        "Notes",
    ],
    "go_lives": [
        "Practice",
        "ODS code",
        "Sub-ICB",
        "ICB",
        "From",
        "To",
        "Status",
        "Go-live date",
        "Actual or planned",
        "First planned go live",
        "Go live moved (days)",
        "Busy period",
    ],
}
DATES = {
    "migrations": ["Go-live date", "First planned go live"],
    "overruns": ["Planned (first plan for go live)", "Actual (or current plan)"],
    "risks": ["Go-live date"],
    "go_lives": ["Go-live date", "First planned go live"],
}


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    return demo_inputs(tmp_path_factory)


@pytest.fixture(scope="module")
def exported(region):
    return {
        name: export_table(name, region.migrations, region.phases, region.history, region.as_at)
        for name in TABLES
    }


@pytest.mark.parametrize("name", list(TABLES))
def test_tables_have_people_columns_and_real_dates(exported, name):
    frame = exported[name]
    assert list(frame.columns) == COLUMNS[name]
    assert len(frame) > 0
    for column in DATES[name]:
        assert pd.api.types.is_datetime64_any_dtype(frame[column]), column
        assert (frame[column].dropna() == frame[column].dropna().dt.normalize()).all()


def test_go_lives_are_in_date_order_without_cancelled(exported, region):
    frame = exported["go_lives"]
    assert frame["Go-live date"].is_monotonic_increasing
    assert "Cancelled" not in set(frame["Status"])
    assert set(frame["Actual or planned"]) == {"Actual", "Planned"}
    christmas = frame[frame["Go-live date"] == pd.Timestamp("2026-12-29")]
    assert christmas["Busy period"].str.contains("Christmas").all()


def test_unknown_table_is_refused(region):
    with pytest.raises(ValueError, match="migrations, overruns, risks, go_lives"):
        export_table("nope", region.migrations, region.phases, region.history, region.as_at)


def test_xlsx_has_the_table_then_definitions_with_the_as_at_date(exported):
    data = table_xlsx(exported["overruns"], "overruns", AS_AT, source="Source: regiondash — x")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Overrunning migrations", "Definitions"]
    table = book["Overrunning migrations"]
    assert [c.value for c in table[1]] == COLUMNS["overruns"]
    assert table.max_row == len(exported["overruns"]) + 1
    planned = table.cell(2, COLUMNS["overruns"].index("Planned (first plan for go live)") + 1)
    assert planned.is_date and planned.number_format == "dd/mm/yyyy"
    days = table.cell(2, COLUMNS["overruns"].index("Days over") + 1)
    assert days.data_type == "n"
    notes = {row[0].value: row[1] for row in book["Definitions"].iter_rows(min_row=2)}
    assert notes["Table"].value == "Overrunning migrations"
    assert notes["Data as at"].value == dt.datetime(2026, 11, 20) and notes["Data as at"].is_date
    assert notes["Source"].value == "Source: regiondash — x"
    for term, _ in TERMS:
        assert "**" not in notes[term].value
    assert table.page_setup.orientation == "landscape"


def test_file_names_say_what_scope_and_when():
    assert export_file_name("go_lives", "ICB QJK – Devon", AS_AT, "xlsx") == (
        "go-lives-icb-qjk-devon-2026-11-20.xlsx"
    )


# Text openpyxl can hold at all: no surrogates and none of the control characters it refuses.
cell_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1).filter(
        lambda text: not ILLEGAL_CHARACTERS_RE.search(text)
    ),
)


def frame_of(texts: list[str]) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame(
        {
            "Practice": texts,
            "Days over": [(-1) ** i * i for i in range(n)],
            "Share": [i / 4 for i in range(n)],
            "Go-live date": pd.date_range("2026-11-23", periods=n, freq="D"),
        }
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(cell_text, min_size=1, max_size=5))
def test_xlsx_never_holds_a_formula_and_keeps_the_text(texts):
    frame = frame_of(texts)
    # the default load (not data_only), so a stored formula would come back as a formula
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(frame, "migrations", AS_AT)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    rows = list(book["Migrations"].iter_rows(min_row=2))
    line_feeds = [t.replace("\r\n", "\n").replace("\r", "\n") for t in texts]
    assert [r[0].value for r in rows] == line_feeds
    assert [r[1].value for r in rows] == list(frame["Days over"])
    assert all(r[1].data_type == "n" and r[2].data_type == "n" for r in rows)
    assert [r[3].value for r in rows] == list(frame["Go-live date"].dt.to_pydatetime())
    assert all(r[3].is_date for r in rows)


@settings(max_examples=40, deadline=None)
@given(st.lists(cell_text, min_size=1, max_size=5))
def test_csv_never_starts_a_cell_with_a_trigger_and_keeps_the_text(texts):
    frame = frame_of(texts)
    data = table_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(frame.columns)
    for text, row in zip(texts, rows[1:], strict=True):
        assert not row[0].startswith(FORMULA_TRIGGERS)
        assert row[0] == ("'" + text if text.startswith(FORMULA_TRIGGERS) else text)
    assert [int(r[1]) for r in rows[1:]] == list(frame["Days over"])  # "-2" stays a number
    assert [r[3] for r in rows[1:]] == list(frame["Go-live date"].dt.strftime("%Y-%m-%d"))


@pytest.mark.slow
def test_libreoffice_opens_the_workbook(exported, tmp_path):
    frame = exported["go_lives"].head(3)
    path = tmp_path / "go-lives.xlsx"
    path.write_bytes(table_xlsx(frame, "go_lives", AS_AT))
    converted = convert_to_pdf(path, "xlsx", tmp_path)
    reader = pypdf.PdfReader(converted)
    # one page for the table, two for the definitions: landscape, one page wide
    assert len(reader.pages) == 3
    assert frame["ODS code"].iloc[0] in reader.pages[0].extract_text()
    assert "Data as at" in reader.pages[1].extract_text()
