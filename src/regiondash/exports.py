"""Tables as spreadsheet files people can open safely: real dates, and no text that a
spreadsheet would run as a formula."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FILL = PatternFill("solid", fgColor="005EB8")


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


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table: bold header, frozen, dates as dates, and any
    text beginning with = + - @ tab or CR stored as plain text (never as a formula)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append([str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(name="Arial", bold=True, color="FFFFFF")
            cell.fill = _HEADER_FILL
        for record in frame.itertuples(index=False):
            sheet.append([_xml_safe(_cell_value(v)) for v in record])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith((*FORMULA_TRIGGERS, "\n")):
                    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
                    cell.quotePrefix = True
                elif isinstance(cell.value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "dd/mm/yyyy"
        sheet.freeze_panes = "A2"
        for index, column in enumerate(frame.columns, start=1):
            width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
