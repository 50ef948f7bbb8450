"""The guide's lessons learnt as rules, evaluated per migration as at a date (design.md §2).

Each migration is judged as at its own upload's as-at date, never later than the date asked for
(asat.judged_at). Every rule reads the same milestone dates (`milestone_dates`): for each
milestone the actual date if there is one on or before that date, else the planned one. Event
dates (extract requested, Schedule A, cut-over meeting, tracking update) after it have not
happened yet, so they count as not recorded. A rule whose dates are missing does not fire, except
the "none recorded" cases its explanation names; a rule whose input column the tracker does not
have at all is *not assessed* (`not_assessed`) and does not fire either.

Forward-looking rules (what is still to come) are checked for open migrations only (planned, in
progress, on hold); rules that look back (over the guide, over 16 weeks, tracking not updated)
for live ones too. Cancelled migrations are never flagged. RiskConfig says which rules make a
migration red or amber and which are notes; a note never changes the computed RAG, which rates
open migrations only (live ones are "Done", cancelled ones "Cancelled").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from regiondash.asat import judged_at_by_migration
from regiondash.calendar import SEASONAL_PERIODS, england_bank_holidays
from regiondash.fields import PHASE_COLUMNS
from regiondash.phases import (
    MILESTONE_PHASES,
    PHASE_BY_KEY,
    WEEK_DAYS,
    WHOLE_MIGRATION_MAX_DAYS,
    inclusive_days,
)
from regiondash.statuses import CANCELLED, LIVE, OPEN_STATUSES

RULE_KEYS: tuple[str, ...] = (
    "golive_in_flu_season",
    "golive_near_qof_year_end",
    "golive_in_holiday_period",
    "extract_request_late",
    "decommission_schedule_a_missing",
    "cutover_planning_late",
    "data_checking_over_guide",
    "cutover_over_guide",
    "post_go_live_over_guide",
    "migration_over_16_weeks",
    "tracking_not_updated",
    "milestones_out_of_order",
    "golive_capacity_clash",
    "golive_overdue",
)
_RED_DEFAULT = frozenset(
    {
        "milestones_out_of_order",
        "extract_request_late",
        "decommission_schedule_a_missing",
        "golive_capacity_clash",
        "migration_over_16_weeks",
        "golive_overdue",
    }
)
# Busy periods are worth planning around but are no risk on their own: notes by default.
_NOTE_DEFAULT = frozenset(
    {"golive_in_flu_season", "golive_near_qof_year_end", "golive_in_holiday_period"}
)
FORWARD_LOOKING, LOOKS_BACK = "forward-looking", "looks back"
# Rules that judge what has happened (a span over the guide, a record not updated) still say
# something about a live migration; the rest are about what is still to come.
_LOOKS_BACK = frozenset(
    {
        "data_checking_over_guide",
        "cutover_over_guide",
        "post_go_live_over_guide",
        "migration_over_16_weeks",
        "tracking_not_updated",
    }
)
RULE_KINDS: dict[str, str] = {
    key: LOOKS_BACK if key in _LOOKS_BACK else FORWARD_LOOKING for key in RULE_KEYS
}
# Rules that read one tracker column: where the tracker has no such column (its migrations carry
# tracks_<column> False) the rule is not assessed. The words say what the tracker lacks.
RULE_INPUTS: dict[str, tuple[str, str]] = {
    "extract_request_late": ("extract_requested", "data extract requested"),
    "decommission_schedule_a_missing": ("decommission_schedule_a", "Schedule A"),
    "cutover_planning_late": ("cutover_planning_meeting", "cut-over planning meeting"),
    "tracking_not_updated": ("tracking_updated", "tracking updated"),
}
NOT_ASSESSED_WHY: dict[str, str] = {
    key: f"no {words} column in this tracker" for key, (_, words) in RULE_INPUTS.items()
}
DONE, CANCELLED_RAG = "Done", "Cancelled"  # the computed RAG of live, cancelled migrations
OPEN = "open"
_RAG_WORDS = {
    "r": "red",
    "red": "red",
    "a": "amber",
    "amber": "amber",
    "g": "green",
    "green": "green",
}
MILESTONE_COLUMNS = [
    "registration",
    "kickoff",
    "technical_survey",
    "idp",
    "data_signoff",
    "fdp",
    "go_live",
    "go_live_actual",
    "post_go_live_end",
    "extract_requested",
    "decommission_schedule_a",
    "cutover_planning_meeting",
    "tracking_updated",
]
# Milestone -> (phase row, which end of it); data sign-off falls back to its phase's start.
_FROM_PHASES = {
    key: MILESTONE_PHASES[key]
    for key in (
        "registration",
        "kickoff",
        "technical_survey",
        "idp",
        "data_signoff",
        "fdp",
        "go_live",
        "post_go_live_end",
    )
}
_EVENTS = [
    "extract_requested",
    "decommission_schedule_a",
    "cutover_planning_meeting",
    "tracking_updated",
]
# (earlier, later, strict): the later milestone must not come before the earlier one, or (not
# strict) must come after it.
_ORDER = [
    ("kickoff", "technical_survey", True),
    ("extract_requested", "idp", False),
    ("idp", "data_signoff", True),
    ("data_signoff", "fdp", True),
    ("fdp", "go_live", True),
    ("go_live", "post_go_live_end", True),
    ("registration", "go_live", True),
    ("kickoff", "go_live", True),
]
_SEASON = {kind: (label, first, last) for kind, label, first, last in SEASONAL_PERIODS}
_HOLIDAY_KINDS = ("christmas", "summer")
_YEAR_DAYS = 366  # a window this long holds every day of the year


def _guide_max(*phase_keys: str) -> int:
    """The guide's upper estimate (days) for phases that follow one another, added up."""
    return sum(PHASE_BY_KEY[key].max_days or 0 for key in phase_keys)


