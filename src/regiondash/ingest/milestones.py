"""How a wide tracker's milestone dates are read: planned/actual pairs, or one date per milestone
judged against the tracker's as-at date and its Status column."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from regiondash.fields import header_says
from regiondash.phases import MILESTONES
from regiondash.statuses import (
    CANCELLED,
    IN_PROGRESS,
    LIVE,
    ON_HOLD,
    PLANNED,
)

BY_DATE, PLANS, ACTUALS = "by-date", "plans", "actuals"
SINGLE_DATE_MODES = (BY_DATE, PLANS, ACTUALS)
SINGLE_DATE_MODE_LABELS = {
    BY_DATE: "by the tracker date: dates up to it are done, later ones are plans",
    PLANS: "all plans",
    ACTUALS: "all done (actual)",
}
# Go live and the milestones after it: a row whose Status says it is not live (or cancelled) has
# not reached them, whatever their dates say (a passed go live that did not happen is overdue).
AFTER_GO_LIVE = ("go_live", "post_go_live_end", "end_of_migration")
NOT_LIVE_STATES = frozenset({PLANNED, IN_PROGRESS, ON_HOLD, CANCELLED})


def single_date_milestones(columns: dict[int, str], headers: dict[int, str]) -> list[str]:
    """Milestones the tracker records with one date column whose header says neither planned nor
    actual ("Go Live", "IDP"), in the order they happen."""
    keys = {key: index for index, key in columns.items()}
    single = []
    for milestone in MILESTONES:
        present = [keys[k] for k in (f"{milestone}_planned", f"{milestone}_actual") if k in keys]
        if len(present) == 1 and header_says(headers[present[0]]) is None:
            single.append(milestone)
    return single


@dataclass
class DateReading:
    """How one upload's single-date milestones were read, in words for the user."""

    milestones: list[str]
    mode: str
    as_at: dt.date | None
    unknown_statuses: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str | None:
        """A sentence for the upload notes, or None when every milestone has planned/actual."""
        if not self.milestones:
            return None
        names = ", ".join(MILESTONES[m] for m in self.milestones)
        if self.mode == BY_DATE and self.as_at is not None:
            return (
                f"One date per milestone ({names}): dates up to {self.as_at:%-d %b %Y} treated "
                "as done, later dates as plans; go live and later stay plans for rows whose "
                "Status says they are not live"
            )
        return f"One date per milestone ({names}): read as {SINGLE_DATE_MODE_LABELS[self.mode]}"

    def as_json(self) -> dict[str, object]:
        """The reading as the import JSON's `single_dates` object."""
        return {"mode": self.mode, "milestones": list(self.milestones)}


def resolve_single_dates(
    values: dict[str, object], reading: DateReading, state: str | None
) -> None:
    """Turn each single-date milestone of a row into planned and actual dates, in place.

    A date that counts as done is both the plan and what happened: the tracker gives no other
    plan, so the milestone can neither overrun nor slip against itself.
    """
    for milestone in reading.milestones:
        planned_key, actual_key = f"{milestone}_planned", f"{milestone}_actual"
        day = values.get(planned_key) or values.get(actual_key)
        values[planned_key], values[actual_key] = day, None
        if not isinstance(day, dt.date) or reading.mode == PLANS:
            continue
        done = reading.mode == ACTUALS
        if reading.mode == BY_DATE and reading.as_at is not None:
            done = day <= reading.as_at
            if milestone in AFTER_GO_LIVE and state in NOT_LIVE_STATES:
                done = False
        if done:
            values[actual_key] = day


def dates_say(values: dict[str, object], as_at: dt.date | None) -> str:
    """The state a row's dates imply as at the date: live, in_progress or planned."""

    def happened(key: str) -> bool:
        day = values.get(key)
        return isinstance(day, dt.date) and (as_at is None or day <= as_at)

    if happened("go_live_actual"):
        return LIVE
    if any(happened(f"{m}_actual") for m in MILESTONES):
        return IN_PROGRESS
    return PLANNED


