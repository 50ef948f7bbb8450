"""Cheap first look at untrusted upload bytes: what kind of file, and is it safe to parse.

Runs in the server process, so it never decompresses more than a few KiB of any zip entry, never
hands a whole XML part to a parser until its head has been checked for DTDs, and reads an OLE2
(.xls) file with a small bounded parser of its own: only the directory and the start of the
Workbook stream, never a cell.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from regiondash.ingest.errors import (
    SAVE_AS_XLSX,
    UnreadableFile,
    check_extent,
    kind_refusal,
    no_sheets_refusal,
    refuse,
    size_text,
    xml_entities_refusal,
)

if TYPE_CHECKING:
    from regiondash.ingest.limits import Limits

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
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
    """What the bytes are; for xlsx, xlsb and xls also the worksheets the workbook declares."""

    file_kind: str  # "xlsx" | "xlsb" | "xls" | "ods" | "csv"
    sheet_names: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    date1904: bool = False


def sniff(data: bytes, file_name: str, limits: Limits) -> SniffResult:
    """Classify untrusted bytes by signature (xlsx, xlsb, xls, ods or csv), or raise UnreadableFile
    saying why not. The extension is only used to explain a renamed file."""
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
        return _sniff_ole2(data, file_name)
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
        f"is not an Excel workbook (.xlsx, .xls or .xlsb), OpenDocument spreadsheet (.ods) or "
        f"CSV file ({why}). " + (advice or "Upload the tracker saved from Excel as .xlsx or .csv."),
    )


def _corrupt(file_name: str) -> UnreadableFile:
    return refuse(
        file_name,
        "corrupt",
        "looks like an Excel workbook but is damaged or incomplete (it may not have finished "
        "downloading or copying). " + SAVE_AS_XLSX,
    )


def _encrypted(file_name: str, kind: str = "xlsx") -> UnreadableFile:
    if kind == "ods":
        how = (
            "In LibreOffice use File > Save As, untick 'Save with password' and save again (or "
            "save it as .xlsx without a password)."
        )
    else:
        how = (
            "Remove the password in Excel (File > Info > Protect Workbook > Encrypt with "
            "Password, clear it) and save again."
        )
    return refuse(file_name, "encrypted", f"is protected with a password. {how}")


def _macro_enabled(file_name: str, what: str = "VBA or Excel 4 macros") -> UnreadableFile:
    return refuse(
        file_name,
        "macro_enabled",
        f"is a macro-enabled workbook (it contains {what}), which is not accepted. In Excel use "
        "File > Save As, choose 'Excel Workbook (*.xlsx)' to save a copy without macros, and "
        "upload that.",
    )


# --------------------------------------------------------------------------------------------
# OLE2 compound files (.xls, and password-encrypted xlsx/xlsb)

_OLE_END = 0xFFFFFFFE
_OLE_SPECIAL = 0xFFFFFFFA  # this and above: not a sector number
_BIFF_BOF, _BIFF_EOF, _BIFF_FILEPASS, _BIFF_DATEMODE, _BIFF_BOUNDSHEET = (
    0x0809,
    0x000A,
    0x002F,
    0x0022,
    0x0085,
)
# The workbook globals (sheet list, date system, encryption) come before any cell; this much of
# the Workbook stream is plenty for any real workbook, and bounds the work done in the server.
MAX_BIFF_GLOBALS_BYTES = 4 * 2**20


class _OleError(ValueError):
    pass


class _Ole:
    """Just enough of [MS-CFB] to list the directory and read the head of one stream."""

    def __init__(self, data: bytes):
        self.data = data
        if len(data) < 512:
            raise _OleError("shorter than an OLE2 header")
        (sector_shift, mini_shift) = struct.unpack_from("<HH", data, 30)
        if sector_shift not in (9, 12) or mini_shift != 6:
            raise _OleError("bad sector sizes")
        self.sector_size = 1 << sector_shift
        self.n_sectors = max(0, (len(data) - 1) // self.sector_size)  # header is sector -1
        n_fat, dir_start = struct.unpack_from("<II", data, 44)
        self.mini_cutoff, minifat_start, n_minifat, difat_start, n_difat = struct.unpack_from(
            "<IIIII", data, 56
        )
        per_sector = self.sector_size // 4
        difat = list(struct.unpack_from("<109I", data, 76))
        seen: set[int] = set()
        sector = difat_start
        while sector < _OLE_SPECIAL and len(seen) < n_difat:
            if sector in seen:
                raise _OleError("DIFAT loop")
            seen.add(sector)
            entries = struct.unpack_from(f"<{per_sector}I", self._sector(sector))
            difat.extend(entries[:-1])
            sector = entries[-1]
        fat_sectors = [s for s in difat[: max(n_fat, 0)] if s < _OLE_SPECIAL]
        if not fat_sectors or len(fat_sectors) > self.n_sectors:
            raise _OleError("no FAT")
        self.fat: list[int] = []
        for s in fat_sectors:
            self.fat.extend(struct.unpack_from(f"<{per_sector}I", self._sector(s)))
        directory = b"".join(self._sector(s) for s in self._chain(dir_start, self.fat))
        self.entries: list[tuple[str, int, int, int]] = []
        for offset in range(0, len(directory) - 127, 128):
            raw = directory[offset : offset + 128]
            name_len, obj_type = struct.unpack_from("<HB", raw, 64)
            start, size = struct.unpack_from("<II", raw, 116)
            if obj_type not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = raw[: name_len - 2].decode("utf-16-le", "replace")
            self.entries.append((name, obj_type, start, size))
        roots = [e for e in self.entries if e[1] == 5]
        if not roots:
            raise _OleError("no root entry")
        self.root_start, self.root_size = roots[0][2], roots[0][3]
        self.minifat_start, self.n_minifat = minifat_start, n_minifat

    def _sector(self, index: int) -> bytes:
        if index >= self.n_sectors:
            raise _OleError("sector past the end of the file")
        start = (index + 1) * self.sector_size
        return self.data[start : start + self.sector_size].ljust(self.sector_size, b"\x00")

    def _chain(self, start: int, table: list[int], limit: int | None = None):
        seen: set[int] = set()
        sector = start
        while sector < _OLE_SPECIAL and (limit is None or len(seen) < limit):
            if sector in seen or sector >= len(table):
                raise _OleError("broken sector chain")
            seen.add(sector)
            yield sector
            sector = table[sector]
        if sector not in (_OLE_END,) and sector >= _OLE_SPECIAL and limit is None:
            raise _OleError("chain ends badly")

    def stream_names(self) -> set[str]:
        return {name.lower() for name, _type, _start, _size in self.entries}

    def read_stream(self, name: str, max_bytes: int) -> bytes:
        entry = next((e for e in self.entries if e[0].lower() == name and e[1] == 2), None)
        if entry is None:
            raise _OleError(f"no {name} stream")
        _name, _type, start, size = entry
        want = min(size, max_bytes)
        if size >= self.mini_cutoff:
            n = -(-want // self.sector_size)
            out = b"".join(self._sector(s) for s in self._chain(start, self.fat, n))
            return out[:want]
        # Small streams live in 64-byte mini sectors inside the root entry's stream.
        minifat: list[int] = []
        for s in self._chain(self.minifat_start, self.fat, self.n_minifat):
            minifat.extend(struct.unpack_from(f"<{self.sector_size // 4}I", self._sector(s)))
        n_root = -(-self.root_size // self.sector_size)
        mini_stream = b"".join(
            self._sector(s) for s in self._chain(self.root_start, self.fat, n_root)
        )
        mini = bytearray()
        for m in self._chain(start, minifat, -(-want // 64)):
            chunk = mini_stream[m * 64 : m * 64 + 64]
            if len(chunk) < 64:
                raise _OleError("mini sector past the end")
            mini += chunk
        return bytes(mini[:want])


def _sniff_ole2(data: bytes, file_name: str) -> SniffResult:
    try:
        ole = _Ole(data)
        names = ole.stream_names()
    except (_OleError, struct.error, IndexError):
        raise kind_refusal(file_name, "xls", "it is damaged or incomplete") from None
    # Excel's password encryption wraps the real xlsx/xlsb in an OLE2 file whose directory holds
    # EncryptionInfo and EncryptedPackage streams.
    if names & {"encryptedpackage", "encryptioninfo"}:
        raise _encrypted(file_name)
    if "_vba_project_cur" in names or "_vba_project" in names:
        raise _macro_enabled(file_name, "VBA macros")
    stream = "workbook" if "workbook" in names else "book" if "book" in names else None
    if stream is None:
        others = (
            ("worddocument", "it is a Word 97-2003 document"),
            ("powerpoint document", "it is a PowerPoint 97-2003 presentation"),
            ("__substg1.0_0037001f", "it is an Outlook message"),
        )
        why = next((w for key, w in others if key in names), "it is an Office file of another kind")
        raise _not_spreadsheet(file_name, why)
    try:
        globals_ = ole.read_stream(stream, MAX_BIFF_GLOBALS_BYTES)
    except (_OleError, struct.error, IndexError):
        raise kind_refusal(file_name, "xls", "it is damaged or incomplete") from None
    return _sniff_biff(globals_, file_name)


def _sniff_biff(stream: bytes, file_name: str) -> SniffResult:
    """Walk the workbook-globals records: encryption, date system and the sheet list."""
    if len(stream) < 8 or struct.unpack_from("<H", stream, 0)[0] != _BIFF_BOF:
        raise kind_refusal(file_name, "xls", "its workbook data does not start as Excel's does")
    biff8 = struct.unpack_from("<H", stream, 4)[0] == 0x0600
    date1904 = False
    sheet_names: list[str] = []
    hidden: list[str] = []
    pos = 0
    while pos + 4 <= len(stream):
        record, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if record == _BIFF_EOF:
            break
        if record == _BIFF_FILEPASS:
            raise _encrypted(file_name, "xls")
        if record == _BIFF_DATEMODE and len(body) >= 2:
            date1904 = struct.unpack_from("<H", body)[0] == 1
        elif record == _BIFF_BOUNDSHEET and len(body) >= 8:
            state, sheet_type, cch = body[4] & 0x03, body[5], body[6]
            if sheet_type == 1:
                raise _macro_enabled(file_name, "Excel 4 macro sheets")
            if sheet_type != 0:
                continue  # chart sheets and VBA modules have no cells
            if biff8:
                raw = body[8 : 8 + cch * (2 if body[7] & 1 else 1)]
                name = raw.decode("utf-16-le" if body[7] & 1 else "latin-1", "replace")
            else:
                name = body[7 : 7 + cch].decode("cp1252", "replace")
            sheet_names.append(name)
            if state:
                hidden.append(name)
    if not sheet_names:
        raise no_sheets_refusal(file_name)
    return SniffResult("xls", sheet_names, hidden, date1904)


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
    if "mimetype" in by_name and _read_head(zf, by_name["mimetype"]).strip().startswith(
        ODS_MIMETYPE
    ):
        _check_ods_encryption(zf, by_name, file_name)
    heads: dict[str, bytes] = {}
    for key, info in by_name.items():
        if info.is_dir() or info.file_size == 0:
            continue
        heads[key] = _read_head(zf, info)
        _check_xml_head(heads[key], info, file_name)

    if "mimetype" in by_name or "meta-inf/manifest.xml" in by_name:
        mimetype = heads.get("mimetype", b"").strip()
        if mimetype.startswith(ODS_MIMETYPE):
            return _sniff_ods(zf, by_name, file_name)
        if mimetype.startswith(b"application/vnd.oasis.opendocument."):
            kind = mimetype.rsplit(b".", 1)[-1].decode("ascii", "replace")[:40]
            raise _not_spreadsheet(file_name, f"it is an OpenDocument {kind} file")
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

    has_vba = any(posixpath.basename(k) == "vbaproject.bin" for k in by_name)
    if has_vba or any("vbaproject" in ct or "macrosheet" in ct for ct in content_types):
        raise _macro_enabled(file_name)
    if "xl/workbook.bin" in by_name:
        # Every .xlsb declares the 'macroEnabled' binary content type, macros or not, so only
        # real VBA (above) or macro sheets (below) make one macro-enabled.
        return _sniff_xlsb(zf, by_name, heads, file_name, limits)
    if any("macroenabled" in ct for ct in content_types):
        raise _macro_enabled(file_name)
    if "xl/workbook.xml" not in by_name:
        raise _not_spreadsheet(file_name, "it is an Office document, but not an Excel workbook")

    workbook = DefusedET.fromstring(
        _read_small(zf, by_name["xl/workbook.xml"], file_name), forbid_dtd=True
    )
    rels = _workbook_rels(zf, by_name, file_name)
    date1904 = False
    declared: list[tuple[str, bool, tuple[str, str] | None]] = []
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
        if rel_type.endswith(("/macrosheet", "/xlmacrosheet", "/xlintlmacrosheet")):
            raise _macro_enabled(file_name, "Excel 4 macro sheets")
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


# --------------------------------------------------------------------------------------------
# .xlsb: zip of BIFF12 records

_XLSB_BEGIN_BOOK, _XLSB_WB_PROP, _XLSB_BUNDLE_SH, _XLSB_END_BUNDLE_SHS, _XLSB_WS_DIM = (
    0x0083,
    0x0099,
    0x009C,
    0x0090,
    0x0094,
)


def xlsb_records(data: bytes):
    """(record type, body) for each whole BIFF12 record in data; stops at a cut-off record."""
    for record, body, _end in xlsb_record_spans(data):
        yield record, body


def xlsb_record_spans(data: bytes | bytearray, wanted: frozenset[int] | None = None):
    """(record type, body, end offset) for each whole BIFF12 record in data; stops at a cut-off
    record (a streaming reader keeps the bytes after the last end for the next chunk). With
    `wanted`, other records' bodies are not sliced (b""), so big sheets stay cheap."""
    pos, end = 0, len(data)
    while pos < end:
        byte = data[pos]
        pos += 1
        record = byte & 0x7F
        if byte & 0x80:
            if pos >= end:
                return
            record |= (data[pos] & 0x7F) << 7
            pos += 1
        size = 0
        for i in range(4):
            if pos >= end:
                return
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << (7 * i)
            if not byte & 0x80:
                break
        if pos + size > end:
            return
        sliced = wanted is None or record in wanted
        yield record, (data[pos : pos + size] if sliced else b""), pos + size
        pos += size


