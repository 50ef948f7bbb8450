"""Write deterministic hostile and awkward spreadsheet files for the ingest tests.

Usage: python scripts/make_hostile_files.py OUTDIR

Every workbook is assembled by hand with zipfile (fixed timestamps, no docProps) so the
bytes are the same on every run and hostile parts can be placed exactly; openpyxl would
add timestamps and refuse to write most of these. Tests call make_all(tmp_path) so no
generated hostile file is ever committed.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CT_BASE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CT_WORKBOOK = f"{CT_BASE}.sheet.main+xml"
CT_WORKBOOK_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_WORKBOOK_BINARY = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
CT_WORKSHEET = f"{CT_BASE}.worksheet+xml"
CT_STYLES = f"{CT_BASE}.styles+xml"
CT_SST = f"{CT_BASE}.sharedStrings+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
REL_OFFICE_DOC = f"{NS_R}/officeDocument"
REL_WORKSHEET = f"{NS_R}/worksheet"
REL_STYLES = f"{NS_R}/styles"
REL_SST = f"{NS_R}/sharedStrings"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"

# Fixed zip timestamp: the generator must be byte-for-byte deterministic.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Style indexes in the generated styles.xml: 0 general, 1 date (numFmt 14), 2 date-time (22),
# 3 time of day (21, h:mm:ss), 4 duration (46, [h]:mm:ss).
STYLE_DATE = 1
STYLE_DATETIME = 2
STYLE_TIME = 3
STYLE_DURATION = 4

TRACKER_HEADER = ["Practice Code", "Practice Name", "Go Live Date"]
# Names with the characters that distinguish cp1252 from latin-1 and UTF-8 mistakes.
TRACKER_ROWS = [
    ["A81001", "St Mary’s Surgery – Annexe", "02/03/2026"],
    ["A81002", "Café Lane Medical Centre", "16/03/2026"],
    ["A81003", "The £1 Practice", "TBC"],
]


@dataclass(frozen=True)
class Formula:
    """A formula cell; cached=None writes no <v>, as a file saved without calculation."""

    text: str
    cached: object = None


@dataclass(frozen=True)
class CellError:
    """A cell holding a formula error as Excel saves it: t="e" with the error text cached."""

    code: str
    formula: str | None = None


@dataclass(frozen=True)
class Deflated:
    """A part supplied already deflate-compressed: raw stream chunks, CRC-32 and inflated size."""

    chunks: Callable[[], Iterable[bytes]]
    crc: int
    size: int


@dataclass
class Sheet:
    """One worksheet part: ready XML bytes, a function that streams them, or Deflated."""

    name: str
    xml: bytes | Callable[[IO[bytes]], None] | Deflated
    state: str = "visible"


@dataclass
class Package:
    """The parts of a hand-built xlsx package."""

    sheets: list[Sheet]
    date1904: bool = False
    workbook_content_type: str = CT_WORKBOOK
    shared_strings: bytes | None = None
    extra_parts: dict[str, bytes] = field(default_factory=dict)
    extra_overrides: dict[str, str] = field(default_factory=dict)
    extra_workbook_rels: list[tuple[str, str]] = field(default_factory=list)


def col_letter(index: int) -> str:
    """1-based column index to Excel letters."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def excel_serial(value: dt.date, date1904: bool = False) -> float:
    """Excel serial number for a date or datetime."""
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - epoch
    return delta.days + delta.seconds / 86400


def _number(value: float) -> str:
    return repr(int(value)) if float(value).is_integer() else repr(float(value))


def cell_xml(
    ref: str, value: object, date1904: bool = False, sst: dict[str, int] | None = None
) -> str:
    """One <c> element for a Python value."""
    if isinstance(value, CellError):
        f = f"<f>{escape(value.formula)}</f>" if value.formula else ""
        return f'<c r="{ref}" t="e">{f}<v>{escape(value.code)}</v></c>'
    if isinstance(value, Formula):
        f = f"<f>{escape(value.text)}</f>"
        cached = value.cached
        if cached is None:
            return f'<c r="{ref}">{f}</c>'
        if isinstance(cached, dt.date):
            serial = _number(excel_serial(cached, date1904))
            return f'<c r="{ref}" s="{STYLE_DATE}">{f}<v>{serial}</v></c>'
        if isinstance(cached, str):
            return f'<c r="{ref}" t="str">{f}<v>{escape(cached)}</v></c>'
        return f'<c r="{ref}">{f}<v>{_number(cached)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = _number(excel_serial(value, date1904))
        style = STYLE_DATE if value.time() == dt.time() else STYLE_DATETIME
        return f'<c r="{ref}" s="{style}"><v>{serial}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{_number(excel_serial(value, date1904))}</v></c>'
    if isinstance(value, dt.time):
        fraction = (value.hour * 3600 + value.minute * 60 + value.second) / 86400
        return f'<c r="{ref}" s="{STYLE_TIME}"><v>{_number(fraction)}</v></c>'
    if isinstance(value, dt.timedelta):
        days = _number(value / dt.timedelta(days=1))
        return f'<c r="{ref}" s="{STYLE_DURATION}"><v>{days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{_number(value)}</v></c>'
    text = str(value)
    if sst is not None:
        index = sst.setdefault(text, len(sst))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def sheet_xml(
    rows: Sequence[Sequence[object]],
    *,
    origin: tuple[int, int] = (1, 1),
    dimension: str | None = "auto",
    date1904: bool = False,
    sst: dict[str, int] | None = None,
    prolog: bytes = b"",
) -> bytes:
    """Worksheet XML for a block of rows whose top-left cell is origin (row, column), 1-based."""
    first_row, first_col = origin
    body: list[str] = []
    max_col = first_col
    for r_off, row in enumerate(rows):
        row_no = first_row + r_off
        cells = []
        for c_off, value in enumerate(row):
            if value is None:
                continue
            col = first_col + c_off
            max_col = max(max_col, col)
            cells.append(cell_xml(f"{col_letter(col)}{row_no}", value, date1904, sst))
        if cells:
            body.append(f'<row r="{row_no}">{"".join(cells)}</row>')
    if dimension == "auto":
        last_row = first_row + max(len(rows), 1) - 1
        dimension = f"{col_letter(first_col)}{first_row}:{col_letter(max_col)}{last_row}"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        XML_DECL
        + prolog
        + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">{dim}<sheetData>'.encode()
        + "".join(body).encode()
        + b"</sheetData></worksheet>"
    )


