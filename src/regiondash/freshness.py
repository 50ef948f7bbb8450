"""How old each tracker in the picture is, and what has fallen due since it last reported."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from regiondash.phases import MILESTONE_PHASES

STALE_AFTER_DAYS = 14  # the default; the app and the command line let it be changed
COLUMNS = [
    "tracker",
    "file_name",
    "uploaded_by",
    "as_at",
    "age_days",
    "stale",
    "migrations",
    "planned_milestones_passed",
]


def _planned_milestones(phases: pd.DataFrame) -> pd.DataFrame:
    """Each milestone still planned in its upload: migration_id, the planned day, upload_as_at."""
    parts = []
    for phase, end in MILESTONE_PHASES.values():
        rows = phases[phases["phase"] == phase]
        planned, actual = (
            ("planned_start", "actual_start") if end == "start" else ("planned_end", "actual_end")
        )
        open_rows = rows[rows[planned].notna() & rows[actual].isna()]
        parts.append(
            pd.DataFrame(
                {
                    "migration_id": open_rows["migration_id"],
                    "day": open_rows[planned],
                    "upload_as_at": open_rows["upload_as_at"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def tracker_ages(
    uploads: pd.DataFrame,
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    reference_date: dt.date,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> pd.DataFrame:
    """One row per tracker in the picture: its as-at date, age in days on `reference_date`,
    whether it is stale (older than `stale_after_days`), its migrations, and how many planned
    milestones of its migrations have fallen due since it reported (after its as-at date, on or
    before the reference date) — figures it has not reported on, shown apart from the others.

    `uploads` is store.picture_uploads; `migrations` and `phases` the current picture (with
    `tracker` and `upload_as_at`), before or after filters.
    """
    if uploads.empty:
        return pd.DataFrame(columns=COLUMNS)
    reference = pd.Timestamp(reference_date)
    table = uploads[["tracker", "file_name", "uploaded_by", "as_at"]].copy()
    table["age_days"] = (reference - table["as_at"]).dt.days.clip(lower=0).astype("int64")
    table["stale"] = table["age_days"] > stale_after_days
    in_view = migrations.groupby("tracker").size()
    table["migrations"] = table["tracker"].map(in_view).fillna(0).astype("int64")
    due = _planned_milestones(phases)
    if not due.empty:
        due = due[(due["day"] > due["upload_as_at"]) & (due["day"] <= reference)]
        tracker_of = migrations.set_index("migration_id")["tracker"]
        passed = due["migration_id"].map(tracker_of).value_counts()
    else:
        passed = pd.Series(dtype="int64")
    table["planned_milestones_passed"] = table["tracker"].map(passed).fillna(0).astype("int64")
    return table[COLUMNS].reset_index(drop=True)


def age_words(row: pd.Series, stale_after_days: int = STALE_AFTER_DAYS) -> str:
    """One tracker's age in words: "South West tracker: as at 20 Nov 2026, 13 days old"."""
    days = int(row["age_days"])
    age = f"{days} day{'s' if days != 1 else ''} old"
    text = f"{row['tracker']}: as at {pd.Timestamp(row['as_at']):%-d %b %Y}, {age}"
    if row["stale"]:
        passed = int(row["planned_milestones_passed"])
        text += (
            f" — stale (older than {stale_after_days} days); {passed} planned milestone"
            f"{'s have' if passed != 1 else ' has'} fallen due since, not yet reported"
        )
    return text


def tracker_ages_json(ages: pd.DataFrame) -> list[dict[str, object]]:
    """The ages table as the `summary --json` `trackers` list."""
    return [
        {
            "tracker": str(row["tracker"]),
            "file_name": str(row["file_name"]),
            "as_at": pd.Timestamp(row["as_at"]).date().isoformat(),
            "age_days": int(row["age_days"]),
            "stale": bool(row["stale"]),
            "migrations": int(row["migrations"]),
            "planned_milestones_passed": int(row["planned_milestones_passed"]),
        }
        for _, row in ages.iterrows()
    ]
