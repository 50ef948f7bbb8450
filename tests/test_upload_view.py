"""The upload page's tables: column mapping round trip, counts, the report and upload history."""

import datetime as dt

import pandas as pd
import pytest

from regiondash import upload_view
from regiondash.ingest import parse_tracker
from regiondash.reference import load_reference
from regiondash.upload_view import FIELD_CHOICES, NOT_USED

TINY = (
    b"Practice Code,Surgery ID,New supplier,Go Live Date,Favourite colour\r\n"
    b"A81001,1,EMIS Web,16/03/2026,blue\r\n"
    b"Z99999,2,EMIS Web,30/03/2026,red\r\n"  # not in the practice mapping: a warning
    b"A81002,3,Vision,31/02/2026,green\r\n"  # no such date: an error
    b"B1,4,EMIS Web,,\r\n"  # not an ODS code: an error
)


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.fixture(scope="module")
def parsed(reference):
    return parse_tracker(TINY, "tiny.csv", reference)


def test_mapping_table_lists_every_header_with_its_field(parsed):
    assert upload_view.mapping_table(parsed).to_dict("records") == [
        {"Column in your file": "Practice Code", "Maps to": "ODS code [ods_code]"},
        {"Column in your file": "Surgery ID", "Maps to": NOT_USED},
        {"Column in your file": "New supplier", "Maps to": "Target system [target_system]"},
        {"Column in your file": "Go Live Date", "Maps to": "Go live (planned) [go_live_planned]"},
        {"Column in your file": "Favourite colour", "Maps to": NOT_USED},
    ]


def test_mapping_from_table_reads_the_table_back(parsed):
    assert upload_view.mapping_from_table(upload_view.mapping_table(parsed)) == {
        "Practice Code": "ods_code",
        "Surgery ID": "ignore",
        "New supplier": "target_system",
        "Go Live Date": "go_live_planned",
        "Favourite colour": "ignore",
    }


def test_a_hand_edited_mapping_round_trips_through_parse_tracker(parsed, reference):
    table = upload_view.mapping_table(parsed)
    table.loc[table["Column in your file"] == "Favourite colour", "Maps to"] = "CSU [csu]"
    table.loc[table["Column in your file"] == "Go Live Date", "Maps to"] = NOT_USED
    mapping = upload_view.mapping_from_table(table)
    assert mapping["Favourite colour"] == "csu"
    assert mapping["Go Live Date"] == "ignore"
    again = parse_tracker(TINY, "tiny.csv", reference, mapping=mapping)
    assert upload_view.mapping_table(again).equals(table)
    assert upload_view.mapping_from_table(upload_view.mapping_table(again)) == mapping
    # with Go Live Date unused, A81002's impossible date is no longer an error
    assert sorted(again.rows.migrations["csu"].dropna()) == ["blue", "green", "red"]
    assert upload_view.counts(again)["errors"] == 1


def test_mapping_from_table_treats_blank_and_unknown_choices_as_unused():
    table = pd.DataFrame(
        {
            "Column in your file": ["A", "B", "C", "D"],
            "Maps to": ["ODS code [ods_code]", None, "", "Not a field [nope]"],
        }
    )
    assert upload_view.mapping_from_table(table) == {
        "A": "ods_code",
        "B": "ignore",
        "C": "ignore",
        "D": "ignore",
    }


def test_field_choices_name_every_field_once():
    assert FIELD_CHOICES[0] == NOT_USED
    assert len(FIELD_CHOICES) == len(set(FIELD_CHOICES))
    assert "Go live (actual) [go_live_actual]" in FIELD_CHOICES


def test_without_a_header_every_first_row_cell_is_offered_unused(reference):
    data = b"Surgery,When live,Moving to\r\nA81001,16/03/2026,EMIS Web\r\n"
    unmatched = parse_tracker(data, "odd.csv", reference)
    assert unmatched.match is None
    table = upload_view.mapping_table(unmatched)
    assert table.to_dict("records") == [
        {"Column in your file": "Surgery", "Maps to": NOT_USED},
        {"Column in your file": "When live", "Maps to": NOT_USED},
        {"Column in your file": "Moving to", "Maps to": NOT_USED},
    ]
    assert upload_view.counts(unmatched) == {
        "rows_read": 0,
        "valid": 0,
        "set_aside": 0,
        "errors": 1,
        "warnings": 0,
    }
    table["Maps to"] = [
        "ODS code [ods_code]",
        "Go live (planned) [go_live_planned]",
        "Target system [target_system]",
    ]
    mapped = parse_tracker(
        data, "odd.csv", reference, mapping=upload_view.mapping_from_table(table)
    )
    assert mapped.match is not None
    assert upload_view.mapping_table(mapped)["Maps to"].tolist() == table["Maps to"].tolist()
    assert upload_view.counts(mapped) == {
        "rows_read": 1,
        "valid": 1,
        "set_aside": 0,
        "errors": 0,
        "warnings": 0,
    }