def shared_strings_xml(sst: dict[str, int]) -> bytes:
    """sharedStrings.xml for a string -> index table."""
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in sst)
    return (
        XML_DECL
        + f'<sst xmlns="{NS_MAIN}" count="{len(sst)}" uniqueCount="{len(sst)}">'.encode()
        + items.encode()
        + b"</sst>"
    )


STYLES_XML = (
    XML_DECL
    + f'<styleSheet xmlns="{NS_MAIN}">'.encode()
    + b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    b'<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    b'<xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    b'<xf numFmtId="46" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    b"</cellXfs></styleSheet>"
)


def _zinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_package(path: Path, pkg: Package) -> Path:
    """Write an xlsx package to path, streaming any sheet given as a function."""
    overrides = {
        "/xl/workbook.xml": pkg.workbook_content_type,
        "/xl/styles.xml": CT_STYLES,
    }
    wb_rels = []
    sheet_entries = []
    for i, sheet in enumerate(pkg.sheets, start=1):
        overrides[f"/xl/worksheets/sheet{i}.xml"] = CT_WORKSHEET
        wb_rels.append((f"rId{i}", REL_WORKSHEET, f"worksheets/sheet{i}.xml"))
        state = "" if sheet.state == "visible" else f' state="{sheet.state}"'
        sheet_entries.append(
            f'<sheet name={quoteattr(sheet.name)} sheetId="{i}"{state} r:id="rId{i}"/>'
        )
    n = len(pkg.sheets)
    wb_rels.append((f"rId{n + 1}", REL_STYLES, "styles.xml"))
    if pkg.shared_strings is not None:
        overrides["/xl/sharedStrings.xml"] = CT_SST
        wb_rels.append((f"rId{n + 2}", REL_SST, "sharedStrings.xml"))
    for j, (rel_type, target) in enumerate(pkg.extra_workbook_rels, start=n + 3):
        wb_rels.append((f"rId{j}", rel_type, target))
    overrides.update(pkg.extra_overrides)

    content_types = (
        XML_DECL + f'<Types xmlns="{NS_CT}">'.encode() + b'<Default Extension="rels" '
        b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(
            f'<Override PartName="{part}" ContentType="{ct}"/>' for part, ct in overrides.items()
        ).encode()
        + b"</Types>"
    )
    root_rels = (
        XML_DECL
        + f'<Relationships xmlns="{NS_PKG_RELS}">'.encode()
        + f'<Relationship Id="rId1" Type="{REL_OFFICE_DOC}" Target="xl/workbook.xml"/>'.encode()
        + b"</Relationships>"
    )
    workbook = (
        XML_DECL
        + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'.encode()
        + (b'<workbookPr date1904="1"/>' if pkg.date1904 else b"<workbookPr/>")
        + b"<sheets>"
        + "".join(sheet_entries).encode()
        + b"</sheets></workbook>"
    )
    workbook_rels = (
        XML_DECL
        + f'<Relationships xmlns="{NS_PKG_RELS}">'.encode()
        + "".join(
            f'<Relationship Id="{rid}" Type="{t}" Target="{target}"/>' for rid, t, target in wb_rels
        ).encode()
        + b"</Relationships>"
    )
    precompressed: list[tuple[str, Deflated]] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(_zinfo("[Content_Types].xml"), content_types)
        zf.writestr(_zinfo("_rels/.rels"), root_rels)
        zf.writestr(_zinfo("xl/workbook.xml"), workbook)
        zf.writestr(_zinfo("xl/_rels/workbook.xml.rels"), workbook_rels)
        zf.writestr(_zinfo("xl/styles.xml"), STYLES_XML)
        if pkg.shared_strings is not None:
            zf.writestr(_zinfo("xl/sharedStrings.xml"), pkg.shared_strings)
        for i, sheet in enumerate(pkg.sheets, start=1):
            name = f"xl/worksheets/sheet{i}.xml"
            if isinstance(sheet.xml, bytes):
                zf.writestr(_zinfo(name), sheet.xml)
            elif isinstance(sheet.xml, Deflated):
                # Stored as-is, then relabelled as deflated below: zipfile cannot take
                # precompressed data, and compressing 1 GiB for real takes seconds.
                info = _zinfo(name)
                info.compress_type = zipfile.ZIP_STORED
                with zf.open(info, "w") as out:
                    for chunk in sheet.xml.chunks():
                        out.write(chunk)
                precompressed.append((name, sheet.xml))
            else:
                # Streamed so a 1 GiB part never sits in memory (must stay under 2 GiB: no zip64).
                with zf.open(_zinfo(name), "w") as out:
                    sheet.xml(out)
        for name, data in pkg.extra_parts.items():
            zf.writestr(_zinfo(name), data)
    for name, part in precompressed:
        _relabel_deflated(path, name, part)
    return path


def _relabel_deflated(path: Path, name: str, part: Deflated) -> None:
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(name).header_offset
    data = bytearray(Path(path).read_bytes())
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name.encode()))
    # Method, CRC-32 and uncompressed size: local header offsets 8/14/22, central 10/16/24.
    for base, (method_at, crc_at, size_at) in ((local, (8, 14, 22)), (central, (10, 16, 24))):
        struct.pack_into("<H", data, base + method_at, zipfile.ZIP_DEFLATED)
        struct.pack_into("<I", data, base + crc_at, part.crc)
        struct.pack_into("<I", data, base + size_at, part.size)
    Path(path).write_bytes(bytes(data))


def tracker_rows(n_rows: int = 3) -> list[list[object]]:
    """A small wide-format tracker: header plus n_rows practices with real dates."""
    header = ["Practice Code", "Practice Name", "Go Live Date", "Current System", "Notes"]
    rows: list[list[object]] = [header]
    for i in range(n_rows):
        rows.append(
            [
                f"A8{1001 + i:04d}",
                f"Practice {i + 1}",
                dt.datetime(2026, 3, 2) + dt.timedelta(days=7 * i),
                "EMIS Web",
                None,
            ]
        )
    return rows


def simple_xlsx(path: Path, rows: Sequence[Sequence[object]] | None = None, **pkg_kw) -> Path:
    """A valid one-sheet workbook named Tracker."""
    xml = sheet_xml(
        rows if rows is not None else tracker_rows(), date1904=pkg_kw.get("date1904", False)
    )
    return write_package(path, Package(sheets=[Sheet("Tracker", xml)], **pkg_kw))


