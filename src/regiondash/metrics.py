"""Durations, overruns, statuses, counts and go-live spread, as at a given date.

Each migration is judged as at its own upload's as-at date, never later (asat.judged_at): the
view date picks the uploads and moves the "next 30/90 days" windows, nothing else.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from regiondash.asat import judged_at
from regiondash.phases import PHASE_BY_KEY, PHASE_KEYS, inclusive_days
from regiondash.statuses import (
    CANCELLED,
    IN_PROGRESS,
    LIVE,
    ON_HOLD,
    PLANNED,
    STATUS_LABELS,
    STATUSES,
    reported_state,
)

__all__ = ["STATUSES", "STATUS_LABELS"]

NOT_STARTED = "not_started"
COMPLETED = "completed"  # the current phase of a live migration whose phases have all ended
_DATES = ["planned_start", "planned_end", "actual_start", "actual_end"]


def _as_timestamp(as_at: dt.date) -> pd.Timestamp:
    return pd.Timestamp(as_at)


def is_cancelled(overview: pd.DataFrame) -> pd.Series:
    """True for the migrations whose status is cancelled: they count in no overrun, go-live spread
    or RAG figure."""
    return (overview["status"] == CANCELLED).fillna(False).astype(bool)


def phase_status(phases: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """Each phase row with durations, variance, overrun and over-the-guide flags as at a date.

    Each row is judged as at its upload's as-at date (never later than `as_at`); actual dates
    after that have not happened yet, so they are ignored. A phase still running has its days so
    far (to that date) when it has a planned end, and none when the tracker gives no end.
    """
    frame = phases.copy()
    at = judged_at(frame, as_at)
    for column in ("actual_start", "actual_end"):
        frame[column] = frame[column].where(frame[column] <= at)
    finished = frame["actual_end"].notna()
    has_plan = frame["planned_end"].notna()
    frame["planned_days"] = inclusive_days(frame["planned_start"], frame["planned_end"])
    # A running phase counts its days so far only when the tracker records when it should end:
    # with no end at all (a tracker without a data sign-off or post go live end column) the
    # phase would seem to run for ever, and be "over the guide" for every live practice.
    elapsed_end = frame["actual_end"].fillna(at.where(has_plan))
    frame["actual_days"] = inclusive_days(frame["actual_start"], elapsed_end)
    frame["variance_days"] = (frame["actual_end"] - frame["planned_end"]).dt.days
    frame["overran"] = finished & has_plan & (frame["actual_end"] > frame["planned_end"])
    frame["overrunning"] = ~finished & has_plan & (frame["planned_end"] < at)
    frame["overrun"] = frame["overran"] | frame["overrunning"]
    days_over = (frame["actual_end"].fillna(at) - frame["planned_end"]).dt.days
    frame["days_over"] = days_over.where(frame["overrun"], 0).fillna(0).astype("int64")
    guide_max = frame["phase"].map({k: PHASE_BY_KEY[k].max_days for k in PHASE_KEYS})
    frame["guide_max_days"] = guide_max.astype("Int64")
    frame["over_guide"] = (
        frame["actual_days"].notna()
        & guide_max.notna()
        & (frame["actual_days"] > guide_max.astype("float"))
    ).astype(bool)
    frame["phase_order"] = frame["phase"].map({k: i for i, k in enumerate(PHASE_KEYS)})
    return frame


def go_live_dates(phases: pd.DataFrame, as_at: dt.date) -> pd.Series:
    """Each migration's go-live date: the go-live phase's actual start (as at the date it is
    judged at), else its planned start."""
    rows = phases[phases["phase"] == "go_live"]
    at = judged_at(rows, as_at)
    live = rows.set_index("migration_id")
    actual = live["actual_start"].where(live["actual_start"] <= at.to_numpy())
    return actual.fillna(live["planned_start"]).rename("go_live_date")


def migration_status(
    migrations: pd.DataFrame, phases: pd.DataFrame, as_at: dt.date
) -> pd.DataFrame:
    """Per migration: status, current phase, go-live date, overrun flags and days overrun.

    Status is one of statuses.STATUSES: live when go live has actually happened, in progress when
    any phase has actually started, else planned; on hold and cancelled come from the tracker's
    own Status. A live migration whose last phase has ended has current phase "completed".
    """
    table = phase_status(phases, as_at)
    by_migration = table.groupby("migration_id", sort=False)
    started_rows = table.loc[table["actual_start"].notna()]
    started = started_rows.groupby("migration_id").size()
    # The current phase is the first unfinished one from the furthest phase work has reached:
    # an earlier phase whose end milestone the tracker does not record (no data sign-off column)
    # stays open for ever, and must not pull a live migration back to it.
    reached = started_rows.groupby("migration_id")["phase_order"].max()
    went_live = table.loc[(table["phase"] == "go_live") & table["actual_start"].notna()]
    # After go live, a phase the tracker gives no end for (no post go live end column) is not
    # where the migration is: a live migration with nothing tracked left to do is completed.
    untracked_after_live = table["migration_id"].isin(went_live["migration_id"]) & (
        table["planned_end"].isna()
    )
    unfinished = table.loc[table["actual_end"].isna() & ~untracked_after_live]
    unfinished = unfinished.sort_values("phase_order")
    ahead = unfinished["phase_order"] >= unfinished["migration_id"].map(reached).fillna(-1)
    current = unfinished[ahead].groupby("migration_id")["phase"].first()
    live_phase = table.loc[table["phase"] == "go_live"].set_index("migration_id")
    is_live = live_phase["actual_start"].notna()
    ended = table.loc[
        table["phase"].isin(["post_go_live", "end_of_migration"]) & table["actual_end"].notna()
    ]["migration_id"].unique()

    result = migrations.set_index("migration_id")[[]].copy()
    ids = result.index
    result["go_live_date"] = go_live_dates(phases, as_at).reindex(ids)
    result["phases_overrun"] = by_migration["overrun"].sum().reindex(ids).fillna(0).astype(int)
    result["days_overrun"] = by_migration["days_over"].max().reindex(ids).fillna(0).astype(int)
    result["over_guide_phases"] = (
        by_migration["over_guide"].sum().reindex(ids).fillna(0).astype(int)
    )

    reported = (
        migrations.set_index("migration_id")["reported_status"]
        .astype(object)
        .map(reported_state)
        .astype("string")
        .fillna("")
    )
    status = pd.Series(PLANNED, index=ids, dtype="string")
    status[started.reindex(ids).fillna(0) > 0] = IN_PROGRESS
    live = is_live.reindex(ids).fillna(False).astype(bool)
    status[live] = LIVE
    status[(reported == ON_HOLD).to_numpy() & ~live.to_numpy()] = ON_HOLD
    status[(reported == CANCELLED).to_numpy()] = CANCELLED
    result["status"] = status
    phase_now = current.reindex(ids).astype("string")
    phase_now[status == CANCELLED] = None  # <NA> in a string Series, as pd.NA would be
    phase_now[status == PLANNED] = NOT_STARTED
    phase_now[(status == LIVE) & (ids.isin(ended) | phase_now.isna())] = COMPLETED
    result["current_phase"] = phase_now
    return result


def first_planned_go_live(history: pd.DataFrame, as_at: dt.date) -> pd.Series:
    """Per migration: the planned go live in the earliest upload (as at or before as_at)."""
    if history.empty:
        return pd.Series(dtype="datetime64[us]", name="first_planned_go_live")
    known = history[(history["as_at"] <= _as_timestamp(as_at)) & history["planned_start"].notna()]
    known = known.sort_values(["as_at", "upload_id"])
    return known.groupby("migration_id")["planned_start"].first().rename("first_planned_go_live")


def migration_overview(
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    as_at: dt.date,
    go_live_history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The migrations table joined with status and the overrunning flag, by design.md §4."""
    status = migration_status(migrations, phases, as_at)
    history = go_live_history if go_live_history is not None else pd.DataFrame()
    first = first_planned_go_live(history, as_at).reindex(status.index)
    current_plan = phases[phases["phase"] == "go_live"].set_index("migration_id")["planned_start"]
    first = first.fillna(current_plan.reindex(status.index))
    moved = (status["go_live_date"] - first).dt.days
    status["first_planned_go_live"] = first
    status["go_live_moved_days"] = moved.fillna(0).astype(int)
    status["overrunning"] = (status["phases_overrun"] > 0) | (moved.fillna(0) > 0)
    # one measure of lateness for ranking: the worse of phase days over plan and go-live slip
    status["days_late"] = status[["days_overrun", "go_live_moved_days"]].clip(lower=0).max(axis=1)
    cancelled = is_cancelled(status)
    status.loc[cancelled, "overrunning"] = False
    status.loc[cancelled, "days_late"] = 0
    overview = migrations.set_index("migration_id").join(status).reset_index()
    overview["practice_clash"] = practice_clashes(overview)
    return overview


