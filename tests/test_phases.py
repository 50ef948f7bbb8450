"""The guide's phase catalogue against design.md §2, the duration convention and the span rule."""

import datetime as dt

import pytest

from regiondash import phases
from regiondash.phases import (
    MILESTONES,
    PHASE_BY_KEY,
    PHASE_KEYS,
    PHASES,
    WHOLE_MIGRATION_MAX_DAYS,
    WHOLE_MIGRATION_MIN_DAYS,
    duration_days,
    is_over_guide,
    span_rule_rows,
)

# design.md §2, copied literally: (#, phase, key, guide's estimate, min days, max days, kind).
# "1 week" is 7 days; "no estimate" has no minimum or maximum.
GUIDE_TABLE = [
    (
        1,
        "Procurement (Tracking Database registration, Schedule A)",
        "procurement",
        "1 to 2 weeks",
        7,
        14,
        "span",
    ),
    (2, "Kickoff", "kickoff", "1 day", 1, 1, "milestone-like"),
    (3, "Technical survey", "technical_survey", "1 day", 1, 1, "milestone-like"),
    (4, "Early preparation and planning", "early_preparation", "1 to 2 weeks", 7, 14, "span"),
    (
        5,
        "Initial data production (IDP)",
        "initial_data_production",
        "1 day",
        1,
        1,
        "milestone-like",
    ),
    (6, "Data checking", "data_checking", "3 days to 3 weeks", 3, 21, "span"),
    (7, "Data recheck and sign off", "data_recheck_signoff", "1 to 5 days", 1, 5, "span"),
    (
        8,
        "Cut-over planning and preparation",
        "cutover_planning",
        "no estimate (runs alongside)",
        None,
        None,
        "span",
    ),
    (9, "Final data production (FDP)", "final_data_production", "1 day", 1, 1, "milestone-like"),
    (10, "Cut-over period (FDP to go live)", "cutover", "3 days to 2 weeks", 3, 14, "span"),
    (11, "Go live", "go_live", "1 day", 1, 1, "milestone-like"),
    (12, "Post go live (data re-entry)", "post_go_live", "5 days to 2 weeks", 5, 14, "span"),
    (13, "End of migration", "end_of_migration", "no estimate", None, None, "milestone"),
]


def test_thirteen_phases_in_the_guides_order():
    assert len(PHASES) == 13
    assert tuple(row[2] for row in GUIDE_TABLE) == PHASE_KEYS
    assert [p.order for p in PHASES] == list(range(1, 14))
    assert set(PHASE_BY_KEY) == set(PHASE_KEYS)


@pytest.mark.parametrize(
    ("order", "name", "key", "estimate", "min_days", "max_days", "kind"), GUIDE_TABLE
)
def test_phase_matches_the_guide(order, name, key, estimate, min_days, max_days, kind):
    phase = PHASES[order - 1]
    assert (phase.order, phase.name, phase.key, phase.estimate) == (order, name, key, estimate)
    assert (phase.min_days, phase.max_days, phase.kind) == (min_days, max_days, kind)
    assert PHASE_BY_KEY[key] is phase


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 3, 2), 1),  # start == end is 1 day
        (dt.date(2026, 3, 2), dt.date(2026, 3, 3), 2),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 21), 21),  # "3 weeks"
        (dt.date(2026, 2, 1), dt.date(2026, 3, 1), 29),  # across a month end
        (dt.date(2024, 2, 28), dt.date(2024, 3, 1), 3),  # leap day counted
        (dt.date(2025, 12, 31), dt.date(2026, 1, 1), 2),  # across a year end
        (None, dt.date(2026, 3, 2), None),
        (dt.date(2026, 3, 2), None, None),
        (None, None, None),
    ],
)
def test_duration_days_is_inclusive(start, end, days):
    assert duration_days(start, end) == days


@pytest.mark.parametrize(
    ("key", "days", "over"),
    [
        ("data_checking", 3, False),
        ("data_checking", 21, False),  # the guide's 3 weeks: not over
        ("data_checking", 22, True),
        ("procurement", 14, False),
        ("procurement", 15, True),
        ("data_recheck_signoff", 5, False),
        ("data_recheck_signoff", 6, True),
        ("cutover", 14, False),
        ("cutover", 15, True),
        ("post_go_live", 14, False),
        ("post_go_live", 15, True),
        ("go_live", 1, False),
        ("go_live", 2, True),
        ("kickoff", 2, True),
        ("data_checking", None, False),  # no duration: cannot be over
        ("cutover_planning", 10_000, False),  # the guide gives no estimate: never over
        ("end_of_migration", 10_000, False),
    ],
)
def test_is_over_guide_boundaries(key, days, over):
    assert is_over_guide(key, days) is over


@pytest.mark.parametrize("key", [p.key for p in PHASES if p.max_days is None])
def test_phases_without_an_estimate_are_never_over(key):
    assert [is_over_guide(key, d) for d in (1, 112, 365, 10_000)] == [False] * 4


def test_whole_migration_is_12_to_16_weeks():
    assert (WHOLE_MIGRATION_MIN_DAYS, WHOLE_MIGRATION_MAX_DAYS) == (84, 112)
    assert phases.WEEK_DAYS == 7


def test_span_rule_rows_name_milestones_for_all_thirteen_phases():
    rows = span_rule_rows()
    assert len(rows) == 13
    assert [r["phase"] for r in rows] == [row[1] for row in GUIDE_TABLE]
    names = set(MILESTONES.values())
    for row in rows:
        assert set(row) == {"phase", "starts on", "ends on"}
        assert row["ends on"] in names
        assert set(row["starts on"].split(" (or else) ")) <= names
    by_phase = {r["phase"]: r for r in rows}
    assert by_phase["Data checking"] == {
        "phase": "Data checking",
        "starts on": "Initial data production (IDP)",
        "ends on": "Data sign off",
    }
    assert by_phase["Early preparation and planning"]["starts on"] == (
        "Technical survey (or else) Kickoff"
    )
    assert by_phase["Cut-over period (FDP to go live)"]["ends on"] == "Go live"
