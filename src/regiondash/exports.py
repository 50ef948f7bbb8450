"""The one module that writes spreadsheet files: tables as .xlsx or .csv people can open safely
(real dates, and no text a spreadsheet would run as a formula), and any openpyxl workbook saved as
bytes that depend only on its content (the tracker template, the fixtures and the demo's files).

Ground floor: pandas and openpyxl only, so every layer may import it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NHS_BLUE = "005EB8"
DATE_FORMAT = "dd/mm/yyyy"
FIXED_TIMESTAMP = dt.datetime(2026, 1, 1)
MEANING_WIDTH = 100  # characters, in a notes sheet's second column
_HEADER_FILL = PatternFill("solid", fgColor=NHS_BLUE)


def _cell_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, dict | list):
        return str(value)
    return value


def _xml_safe(value: object) -> object:
    # XML parsers turn a carriage return in cell text into a line feed whatever we do, so line
    # ends become line feeds here, on purpose, rather than in the reader by surprise.
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _table_sheet(
    book: Workbook, name: str, frame: pd.DataFrame, blank_empty: bool = False
) -> Worksheet:
    """One table on its own sheet: bold header, frozen, dates as dates, no formulas."""
    sheet = book.create_sheet(title=name[:31])
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(name="Arial", bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
    for record in frame.itertuples(index=False):
        values = [_xml_safe(_cell_value(v)) for v in record]
        sheet.append([None if blank_empty and v == "" else v for v in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith((*FORMULA_TRIGGERS, "\n")):
                cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
                cell.quotePrefix = True
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    return sheet


def _style_notes(notes: Worksheet) -> None:
    """A two-column term/meaning sheet: long meanings wrap in a wide column, so they read
    without widening it by hand."""
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = MEANING_WIDTH
    for term, meaning in notes.iter_rows(min_row=2, max_col=2):
        term.font = Font(name="Calibri", size=11, bold=True)
        term.alignment = Alignment(vertical="top")
        meaning.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        # office suites do not grow a row to fit wrapped text on opening, so it is sized here
        lines = -(-len(str(meaning.value or "")) // (MEANING_WIDTH - 8))
        notes.row_dimensions[term.row].height = 15 * max(lines, 1)


def _print_setup(book: Workbook) -> None:
    # printed, each sheet is one page wide in landscape, its header repeated on every page
    for each in book.worksheets:
        each.page_setup.orientation = "landscape"
        each.page_setup.paperSize = each.PAPERSIZE_A4
        each.sheet_properties.pageSetUpPr.fitToPage = True
        each.page_setup.fitToWidth = 1
        each.page_setup.fitToHeight = 0
        each.print_title_rows = "1:1"


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bytes(
    sheets: dict[str, pd.DataFrame],
    notes: str | None = None,
    printable: bool = False,
    blank_empty: bool = False,
) -> bytes:
    """An .xlsx workbook with one sheet per table: bold header, frozen, dates as dates, and any
    text beginning with = + - @ tab or CR stored as plain text (never as a formula). `notes`
    names a two-column term/meaning sheet to lay out for reading; `printable` makes every sheet
    print one page wide in landscape with its header on each page; `blank_empty` leaves cells
    of empty text blank (no cell at all) rather than holding ''."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = _table_sheet(book, name, frame, blank_empty)
        if name == notes:
            _style_notes(sheet)
    if printable:
        _print_setup(book)
    if book.worksheets:
        book.active = 0
    return _saved(book)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel reads accents right), formula-like text neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) else v
            )
    # CRLF line ends, as Excel writes them, also make the csv module quote a bare CR in a cell
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def stable_xlsx_bytes(workbook: Workbook, modified: dt.datetime = FIXED_TIMESTAMP) -> bytes:
    """The workbook saved as .xlsx bytes that depend only on its content and `modified`."""
    props = workbook.properties
    props.creator = "regiondash"
    props.created = modified
    buffer = io.BytesIO(_saved(workbook))
    # openpyxl stamps the wall clock into docProps/core.xml and into every zip entry's header;
    # pin both so equal content gives byte-identical files (stable hashes, diffable fixtures).
    # The saved zip is rewritten entry by entry, not reloaded as a workbook.
    props.modified = modified
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = tostring(props.to_tree())
            entry = zipfile.ZipInfo(info.filename, date_time=modified.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    return out.getvalue()


def workbook_bytes(
    frame: pd.DataFrame, sheet_name: str = "Tracker", modified: dt.datetime = FIXED_TIMESTAMP
) -> bytes:
    """The frame as a one-sheet tracker-like .xlsx: header on row 1, dates as Excel date cells,
    streamed (the national tracker has 250k cells) and byte-stable."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name)
    ws.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(len(column) + 2, 40))
    ws.append(list(frame.columns))
    dates = [pd.api.types.is_datetime64_any_dtype(frame[c]) for c in frame.columns]
    for values in frame.itertuples(index=False, name=None):
        row: list[object] = []
        for value, is_date in zip(values, dates, strict=True):
            if pd.isna(value):
                row.append(None)
            elif is_date:
                cell = WriteOnlyCell(ws, value=value.date())
                cell.number_format = DATE_FORMAT
                row.append(cell)
            else:
                row.append(value.item() if hasattr(value, "item") else value)
        ws.append(row)
    return stable_xlsx_bytes(wb, modified)


def export_file_name(name: str, scope: str, as_at: dt.date, extension: str) -> str:
    """e.g. overruns-icb-qjk-2026-11-20.xlsx"""
    stem = "-".join(part for part in (name.replace("_", "-"), scope) if part)
    safe = "".join(c if c.isalnum() or c == "-" else "-" for c in stem.lower())
    return f"{'-'.join(p for p in safe.split('-') if p)}-{as_at.isoformat()}.{extension}"