@dataclass(frozen=True)
class Rule:
    """One lesson learnt as a check: its key, a short title, a plain-English explanation, and
    its kind: forward-looking (open migrations only) or looks back (live ones too)."""

    key: str
    title: str
    explanation: str
    kind: str = FORWARD_LOOKING


@dataclass(frozen=True)
class RiskConfig:
    """The rules' thresholds (calendar days, inclusive spans) and which rules count red, amber or
    as a note: the one place that decides. Amber defaults to every rule neither red nor a note;
    a rule may be in one of the three only, and one in none of them is a note."""

    extract_notice_days: int = 35
    decommission_lead_days: int = 28
    cutover_meeting_notice_days: int = 28
    # IDP to data sign-off covers data checking (up to 3 weeks) then recheck and sign off (up
    # to 5 days): 21 + 5 = 26 days. The other maxima are the guide's, phase by phase.
    data_checking_max_days: int = _guide_max("data_checking", "data_recheck_signoff")
    cutover_max_days: int = _guide_max("cutover")
    post_go_live_max_days: int = _guide_max("post_go_live")
    whole_migration_max_days: int = WHOLE_MIGRATION_MAX_DAYS
    tracking_update_days: int = 30
    weekly_capacity_per_system: int = 3
    quiet_days_after_go_live: int = 2
    red_rules: frozenset[str] = _RED_DEFAULT
    amber_rules: frozenset[str] | None = None
    note_rules: frozenset[str] = _NOTE_DEFAULT

    def __post_init__(self) -> None:
        given = [frozenset(self.red_rules), frozenset(self.note_rules)]
        if self.amber_rules is not None:
            given.append(frozenset(self.amber_rules))
        unknown = frozenset().union(*given) - set(RULE_KEYS)
        if unknown:
            raise ValueError(f"unknown rule keys: {', '.join(sorted(unknown))}")
        red, notes = given[:2]
        amber = given[2] if len(given) == 3 else frozenset(RULE_KEYS) - red - notes
        twice = (red & amber) | (red & notes) | (amber & notes)
        if twice:
            raise ValueError(
                f"rules in more than one of red, amber, note: {', '.join(sorted(twice))}"
            )
        # frozen: set the resolved sets through object.__setattr__ (dataclasses' own idiom)
        object.__setattr__(self, "red_rules", red)
        object.__setattr__(self, "amber_rules", amber)
        object.__setattr__(self, "note_rules", frozenset(RULE_KEYS) - red - amber)

    def level(self, key: str) -> str:
        """How a rule counts: "red", "amber" or "note" (a note never changes the RAG)."""
        if key in self.red_rules:
            return "red"
        return "amber" if key in (self.amber_rules or ()) else "note"

    def keys_at(self, level: str) -> list[str]:
        """The rules counting at a level ("red", "amber" or "note"), in RULES order."""
        return [key for key in RULE_KEYS if self.level(key) == level]


