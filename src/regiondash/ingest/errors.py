"""The one exception an upload is refused with, and the plain-English messages behind it."""

from __future__ import annotations

import re

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