def make_big_tracker(path: Path, n_rows: int = 6200, n_cols: int = 40, seed: int = 1) -> Path:
    """A realistic large tracker (shared strings, dates, numbers, blanks) for timing tests."""
    rng = random.Random(seed)
    systems = ["EMIS Web", "SystmOne", "Vision", "Medicus", "Cegedim"]
    sst: dict[str, int] = {}
    header = [f"Column {c + 1}" for c in range(n_cols)]
    header[:5] = ["Practice Code", "Practice Name", "Go Live Date", "Current System", "New System"]
    rows: list[list[object]] = [header]
    base = dt.date(2026, 1, 5)
    for r in range(n_rows):
        row: list[object] = [
            f"{chr(65 + r % 26)}{81000 + r:05d}",
            f"Practice number {r}",
            base + dt.timedelta(days=rng.randrange(400)),
            systems[r % 5],
            systems[(r + 2) % 5],
        ]
        for c in range(5, n_cols):
            kind = c % 5
            if kind == 0:
                row.append(base + dt.timedelta(days=rng.randrange(400)))
            elif kind == 1:
                row.append(rng.randrange(100000))
            elif kind == 2:
                row.append(f"Note {rng.randrange(10**6)}")
            elif kind == 3:
                row.append(None if rng.random() < 0.3 else "Y")
            else:
                row.append(round(rng.random() * 1000, 2))
        rows.append(row)
    xml = sheet_xml(rows, sst=sst)
    return write_package(
        path, Package(sheets=[Sheet("Tracker", xml)], shared_strings=shared_strings_xml(sst))
    )


def _streamed_sheet(payload_bytes: int, chunk: bytes) -> Callable[[IO[bytes]], None]:
    def write(out: IO[bytes]) -> None:
        out.write(XML_DECL + f'<worksheet xmlns="{NS_MAIN}"><sheetData>'.encode())
        block = chunk * (2**20 // len(chunk))
        for _ in range(payload_bytes // len(block)):
            out.write(block)
        out.write(b"</sheetData></worksheet>")

    return write


def make_zip_bomb(path: Path, gib: float = 1.0) -> Path:
    """A valid-looking workbook whose sheet XML is gib GiB of spaces (about 1 MB on disk)."""
    head = XML_DECL + f'<worksheet xmlns="{NS_MAIN}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    block = b" " * 2**20
    n_blocks = int(gib * 1024)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    # A full flush resets the compressor's history, so every further 1 MiB block compresses to
    # these same bytes: deflate it once and repeat, instead of deflating 1 GiB (seconds).
    repeat = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    last = co.compress(tail) + co.flush()
    crc = zlib.crc32(head)
    for _ in range(n_blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)

    def chunks() -> Iterable[bytes]:
        yield first
        for _ in range(n_blocks):
            yield repeat
        yield last

    part = Deflated(chunks, crc, len(head) + n_blocks * len(block) + len(tail))
    return write_package(path, Package(sheets=[Sheet("Tracker", part)]))


def make_ratio_bomb(path: Path, mib: int = 64) -> Path:
    """Under the total-size limit but one part compresses far beyond any real sheet."""
    return write_package(
        path, Package(sheets=[Sheet("Tracker", _streamed_sheet(mib * 2**20, b" "))])
    )


def make_lying_sizes(path: Path, mib: int = 64, declared: int = 100_000) -> Path:
    """A 64 MiB sheet whose zip headers claim 100 kB, so size and ratio checks pass."""
    make_ratio_bomb(path, mib)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    # Uncompressed-size fields: offset 22 in the local header, 24 in the central directory.
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    central = data.rfind(b"xl/worksheets/sheet1.xml") - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))
    return path


def make_sparse_corners(path: Path) -> Path:
    """Two cells, A1 and XFD1048576, and no <dimension>: tiny file, whole-grid extent."""
    xml = sheet_xml([["Practice Code"]], dimension=None).replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )
    return write_package(path, Package(sheets=[Sheet("Tracker", xml)]))


def make_many_entries(path: Path, n: int = 6000) -> Path:
    """A workbook padded with thousands of tiny custom XML parts."""
    extra = {f"customXml/item{i}.xml": b"<a/>" for i in range(n)}
    return simple_xlsx(path, extra_parts=extra)


def make_huge_dimension(path: Path) -> Path:
    """A tiny sheet that declares the whole 1,048,576 x 16,384 grid as its used range."""
    xml = sheet_xml(tracker_rows(), dimension="A1:XFD1048576")
    return write_package(path, Package(sheets=[Sheet("Tracker", xml)]))


BILLION_LAUGHS_DTD = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def make_billion_laughs(path: Path, prolog_padding: int = 0) -> Path:
    """Entity expansion in sharedStrings.xml; prolog_padding hides the DTD behind a comment."""
    pad = b"<!--" + b"x" * prolog_padding + b"-->\n" if prolog_padding else b""
    sst = (
        XML_DECL
        + pad
        + BILLION_LAUGHS_DTD
        + f'<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'.encode()
    )
    xml = sheet_xml([["Practice Code"], ["A81001"]])
    xml = xml.replace(
        b'<c r="A2" t="inlineStr"><is><t>A81001</t></is></c>', b'<c r="A2" t="s"><v>0</v></c>'
    )
    return write_package(path, Package(sheets=[Sheet("Tracker", xml)], shared_strings=sst))


def make_external_entity(path: Path) -> Path:
    """A SYSTEM entity pointing at /etc/passwd used as a cell value."""
    dtd = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    xml = sheet_xml([["Practice Code"], ["A81001"]], prolog=dtd)
    xml = xml.replace(b"<t>A81001</t>", b"<t>&xxe;</t>")
    return write_package(path, Package(sheets=[Sheet("Tracker", xml)]))


