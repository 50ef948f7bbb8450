"""Busy periods for go-live: England bank holidays, flu season, QOF year end, Christmas, summer."""

import datetime as dt

import holidays
import pytest

from regiondash.calendar import (
    BUSY_KINDS,
    BusyPeriod,
    busy_kinds_on,
    busy_periods,
    definition_rows,
    england_bank_holidays,
)

D = dt.date

# The `holidays` package's output for GB subdivision ENG, 2026, pinned literally. It lists
# Boxing Day on Saturday 26 December as well as its Monday substitute.
HOLIDAYS_PACKAGE_2026 = {
    D(2026, 1, 1): "New Year's Day",
    D(2026, 4, 3): "Good Friday",
    D(2026, 4, 6): "Easter Monday",
    D(2026, 5, 4): "May Day",
    D(2026, 5, 25): "Spring Bank Holiday",
    D(2026, 8, 31): "Late Summer Bank Holiday",
    D(2026, 12, 25): "Christmas Day",
    D(2026, 12, 26): "Boxing Day",
    D(2026, 12, 28): "Boxing Day (observed)",
}
# gov.uk/bank-holidays, England and Wales 2026: the days offices are actually shut.
GOV_UK_2026 = [
    D(2026, 1, 1),  # New Year's Day
    D(2026, 4, 3),  # Good Friday
    D(2026, 4, 6),  # Easter Monday
    D(2026, 5, 4),  # Early May bank holiday
    D(2026, 5, 25),  # Spring bank holiday
    D(2026, 8, 31),  # Summer bank holiday
    D(2026, 12, 25),  # Christmas Day
    D(2026, 12, 28),  # Boxing Day (substitute day)
]


def test_england_bank_holidays_2026_come_from_the_holidays_package():
    package = holidays.country_holidays("GB", subdiv="ENG", years=[2026])
    assert dict(sorted(package.items())) == HOLIDAYS_PACKAGE_2026
    ours = england_bank_holidays([2026])
    assert list(ours) == sorted(ours)
    assert set(GOV_UK_2026) <= set(ours) <= set(HOLIDAYS_PACKAGE_2026)
    assert {day: ours[day] for day in GOV_UK_2026} == {
        day: HOLIDAYS_PACKAGE_2026[day] for day in GOV_UK_2026
    }


def test_england_bank_holidays_2026_are_the_gov_uk_days():
    assert list(england_bank_holidays([2026])) == GOV_UK_2026


def test_england_bank_holidays_across_years():
    days = england_bank_holidays(range(2026, 2028))
    assert D(2027, 3, 26) in days  # Good Friday 2027
    assert D(2027, 8, 30) in days  # Late Summer 2027
    assert D(2026, 3, 17) not in days  # St Patrick's Day is Northern Ireland only
    assert D(2026, 11, 30) not in days  # St Andrew's Day is Scotland only
    assert D(2026, 8, 3) not in days  # Scotland's summer bank holiday


@pytest.mark.parametrize(
    ("day", "kinds"),
    [
        (D(2026, 8, 31), ["summer", "bank_holiday"]),  # last day of summer; not yet flu season
        (D(2026, 9, 1), ["flu_season"]),
        (D(2026, 2, 28), ["flu_season"]),
        (D(2026, 3, 1), ["flu_season", "qof_year_end"]),
        (D(2026, 3, 31), ["flu_season", "qof_year_end"]),  # the QOF year ends 31 March
        (D(2026, 4, 1), ["qof_year_end"]),
        (D(2026, 4, 3), ["qof_year_end", "bank_holiday"]),  # Good Friday
        (D(2026, 4, 30), ["qof_year_end"]),
        (D(2026, 5, 1), []),
        (D(2026, 5, 4), ["bank_holiday"]),
        (D(2026, 7, 19), []),
        (D(2026, 7, 20), ["summer"]),
        (D(2026, 12, 23), ["flu_season"]),
        (D(2026, 12, 24), ["flu_season", "christmas"]),
        (D(2026, 12, 25), ["flu_season", "christmas", "bank_holiday"]),
        (D(2027, 1, 1), ["flu_season", "christmas", "bank_holiday"]),
        (D(2027, 1, 2), ["flu_season", "christmas"]),
        (D(2027, 1, 3), ["flu_season"]),
        (D(2026, 6, 10), []),
    ],
)
def test_busy_kinds_on(day, kinds):
    assert busy_kinds_on(day) == kinds


