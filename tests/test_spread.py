"""spread: go-live counts and capacity clashes on hand-made frames."""

import datetime as dt

from regiondash import metrics, spread
from tests.frames import migrations_frame, phases_frame

AS_AT = dt.date(2026, 2, 1)


def _overview(phase_rows):
    ids = sorted({row[0] for row in phase_rows})
    migrations = migrations_frame(
        [
            {
                "migration_id": i,
                "source_system": "EMIS Web",
                "target_system": i.split(">")[1],
                "source_system_inferred": False,
            }
            for i in ids
        ]
    )
    return metrics.migration_overview(migrations, phases_frame(phase_rows), AS_AT)


def test_over_capacity_weeks_with_no_go_live_dates_is_empty():
    # found by tests/app/test_any_stored_row.py: with no go-live date in view the Go-live spread
    # page raised "Invalid comparison between dtype=string and ndarray"
    overview = _overview(
        [("A81001:EMIS Web>SystmOne", "kickoff", "2026-01-05", "2026-01-05", None, None)]
    )
    assert overview["go_live_date"].isna().all()
    flagged = spread.over_capacity_weeks(overview, {"SystmOne": 1, "Vision": 2})
    assert flagged.empty
    assert list(flagged.columns) == ["week_start", "target_system", "go_lives", "capacity"]


def test_over_capacity_weeks_counts_whole_numbers():
    overview = _overview(
        [
            ("A81001:EMIS Web>SystmOne", "go_live", "2026-05-04", "2026-05-04", None, None),
            ("A81002:EMIS Web>SystmOne", "go_live", "2026-05-06", "2026-05-06", None, None),
            ("A81003:EMIS Web>Vision", "go_live", "2026-05-06", "2026-05-06", None, None),
        ]
    )
    flagged = spread.over_capacity_weeks(overview, {"SystmOne": 1})
    assert flagged.to_dict("records") == [
        {
            "week_start": dt.datetime(2026, 5, 4),
            "target_system": "SystmOne",
            "go_lives": 2,
            "capacity": 1,
        }
    ]
    assert str(flagged["capacity"].dtype) == "Int64"