def practice_clashes(overview: pd.DataFrame) -> pd.Series:
    """True for a migration (not cancelled) whose practice has another migration, not cancelled,
    from another tracker: e.g. SystmOne to EMIS Web in one and EMIS Web to SystmOne in another.
    One practice cannot be making both moves, so one tracker is wrong."""
    if "tracker" not in overview.columns or overview.empty:
        return pd.Series(False, index=overview.index)
    counted = overview[~is_cancelled(overview)]
    trackers = counted.groupby("ods_code")["tracker"].nunique()
    clash = overview["ods_code"].map(trackers).fillna(0) > 1
    return (clash & ~is_cancelled(overview)).astype(bool)


def count_by(frame: pd.DataFrame, column: str) -> dict[str, int]:
    """Counts of a column's values (missing shown as 'unknown'), largest first then by name."""
    counts = frame[column].astype("string").fillna("unknown").value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def status_counts(overview: pd.DataFrame) -> dict[str, int]:
    """Migrations in each of the five states, every state present: they add up to the total."""
    counts = overview["status"].value_counts()
    return {state: int(counts.get(state, 0)) for state in STATUSES}


def go_lives_by_period(overview: pd.DataFrame, period: str) -> dict[str, int]:
    """Go-lives counted by month ("YYYY-MM") or ISO week ("YYYY-Www"), oldest first."""
    dates = overview.loc[~is_cancelled(overview), "go_live_date"].dropna()
    if period == "month":
        keys = dates.dt.strftime("%Y-%m")
    elif period == "week":
        iso = dates.dt.isocalendar()
        keys = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    else:
        raise ValueError(f"period must be 'month' or 'week', not {period!r}")
    counts = keys.value_counts()
    return {str(k): int(counts[k]) for k in sorted(counts.index)}


