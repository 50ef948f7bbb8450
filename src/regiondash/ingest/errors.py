"""The one exception an upload is refused with, and the plain-English messages behind it."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regiondash.ingest.limits import Limits

# Machine keys for UnreadableFile.reason; callers and tests match on these exactly.
REASONS = frozenset(
    {
        "empty",
        "not_spreadsheet",
        "encrypted",
        "macro_enabled",
        "corrupt",
        "too_large",
        "zip_bomb",
        "xml_entities",
        "sheet_too_large",
        "no_sheets",
        "text_encoding",
        "timeout",
        "memory",
        "reader_crashed",
        "too_much_text",
        "reply_too_large",
    }
)

# What a formula error cell reads as, whichever reader ran: its error text. openpyxl gives that
# text; calamine gives "" for every format, so the xlsx sheet XML is scanned for error cells.
SPREADSHEET_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#REF!",
        "#N/A",
        "#VALUE!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
    }
)


def spreadsheet_error(value: object) -> str | None:
    """The error code (e.g. "#DIV/0!") when a cell holds a formula error, else None."""
    if isinstance(value, str) and value.strip().upper() in SPREADSHEET_ERRORS:
        return value.strip().upper()
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MAX_NAME = 120


class UnreadableFile(Exception):
    """A file refused before or during parsing.

    `message` is plain English for a CSU lead, names the file, says what to do; `reason` is a
    short machine key (one of REASONS).
    """

    exit_code = 2

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Keep both arguments when pickled (e.g. across a process boundary).
        return (type(self), (self.message, self.reason))


def display_name(file_name: str) -> str:
    """The file name as shown in a message: last path component, no control characters."""
    # The name comes from the uploader's browser: strip any path and anything that could
    # break a line or reorder text on screen, and keep it a readable length.
    name = re.split(r"[\\/]", file_name or "")[-1]
    name = _CONTROL.sub("", name).strip()
    if len(name) > _MAX_NAME:
        name = name[: _MAX_NAME - 1] + "…"
    return name or "The uploaded file"


def refuse(file_name: str, reason: str, text: str) -> UnreadableFile:
    """An UnreadableFile whose message is the display name followed by text."""
    return UnreadableFile(f"{display_name(file_name)} {text}", reason)


def size_text(n_bytes: int) -> str:
    """A byte count as people say it (KB / MB / GB)."""
    if n_bytes >= 2**30:
        return f"{n_bytes / 2**30:.1f} GB"
    if n_bytes >= 2**20:
        return f"{n_bytes / 2**20:.1f} MB"
    return f"{max(1, round(n_bytes / 1024))} KB"


SAVE_AS_XLSX = (
    "Open it in Excel, use File > Save As, choose 'Excel Workbook (*.xlsx)' "
    "and upload the new copy."
)
TRIM_ADVICE = (
    "Save a copy that holds only the tracker sheet (delete other sheets, pictures and unused "
    "rows and columns) and upload that."
)


# The refusals both the first look (sniff.py) and the reader (worker.py) raise: here, so that
# neither takes them from the other.

# What each kind is called in messages, and the extensions it is normally saved with.
KIND_NAMES = {
    "xlsx": ("an Excel workbook (.xlsx)", (".xlsx", ".xlsm", ".xltx")),
    "xlsb": ("an Excel Binary Workbook (.xlsb)", (".xlsb",)),
    "xls": ("an Excel 97-2003 workbook (.xls)", (".xls", ".xlt")),
    "ods": ("an OpenDocument spreadsheet (.ods)", (".ods", ".ots")),
    "csv": ("a CSV file", (".csv", ".txt", ".tsv")),
}


def renamed_note(file_name: str, kind: str) -> str:
    """' (its name ends in .xlsx, but it is an Excel 97-2003 workbook (.xls))' or ''."""
    suffix = PurePosixPath(display_name(file_name).lower()).suffix
    title, extensions = KIND_NAMES[kind]
    if (
        not suffix
        or suffix in extensions
        or not any(suffix in exts for _title, exts in KIND_NAMES.values())
    ):
        return ""
    return f" (its name ends in {suffix}, but it is {title})"


def kind_refusal(file_name: str, kind: str, why: str, reason: str = "corrupt") -> UnreadableFile:
    """'X could not be read as an Excel 97-2003 workbook (.xls): why. Save it as .xlsx...'"""
    title = KIND_NAMES[kind][0]
    advice = SAVE_AS_XLSX
    if kind == "ods":
        advice = (
            "Open it in LibreOffice Calc (or Excel), save a copy as 'Excel 2007-365 (.xlsx)' and "
            "upload that."
        )
    elif reason == "reader_crashed":
        advice += " If that fails too, send the file to the dashboard support team."
    return refuse(
        file_name,
        reason,
        f"could not be read as {title}{renamed_note(file_name, kind)}: {why}. {advice}",
    )


def xml_entities_refusal(file_name: str) -> UnreadableFile:
    """The xml_entities refusal (also used when a reader's defusedxml trips in the child)."""
    return refuse(
        file_name,
        "xml_entities",
        "contains XML document type declarations (DOCTYPE/ENTITY), which Excel never writes "
        "and which can be used to attack the server, so it was not opened. Open it in Excel and "
        "save it again as .xlsx, or ask the sender for a normal export.",
    )


def no_sheets_refusal(file_name: str) -> UnreadableFile:
    """The no_sheets refusal."""
    return refuse(
        file_name,
        "no_sheets",
        "has no worksheets with cells to read. Check it is the tracker, open it in Excel, "
        "add the tracker sheet and save again.",
    )


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