def _wide_string(body: bytes, offset: int) -> tuple[str, int]:
    (count,) = struct.unpack_from("<I", body, offset)
    if count == 0xFFFFFFFF:  # a nullable string that is null
        return "", offset + 4
    end = offset + 4 + 2 * count
    if end > len(body):
        raise ValueError("string runs past its record")
    return body[offset + 4 : end].decode("utf-16-le", "replace"), end


def _sniff_xlsb(
    zf: zipfile.ZipFile,
    by_name: dict[str, zipfile.ZipInfo],
    heads: dict[str, bytes],
    file_name: str,
    limits: Limits,
) -> SniffResult:
    records = xlsb_records(_read_small(zf, by_name["xl/workbook.bin"], file_name))
    first = next(records, None)
    if first is None or first[0] != _XLSB_BEGIN_BOOK:
        raise kind_refusal(file_name, "xlsb", "its workbook part is damaged or incomplete")
    rels = _workbook_rels(zf, by_name, file_name, "xl/_rels/workbook.bin.rels")
    date1904 = False
    sheet_names: list[str] = []
    hidden_sheets: list[str] = []
    try:
        for record, body in records:
            if record == _XLSB_WB_PROP and body:
                date1904 = bool(body[0] & 0x01)
            elif record == _XLSB_BUNDLE_SH:
                (state,) = struct.unpack_from("<I", body, 0)
                rel_id, offset = _wide_string(body, 8)
                name, _ = _wide_string(body, offset)
                target = rels.get(rel_id)
                if target is None:
                    raise _corrupt(file_name)
                rel_type, part = target
                if rel_type.endswith(("/macrosheet", "/xlmacrosheet", "/xlintlmacrosheet")):
                    raise _macro_enabled(file_name, "Excel 4 macro sheets")
                if not rel_type.endswith("/worksheet"):
                    continue
                if part.lower() not in by_name:
                    raise _corrupt(file_name)
                _check_xlsb_dimension(heads.get(part.lower(), b""), name, file_name, limits)
                sheet_names.append(name)
                if state:
                    hidden_sheets.append(name)
            elif record == _XLSB_END_BUNDLE_SHS:
                break
    except (struct.error, ValueError):
        raise kind_refusal(file_name, "xlsb", "its sheet list is damaged") from None
    if not sheet_names:
        raise no_sheets_refusal(file_name)
    return SniffResult("xlsb", sheet_names, hidden_sheets, date1904)


