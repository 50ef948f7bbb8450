"""Overruns, statuses, go-live dates and counts against hand-worked tables (design.md §4)."""

import datetime as dt

import pandas as pd
import pytest

from regiondash import metrics
from tests import frames

AS_AT = dt.date(2026, 3, 10)
T = pd.Timestamp
NAT = pd.NaT


phases_frame = frames.phases_frame


def migrations_frame(rows):
    return frames.migrations_frame(
        [
            {
                "migration_id": mid,
                "sub_icb_code": sub_icb,
                "icb_code": "QVV",
                "region_code": "Y58",
                "target_system": target,
                "source_system": "EMIS Web",
                "reported_status": status,
            }
            for mid, sub_icb, target, status in rows
        ]
    )


@pytest.mark.parametrize(
    ("planned_end", "actual_end", "overran", "overrunning", "days_over"),
    [
        ("2026-03-01", "2026-03-01", False, False, 0),  # finished on plan
        ("2026-03-01", "2026-03-04", True, False, 3),  # finished late
        ("2026-03-01", "2026-02-27", False, False, 0),  # finished early
        ("2026-03-09", None, False, True, 1),  # unfinished, plan passed the day before as-at
        ("2026-03-10", None, False, False, 0),  # unfinished, plan ends on the as-at date
        ("2026-03-11", None, False, False, 0),
        (None, None, False, False, 0),  # no planned end: cannot overrun its plan
        ("2026-03-01", "2026-03-12", False, True, 9),  # actual after as-at has not happened yet
    ],
)
def test_phase_overrun_rules(planned_end, actual_end, overran, overrunning, days_over):
    frame = phases_frame([["M1", "data_checking", "2026-02-20", planned_end, None, actual_end]])
    row = metrics.phase_status(frame, AS_AT).iloc[0]
    assert (bool(row["overran"]), bool(row["overrunning"]), int(row["days_over"])) == (
        overran,
        overrunning,
        days_over,
    )


def test_unstarted_phase_past_its_plan_is_overrunning():
    frame = phases_frame([["M1", "cutover", "2026-02-01", "2026-02-10", None, None]])
    assert bool(metrics.phase_status(frame, AS_AT).iloc[0]["overrunning"])


@pytest.mark.parametrize(
    ("phase", "start", "end", "over"),
    [
        ("data_checking", "2026-01-01", "2026-01-21", False),  # 21 days: the guide's 3 weeks
        ("data_checking", "2026-01-01", "2026-01-22", True),
        ("cutover", "2026-02-01", "2026-02-14", False),
        ("cutover", "2026-02-01", "2026-02-15", True),
        ("go_live", "2026-02-01", "2026-02-01", False),
        ("go_live", "2026-02-01", "2026-02-02", True),
        ("cutover_planning", "2025-01-01", "2026-02-01", False),  # the guide gives no estimate
    ],
)
def test_over_the_guide_uses_inclusive_days(phase, start, end, over):
    frame = phases_frame([["M1", phase, None, None, start, end]])
    assert bool(metrics.phase_status(frame, AS_AT).iloc[0]["over_guide"]) is over


def test_migration_overview_known_table():
    migrations = migrations_frame(
        [
            ("A00001:EMIS Web>SystmOne", "11J", "SystmOne", "On track"),
            ("A00002:EMIS Web>SystmOne", "11J", "SystmOne", None),
            ("A00003:EMIS Web>SystmOne", "15N", "SystmOne", None),
            ("A00004:EMIS Web>Vision", "15N", "Vision", "Cancelled"),
            ("A00005:EMIS Web>SystmOne", "15N", "SystmOne", None),
        ]
    )
    a1, a2, a5 = "A00001:EMIS Web>SystmOne", "A00002:EMIS Web>SystmOne", "A00005:EMIS Web>SystmOne"
    phases = phases_frame(
        [
            # 1: live on 2 Mar as planned, all on time
            [a1, "cutover", "2026-02-20", "2026-03-02", "2026-02-20", "2026-03-02"],
            [a1, "go_live", "2026-03-02", "2026-03-02", "2026-03-02", "2026-03-02"],
            [a1, "post_go_live", "2026-03-02", "2026-03-13", "2026-03-02", None],
            # 2: data checking overran; go live planned in April
            [a2, "data_checking", "2026-02-01", "2026-02-20", "2026-02-01", "2026-02-25"],
            [a2, "cutover", "2026-03-20", "2026-04-01", None, None],
            [a2, "go_live", "2026-04-01", "2026-04-01", None, None],
            # 3: nothing started, go live planned 30 Mar
            ["A00003:EMIS Web>SystmOne", "go_live", "2026-03-30", "2026-03-30", None, None],
            # 4: cancelled, its plan long past
            ["A00004:EMIS Web>Vision", "go_live", "2026-01-05", "2026-01-05", None, None],
            # 5: completed
            [a5, "go_live", "2026-01-12", "2026-01-12", "2026-01-12", "2026-01-12"],
            [a5, "post_go_live", "2026-01-12", "2026-01-23", "2026-01-12", "2026-01-23"],
        ]
    )
    history = pd.DataFrame(
        {
            "upload_id": [1, 2],
            "as_at": pd.to_datetime(["2025-12-01", "2026-02-01"]).astype("datetime64[us]"),
            "migration_id": ["A00003:EMIS Web>SystmOne", "A00003:EMIS Web>SystmOne"],
            "planned_start": pd.to_datetime(["2026-03-16", "2026-03-30"]).astype("datetime64[us]"),
        }
    )
    overview = metrics.migration_overview(migrations, phases, AS_AT, history).set_index("ods_code")
    assert overview["status"].to_dict() == {
        "A00001": "live",
        "A00002": "in_progress",
        "A00003": "planned",
        "A00004": "cancelled",
        "A00005": "live",  # live, and every phase has ended: its current phase is "completed"
    }
    assert overview["current_phase"].fillna("-").to_dict() == {
        "A00001": "post_go_live",
        "A00002": "cutover",
        "A00003": "not_started",
        "A00004": "-",
        "A00005": "completed",
    }
    assert overview["overrunning"].to_dict() == {
        "A00001": False,
        "A00002": True,  # data checking overran by 5 days
        "A00003": True,  # go live moved from 16 to 30 March
        "A00004": False,  # cancelled migrations are not counted as overrunning
        "A00005": False,
    }
    assert overview.loc["A00003", "go_live_moved_days"] == 14
    assert overview.loc["A00002", "days_overrun"] == 5
    assert overview["go_live_date"].dt.strftime("%Y-%m-%d").to_dict()["A00002"] == "2026-04-01"

    result = metrics.summary(migrations, phases, AS_AT, history)
    assert result["migrations"] == 5
    assert result["overrunning"] == 2
    assert result["overrunning_by"]["sub_icb"] == {"11J": 1, "15N": 1}
    assert result["overrunning_by"]["phase"]["data_checking"] == 1
    assert result["overrunning_by"]["phase"]["go_live"] == 0
    # all five states, always, adding up to the migrations
    assert result["migrations_by"]["status"] == {
        "planned": 1,
        "in_progress": 1,
        "live": 2,
        "on_hold": 0,
        "cancelled": 1,
    }
    assert result["go_lives_by_month"] == {"2026-01": 1, "2026-03": 2, "2026-04": 1}
    assert result["go_lives_by_week"] == {"2026-W03": 1, "2026-W10": 1, "2026-W14": 2}


