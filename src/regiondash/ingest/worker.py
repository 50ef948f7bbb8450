"""Turn untrusted spreadsheet bytes into plain cell grids, parsing every format in a limited child.

The server process only sniffs (sniff.py). Workbooks (.xlsx, .xlsb, .xls, .ods) are parsed by
python-calamine, and CSV by the csv module, in a fresh `python -I` child (child.py) with an
address-space limit, a wall-clock deadline and a bounded reply; if calamine fails or its child
dies on an .xlsx, one fresh child retries with openpyxl. openpyxl reads no other format, so a
failure on .xlsb, .xls or .ods is refused with a message naming the format. Text is bounded in
the child too: each cell is cut to Limits.max_cell_chars and a file holding more text than
Limits.max_text_chars is refused, so no file can grow the server by more than its reply.
The child imports only this module, errors.py, sniff.py and the reader: never pandas or
streamlit, so it starts in a few tens of milliseconds.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import os
import re
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import PurePosixPath

from regiondash.ingest.child import ChildRun, RunningChild, limit_self, serve
from regiondash.ingest.child import start_child as start_limited_child
from regiondash.ingest.errors import (
    SAVE_AS_XLSX,
    SPREADSHEET_ERRORS,
    TRIM_ADVICE,
    UnreadableFile,
    check_extent,
    display_name,
    kind_refusal,
    no_sheets_refusal,
    refuse,
    sheet_too_large,
    size_text,
    xml_entities_refusal,
)
from regiondash.ingest.grid import SheetGrid, WorkbookGrid, column_letters
from regiondash.ingest.limits import DEFAULT_LIMITS, Limits
from regiondash.ingest.sniff import SniffResult, sniff

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "PendingRead",
    "SheetGrid",
    "WorkbookGrid",
    "read_spreadsheet",
    "start_reading",
]

log = logging.getLogger(__name__)


def read_spreadsheet(data: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS) -> WorkbookGrid:
    """Sniff, then parse untrusted bytes; raises UnreadableFile."""
    return start_reading(data, file_name, limits).result()


class PendingRead:
    """A file sniffed and being parsed in its limited child; result() waits for the grid."""

    def __init__(self, data: bytes, file_name: str, limits: Limits, sniffed: SniffResult):
        self.data, self.file_name, self.limits, self.sniffed = data, file_name, limits, sniffed
        self.deadline = time.monotonic() + limits.worker_seconds
        self.reader = "csv" if sniffed.file_kind == "csv" else "calamine"
        self._child = start_child(
            data, self.reader, limits, self.deadline, sniffed.file_kind, file_name
        )

    def cancel(self) -> None:
        """Stop the read: the caller will not ask for its result."""
        self._child.kill()

    def result(self) -> WorkbookGrid:
        """The parsed grid (the openpyxl retry included for .xlsx); raises UnreadableFile."""
        first = _classify(self.reader, self._child.finish())
        kind, file_name, limits = self.sniffed.file_kind, self.file_name, self.limits
        if kind == "csv":
            if first.status == "ok":
                sheets = [SheetGrid(*sheet) for sheet in first.result["sheets"]]
                return WorkbookGrid("csv", sheets, False, first.result["encoding"], "csv")
            raise _failure(file_name, limits, first, first, "csv")
        attempt = first
        if first.status in _RETRYABLE and kind == "xlsx":
            log.warning(
                "calamine failed on %r (%s: %s); retrying with openpyxl",
                file_name,
                first.status,
                first.result.get("detail", ""),
            )
            attempt = run_child(self.data, "openpyxl", limits, self.deadline)
        if attempt.status == "ok":
            sheets = [SheetGrid(*sheet) for sheet in attempt.result["sheets"]]
            if not sheets:
                raise no_sheets_refusal(file_name)
            return WorkbookGrid(kind, sheets, self.sniffed.date1904, None, attempt.reader)
        raise _failure(file_name, limits, first, attempt, kind)


def start_reading(data: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS) -> PendingRead:
    """Sniff now (raising UnreadableFile for what is refused unread) and start parsing in a
    limited child, so the caller can load what it needs meanwhile; PendingRead.result() waits."""
    return PendingRead(data, file_name, limits, sniff(data, file_name, limits))


# --------------------------------------------------------------------------------------------
# CSV (in process)

_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 20  # lines looked at to choose the delimiter
_SNIFF_CHARS = 64 * 1024


def decode_csv_bytes(data: bytes, file_name: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 with BOM, else strict UTF-8, else strict Windows-1252."""
    # Never latin-1: it accepts any byte, so a wrong guess would silently corrupt names.
    candidates = ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ("utf-8", "cp1252")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise refuse(
        file_name,
        "text_encoding",
        "is a text file but not in a character encoding that can be read (UTF-8 or Windows "
        "'ANSI'). In Excel use File > Save As and choose 'CSV UTF-8 (Comma delimited) (*.csv)', "
        "then upload that.",
    )


