"""Every hostile or awkward fixture from scripts/make_hostile_files.py, end to end."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import json
import sys
import zipfile
from pathlib import Path

import msoffcrypto
import olefile
import pytest

from regiondash.ingest.errors import REASONS, UnreadableFile
from regiondash.ingest.sniff import sniff
from regiondash.ingest.worker import DEFAULT_LIMITS, read_spreadsheet

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_hostile_files.py"


def load_generator():
    """The fixture generator script, imported from its path (scripts/ is not a package)."""
    if "make_hostile_files" not in sys.modules:
        spec = importlib.util.spec_from_file_location("make_hostile_files", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while decorating
        spec.loader.exec_module(module)
    return sys.modules["make_hostile_files"]


gen = load_generator()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """All fixtures, generated fresh for this run (never committed)."""
    return gen.make_all(tmp_path_factory.mktemp("hostile"))


# file, reason, words the advice must contain
REFUSED = [
    ("zip_bomb.xlsx", "zip_bomb", ["unpacks to 1.0 GB", "only the tracker sheet"]),
    ("ratio_bomb.xlsx", "zip_bomb", ["compressed", "to 1", "normal export"]),
    ("many_entries.xlsx", "zip_bomb", ["6,006 parts", "only the tracker sheet"]),
    ("lying_sizes.xlsx", "corrupt", ["damaged", "Save As", "Excel Workbook (*.xlsx)"]),
    ("huge_dimension.xlsx", "sheet_too_large", ["'Tracker'", "1,048,576 rows × 16,384 columns"]),
    ("sparse_corners.xlsx", "sheet_too_large", ["'Tracker'", "at least 200,001 rows", "Delete"]),
    ("billion_laughs.xlsx", "xml_entities", ["DOCTYPE", "save it again as .xlsx"]),
    ("padded_laughs.xlsx", "xml_entities", ["DOCTYPE", "save it again as .xlsx"]),
    ("external_entity.xlsx", "xml_entities", ["DOCTYPE", "save it again as .xlsx"]),
    ("encrypted.xlsx", "encrypted", ["protected with a password", "Encrypt with Password"]),
    ("macro_enabled.xlsm", "macro_enabled", ["macro-enabled", "Excel Workbook (*.xlsx)"]),
    ("macro_renamed.xlsx", "macro_enabled", ["macro-enabled", "Excel Workbook (*.xlsx)"]),
    ("vba_smuggled.xlsx", "macro_enabled", ["macro-enabled", "without macros"]),
    ("binary.xlsb", "corrupt", ["Excel Binary Workbook (.xlsb)", "Excel Workbook (*.xlsx)"]),
    ("macro.xlsb", "macro_enabled", ["macro-enabled", "without macros"]),
    ("huge_dimension.xlsb", "sheet_too_large", ["'Tracker'", "1,048,576 rows × 16,384 columns"]),
    ("zip_bomb.ods", "zip_bomb", ["unpacks to 1.0 GB", "only the tracker sheet"]),
    ("billion_laughs.ods", "xml_entities", ["DOCTYPE", "save it again as .xlsx"]),
    ("styles_entity.ods", "xml_entities", ["DOCTYPE", "save it again as .xlsx"]),
    ("encrypted.ods", "encrypted", ["protected with a password", "Save with password"]),
    ("huge_repeat.ods", "corrupt", ["OpenDocument spreadsheet (.ods)", "LibreOffice"]),
    ("long_repeat.ods", "sheet_too_large", ["'Tracker'", "1,000,001 rows", "Delete"]),
    ("macro.ods", "macro_enabled", ["macro-enabled", "LibreOffice Basic"]),
    ("encrypted_biff.xls", "encrypted", ["protected with a password", "Encrypt with Password"]),
    ("xlm_macro.xls", "macro_enabled", ["Excel 4 macro sheets", "without macros"]),
    ("vba.xls", "macro_enabled", ["VBA macros", "without macros"]),
    ("word_renamed.xls", "not_spreadsheet", ["not an Excel workbook", "Word 97-2003 document"]),
    ("truncated.xls", "corrupt", ["Excel 97-2003 workbook (.xls)", "damaged or incomplete"]),
    ("ole_garbage.xls", "corrupt", ["Excel 97-2003 workbook (.xls)", "damaged or incomplete"]),
    ("no_sheets.xlsx", "no_sheets", ["no worksheets", "add the tracker sheet"]),
    ("docx_renamed.xlsx", "not_spreadsheet", ["not an Excel workbook", "Office document"]),
    ("legacy.xls", "no_sheets", ["no worksheets", "add the tracker sheet"]),
    ("truncated.xlsx", "corrupt", ["damaged or incomplete", "Save As"]),
    ("png_renamed.xlsx", "not_spreadsheet", ["not an Excel workbook", "PNG image"]),
    ("pdf_renamed.csv", "not_spreadsheet", ["or CSV file", "PDF document"]),
    ("empty.xlsx", "empty", ["0 bytes", "right file"]),
    ("empty.csv", "empty", ["0 bytes", "right file"]),
    ("binary.csv", "not_spreadsheet", ["binary data", ".xlsx or .csv"]),
    ("bad_encoding.csv", "text_encoding", ["UTF-8", "CSV UTF-8 (Comma delimited)"]),
    ("utf16.csv", "text_encoding", ["UTF-16", "CSV UTF-8 (Comma delimited)"]),
    ("html_renamed.xls", "not_spreadsheet", ["web page", "Save As"]),
    # Text amplification: one long text in every row, worked out by hand from the generator.
    # 20,000 rows x (code 6 + system 8 + date 10 + note cut to 2,000) + names 268,894 + 1,001
    # seven-character codes (A100000 on) + header 57.
    ("shared_note.xlsx", "too_much_text", ["40,749,952 characters", "column E", "32,767"]),
    # One row repeated 20,000 times: 20,000 x (6 + "Practice 1" 10 + 8 + 10 + 2,000) + 57.
    ("repeated_note.ods", "too_much_text", ["40,680,057 characters", "column E", "20,001"]),
    # 1,100 rows x (6 + 10 + 8 x 2,000) + header 81.
    ("long_text.csv", "too_much_text", ["17,617,681 characters", "column C", "1,101 cells"]),
]


@pytest.mark.parametrize(("name", "reason", "advice"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_file_is_refused_with_a_plain_message(files, name, reason, advice):
    data = files[name].read_bytes()
    with pytest.raises(UnreadableFile) as caught:
        read_spreadsheet(data, name)
    err = caught.value
    assert err.reason == reason
    assert reason in REASONS
    assert err.message.startswith(name + " ")
    for words in advice:
        assert words in err.message
    assert "Traceback" not in err.message
    assert "Error" not in err.message  # no exception class names leak through
    assert str(err) == err.message
    assert err.exit_code == 2


def test_brief_fixture_list_is_complete_and_small(files):
    required = {
        "zip_bomb.xlsx",
        "many_entries.xlsx",
        "huge_dimension.xlsx",
        "billion_laughs.xlsx",
        "external_entity.xlsx",
        "encrypted.xlsx",
        "macro_enabled.xlsm",
        "macro_renamed.xlsx",
        "legacy.xls",
        "truncated.xlsx",
        "png_renamed.xlsx",
        "pdf_renamed.csv",
        "empty.xlsx",
        "empty.csv",
        "binary.csv",
        "bad_encoding.csv",
        "formula_cells.xlsx",
        "hidden_sheets.xlsx",
        "cp1252.csv",
        "bom.csv",
        "data_from_c5.xlsx",
    }
    assert required <= set(files)
    sizes = {name: path.stat().st_size for name, path in files.items()}
    # A CSV holds its text one to one, so the one with too much text is as large as its text.
    assert max(size for name, size in sizes.items() if name != "long_text.csv") < 2 * 2**20
    assert sizes["shared_note.xlsx"] < 600_000 and sizes["repeated_note.ods"] < 2_000
    assert sizes["empty.xlsx"] == sizes["empty.csv"] == 0
    assert files["macro_renamed.xlsx"].read_bytes() == files["macro_enabled.xlsm"].read_bytes()
    assert b"\x81" in files["bad_encoding.csv"].read_bytes()
    assert b"\x00" in files["binary.csv"].read_bytes()


def test_bombs_are_refused_from_the_directory_alone(files, monkeypatch):
    # The sniffer must refuse from the zip directory, inflating (almost) nothing.
    inflated = []
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = real_read(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    for name in ("zip_bomb.xlsx", "ratio_bomb.xlsx", "many_entries.xlsx", "zip_bomb.ods"):
        inflated.clear()
        with pytest.raises(UnreadableFile):
            sniff(files[name].read_bytes(), name, DEFAULT_LIMITS)
        assert sum(inflated) < 2**20, (name, sum(inflated))


def test_encrypted_fixture_is_a_real_agile_encrypted_workbook(files):
    data = files["encrypted.xlsx"].read_bytes()
    assert olefile.isOleFile(data)
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password="Tracker2026")
    plain = io.BytesIO()
    office.decrypt(plain)
    grid = read_spreadsheet(plain.getvalue(), "decrypted.xlsx")
    assert grid.sheets[0].rows[1][0] == "A81001"
    assert len(grid.sheets[0].rows) == 201


def test_legacy_fixture_is_a_valid_compound_file(files):
    with olefile.OleFileIO(files["legacy.xls"]) as ole:
        assert ole.listdir() == [["Workbook"]]
        assert ole.openstream("Workbook").read(4) == b"\x09\x08\x10\x00"  # BIFF8 BOF


def test_generator_is_deterministic(files, tmp_path):
    makers = {
        "encrypted.xlsx": gen.make_encrypted,
        "formula_cells.xlsx": gen.make_formula_cells,
        "hidden_sheets.xlsx": gen.make_hidden_sheets,
        "huge_dimension.xlsx": gen.make_huge_dimension,
        "lying_sizes.xlsx": gen.make_lying_sizes,
    }
    for name, maker in makers.items():
        again = maker(tmp_path / name).read_bytes()
        assert hashlib.sha256(again).digest() == hashlib.sha256(files[name].read_bytes()).digest()
    assert gen.ole2_bytes() == files["legacy.xls"].read_bytes()


def test_good_fixtures_read(files):
    hidden = read_spreadsheet(files["hidden_sheets.xlsx"].read_bytes(), "hidden_sheets.xlsx")
    assert [(s.name, s.visible) for s in hidden.sheets] == [
        ("Lookups", False),
        ("Config", False),
        ("Tracker", True),
    ]
    c5 = read_spreadsheet(files["data_from_c5.xlsx"].read_bytes(), "data_from_c5.xlsx")
    assert c5.sheets[0].row_numbers == [5, 6, 7, 8]
    assert c5.sheets[0].rows[0][:3] == [None, None, "Practice Code"]
    for name, kind in (("valid.xlsb", "xlsb"), ("valid.ods", "ods"), ("ods_renamed.xlsx", "ods")):
        grid = read_spreadsheet(files[name].read_bytes(), name)
        assert grid.file_kind == kind
        assert grid.sheets[0].rows[1][:3] == ["A81001", "Practice 1", dt.date(2026, 3, 2)]
    cp = read_spreadsheet(files["cp1252.csv"].read_bytes(), "cp1252.csv")
    bom = read_spreadsheet(files["bom.csv"].read_bytes(), "bom.csv")
    assert (cp.encoding, bom.encoding) == ("cp1252", "utf-8-sig")
    assert cp.sheets[0].rows == bom.sheets[0].rows
    assert cp.sheets[0].rows[1][1] == "St Mary’s Surgery – Annexe"


NEW_FORMAT_HOSTILE = [r for r in REFUSED if r[0].endswith((".xls", ".xlsb", ".ods"))]


@pytest.mark.parametrize(
    ("name", "reason", "advice"), NEW_FORMAT_HOSTILE, ids=[r[0] for r in NEW_FORMAT_HOSTILE]
)
def test_hostile_new_formats_are_refused_by_regiondash_import(
    files, tmp_path, capsys, name, reason, advice
):
    from regiondash import cli

    db = tmp_path / "t.db"
    code = cli.main(
        ["import", str(files[name]), "--db", f"sqlite:///{db}", "--as-at", "2026-11-20", "--json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 2
    message = result["errors"][0].get("message", "")
    text = json.dumps(result, ensure_ascii=False)
    for words in advice:
        assert words in text
    assert message == "" or message.startswith(name)
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from uploads").fetchone() == (0,)


def test_all_hidden_sheets_message_names_each_hidden_sheet(files):
    from regiondash.ingest import parse_tracker
    from regiondash.reference import load_reference

    parsed = parse_tracker(
        files["all_hidden.xlsx"].read_bytes(), "all_hidden.xlsx", load_reference()
    )
    assert parsed.rows is None
    assert parsed.header_problem == (
        'all_hidden.xlsx: every sheet is hidden ("Lookups", "Tracker"), so there is no sheet to '
        "read. In Excel right-click a sheet tab, choose Unhide and pick the tracker sheet, then "
        'save and upload again, or name the sheet to read (e.g. --sheet "Tracker").'
    )
    named = parse_tracker(
        files["all_hidden.xlsx"].read_bytes(), "all_hidden.xlsx", load_reference(), sheet="Tracker"
    )
    assert named.rows is not None and named.match.sheet.name == "Tracker"


def test_no_header_message_names_the_hidden_sheets_not_read(tmp_path):
    from regiondash.ingest import parse_tracker
    from regiondash.reference import load_reference

    path = gen.write_package(
        tmp_path / "notes.xlsx",
        gen.Package(
            sheets=[
                gen.Sheet("Notes", gen.sheet_xml([["Read me"], ["nothing here"]])),
                gen.Sheet("Tracker", gen.sheet_xml(gen.tracker_rows()), state="hidden"),
            ]
        ),
    )
    parsed = parse_tracker(path.read_bytes(), "notes.xlsx", load_reference())
    assert parsed.header_problem.startswith(
        'notes.xlsx: no tracker header found in the first rows of "Notes".'
    )
    assert parsed.header_problem.endswith(
        'Hidden sheets are not read: "Tracker" (name one with --sheet).'
    )


AMPLIFIERS = ["shared_note.xlsx", "repeated_note.ods", "long_text.csv"]


@pytest.mark.parametrize("name", AMPLIFIERS)
def test_text_amplifier_is_refused_by_regiondash_import_and_nothing_is_stored(
    files, tmp_path, capsys, name
):
    import sqlite3

    from regiondash import cli

    db = tmp_path / "t.db"
    code = cli.main(
        ["import", str(files[name]), "--db", f"sqlite:///{db}", "--as-at", "2026-11-20", "--json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 2
    assert result["errors"][0]["message"].startswith(f"{name} holds ")
    assert "more than the 16,000,000 one upload may hold" in result["errors"][0]["message"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from uploads").fetchone() == (0,)


def test_long_cells_are_cut_to_their_field_limits_with_warnings_naming_the_cells(files):
    from regiondash.ingest import parse_tracker
    from regiondash.reference import load_reference

    parsed = parse_tracker(
        files["long_cells.xlsx"].read_bytes(),
        "long_cells.xlsx",
        load_reference(),
        as_at=dt.date(2026, 11, 20),
    )
    migrations = parsed.rows.migrations.set_index("ods_code")
    assert migrations.loc["A81001", "notes"] == "Long note. " + "x" * 1_989
    assert migrations.loc["A81002", "practice_name"] == "P" * 200
    # The reader cut the 32,767-character note to 2,000; the warning says how long it was.
    assert migrations.loc["A81004", "notes"] == "n" * 2_000
    cut = [(p.row, p.column, p.message) for p in parsed.problems if "characters" in p.message]
    assert cut == [
        (
            2,
            "Notes",
            "cell E2 holds 5,000 characters, more than the 2,000 a notes may hold: the first "
            "2,000 were kept",
        ),
        (
            3,
            "Practice Name",
            "cell B3 holds 300 characters, more than the 200 a practice name may hold: the "
            "first 200 were kept",
        ),
        (
            4,
            "Notes",
            "cell E4 holds 32,767 characters, more than the 2,000 a notes may hold: the first "
            "2,000 were kept",
        ),
    ]
    assert all(p.severity == "warning" for p in parsed.problems if "characters" in p.message)
