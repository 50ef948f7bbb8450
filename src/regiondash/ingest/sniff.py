"""Cheap first look at untrusted upload bytes: what kind of file, and is it safe to parse.

Runs in the server process, so it never decompresses more than a few KiB of any zip entry and
never hands a whole XML part to a parser until its head has been checked for DTDs.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from regiondash.ingest.errors import SAVE_AS_XLSX, UnreadableFile, refuse, size_text

if TYPE_CHECKING:
    from regiondash.ingest.worker import Limits

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
HEAD_BYTES = 4096
TEXT_PROBE_BYTES = 8192
RATIO_MIN_ENTRY_BYTES = 2**20
# Whole-part reads in the sniffer are only for the small package parts below.
MAX_SMALL_PART_BYTES = 8 * 2**20

# Other formats people rename or mis-save; named in the message so the fix is obvious.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"{\\rtf", "a Word (RTF) document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# What may legally precede the root element of an XML part.
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']", re.DOTALL
)
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_MEDIA_EXT = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".bin")


@dataclass
class SniffResult:
    """What the bytes are; for xlsx also the worksheets declared in xl/workbook.xml."""

    file_kind: str  # "xlsx" | "csv"
    sheet_names: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    date1904: bool = False


def sniff(data: bytes, file_name: str, limits: Limits) -> SniffResult:
    """Classify untrusted bytes as xlsx or csv, or raise UnreadableFile saying why not."""
    if len(data) == 0:
        raise refuse(
            file_name,
            "empty",
            "is empty (0 bytes). Check you picked the right file and upload it again.",
        )
    if len(data) > limits.max_file_bytes:
        raise refuse(
            file_name,
            "too_large",
            f"is {size_text(len(data))}, over the {size_text(limits.max_file_bytes)} upload "
            f"limit. Save a copy that holds only the tracker sheet and upload that.",
        )
    if data.startswith(OLE2_MAGIC):
        raise _ole2_refusal(data, file_name)
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data, file_name, limits)
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            raise _not_spreadsheet(file_name, f"it is {kind}")
    return _sniff_text(data[:TEXT_PROBE_BYTES], file_name)


def _not_spreadsheet(file_name: str, why: str, advice: str | None = None) -> UnreadableFile:
    return refuse(
        file_name,
        "not_spreadsheet",
        f"is not an Excel workbook (.xlsx) or a CSV file ({why}). "
        + (advice or "Upload the tracker saved from Excel as .xlsx or .csv."),
    )


def _corrupt(file_name: str) -> UnreadableFile:
    return refuse(
        file_name,
        "corrupt",
        "looks like an Excel workbook but is damaged or incomplete (it may not have finished "
        "downloading or copying). " + SAVE_AS_XLSX,
    )


def _ole2_refusal(data: bytes, file_name: str) -> UnreadableFile:
    # Excel's password encryption wraps the real xlsx in an OLE2 file whose directory holds a
    # stream called EncryptedPackage; any other OLE2 spreadsheet is the 97-2003 format.
    if ENCRYPTED_PACKAGE in data:
        return refuse(
            file_name,
            "encrypted",
            "is protected with a password. Remove the password in Excel (File > Info > "
            "Protect Workbook > Encrypt with Password, clear it) and save again.",
        )
    return refuse(
        file_name,
        "legacy_xls",
        "is an old Excel 97-2003 .xls workbook. Open it in Excel and save as .xlsx.",
    )


def _sniff_text(head: bytes, file_name: str) -> SniffResult:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(
            file_name,
            "text_encoding",
            "is a text file saved as UTF-16 ('Unicode Text'), which cannot be read. In Excel use "
            "File > Save As and choose 'CSV UTF-8 (Comma delimited) (*.csv)', then upload that.",
        )
    if b"\x00" in head:
        raise _not_spreadsheet(file_name, "it holds binary data, not text")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<body")):
        raise _not_spreadsheet(
            file_name,
            "it is a web page (HTML), often produced by a system 'Export to Excel' button",
            SAVE_AS_XLSX,
        )
    if start.startswith(b"<?xml"):
        kind = (
            "it is an Excel 2003 XML spreadsheet"
            if b"urn:schemas-microsoft-com:office:spreadsheet" in head
            else "it is an XML file"
        )
        raise _not_spreadsheet(file_name, kind, SAVE_AS_XLSX)
    return SniffResult(file_kind="csv")


def _sniff_zip(data: bytes, file_name: str, limits: Limits) -> SniffResult:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _corrupt(file_name) from None
    with zf:
        _check_zip_bounds(infos, file_name, limits)
        by_name = _index_names(infos, file_name)
        try:
            return _sniff_package(zf, by_name, file_name, limits)
        except UnreadableFile:
            raise
        except DefusedXmlException:
            raise xml_entities_refusal(file_name) from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            KeyError,
            DefusedET.ParseError,
            NotImplementedError,
        ):
            # NotImplementedError: zipfile met a compression method it has no decoder for.
            raise _corrupt(file_name) from None


def _check_zip_bounds(infos: list[zipfile.ZipInfo], file_name: str, limits: Limits) -> None:
    # All three use only the central directory, so nothing is decompressed yet.
    why = None
    if len(infos) > limits.max_zip_entries:
        why = f"it holds {len(infos):,} parts; a workbook has a few dozen"
    else:
        total = sum(i.file_size for i in infos)
        if total > limits.max_uncompressed_bytes:
            why = f"it unpacks to {size_text(total)}"
        else:
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > RATIO_MIN_ENTRY_BYTES and ratio > limits.max_compression_ratio:
                    why = f"one part is compressed {ratio:,.0f} to 1, far beyond any real sheet"
                    break
    if why:
        raise refuse(
            file_name,
            "zip_bomb",
            f"would expand to far more data than a tracker holds ({why}), so it was not opened. "
            "Open it in Excel and save a copy with only the tracker sheet, or ask the sender "
            "for a normal export.",
        )


def _index_names(infos: list[zipfile.ZipInfo], file_name: str) -> dict[str, zipfile.ZipInfo]:
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        key = info.filename.lower()
        # Part names are case-insensitive in OOXML: two entries that differ only in case (or
        # repeat) let this check see one part while a reader parses the other.
        if key in by_name:
            raise _corrupt(file_name)
        if info.flag_bits & 0x1:
            raise refuse(
                file_name,
                "encrypted",
                "is protected with a password. Remove the password in Excel (File > Info > "
                "Protect Workbook > Encrypt with Password, clear it) and save again.",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _corrupt(file_name)
        by_name[key] = info
    return by_name


def xml_entities_refusal(file_name: str) -> UnreadableFile:
    """The xml_entities refusal (also used when a reader's defusedxml trips in the child)."""
    return refuse(
        file_name,
        "xml_entities",
        "contains XML document type declarations (DOCTYPE/ENTITY), which Excel never writes "
        "and which can be used to attack the server, so it was not opened. Open it in Excel and "
        "save it again as .xlsx, or ask the sender for a normal export.",
    )


def _read_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as part:
        return part.read(HEAD_BYTES)


def _read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str) -> bytes:
    if info.file_size > MAX_SMALL_PART_BYTES:
        raise _corrupt(file_name)
    with zf.open(info) as part:
        content = part.read(MAX_SMALL_PART_BYTES + 1)
    if len(content) > MAX_SMALL_PART_BYTES:
        raise _corrupt(file_name)
    return content