def detect_delimiter(text: str) -> str:
    """The commonest separator (comma, semicolon, tab or pipe) outside quotes over the first
    lines, so a title line with a comma does not decide for a semicolon file; comma when none
    is found or two separators are equally common."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted, lines = False, 0
    for char in text[:_SNIFF_CHARS]:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in counts:
            counts[char] += 1
        elif char == "\n":
            lines += 1
            if lines >= _SNIFF_LINES:
                break
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    (best, most), (_, second) = ranked[0], ranked[1]
    if most == 0 or most == second:
        return ","
    return best


def read_csv(data: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS) -> WorkbookGrid:
    """Decode and split a CSV upload into a one-sheet grid named after the file, in a limited
    child like every other format."""
    return PendingRead(data, file_name, limits, SniffResult("csv")).result()


def _split_csv(data: bytes, file_name: str, limits: Limits) -> tuple[list[tuple], str]:
    """(sheets, encoding) of a CSV: child side; raises UnreadableFile."""
    text, encoding = decode_csv_bytes(data, file_name)
    del data
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    rows: list[list[object]] = []
    row_numbers: list[int] = []
    width = 0
    sheet = PurePosixPath(display_name(file_name)).stem or "Sheet1"
    start = 1
    try:
        for record in reader:
            row: list[object] = [value if value != "" else None for value in record]
            while row and row[-1] is None:
                row.pop()
            width = max(width, len(row))
            rows.append(row)
            row_numbers.append(start)
            # line_num counts physical lines consumed, so a quoted multi-line field moves it on
            # by more than one and the next record starts after it.
            start = reader.line_num + 1
            # Checked as we go so a huge CSV is refused before it fills the reader's memory.
            check_extent(sheet, len(rows), width, file_name, limits)
    except csv.Error:
        raise refuse(
            file_name,
            "corrupt",
            f"could not be read as CSV: the record starting on line {start:,} is malformed "
            "(an unclosed quote or a field that is far too long). Open it in Excel, check that "
            "line, and save it again as 'CSV UTF-8 (Comma delimited)'.",
        ) from None
    if not any(rows):
        raise refuse(
            file_name,
            "empty",
            "has no data in it. Check you picked the right file and upload it again.",
        )
    return [(sheet, True, rows, row_numbers)], encoding


# --------------------------------------------------------------------------------------------
# xlsx: parent side

_ENTRY = "regiondash.ingest.worker:child_main"
# Test-only fault injection, sent to the child: "abort:<reader>", "exit:<reader>" or
# "raise:<reader>" (reader "calamine", "openpyxl" or "any") makes that child die or fail
# before parsing. Always None outside tests.
_FAULT: str | None = None
# A memory failure is retried too: calamine builds each sheet as one dense block, so a sparse
# sheet (cells at A1 and far away) exhausts memory there, while openpyxl streams it and can say
# exactly why the sheet is too big.
_RETRYABLE = ("error", "crashed", "memory")
_MEMORY_WORDS = (
    b"MemoryError",
    b"memory allocation of",
    b"Cannot allocate memory",
    b"out of memory",
)


@dataclass
class _Attempt:
    reader: str
    status: str  # ok | error | crashed | memory | timeout | sheet_too_large | xml_entities | ...
    result: dict
    seconds: float


def read_xlsx(
    data: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS, sniffed: SniffResult | None = None
) -> WorkbookGrid:
    """Parse sniffed workbook bytes (xlsx, xlsb, xls or ods) in a limited child: calamine, then
    for xlsx only, openpyxl once on failure."""
    if sniffed is None:
        sniffed = sniff(data, file_name, limits)
    return PendingRead(data, file_name, limits, sniffed).result()


def _failure(
    file_name: str, limits: Limits, first: _Attempt, last: _Attempt, kind: str = "xlsx"
) -> UnreadableFile:
    status = last.status
    if status in ("error", "crashed") and first.status == "memory":
        status = "memory"
    if status == "timeout":
        return refuse(
            file_name,
            "timeout",
            f"took longer than {limits.worker_seconds:g} seconds to read, so reading was "
            f"stopped. {TRIM_ADVICE}",
        )
    if status == "memory":
        return refuse(
            file_name,
            "memory",
            f"needed more than the {size_text(limits.worker_memory_bytes)} of memory allowed "
            f"for reading one file, so reading was stopped. {TRIM_ADVICE}",
        )
    if status == "sheet_too_large":
        info = last.result
        return sheet_too_large(
            info["sheet"],
            info["rows"],
            info["columns"],
            file_name,
            limits,
            at_least=info["partial"],
        )
    if status == "refused":
        return UnreadableFile(last.result["message"], last.result["reason"])
    if status == "too_much_text":
        info = last.result
        return refuse(
            file_name,
            "too_much_text",
            f"holds {info['chars']:,} characters of text (each cell counted up to "
            f"{limits.max_cell_chars:,}), more than the "
            f"{limits.max_text_chars:,} one upload may hold (a tracker of every practice in "
            "England holds about 4 million). Most of it is in column "
            f'{info["column"]} of sheet "{info["sheet"]}": {info["cells"]:,} cells of text, '
            f"the longest {info['longest']:,} characters. "
            "Delete the text that does not belong there (a note pasted into every row?) and "
            "upload it again. Nothing was stored.",
        )
    if status == "reply_too_large":
        return refuse(
            file_name,
            "reply_too_large",
            f"holds more than the {size_text(limits.max_reply_bytes)} of cell data one upload "
            f"may hold, so reading was stopped. {TRIM_ADVICE}",
        )
    if status == "xml_entities":
        return xml_entities_refusal(file_name)
    if status == "no_sheets":
        return no_sheets_refusal(file_name)
    if kind == "csv":
        return refuse(
            file_name,
            "reader_crashed",
            "made the CSV reader stop unexpectedly, so it could not be read. Open it in Excel "
            "and save it again as 'CSV UTF-8 (Comma delimited)'.",
        )
    if kind != "xlsx":
        # No second reader for these formats: say which format it was read as and why not.
        log.warning("calamine could not read %r as %s: %s", file_name, kind, last.result)
        if status == "crashed":
            why = "the spreadsheet reader stopped unexpectedly on it"
            return kind_refusal(file_name, kind, why, "reader_crashed")
        return kind_refusal(file_name, kind, "parts of it are damaged or in a form not understood")
    if "crashed" in (first.status, last.status):
        return refuse(
            file_name,
            "reader_crashed",
            "made the spreadsheet reader stop unexpectedly, so it could not be read. "
            f"{SAVE_AS_XLSX} If that fails too, send the file to the dashboard support team.",
        )
    return refuse(
        file_name,
        "corrupt",
        "looks like an Excel workbook but parts of it are damaged or in a form Excel does not "
        f"write, so it could not be read. {SAVE_AS_XLSX}",
    )


def run_child(
    data: bytes,
    reader: str,
    limits: Limits,
    deadline: float,
    kind: str = "xlsx",
    file_name: str = "",
) -> _Attempt:
    """Run one reader over data (a sniffed `kind` of file) in a fresh limited child and
    classify how it ended."""
    return _classify(reader, start_child(data, reader, limits, deadline, kind, file_name).finish())


def start_child(
    data: bytes, reader: str, limits: Limits, deadline: float, kind: str, file_name: str = ""
) -> RunningChild:
    """run_child's child, started and left running (RunningChild.finish() waits for it)."""
    request = {
        "data": data,
        "reader": reader,
        "kind": kind,
        "file_name": file_name,
        "fault": _FAULT,
    }
    return start_limited_child(_ENTRY, request, limits, deadline - time.monotonic())


