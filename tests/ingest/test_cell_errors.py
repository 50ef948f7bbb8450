"""Formula error cells in .xls and .xlsb read as their error text, like .xlsx and .ods."""

from __future__ import annotations

import datetime as dt
import os
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from regiondash.ingest import cell_errors, parse_tracker
from regiondash.ingest.cell_errors import ERROR_CODES, xls_error_cells, xlsb_error_cells
from regiondash.ingest.sniff import xlsb_records
from regiondash.ingest.worker import DEFAULT_LIMITS, read_spreadsheet, run_child
from tests.ingest.test_formats import soffice
from tests.ingest.test_hostile_files import load_generator

gen = load_generator()
D = dt.date
AS_AT = D(2026, 1, 5)
CODE_OF = {text: code for code, text in ERROR_CODES.items()}

# Formulas LibreOffice evaluates to each error, in gen.SPREADSHEET_ERROR_CODES order. (Some
# obvious ones, e.g. SQRT(-1), give LibreOffice's own Err:502, which no format can carry.)
FORMULAS = {
    "#DIV/0!": "=1/0",
    "#REF!": '=INDIRECT("ZZZ0")',
    "#N/A": "=NA()",
    "#VALUE!": '="a"+1',
    "#NAME?": "=NOSUCHFUNCTION()",
    "#NUM!": "=ACOS(2)",
    "#NULL!": "=#NULL!",
}
# gen.error_cell_rows(): (row, column), 0-based, of each error cell.
EXPECTED = {
    **{(row, 2): code for row, code in enumerate(gen.SPREADSHEET_ERROR_CODES, start=1)},
    (8, 0): "#N/A",
    (9, 1): "#REF!",
}


def expected_problems() -> list[tuple]:
    """The cell-level errors parse_tracker reports for gen.error_cell_rows()."""
    value = "— fix the formula or type the value"
    dates = [
        (
            row,
            "Go Live Date",
            code,
            f"the cell holds the spreadsheet error {code} — fix the formula or type the date",
        )
        for row, code in enumerate(gen.SPREADSHEET_ERROR_CODES, start=2)
    ]
    return [
        *dates,
        (9, "Practice Code", "#N/A", f"the cell holds the spreadsheet error #N/A {value}"),
        (10, "Target System", "#REF!", f"the cell holds the spreadsheet error #REF! {value}"),
    ]


def problems(data: bytes, name: str, reference) -> list[tuple]:
    """parse_tracker's errors as (row the user sees, column, value, message)."""
    parsed = parse_tracker(data, name, reference, default_as_at=AS_AT)
    return [(p.row, p.column, p.value, p.message) for p in parsed.errors]


def grid_view(grid) -> list[tuple]:
    return [(s.name, s.visible, s.rows, s.row_numbers) for s in grid.sheets]


# ---------------------------------------------------------------------------- .xlsb fixture

# rgce of =1/0: PtgInt 1, PtgInt 0, PtgDiv. calamine reads only the cached error byte.
_ONE_OVER_ZERO = b"\x1e\x01\x00\x1e\x00\x00\x06"


def error_record(column: int, code: str, formula: bool) -> bytes:
    """A BrtFmlaError (with its formula) or a BrtCellError (a typed error constant)."""
    cell = struct.pack("<IIB", column, 0, CODE_OF[code])
    if not formula:
        return gen.xlsb_record(0x0003, cell)
    parsed = struct.pack("<I", len(_ONE_OVER_ZERO)) + _ONE_OVER_ZERO + struct.pack("<I", 0)
    return gen.xlsb_record(0x000B, cell + struct.pack("<H", 0) + parsed)