def _check_xlsb_dimension(head: bytes, sheet: str, file_name: str, limits: Limits) -> None:
    for record, body in xlsb_records(head):
        if record == _XLSB_WS_DIM and len(body) >= 16:
            first_row, last_row, _first_col, last_col = struct.unpack_from("<IIII", body)
            n_rows, n_cols = last_row - first_row + 1, last_col + 1
            if n_rows > 0:
                check_extent(sheet, n_rows, n_cols, file_name, limits, declared=True)
            return


# --------------------------------------------------------------------------------------------
# .ods: OpenDocument zip

_NULL_DATE = re.compile(rb"<(?:[\w.-]+:)?null-date\b[^>]*?date-value\s*=\s*[\"']([0-9-]+)")
_FIRST_TABLE = re.compile(rb"<(?:[\w.-]+:)?table[\s>/]")
NULL_DATE_SCAN_BYTES = 2**20


def _check_ods_encryption(
    zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], file_name: str
) -> None:
    # Checked before any part's head: an encrypted part is ciphertext, not XML.
    manifest = by_name.get("meta-inf/manifest.xml")
    if manifest is None:
        return
    if _DTD.search(_xml_view(_read_head(zf, manifest))):
        raise xml_entities_refusal(file_name)
    root = DefusedET.fromstring(_read_small(zf, manifest, file_name), forbid_dtd=True)
    if any(_local(el.tag) == "encryption-data" for el in root.iter()):
        raise _encrypted(file_name, "ods")