def _classify(reader: str, run: ChildRun) -> _Attempt:
    if run.status in ("timeout", "reply_too_large"):
        return _Attempt(reader, run.status, {}, run.seconds)
    if run.reply is not None:
        return _Attempt(reader, run.reply["status"], run.reply, run.seconds)
    code, err = run.code, run.stderr
    detail = "did not start" if code is None else f"exit {code}" if code >= 0 else f"signal {-code}"
    log.error("%s child died (%s): %s", reader, detail, err[:1000].decode("utf-8", "replace"))
    memory = any(word in err for word in _MEMORY_WORDS) or code == -signal.SIGKILL
    # SIGKILL that we did not send is the kernel's out-of-memory killer.
    status = "memory" if memory else "crashed"
    return _Attempt(reader, status, {"detail": detail}, run.seconds)


# --------------------------------------------------------------------------------------------
# xlsx: child side

_HEAVY_MODULES = ("numpy", "pandas", "PIL", "streamlit")
_TEXT_TYPES = (dt.time, dt.timedelta)


class _TooLarge(Exception):
    def __init__(self, sheet: str, rows: int, columns: int, partial: bool = False):
        super().__init__(sheet)
        self.info = {
            "status": "sheet_too_large",
            "sheet": sheet,
            "rows": rows,
            "columns": columns,
            "partial": partial,  # counted while streaming: the sheet is at least this big
        }