def overrunning_by_phase(
    phases: pd.DataFrame, as_at: dt.date, ids: pd.Index | pd.Series
) -> dict[str, int]:
    """For each phase key, the migrations in which that phase overran or is overrunning."""
    table = phase_status(phases[phases["migration_id"].isin(ids)], as_at)
    counts = table[table["overrun"]].groupby("phase")["migration_id"].nunique()
    return {key: int(counts.get(key, 0)) for key in PHASE_KEYS}


def summary(
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    as_at: dt.date,
    go_live_history: pd.DataFrame | None = None,
) -> dict[str, object]:
    """The headline figures as a JSON-ready dict (the `regiondash summary` contract)."""
    overview = migration_overview(migrations, phases, as_at, go_live_history)
    active = overview[~is_cancelled(overview)]
    overrunning = overview[overview["overrunning"]]
    return {
        "as_at": as_at.isoformat(),
        "migrations": len(overview),
        "migrations_by": {
            "region": count_by(overview, "region_code"),
            "icb": count_by(overview, "icb_code"),
            "sub_icb": count_by(overview, "sub_icb_code"),
            "target_system": count_by(overview, "target_system"),
            "source_system": count_by(overview, "source_system"),
            "status": status_counts(overview),
        },
        "overrunning": len(overrunning),
        "overrunning_by": {
            "sub_icb": count_by(overrunning, "sub_icb_code"),
            "target_system": count_by(overrunning, "target_system"),
            "phase": overrunning_by_phase(phases, as_at, active["migration_id"]),
        },
        "go_lives_by_month": go_lives_by_period(overview, "month"),
        "go_lives_by_week": go_lives_by_period(overview, "week"),
    }


