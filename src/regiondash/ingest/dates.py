"""Tracker date cells -> dates, by the UK's rules: day first, never a guessed format."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from regiondash.ingest.errors import spreadsheet_error

MISSING_WORDS = frozenset({"", "tbc", "tba", "n/a", "na", "-", "–", "—", "none"})
ACCEPTED_FORMS = "dd/mm/yyyy, dd/mm/yy, yyyy-mm-dd or an Excel date"

# Plausible bounds for a migration date: anything outside is a typo, not a plan.
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)

_EXCEL_1900_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1 Jan 1900, allowing for Excel's fake 29 Feb
_EXCEL_1904_EPOCH = dt.date(1904, 1, 1)
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")


class DateProblem(ValueError):
    """A cell that is neither a date we accept nor a word meaning 'missing'."""


def excel_serial_to_date(serial: float, date1904: bool = False) -> dt.date:
    """The calendar date of an Excel serial number in a 1900 or 1904 date-system workbook."""
    whole = int(serial)
    if date1904:
        return _EXCEL_1904_EPOCH + dt.timedelta(days=whole)
    if whole < 60:  # before Excel's phantom 29 Feb 1900
        return _EXCEL_1900_EPOCH + dt.timedelta(days=whole + 1)
    return _EXCEL_1900_EPOCH + dt.timedelta(days=whole)


def date_to_excel_serial(day: dt.date, date1904: bool = False) -> int:
    """The Excel serial number of a date (inverse of excel_serial_to_date after 1 Mar 1900)."""
    epoch = _EXCEL_1904_EPOCH if date1904 else _EXCEL_1900_EPOCH
    return (day - epoch).days


def _checked(day: dt.date, shown: object) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise DateProblem(f"{shown!s} is outside the years {EARLIEST.year}–{LATEST.year}")
    return day


@lru_cache(maxsize=65536)
def parse_date_text(text: str) -> dt.date | None:
    """A date from text in dd/mm/yyyy, dd/mm/yy or yyyy-mm-dd; None for TBC, N/A, -, blank."""
    cleaned = text.strip()
    if cleaned.lower() in MISSING_WORDS:
        return None
    if match := _DAY_FIRST.fullmatch(cleaned):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
    elif match := _ISO.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise DateProblem(f"'{cleaned}' is not a date in the form {ACCEPTED_FORMS}")
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        # Day first, always: 03/25/2026 is month 25, not 25 March.
        raise DateProblem(f"'{cleaned}' is not a real date (day first: dd/mm/yyyy)") from None
    return _checked(parsed, cleaned)


def cell_error_message(error: str, what: str) -> str:
    """What to say about a cell holding a formula error instead of a value."""
    return f"the cell holds the spreadsheet error {error} — fix the formula or type the {what}"


def parse_date_cell(value: object, date1904: bool = False) -> dt.date | None:
    """A date from a spreadsheet cell (date, datetime, serial number or text); None if missing."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _checked(value.date(), value.date())
    if isinstance(value, dt.date):
        return _checked(value, value)
    if error := spreadsheet_error(value):
        raise DateProblem(cell_error_message(error, "date"))
    if isinstance(value, bool):
        raise DateProblem(f"{value} is not a date")
    if isinstance(value, int | float):
        if not 0 < value < 2_958_466:  # NaN, negative or beyond 31 Dec 9999: not a serial
            raise DateProblem(f"{value} is not a date")
        return _checked(excel_serial_to_date(value, date1904), value)
    return parse_date_text(str(value))