class _TooMuchText(Exception):
    def __init__(self, sheets: list[tuple], cap: int):
        super().__init__("too much text")
        # Counted again over every cell (each as cut), to say how much and where.
        total, wordiest = 0, (0, "", 0, 0, 0)  # (characters, sheet, column, cells, longest)
        for sheet in sheets:
            columns: dict[int, list[int]] = {}
            for row in sheet[2]:
                for j, value in enumerate(row):
                    if value.__class__ is str:
                        columns.setdefault(j, []).append(len(value))
            for j, lengths in columns.items():
                chars = sum(min(n, cap) for n in lengths)
                total += chars
                if chars > wordiest[0]:
                    wordiest = (chars, sheet[0], j, len(lengths), max(lengths))
        _, sheet_name, column, cells, longest = wordiest
        self.info = {
            "status": "too_much_text",
            "chars": total,
            "sheet": sheet_name,
            "column": column_letters(column),
            "cells": cells,
            "longest": longest,
        }


_MAX_CUT_LISTED = 10_000  # cut cells listed per sheet; more are cut all the same


def bound_text(sheets: list[tuple], limits: Limits) -> tuple[list[tuple], int]:
    """(sheets, characters of text): each text cell cut to max_cell_chars (the cuts listed with
    the sheet) and equal texts shared, so the reply holds each once; raises _TooMuchText when
    the cells hold more than max_text_chars in all."""
    cap, most = limits.max_cell_chars, limits.max_text_chars
    shared: dict[str, str] = {}
    total = 0
    out = []
    for sheet in sheets:
        rows = sheet[2]
        cut: list[tuple[int, int, int]] = []
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value.__class__ is not str:
                    continue
                length = len(value)
                if length > cap:
                    if len(cut) < _MAX_CUT_LISTED:
                        cut.append((i, j, length))
                    value = value[:cap]
                    length = cap
                row[j] = shared.setdefault(value, value)
                total += length
            if total > most:
                raise _TooMuchText(sheets, cap)
        levels, indents = (sheet[4], sheet[5]) if len(sheet) > 4 else (None, None)
        out.append((sheet[0], sheet[1], rows, sheet[3], levels, indents, cut))
    return out, total


def child_main() -> None:
    """Entry point of the reader child: request on stdin, pickled result on stdout."""
    serve(_child_read)


def _fault(request: dict, reader: str) -> None:
    kind, _, target = (request.get("fault") or "").partition(":")
    if target not in (reader, "any"):
        return
    if kind == "abort":
        os.abort()
    if kind == "exit":
        os._exit(3)
    if kind == "raise":
        raise RuntimeError("injected reader failure")