def _xml_view(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes, whatever Unicode encoding the part uses."""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(codec, "ignore").encode("utf-8", "ignore")
    if head[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16-le" if head[0:1] == b"<" else "utf-16-be"
        return head.decode(codec, "ignore").encode("utf-8", "ignore")
    return head


def _check_xml_head(head: bytes, info: zipfile.ZipInfo, file_name: str) -> None:
    name = info.filename.lower()
    if name.endswith(_MEDIA_EXT):
        return  # never handed to an XML parser
    view = _xml_view(head)
    if _DTD.search(view):
        raise xml_entities_refusal(file_name)
    stripped = view.lstrip()
    if not (name.endswith((".xml", ".rels", ".vml")) or stripped[:1] in (b"<", b"")):
        return
    pos = 0
    while match := _PROLOG_ITEM.match(view, pos):
        pos = match.end()
    if _ROOT_START.match(view, pos) or info.file_size <= len(head):
        return
    # The prolog runs past the head (padding, a long comment), so a DOCTYPE could sit beyond
    # what was read. Excel's prolog is one short declaration: refuse rather than guess.
    raise xml_entities_refusal(file_name)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element, local_name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == local_name:
            return value
    return None


def _sniff_package(
    zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], file_name: str, limits: Limits
) -> SniffResult:
    heads: dict[str, bytes] = {}
    for key, info in by_name.items():
        if info.is_dir() or info.file_size == 0:
            continue
        heads[key] = _read_head(zf, info)
        _check_xml_head(heads[key], info, file_name)

    if "mimetype" in by_name and b"opendocument.spreadsheet" in heads.get("mimetype", b""):
        raise _not_spreadsheet(
            file_name,
            "it is an OpenDocument spreadsheet (.ods)",
            "Open it in Excel or LibreOffice and save as .xlsx.",
        )
    if "[content_types].xml" not in by_name:
        raise _not_spreadsheet(file_name, "it is a zip archive, not a workbook")
    types_root = DefusedET.fromstring(
        _read_small(zf, by_name["[content_types].xml"], file_name), forbid_dtd=True
    )
    content_types = [
        (_attr(el, "ContentType") or "").lower()
        for el in types_root.iter()
        if _local(el.tag) in ("Default", "Override")
    ]

    if "xl/workbook.bin" in by_name or any("sheet.binary" in ct for ct in content_types):
        raise refuse(
            file_name,
            "xlsb",
            "is an Excel Binary Workbook (.xlsb), which cannot be read. In Excel use File > "
            "Save As, choose 'Excel Workbook (*.xlsx)' and upload the new copy.",
        )
    has_vba = any(posixpath.basename(k) == "vbaproject.bin" for k in by_name)
    if has_vba or any("macroenabled" in ct or "macrosheet" in ct for ct in content_types):
        raise refuse(
            file_name,
            "macro_enabled",
            "is a macro-enabled workbook (it contains VBA or Excel 4 macros), which is not "
            "accepted. In Excel use File > Save As, choose 'Excel Workbook (*.xlsx)' to save a "
            "copy without macros, and upload that.",
        )
    if "xl/workbook.xml" not in by_name:
        raise _not_spreadsheet(file_name, "it is an Office document, but not an Excel workbook")

    workbook = DefusedET.fromstring(
        _read_small(zf, by_name["xl/workbook.xml"], file_name), forbid_dtd=True
    )
    rels = _workbook_rels(zf, by_name, file_name)
    date1904 = False
    declared: list[tuple[str, bool, str | None]] = []
    for el in workbook.iter():
        tag = _local(el.tag)
        if tag == "workbookPr":
            date1904 = (_attr(el, "date1904") or "").strip().lower() in ("1", "true")
        elif tag == "sheet":
            name = _attr(el, "name") or ""
            hidden = (_attr(el, "state") or "visible") != "visible"
            declared.append((name, hidden, rels.get(_attr(el, "id") or "")))

    sheet_names: list[str] = []
    hidden_sheets: list[str] = []
    for name, hidden, target in declared:
        if target is None:
            continue
        rel_type, part = target
        if rel_type.endswith("/macrosheet"):
            raise refuse(
                file_name,
                "macro_enabled",
                "is a macro-enabled workbook (it contains Excel 4 macro sheets), which is not "
                "accepted. In Excel use File > Save As, choose 'Excel Workbook (*.xlsx)' to save "
                "a copy without macros, and upload that.",
            )
        if not rel_type.endswith("/worksheet"):
            continue  # chart and dialog sheets have no cells
        if part.lower() not in by_name:
            raise _corrupt(file_name)
        _check_dimension(heads.get(part.lower(), b""), name, file_name, limits)
        sheet_names.append(name)
        if hidden:
            hidden_sheets.append(name)
    if not sheet_names:
        raise no_sheets_refusal(file_name)
    return SniffResult("xlsx", sheet_names, hidden_sheets, date1904)


def no_sheets_refusal(file_name: str) -> UnreadableFile:
    """The no_sheets refusal."""
    return refuse(
        file_name,
        "no_sheets",
        "has no worksheets with cells to read. Check it is the tracker, open it in Excel, "
        "add the tracker sheet and save again.",
    )


def _workbook_rels(
    zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], file_name: str
) -> dict[str, tuple[str, str]]:
    info = by_name.get("xl/_rels/workbook.xml.rels")
    if info is None:
        raise _corrupt(file_name)
    root = DefusedET.fromstring(_read_small(zf, info, file_name), forbid_dtd=True)
    rels: dict[str, tuple[str, str]] = {}
    for el in root.iter():
        if _local(el.tag) != "Relationship" or (_attr(el, "TargetMode") or "") == "External":
            continue
        target = _attr(el, "Target") or ""
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        rels[_attr(el, "Id") or ""] = ((_attr(el, "Type") or "").lower(), posixpath.normpath(part))
    return rels


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - 64)
    return number


def parse_ref(ref: str) -> tuple[int, int, int, int] | None:
    """An A1 or A1:B2 reference as (first_row, first_col, last_row, last_col), 1-based."""
    parts = ref.strip().split(":")
    if not 1 <= len(parts) <= 2:
        return None
    cells = [_CELL_REF.match(p) for p in parts]
    if not all(cells):
        return None
    rows = [int(m.group(2)) for m in cells if m]
    cols = [_column_number(m.group(1)) for m in cells if m]
    return min(rows), min(cols), max(rows), max(cols)


def _check_dimension(head: bytes, sheet: str, file_name: str, limits: Limits) -> None:
    match = _DIMENSION.search(_xml_view(head))
    if not match:
        return  # optional element; the reader enforces the real extent anyway
    parsed = parse_ref(match.group(1).decode("ascii", "replace"))
    if parsed is None:
        return
    first_row, _first_col, last_row, last_col = parsed
    # Grids are padded to start at column A, so the width that counts is the last column.
    n_rows, n_cols = last_row - first_row + 1, last_col
    check_extent(sheet, n_rows, n_cols, file_name, limits, declared=True)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def check_extent(
    sheet: str, n_rows: int, n_cols: int, file_name: str, limits: Limits, declared: bool = False
) -> None:
    """Raise sheet_too_large if a sheet's rows, columns or cells exceed the limits."""
    if (
        n_rows <= limits.max_sheet_rows
        and n_cols <= limits.max_sheet_columns
        and n_rows * n_cols <= limits.max_sheet_cells
    ):
        return
    raise sheet_too_large(sheet, n_rows, n_cols, file_name, limits, declared)


def sheet_too_large(
    sheet: str,
    n_rows: int,
    n_cols: int,
    file_name: str,
    limits: Limits,
    declared: bool = False,
    at_least: bool = False,
) -> UnreadableFile:
    """The sheet_too_large refusal, naming the sheet and its size."""
    what = "declares a used range of" if declared else "has data across"
    if at_least:
        what += " at least"
    return refuse(
        file_name,
        "sheet_too_large",
        f"has a sheet '{sheet}' that {what} {_count(n_rows, 'row')} × {_count(n_cols, 'column')}, "
        "over the limit "
        f"of {limits.max_sheet_rows:,} rows, {limits.max_sheet_columns:,} columns and "
        f"{limits.max_sheet_cells:,} cells. Delete the unused rows and columns below and to the "
        "right of the data (or copy the tracker rows into a new workbook), save and upload again.",
    )