def _sniff_ods(
    zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], file_name: str
) -> SniffResult:
    if any(k.startswith(("basic/", "scripts/")) and not i.is_dir() for k, i in by_name.items()):
        raise _macro_enabled(file_name, "LibreOffice Basic macros or scripts")
    content = by_name.get("content.xml")
    if content is None:
        raise kind_refusal(file_name, "ods", "its content.xml part is missing")
    return SniffResult("ods", [], [], _ods_null_date_1904(zf, content))


def _ods_null_date_1904(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the spreadsheet counts days from 1904 (table:null-date), as old Mac Excel did.

    The setting comes before the first table, so only the start of content.xml is read."""
    seen = b""
    with zf.open(info) as part:
        while len(seen) < NULL_DATE_SCAN_BYTES:
            chunk = part.read(64 * 1024)
            if not chunk:
                break
            seen += chunk
            table = _FIRST_TABLE.search(seen)
            match = _NULL_DATE.search(seen, 0, table.start() if table else len(seen))
            if match:
                return match.group(1).startswith(b"1904-01-01")
            if table:
                break
    return False


def _workbook_rels(
    zf: zipfile.ZipFile,
    by_name: dict[str, zipfile.ZipInfo],
    file_name: str,
    part: str = "xl/_rels/workbook.xml.rels",
) -> dict[str, tuple[str, str]]:
    info = by_name.get(part)
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