def _child_read(request: dict) -> dict:
    reader = request["reader"]
    limits = Limits(**request["limits"])
    started = time.perf_counter()
    # Import before limiting: a shared library mapped under RLIMIT_AS fails as ImportError.
    if reader == "calamine":
        import python_calamine  # noqa: F401
    elif reader == "openpyxl":
        for name in _HEAVY_MODULES:
            # openpyxl imports numpy and PIL when it can find them; we need neither.
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]
        import warnings

        warnings.simplefilter("ignore")
        import openpyxl  # noqa: F401
    imported = time.perf_counter()
    limit_self(limits)
    encoding = None
    try:
        _fault(request, reader)
        if reader == "csv":
            sheets, encoding = _split_csv(request.pop("data"), request["file_name"], limits)
        elif reader == "calamine":
            sheets = _read_calamine(request["data"], limits, request.get("kind", "xlsx"))
        else:
            sheets = _read_openpyxl(request["data"], limits)
        if reader != "csv":
            sheets = _with_outline(request["data"], sheets)
        if reader == "calamine" and request.get("kind") == "ods":
            sheets = _with_ods_errors(request["data"], sheets)
        elif reader == "calamine" and request.get("kind") in ("xls", "xlsb"):
            from regiondash.ingest.cell_errors import with_cell_errors

            sheets = with_cell_errors(request["data"], request["kind"], sheets)
        sheets, total = bound_text(sheets, limits)
    except MemoryError:
        return {"status": "memory"}
    except _TooLarge as exc:
        return exc.info
    except _TooMuchText as exc:
        return exc.info
    except UnreadableFile as exc:
        return {"status": "refused", "message": exc.message, "reason": exc.reason}
    except BaseException as exc:  # pyo3 panics derive from BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        status = "xml_entities" if _is_defusedxml_refusal(exc) else "error"
        return {"status": status, "detail": f"{type(exc).__name__}: {str(exc)[:300]}"}
    parsed = time.perf_counter()
    return {
        "status": "ok",
        "sheets": sheets,
        "encoding": encoding,
        "text_chars": total,
        "timings": {"import": imported - started, "parse": parsed - imported},
        "heavy_modules": [m for m in _HEAVY_MODULES if sys.modules.get(m) is not None],
    }


def _is_defusedxml_refusal(exc: BaseException) -> bool:
    from defusedxml import DefusedXmlException

    # openpyxl re-raises parser errors as ValueError("Unable to read workbook") from the cause.
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, DefusedXmlException):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _as_text(value: object) -> str:
    if isinstance(value, dt.timedelta):
        total = int(value.total_seconds())
        sign = "-" if total < 0 else ""
        hours, rest = divmod(abs(total), 3600)
        return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return value.isoformat()  # type: ignore[attr-defined]


def _finish(rows: list[list[object]], numbers: list[int]) -> tuple[list, list]:
    """Drop wholly empty rows before the first and after the last row with data."""
    first = next((i for i, row in enumerate(rows) if row), len(rows))
    last = next((i for i in range(len(rows) - 1, -1, -1) if rows[i]), -1)
    return rows[first : last + 1], numbers[first : last + 1]


# calamine returns an .ods duration of a day or more as its ISO 8601 text, e.g. PT30H00M00S.
_ODS_DURATION = re.compile(r"^(-)?PT(\d+)H(\d+)M(\d+(?:\.\d+)?)S$")


def _ods_text(value: str) -> object:
    match = _ODS_DURATION.match(value)
    if match is None:
        return value
    sign, hours, minutes, seconds = match.groups()
    delta = dt.timedelta(hours=int(hours), minutes=int(minutes), seconds=float(seconds))
    return _as_text(-delta if sign else delta)