def _first_done(values: dict[str, object], as_at: dt.date | None) -> tuple[str, dt.date] | None:
    for milestone, name in MILESTONES.items():
        day = values.get(f"{milestone}_actual")
        if isinstance(day, dt.date) and (as_at is None or day <= as_at):
            return name, day
    return None


def status_disagreement(
    values: dict[str, object], state: str | None, raw: str, as_at: dt.date | None
) -> str | None:
    """Why a row's own Status disagrees with its dates, or None when they agree."""
    if state not in (PLANNED, IN_PROGRESS, LIVE):
        return None
    implied = dates_say(values, as_at)
    if implied == state:
        return None
    said = f"the tracker's status is '{raw}'"
    when = f" as at {as_at:%d/%m/%Y}" if as_at else ""
    go_live = values.get("go_live_planned") or values.get("go_live_actual")
    if state == LIVE:
        if isinstance(go_live, dt.date) and as_at is not None and go_live > as_at:
            return (
                f"{said} but its go-live date {go_live:%d/%m/%Y} is after the tracker's as-at "
                f"date ({as_at:%d/%m/%Y}); the go live is read as planned"
            )
        if go_live is None:
            return f"{said} but the row has no go-live date; it is not counted as live"
        return f"{said} but no go live has happened{when}; it is not counted as live"
    if implied == LIVE:
        return (
            f"{said} but it went live on {values['go_live_actual']:%d/%m/%Y}; it is counted as live"
        )
    if state == IN_PROGRESS:
        return f"{said} but no milestone has happened{when}; it is counted as planned"
    done = _first_done(values, as_at)
    detail = f": {done[0]} was on {done[1]:%d/%m/%Y}" if done else ""
    return f"{said} but its dates say work has started{detail}; it is counted as in progress"


_TITLE_LABEL = re.compile(
    r"\b(last updated|updated|as at|as of|data as at|report date|date of report|position at|"
    r"snapshot|correct at|correct as at|refreshed)\b",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_WORD_DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
    r"\.?,?\s+(\d{4})\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b|\b(\d{4})-(\d{2})-(\d{2})\b"
)


def date_in_text(text: str) -> dt.date | None:
    """The first UK-style date written in a piece of text ("03/11/2026", "3rd November 2026",
    "2026-11-03"), or None."""
    candidates: list[tuple[int, dt.date]] = []
    for match in _WORD_DATE.finditer(text):
        day, month, year = int(match[1]), _MONTHS[match[2].lower()], int(match[3])
        try:
            candidates.append((match.start(), dt.date(year, month, day)))
        except ValueError:
            continue
    for match in _NUMERIC_DATE.finditer(text):
        try:
            if match[4]:
                found = dt.date(int(match[4]), int(match[5]), int(match[6]))
            else:
                year = int(match[3])
                year = year + 2000 if year < 100 else year
                found = dt.date(year, int(match[2]), int(match[1]))
        except ValueError:
            continue
        candidates.append((match.start(), found))
    return min(candidates)[1] if candidates else None


def title_as_at(title_rows: list[list[object]]) -> dt.date | None:
    """The date a tracker's title rows say it is as at ("Last updated: 03/11/2026", "as at 3 Nov
    2026", or a label cell with the date in the cell beside it), or None."""
    for row in title_rows:
        cells = list(row)
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            text = cell.isoformat() if isinstance(cell, dt.date) else str(cell)
            label = _TITLE_LABEL.search(text)
            if not label:
                continue
            found = date_in_text(text[label.start() :])
            if found is not None:
                return found
            for neighbour in cells[index + 1 : index + 3]:
                if isinstance(neighbour, dt.datetime):
                    return neighbour.date()
                if isinstance(neighbour, dt.date):
                    return neighbour
                if isinstance(neighbour, str) and (found := date_in_text(neighbour)):
                    return found
    return None
