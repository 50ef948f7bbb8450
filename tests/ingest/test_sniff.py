"""The sniffer: cheap classification and refusal of untrusted upload bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from regiondash.ingest.errors import UnreadableFile, display_name
from regiondash.ingest.sniff import HEAD_BYTES, SniffResult, parse_ref, sniff
from regiondash.ingest.worker import DEFAULT_LIMITS, Limits
from tests.ingest.test_hostile_files import load_generator

gen = load_generator()
SPREADSHEET_2003 = b"urn:schemas-microsoft-com:office:spreadsheet"


def xlsx(tmp_path: Path, maker=None, name: str = "book.xlsx") -> bytes:
    """Bytes of a fixture made by one generator function (default: a valid tracker)."""
    return (maker or gen.simple_xlsx)(tmp_path / name).read_bytes()


def rewrite(data: bytes, replace: dict[str, bytes | None], method=zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of a zip with some parts replaced, added, or (None) removed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", method) as dst:
        for info in src.infolist():
            if info.filename not in replace:
                dst.writestr(info.filename, src.read(info))
        for name, content in replace.items():
            if content is not None:
                dst.writestr(name, content)
    return out.getvalue()


def refused(data: bytes, name: str = "book.xlsx", limits: Limits = DEFAULT_LIMITS):
    with pytest.raises(UnreadableFile) as caught:
        sniff(data, name, limits)
    assert caught.value.message.startswith(name + " ")
    return caught.value


def test_valid_workbook(tmp_path):
    assert sniff(xlsx(tmp_path), "t.xlsx", DEFAULT_LIMITS) == SniffResult(
        "xlsx", ["Tracker"], [], False
    )


def test_hidden_sheets_and_1904(tmp_path):
    hidden = sniff(xlsx(tmp_path, gen.make_hidden_sheets), "h.xlsx", DEFAULT_LIMITS)
    assert hidden.sheet_names == ["Lookups", "Config", "Tracker"]
    assert hidden.hidden_sheets == ["Lookups", "Config"]
    assert hidden.date1904 is False
    assert sniff(xlsx(tmp_path, gen.make_date1904), "d.xlsx", DEFAULT_LIMITS).date1904 is True


def test_date1904_written_as_true_and_strict_namespaces(tmp_path):
    data = xlsx(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        workbook = zf.read("xl/workbook.xml")
    # Strict Open XML uses other namespace URIs: sheets are found by local name.
    strict = (
        workbook.replace(b'date1904="1"', b"")
        .replace(b"<workbookPr/>", b'<workbookPr date1904="true"/>')
        .replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        )
        .replace(
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        )
    )
    result = sniff(rewrite(data, {"xl/workbook.xml": strict}), "s.xlsx", DEFAULT_LIMITS)
    assert result.date1904 is True
    assert result.sheet_names == ["Tracker"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"Practice Code,Go Live\r\nA81001,02/03/2026\r\n", "csv"),
        ("Practice Code;Nom\nA81001;Café\n".encode("cp1252"), "csv"),
        (b"\xef\xbb\xbfPractice Code\n", "csv"),
    ],
)
def test_text_is_csv(text, expected):
    assert sniff(text, "t.csv", DEFAULT_LIMITS).file_kind == expected


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00", "GIF image"),
        (b"%PDF-1.7\n%text only\n", "PDF document"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"{\\rtf1\\ansi Practice Code}", "RTF"),
        (b"<!DOCTYPE html><html><body><table>", "web page"),
        (b'<?xml version="1.0"?><Workbook xmlns="' + SPREADSHEET_2003 + b'">', "Excel 2003 XML"),
        (b"Practice Code\x00\x01\x02", "binary data"),
    ],
)
def test_other_formats_are_not_spreadsheets_whatever_the_extension(head, kind):
    for name in ("tracker.xlsx", "tracker.csv"):
        err = refused(head, name)
        assert err.reason == "not_spreadsheet"
        assert "is not an Excel workbook (.xlsx, .xls or .xlsb), OpenDocument" in err.message
        assert kind in err.message


def test_ole2_kinds():
    assert refused(gen.ole2_bytes("EncryptedPackage"), "t.xlsx").reason == "encrypted"
    assert refused(gen.ole2_bytes("EncryptionInfo"), "t.xlsb").reason == "encrypted"
    stream = gen.xls_globals(
        gen.biff_record(0x0022, b"\x01\x00"),
        gen.biff_boundsheet("Plan"),
        gen.biff_boundsheet("Lists", state=1),
        gen.biff_boundsheet("Chart", 0, 2),
    )
    assert sniff(gen.ole2_bytes(payload=stream), "old.xls", DEFAULT_LIMITS) == SniffResult(
        "xls", ["Plan", "Lists"], ["Lists"], True
    )
    # A Workbook stream under 4 KiB lives in the OLE mini stream: read the same way.
    err = refused(gen.ole2_bytes(), "old.xls")  # globals with no sheet at all
    assert err.reason == "no_sheets"
    err = refused(gen.ole2_bytes("PowerPoint Document"), "deck.xls")
    assert (err.reason, "PowerPoint" in err.message) == ("not_spreadsheet", True)
    assert refused(gen.ole2_bytes(payload=b"garbage" * 10), "g.xls").reason == "corrupt"
    assert refused(gen.OLE2_STUB, "stub.xls").reason == "corrupt"


def test_small_real_xls_in_the_mini_stream():
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "tracker.xls"
    result = sniff(fixture.read_bytes(), "tracker.xls", DEFAULT_LIMITS)
    assert result == SniffResult("xls", ["Tracker", "Lookups"], ["Lookups"], False)


def test_empty_and_too_large(tmp_path):
    assert refused(b"", "t.csv").reason == "empty"
    err = refused(xlsx(tmp_path), "t.xlsx", Limits(max_file_bytes=1000))
    assert err.reason == "too_large"
    assert "over the 1 KB upload limit" in err.message


def test_zip_bounds_use_the_directory(tmp_path):
    data = xlsx(tmp_path)
    assert refused(data, limits=Limits(max_zip_entries=5)).reason == "zip_bomb"
    err = refused(data, limits=Limits(max_uncompressed_bytes=1000))
    assert err.reason == "zip_bomb"
    assert "unpacks to" in err.message
    ratio = xlsx(tmp_path, lambda p: gen.make_ratio_bomb(p, mib=2))
    err = refused(ratio)
    assert err.reason == "zip_bomb"
    assert "compressed" in err.message
    # The same file under a looser ratio limit is fine: the check is per entry and tunable.
    assert sniff(ratio, "r.xlsx", Limits(max_compression_ratio=5000)).file_kind == "xlsx"


@pytest.mark.parametrize(
    "part",
    [
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "docProps/custom.xml",  # not read by any reader, refused all the same
        "xl/_rels/workbook.xml.rels",
    ],
)
@pytest.mark.parametrize(
    "dtd",
    [
        b'<!DOCTYPE x [<!ENTITY a "b">]>',
        b"<!doctype x>",
        b"<! DOCTYPE x>",
        b'<!ENTITY a "b">',
    ],
)
def test_any_dtd_in_any_xml_part_is_refused(tmp_path, part, dtd):
    data = xlsx(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        original = zf.read(part) if part in zf.namelist() else b"<x/>"
    poisoned = original.replace(b"?>\n", b"?>\n" + dtd, 1) if b"?>" in original else dtd + original
    assert refused(rewrite(data, {part: poisoned})).reason == "xml_entities"


def test_dtd_in_utf16_part_is_refused(tmp_path):
    data = xlsx(tmp_path)
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE s [<!ENTITY a "b">]><styleSheet/>'
    assert refused(rewrite(data, {"xl/styles.xml": xml.encode("utf-16")})).reason == "xml_entities"


@pytest.mark.parametrize(
    "prolog",
    [
        b" " * (2 * HEAD_BYTES),
        b"<!--" + b"x" * (2 * HEAD_BYTES) + b"-->",
        b"<?pi " + b"y" * (2 * HEAD_BYTES) + b"?>",
    ],
)
def test_dtd_hidden_behind_a_long_prolog_is_refused(tmp_path, prolog):
    data = xlsx(tmp_path)
    sheet = gen.sheet_xml(gen.tracker_rows(), prolog=prolog + b'<!DOCTYPE w [<!ENTITY a "b">]>')
    assert refused(rewrite(data, {"xl/worksheets/sheet1.xml": sheet})).reason == "xml_entities"


def test_macro_variants(tmp_path):
    assert refused(xlsx(tmp_path, gen.make_macro_enabled, "m.xlsm"), "m.xlsm").reason == (
        "macro_enabled"
    )
    assert refused(xlsx(tmp_path, gen.make_vba_only)).reason == "macro_enabled"
    xlm = gen.Package(
        sheets=[gen.Sheet("Tracker", gen.sheet_xml(gen.tracker_rows()))],
        extra_parts={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"},
        extra_overrides={"/xl/macrosheets/sheet1.xml": "application/vnd.ms-excel.macrosheet+xml"},
    )
    err = refused(xlsx(tmp_path, lambda p: gen.write_package(p, xlm)))
    assert err.reason == "macro_enabled"


def test_xlsb_ods_and_other_zips(tmp_path):
    assert refused(xlsx(tmp_path, gen.make_xlsb, "b.xlsb"), "b.xlsb").reason == "corrupt"
    xlsb = sniff(xlsx(tmp_path, gen.make_xlsb_tracker, "t.xlsb"), "t.xlsb", DEFAULT_LIMITS)
    assert xlsb == SniffResult("xlsb", ["Tracker", "Lookups"], ["Lookups"], False)
    big = xlsx(tmp_path, gen.make_xlsb_tracker, "t.xlsb")
    assert refused(big, "t.xlsb", Limits(max_sheet_rows=3)).reason == "sheet_too_large"
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    assert sniff(ods.getvalue(), "t.ods", DEFAULT_LIMITS) == SniffResult("ods", [], [], False)
    text = io.BytesIO()
    with zipfile.ZipFile(text, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    err = refused(text.getvalue(), "t.ods")
    assert (err.reason, "OpenDocument text" in err.message) == ("not_spreadsheet", True)
    no_content = io.BytesIO()
    with zipfile.ZipFile(no_content, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert refused(no_content.getvalue(), "t.ods").reason == "corrupt"
    photos = io.BytesIO()
    with zipfile.ZipFile(photos, "w") as zf:
        zf.writestr("a.txt", "hello")
    assert "zip archive" in refused(photos.getvalue(), "p.xlsx").message


def test_damaged_packages_are_corrupt(tmp_path):
    data = xlsx(tmp_path)
    assert refused(data[: len(data) // 2]).reason == "corrupt"
    assert refused(data[:-30]).reason == "corrupt"  # end-of-directory record cut off
    assert refused(rewrite(data, {"xl/_rels/workbook.xml.rels": None})).reason == "corrupt"
    assert refused(rewrite(data, {"xl/workbook.xml": b"<workbook"})).reason == "corrupt"
    # Two parts differing only in case: a reader might parse the one we did not check.
    twin = rewrite(data, {"xl/Workbook.xml": b"<workbook/>"})
    assert refused(twin).reason == "corrupt"
    assert refused(rewrite(data, {}, method=zipfile.ZIP_BZIP2)).reason == "corrupt"
    flipped = bytearray(data)
    offset = data.find(b"PK\x03\x04", 100)
    flipped[offset + 40 : offset + 60] = bytes(20)
    assert refused(bytes(flipped)).reason == "corrupt"


def test_no_sheets(tmp_path):
    err = refused(xlsx(tmp_path, gen.make_no_sheets))
    assert err.reason == "no_sheets"


def test_declared_dimension_limits(tmp_path):
    data = xlsx(tmp_path)  # dimension A1:E4
    err = refused(data, limits=Limits(max_sheet_rows=3))
    assert err.reason == "sheet_too_large"
    assert "sheet 'Tracker' that declares a used range of 4 rows × 5 columns" in err.message
    assert refused(data, limits=Limits(max_sheet_columns=4)).reason == "sheet_too_large"
    assert refused(data, limits=Limits(max_sheet_cells=19)).reason == "sheet_too_large"
    assert sniff(data, "t.xlsx", Limits(max_sheet_rows=4, max_sheet_cells=20)).file_kind == "xlsx"
    # Padding to column A counts: data in C5:G8 is 4 rows by 7 columns as returned.
    c5 = xlsx(tmp_path, gen.make_data_from_c5)
    assert "4 rows × 7 columns" in refused(c5, limits=Limits(max_sheet_columns=6)).message


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("A1", (1, 1, 1, 1)),
        ("$B$2:$D$10", (2, 2, 10, 4)),
        ("C5:G8", (5, 3, 8, 7)),
        ("A1:XFD1048576", (1, 1, 1048576, 16384)),
        ("G8:C5", (5, 3, 8, 7)),
        ("nonsense", None),
        ("A1:B2:C3", None),
        ("", None),
    ],
)
def test_parse_ref(ref, expected):
    assert parse_ref(ref) == expected


def test_sheet_parts_are_only_read_at_the_head(tmp_path, monkeypatch):
    data = gen.make_big_tracker(tmp_path / "big.xlsx", n_rows=2000, n_cols=20).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > 20 * HEAD_BYTES
    reads: list[tuple[str, int]] = []
    original = zipfile.ZipExtFile.read

    def spy(self, n=-1):
        chunk = original(self, n)
        reads.append((self.name, len(chunk)))
        return chunk

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spy)
    assert sniff(data, "big.xlsx", DEFAULT_LIMITS).sheet_names == ["Tracker"]
    sheet_reads = [n for name, n in reads if name == "xl/worksheets/sheet1.xml"]
    assert sheet_reads == [HEAD_BYTES]
    strings = sum(n for name, n in reads if name == "xl/sharedStrings.xml")
    assert strings <= HEAD_BYTES


def test_message_names_the_file_safely():
    with pytest.raises(UnreadableFile) as caught:
        sniff(b"", "C:\\Users\\lead\\Tracker\u202e\r\nv2.csv", DEFAULT_LIMITS)
    err = caught.value
    # Path dropped; bidi overrides and line breaks cannot rearrange or split the message.
    assert err.message.startswith("Trackerv2.csv is empty")
    assert err.reason == "empty"
    assert display_name("") == "The uploaded file"
    assert len(display_name("x" * 500)) == 120


def test_ods_1904_null_date_and_dtd_in_any_part(tmp_path):
    data = gen.make_ods(tmp_path / "t.ods").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        content = zf.read("content.xml")
    settings = (
        b"<office:spreadsheet><table:calculation-settings><table:null-date "
        b'table:date-value="1904-01-01"/></table:calculation-settings>'
    )
    d1904 = rewrite(data, {"content.xml": content.replace(b"<office:spreadsheet>", settings)})
    assert sniff(d1904, "t.ods", DEFAULT_LIMITS).date1904 is True
    for part in ("content.xml", "styles.xml", "meta.xml", "settings.xml", "META-INF/manifest.xml"):
        poisoned = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
        assert refused(rewrite(data, {part: poisoned}), "t.ods").reason == "xml_entities", part


def test_xlsb_macro_variants(tmp_path):
    assert refused(
        xlsx(tmp_path, lambda p: gen.make_xlsb_tracker(p, vba=True)), "m.xlsb"
    ).reason == ("macro_enabled")
    # An .xlsb always declares the macroEnabled binary content type: not a reason to refuse.
    assert (
        sniff(xlsx(tmp_path, gen.make_xlsb_tracker), "t.xlsb", DEFAULT_LIMITS).file_kind == "xlsb"
    )
