"""Formula error cells of .xls and .xlsb workbooks, which calamine reads as blank.

Runs in the limited reader child (worker.py), so it is stdlib only beside sniff.py's small
OLE2 reader: no pandas, no numpy. Both readers walk the raw records once, keep only error
cells, and never raise: hostile bytes give whatever was found before they went wrong.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile

from regiondash.ingest.sniff import _Ole, _wide_string, xlsb_record_spans, xlsb_records

# BIFF8 and BIFF12 share the error codes ([MS-XLS] BErr, [MS-XLSB] BErr).
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
}
MAX_ERRORS = 200_000  # error cells kept per sheet at most, as for .ods in worker.py
_CHUNK = 4 * 2**20  # xlsb sheet parts are streamed, never read whole

_BOF, _EOF, _BOUNDSHEET, _FORMULA, _BOOLERR = 0x0809, 0x000A, 0x0085, 0x0006, 0x0205
_ROW_HDR, _CELL_ERROR, _FMLA_ERROR = 0x0000, 0x0003, 0x000B
_WANTED = frozenset({_ROW_HDR, _CELL_ERROR, _FMLA_ERROR})  # the records whose bodies are read
_BEGIN_BOOK, _BUNDLE_SH, _END_BUNDLE_SHS = 0x0083, 0x009C, 0x0090

Found = dict[str, dict[tuple[int, int], str]]


def xls_error_cells(data: bytes) -> Found:
    """Sheet name -> {(row, column), 0-based: error text} from an .xls Workbook stream."""
    try:
        ole = _Ole(data)
        names = ole.stream_names()
        name = "workbook" if "workbook" in names else "book"
        stream = ole.read_stream(name, len(data))
        return _biff_errors(stream)
    except Exception:
        return {}


def _biff_errors(stream: bytes) -> Found:
    if len(stream) < 8 or struct.unpack_from("<H", stream, 0)[0] != _BOF:
        return {}
    biff8 = struct.unpack_from("<H", stream, 4)[0] == 0x0600
    # Every record is at least 4 bytes, so an honest file walks at most len/4 records in all;
    # the budget stops sheets that hostile offsets make overlap from costing more than that.
    budget = [len(stream) // 4 + 16]
    sheets: list[tuple[str, int]] = []
    for record, body in _biff_records(stream, 0, budget):
        if record == _EOF:
            break
        if record == _BOUNDSHEET and len(body) >= 8 and body[5] == 0:  # 0: a worksheet
            sheets.append((_sheet_name(body, biff8), struct.unpack_from("<I", body)[0]))
    found: Found = {}
    walked: dict[int, dict[tuple[int, int], str]] = {}
    for name, offset in sheets:
        if offset not in walked:
            try:
                walked[offset] = _biff_sheet(stream, offset, budget)
            except Exception:
                walked[offset] = {}
        if walked[offset] and name not in found:
            found[name] = walked[offset]
    return found


def _sheet_name(body: bytes, biff8: bool) -> str:
    count = body[6]
    if not biff8:
        return body[7 : 7 + count].decode("cp1252", "replace")
    wide = body[7] & 1
    raw = body[8 : 8 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def _biff_records(stream: bytes, pos: int, budget: list[int]):
    end = len(stream)
    while pos + 4 <= end and budget[0] > 0:
        budget[0] -= 1
        record, length = struct.unpack_from("<HH", stream, pos)
        yield record, stream[pos + 4 : pos + 4 + length]
        pos += 4 + length


def _biff_sheet(stream: bytes, offset: int, budget: list[int]) -> dict[tuple[int, int], str]:
    errors: dict[tuple[int, int], str] = {}
    records = _biff_records(stream, offset, budget)
    first = next(records, None)
    if first is None or first[0] != _BOF:
        return errors  # the offset does not point at a sheet substream
    depth = 1  # an embedded chart is a BOF..EOF substream inside the sheet's own
    for record, body in records:
        if record == _BOF:
            depth += 1
        elif record == _EOF:
            depth -= 1
            if depth == 0:
                break
        if depth > 1 or len(body) < 8:
            continue
        text = None
        if record == _BOOLERR and body[7] == 1:  # fError: the byte is an error, not a bool
            text = ERROR_CODES.get(body[6])
        elif record == _FORMULA and body[6] == 0x02 and body[12:14] == b"\xff\xff":
            # FormulaValue (bytes 6-13): type 2, an error, at its byte 0 and its code at byte 2;
            # 0xFFFF at bytes 6-7 says the 8 bytes are not a float.
            text = ERROR_CODES.get(body[8])
        if text is not None:
            row, column = struct.unpack_from("<HH", body)
            errors[(row, column)] = text
            if len(errors) >= MAX_ERRORS:
                break
    return errors


def xlsb_error_cells(data: bytes) -> Found:
    """Sheet name -> {(row, column), 0-based: error text} from an .xlsb's sheet parts."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        by_name = {info.filename.lower(): info for info in zf.infolist()}
        parts = _xlsb_sheet_parts(zf, by_name)
    except Exception:
        return {}
    found: Found = {}
    walked: dict[str, dict[tuple[int, int], str]] = {}
    for name, part in parts:
        if part not in walked:
            walked[part] = _xlsb_sheet(zf, by_name[part]) if part in by_name else {}
        if walked[part] and name not in found:
            found[name] = walked[part]
    return found