DEFAULT_CONFIG = RiskConfig()


def _span(kind: str, joiner: str = " – ") -> str:
    """A seasonal period's span as words, e.g. "1 Sep – 31 Mar"."""
    _, first, last = _SEASON[kind]
    return joiner.join(f"{d} {dt.date(2000, m, 1):%b}" for m, d in (first, last))


def _estimate(phase_key: str) -> str:
    return PHASE_BY_KEY[phase_key].estimate


def how_it_counts(key: str, config: RiskConfig = DEFAULT_CONFIG) -> str:
    """The sentence after a rule's test: which migrations it checks and what it does to RAG."""
    what = (
        "It looks back at the dates recorded, so live migrations are checked too."
        if RULE_KINDS[key] == LOOKS_BACK
        else "Checked for open migrations only (planned, in progress or on hold)."
    )
    level = config.level(key)
    if level == "note":
        return f"{what} A note: it never changes the computed RAG."
    return f"{what} Counts as {level}."


def rules_for(config: RiskConfig = DEFAULT_CONFIG) -> dict[str, Rule]:
    """The rule catalogue with config's thresholds and levels written into the explanations."""
    c = config
    guide = "NHS England's Practice migration guide (lessons learnt)"
    window = (
        "the cut-over window (from final data production (FDP), or go live if no FDP is "
        f"recorded, to {c.quiet_days_after_go_live} days after go live)"
    )

    def unassessed(key: str) -> str:
        return f" Not assessed for a tracker with no {RULE_INPUTS[key][1]} column."

    texts = {
        "golive_in_flu_season": (
            "Go live in flu season",
            f"{guide} advises avoiding go-live in busy periods such as flu season "
            f"({_span('flu_season')}). Flagged when any day of {window} falls in flu season.",
        ),
        "golive_near_qof_year_end": (
            "Go live near QOF year end",
            f"{guide} advises avoiding go-live at QOF year end: the QOF year ends 31 March. "
            f"Flagged when any day of {window} falls between {_span('qof_year_end', ' and ')}.",
        ),
        "golive_in_holiday_period": (
            "Go live in a holiday period",
            f"{guide} advises avoiding go-live in holiday periods, including bank holidays. "
            f"Flagged when {window} holds an England bank holiday, a day of Christmas and New Year "
            f"({_span('christmas')}) or of the summer holidays ({_span('summer')}).",
        ),
        "extract_request_late": (
            "Data extract requested late",
            f"{guide} advises requesting the data extract well before initial data production "
            f"(IDP): the source supplier may need up to 5 weeks' notice. Flagged when the extract "
            f"was requested less than {c.extract_notice_days} days before IDP, or when none is "
            f"recorded and IDP is due within {c.extract_notice_days} days of the as-at date or has "
            "passed." + unassessed("extract_request_late"),
        ),
        "decommission_schedule_a_missing": (
            "Decommission Schedule A missing",
            f"{guide} advises raising the Schedule A to decommission the old system at the start "
            "of the migration, or the NHS keeps paying for it. Flagged when none is recorded and "
            f"go live is due within {c.decommission_lead_days} days of the as-at date or has "
            "passed, or when it was raised after go live."
            + unassessed("decommission_schedule_a_missing"),
        ),
        "cutover_planning_late": (
            "Cut-over planning meeting late",
            "Later versions of NHS England's Practice migration guide ask for a cut-over planning "
            f"meeting at least 4 weeks before final data production (FDP). Flagged when the "
            f"meeting was less than {c.cutover_meeting_notice_days} days before FDP."
            + unassessed("cutover_planning_late"),
        ),
        "data_checking_over_guide": (
            "Data checking over the guide",
            "NHS England's Practice migration guide estimates data checking at "
            f"{_estimate('data_checking')} and data recheck and sign off at "
            f"{_estimate('data_recheck_signoff')}. Flagged when IDP to data sign-off spans more "
            f"than {c.data_checking_max_days} days, counting both days.",
        ),
        "cutover_over_guide": (
            "Cut-over over the guide",
            "NHS England's Practice migration guide estimates the cut-over period (FDP to go "
            f"live) at {_estimate('cutover')}. Flagged when FDP to go live spans more than "
            f"{c.cutover_max_days} days, counting both days.",
        ),
        "post_go_live_over_guide": (
            "Post go live over the guide",
            "NHS England's Practice migration guide estimates post go live (data re-entry) at "
            f"{_estimate('post_go_live')}. Flagged when go live to the end of post go live spans "
            f"more than {c.post_go_live_max_days} days, counting both days.",
        ),
        "migration_over_16_weeks": (
            f"Migration over {c.whole_migration_max_days // WEEK_DAYS} weeks",
            "NHS England's Practice migration guide says a migration takes 12 to 16 weeks from "
            "registration to the end of post go live. Flagged when that spans more than "
            f"{c.whole_migration_max_days} days, counting both days.",
        ),
        "tracking_not_updated": (
            "Tracking record not updated",
            f"{guide} advises updating the tracking record after go live, or supplier payments "
            f"go wrong. Flagged when the practice went live more than {c.tracking_update_days} "
            "days before the as-at date and no tracking update is recorded."
            + unassessed("tracking_not_updated"),
        ),
        "milestones_out_of_order": (
            "Milestones out of order",
            "NHS England's Practice migration guide runs the phases in order; dates out of that "
            "order usually mean a mistyped date or a re-plan not carried through, and make the "
            "other checks unreliable. Flagged when kickoff is after the technical survey, the "
            "extract request is on or after IDP, IDP is after data sign-off, sign-off is after "
            "FDP, FDP is after go live, go live is after the end of post go live, or go live is "
            "before registration or kickoff.",
        ),
        "golive_capacity_clash": (
            "Go-live capacity clash",
            "A regional check rather than a number from the guide: the guide's lessons learnt ask "
            "for go-live to be planned around busy times, and a supplier's go-live support is "
            f"finite. Flagged when more than {c.weekly_capacity_per_system} go-lives to the same "
            "target system fall in the same ISO week (Monday to Sunday) among the migrations "
            "shown (live ones included); each open one of them is flagged.",
        ),
        "golive_overdue": (
            "Go live overdue",
            "Not a lesson from the guide but the plan itself: a go live whose planned date has "
            "passed without the tracker recording it as done means the practice, the suppliers "
            "and the third parties given notice are all waiting on a new date. Flagged when the "
            "planned go live is before the tracker's as-at date and no go live has happened.",
        ),
    }
    return {
        key: Rule(key, texts[key][0], f"{texts[key][1]} {how_it_counts(key, c)}", RULE_KINDS[key])
        for key in RULE_KEYS
    }


