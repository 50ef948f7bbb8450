"""Forecast go live: when a migration not yet live is likely to go live, from the region's history.

How the forecast is made:

1. **Completed examples.** Every migration that has gone live (its go-live phase has an actual
   start on or before the as-at date) is an example. For each milestone it passed —
   registration (procurement start), kickoff, technical survey, initial data production (IDP)
   start, data sign-off (end of data recheck and sign off) and final data production (FDP)
   start — we note how many calendar days it then took to go live.
2. **Anchor.** For each migration not yet live (and neither cancelled nor on hold: a halted
   migration has no date to forecast), the anchor is the last milestone in that order that has
   an actual date on or before the as-at date, and the anchor date is that actual date. A
   migration with no actual milestone yet is anchored at registration, on its planned
   registration date or the as-at date, whichever is later.
3. **Sample.** The sample is the examples' days from the same milestone to go live. When at least
   5 examples (the default; a setting) moved between the same two systems (e.g. EMIS Web to
   SystmOne), only those are used; otherwise all examples are. The basis column says which, and
   how many.
4. **Range.** The forecast is the anchor date plus the 10th percentile (low), the median and the
   90th percentile (high) of the sample, with linear interpolation between examples and half
   days rounded up. A migration that is not live cannot go live in the past, so no forecast is
   earlier than the day after the date it is judged at (its tracker's as-at date). When even
   the high forecast would be in the past, the migration is already later than every example
   allows: it has no forecast, and its basis says so ("later than the region's examples").
5. **Against the plan.** A plan is *optimistic* when its planned go live is earlier than the low
   forecast; *days behind* is the median forecast minus the planned go live (negative: the plan
   is later than the median).

With no examples for the anchor milestone, even across all migrations, there is no forecast
("not enough history"). The forecast assumes the future looks like the region's past: it says
nothing about known blockers, and a small sample gives a wide, unreliable range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regiondash.asat import judged_at_by_migration
from regiondash.phases import MILESTONE_PHASES
from regiondash.statuses import CANCELLED, ON_HOLD, reported_state

# Milestone key -> (phase, date column) holding its actual date, in the order they happen.
ANCHORS: dict[str, tuple[str, str]] = {
    key: MILESTONE_PHASES[key]
    for key in ("registration", "kickoff", "technical_survey", "idp", "data_signoff", "fdp")
}
NOT_ENOUGH_HISTORY = "not enough history"
LATER_THAN_EXAMPLES = "later than the region's examples: no forecast from them"
FORECAST_COLUMNS = [
    "anchor",
    "anchor_date",
    "basis",
    "examples",
    "forecast_low",
    "forecast_median",
    "forecast_high",
    "planned_go_live",
    "optimistic",
    "days_behind",
]
_DATE_COLUMNS = [
    "anchor_date",
    "forecast_low",
    "forecast_median",
    "forecast_high",
    "planned_go_live",
]


@dataclass(frozen=True)
class ForecastConfig:
    """How many same-pair examples are enough, and which percentiles bound the range."""

    min_examples: int = 5
    low_quantile: float = 0.1
    high_quantile: float = 0.9

    def __post_init__(self) -> None:
        if self.min_examples < 1:
            raise ValueError("min_examples must be at least 1")
        if not 0 <= self.low_quantile <= 0.5 <= self.high_quantile <= 1:
            raise ValueError("need 0 <= low_quantile <= 0.5 <= high_quantile <= 1")


def _phase_date(phases: pd.DataFrame, phase: str, column: str) -> pd.Series:
    rows = phases[phases["phase"] == phase]
    return rows.groupby("migration_id")[column].min()


def _milestones(phases: pd.DataFrame, ids: pd.Index, at: pd.Timestamp) -> pd.DataFrame:
    """Actual milestone dates (on or before the as-at date) and go live, one row per migration."""
    table = pd.DataFrame(index=ids)
    for key, (phase, end) in [*ANCHORS.items(), ("go_live", ("go_live", "start"))]:
        actual = _phase_date(phases, phase, f"actual_{end}").reindex(ids)
        table[key] = actual.where(actual <= at).astype("datetime64[us]")
    table["planned_registration"] = _phase_date(phases, "procurement", "planned_start").reindex(ids)
    table["planned_go_live"] = _phase_date(phases, "go_live", "planned_start").reindex(ids)
    return table


def _round_days(days: float) -> pd.Timedelta:
    return pd.Timedelta(days=int(np.floor(days + 0.5)))


def _empty_forecast() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "anchor": pd.Series(dtype="string"),
            "anchor_date": pd.Series(dtype="datetime64[us]"),
            "basis": pd.Series(dtype="string"),
            "examples": pd.Series(dtype="int64"),
            "forecast_low": pd.Series(dtype="datetime64[us]"),
            "forecast_median": pd.Series(dtype="datetime64[us]"),
            "forecast_high": pd.Series(dtype="datetime64[us]"),
            "planned_go_live": pd.Series(dtype="datetime64[us]"),
            "optimistic": pd.Series(dtype="bool"),
            "days_behind": pd.Series(dtype="Int64"),
        }
    )
    frame.index = pd.Index([], dtype="string", name="migration_id")
    return frame


def _anchors(open_table: pd.DataFrame, at: pd.Timestamp) -> tuple[list[str], list]:
    """Each open migration's anchor milestone and date: the last one reached, else registration
    on its planned date or the as-at date, whichever is later."""
    anchor = pd.Series("registration", index=open_table.index, dtype=object)
    anchor_date = pd.Series(pd.NaT, index=open_table.index, dtype="datetime64[us]")
    reached = pd.Series(False, index=open_table.index)
    for key in ANCHORS:
        has = open_table[key].notna()
        anchor[has] = key
        anchor_date[has] = open_table.loc[has, key]
        reached |= has
    planned = open_table["planned_registration"]
    later = planned.where(planned > at, at).astype("datetime64[us]")
    anchor_date[~reached] = later[~reached]
    return anchor.tolist(), list(anchor_date)


def _sample_stats(
    to_live: pd.DataFrame, pairs: pd.Series, quantiles: list[float], min_examples: int
) -> dict[tuple[str, object], tuple[int, list[float]]]:
    """(examples, quantiles of days to go live) from each anchor: over all examples, key
    (anchor, None), and over each system pair with at least min_examples, (anchor, pair)."""
    stats: dict[tuple[str, object], tuple[int, list[float]]] = {}
    for key in ANCHORS:
        sample = to_live[key].dropna().astype("float64")
        offsets = sample.quantile(quantiles, interpolation="linear").tolist() if len(sample) else []
        stats[(key, None)] = (len(sample), offsets)
        for pair, group in sample.groupby(pairs.loc[sample.index].astype(object), dropna=True):
            if len(group) >= min_examples:
                stats[(key, pair)] = (
                    len(group),
                    group.quantile(quantiles, interpolation="linear").tolist(),
                )
    return stats


def forecast_go_live(
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    as_at: dt.date,
    config: ForecastConfig = ForecastConfig(),
) -> pd.DataFrame:
    """A low / median / high forecast go live for each unfinished, uncancelled migration.

    The method is the module docstring's. Index migration_id, in the migrations frame's order;
    columns as in FORECAST_COLUMNS.
    """
    at = pd.Timestamp(as_at)
    info = migrations.set_index("migration_id")
    ids = info.index
    table = _milestones(phases, ids, at)
    pair = info["source_system"].astype("string") + " → " + info["target_system"].astype("string")
    table["pair"] = pair.reindex(ids)

    live = table["go_live"].notna()
    examples = table[live]
    to_live = pd.DataFrame(
        {key: (examples["go_live"] - examples[key]).dt.days for key in ANCHORS},
        index=examples.index,
    )
    if "status" in info.columns:
        halted = info["status"].astype("string").isin([CANCELLED, ON_HOLD])
    else:
        state = info["reported_status"].astype(object).map(reported_state)
        halted = state.isin([CANCELLED, ON_HOLD])
    open_ids = ids[~live & ~halted.fillna(False).to_numpy(dtype=bool)]
    judged = judged_at_by_migration(migrations, as_at)
    if open_ids.empty:
        return _empty_forecast()

    quantiles = [config.low_quantile, 0.5, config.high_quantile]
    stats = _sample_stats(to_live, examples["pair"], quantiles, config.min_examples)
    anchors, anchor_dates = _anchors(table.loc[open_ids], at)
    rows = []
    for mid, anchor, anchor_date, pair in zip(
        open_ids, anchors, anchor_dates, table.loc[open_ids, "pair"], strict=True
    ):
        floor = judged[mid] + pd.Timedelta(days=1)
        paired = pd.notna(pair) and (anchor, pair) in stats
        count, offsets = stats[(anchor, pair)] if paired else stats[(anchor, None)]
        basis = f"{pair} ({count} migrations)" if paired else f"all migrations ({count})"
        if not count:
            forecasts = [pd.NaT] * 3
            basis = NOT_ENOUGH_HISTORY
        else:
            forecasts = [max(anchor_date + _round_days(q), floor) for q in offsets]
            if anchor_date + _round_days(offsets[-1]) < floor:
                forecasts, basis = [pd.NaT] * 3, LATER_THAN_EXAMPLES
        rows.append([mid, anchor, anchor_date, basis, count, *forecasts])

    result = pd.DataFrame(
        rows,
        columns=[
            "migration_id",
            "anchor",
            "anchor_date",
            "basis",
            "examples",
            "forecast_low",
            "forecast_median",
            "forecast_high",
        ],
    ).set_index("migration_id")
    result["planned_go_live"] = table["planned_go_live"].reindex(result.index)
    for column in _DATE_COLUMNS:
        result[column] = pd.to_datetime(result[column]).astype("datetime64[us]")
    result["optimistic"] = (result["planned_go_live"] < result["forecast_low"]).astype(bool)
    behind = (result["forecast_median"] - result["planned_go_live"]).dt.days
    result["days_behind"] = behind.astype("Int64")
    result = result.astype({"anchor": "string", "basis": "string", "examples": "int64"})
    result.index = result.index.astype("string").rename("migration_id")
    return result[FORECAST_COLUMNS]
