"""Go-lives counted per week or month: the frames the go-live charts are drawn from, and the
same frames their "data behind this chart" downloads are made of."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from regiondash.calendar import BUSY_KINDS, busy_periods
from regiondash.statuses import CANCELLED

MAX_STACKS = 8  # stacked series before the rest fold into "Others"
BUSY_NAMES = {
    "flu_season": "Flu season",
    "qof_year_end": "QOF year end",
    "christmas": "Christmas / New Year",
    "summer": "Summer holidays",
    "bank_holiday": "Bank holidays",
}
COLUMNS = ["period_start", "group", "go_lives", "busy_periods", "over_capacity"]
DAILY_COLUMNS = ["date", "go_lives"]
UNKNOWN_GROUP = "Unknown"


def counted_go_lives(go_lives: pd.DataFrame) -> pd.DataFrame:
    """The rows a go-live count counts: a go-live date, and not cancelled (where the frame has a
    status column)."""
    frame = go_lives.dropna(subset=["go_live_date"])
    if "status" in frame.columns:
        frame = frame[(frame["status"] != CANCELLED).fillna(True).astype(bool)]
    return frame


def period_starts(dates: pd.Series, period: str) -> pd.Series:
    """Each date's week (Monday to Sunday, as the capacity-clash rule counts) or month, as the
    period's first day."""
    if period not in ("week", "month"):
        raise ValueError(f"period must be 'week' or 'month', not {period!r}")
    dates = pd.to_datetime(dates).astype("datetime64[us]")
    starts = dates.dt.to_period("W" if period == "week" else "M").dt.start_time
    return starts.astype("datetime64[us]")


def period_end(start: pd.Timestamp, period: str) -> pd.Timestamp:
    """The first day after a period that starts on `start`."""
    return start + (pd.Timedelta(days=7) if period == "week" else pd.offsets.MonthBegin(1))


def top_groups(values: pd.Series, keep: int) -> pd.Series:
    """The values with all but the `keep` most common folded into "Others", so a chart has a
    handful of traces however many organisations are in view."""
    counts = values.value_counts()
    if len(counts) <= keep + 1:
        return values
    kept = set(counts.index[:keep])
    return values.where(values.isin(kept), f"Others ({len(counts) - keep})")


def over_capacity_weeks(go_lives: pd.DataFrame, capacity: dict[str, int]) -> pd.DataFrame:
    """Weeks (Monday to Sunday) in which go-lives to a target system, cancelled ones left out,
    are more than that system's weekly capacity."""
    frame = counted_go_lives(go_lives)
    week_start = period_starts(frame["go_live_date"], "week")
    sizes = frame.groupby([week_start.rename("week_start"), "target_system"]).size()
    counts = sizes.rename("go_lives").reset_index()
    # whole numbers or missing, also when no week has a go live (a map over no rows keeps the
    # systems' text type, which cannot be compared with a count)
    counts["capacity"] = pd.array(
        [capacity.get(system) for system in counts["target_system"]], dtype="Int64"
    )
    flagged = counts[counts["capacity"].notna() & (counts["go_lives"] > counts["capacity"])]
    return flagged.reset_index(drop=True)


def _busy_words(starts: pd.Series, period: str) -> pd.Series:
    """Per period start, the busy periods overlapping that week or month, named and joined."""
    unique = pd.Series(starts.unique()).sort_values()
    if unique.empty:
        return pd.Series(dtype="string")
    first = unique.iloc[0].date()
    last = (period_end(unique.iloc[-1], period) - pd.Timedelta(days=1)).date()
    periods = busy_periods(first, last)
    words = {}
    for start in unique:
        end = (period_end(start, period) - pd.Timedelta(days=1)).date()
        kinds = {p.kind for p in periods if p.start <= end and p.end >= start.date()}
        words[start] = "; ".join(BUSY_NAMES[k] for k in BUSY_KINDS if k in kinds)
    return starts.map(words).astype("string")


def go_live_counts(
    go_lives: pd.DataFrame,
    period: str = "month",
    stack_by: str = "target_system",
    capacity: dict[str, int] | None = None,
    keep: int = MAX_STACKS,
) -> pd.DataFrame:
    """Go-lives per week or month and group (a column's values, all but the `keep` largest
    folded into "Others"), cancelled ones left out. One row per period and group with go-lives:
    period_start, group, go_lives, busy_periods (the busy periods the period touches, named) and
    over_capacity (True in a week where go-lives to some target system are more than its
    capacity; always False by month or with no capacity)."""
    frame = counted_go_lives(go_lives)
    if frame.empty:
        return pd.DataFrame(
            {
                "period_start": pd.Series(dtype="datetime64[us]"),
                "group": pd.Series(dtype="string"),
                "go_lives": pd.Series(dtype="int64"),
                "busy_periods": pd.Series(dtype="string"),
                "over_capacity": pd.Series(dtype="bool"),
            }
        )
    starts = period_starts(frame["go_live_date"], period).rename("period_start")
    groups = top_groups(frame[stack_by].astype("string").fillna(UNKNOWN_GROUP), keep)
    sizes = frame.groupby([starts, groups.rename("group")], sort=True).size()
    counts = sizes.rename("go_lives").reset_index().astype({"go_lives": "int64"})
    counts["busy_periods"] = _busy_words(counts["period_start"], period)
    counts["over_capacity"] = False
    if capacity and period == "week":
        flagged = over_capacity_weeks(frame, capacity)
        counts["over_capacity"] = counts["period_start"].isin(flagged["week_start"])
    return counts[COLUMNS]


def daily_go_lives(go_lives: pd.DataFrame) -> pd.DataFrame:
    """Go-lives per day (cancelled ones left out), oldest first: date, go_lives."""
    dates = counted_go_lives(go_lives)["go_live_date"]
    dates = pd.to_datetime(dates).astype("datetime64[us]").dt.normalize()
    counts = dates.value_counts().sort_index()
    return pd.DataFrame(
        {"date": counts.index.astype("datetime64[us]"), "go_lives": counts.to_numpy("int64")}
    )


def in_range(counts: pd.DataFrame, period: str) -> tuple[dt.date, dt.date] | None:
    """The first day of the first period and the first day after the last one (None if empty)."""
    if counts.empty:
        return None
    first = counts["period_start"].min()
    return first.date(), period_end(counts["period_start"].max(), period).date()