RULES: dict[str, Rule] = rules_for(DEFAULT_CONFIG)


def _happened(actual: pd.Series, planned: pd.Series, at: pd.Series) -> pd.Series:
    """The actual date where it is on or before the migration's judged-at date, else the plan."""
    return actual.where(actual <= at, planned)


def milestone_dates(migrations: pd.DataFrame, phases: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """Per migration (index migration_id, in the migrations' order): each milestone as at the
    date the migration is judged at (actual on or before it, else planned), the actual go live
    alone, and the event dates."""
    at = judged_at_by_migration(migrations, as_at)
    index = at.index
    # only the date columns: callers may pass phase tables carrying flag columns as well
    rows = phases[PHASE_COLUMNS].drop_duplicates(["migration_id", "phase"])
    out: dict[str, pd.Series] = {}
    for name, (phase, end) in _FROM_PHASES.items():
        part = rows[rows["phase"] == phase].set_index("migration_id").reindex(index)
        dates = {c: part[c].astype("datetime64[us]") for c in PHASE_COLUMNS[2:]}
        start = _happened(dates["actual_start"], dates["planned_start"], at)
        day = start if end == "start" else _happened(dates["actual_end"], dates["planned_end"], at)
        if name == "data_signoff":
            day = day.fillna(start)
        out[name] = day
        if name == "go_live":
            out["go_live_actual"] = dates["actual_start"].where(dates["actual_start"] <= at)
    for event in _EVENTS:
        values = pd.Series(migrations[event].to_numpy(), index=index).astype("datetime64[us]")
        out[event] = values.where(values <= at)
    return pd.DataFrame(out, index=index)[MILESTONE_COLUMNS].astype("datetime64[us]")


def cutover_window(milestones: pd.DataFrame, config: RiskConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """Per migration, the cut-over window's first and last day: from FDP (go live if FDP is
    missing or after it) to `quiet_days_after_go_live` days after go live; NaT with no go live."""
    go_live, fdp = milestones["go_live"], milestones["fdp"]
    start = fdp.where(fdp <= go_live, go_live)
    end = go_live + pd.Timedelta(days=config.quiet_days_after_go_live)
    return pd.DataFrame({"start": start, "end": end}, index=milestones.index)


def _in_season(day: pd.Series, kind: str) -> pd.Series:
    _, (m1, d1), (m2, d2) = _SEASON[kind]
    md = day.dt.month * 100 + day.dt.day
    lo, hi = m1 * 100 + d1, m2 * 100 + d2
    return (md >= lo) & (md <= hi) if lo <= hi else (md >= lo) | (md <= hi)


def _season_overlaps(start: pd.Series, end: pd.Series, kind: str) -> pd.Series:
    """Whether each window [start, end] shares a day with the season in any year."""
    _, (m1, d1), (m2, d2) = _SEASON[kind]
    hit = pd.Series(False, index=start.index)
    for year in range(start.min().year - 1, end.max().year + 1):
        first = pd.Timestamp(year, m1, d1)
        last = pd.Timestamp(year + 1 if (m2, d2) < (m1, d1) else year, m2, d2)
        hit |= (start <= last) & (end >= first)
    return hit


def _window_flags(window: pd.DataFrame) -> dict[str, pd.Series]:
    """Whether any day of each window is in flu season, QOF year end, or a holiday period."""
    start, end = window["start"], window["end"]
    hit = {k: pd.Series(False, index=window.index) for k in ("flu", "qof", "holiday")}
    dated = start.notna() & end.notna()
    if not dated.any():
        return hit
    # Each season's dates in every year the windows touch, compared with the windows whole: a
    # day-by-day walk costs a pass per day of the longest window (a year, when a go live has
    # slipped far past its FDP).
    start, end = start[dated], end[dated]
    bank = np.sort(
        pd.DatetimeIndex(list(england_bank_holidays(range(start.min().year, end.max().year + 1))))
        .astype("datetime64[us]")
        .to_numpy()
    )
    first_after = np.searchsorted(bank, start.to_numpy(), side="left")
    bank_day = pd.Series(
        (first_after < len(bank))
        & (bank[np.minimum(first_after, len(bank) - 1)] <= end.to_numpy()),
        index=start.index,
    )
    holiday = bank_day
    for kind in _HOLIDAY_KINDS:
        holiday = holiday | _season_overlaps(start, end, kind)
    found = {
        "flu": _season_overlaps(start, end, "flu_season"),
        "qof": _season_overlaps(start, end, "qof_year_end"),
        "holiday": holiday,
    }
    return {k: hit[k] | found[k].reindex(window.index, fill_value=False) for k in hit}


def _capacity_clash(
    go_live: pd.Series, target: pd.Series, counted: pd.Series, limit: int
) -> pd.Series:
    """Go-lives (not cancelled) in an ISO week with more than `limit` to the same target system."""
    keep = counted & go_live.notna() & target.notna()
    iso = go_live[keep].dt.isocalendar()
    keys = [target[keep].to_numpy(), iso["year"].to_numpy(), iso["week"].to_numpy()]
    size = pd.Series(keys[0]).groupby(keys).transform("size")
    clash = pd.Series(False, index=go_live.index)
    clash[keep.to_numpy()] = (size > limit).to_numpy()
    return clash


def _state_from_status(status: pd.Series) -> pd.Series:
    """Each status folded to "open" (planned, in progress, on hold, or blank), "cancelled", or
    "live" (anything else: live, or a finished migration an older caller calls completed)."""
    folded = status.astype("string").str.strip().str.lower()
    cancelled = folded.eq(CANCELLED).fillna(False).to_numpy(dtype=bool)
    still_open = (folded.isna() | folded.isin(OPEN_STATUSES)).to_numpy(dtype=bool)
    state = np.where(cancelled, CANCELLED, np.where(still_open, OPEN, LIVE))
    return pd.Series(state, index=status.index, dtype="string")


def _states(migrations: pd.DataFrame, went_live: pd.Series) -> pd.Series:
    """Per migration (went_live's index): "open", "live" or "cancelled", from the overview's
    status column when there is one; else cancelled where the tracker's own status says so and
    live where the go live has an actual date on or before the judged-at date."""
    index = went_live.index
    if "status" in migrations.columns:
        return _state_from_status(pd.Series(migrations["status"].to_numpy(), index=index))
    reported = pd.Series(migrations["reported_status"].to_numpy(), index=index, dtype="string")
    cancelled = reported.fillna("").str.lower().str.contains("cancel", regex=False)
    live = went_live.notna().to_numpy()
    state = np.where(cancelled.to_numpy(dtype=bool), CANCELLED, np.where(live, LIVE, OPEN))
    return pd.Series(state, index=index, dtype="string")


def _assessed(migrations: pd.DataFrame, key: str, index: pd.Index) -> pd.Series:
    """Whether the tracker each migration came from has the rule's input column: its
    tracks_<column> flag, True where the frame has no such flag (or it is blank)."""
    column = f"tracks_{RULE_INPUTS[key][0]}"
    if column not in migrations.columns:
        return pd.Series(True, index=index)
    given = pd.Series(migrations[column].to_numpy(), index=index).astype("boolean")
    return given.fillna(True).astype(bool)


def evaluate(
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    as_at: dt.date,
    config: RiskConfig = DEFAULT_CONFIG,
) -> pd.DataFrame:
    """One bool column per rule (RULES order) for every migration (index migration_id, in the
    migrations' order), each judged as at its own upload's as-at date (never after as_at).
    Forward-looking rules fire for open migrations only, rules that look back for live ones
    too; none fires for a cancelled migration or where the tracker lacks the rule's input."""
    c = config
    m = milestone_dates(migrations, phases, as_at)
    index = m.index
    at = judged_at_by_migration(migrations, as_at)
    state = _states(migrations, m["go_live_actual"])
    counted = (state != CANCELLED).astype(bool)
    still_open = (state == OPEN).astype(bool)
    target = pd.Series(migrations["target_system"].to_numpy(), index=index, dtype="string")

    def soon(days: int) -> pd.Series:
        return at + pd.Timedelta(days=days)

    window = _window_flags(cutover_window(m, c))
    idp, signoff, fdp, go_live = m["idp"], m["data_signoff"], m["fdp"], m["go_live"]
    registration, ended, live = m["registration"], m["post_go_live_end"], m["go_live_actual"]
    extract, schedule_a = m["extract_requested"], m["decommission_schedule_a"]
    meeting, tracked = m["cutover_planning_meeting"], m["tracking_updated"]
    out_of_order = pd.Series(False, index=index)
    for earlier, later, strict in _ORDER:
        out_of_order |= m[earlier] > m[later] if strict else m[earlier] >= m[later]
    extract_late = (idp - extract).dt.days < c.extract_notice_days
    no_extract = extract.isna() & (idp <= soon(c.extract_notice_days))
    no_schedule_a = schedule_a.isna() & (go_live <= soon(c.decommission_lead_days))
    raw = {
        "golive_in_flu_season": window["flu"],
        "golive_near_qof_year_end": window["qof"],
        "golive_in_holiday_period": window["holiday"],
        "extract_request_late": extract_late | no_extract,
        "decommission_schedule_a_missing": no_schedule_a | (schedule_a > go_live),
        "cutover_planning_late": (fdp - meeting).dt.days < c.cutover_meeting_notice_days,
        "data_checking_over_guide": inclusive_days(idp, signoff) > c.data_checking_max_days,
        "cutover_over_guide": inclusive_days(fdp, go_live) > c.cutover_max_days,
        "post_go_live_over_guide": inclusive_days(go_live, ended) > c.post_go_live_max_days,
        "migration_over_16_weeks": inclusive_days(registration, ended) > c.whole_migration_max_days,
        "tracking_not_updated": ((at - live).dt.days > c.tracking_update_days) & tracked.isna(),
        "milestones_out_of_order": out_of_order,
        # live go-lives take up the week's capacity too; only open ones can still move
        "golive_capacity_clash": _capacity_clash(
            go_live, target, counted, c.weekly_capacity_per_system
        ),
        "golive_overdue": live.isna() & (go_live < at),
    }
    flags = {}
    for key in RULE_KEYS:
        applies = counted if RULE_KINDS[key] == LOOKS_BACK else still_open
        if key in RULE_INPUTS:
            applies = applies & _assessed(migrations, key, index)
        flags[key] = (raw[key] & applies).astype(bool)
    return pd.DataFrame(flags, index=index, columns=list(RULE_KEYS))


def not_assessed(migrations: pd.DataFrame) -> dict[str, int]:
    """How many migrations (not cancelled) each rule could not assess because their tracker has
    no column for its input (NOT_ASSESSED_WHY says which), every rule included in RULES order:
    0 for the rules on milestone dates, which simply do not fire where a date is missing."""
    index = pd.Index(migrations["migration_id"], name="migration_id")
    if "status" in migrations.columns:
        state = _state_from_status(pd.Series(migrations["status"].to_numpy(), index=index))
        counted = (state != CANCELLED).to_numpy(dtype=bool)
    else:
        reported = pd.Series(migrations["reported_status"].to_numpy(), dtype="string")
        counted = ~reported.fillna("").str.lower().str.contains("cancel").to_numpy(dtype=bool)
    out = dict.fromkeys(RULE_KEYS, 0)
    for key in RULE_INPUTS:
        out[key] = int((~_assessed(migrations, key, index).to_numpy() & counted).sum())
    return out


def reasons(flags: pd.DataFrame, keys: list[str] | None = None) -> pd.Series:
    """Per migration, the titles of the rules it breaks (of `keys`, else all) joined with "; "
    ("" when none)."""
    text = pd.Series("", index=flags.index, dtype="string")
    for key in flags.columns:
        if keys is not None and key not in keys:
            continue
        title = RULES[key].title if key in RULES else str(key)
        text = text + np.where(flags[key].astype(bool), f"; {title}", "")
    return text.str.removeprefix("; ").rename("reasons")


def computed_rag(
    flags: pd.DataFrame, status: pd.Series, config: RiskConfig = DEFAULT_CONFIG
) -> pd.Series:
    """Per migration (flags' index): "Cancelled" if cancelled, "Done" if live, else (an open
    migration) Red if any red rule fires, else Amber if any amber rule fires, else Green. Notes
    never change it. `status` is the overview's status column indexed by migration_id (a blank
    status counts as open)."""
    if not flags.index.isin(status.index).all():
        raise ValueError("status must be indexed like flags (by migration_id)")
    state = _state_from_status(status[~status.index.duplicated()].reindex(flags.index))

    def any_of(keys: frozenset[str]) -> np.ndarray:
        present = [k for k in flags.columns if k in keys]
        # along axis 1 of a 2-D array: one bool per row (numpy's stubs also allow a lone bool)
        return cast(np.ndarray, flags[present].to_numpy(dtype=bool).any(axis=1))

    conditions = [
        (state == CANCELLED).to_numpy(dtype=bool),
        (state == LIVE).to_numpy(dtype=bool),
        any_of(config.red_rules),
        any_of(config.amber_rules or frozenset()),
    ]
    rag = np.select(conditions, [CANCELLED_RAG, DONE, "Red", "Amber"], "Green")
    return pd.Series(rag, index=flags.index, dtype="string", name="computed_rag")


def rule_summary(
    flags: pd.DataFrame, migrations: pd.DataFrame, config: RiskConfig = DEFAULT_CONFIG
) -> pd.DataFrame:
    """One row per rule (index key, RULES order): title, how it counts (red, amber, note), its
    kind (forward-looking, looks back), migrations flagged, migrations not assessed and why."""
    rules = RULES if config == DEFAULT_CONFIG else rules_for(config)
    missing = not_assessed(migrations)
    flagged = counts_by_rule(flags)
    return pd.DataFrame(
        {
            "rule": [rules[k].title for k in RULE_KEYS],
            "counts_as": [config.level(k) for k in RULE_KEYS],
            "kind": [RULE_KINDS[k] for k in RULE_KEYS],
            "flagged": [flagged[k] for k in RULE_KEYS],
            "not_assessed": [missing[k] for k in RULE_KEYS],
            "why_not_assessed": [NOT_ASSESSED_WHY[k] if missing[k] else "" for k in RULE_KEYS],
        },
        index=pd.Index(RULE_KEYS, name="key"),
    )


def counts_by_rule(flags: pd.DataFrame) -> dict[str, int]:
    """How many migrations each rule flags, every rule included, in RULES order."""
    return {key: int(flags[key].sum()) if key in flags else 0 for key in RULES}


def _rag_word(rag: pd.Series) -> pd.Series:
    """Each rating folded to red, amber or green (R/A/G and any case accepted), else NA."""
    folded = rag.astype("string").str.strip().str.lower()
    return folded.map(_RAG_WORDS).astype("string")


def rag_counts(rag: pd.Series) -> dict[str, int]:
    """Migrations per RAG rating: {"red": n, "amber": n, "green": n}."""
    words = _rag_word(rag)
    return {word: int((words == word).fillna(False).sum()) for word in ("red", "amber", "green")}


def rag_disagreements(computed: pd.Series, reported: pd.Series) -> pd.Series:
    """True where the tracker gives a RAG (Red/Amber/Green, any case; blank is no opinion) and it
    differs from the computed one. `reported` is aligned to `computed` by index (migration_id)."""
    if not computed.index.isin(reported.index).all():
        raise ValueError("reported must be indexed like computed (by migration_id)")
    given = _rag_word(reported[~reported.index.duplicated()].reindex(computed.index))
    differs = given.notna() & (given != _rag_word(computed))
    return differs.fillna(False).astype(bool).rename("rag_disagrees")


def assess(
    overview: pd.DataFrame,
    phases: pd.DataFrame,
    as_at: dt.date,
    config: RiskConfig = DEFAULT_CONFIG,
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(flags, computed RAG, tracker RAG differs) for the migrations of an overview
    (metrics.migration_overview): the one sequence every page, export and pack uses."""
    flags = evaluate(overview, phases, as_at, config)
    by_id = overview.set_index("migration_id")
    computed = computed_rag(flags, by_id["status"], config)
    return flags, computed, rag_disagreements(computed, by_id["reported_rag"])
