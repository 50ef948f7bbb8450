"""The guide's lessons learnt as rules, evaluated per migration as at a date (design.md §2).

Every rule reads the same milestone dates (`milestone_dates`): for each milestone the actual date
if there is one on or before the as-at date, else the planned one. Event dates (extract requested,
Schedule A, cut-over meeting, tracking update) after the as-at date have not happened as at that
date, so they count as not recorded. A rule whose dates are missing does not fire, except the
"none recorded" cases its explanation names. Cancelled migrations are never flagged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regiondash.calendar import SEASONAL_PERIODS, england_bank_holidays
from regiondash.fields import PHASE_COLUMNS
from regiondash.phases import MILESTONE_PHASES

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
)
_RED_DEFAULT = frozenset(
    {
        "milestones_out_of_order",
        "extract_request_late",
        "decommission_schedule_a_missing",
        "golive_capacity_clash",
        "migration_over_16_weeks",
    }
)
_RAG_WORDS = {"r": "red", "red": "red", "a": "amber", "amber": "amber", "g": "green",
              "green": "green"}  # fmt: skip
MILESTONE_COLUMNS = [
    "registration", "kickoff", "technical_survey", "idp", "data_signoff", "fdp", "go_live",
    "go_live_actual", "post_go_live_end", "extract_requested", "decommission_schedule_a",
    "cutover_planning_meeting", "tracking_updated",
]  # fmt: skip
# Milestone -> (phase row, which end of it); data sign-off falls back to its phase's start.
_FROM_PHASES = {key: MILESTONE_PHASES[key] for key in (
    "registration", "kickoff", "technical_survey", "idp", "data_signoff", "fdp", "go_live",
    "post_go_live_end",
)}  # fmt: skip
_EVENTS = ["extract_requested", "decommission_schedule_a", "cutover_planning_meeting",
           "tracking_updated"]  # fmt: skip
# (earlier, later, strict): the later milestone must not come before the earlier one, or (not
# strict) must come after it.
_ORDER = [
    ("kickoff", "technical_survey", True),
    ("extract_requested", "idp", False),
    ("idp", "data_signoff", True),
    ("data_signoff", "fdp", True),
    ("fdp", "go_live", True),
    ("go_live", "post_go_live_end", True),
]
_SEASON = {kind: (label, first, last) for kind, label, first, last in SEASONAL_PERIODS}
_HOLIDAY_KINDS = ("christmas", "summer")
_YEAR_DAYS = 366  # a window this long holds every day of the year


@dataclass(frozen=True)
class Rule:
    """One lesson learnt as a check: its key, a short title and a plain-English explanation."""

    key: str
    title: str
    explanation: str


@dataclass(frozen=True)
class RiskConfig:
    """The rules' thresholds (calendar days, inclusive spans) and which rules count Red or Amber."""

    extract_notice_days: int = 35
    decommission_lead_days: int = 28
    cutover_meeting_notice_days: int = 28
    data_checking_max_days: int = 26
    cutover_max_days: int = 14
    post_go_live_max_days: int = 14
    whole_migration_max_days: int = 112
    tracking_update_days: int = 30
    weekly_capacity_per_system: int = 3
    quiet_days_after_go_live: int = 2
    red_rules: frozenset[str] = _RED_DEFAULT
    amber_rules: frozenset[str] = frozenset(RULE_KEYS) - _RED_DEFAULT

    def __post_init__(self) -> None:
        unknown = (self.red_rules | self.amber_rules) - set(RULE_KEYS)
        if unknown:
            raise ValueError(f"unknown rule keys: {', '.join(sorted(unknown))}")


DEFAULT_CONFIG = RiskConfig()


def _span(kind: str, joiner: str = " – ") -> str:
    """A seasonal period's span as words, e.g. "1 Sep – 31 Mar"."""
    _, first, last = _SEASON[kind]
    return joiner.join(f"{d} {dt.date(2000, m, 1):%b}" for m, d in (first, last))