def test_counts(parsed):
    assert upload_view.counts(parsed) == {
        "rows_read": 4,
        "valid": 2,
        "set_aside": 2,
        "errors": 2,
        "warnings": 1,
    }


def test_report_table_from_a_parsed_tracker_puts_errors_first(parsed):
    report = upload_view.report_table(parsed.problems_frame())
    assert list(report.columns) == ["Severity", "Sheet", "Row", "Column", "Value", "Problem"]
    assert [tuple(r) for r in report[["Severity", "Row", "Column", "Value"]].to_numpy()] == [
        ("error", 4, "Go Live Date", "31/02/2026"),
        ("error", 5, "Practice Code", "B1"),
        ("warning", 3, "Practice Code", "Z99999"),
    ]


def test_report_table_order():
    problems = pd.DataFrame(
        {
            "severity": ["warning", "error", "warning", "error", "error", "warning"],
            "sheet": ["Tracker", "Tracker", "Tracker", "Extra", "Tracker", "Tracker"],
            "row": pd.array([9, 12, None, 3, 4, 2], dtype="Int64"),
            "column": ["CSU", "ODS", None, "ODS", "Go live", "CSU"],
            "value": ["x", "B1", None, "C1", "TBD", "y"],
            "message": ["w9", "e12", "no CSU column", "e-extra", "e4", "w2"],
        }
    )
    report = upload_view.report_table(problems)
    assert list(report["Problem"]) == ["e-extra", "e4", "e12", "no CSU column", "w2", "w9"]
    assert list(report["Severity"]) == ["error"] * 3 + ["warning"] * 3


def uploads_frame():
    return pd.DataFrame(
        {
            "upload_id": [2, 1],
            "uploaded_at": pd.to_datetime(
                ["2026-03-02 09:30:00+00:00", "2026-02-02 16:05:00+00:00"]
            ),
            "uploaded_by": ["csu.lead@example.nhs.uk", "analyst@example.nhs.uk"],
            "file_name": ["march.xlsx", "february.csv"],
            "as_at": pd.to_datetime(["2026-03-02", "2026-02-01"]).astype("datetime64[us]"),
            "rows_read": [120, 98],
            "migrations": [118, 98],
            "rows_set_aside": [2, 0],
            "warnings": [5, 0],
            "status": ["stored_valid_rows", "stored"],
        }
    )


def test_history_table():
    table = upload_view.history_table(uploads_frame())
    table["As at"] = table["As at"].dt.date
    assert table.to_dict("records") == [
        {
            "Upload": 2,
            "Uploaded": "02/03/2026 09:30",
            "By": "csu.lead@example.nhs.uk",
            "File": "march.xlsx",
            "As at": dt.date(2026, 3, 2),
            "Rows read": 120,
            "Migrations": 118,
            "Set aside": 2,
            "Warnings": 5,
            "Status": "Stored (valid rows only)",
        },
        {
            "Upload": 1,
            "Uploaded": "02/02/2026 16:05",
            "By": "analyst@example.nhs.uk",
            "File": "february.csv",
            "As at": dt.date(2026, 2, 1),
            "Rows read": 98,
            "Migrations": 98,
            "Set aside": 0,
            "Warnings": 0,
            "Status": "Stored",
        },
    ]


def test_upload_label():
    label = upload_view.upload_label(uploads_frame())
    assert label(2) == "Upload 2 — march.xlsx, as at 02/03/2026"
    assert label(1) == "Upload 1 — february.csv, as at 01/02/2026"


def test_set_aside_table(parsed):
    table = upload_view.set_aside_table(parsed.rows.set_aside)
    assert list(table.columns[:3]) == ["Sheet", "Row", "Reasons"]
    assert list(table["Row"]) == [4, 5]
    assert list(table["Practice Code"]) == ["A81002", "B1"]
    assert table.loc[0, "Go Live Date"] == "31/02/2026"
    empty = upload_view.set_aside_table(parsed.rows.set_aside.iloc[0:0])
    assert list(empty.columns) == ["Sheet", "Row", "Reasons"] and empty.empty