def write_error_xlsb(path: Path, rows: list[list[object]]) -> Path:
    """gen.write_xlsb's workbook, with each gen.CellError cell written as an error record
    (formula errors, and constant errors in every other row) in column order."""
    plain = [[None if isinstance(v, gen.CellError) else v for v in row] for row in rows]
    gen.write_xlsb(path, [("Tracker", plain, 0)])
    errors = {
        r: [(c, v.code) for c, v in enumerate(row) if isinstance(v, gen.CellError)]
        for r, row in enumerate(rows)
    }
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    out, pending, row = bytearray(), [], -1

    def flush(before: int | None = None) -> None:
        while pending and (before is None or pending[0][0] < before):
            column, code = pending.pop(0)
            out.extend(error_record(column, code, formula=row % 2 == 1))

    for record, body in xlsb_records(parts["xl/worksheets/sheet1.bin"]):
        if record == 0x0000:  # BrtRowHdr
            flush()
            row = struct.unpack_from("<I", body)[0]
            out.extend(gen.xlsb_record(record, body))
            pending[:] = errors.get(row, [])
            continue
        if 0x0001 <= record <= 0x000B:  # a cell: the error cells go in column order
            flush(struct.unpack_from("<I", body)[0])
        elif record == 0x0092:  # BrtEndSheetData
            flush()
        out.extend(gen.xlsb_record(record, body))
    parts["xl/worksheets/sheet1.bin"] = bytes(out)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_hand_built_xlsb_is_a_workbook_calamine_reads(tmp_path):
    path = write_error_xlsb(tmp_path / "errors.xlsb", gen.error_cell_rows())
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Tracker").to_python()
    assert rows[0] == ["Practice Code", "Target System", "Go Live Date", "Status"]
    assert rows[1] == ["A81001", "EMIS Web", "", "Planned"]  # calamine: the error as blank
    assert rows[10] == ["A81012", "EMIS Web", D(2026, 3, 9), "Planned"]


def test_xlsb_error_cells_finds_each_error_and_its_code(tmp_path):
    data = write_error_xlsb(tmp_path / "errors.xlsb", gen.error_cell_rows()).read_bytes()
    assert xlsb_error_cells(data) == {"Tracker": EXPECTED}


def test_xlsb_reads_like_the_xlsx_excel_saves(tmp_path, reference):
    xlsx = gen.make_error_cells(tmp_path / "errors.xlsx").read_bytes()
    xlsb = write_error_xlsb(tmp_path / "errors.xlsb", gen.error_cell_rows()).read_bytes()
    grid = read_spreadsheet(xlsb, "errors.xlsb")
    assert (grid.file_kind, grid.reader) == ("xlsb", "calamine")
    assert grid_view(grid) == grid_view(read_spreadsheet(xlsx, "errors.xlsx"))
    assert grid.sheets[0].rows[1] == ["A81001", "EMIS Web", "#DIV/0!", "Planned"]
    assert grid.sheets[0].rows[9] == ["A81011", "#REF!", D(2026, 3, 2), "Planned"]
    expected = expected_problems()
    assert problems(xlsb, "errors.xlsb", reference) == expected
    assert problems(xlsx, "errors.xlsx", reference) == expected


# ------------------------------------------------------------------------- .xls by LibreOffice