def rules_for(config: RiskConfig = DEFAULT_CONFIG) -> dict[str, Rule]:
    """The rule catalogue with config's thresholds written into the explanations."""
    c = config
    guide = "NHS England's Practice migration guide (lessons learnt)"
    window = (
        "the cut-over window (from final data production (FDP), or go live if no FDP is "
        f"recorded, to {c.quiet_days_after_go_live} days after go live)"
    )
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
            "passed.",
        ),
        "decommission_schedule_a_missing": (
            "Decommission Schedule A missing",
            f"{guide} advises raising the Schedule A to decommission the old system at the start "
            "of the migration, or the NHS keeps paying for it. Flagged when none is recorded and "
            f"go live is due within {c.decommission_lead_days} days of the as-at date or has "
            "passed, or when it was raised after go live.",
        ),
        "cutover_planning_late": (
            "Cut-over planning meeting late",
            "Later versions of NHS England's Practice migration guide ask for a cut-over planning "
            f"meeting at least 4 weeks before final data production (FDP). Flagged when the "
            f"meeting was less than {c.cutover_meeting_notice_days} days before FDP.",
        ),
        "data_checking_over_guide": (
            "Data checking over the guide",
            "NHS England's Practice migration guide estimates data checking at 3 days to 3 weeks "
            "and data recheck and sign off at 1 to 5 days. Flagged when IDP to data sign-off "
            f"spans more than {c.data_checking_max_days} days, counting both days.",
        ),
        "cutover_over_guide": (
            "Cut-over over the guide",
            "NHS England's Practice migration guide estimates the cut-over period (FDP to go "
            f"live) at 3 days to 2 weeks. Flagged when FDP to go live spans more than "
            f"{c.cutover_max_days} days, counting both days.",
        ),
        "post_go_live_over_guide": (
            "Post go live over the guide",
            "NHS England's Practice migration guide estimates post go live (data re-entry) at "
            "5 days to 2 weeks. Flagged when go live to the end of post go live spans more than "
            f"{c.post_go_live_max_days} days, counting both days.",
        ),
        "migration_over_16_weeks": (
            f"Migration over {c.whole_migration_max_days // 7} weeks",
            "NHS England's Practice migration guide says a migration takes 12 to 16 weeks from "
            "registration to the end of post go live. Flagged when that spans more than "
            f"{c.whole_migration_max_days} days, counting both days.",
        ),
        "tracking_not_updated": (
            "Tracking record not updated",
            f"{guide} advises updating the tracking record after go live, or supplier payments "
            f"go wrong. Flagged when the practice went live more than {c.tracking_update_days} "
            "days before the as-at date and no tracking update is recorded.",
        ),
        "milestones_out_of_order": (
            "Milestones out of order",
            "NHS England's Practice migration guide runs the phases in order; dates out of that "
            "order usually mean a mistyped date or a re-plan not carried through, and make the "
            "other checks unreliable. Flagged when kickoff is after the technical survey, the "
            "extract request is on or after IDP, IDP is after data sign-off, sign-off is after "
            "FDP, FDP is after go live, or go live is after the end of post go live.",
        ),
        "golive_capacity_clash": (
            "Go-live capacity clash",
            "A regional check rather than a number from the guide: the guide's lessons learnt ask "
            "for go-live to be planned around busy times, and a supplier's go-live support is "
            f"finite. Flagged when more than {c.weekly_capacity_per_system} go-lives to the same "
            "target system fall in the same ISO week (Monday to Sunday) among the migrations "
            "shown; each of them is flagged.",
        ),
    }
    return {key: Rule(key, *texts[key]) for key in RULE_KEYS}


RULES: dict[str, Rule] = rules_for(DEFAULT_CONFIG)


def _happened(actual: pd.Series, planned: pd.Series, at: pd.Timestamp) -> pd.Series:
    """The actual date where it is on or before the as-at date, else the planned one."""
    return actual.where(actual <= at, planned)