def make_encrypted(path: Path, password: str = "Tracker2026") -> Path:
    """A real Agile-encrypted workbook made by msoffcrypto-tool, with its randomness seeded."""
    import olefile
    from msoffcrypto.format.ooxml import OOXMLFile
    from msoffcrypto.method import ecma376_agile
    from msoffcrypto.method.container import ecma376_encrypted

    # msoffcrypto-tool 6.1 writes packages under 4 KiB into the OLE mini stream wrongly (they
    # will not decrypt), so encrypt a tracker big enough to live in ordinary sectors.
    plain = io.BytesIO(simple_xlsx_bytes(tracker_rows(200)))
    rng = random.Random(2026)

    class FixedClock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 1, 1)

    # Salts and keys come from `secrets` and the OLE directory stamps datetime.now(); pin both
    # (private hooks of msoffcrypto-tool 6.x, skipped if they move) so every run is identical.
    patches = [
        (ecma376_agile, "_random_buffer", rng.randbytes),
        (ecma376_encrypted, "datetime", FixedClock),
    ]
    saved = [(mod, name, getattr(mod, name)) for mod, name, _ in patches if hasattr(mod, name)]
    for mod, name, value in patches:
        if hasattr(mod, name):
            setattr(mod, name, value)
    try:
        out = io.BytesIO()
        OOXMLFile(plain).encrypt(password, out)
    finally:
        for mod, name, value in saved:
            setattr(mod, name, value)
    assert olefile.isOleFile(out.getvalue())
    path.write_bytes(out.getvalue())
    return path


def simple_xlsx_bytes(rows: Sequence[Sequence[object]] | None = None, **pkg_kw) -> bytes:
    """simple_xlsx, returned as bytes."""
    buf = io.BytesIO()
    xml = sheet_xml(
        rows if rows is not None else tracker_rows(), date1904=pkg_kw.get("date1904", False)
    )
    pkg = Package(sheets=[Sheet("Tracker", xml)], **pkg_kw)
    # write_package wants a path-like; zipfile accepts a file object just as well.
    write_package(buf, pkg)  # type: ignore[arg-type]
    return buf.getvalue()


def make_macro_enabled(path: Path) -> Path:
    """An .xlsm: macro-enabled workbook content type plus xl/vbaProject.bin."""
    fake_vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    pkg = Package(
        sheets=[Sheet("Tracker", sheet_xml(tracker_rows()))],
        workbook_content_type=CT_WORKBOOK_MACRO,
        extra_parts={"xl/vbaProject.bin": fake_vba},
        extra_overrides={"/xl/vbaProject.bin": CT_VBA},
        extra_workbook_rels=[(REL_VBA, "vbaProject.bin")],
    )
    return write_package(path, pkg)


def make_vba_only(path: Path) -> Path:
    """Ordinary xlsx content type, but a vbaProject.bin smuggled in."""
    pkg = Package(
        sheets=[Sheet("Tracker", sheet_xml(tracker_rows()))],
        extra_parts={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)},
    )
    return write_package(path, pkg)


def make_xlsb(path: Path) -> Path:
    """The package shape of an Excel Binary Workbook (content type + xl/workbook.bin)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            _zinfo("[Content_Types].xml"),
            XML_DECL
            + f'<Types xmlns="{NS_CT}">'.encode()
            + f'<Default Extension="bin" ContentType="{CT_WORKBOOK_BINARY}"/></Types>'.encode(),
        )
        zf.writestr(_zinfo("xl/workbook.bin"), bytes(64))
    return path


def make_no_sheets(path: Path) -> Path:
    """A well-formed package whose workbook lists no sheets at all."""
    return write_package(path, Package(sheets=[]))


def make_docx_renamed(path: Path) -> Path:
    """A Word-shaped OOXML package (no xl/workbook.xml)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_zinfo("[Content_Types].xml"), XML_DECL + f'<Types xmlns="{NS_CT}"/>'.encode())
        zf.writestr(_zinfo("word/document.xml"), XML_DECL + b"<document/>")
    return path


