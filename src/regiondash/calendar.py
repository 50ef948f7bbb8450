"""Busy periods the guide says to avoid for go-live: one definition, used everywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays


@dataclass(frozen=True)
class BusyPeriod:
    """A span of days the migration guide advises against going live in."""

    kind: str  # "flu_season", "qof_year_end", "christmas", "summer", "bank_holiday"
    label: str
    start: dt.date
    end: dt.date  # inclusive


# (kind, label, start month/day, end month/day); a start after its end runs into the next year.
SEASONAL_PERIODS: tuple[tuple[str, str, tuple[int, int], tuple[int, int]], ...] = (
    ("flu_season", "Flu season (1 Sep – 31 Mar)", (9, 1), (3, 31)),
    ("qof_year_end", "QOF year end (1 Mar – 30 Apr)", (3, 1), (4, 30)),
    ("christmas", "Christmas and New Year (24 Dec – 2 Jan)", (12, 24), (1, 2)),
    ("summer", "Summer holidays (20 Jul – 31 Aug)", (7, 20), (8, 31)),
)
BUSY_KINDS = ("flu_season", "qof_year_end", "christmas", "summer", "bank_holiday")


def england_bank_holidays(years: range | list[int]) -> dict[dt.date, str]:
    """England's bank holidays (the `holidays` package, subdivision ENG) for the given years, as
    gov.uk lists them: weekdays only, since a holiday falling at a weekend is taken on its
    substitute day (Boxing Day 2026, a Saturday, is Monday 28 December)."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return {day: name for day, name in sorted(days.items()) if day.weekday() < 5}


def busy_periods(start: dt.date, end: dt.date) -> list[BusyPeriod]:
    """Every busy period overlapping start..end, seasonal spans first, then bank holidays."""
    periods: list[BusyPeriod] = []
    for year in range(start.year - 1, end.year + 1):
        for kind, label, (m1, d1), (m2, d2) in SEASONAL_PERIODS:
            first = dt.date(year, m1, d1)
            last = dt.date(year + 1 if (m2, d2) < (m1, d1) else year, m2, d2)
            if first <= end and last >= start:
                periods.append(BusyPeriod(kind, label, first, last))
    for day, name in england_bank_holidays(range(start.year, end.year + 1)).items():
        if start <= day <= end:
            periods.append(BusyPeriod("bank_holiday", f"Bank holiday: {name}", day, day))
    return periods


def busy_kinds_on(day: dt.date) -> list[str]:
    """The kinds of busy period a day falls in (empty when it is a quiet day)."""
    return sorted({p.kind for p in busy_periods(day, day)}, key=BUSY_KINDS.index)


def definition_rows() -> list[dict[str, str]]:
    """The busy-period definitions as rows for the definitions page."""
    rows = [
        {
            "busy period": label,
            "from": f"{d1} {dt.date(2000, m1, 1):%B}",
            "to": f"{d2} {dt.date(2000, m2, 1):%B}",
        }
        for _, label, (m1, d1), (m2, d2) in SEASONAL_PERIODS
    ]
    rows.append(
        {
            "busy period": "England bank holidays",
            "from": "each bank holiday",
            "to": "(from the holidays package, GB subdivision ENG)",
        }
    )
    return rows