@pytest.fixture(scope="module")
def office_saved(tmp_path_factory) -> dict[str, bytes]:
    """gen.error_cell_rows() with real formulas, calculated and saved by LibreOffice Calc as
    .xlsx, .xls and .ods."""
    program = soffice()
    tmp = tmp_path_factory.mktemp("office")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracker"
    for row in gen.error_cell_rows():
        ws.append([FORMULAS[v.code] if isinstance(v, gen.CellError) else v for v in row])
    # a second sheet: a formula error in B1, a typed #N/A (no formula) in C1
    wb.create_sheet("Notes").append(["see", "=1/0", "#N/A"])
    source = tmp / "source" / "errors.xlsx"
    source.parent.mkdir()
    wb.save(source)
    home = tmp / "home"
    home.mkdir()
    saved = {}
    for kind in ("xlsx", "xls", "ods"):
        outdir = tmp / kind
        # a profile of its own, so parallel test processes never share LibreOffice's lock
        command = [program, "--headless", "--norestore", f"-env:UserInstallation={home.as_uri()}"]
        command += ["--convert-to", kind, "--outdir", str(outdir), str(source)]
        result = subprocess.run(
            command,
            env={**os.environ, "HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        path = outdir / f"errors.{kind}"
        assert path.exists(), result.stderr
        saved[kind] = path.read_bytes()
    return saved


@pytest.mark.slow
def test_xls_error_cells_finds_each_formula_error(office_saved):
    assert xls_error_cells(office_saved["xls"]) == {
        "Tracker": EXPECTED,
        "Notes": {(0, 1): "#DIV/0!", (0, 2): "#N/A"},
    }


def test_xls_without_errors_gives_none():
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "tracker.xls"
    assert xls_error_cells(fixture.read_bytes()) == {}
    assert xlsb_error_cells(fixture.read_bytes()) == {}  # not a zip


def biff_cell(record: int, row: int, column: int, body: bytes) -> bytes:
    """A BIFF8 cell record: row, column, XF index 0, then the body."""
    return gen.biff_record(record, struct.pack("<HHH", row, column, 0) + body)


def biff_workbook(sheets: list[tuple[str, bytes]], names: list[str] | None = None) -> bytes:
    """An OLE2 .xls whose Workbook stream holds globals, then each (name, cell records)
    sheet substream, each BOUNDSHEET pointing at its sheet's BOF; names, when given, are
    listed instead, all pointing at the first sheet's."""
    listed = [(name, 0) for name in names] if names else [(n, i) for i, (n, _) in enumerate(sheets)]

    def globals_(offsets: list[int]) -> bytes:
        return gen.xls_globals(
            *(
                gen.biff_record(
                    0x0085,
                    struct.pack("<IBBBB", offsets[i], 0, 0, len(name), 1)
                    + name.encode("utf-16-le"),
                )
                for name, i in listed
            )
        )

    substreams = [
        gen.biff_record(0x0809, gen.BIFF_BOF) + cells + gen.biff_record(0x000A)
        for _name, cells in sheets
    ]
    at = len(globals_([0] * len(sheets)))
    offsets = []
    for substream in substreams:
        offsets.append(at)
        at += len(substream)
    stream = globals_(offsets) + b"".join(substreams)
    # ole2_bytes stores whole 512-byte sectors only
    return gen.ole2_bytes(payload=stream.ljust(-(-len(stream) // 512) * 512, b"\x00"))


def test_error_constants_and_cached_formula_errors():
    """A typed error constant is a BOOLERR record with fError=1, a formula error a FORMULA
    record whose cached value is an error; booleans and numbers there are no error."""
    cached_na = struct.pack("<BBBBHH", 2, 0, 0x2A, 0, 0, 0xFFFF)
    cells = (
        biff_cell(0x0205, 3, 4, b"\x07\x01")  # #DIV/0!
        + biff_cell(0x0205, 3, 5, b"\x01\x00")  # TRUE
        + biff_cell(0x0006, 7, 1, cached_na + bytes(6))
        + biff_cell(0x0006, 8, 1, struct.pack("<d", 42.0) + bytes(6))
        + biff_cell(0x0006, 9, 1, struct.pack("<BBBBHH", 2, 0, 0x99, 0, 0, 0xFFFF) + bytes(6))
    )
    data = biff_workbook([("Tracker", cells), ("Empty", b"")])
    assert xls_error_cells(data) == {"Tracker": {(3, 4): "#DIV/0!", (7, 1): "#N/A"}}


def test_a_sheet_keeps_at_most_max_errors(monkeypatch):
    cells = b"".join(biff_cell(0x0205, r, 0, b"\x17\x01") for r in range(10))
    data = biff_workbook([("Tracker", cells)])
    assert xls_error_cells(data) == {"Tracker": {(r, 0): "#REF!" for r in range(10)}}
    monkeypatch.setattr(cell_errors, "MAX_ERRORS", 4)
    assert xls_error_cells(data) == {"Tracker": {(r, 0): "#REF!" for r in range(4)}}


def test_many_sheets_at_one_offset_cost_one_walk(monkeypatch):
    """A hostile sheet list naming one substream 1,500 times walks it once."""
    names = [f"S{i}" for i in range(1500)]
    data = biff_workbook([("Tracker", biff_cell(0x0205, 1, 2, b"\x2a\x01"))], names)
    walks = []
    walk = cell_errors._biff_sheet
    monkeypatch.setattr(cell_errors, "_biff_sheet", lambda *a: walks.append(1) or walk(*a))
    found = xls_error_cells(data)
    assert found == {name: {(1, 2): "#N/A"} for name in names}
    assert len(walks) == 1


@pytest.mark.slow
def test_same_errors_in_the_same_cells_whatever_the_format(office_saved, tmp_path, reference):
    """The differential: .xlsx, .xls and .ods saved by LibreOffice, and the hand-built .xlsb,
    give the same grid and the same cell-level problems."""
    grids = {k: read_spreadsheet(data, f"errors.{k}") for k, data in office_saved.items()}
    xlsb = write_error_xlsb(tmp_path / "errors.xlsb", gen.error_cell_rows()).read_bytes()
    tracker = {k: g.sheets[0] for k, g in grids.items()}
    tracker["xlsb"] = read_spreadsheet(xlsb, "errors.xlsb").sheets[0]
    for kind, sheet in tracker.items():
        cells = {
            (number - 1, c): v
            for row, number in zip(sheet.rows, sheet.row_numbers, strict=True)
            for c, v in enumerate(row)
            if isinstance(v, str) and v.startswith("#")
        }
        assert cells == EXPECTED, kind
        assert (sheet.rows, sheet.row_numbers) == (
            tracker["xlsx"].rows,
            tracker["xlsx"].row_numbers,
        ), kind
    notes = [g.sheets[1].rows for g in grids.values()]
    assert notes == [[["see", "#DIV/0!", "#N/A"]]] * 3
    expected = expected_problems()
    for kind, data in office_saved.items():
        assert problems(data, f"errors.{kind}", reference) == expected, kind
    assert problems(xlsb, "errors.xlsb", reference) == expected


# ------------------------------------------------------------------------------ hostile bytes


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(data):
    assert isinstance(xls_error_cells(data), dict)
    assert isinstance(xlsb_error_cells(data), dict)


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> dict[str, bytes]:
    """A small valid .xls and .xlsb, each with error cells."""
    path = tmp_path_factory.mktemp("whole") / "errors.xlsb"
    return {
        "xls": biff_workbook([("Tracker", biff_cell(0x0205, 1, 2, b"\x17\x01"))]),
        "xlsb": write_error_xlsb(path, gen.error_cell_rows()).read_bytes(),
    }


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_workbooks_never_raise(whole, data):
    """Real .xls and .xlsb bytes with some bytes overwritten and the end cut off: nothing
    raises, and whatever is found is a known error text."""
    kind = data.draw(st.sampled_from(sorted(whole)))
    raw = bytearray(whole[kind])
    for _ in range(data.draw(st.integers(0, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    found = (xls_error_cells if kind == "xls" else xlsb_error_cells)(bytes(raw[:cut]))
    assert isinstance(found, dict)
    for cells in found.values():
        assert all(text in ERROR_CODES.values() for text in cells.values())


def test_the_reader_child_stays_light_for_xls_and_xlsb(tmp_path):
    """cell_errors runs in the limited child: it must not pull pandas or numpy in there."""
    number = biff_cell(0x0203, 0, 0, struct.pack("<d", 1.0))  # NUMBER 1 in A1
    data = {
        "xls": biff_workbook([("Tracker", number + biff_cell(0x0205, 0, 1, b"\x07\x01"))]),
        "xlsb": write_error_xlsb(tmp_path / "errors.xlsb", gen.error_cell_rows()).read_bytes(),
    }
    deadline = time.monotonic() + 60
    for kind, raw in data.items():
        attempt = run_child(raw, "calamine", DEFAULT_LIMITS, deadline, kind)
        assert attempt.status == "ok", attempt.result
        assert attempt.result["heavy_modules"] == []
        rows = attempt.result["sheets"][0][2]
        if kind == "xls":
            assert rows == [[1.0, "#DIV/0!"]]
        else:
            assert rows[1] == ["A81001", "EMIS Web", "#DIV/0!", "Planned"]