def test_in_scope_filters_by_codes():
    migrations = migrations_frame(
        [("A00001:x", "11J", "SystmOne", None), ("A00002:x", "15N", "SystmOne", None)]
    )
    assert list(metrics.in_scope(migrations, sub_icb="15n")["migration_id"]) == ["A00002:x"]
    assert len(metrics.in_scope(migrations, region="Y58")) == 2
    assert metrics.in_scope(migrations, icb="QXX").empty


# One late milestone, worked by hand from phases.PHASE_SPAN_RULE: a phase overruns when its
# actual end is after its planned end, and a milestone is the end of every phase that ends on
# it. So a late milestone overruns each of those phases, by the same days: the one-day phase on
# its day and the phase leading up to it (two), or one phase, or none for registration (it only
# starts procurement, and a late start overruns nothing).
LATE_MILESTONE_OVERRUNS = {
    "registration": [],
    "kickoff": ["procurement", "kickoff"],
    "technical_survey": ["technical_survey"],
    "idp": ["early_preparation", "initial_data_production"],
    "data_signoff": ["data_checking", "data_recheck_signoff"],
    "fdp": ["cutover_planning", "final_data_production"],
    "go_live": ["cutover", "go_live"],
    "post_go_live_end": ["post_go_live"],
    "end_of_migration": ["end_of_migration"],
}
ON_PLAN = {
    "registration": "2025-09-01",
    "kickoff": "2025-09-15",
    "technical_survey": "2025-09-22",
    "idp": "2025-10-06",
    "data_signoff": "2025-10-20",
    "fdp": "2025-11-03",
    "go_live": "2025-11-10",
    "post_go_live_end": "2025-11-24",
    "end_of_migration": "2025-12-01",
}


@pytest.mark.parametrize("late", list(LATE_MILESTONE_OVERRUNS))
def test_one_late_milestone_is_one_overrun_per_phase_ending_on_it(late):
    """Decided: one late milestone is as many phase overruns as there are phases ending on it
    (two for kickoff, IDP, data sign off, FDP and go live), each by the milestone's days late;
    definitions.TERMS "Phase overrun" says so. Every milestone is done on plan but `late`,
    which is done 7 days after its plan."""
    from regiondash.ingest.validate import phase_spans

    values: dict[str, object] = {}
    for milestone, day in ON_PLAN.items():
        planned = dt.date.fromisoformat(day)
        values[f"{milestone}_planned"] = planned
        values[f"{milestone}_actual"] = planned + dt.timedelta(7 if milestone == late else 0)
    phases = frames.phases_frame(
        {"migration_id": "A00001:x", **span} for span in phase_spans(values)
    )
    table = metrics.phase_status(phases, AS_AT)
    overrun = table[table["overrun"]]
    assert list(overrun["phase"]) == LATE_MILESTONE_OVERRUNS[late]
    assert set(overrun["days_over"]) <= {7}
    migrations = frames.migrations_frame([{"migration_id": "A00001:x"}])
    overview = metrics.migration_overview(migrations, phases, AS_AT)
    assert overview.loc[0, "phases_overrun"] == len(LATE_MILESTONE_OVERRUNS[late])