def test_busy_kinds_are_in_the_declared_order():
    assert BUSY_KINDS == ("flu_season", "qof_year_end", "christmas", "summer", "bank_holiday")


def test_busy_periods_across_the_year_end():
    periods = busy_periods(D(2026, 12, 20), D(2027, 1, 10))
    assert [(p.kind, p.start, p.end) for p in periods] == [
        ("flu_season", D(2026, 9, 1), D(2027, 3, 31)),
        ("christmas", D(2026, 12, 24), D(2027, 1, 2)),
        ("bank_holiday", D(2026, 12, 25), D(2026, 12, 25)),
        ("bank_holiday", D(2026, 12, 28), D(2026, 12, 28)),
        ("bank_holiday", D(2027, 1, 1), D(2027, 1, 1)),
    ]
    assert periods[0].label == "Flu season (1 Sep – 31 Mar)"
    assert periods[1].label == "Christmas and New Year (24 Dec – 2 Jan)"
    assert periods[-1].label == "Bank holiday: New Year's Day"


def test_busy_periods_in_january_find_the_spans_that_began_the_year_before():
    assert busy_periods(D(2027, 1, 2), D(2027, 1, 2)) == [
        BusyPeriod("flu_season", "Flu season (1 Sep – 31 Mar)", D(2026, 9, 1), D(2027, 3, 31)),
        BusyPeriod(
            "christmas", "Christmas and New Year (24 Dec – 2 Jan)", D(2026, 12, 24), D(2027, 1, 2)
        ),
    ]


def test_busy_periods_over_a_year():
    periods = busy_periods(D(2026, 4, 1), D(2027, 3, 31))
    seasonal = [(p.kind, p.start, p.end) for p in periods if p.kind != "bank_holiday"]
    # the 2025 flu season ends 31 Mar 2026, the day before: it is not included
    assert seasonal == [
        ("flu_season", D(2026, 9, 1), D(2027, 3, 31)),
        ("qof_year_end", D(2026, 3, 1), D(2026, 4, 30)),
        ("christmas", D(2026, 12, 24), D(2027, 1, 2)),
        ("summer", D(2026, 7, 20), D(2026, 8, 31)),
        ("qof_year_end", D(2027, 3, 1), D(2027, 4, 30)),
    ]
    days = [p.start for p in periods if p.kind == "bank_holiday"]
    assert days == [
        D(2026, 4, 3),
        D(2026, 4, 6),
        D(2026, 5, 4),
        D(2026, 5, 25),
        D(2026, 8, 31),
        D(2026, 12, 25),
        D(2026, 12, 28),
        D(2027, 1, 1),
        D(2027, 3, 26),
        D(2027, 3, 29),
    ]


def test_a_quiet_window_has_no_busy_periods():
    assert busy_periods(D(2026, 5, 5), D(2026, 5, 24)) == []


def test_definition_rows():
    rows = definition_rows()
    assert len(rows) == 5
    assert rows == [
        {"busy period": "Flu season (1 Sep – 31 Mar)", "from": "1 September", "to": "31 March"},
        {"busy period": "QOF year end (1 Mar – 30 Apr)", "from": "1 March", "to": "30 April"},
        {
            "busy period": "Christmas and New Year (24 Dec – 2 Jan)",
            "from": "24 December",
            "to": "2 January",
        },
        {"busy period": "Summer holidays (20 Jul – 31 Aug)", "from": "20 July", "to": "31 August"},
        {
            "busy period": "England bank holidays",
            "from": "each bank holiday",
            "to": "(from the holidays package, GB subdivision ENG)",
        },
    ]