def in_scope(
    overview: pd.DataFrame,
    region: str | None = None,
    icb: str | None = None,
    sub_icb: str | None = None,
) -> pd.DataFrame:
    """The migrations within a region, ICB and/or sub-ICB location (codes; None means all)."""
    keep = pd.Series(True, index=overview.index)
    for column, code in (("region_code", region), ("icb_code", icb), ("sub_icb_code", sub_icb)):
        if code:
            keep &= overview[column].fillna("").str.upper() == code.strip().upper()
    return overview[keep]


def headline(overview: pd.DataFrame, as_at: dt.date) -> dict[str, float]:
    """The numbers a commissioner asks first: in scope, planned, in progress, live, overrunning
    (count and share of those not cancelled) and go-lives due in the next 30 and 90 days."""
    at = _as_timestamp(as_at)
    status = overview["status"]
    active = overview[~is_cancelled(overview)]
    upcoming = active[active["status"].isin([PLANNED, IN_PROGRESS, ON_HOLD])]
    due = upcoming["go_live_date"]
    overrunning = int(active["overrunning"].sum())
    return {
        "in_scope": len(overview),
        **status_counts(overview),
        "completed": int(((status == LIVE) & (overview["current_phase"] == COMPLETED)).sum()),
        "overrunning": overrunning,
        "overrunning_share": overrunning / len(active) if len(active) else 0.0,
        "go_lives_next_30": int(((due > at) & (due <= at + pd.Timedelta(days=30))).sum()),
        "go_lives_next_90": int(((due > at) & (due <= at + pd.Timedelta(days=90))).sum()),
    }


def most_overrun(overview: pd.DataFrame, limit: int = 10) -> pd.DataFrame:
    """The overrunning migrations with the most days over plan (then the furthest go-live moves)."""
    late = overview[overview["overrunning"]]
    late = late.sort_values(["days_late", "ods_code"], ascending=[False, True])
    return late.head(limit)


def overrun_rows(overview: pd.DataFrame, phase_table: pd.DataFrame) -> pd.DataFrame:
    """One row per overrunning migration and reason: each phase that overran or is overrunning
    (with days over plan), and a moved go live (with days moved)."""
    late = overview[overview["overrunning"]]
    ids = late["migration_id"]
    who = ["migration_id", "practice_name", "ods_code", "sub_icb_code", "icb_code"]
    info = late[[*who, "target_system", "status"]]
    phases = phase_table[phase_table["migration_id"].isin(ids) & phase_table["overrun"]]
    phase_part = phases.assign(
        reason=phases["overran"].map({True: "overran", False: "overrunning"}),
        days_over=phases["days_over"],
    )[["migration_id", "phase", "reason", "planned_end", "actual_end", "days_over"]]
    moved = late[late["go_live_moved_days"] > 0]
    moved_part = pd.DataFrame(
        {
            "migration_id": moved["migration_id"],
            "phase": "go_live",
            "reason": "go live moved",
            "planned_end": moved["first_planned_go_live"],
            "actual_end": moved["go_live_date"],
            "days_over": moved["go_live_moved_days"],
        }
    )
    parts = [p for p in (phase_part, moved_part) if not p.empty]
    if not parts:
        return info.iloc[0:0].assign(
            phase=None, reason=None, planned_end=None, actual_end=None, days_over=None
        )
    rows = pd.concat(parts, ignore_index=True).merge(info, on="migration_id")
    return rows.sort_values(["days_over", "ods_code"], ascending=[False, True]).reset_index(
        drop=True
    )


def overrunning_counts(overview: pd.DataFrame, phase_table: pd.DataFrame, by: str) -> pd.Series:
    """Overrunning migrations counted by an organisation/system column, or by phase."""
    late = overview[overview["overrunning"]]
    if by == "phase":
        rows = phase_table[phase_table["migration_id"].isin(late["migration_id"])]
        counts = rows[rows["overrun"]].groupby("phase")["migration_id"].nunique()
        return counts.rename("overrunning")
    return late[by].astype("string").fillna("unknown").value_counts().rename("overrunning")