def _read_calamine(data: bytes, limits: Limits, kind: str = "xlsx") -> list[tuple]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    # calamine picks the reader (xls, xlsx, xlsb, ods) from the bytes, as the sniffer did.
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets: list[tuple] = []
    text_types = _TEXT_TYPES
    # Equal dates (the same day in a thousand rows) shared as one object, so the reply pickles
    # each once and the server unpickles each once. Only dates: True == 1 == 1.0 as dict keys.
    shared: dict[object, object] = {}
    shared_types = (dt.date, dt.datetime)
    ods = kind == "ods"
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue  # chart and dialog sheets have no cells
        visible = meta.visible == SheetVisibleEnum.Visible
        sheet = workbook.get_sheet_by_name(meta.name)
        start = sheet.start
        if start is None:
            sheets.append((meta.name, visible, [], []))
            continue
        first_row, first_col = start
        n_rows, n_cols = sheet.height, first_col + sheet.width
        if _over(n_rows, n_cols, limits):
            raise _TooLarge(meta.name, n_rows, n_cols)
        pad = [None] * first_col
        rows: list[list[object]] = []
        # skip_empty_area=True starts at the used range's top-left cell; we add the row offset
        # back to the numbers and pad the columns so index 0 is always column A.
        for raw in sheet.to_python(skip_empty_area=True):
            row = [
                None
                if v == ""
                else shared.setdefault(v, v)
                if v.__class__ in shared_types
                else _as_text(v)
                if v.__class__ in text_types
                else v
                for v in raw
            ]
            if kind != "xlsx":
                # .xls gives whole numbers as int (xlsx never does); .ods long durations as text.
                for i, v in enumerate(row):
                    if v.__class__ is int:
                        row[i] = float(v)
                    elif ods and v.__class__ is str and v.startswith(("PT", "-PT")):
                        row[i] = _ods_text(v)
            while row and row[-1] is None:
                row.pop()
            rows.append(pad + row if row and first_col else row)
        numbers = list(range(first_row + 1, first_row + 1 + len(rows)))
        rows, numbers = _finish(rows, numbers)
        sheets.append((meta.name, visible, rows, numbers))
        del sheet
    workbook.close()
    return sheets


def _over(n_rows: int, n_cols: int, limits: Limits) -> bool:
    return (
        n_rows > limits.max_sheet_rows
        or n_cols > limits.max_sheet_columns
        or n_rows * n_cols > limits.max_sheet_cells
    )


def _read_openpyxl(data: bytes, limits: Limits) -> list[tuple]:
    import openpyxl

    workbook = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=True, keep_links=False
    )
    midnight = dt.time()
    sheets = []
    for ws in workbook.worksheets:
        # A wrong <dimension> would otherwise truncate rows to the declared width.
        ws.reset_dimensions()
        rows: list[list[object]] = []
        numbers: list[int] = []
        width = 0
        for number, raw in enumerate(ws.iter_rows(values_only=True), start=1):
            row: list[object] = []
            for v in raw:
                cls = v.__class__
                if cls is dt.datetime and v.time() == midnight:
                    v = v.date()  # what calamine returns for a whole-day date
                elif cls is int:
                    v = float(v)  # calamine returns every number as float
                elif cls is str and v == "":
                    v = None
                elif cls in _TEXT_TYPES:
                    v = _as_text(v)
                row.append(v)
            while row and row[-1] is None:
                row.pop()
            if not row and not rows:
                continue  # empty rows above the data are not kept (their numbers say where)
            rows.append(row)
            numbers.append(number)
            width = max(width, len(row))
            n_rows = number - numbers[0] + 1
            if _over(n_rows, width, limits):
                raise _TooLarge(ws.title, n_rows, width, partial=True)
        rows, numbers = _finish(rows, numbers)
        sheets.append((ws.title, ws.sheet_state == "visible", rows, numbers))
    workbook.close()
    return sheets


# --------------------------------------------------------------------------------------------
# xlsx: row outline levels and cell indents (child side), for project-plan exports

_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_OUTLINE_ATTR = re.compile(rb"\soutlineLevel\s*=\s*[\"'](\d+)")
_STYLED_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?\ss\s*=\s*[\"'](\d+)[\"'][^>]*)>")
_ROW_REF = re.compile(rb"\sr\s*=\s*[\"'][A-Za-z]*(\d+)[\"']")
_ERROR_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?\st\s*=\s*[\"']e[\"'][^>/]*)>(.*?)"
    rb"</(?:[A-Za-z_][\w.-]*:)?c>",
    re.DOTALL,
)
_ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_CELL_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,3})(\d+)[\"']")
_CACHED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)</")
_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row>")
_SCAN_CHUNK = 4 * 2**20