def ole2_bytes(stream_name: str = "Workbook", payload: bytes | None = None) -> bytes:
    """A minimal valid OLE2 compound file (version 3) holding one 4 KiB stream."""
    free, end, fat_sect, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    sector = 512
    if payload is None:
        # BIFF8 BOF (workbook globals) and EOF records: what Excel 97-2003 starts a Workbook with.
        payload = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
        payload += struct.pack("<HH", 0x000A, 0)
    payload = payload.ljust(4096, b"\x00")
    n_data = len(payload) // sector
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = [fat_sect, end] + [3 + i for i in range(n_data - 1)] + [end]
    fat += [free] * (128 - len(fat))
    fat_sector = struct.pack("<128I", *fat)

    def entry(name: str, obj_type: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        raw = bytearray(128)
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), obj_type, 1 if name else 0)
        struct.pack_into("<III", raw, 68, no_stream, no_stream, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    directory = (
        entry("Root Entry", 5, 1, end, 0)
        + entry(stream_name, 2, no_stream, 2, len(payload))
        + entry("", 0, no_stream, 0, 0) * 2
    )
    return bytes(header) + fat_sector + directory + payload


def png_bytes() -> bytes:
    """A real 1x1 opaque PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00\x1f\x4e\x8a\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def tracker_csv_text(rows: Iterable[Sequence[str]] = TRACKER_ROWS) -> str:
    """The cp1252/BOM tracker CSV as text, Excel-style CRLF line endings."""
    lines = [",".join(TRACKER_HEADER)] + [",".join(r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


# Codes of the right form that no practice has (no ODS practice code starts with Z).
KNOWN_PRACTICES = ["A81001", "A81002", "A81004", "A81005", "A81006"]


def absurd_tracker_csv(unknown: int, known: Sequence[str] = KNOWN_PRACTICES) -> bytes:
    """A tracker CSV of `unknown` made-up practice codes (Z00000, Z00001...) and the known ones."""
    codes = [*known, *(f"Z{n:05d}" for n in range(unknown))]
    lines = ["Practice Code,Current System,New System,Go Live Date"]
    lines += [f"{code},SystmOne,EMIS Web,02/03/2026" for code in codes]
    return ("\r\n".join(lines) + "\r\n").encode()


def make_formula_cells(path: Path) -> Path:
    """A tracker whose go-live cells are formulas with cached values (one never calculated)."""
    rows: list[list[object]] = [
        ["Practice Code", "Go Live Date", "Days To Go", "Status"],
        [
            "A81001",
            Formula("DATE(2026,3,2)", dt.date(2026, 3, 2)),
            Formula("B2-TODAY()", 45),
            "Planned",
        ],
        [
            "A81002",
            Formula("DATE(2026,3,16)", dt.date(2026, 3, 16)),
            59,
            Formula('IF(1,"Live","")', "Live"),
        ],
        ["A81003", Formula("DATE(2026,4,13)"), None, "Planned"],
    ]
    return write_package(path, Package(sheets=[Sheet("Tracker", sheet_xml(rows))]))


SPREADSHEET_ERROR_CODES = ("#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")


def error_cell_rows() -> list[list[object]]:
    """A wide tracker whose mapped cells hold formula errors: one per error code in Go Live
    Date, one in the ODS code and one in the target system, then one good row."""
    rows: list[list[object]] = [["Practice Code", "Target System", "Go Live Date", "Status"]]
    practices = ["A81001", "A81002", "A81004", "A81005", "A81006", "A81007", "A81009"]
    for ods, code in zip(practices, SPREADSHEET_ERROR_CODES, strict=True):
        rows.append([ods, "EMIS Web", CellError(code, "1/0"), "Planned"])
    rows.append([CellError("#N/A", "VLOOKUP(B2,Codes!A:B,2,0)"), "EMIS Web", None, "Planned"])
    rows.append(["A81011", CellError("#REF!"), dt.date(2026, 3, 2), "Planned"])
    rows.append(["A81012", "EMIS Web", dt.date(2026, 3, 9), "Planned"])
    return rows


def make_error_cells(path: Path) -> Path:
    """The error-cell tracker as Excel saves it: t="e" cells with the error text cached."""
    sheet = Sheet("Tracker", sheet_xml(error_cell_rows()))
    return write_package(path, Package(sheets=[sheet]))


def make_error_cells_ods(path: Path) -> Path:
    """The error-cell tracker as LibreOffice saves it in .ods, with two blank rows (one row
    element repeated) after the header, so error cells are placed by counting repeats."""
    rows = error_cell_rows()
    blank = '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
    body = ods_rows(rows[:1]) + blank + ods_rows(rows[1:])
    return write_ods(path, ods_content({"Tracker": body}))


def make_hidden_sheets(path: Path) -> Path:
    """A hidden and a very hidden lookup sheet before the visible tracker sheet."""
    lookup = sheet_xml([["Code", "System"], ["EMIS", "EMIS Web"], ["TPP", "SystmOne"]])
    very = sheet_xml([["Secret"], ["x"]])
    return write_package(
        path,
        Package(
            sheets=[
                Sheet("Lookups", lookup, state="hidden"),
                Sheet("Config", very, state="veryHidden"),
                Sheet("Tracker", sheet_xml(tracker_rows())),
            ]
        ),
    )


def make_all_hidden_sheets(path: Path) -> Path:
    """A workbook whose every sheet is hidden, the tracker one too."""
    return write_package(
        path,
        Package(
            sheets=[
                Sheet("Lookups", sheet_xml([["Code"], ["EMIS"]]), state="hidden"),
                Sheet("Tracker", sheet_xml(tracker_rows()), state="hidden"),
            ]
        ),
    )


def make_data_from_c5(path: Path) -> Path:
    """Used range starting at C5: title-free tracker offset from the corner."""
    xml = sheet_xml(tracker_rows(), origin=(5, 3))
    return write_package(path, Package(sheets=[Sheet("Tracker", xml)]))


def make_date1904(path: Path) -> Path:
    """A workbook using the 1904 date system (old Mac Excel)."""
    xml = sheet_xml(tracker_rows(), date1904=True)
    return write_package(path, Package(sheets=[Sheet("Tracker", xml)], date1904=True))


# --------------------------------------------------------------------------------------------
# .xls (OLE2 / BIFF8)


def biff_record(record: int, body: bytes = b"") -> bytes:
    """One BIFF8 record: type, length, body."""
    return struct.pack("<HH", record, len(body)) + body


BIFF_BOF = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)


def biff_boundsheet(name: str, state: int = 0, sheet_type: int = 0) -> bytes:
    """A BoundSheet8 record (sheet name stored as UTF-16)."""
    body = struct.pack("<IBBBB", 0, state, sheet_type, len(name), 1) + name.encode("utf-16-le")
    return biff_record(0x0085, body)


def xls_globals(*records: bytes) -> bytes:
    """A Workbook stream holding only workbook globals: BOF, records, EOF."""
    return biff_record(0x0809, BIFF_BOF) + b"".join(records) + biff_record(0x000A)


def make_encrypted_biff(path: Path) -> Path:
    """An .xls whose globals carry a FILEPASS record (RC4 CryptoAPI header), as Excel writes."""
    filepass = struct.pack("<HHH", 1, 4, 2) + bytes(range(48))
    stream = xls_globals(biff_record(0x002F, filepass), biff_boundsheet("Tracker"))
    path.write_bytes(ole2_bytes(payload=stream))
    return path


# --------------------------------------------------------------------------------------------
# .ods (OpenDocument zip)

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"'
)
ODS_MANIFEST = (
    XML_DECL + b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
    b'manifest:1.0" manifest:version="1.3">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type="'
    + ODS_MIMETYPE
    + b'"/><manifest:file-entry manifest:full-path="content.xml" '
    b'manifest:media-type="text/xml"/></manifest:manifest>'
)


ODS_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def ods_cell(value: object) -> str:
    """One <table:table-cell> for a Python value."""
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, CellError):
        # As LibreOffice saves a formula error: an empty string value marked calcext "error".
        formula = quoteattr(f"of:={value.formula or 'NA()'}")
        return (
            f'<table:table-cell xmlns:calcext="{ODS_CALCEXT}" table:formula={formula} '
            'office:value-type="string" office:string-value="" calcext:value-type="error">'
            f"<text:p>{escape(value.code)}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            value = value.date()
        iso = value.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{iso}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def ods_content(tables: dict[str, str], prolog: bytes = b"") -> bytes:
    """content.xml for tables given as name -> the rows' XML."""
    body = "".join(
        f"<table:table table:name={quoteattr(name)}>{rows}</table:table>"
        for name, rows in tables.items()
    )
    return (
        XML_DECL
        + prolog
        + f"<office:document-content {ODS_NS}><office:body><office:spreadsheet>".encode()
        + body.encode()
        + b"</office:spreadsheet></office:body></office:document-content>"
    )


def ods_rows(rows: Sequence[Sequence[object]]) -> str:
    """Row XML for a block of rows starting at A1."""
    return "".join(
        "<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>"
        for row in rows
    )


def write_ods(
    path: Path,
    content: bytes | Deflated,
    manifest: bytes = ODS_MANIFEST,
    extra_parts: dict[str, bytes] | None = None,
) -> Path:
    """An .ods package: mimetype first and stored, as the standard requires."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        mimetype = zipfile.ZipInfo("mimetype", date_time=ZIP_TIME)
        mimetype.compress_type = zipfile.ZIP_STORED
        zf.writestr(mimetype, ODS_MIMETYPE)
        zf.writestr(_zinfo("META-INF/manifest.xml"), manifest)
        if isinstance(content, Deflated):
            info = _zinfo("content.xml")
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w") as out:
                for chunk in content.chunks():
                    out.write(chunk)
        else:
            zf.writestr(_zinfo("content.xml"), content)
        for name, data in (extra_parts or {}).items():
            zf.writestr(_zinfo(name), data)
    if isinstance(content, Deflated):
        _relabel_deflated(path, "content.xml", content)
    return path


def make_ods(path: Path) -> Path:
    """A valid one-sheet .ods tracker."""
    return write_ods(path, ods_content({"Tracker": ods_rows(tracker_rows())}))


def make_ods_zip_bomb(path: Path, gib: float = 1.0) -> Path:
    """An .ods whose content.xml inflates to gib GiB of spaces."""
    tail = b"</office:document-content>"
    return write_ods(path, _space_bomb(ods_content({})[: -len(tail)], tail, gib))


def make_ods_entities(path: Path, part: str = "content.xml") -> Path:
    """Billion laughs in content.xml (or styles.xml)."""
    laughs = ods_content(
        {"Tracker": ods_rows([["Practice Code"]]).replace("Practice Code", "&lol9;")},
        prolog=BILLION_LAUGHS_DTD,
    )
    if part == "content.xml":
        return write_ods(path, laughs)
    styles = XML_DECL + BILLION_LAUGHS_DTD + f"<office:document-styles {ODS_NS}/>".encode()
    content = ods_content({"Tracker": ods_rows(tracker_rows())})
    return write_ods(path, content, extra_parts={part: styles})


def make_ods_encrypted(path: Path) -> Path:
    """The shape of a password-protected .ods: encryption-data in the manifest, ciphertext."""
    manifest = ODS_MANIFEST.replace(
        b'manifest:media-type="text/xml"/>',
        b'manifest:media-type="text/xml" manifest:size="1234"><manifest:encryption-data '
        b'manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" '
        b'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name='
        b'"http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>'
        b"</manifest:encryption-data></manifest:file-entry>",
    )
    rng = random.Random(11)
    return write_ods(path, bytes(rng.randrange(256) for _ in range(2048)), manifest)


def make_ods_huge_repeat(path: Path, rows: int = 1_000_000, columns: int = 1_000_000) -> Path:
    """One non-empty cell repeated across rows x columns: a few hundred bytes on disk."""
    cell = (
        f'<table:table-cell table:number-columns-repeated="{columns}" '
        'office:value-type="string"><text:p>A81001</text:p></table:table-cell>'
    )
    row = f'<table:table-row table:number-rows-repeated="{rows}">{cell}</table:table-row>'
    header = ods_rows([["Practice Code"]])
    return write_ods(path, ods_content({"Tracker": header + row}))


def make_ods_macro(path: Path) -> Path:
    """An .ods carrying a LibreOffice Basic library."""
    module = (
        XML_DECL + b'<script:module xmlns:script="http://openoffice.org/2000/script" '
        b'script:name="Module1" script:language="StarBasic">Sub Main\nEnd Sub</script:module>'
    )
    content = ods_content({"Tracker": ods_rows(tracker_rows())})
    return write_ods(path, content, extra_parts={"Basic/Standard/Module1.xml": module})


def _space_bomb(head: bytes, tail: bytes, gib: float) -> Deflated:
    block = b" " * 2**20
    n_blocks = int(gib * 1024)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    repeat = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    last = co.compress(tail) + co.flush()
    crc = zlib.crc32(head)
    for _ in range(n_blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)

    def chunks() -> Iterable[bytes]:
        yield first
        for _ in range(n_blocks):
            yield repeat
        yield last

    return Deflated(chunks, crc, len(head) + n_blocks * len(block) + len(tail))


# --------------------------------------------------------------------------------------------
# .xlsb (zip of BIFF12 records)

CT_XLSB_SHEET = "application/vnd.ms-excel.worksheet"
CT_XLSB_STYLES = "application/vnd.ms-excel.styles"
CT_XLSB_SST = "application/vnd.ms-excel.sharedStrings"


def xlsb_record(record: int, body: bytes = b"") -> bytes:
    """One BIFF12 record: 1-2 byte type, 1-4 byte size (7 bits a byte), body."""
    head = bytes([record]) if record < 0x80 else bytes([(record & 0x7F) | 0x80, record >> 7])
    size, out = len(body), bytearray()
    while True:
        byte = size & 0x7F
        size >>= 7
        out.append(byte | (0x80 if size else 0))
        if not size:
            break
    return head + bytes(out) + body


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def write_xlsb(
    path: Path,
    sheets: Sequence[tuple[str, Sequence[Sequence[object]], int]],
    *,
    date1904: bool = False,
    vba: bool = False,
    dimension: tuple[int, int, int, int] | None = None,
) -> Path:
    """An .xlsb: sheets as (name, rows from A1, state 0 visible / 1 hidden); dates styled 14."""
    strings: dict[str, int] = {}
    sheet_parts = []
    for _name, rows, _state in sheets:
        cells = bytearray()
        for r, row in enumerate(rows):
            cells += xlsb_record(0x0000, struct.pack("<IIHHBB", r, 0, 300, 0, 0, 0) + bytes(8))
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    cells += xlsb_record(0x0004, struct.pack("<IIB", c, 0, int(value)))
                elif isinstance(value, dt.date):
                    serial = excel_serial(value, date1904)
                    cells += xlsb_record(0x0005, struct.pack("<IId", c, 1, serial))
                elif isinstance(value, int | float):
                    cells += xlsb_record(0x0005, struct.pack("<IId", c, 0, float(value)))
                else:
                    index = strings.setdefault(str(value), len(strings))
                    cells += xlsb_record(0x0007, struct.pack("<III", c, 0, index))
        width = max((len(r) for r in rows), default=1)
        dim = dimension or (0, max(len(rows) - 1, 0), 0, max(width - 1, 0))
        sheet_parts.append(
            xlsb_record(0x0081)
            + xlsb_record(0x0094, struct.pack("<IIII", *dim))
            + xlsb_record(0x0091)
            + bytes(cells)
            + xlsb_record(0x0092)
            + xlsb_record(0x0082)
        )
    sst = (
        xlsb_record(0x009F, struct.pack("<II", len(strings), len(strings)))
        + b"".join(xlsb_record(0x0013, b"\x00" + _wide(s)) for s in strings)
        + xlsb_record(0x00A0)
    )
    xf = struct.pack("<HHHHHHI", 0xFFFF, 0, 0, 0, 0, 0, 0)
    date_xf = struct.pack("<HHHHHHI", 0, 14, 0, 0, 0, 0, 0)
    styles = (
        xlsb_record(0x0116)
        + xlsb_record(0x0267, struct.pack("<I", 0))
        + xlsb_record(0x0268)
        + xlsb_record(0x0269, struct.pack("<I", 2))
        + xlsb_record(0x002F, xf)
        + xlsb_record(0x002F, date_xf)
        + xlsb_record(0x026A)
        + xlsb_record(0x0117)
    )
    bundle = b"".join(
        xlsb_record(0x009C, struct.pack("<II", state, i + 1) + _wide(f"rId{i + 1}") + _wide(name))
        for i, (name, _rows, state) in enumerate(sheets)
    )
    workbook = (
        xlsb_record(0x0083)
        + xlsb_record(0x0099, struct.pack("<II", int(date1904), 0) + _wide(""))
        + xlsb_record(0x008F)
        + bundle
        + xlsb_record(0x0090)
        + xlsb_record(0x0084)
    )
    n = len(sheets)
    rels = [(f"rId{i + 1}", REL_WORKSHEET, f"worksheets/sheet{i + 1}.bin") for i in range(n)]
    rels.append((f"rId{n + 1}", REL_STYLES, "styles.bin"))
    rels.append((f"rId{n + 2}", REL_SST, "sharedStrings.bin"))
    overrides = {f"/xl/worksheets/sheet{i + 1}.bin": CT_XLSB_SHEET for i in range(n)}
    overrides |= {"/xl/styles.bin": CT_XLSB_STYLES, "/xl/sharedStrings.bin": CT_XLSB_SST}
    if vba:
        rels.append((f"rId{n + 3}", REL_VBA, "vbaProject.bin"))
        overrides["/xl/vbaProject.bin"] = CT_VBA
    content_types = (
        XML_DECL + f'<Types xmlns="{NS_CT}">'.encode() + b'<Default Extension="rels" '
        b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + f'<Override PartName="/xl/workbook.bin" ContentType="{CT_WORKBOOK_BINARY}"/>'.encode()
        + "".join(
            f'<Override PartName="{part}" ContentType="{ct}"/>' for part, ct in overrides.items()
        ).encode()
        + b"</Types>"
    )
    root_rels = (
        XML_DECL
        + f'<Relationships xmlns="{NS_PKG_RELS}">'.encode()
        + f'<Relationship Id="rId1" Type="{REL_OFFICE_DOC}" Target="xl/workbook.bin"/>'.encode()
        + b"</Relationships>"
    )
    workbook_rels = (
        XML_DECL
        + f'<Relationships xmlns="{NS_PKG_RELS}">'.encode()
        + "".join(
            f'<Relationship Id="{rid}" Type="{t}" Target="{target}"/>' for rid, t, target in rels
        ).encode()
        + b"</Relationships>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_zinfo("[Content_Types].xml"), content_types)
        zf.writestr(_zinfo("_rels/.rels"), root_rels)
        zf.writestr(_zinfo("xl/workbook.bin"), workbook)
        zf.writestr(_zinfo("xl/_rels/workbook.bin.rels"), workbook_rels)
        zf.writestr(_zinfo("xl/styles.bin"), styles)
        zf.writestr(_zinfo("xl/sharedStrings.bin"), sst)
        for i, part in enumerate(sheet_parts, start=1):
            zf.writestr(_zinfo(f"xl/worksheets/sheet{i}.bin"), part)
        if vba:
            zf.writestr(_zinfo("xl/vbaProject.bin"), OLE2_STUB)
    return path


OLE2_STUB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def make_xlsb_tracker(path: Path, **kw) -> Path:
    """A valid .xlsb: the tracker plus a hidden lookup sheet."""
    lookups = [["System"], ["EMIS Web"], ["SystmOne"]]
    return write_xlsb(path, [("Tracker", tracker_rows(), 0), ("Lookups", lookups, 1)], **kw)


# ---------------------------------------------------------------------------- text amplification
# Small files that unpack to far more text than any tracker holds: one long text reused in every
# row. Each must be refused by the reader before the text reaches the server.
MAX_EXCEL_TEXT = 32_767  # the longest text an Excel cell holds


def amplified_rows(n_rows: int, note: str) -> list[list[object]]:
    """A wide tracker of n_rows made-up practices, each with the same long note."""
    rows: list[list[object]] = [
        ["Practice Code", "Practice Name", "Current System", "Go Live Date", "Notes"]
    ]
    for i in range(n_rows):
        rows.append([f"A{81001 + i:05d}", f"Practice {i + 1}", "EMIS Web", "02/03/2026", note])
    return rows


def make_shared_note_amplifier(path: Path, n_rows: int = 20_000) -> Path:
    """An xlsx whose notes are one 32,767-character shared string, used by every row."""
    sst: dict[str, int] = {}
    xml = sheet_xml(amplified_rows(n_rows, "N" * MAX_EXCEL_TEXT), sst=sst)
    package = Package(sheets=[Sheet("Tracker", xml)], shared_strings=shared_strings_xml(sst))
    return write_package(path, package)


def make_repeated_note_ods(path: Path, n_rows: int = 20_000) -> Path:
    """An .ods of one row repeated n_rows times whose note is 32,767 characters."""
    header, row = amplified_rows(1, "N" * MAX_EXCEL_TEXT)
    repeated = "".join(ods_cell(v) for v in row)
    rows = (
        ods_rows([header])
        + f'<table:table-row table:number-rows-repeated="{n_rows}">{repeated}</table:table-row>'
    )
    return write_ods(path, ods_content({"Tracker": rows}))


def long_text_csv(n_rows: int = 1_100, columns: int = 8, chars: int = 2_000) -> bytes:
    """A CSV with more text than an upload may hold: every cell of every row 2,000 characters."""
    header = ["Practice Code", "Go Live Date", *(f"Notes {n}" for n in range(1, columns + 1))]
    lines = [",".join(header)]
    for i in range(n_rows):
        lines.append(",".join([f"A{81001 + i:05d}", "02/03/2026", *(["T" * chars] * columns)]))
    return ("\r\n".join(lines) + "\r\n").encode()


def make_long_cells(path: Path) -> Path:
    """A small tracker with a 5,000-character note, a 300-character practice name and a note
    of Excel's longest text: kept, cut to the field limits with warnings naming the cells."""
    header = ["Practice Code", "Practice Name", "New System", "Go Live Date", "Notes"]
    go_live = dt.datetime(2026, 3, 2)
    rows: list[list[object]] = [
        header,
        ["A81001", "Practice 1", "EMIS Web", go_live, "Long note. " + "x" * 4_989],
        ["A81002", "P" * 300, "EMIS Web", go_live, None],
        ["A81004", "Practice 3", "EMIS Web", go_live, "n" * MAX_EXCEL_TEXT],
    ]
    return simple_xlsx(path, rows)


def make_all(outdir: Path | str) -> dict[str, Path]:
    """Write every fixture into outdir and return file name -> path."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def put(name: str, maker: Callable[[Path], Path]) -> None:
        files[name] = maker(out / name)

    def raw(name: str, data: bytes) -> None:
        (out / name).write_bytes(data)
        files[name] = out / name

    put("zip_bomb.xlsx", make_zip_bomb)
    put("ratio_bomb.xlsx", make_ratio_bomb)
    put("lying_sizes.xlsx", make_lying_sizes)
    put("sparse_corners.xlsx", make_sparse_corners)
    put("many_entries.xlsx", make_many_entries)
    put("huge_dimension.xlsx", make_huge_dimension)
    put("billion_laughs.xlsx", make_billion_laughs)
    put("padded_laughs.xlsx", lambda p: make_billion_laughs(p, prolog_padding=8192))
    put("external_entity.xlsx", make_external_entity)
    put("encrypted.xlsx", make_encrypted)
    put("macro_enabled.xlsm", make_macro_enabled)
    raw("macro_renamed.xlsx", files["macro_enabled.xlsm"].read_bytes())
    put("vba_smuggled.xlsx", make_vba_only)
    put("binary.xlsb", make_xlsb)
    put("valid.xlsb", make_xlsb_tracker)
    put("date1904.xlsb", lambda p: make_xlsb_tracker(p, date1904=True))
    put("macro.xlsb", lambda p: make_xlsb_tracker(p, vba=True))
    put("huge_dimension.xlsb", lambda p: make_xlsb_tracker(p, dimension=(0, 1048575, 0, 16383)))
    put("valid.ods", make_ods)
    put("zip_bomb.ods", make_ods_zip_bomb)
    put("billion_laughs.ods", make_ods_entities)
    put("styles_entity.ods", lambda p: make_ods_entities(p, "styles.xml"))
    put("encrypted.ods", make_ods_encrypted)
    put("huge_repeat.ods", make_ods_huge_repeat)
    put("long_repeat.ods", lambda p: make_ods_huge_repeat(p, rows=1_000_000, columns=1))
    put("macro.ods", make_ods_macro)
    raw("ods_renamed.xlsx", files["valid.ods"].read_bytes())
    put("encrypted_biff.xls", make_encrypted_biff)
    raw("xlm_macro.xls", ole2_bytes(payload=xls_globals(biff_boundsheet("Macro1", 0, 1))))
    raw("vba.xls", ole2_bytes("_VBA_PROJECT_CUR"))
    raw("word_renamed.xls", ole2_bytes("WordDocument"))
    raw("truncated.xls", ole2_bytes()[:700])
    raw("ole_garbage.xls", OLE2_STUB[:8] + random.Random(5).randbytes(4096))
    put("no_sheets.xlsx", make_no_sheets)
    put("docx_renamed.xlsx", make_docx_renamed)
    raw("legacy.xls", ole2_bytes())
    valid = simple_xlsx_bytes()
    raw("truncated.xlsx", valid[: len(valid) // 2])
    raw("png_renamed.xlsx", png_bytes())
    raw("pdf_renamed.csv", PDF_BYTES)
    raw("empty.xlsx", b"")
    raw("empty.csv", b"")
    rng = random.Random(7)
    raw("binary.csv", bytes(rng.randrange(256) for _ in range(4096)) + b"\x00" * 16)
    raw("bad_encoding.csv", b"Practice Code,Practice Name\r\nA81001,Caf\x81\r\n")
    raw("utf16.csv", tracker_csv_text().encode("utf-16"))
    raw("html_renamed.xls", b"<html><body><table><tr><td>A81001</td></tr></table></body></html>")
    put("formula_cells.xlsx", make_formula_cells)
    put("error_cells.xlsx", make_error_cells)
    put("error_cells.ods", make_error_cells_ods)
    put("all_hidden.xlsx", make_all_hidden_sheets)
    # more migrations than practices in England, and most codes not in the mapping
    raw("too_many_migrations.csv", absurd_tracker_csv(7000))
    raw("unknown_practices.csv", absurd_tracker_csv(25))
    put("hidden_sheets.xlsx", make_hidden_sheets)
    put("shared_note.xlsx", make_shared_note_amplifier)
    put("repeated_note.ods", make_repeated_note_ods)
    raw("long_text.csv", long_text_csv())
    put("long_cells.xlsx", make_long_cells)
    raw("cp1252.csv", tracker_csv_text().encode("cp1252"))
    raw("bom.csv", tracker_csv_text().encode("utf-8-sig"))
    put("data_from_c5.xlsx", make_data_from_c5)
    put("date1904.xlsx", make_date1904)
    put("valid.xlsx", simple_xlsx)
    return files


def main(argv: list[str]) -> int:
    """Command-line entry: write all fixtures to the given directory."""
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    for name, path in sorted(make_all(argv[1]).items()):
        print(f"{path.stat().st_size:>10,}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
