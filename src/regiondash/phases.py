"""The guide's phase catalogue, the milestone-to-phase rule and the duration convention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

WEEK_DAYS = 7


@dataclass(frozen=True)
class Phase:
    """One phase of a practice migration as NHS England's Practice migration guide sets it out."""

    order: int
    key: str
    name: str
    estimate: str  # the guide's words
    min_days: int | None  # None where the guide gives no estimate
    max_days: int | None
    kind: str  # "span", "milestone-like" or "milestone"


PHASES: tuple[Phase, ...] = (
    Phase(
        1,
        "procurement",
        "Procurement (Tracking Database registration, Schedule A)",
        "1 to 2 weeks",
        7,
        14,
        "span",
    ),
    Phase(2, "kickoff", "Kickoff", "1 day", 1, 1, "milestone-like"),
    Phase(3, "technical_survey", "Technical survey", "1 day", 1, 1, "milestone-like"),
    Phase(4, "early_preparation", "Early preparation and planning", "1 to 2 weeks", 7, 14, "span"),
    Phase(
        5,
        "initial_data_production",
        "Initial data production (IDP)",
        "1 day",
        1,
        1,
        "milestone-like",
    ),
    Phase(6, "data_checking", "Data checking", "3 days to 3 weeks", 3, 21, "span"),
    Phase(7, "data_recheck_signoff", "Data recheck and sign off", "1 to 5 days", 1, 5, "span"),
    Phase(
        8,
        "cutover_planning",
        "Cut-over planning and preparation",
        "no estimate (runs alongside)",
        None,
        None,
        "span",
    ),
    Phase(
        9, "final_data_production", "Final data production (FDP)", "1 day", 1, 1, "milestone-like"
    ),
    Phase(10, "cutover", "Cut-over period (FDP to go live)", "3 days to 2 weeks", 3, 14, "span"),
    Phase(11, "go_live", "Go live", "1 day", 1, 1, "milestone-like"),
    Phase(12, "post_go_live", "Post go live (data re-entry)", "5 days to 2 weeks", 5, 14, "span"),
    Phase(13, "end_of_migration", "End of migration", "no estimate", None, None, "milestone"),
)

PHASE_KEYS: tuple[str, ...] = tuple(p.key for p in PHASES)
PHASE_BY_KEY: dict[str, Phase] = {p.key: p for p in PHASES}

WHOLE_MIGRATION_MIN_DAYS = 12 * WEEK_DAYS
WHOLE_MIGRATION_MAX_DAYS = 16 * WEEK_DAYS

# Milestones a wide tracker records (planned and/or actual), in the order they happen.
MILESTONES: dict[str, str] = {
    "registration": "Registration / order",
    "kickoff": "Kickoff",
    "technical_survey": "Technical survey",
    "idp": "Initial data production (IDP)",
    "data_signoff": "Data sign off",
    "fdp": "Final data production (FDP)",
    "go_live": "Go live",
    "post_go_live_end": "Post go live end",
    "end_of_migration": "End of migration",
}

# The one rule that turns milestone dates into phase spans: a phase runs from the milestone that
# starts it to the milestone that ends it, both days included. Where a start milestone is listed
# as a tuple, the first one the tracker holds is used.
PHASE_SPAN_RULE: dict[str, tuple[tuple[str, ...], str]] = {
    "procurement": (("registration",), "kickoff"),
    "kickoff": (("kickoff",), "kickoff"),
    "technical_survey": (("technical_survey",), "technical_survey"),
    "early_preparation": (("technical_survey", "kickoff"), "idp"),
    "initial_data_production": (("idp",), "idp"),
    "data_checking": (("idp",), "data_signoff"),
    "data_recheck_signoff": (("data_signoff",), "data_signoff"),
    "cutover_planning": (("data_signoff",), "fdp"),
    "final_data_production": (("fdp",), "fdp"),
    "cutover": (("fdp",), "go_live"),
    "go_live": (("go_live",), "go_live"),
    "post_go_live": (("go_live",), "post_go_live_end"),
    "end_of_migration": (("end_of_migration",), "end_of_migration"),
}


# Where each milestone's date lives in a phase table: (phase, "start" or "end"), in the order
# milestones happen. The inverse of PHASE_SPAN_RULE, used wherever milestones are read back.
MILESTONE_PHASES: dict[str, tuple[str, str]] = {
    "registration": ("procurement", "start"),
    "kickoff": ("kickoff", "start"),
    "technical_survey": ("technical_survey", "start"),
    "idp": ("initial_data_production", "start"),
    "data_signoff": ("data_recheck_signoff", "end"),
    "fdp": ("final_data_production", "start"),
    "go_live": ("go_live", "start"),
    "post_go_live_end": ("post_go_live", "end"),
    "end_of_migration": ("end_of_migration", "start"),
}


def duration_days(start: dt.date | None, end: dt.date | None) -> int | None:
    """Inclusive count of calendar days from start to end (start == end is 1 day)."""
    if start is None or end is None:
        return None
    return (end - start).days + 1


def is_over_guide(phase_key: str, days: int | None) -> bool:
    """True when a phase's duration exceeds the guide's upper estimate."""
    phase = PHASE_BY_KEY[phase_key]
    return days is not None and phase.max_days is not None and days > phase.max_days


def span_rule_rows() -> list[dict[str, str]]:
    """The milestone-to-phase rule as rows for the definitions page and README."""
    rows = []
    for phase in PHASES:
        starts, end = PHASE_SPAN_RULE[phase.key]
        rows.append(
            {
                "phase": phase.name,
                "starts on": " (or else) ".join(MILESTONES[s] for s in starts),
                "ends on": MILESTONES[end],
            }
        )
    return rows


def inclusive_days(start: pd.Series, end: pd.Series) -> pd.Series:
    """duration_days for whole columns of dates: inclusive calendar days from start to end
    (start == end is 1 day), NaN where either is missing."""
    return (end - start).dt.days + 1