def _xlsb_sheet_parts(zf: zipfile.ZipFile, by_name: dict) -> list[tuple[str, str]]:
    """(sheet name, lower-cased part path) per BrtBundleSh, as sniff.py's _sniff_xlsb reads."""
    import defusedxml.ElementTree as DefusedET  # sniff.py imports it already: no new cost

    # Both small parts were size-checked by the sniffer; the cap is for direct calls.
    rels_info = by_name["xl/_rels/workbook.bin.rels"]
    book_info = by_name["xl/workbook.bin"]
    if max(rels_info.file_size, book_info.file_size) > 8 * 2**20:
        return []
    targets = {}
    for el in DefusedET.fromstring(zf.read(rels_info), forbid_dtd=True).iter():
        attrs = {k.rsplit("}", 1)[-1]: v for k, v in el.attrib.items()}
        target = attrs.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[attrs.get("Id", "")] = posixpath.normpath(part).lower()
    parts = []
    records = xlsb_records(zf.read(book_info))
    if next(records, (None,))[0] != _BEGIN_BOOK:
        return []
    for record, body in records:
        if record == _END_BUNDLE_SHS:
            break
        if record == _BUNDLE_SH:
            try:
                rel_id, offset = _wide_string(body, 8)
                name, _ = _wide_string(body, offset)
            except (struct.error, ValueError):
                continue
            if rel_id in targets:
                parts.append((name, targets[rel_id]))
    return parts


def _xlsb_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[tuple[int, int], str]:
    errors: dict[tuple[int, int], str] = {}
    row = -1  # no BrtRowHdr yet: a cell before one has no row, so is skipped
    # A bytearray: appending is amortised and dropping the used head is cheap, so a record
    # that spans many chunks is not copied again for each one.
    buffer = bytearray()
    try:
        with zf.open(info) as stream:
            while len(errors) < MAX_ERRORS:
                chunk = stream.read(_CHUNK)
                buffer += chunk
                used = 0
                for record, body, end in xlsb_record_spans(buffer, _WANTED):
                    used = end
                    if record == _ROW_HDR and len(body) >= 4:
                        row = struct.unpack_from("<I", body)[0]
                    elif record in (_CELL_ERROR, _FMLA_ERROR) and len(body) >= 9 and row >= 0:
                        # cell: column u32, style and flags u32; then the error byte
                        text = ERROR_CODES.get(body[8])
                        if text is not None and len(errors) < MAX_ERRORS:
                            errors[(row, struct.unpack_from("<I", body)[0])] = text
                del buffer[:used]
                if not chunk:
                    break
    except Exception:
        pass  # a damaged part keeps what was found before the damage
    return errors


def with_cell_errors(data: bytes, kind: str, sheets: list[tuple]) -> list[tuple]:
    """The reader child's sheets with each .xls/.xlsb error cell holding its error text."""
    # Imported here: worker.py imports this module lazily, and the child has worker loaded.
    from regiondash.ingest.worker import _put_errors

    found = xls_error_cells(data) if kind == "xls" else xlsb_error_cells(data)
    for sheet in sheets:
        errors = found.get(sheet[0])
        if errors:
            # The grid is keyed by the row number the user sees, so 1-based.
            _put_errors(sheet[2], sheet[3], {(r + 1, c): text for (r, c), text in errors.items()})
    return sheets