def milestone_dates(migrations: pd.DataFrame, phases: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """Per migration (index migration_id, in the migrations' order): each milestone as at the date
    (actual on or before it, else planned), the actual go live alone, and the event dates."""
    at = pd.Timestamp(as_at).normalize()
    index = pd.Index(migrations["migration_id"], name="migration_id")
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


def _window_flags(window: pd.DataFrame) -> dict[str, pd.Series]:
    """Whether any day of each window is in flu season, QOF year end, or a holiday period."""
    start, end = window["start"], window["end"]
    hit = {k: pd.Series(False, index=window.index) for k in ("flu", "qof", "holiday")}
    spans = (end - start).dt.days
    if not spans.notna().any():
        return hit
    bank = pd.DatetimeIndex(
        list(england_bank_holidays(range(start.min().year, end.max().year + 1)))
    ).astype("datetime64[us]")
    for offset in range(int(min(spans.max(), _YEAR_DAYS - 1)) + 1):
        day = start + pd.Timedelta(days=offset)
        inside = day <= end
        hit["flu"] |= inside & _in_season(day, "flu_season")
        hit["qof"] |= inside & _in_season(day, "qof_year_end")
        holiday = day.isin(bank)
        for kind in _HOLIDAY_KINDS:
            holiday |= _in_season(day, kind)
        hit["holiday"] |= inside & holiday
    return hit


def _span_days(first: pd.Series, last: pd.Series) -> pd.Series:
    """Inclusive calendar days from first to last (NaN where either is missing)."""
    return (last - first).dt.days + 1


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


def evaluate(
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    as_at: dt.date,
    config: RiskConfig = DEFAULT_CONFIG,
) -> pd.DataFrame:
    """One bool column per rule (RULES order) for every migration (index migration_id, in the
    migrations' order), as at the date."""
    at, c = pd.Timestamp(as_at).normalize(), config
    m = milestone_dates(migrations, phases, as_at)
    index = m.index
    status = pd.Series(migrations["reported_status"].to_numpy(), index=index, dtype="string")
    counted = ~status.fillna("").str.lower().str.contains("cancel", regex=False).astype(bool)
    target = pd.Series(migrations["target_system"].to_numpy(), index=index, dtype="string")

    def soon(days: int) -> pd.Timestamp:
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
        "data_checking_over_guide": _span_days(idp, signoff) > c.data_checking_max_days,
        "cutover_over_guide": _span_days(fdp, go_live) > c.cutover_max_days,
        "post_go_live_over_guide": _span_days(go_live, ended) > c.post_go_live_max_days,
        "migration_over_16_weeks": _span_days(registration, ended) > c.whole_migration_max_days,
        "tracking_not_updated": ((at - live).dt.days > c.tracking_update_days) & tracked.isna(),
        "milestones_out_of_order": out_of_order,
        "golive_capacity_clash": _capacity_clash(
            go_live, target, counted, c.weekly_capacity_per_system
        ),
    }
    flags = {key: (raw[key] & counted).astype(bool) for key in RULE_KEYS}
    return pd.DataFrame(flags, index=index, columns=list(RULE_KEYS))


def reasons(flags: pd.DataFrame) -> pd.Series:
    """Per migration, the titles of the rules it breaks joined with "; " ("" when none)."""
    text = pd.Series("", index=flags.index, dtype="string")
    for key in flags.columns:
        title = RULES[key].title if key in RULES else str(key)
        text = text + np.where(flags[key].astype(bool), f"; {title}", "")
    return text.str.removeprefix("; ").rename("reasons")


def computed_rag(flags: pd.DataFrame, config: RiskConfig = DEFAULT_CONFIG) -> pd.Series:
    """Per migration: Red if any red rule fires, else Amber if any amber rule fires, else Green."""

    def any_of(keys: frozenset[str]) -> np.ndarray:
        present = [k for k in flags.columns if k in keys]
        return flags[present].to_numpy(dtype=bool).any(axis=1)

    rag = np.select([any_of(config.red_rules), any_of(config.amber_rules)], ["Red", "Amber"],
                    "Green")  # fmt: skip
    return pd.Series(rag, index=flags.index, dtype="string", name="computed_rag")


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