def _with_outline(data: bytes, sheets: list[tuple]) -> list[tuple]:
    """Each sheet with its outline levels and indents added (when it has any), and its formula
    error cells holding their error text (calamine reads them as blank). Any failure (not an
    xlsx, odd XML) leaves the sheets as they were."""
    try:
        found = _scan_outline(data)
    except Exception:
        return sheets
    out = []
    for sheet in sheets:
        levels, indents, errors = found.get(sheet[0], ({}, {}, {}))
        numbers = sheet[3]
        if errors:
            _put_errors(sheet[2], numbers, errors)
        level_list = [levels.get(n, 0) for n in numbers] if levels else None
        indent_list = [indents.get(n, 0) for n in numbers] if indents else None
        out.append((*sheet[:4], level_list, indent_list))
    return out


def _put_errors(rows: list[list], numbers: list[int], errors: dict[tuple[int, int], str]) -> None:
    """Write each error cell's text into the grid where the reader left it blank."""
    index_of = {number: i for i, number in enumerate(numbers)}
    for (number, column), text in errors.items():
        i = index_of.get(number)
        if i is None or column >= DEFAULT_LIMITS.max_sheet_columns:
            continue  # a row the reader dropped as empty cannot hold a value it kept
        row = rows[i]
        if column < len(row):
            if row[column] is None:
                row[column] = text
        else:
            row.extend([None] * (column - len(row)))
            row.append(text)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def _scan_outline(data: bytes) -> dict[str, tuple[dict, dict, dict]]:
    """Sheet name -> ({row: outline level}, {row: largest indent}, {(row, column index): error
    text}) from the sheet XML, read in chunks with regular expressions: cheap, and bounded like
    the readers' own pass."""
    import posixpath
    import zipfile

    import defusedxml.ElementTree as DefusedET

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def attr(element, name: str) -> str | None:
        return next((v for k, v in element.attrib.items() if local(k) == name), None)

    zf = zipfile.ZipFile(io.BytesIO(data))
    by_name = {info.filename.lower(): info for info in zf.infolist()}
    indent_styles: dict[bytes, int] = {}
    if "xl/styles.xml" in by_name:
        styles = DefusedET.fromstring(zf.read(by_name["xl/styles.xml"]), forbid_dtd=True)
        for xfs in (el for el in styles.iter() if local(el.tag) == "cellXfs"):
            for index, xf in enumerate(el for el in xfs if local(el.tag) == "xf"):
                for alignment in (el for el in xf if local(el.tag) == "alignment"):
                    indent = int(attr(alignment, "indent") or 0)
                    if indent > 0:
                        indent_styles[str(index).encode()] = indent
    rels = DefusedET.fromstring(zf.read(by_name["xl/_rels/workbook.xml.rels"]), forbid_dtd=True)
    targets = {}
    for el in rels.iter():
        target = attr(el, "Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[attr(el, "Id")] = posixpath.normpath(path).lower()
    workbook = DefusedET.fromstring(zf.read(by_name["xl/workbook.xml"]), forbid_dtd=True)
    found = {}
    for el in workbook.iter():
        part = targets.get(attr(el, "id")) if local(el.tag) == "sheet" else None
        if part in by_name:
            found[attr(el, "name") or ""] = _scan_sheet_xml(zf, by_name[part], indent_styles)
    return found


def _scan_sheet_xml(zf, info, indent_styles: dict[bytes, int]):
    levels: dict[int, int] = {}
    indents: dict[int, int] = {}
    errors: dict[tuple[int, int], str] = {}
    tail = b""
    with zf.open(info) as stream:
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            buffer = tail + chunk
            # Cut after the last whole row, so no cell is split between two chunks.
            ends = list(_ROW_END.finditer(buffer, max(0, len(buffer) - _SCAN_CHUNK // 4)))
            cut = ends[-1].end() if ends else buffer.rfind(b">") + 1
            if not chunk:
                cut = len(buffer)
            text, tail = buffer[:cut], buffer[cut:]
            # The quoted "e" any error cell's type holds, found by a plain byte search first:
            # the pattern alone scans a national sheet's XML several times slower.
            if (b'"e"' in text or b"'e'" in text) and _ERROR_TYPE.search(text):
                for cell in _ERROR_CELL.finditer(text):
                    ref = _CELL_REF.search(cell.group(1))
                    cached = _CACHED.search(cell.group(2))
                    value = cached.group(1).decode("ascii", "replace").strip() if cached else ""
                    if ref and value.upper() in SPREADSHEET_ERRORS:
                        position = (int(ref.group(2)), _column_index(ref.group(1)))
                        errors[position] = value.upper()
            if b"outlineLevel" in text:
                for tag in _ROW_TAG.finditer(text):
                    level = _OUTLINE_ATTR.search(tag.group(1))
                    if level is None:
                        continue
                    ref = _ROW_REF.search(tag.group(1))
                    if ref and int(level.group(1)) > 0:
                        levels[int(ref.group(1))] = int(level.group(1))
            if indent_styles:
                for tag in _STYLED_CELL.finditer(text):
                    indent = indent_styles.get(tag.group(2))
                    if not indent:
                        continue
                    ref = _ROW_REF.search(tag.group(1))
                    if ref:
                        row = int(ref.group(1))
                        indents[row] = max(indents.get(row, 0), indent)
            if not chunk:
                return levels, indents, errors


# --------------------------------------------------------------------------------------------
# ods: formula error cells (child side), which calamine reads as blank

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_MAX_REPEAT = 1000  # a repeated error cell marks at most this many rows and columns
_ODS_MAX_ERRORS = 200_000  # error cells marked per sheet at most


def _with_ods_errors(data: bytes, sheets: list[tuple]) -> list[tuple]:
    """The sheets with each formula error cell holding its error text, as for xlsx. Any
    failure leaves the sheets as they were (the cells then read as blank)."""
    try:
        found = _scan_ods_errors(data)
    except Exception:
        return sheets
    for sheet in sheets:
        errors = found.get(sheet[0])
        if errors:
            _put_errors(sheet[2], sheet[3], errors)
    return sheets


def _scan_ods_errors(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name -> {(row, column index): error text} from content.xml, streamed; repeated
    rows and columns are counted, never expanded."""
    import zipfile

    from defusedxml.ElementTree import iterparse

    zf = zipfile.ZipFile(io.BytesIO(data))
    found: dict[str, dict[tuple[int, int], str]] = {}
    errors: dict[tuple[int, int], str] = {}
    row = column = 0
    row_repeat = 1
    cells = (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell")
    with zf.open("content.xml") as stream:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            tag = element.tag
            if event == "start":
                if tag == f"{_ODS_TABLE}table":
                    errors = found.setdefault(element.get(f"{_ODS_TABLE}name") or "", {})
                    row = 0
                elif tag == f"{_ODS_TABLE}table-row":
                    column = 0
                    row_repeat = int(element.get(f"{_ODS_TABLE}number-rows-repeated") or 1)
                continue
            if tag in cells:
                repeat = int(element.get(f"{_ODS_TABLE}number-columns-repeated") or 1)
                is_error = element.get(f"{_ODS_CALCEXT}value-type") == "error" or (
                    element.get(f"{_ODS_TABLE}formula") is not None
                    and element.get(f"{_ODS_OFFICE}value-type") in (None, "string")
                )
                if is_error:
                    text = "".join(element.itertext()).strip().upper()
                    if text in SPREADSHEET_ERRORS and len(errors) < _ODS_MAX_ERRORS:
                        # A repeated error cell marks each cell it stands for, within bounds.
                        for r in range(row, row + min(row_repeat, _ODS_MAX_REPEAT)):
                            for c in range(column, column + min(repeat, _ODS_MAX_REPEAT)):
                                errors[(r + 1, c)] = text
                column += repeat
                element.clear()
            elif tag == f"{_ODS_TABLE}table-row":
                row += row_repeat
                element.clear()
    return {name: errors for name, errors in found.items() if errors}
