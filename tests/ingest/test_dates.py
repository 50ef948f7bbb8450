"""Date cells: UK day-first text, ISO, Excel serials (1900 and 1904) and date cells."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regiondash.ingest.dates import (
    DateProblem,
    date_to_excel_serial,
    excel_serial_to_date,
    parse_date_cell,
    parse_date_text,
)

D = dt.date


@pytest.mark.parametrize(
    ("cell", "date1904", "expected"),
    [
        ("02/03/2026", False, D(2026, 3, 2)),  # day first: 2 March, never 3 February
        ("2/3/2026", False, D(2026, 3, 2)),
        ("12/01/2026", False, D(2026, 1, 12)),
        ("31/12/26", False, D(2026, 12, 31)),
        ("01/04/25", False, D(2025, 4, 1)),
        ("2026-03-02", False, D(2026, 3, 2)),
        ("2026-03-02 00:00:00", False, D(2026, 3, 2)),
        ("  02/03/2026 ", False, D(2026, 3, 2)),
        (dt.datetime(2026, 3, 2, 0, 0), False, D(2026, 3, 2)),
        (dt.datetime(2026, 3, 2, 14, 30), False, D(2026, 3, 2)),
        (D(2026, 3, 2), False, D(2026, 3, 2)),
        (46083, False, D(2026, 3, 2)),  # Excel 1900 serial
        (46083.75, False, D(2026, 3, 2)),  # time of day ignored
        (44621, True, D(2026, 3, 2)),  # the same day in a 1904 workbook
        (None, False, None),
        ("", False, None),
        ("TBC", False, None),
        ("tbc", False, None),
        ("N/A", False, None),
        ("n/a", False, None),
        ("-", False, None),
        ("   ", False, None),
    ],
)
def test_accepted_date_forms(cell, date1904, expected):
    assert parse_date_cell(cell, date1904) == expected


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("03/25/2026", "not a real date"),  # month-first text is never read day-first
        ("31/02/2026", "not a real date"),
        ("2026/03/02", "not a date in the form"),
        ("March 2026", "not a date in the form"),
        ("02-03-2026", "not a date in the form"),
        ("next week", "not a date in the form"),
        ("02/03/1850", "outside the years"),
        (True, "not a date"),
        (-5, "not a date"),
        (float("nan"), "not a date"),
        (1e20, "not a date"),
        (12, "outside the years"),  # a serial from January 1900 is a typo, not a plan
    ],
)
def test_rejected_date_forms(cell, fragment):
    with pytest.raises(DateProblem, match=fragment):
        parse_date_cell(cell)


dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))


@given(dates)
def test_any_date_round_trips_through_every_form(day):
    assert parse_date_cell(day.strftime("%d/%m/%Y")) == day
    assert parse_date_cell(day.strftime("%d/%m/%y")) == day
    assert parse_date_cell(day.isoformat()) == day
    assert parse_date_cell(date_to_excel_serial(day)) == day
    assert parse_date_cell(float(date_to_excel_serial(day, date1904=True)), date1904=True) == day
    assert parse_date_cell(dt.datetime.combine(day, dt.time())) == day
    assert parse_date_cell(day) == day


@given(dates.filter(lambda d: d.day > 12))
def test_month_first_text_is_never_accepted(day):
    with pytest.raises(DateProblem):
        parse_date_text(day.strftime("%m/%d/%Y"))


@given(dates.filter(lambda d: d.day <= 12 and d.day != d.month))
def test_ambiguous_text_is_always_day_first(day):
    assert parse_date_text(day.strftime("%d/%m/%Y")) == day
    assert parse_date_text(day.strftime("%m/%d/%Y")) != day


def test_excel_serial_landmarks():
    assert excel_serial_to_date(1) == D(1900, 1, 1)
    assert excel_serial_to_date(61) == D(1900, 3, 1)
    assert excel_serial_to_date(0, date1904=True) == D(1904, 1, 1)
    assert excel_serial_to_date(45658) == D(2025, 1, 1)
