"""read_spreadsheet: CSV decoding in process, xlsx in a limited child with an openpyxl fallback."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl.xml
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from regiondash.ingest import child, parse_tracker, worker
from regiondash.ingest.errors import UnreadableFile
from regiondash.ingest.worker import (
    DEFAULT_LIMITS,
    Limits,
    decode_csv_bytes,
    read_csv,
    read_spreadsheet,
    run_child,
)
from tests.ingest.test_hostile_files import load_generator

gen = load_generator()
D = dt.date


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> bytes:
    """A 6,200-row x 40-column tracker with shared strings, dates, numbers and blanks."""
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    return gen.make_big_tracker(path, n_rows=6200, n_cols=40).read_bytes()


@pytest.fixture
def fault(monkeypatch):
    """Set the child fault injection for one test."""
    return lambda value: monkeypatch.setattr(worker, "_FAULT", value)


def make(tmp_path, maker, name="book.xlsx") -> bytes:
    return maker(tmp_path / name).read_bytes()


def refused(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        read_spreadsheet(data, name, limits)
    err = caught.value
    assert err.message.startswith(name + " ")
    assert "Traceback" not in err.message
    return err


# ---------------------------------------------------------------------------------- CSV


def test_cp1252_and_bom_csv_decode_exactly():
    text = gen.tracker_csv_text()
    for encoding, expected in (
        ("cp1252", "cp1252"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-8", "utf-8"),
    ):
        grid = read_spreadsheet(text.encode(encoding), "Tracker March.csv")
        assert (grid.file_kind, grid.encoding, grid.reader) == ("csv", expected, "csv")
        assert grid.date1904 is False
        [sheet] = grid.sheets
        assert (sheet.name, sheet.visible) == ("Tracker March", True)
        assert sheet.rows == [
            ["Practice Code", "Practice Name", "Go Live Date"],
            ["A81001", "St Mary’s Surgery – Annexe", "02/03/2026"],
            ["A81002", "Café Lane Medical Centre", "16/03/2026"],
            ["A81003", "The £1 Practice", "TBC"],
        ]
        assert sheet.row_numbers == [1, 2, 3, 4]


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_bytes_undefined_in_cp1252_are_refused_never_latin1(byte):
    err = refused(b"Practice Code,Name\r\nA81001,Caf" + bytes([byte]) + b"\r\n", "t.csv")
    assert err.reason == "text_encoding"
    assert "CSV UTF-8 (Comma delimited)" in err.message


def test_bom_with_invalid_utf8_is_refused():
    assert refused(b"\xef\xbb\xbfCode\n\xe9\n", "t.csv").reason == "text_encoding"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"])))
def test_utf8_text_round_trips(text):
    # Plain UTF-8 that itself starts with U+FEFF is indistinguishable from a BOM.
    if not text.startswith("\ufeff"):
        assert decode_csv_bytes(text.encode("utf-8"), "t.csv") == (text, "utf-8")
    assert decode_csv_bytes(text.encode("utf-8-sig"), "t.csv") == (text, "utf-8-sig")


FIELD = st.text(
    # The other separators are left out: a field of them would rightly make one the delimiter.
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\t;|"),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(FIELD, max_size=5), min_size=1, max_size=8),
    dialect=st.sampled_from(
        [("\r\n", csv.QUOTE_MINIMAL), ("\r\n", csv.QUOTE_ALL), ("\n", csv.QUOTE_ALL)]
    ),
    bom=st.booleans(),
)
def test_csv_records_and_line_numbers_round_trip(rows, dialect, bom):
    # csv.writer leaves a lone CR unquoted when the terminator is "\n", so that pairing is
    # only used with QUOTE_ALL: Excel always writes CRLF.
    newline, quoting = dialect
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=newline, quoting=quoting).writerows(rows)
    text = buffer.getvalue()
    assume(not text.startswith("\ufeff"))
    expected_rows = []
    for row in rows:
        cleaned = [None if v == "" else v for v in row]
        while cleaned and cleaned[-1] is None:
            cleaned.pop()
        expected_rows.append(cleaned)
    assume(any(expected_rows))
    data = text.encode("utf-8-sig" if bom else "utf-8")
    # The child's own splitting, in process: read_csv runs it in a child (tested below).
    ((_name, _visible, got_rows, got_numbers),), _ = worker._split_csv(
        data, "t.csv", DEFAULT_LIMITS
    )
    assert got_rows == expected_rows
    # Each record starts one line after the line breaks (quoted ones included) before it.
    expected_numbers, line = [], 1
    for row in rows:
        expected_numbers.append(line)
        one = io.StringIO(newline="")
        csv.writer(one, lineterminator=newline, quoting=quoting).writerow(row)
        line += len(re.findall(r"\r\n|\r|\n", one.getvalue()))
    assert got_numbers == expected_numbers


def test_multiline_quoted_fields_and_blank_lines_keep_true_line_numbers():
    text = 'Code,Notes\r\nA81001,"line one\r\nline two\r\nline three"\r\n\r\nA81002,,\r\n'
    sheet = read_csv(text.encode(), "t.csv").sheets[0]
    assert sheet.rows == [
        ["Code", "Notes"],
        ["A81001", "line one\r\nline two\r\nline three"],
        [],
        ["A81002"],
    ]
    assert sheet.row_numbers == [1, 2, 5, 6]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Code\tName\tGo Live\nA81001\tSt Mary's, Annexe\t02/03/2026\n", "St Mary's, Annexe"),
        ("Code;Name;Go Live\nA81001;Café, Annexe;02/03/2026\n", "Café, Annexe"),
        ("Code|Name|Go Live\nA81001|Café, Annexe|02/03/2026\n", "Café, Annexe"),
        # a title line with a comma: the semicolons of the lines below win
        ("Migrations, South West;;\nCode;Name;Go Live\nA81001;B;02/03/2026\n", "B"),
        ('"Code;x",Name,Go Live\nA81001,"B;C;D",02/03/2026\n', "B;C;D"),  # quoted: not counted
        ("Code,Name,Go Live\nA81001,B;C,02/03/2026\n", "B;C"),  # commas the commonest
        ("Code\tName;x\nA81001\tB;C\n", None),  # tab and semicolon as common: comma
    ],
)
def test_delimiter_detection(text, expected):
    rows = read_csv(text.encode(), "t.csv").sheets[0].rows
    if expected is None:
        assert rows[1] == ["A81001\tB;C"]
    else:
        assert rows[-1][1] == expected
        assert rows[-1][0] == "A81001"


def test_csv_limits_and_malformed():
    text = "".join(f"A8{i:04d},x\n" for i in range(10)).encode()
    err = refused(text, "t.csv", Limits(max_sheet_rows=5))
    assert err.reason == "sheet_too_large"
    assert "sheet 't'" in err.message
    assert refused(b"a,b,c\n", "t.csv", Limits(max_sheet_columns=2)).reason == "sheet_too_large"
    err = refused(b"Code,Notes\nA81001," + b"x" * 200_000 + b"\n", "t.csv")
    assert (err.reason, "line 2" in err.message) == ("corrupt", True)
    assert refused(b"\xef\xbb\xbf", "t.csv").reason == "empty"
    assert refused(b"\r\n\r\n,,\r\n", "t.csv").reason == "empty"


# ---------------------------------------------------------------------------------- xlsx


HEADER = ["Practice Code", "Go Live", "Booked At", "Call Time", "Duration", "Count", "Ratio", "OK"]
BOOKED = dt.datetime(2026, 3, 2, 9, 30)


def rich_rows():
    return [
        HEADER,
        ["A81001", D(2026, 3, 2), BOOKED, dt.time(9, 30), dt.timedelta(hours=30), 3, 0.25, True],
        [],
        ["A81002", D(2026, 3, 16), None, None, None, 0, -1.5, False],
        ["A81003", "TBC", None, None, None, None, None, None, "note past the header"],
    ]


# Column A padded in, times and durations as text, numbers as float, blanks as None.
RICH_EXPECTED = [
    [None, *HEADER],
    [None, "A81001", D(2026, 3, 2), BOOKED, "09:30:00", "30:00:00", 3.0, 0.25, True],
    [],
    [None, "A81002", D(2026, 3, 16), None, None, None, 0.0, -1.5, False],
    [None, "A81003", "TBC", None, None, None, None, None, None, "note past the header"],
]


def rich_workbook(path):
    hidden = gen.Sheet("Lists", gen.sheet_xml([["EMIS"], ["TPP"]]), state="hidden")
    tracker = gen.Sheet("Tracker", gen.sheet_xml(rich_rows(), origin=(3, 2)))
    return gen.write_package(path, gen.Package(sheets=[hidden, tracker]))


def test_calamine_reads_values_types_and_positions(tmp_path):
    grid = read_spreadsheet(make(tmp_path, rich_workbook), "rich.xlsx")
    assert (grid.file_kind, grid.reader, grid.encoding, grid.date1904) == (
        "xlsx",
        "calamine",
        None,
        False,
    )
    lists, tracker = grid.sheets
    assert (lists.name, lists.visible, lists.rows, lists.row_numbers) == (
        "Lists",
        False,
        [["EMIS"], ["TPP"]],
        [1, 2],
    )
    assert (tracker.name, tracker.visible) == ("Tracker", True)
    assert tracker.rows == RICH_EXPECTED
    assert tracker.row_numbers == [3, 4, 5, 6, 7]
    assert type(tracker.rows[1][2]) is dt.date
    assert type(tracker.rows[1][3]) is dt.datetime


def test_openpyxl_fallback_returns_the_same_grid(tmp_path, fault):
    data = make(tmp_path, rich_workbook)
    first = read_spreadsheet(data, "rich.xlsx")
    fault("abort:calamine")  # the calamine child dies by SIGABRT, as a native crash would
    second = read_spreadsheet(data, "rich.xlsx")
    assert (first.reader, second.reader) == ("calamine", "openpyxl")
    assert second.sheets == first.sheets


@pytest.mark.parametrize("how", ["raise", "exit", "abort"])
def test_any_calamine_failure_falls_back_once(tmp_path, fault, how):
    fault(f"{how}:calamine")
    grid = read_spreadsheet(make(tmp_path, gen.make_data_from_c5), "c5.xlsx")
    assert grid.reader == "openpyxl"
    assert grid.sheets[0].row_numbers == [5, 6, 7, 8]


def test_both_readers_failing(tmp_path, fault):
    data = make(tmp_path, gen.simple_xlsx)
    fault("abort:any")
    err = refused(data, "t.xlsx")
    assert err.reason == "reader_crashed"
    assert "support team" in err.message
    fault("raise:any")
    err = refused(data, "t.xlsx")
    assert err.reason == "corrupt"
    assert "Excel Workbook (*.xlsx)" in err.message
    assert "injected" not in err.message and "RuntimeError" not in err.message


def test_data_from_c5(tmp_path):
    sheet = read_spreadsheet(make(tmp_path, gen.make_data_from_c5), "c5.xlsx").sheets[0]
    assert sheet.row_numbers == [5, 6, 7, 8]
    assert sheet.rows[0] == [
        None,
        None,
        "Practice Code",
        "Practice Name",
        "Go Live Date",
        "Current System",
        "Notes",
    ]
    assert sheet.rows[1] == [None, None, "A81001", "Practice 1", D(2026, 3, 2), "EMIS Web"]


def test_formula_cells_give_cached_values(tmp_path):
    for reader_fault in (None, "abort:calamine"):
        worker._FAULT = reader_fault
        try:
            grid = read_spreadsheet(make(tmp_path, gen.make_formula_cells), "f.xlsx")
        finally:
            worker._FAULT = None
        assert grid.sheets[0].rows == [
            ["Practice Code", "Go Live Date", "Days To Go", "Status"],
            ["A81001", D(2026, 3, 2), 45.0, "Planned"],
            ["A81002", D(2026, 3, 16), 59.0, "Live"],
            ["A81003", None, None, "Planned"],  # never calculated: no cached value
        ]


def test_formula_errors_read_the_same_whichever_reader_ran(tmp_path, fault, reference):
    """calamine reads an error cell as blank; the sheet XML gives its code back, so both
    readers yield the error text and the checks report each cell the same way."""
    data = make(tmp_path, gen.make_error_cells)
    results = {}
    for reader_fault in (None, "abort:calamine"):
        fault(reader_fault)
        parsed = parse_tracker(data, "errors.xlsx", reference, default_as_at=D(2026, 1, 5))
        results[parsed.workbook.reader] = parsed
    calamine, openpyxl = results["calamine"], results["openpyxl"]
    assert calamine.workbook.sheets == openpyxl.workbook.sheets
    assert calamine.problems == openpyxl.problems
    errors = [(p.row, p.column, p.value, p.message) for p in calamine.errors]
    dates = [
        (
            row,
            "Go Live Date",
            code,
            f"the cell holds the spreadsheet error {code} — fix the formula or type the date",
        )
        for row, code in enumerate(gen.SPREADSHEET_ERROR_CODES, start=2)
    ]
    value = "— fix the formula or type the value"
    assert errors == [
        *dates,
        (9, "Practice Code", "#N/A", f"the cell holds the spreadsheet error #N/A {value}"),
        (10, "Target System", "#REF!", f"the cell holds the spreadsheet error #REF! {value}"),
    ]
    assert calamine.warnings == []
    assert list(calamine.rows.migrations["ods_code"]) == ["A81012"]
    # the same cells saved by LibreOffice as .ods (two blank rows after the header)
    fault(None)
    ods = parse_tracker(
        make(tmp_path, gen.make_error_cells_ods, "errors.ods"),
        "errors.ods",
        reference,
        default_as_at=D(2026, 1, 5),
    )
    assert [(p.row - 2, p.column, p.value, p.message) for p in ods.errors] == errors


def test_hidden_and_1904(tmp_path):
    grid = read_spreadsheet(make(tmp_path, gen.make_hidden_sheets), "h.xlsx")
    assert [(s.name, s.visible) for s in grid.sheets] == [
        ("Lookups", False),
        ("Config", False),
        ("Tracker", True),
    ]
    grid = read_spreadsheet(make(tmp_path, gen.make_date1904), "d.xlsx")
    assert grid.date1904 is True
    # The serials were written in the 1904 system; the reader must still land on 2 March 2026.
    assert grid.sheets[0].rows[1][2] == D(2026, 3, 2)


def test_sparse_sheet_memory_failure_is_retried_and_explained(tmp_path):
    err = refused(make(tmp_path, gen.make_sparse_corners), "sparse.xlsx")
    assert err.reason == "sheet_too_large"


def test_child_imports_only_light_modules(tmp_path):
    data = make(tmp_path, gen.simple_xlsx)
    deadline = time.monotonic() + 60
    for reader in ("calamine", "openpyxl"):
        attempt = run_child(data, reader, DEFAULT_LIMITS, deadline)
        assert attempt.status == "ok"
        assert attempt.result["heavy_modules"] == []
        assert attempt.result["sheets"][0][0] == "Tracker"


def test_openpyxl_uses_defusedxml_and_refuses_entities_even_past_the_sniffer(tmp_path):
    assert openpyxl.xml.DEFUSEDXML is True
    deadline = time.monotonic() + 60
    for maker in (gen.make_billion_laughs, gen.make_external_entity):
        data = make(tmp_path, maker)
        # Straight to the readers, skipping the sniffer's DOCTYPE check.
        assert run_child(data, "openpyxl", DEFAULT_LIMITS, deadline).status == "xml_entities"
        calamine = run_child(data, "calamine", DEFAULT_LIMITS, deadline)
        # calamine (quick-xml) has no DTD support: it fails on the unknown entity instead of
        # expanding it or fetching /etc/passwd.
        assert calamine.status == "error"
        assert "lollol" not in calamine.result["detail"]
        assert "root:" not in calamine.result["detail"]


def test_timeout_kills_the_child(big):
    started = time.monotonic()
    err = refused(big, "big.xlsx", Limits(worker_seconds=0.05))
    assert err.reason == "timeout"
    assert "took longer than 0.05 seconds" in err.message
    assert time.monotonic() - started < 30  # killed, not left to finish


def test_memory_limit(big):
    err = refused(big, "big.xlsx", Limits(worker_memory_bytes=32 * 2**20))
    assert err.reason == "memory"
    assert "32.0 MB of memory" in err.message
    assert "only the tracker sheet" in err.message


def test_actual_extent_is_enforced_in_the_child(big):
    limits = Limits(max_sheet_rows=7000, max_sheet_cells=100_000)
    deadline = time.monotonic() + 60
    attempt = run_child(big, "calamine", limits, deadline)
    assert (attempt.status, attempt.result["rows"], attempt.result["columns"]) == (
        "sheet_too_large",
        6201,
        40,
    )


def test_big_workbook_reads_whole_with_calamine(big):
    # How fast is measured by bench/bench_import.py, not here.
    grid = read_spreadsheet(big, "big.xlsx")
    sheet = grid.sheets[0]
    assert grid.reader == "calamine"
    assert len(sheet.rows) == 6201
    assert sheet.row_numbers == list(range(1, 6202))
    assert max(len(r) for r in sheet.rows) == 40
    assert isinstance(sheet.rows[1][2], dt.date)


def test_result_unpickler_refuses_code():
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    payload = pickle.dumps({"status": "ok", "sheets": [Evil()]})
    assert child.read_reply(payload) is None
    assert child.read_reply(b"not a pickle") is None
    dates = pickle.dumps({"status": "ok", "sheets": [("S", True, [[D(2026, 1, 1)]], [1])]})
    assert child.read_reply(dates)["sheets"][0][2] == [[D(2026, 1, 1)]]
    died = worker._classify("calamine", child.ChildRun("died", None, 0, b"", 0.1))
    assert died.status == "crashed"


def _died(code: int, err: bytes = b"") -> child.ChildRun:
    return child.ChildRun("died", None, code, err, 1.0)


def test_exit_classification():
    rust_oom = b"memory allocation of 549755813888 bytes failed\n"
    assert worker._classify("calamine", _died(-signal.SIGABRT, rust_oom)).status == "memory"
    assert worker._classify("calamine", _died(-signal.SIGSEGV)).status == "crashed"
    assert worker._classify("calamine", _died(-signal.SIGKILL)).status == "memory"
    assert worker._classify("openpyxl", _died(1, b"MemoryError\n")).status == "memory"


# ---------------------------------------------------------------------------- xls, xlsb, ods


def test_other_formats_read_in_the_same_limited_child(tmp_path):
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
    deadline = time.monotonic() + 60
    for kind in ("xls", "ods"):
        data = (fixtures / f"tracker.{kind}").read_bytes()
        attempt = run_child(data, "calamine", DEFAULT_LIMITS, deadline, kind)
        assert attempt.status == "ok"
        assert attempt.result["heavy_modules"] == []
        # The same time and extent limits apply.
        err = refused(data, f"t.{kind}", Limits(worker_seconds=0.001))
        assert err.reason == "timeout"
        err = refused(data, f"t.{kind}", Limits(max_sheet_rows=3))
        assert err.reason == "sheet_too_large"
    xlsb = gen.make_xlsb_tracker(tmp_path / "t.xlsb").read_bytes()
    grid = read_spreadsheet(xlsb, "t.xlsb")
    assert (grid.file_kind, grid.reader) == ("xlsb", "calamine")
    assert [(s.name, s.visible) for s in grid.sheets] == [("Tracker", True), ("Lookups", False)]


def test_ods_long_durations_and_xls_whole_numbers_match_xlsx():
    assert worker._ods_text("PT30H00M00S") == "30:00:00"
    assert worker._ods_text("-PT01H30M00S") == "-1:30:00"
    assert worker._ods_text("PT text") == "PT text"


# ---------------------------------------------------------------------------- bounded text


def test_bound_text_cuts_long_cells_lists_them_and_shares_equal_texts():
    limits = Limits(max_cell_chars=5, max_text_chars=100)
    rows = [["code", "abcdefgh", 1.0], ["code", "xy", None, "abcdefgh"]]
    (sheet,), total = worker.bound_text([("S", True, rows, [1, 2])], limits)
    name, visible, cut_rows, numbers, levels, indents, cut = sheet
    assert cut_rows == [["code", "abcde", 1.0], ["code", "xy", None, "abcde"]]
    assert cut == [(0, 1, 8), (1, 3, 8)]
    assert total == 4 + 5 + 4 + 2 + 5
    assert cut_rows[0][0] is cut_rows[1][0]  # one object, pickled once
    assert (name, visible, numbers, levels, indents) == ("S", True, [1, 2], None, None)


def test_bound_text_refuses_more_text_than_an_upload_holds_naming_the_column():
    limits = Limits(max_cell_chars=10, max_text_chars=50)
    rows = [["Code", "Notes"], *([f"A8100{i}", "n" * 40] for i in range(4))]
    with pytest.raises(worker._TooMuchText) as caught:
        worker.bound_text([("Tracker", True, rows, [1, 2, 3, 4, 5])], limits)
    # Counted over every cell as cut: 4 + 5 header, 4 x (6 + 10).
    assert caught.value.info == {
        "status": "too_much_text",
        "chars": 73,
        "sheet": "Tracker",
        "column": "B",
        "cells": 5,
        "longest": 40,
    }


def test_a_reply_over_the_limit_is_refused_in_the_child(tmp_path):
    data = make(tmp_path, gen.simple_xlsx)
    err = refused(data, "t.xlsx", Limits(max_reply_bytes=200))
    assert err.reason == "reply_too_large"
    assert err.message.startswith("t.xlsx holds more than the 1 KB of cell data one upload may")


def test_the_server_stops_reading_a_child_past_the_reply_limit():
    # A child that ignores the limit (a reader bug, or worse) is killed once it passes it.
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'x' * 50_000_000)"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    running = child.RunningChild("test", proc, time.monotonic(), 60, 100_000)
    running.begin(b"")
    run = running.finish()
    assert run.status == "reply_too_large"
    assert 100_000 < len(running.out) <= 100_000 + 2**16


def test_csv_is_split_in_the_limited_child(monkeypatch):
    monkeypatch.setattr(worker, "_FAULT", "raise:csv")
    err = refused(b"Practice Code,Go Live\nA81001,02/03/2026\n", "t.csv")
    assert err.reason == "reader_crashed"
    assert "CSV reader stop unexpectedly" in err.message
