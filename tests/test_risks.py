"""The guide's lessons learnt as rules: boundary tables per rule, RAG, and a demo back test."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from regiondash import demo, metrics, risks, store
from regiondash.calendar import england_bank_holidays
from regiondash.fields import MIGRATION_COLUMNS, PHASE_COLUMNS
from regiondash.phases import PHASE_BY_KEY, WHOLE_MIGRATION_MAX_DAYS, duration_days, inclusive_days
from tests import frames
from tests.frames import DATE
from tests.frames import migrations_frame as model_migrations
from tests.golden import demo_risks, golden

AS_AT = dt.date(2026, 6, 1)
# Where each milestone sits in the phase rows (phase, start or end), as milestone_dates reads it.
SLOT = {
    "registration": ("procurement", "start"),
    "kickoff": ("kickoff", "start"),
    "technical_survey": ("technical_survey", "start"),
    "idp": ("initial_data_production", "start"),
    "data_signoff": ("data_recheck_signoff", "end"),
    "fdp": ("final_data_production", "start"),
    "go_live": ("go_live", "start"),
    "post_go_live_end": ("post_go_live", "end"),
}
DATES = PHASE_COLUMNS[2:]


phases_frame = frames.phases_frame


def migrations_frame(records: list[dict]) -> pd.DataFrame:
    """Migration rows; the overview's `status`, an `upload_as_at` or `tracks_*` columns only
    when a record gives them (older callers' frames have none)."""
    extra = dict.fromkeys(k for r in records for k in r if k not in MIGRATION_COLUMNS)
    kinds = {k: DATE if k == "upload_as_at" else "string" if k == "status" else None for k in extra}
    return model_migrations(records, ods_from_id=False, extra=kinds)


def frames(cases: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each case: id, planned / actual milestones, events, the tracker's status, the overview's
    state (`state`), upload as-at, tracks_* flags, target system, phase rows."""
    records, phase_rows = [], []
    for n, case in enumerate(cases):
        mid = case.get("id", f"M{n}")
        extra = {f"tracks_{k}": v for k, v in case.get("tracks", {}).items()}
        if "state" in case:
            extra["status"] = case["state"]
        if "upload_as_at" in case:
            extra["upload_as_at"] = case["upload_as_at"]
        records.append(
            {
                "migration_id": mid,
                "ods_code": f"A{n:05d}",
                "target_system": case.get("target", "SystmOne"),
                "reported_status": case.get("status"),
                "reported_rag": case.get("rag"),
                **case.get("events", {}),
                **extra,
            }
        )
        by_phase: dict[str, dict] = {}
        for kind in ("planned", "actual"):
            for milestone, day in case.get(kind, {}).items():
                phase, end = SLOT[milestone]
                row = by_phase.setdefault(phase, {"migration_id": mid, "phase": phase})
                row[f"{kind}_{end}"] = day
        phase_rows += [
            *by_phase.values(),
            *({"migration_id": mid, **r} for r in case.get("rows", [])),
        ]
    return migrations_frame(records), phases_frame(phase_rows)


def flags_for(as_at=AS_AT, config=risks.DEFAULT_CONFIG, **case) -> pd.Series:
    migrations, phases = frames([case])
    return risks.evaluate(migrations, phases, as_at, config).iloc[0]


def fires(rule: str, as_at=AS_AT, **case) -> bool:
    return bool(flags_for(as_at, **case)[rule])


# --- the catalogue and the config ------------------------------------------------------------


def test_rules_are_in_the_tables_order_with_titles_and_guide_explanations():
    assert list(risks.RULES) == [
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
    ]
    assert risks.RULES["golive_in_flu_season"].title == "Go live in flu season"
    assert "flu season (1 Sep – 31 Mar)" in risks.RULES["golive_in_flu_season"].explanation
    for key, rule in risks.RULES.items():
        assert rule.key == key and rule.title and len(rule.title) <= 40
        assert "guide" in rule.explanation
        assert rule.kind == risks.RULE_KINDS[key]
    assert "less than 35 days" in risks.RULES["extract_request_late"].explanation
    assert "more than 112 days" in risks.RULES["migration_over_16_weeks"].explanation
    assert "more than 3 go-lives" in risks.RULES["golive_capacity_clash"].explanation
    assert "3 days to 3 weeks" in risks.RULES["data_checking_over_guide"].explanation
    custom = risks.rules_for(dataclasses.replace(risks.DEFAULT_CONFIG, extract_notice_days=21))
    assert "less than 21 days" in custom["extract_request_late"].explanation


@pytest.mark.parametrize(
    ("key", "kind", "says"),
    [
        ("golive_in_flu_season", "forward-looking", "A note: it never changes the computed RAG."),
        ("golive_in_holiday_period", "forward-looking", "open migrations only"),
        ("extract_request_late", "forward-looking", "Counts as red."),
        (
            "decommission_schedule_a_missing",
            "forward-looking",
            "Not assessed for a tracker with no Schedule A column.",
        ),
        ("cutover_planning_late", "forward-looking", "Counts as amber."),
        ("milestones_out_of_order", "forward-looking", "open migrations only"),
        ("golive_capacity_clash", "forward-looking", "live ones included"),
        ("data_checking_over_guide", "looks back", "live migrations are checked too"),
        ("cutover_over_guide", "looks back", "Counts as amber."),
        ("post_go_live_over_guide", "looks back", "live migrations are checked too"),
        ("migration_over_16_weeks", "looks back", "Counts as red."),
        (
            "tracking_not_updated",
            "looks back",
            "Not assessed for a tracker with no tracking updated column.",
        ),
    ],
)
def test_each_explanation_says_what_it_checks_and_how_it_counts(key, kind, says):
    rule = risks.RULES[key]
    assert rule.kind == kind and says in rule.explanation


def test_config_is_frozen_and_splits_the_rules_into_red_amber_and_notes():
    config = risks.DEFAULT_CONFIG
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.cutover_max_days = 20  # type: ignore[misc]
    assert config.red_rules == {
        "milestones_out_of_order",
        "extract_request_late",
        "decommission_schedule_a_missing",
        "golive_capacity_clash",
        "migration_over_16_weeks",
        "golive_overdue",
    }
    busy = {"golive_in_flu_season", "golive_near_qof_year_end", "golive_in_holiday_period"}
    assert config.note_rules == busy
    assert config.amber_rules == set(risks.RULES) - config.red_rules - busy
    assert [
        config.level(k)
        for k in ("extract_request_late", "cutover_over_guide", "golive_in_flu_season")
    ] == ["red", "amber", "note"]
    assert config.keys_at("note") == list(risks.RULES)[:3]
    with pytest.raises(ValueError, match="unknown rule keys: no_such_rule"):
        risks.RiskConfig(red_rules=frozenset({"no_such_rule"}))
    with pytest.raises(ValueError, match="more than one of red, amber, note: golive_in_flu"):
        risks.RiskConfig(red_rules=frozenset({"golive_in_flu_season"}))
    # busy periods back to amber: no notes, amber is then every rule not red
    amber_busy = risks.RiskConfig(note_rules=frozenset())
    assert amber_busy.amber_rules == set(risks.RULES) - config.red_rules
    assert amber_busy.note_rules == set()


def test_the_guides_maxima_come_from_the_phase_table():
    config = risks.DEFAULT_CONFIG
    # IDP to sign-off holds data checking (3 weeks at most) and recheck and sign off (5 days)
    assert (
        config.data_checking_max_days
        == 26
        == (PHASE_BY_KEY["data_checking"].max_days + PHASE_BY_KEY["data_recheck_signoff"].max_days)
    )
    assert config.cutover_max_days == PHASE_BY_KEY["cutover"].max_days == 14
    assert config.post_go_live_max_days == PHASE_BY_KEY["post_go_live"].max_days == 14
    assert config.whole_migration_max_days == WHOLE_MIGRATION_MAX_DAYS == 112


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("2026-06-01", "2026-06-01", 1),
        ("2026-06-01", "2026-06-14", 14),
        ("2026-12-31", "2027-01-01", 2),
        ("2026-06-03", "2026-06-01", -1),
    ],
)
def test_inclusive_days_is_duration_days_for_columns(start, end, days):
    first, last = pd.Series(pd.to_datetime([start, None])), pd.Series(pd.to_datetime([end, end]))
    counted = inclusive_days(first, last)
    assert counted.iloc[0] == days == duration_days(first[0].date(), last[0].date())
    assert pd.isna(counted.iloc[1])


# --- milestone dates --------------------------------------------------------------------------


def test_milestone_dates_prefer_actual_on_or_before_the_as_at_date():
    migrations, phases = frames(
        [
            {
                "id": "M1",
                "planned": {
                    "registration": "2026-01-05",
                    "idp": "2026-02-02",
                    "go_live": "2026-05-20",
                    "post_go_live_end": "2026-06-03",
                    "data_signoff": "2026-02-20",
                },
                "actual": {
                    "registration": "2026-01-07",
                    "idp": "2026-06-02",
                    "go_live": "2026-05-22",
                    "data_signoff": "2026-02-25",
                },
                "events": {"extract_requested": "2025-12-20", "tracking_updated": "2026-06-05"},
            },
            {
                "id": "M2",
                "rows": [{"phase": "data_recheck_signoff", "planned_start": "2026-03-02"}],
            },
        ]
    )
    table = risks.milestone_dates(migrations, phases, AS_AT)
    assert list(table.columns) == risks.MILESTONE_COLUMNS
    assert list(table.index) == ["M1", "M2"] and table.index.name == "migration_id"
    assert (table.dtypes == "datetime64[us]").all()
    m1 = table.loc["M1"]
    assert m1["registration"] == pd.Timestamp("2026-01-07")  # actual wins
    assert m1["idp"] == pd.Timestamp("2026-02-02")  # actual after as-at: not happened yet
    assert m1["go_live"] == m1["go_live_actual"] == pd.Timestamp("2026-05-22")
    assert m1["data_signoff"] == pd.Timestamp("2026-02-25")
    assert m1["post_go_live_end"] == pd.Timestamp("2026-06-03")
    assert m1["extract_requested"] == pd.Timestamp("2025-12-20")
    assert pd.isna(m1["tracking_updated"])  # recorded after the as-at date
    assert pd.isna(m1["kickoff"]) and pd.isna(m1["fdp"])
    m2 = table.loc["M2"]
    assert m2["data_signoff"] == pd.Timestamp("2026-03-02")  # no end: sign-off's start
    assert m2.drop("data_signoff").isna().all()


# --- the cut-over window rules ----------------------------------------------------------------

WINDOW_CASES = [
    # fdp, go live, (flu, qof, holiday)
    ("2026-08-28", "2026-09-01", (True, False, True)),  # FDP in August reaches flu season
    (None, "2026-08-29", (False, False, True)),  # 29-31 Aug: summer and a bank holiday
    (None, "2026-08-30", (True, False, True)),  # 30 Aug - 1 Sep
    (None, "2026-02-28", (True, True, False)),  # 28 Feb - 2 Mar reaches QOF year end
    (None, "2026-02-26", (True, False, False)),  # 26-28 Feb
    (None, "2026-04-01", (False, True, True)),  # 1-3 Apr: flu over, Good Friday 3 Apr
    ("2026-03-31", "2026-04-01", (True, True, True)),
    (None, "2026-04-30", (False, True, False)),  # 30 Apr - 2 May
    (None, "2026-05-01", (False, False, False)),  # 1-3 May: bank holiday is 4 May
    (None, "2026-05-02", (False, False, True)),  # 2-4 May
    ("2026-04-30", "2026-05-08", (False, True, True)),
    (None, "2026-07-17", (False, False, False)),  # 17-19 Jul
    (None, "2026-07-18", (False, False, True)),  # 18-20 Jul: summer starts 20 Jul
    (None, "2026-12-21", (True, False, False)),  # 21-23 Dec
    (None, "2026-12-22", (True, False, True)),  # 22-24 Dec: Christmas starts 24 Dec
    (None, "2027-01-03", (True, False, False)),  # 3-5 Jan: Christmas ended 2 Jan
    (None, "2027-01-02", (True, False, True)),
    ("2026-06-01", "2026-06-10", (False, False, False)),
    ("2026-09-05", "2026-08-26", (False, False, True)),  # FDP after go live: from go live
    # FDP done in May, go live slipped to the next May: a year's window holds every season
    ("2026-05-05", "2027-05-10", (True, True, True)),
    # FDP 6 May 2026 to a go live two years on, 5-7 Jun 2028 after it included
    ("2026-05-06", "2028-06-05", (True, True, True)),
    ("2026-01-10", None, (False, False, False)),  # no go live, no window
    (None, None, (False, False, False)),
]


@pytest.mark.parametrize(("fdp", "go_live", "expected"), WINDOW_CASES)
def test_cutover_window_rules(fdp, go_live, expected):
    planned = {k: v for k, v in {"fdp": fdp, "go_live": go_live}.items() if v}
    flags = flags_for(planned=planned)
    rules = ["golive_in_flu_season", "golive_near_qof_year_end", "golive_in_holiday_period"]
    assert tuple(bool(flags[r]) for r in rules) == expected


@pytest.mark.parametrize(
    ("as_at", "state", "flu"),
    [
        # the tracker still calls it in progress: the actual go live, once it has happened, wins
        (dt.date(2026, 9, 1), "in_progress", True),
        (dt.date(2026, 8, 31), "in_progress", False),  # actual after as-at: the June plan stands
        # live: a go live that has happened is no risk to plan around any more
        (dt.date(2026, 9, 1), "live", False),
        (dt.date(2026, 9, 1), None, False),  # no status column: an actual go live means live
    ],
)
def test_window_uses_actual_go_live_only_once_it_has_happened(as_at, state, flu):
    case = {"planned": {"go_live": "2026-06-10"}, "actual": {"go_live": "2026-09-01"}}
    if state:
        case["state"] = state
    assert fires("golive_in_flu_season", as_at, **case) is flu


def test_a_longer_quiet_span_after_go_live_widens_the_window():
    config = dataclasses.replace(risks.DEFAULT_CONFIG, quiet_days_after_go_live=5)
    flags = flags_for(config=config, planned={"go_live": "2026-08-27"})
    assert bool(flags["golive_in_flu_season"])


def test_england_2026_bank_holidays_drive_the_holiday_rule():
    pinned = [
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
    ]
    assert [str(day) for day in england_bank_holidays([2026])] == pinned
    # A one-day window (go live only) on each day of 2026.
    config = dataclasses.replace(risks.DEFAULT_CONFIG, quiet_days_after_go_live=0)
    days = pd.date_range("2026-01-01", "2026-12-31")
    migrations, phases = frames([{"planned": {"go_live": str(d.date())}} for d in days])
    flags = risks.evaluate(migrations, phases, AS_AT, config)
    flagged = set(days[flags["golive_in_holiday_period"].to_numpy()])
    seasonal = [
        *pd.date_range("2026-01-01", "2026-01-02"),
        *pd.date_range("2026-07-20", "2026-08-31"),
        *pd.date_range("2026-12-24", "2026-12-31"),
    ]
    assert flagged == set(seasonal) | set(pd.to_datetime(pinned))
    assert pd.Timestamp("2026-04-05") not in flagged  # Easter Sunday is no bank holiday
    assert pd.Timestamp("2026-12-26") in flagged  # Boxing Day (Saturday): Christmas anyway


# --- the notice and lead-time rules -----------------------------------------------------------


@pytest.mark.parametrize(
    ("as_at", "idp_planned", "idp_actual", "extract", "expected"),
    [
        (AS_AT, "2026-07-10", None, "2026-04-01", False),
        ("2026-06-05", "2026-07-10", None, "2026-06-05", False),  # exactly 35 days before
        ("2026-06-06", "2026-07-10", None, "2026-06-06", True),  # 34 days
        ("2026-06-04", "2026-07-10", None, "2026-06-04", False),  # 36 days
        ("2026-07-20", "2026-07-10", None, "2026-07-10", True),  # on IDP itself
        ("2026-06-05", "2026-07-10", None, None, True),  # none, IDP = as-at + 35
        ("2026-06-04", "2026-07-10", None, None, False),  # none, IDP = as-at + 36
        ("2026-08-01", "2026-07-10", None, None, True),  # none, IDP passed
        (AS_AT, None, None, "2026-05-30", False),  # no IDP: cannot judge
        (AS_AT, None, None, None, False),
        (AS_AT, "2026-07-10", None, "2026-06-02", False),  # recorded after as-at: none yet
        (AS_AT, "2026-07-05", None, "2026-06-02", True),  # ... and IDP = as-at + 34
        (AS_AT, "2026-08-30", "2026-05-20", "2026-04-20", True),  # actual IDP: 30 days' notice
        (AS_AT, "2026-05-20", "2026-06-30", "2026-04-10", False),  # actual IDP after as-at
    ],
)
def test_extract_request_late(as_at, idp_planned, idp_actual, extract, expected):
    as_at = dt.date.fromisoformat(as_at) if isinstance(as_at, str) else as_at
    case = {
        "planned": {"idp": idp_planned} if idp_planned else {},
        "actual": {"idp": idp_actual} if idp_actual else {},
        "events": {"extract_requested": extract},
    }
    assert fires("extract_request_late", as_at, **case) is expected


@pytest.mark.parametrize(
    ("as_at", "go_live", "schedule_a", "expected"),
    [
        ("2026-06-03", "2026-07-01", None, True),  # none, go live = as-at + 28
        ("2026-06-02", "2026-07-01", None, False),  # none, go live = as-at + 29
        ("2026-08-01", "2026-07-01", None, True),  # none, already live
        ("2026-08-01", "2026-07-01", "2026-07-01", False),  # raised on go live day
        ("2026-08-01", "2026-07-01", "2026-07-02", True),  # raised after go live
        ("2026-08-01", "2026-07-01", "2026-03-01", False),  # raised at the start
        ("2026-06-03", "2026-07-01", "2026-06-10", True),  # dated after as-at: none yet
        ("2026-06-03", None, None, False),  # no go live
        ("2026-06-03", None, "2026-06-01", False),
    ],
)
def test_decommission_schedule_a_missing(as_at, go_live, schedule_a, expected):
    case = {
        "planned": {"go_live": go_live} if go_live else {},
        "events": {"decommission_schedule_a": schedule_a},
    }
    result = fires("decommission_schedule_a_missing", dt.date.fromisoformat(as_at), **case)
    assert result is expected


@pytest.mark.parametrize(
    ("fdp", "meeting", "expected"),
    [
        ("2026-07-01", "2026-06-03", False),  # exactly 28 days before
        ("2026-07-01", "2026-06-04", True),  # 27 days
        ("2026-07-01", "2026-06-02", False),  # 29 days
        ("2026-07-01", "2026-07-03", True),  # after FDP
        ("2026-07-01", None, False),  # none recorded: this rule does not fire
        (None, "2026-06-04", False),
    ],
)
def test_cutover_planning_late(fdp, meeting, expected):
    case = {"planned": {"fdp": fdp} if fdp else {}, "events": {"cutover_planning_meeting": meeting}}
    assert fires("cutover_planning_late", dt.date(2026, 7, 15), **case) is expected


# --- the span rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "first", "last", "end", "expected"),
    [
        ("data_checking_over_guide", "idp", "data_signoff", "2026-06-25", False),
        ("data_checking_over_guide", "idp", "data_signoff", "2026-06-26", False),  # 26 days
        ("data_checking_over_guide", "idp", "data_signoff", "2026-06-27", True),  # 27 days
        ("data_checking_over_guide", "idp", "data_signoff", None, False),
        ("cutover_over_guide", "fdp", "go_live", "2026-06-14", False),  # 14 days
        ("cutover_over_guide", "fdp", "go_live", "2026-06-15", True),
        ("cutover_over_guide", "fdp", "go_live", None, False),
        ("post_go_live_over_guide", "go_live", "post_go_live_end", "2026-06-14", False),
        ("post_go_live_over_guide", "go_live", "post_go_live_end", "2026-06-15", True),
        ("post_go_live_over_guide", "go_live", "post_go_live_end", None, False),
    ],
)
def test_span_rules_count_both_days(rule, first, last, end, expected):
    planned = {first: "2026-06-01"} | ({last: end} if end else {})
    assert fires(rule, planned=planned) is expected


@pytest.mark.parametrize(
    ("registration", "end", "expected"),
    [
        ("2026-01-01", "2026-04-22", False),  # 112 days: 16 weeks exactly
        ("2026-01-01", "2026-04-23", True),
        ("2026-01-02", "2026-04-23", False),
        (None, "2026-04-23", False),
        ("2026-01-01", None, False),
    ],
)
def test_migration_over_16_weeks(registration, end, expected):
    planned = {
        k: v for k, v in {"registration": registration, "post_go_live_end": end}.items() if v
    }
    assert fires("migration_over_16_weeks", planned=planned) is expected


@pytest.mark.parametrize(
    ("planned_end", "actual_end", "as_at", "expected"),
    [
        ("2026-06-20", "2026-06-30", dt.date(2026, 7, 1), True),  # actual sign-off wins
        ("2026-06-20", "2026-06-30", dt.date(2026, 6, 29), False),  # not happened yet: plan
        ("2026-06-30", None, dt.date(2026, 6, 29), True),
    ],
)
def test_span_rules_prefer_actual_dates_that_have_happened(
    planned_end, actual_end, as_at, expected
):
    row = {"phase": "data_recheck_signoff", "planned_end": planned_end, "actual_end": actual_end}
    case = {"planned": {"idp": "2026-06-01"}, "rows": [row]}
    assert fires("data_checking_over_guide", as_at, **case) is expected


def test_data_signoff_falls_back_to_its_phases_start():
    case = {
        "planned": {"idp": "2026-06-01"},
        "rows": [{"phase": "data_recheck_signoff", "planned_start": "2026-06-27"}],
    }
    assert fires("data_checking_over_guide", **case)


# --- tracking, order and capacity -------------------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "actual", "updated", "expected"),
    [
        ("2026-07-01", "2026-07-01", None, False),  # live 30 days before as-at
        ("2026-06-30", "2026-06-30", None, True),  # 31 days
        ("2026-06-01", None, None, False),  # not live (planned only)
        ("2026-06-01", "2026-08-05", None, False),  # actual after as-at: not live yet
        ("2026-06-30", "2026-06-30", "2026-07-10", False),
        ("2026-06-30", "2026-06-30", "2026-08-02", True),  # update dated after as-at
    ],
)
def test_tracking_not_updated(planned, actual, updated, expected):
    case = {
        "planned": {"go_live": planned},
        "actual": {"go_live": actual} if actual else {},
        "events": {"tracking_updated": updated},
    }
    assert fires("tracking_not_updated", dt.date(2026, 7, 31), **case) is expected


@pytest.mark.parametrize(
    ("earlier", "later", "gap", "expected"),
    [
        ("kickoff", "technical_survey", 0, False),
        ("kickoff", "technical_survey", -1, True),  # kickoff after the survey
        ("extract_requested", "idp", 1, False),
        ("extract_requested", "idp", 0, True),  # extract requested on IDP
        ("idp", "data_signoff", 0, False),
        ("idp", "data_signoff", -1, True),
        ("data_signoff", "fdp", 0, False),
        ("data_signoff", "fdp", -1, True),
        ("fdp", "go_live", 0, False),
        ("fdp", "go_live", -1, True),
        ("go_live", "post_go_live_end", 0, False),
        ("go_live", "post_go_live_end", -1, True),
        ("registration", "go_live", 0, False),
        ("registration", "go_live", -1, True),  # go live before registration
        ("kickoff", "go_live", 0, False),
        ("kickoff", "go_live", -9, True),  # go live before kickoff
        ("go_live", None, -1, False),  # only one of the pair: nothing to compare
    ],
)
def test_milestones_out_of_order(earlier, later, gap, expected):
    first = pd.Timestamp("2026-05-01")
    days = {earlier: first} | ({later: first + pd.Timedelta(days=gap)} if later else {})
    days = {k: str(v.date()) for k, v in days.items()}
    events = {k: days.pop(k) for k in list(days) if k == "extract_requested"}
    assert fires("milestones_out_of_order", planned=days, events=events) is expected


def clash_flags(go_lives: list[tuple[str, str]], statuses=None, config=risks.DEFAULT_CONFIG):
    statuses = statuses or [None] * len(go_lives)
    cases = [
        {"planned": {"go_live": day}, "target": target, "status": status}
        for (day, target), status in zip(go_lives, statuses, strict=True)
    ]
    migrations, phases = frames(cases)
    return risks.evaluate(migrations, phases, AS_AT, config)["golive_capacity_clash"].tolist()


WEEK = ["2026-06-01", "2026-06-03", "2026-06-05", "2026-06-07"]  # Monday .. Sunday, one ISO week


@pytest.mark.parametrize(
    ("go_lives", "expected"),
    [
        ([(d, "SystmOne") for d in WEEK[:3]], [False] * 3),  # 3: at capacity
        ([(d, "SystmOne") for d in WEEK], [True] * 4),  # 4: every one flagged
        ([(d, "SystmOne") for d in WEEK[:2]] + [(d, "EMIS Web") for d in WEEK[2:]], [False] * 4),
        ([(d, "SystmOne") for d in WEEK[:3]] + [("2026-06-08", "SystmOne")], [False] * 4),
        (
            [(d, "SystmOne") for d in ["2026-12-28", "2026-12-30", "2027-01-01", "2027-01-03"]],
            [True] * 4,
        ),  # ISO week 53 of 2026 runs into 2027
        ([(d, "SystmOne") for d in WEEK] + [("2026-06-02", None)], [True] * 4 + [False]),
    ],
)
def test_golive_capacity_clash(go_lives, expected):
    assert clash_flags(go_lives) == expected


def test_cancelled_go_lives_do_not_count_toward_a_clash():
    go_lives = [(d, "SystmOne") for d in [*WEEK, "2026-06-02"]]
    assert clash_flags(go_lives[:4], [None, None, None, "Cancelled"]) == [False] * 4
    flags = clash_flags(go_lives, [None, "cancelled by practice", None, None, None])
    assert flags == [True, False, True, True, True]
    config = dataclasses.replace(risks.DEFAULT_CONFIG, weekly_capacity_per_system=2)
    assert clash_flags(go_lives[:3], config=config) == [True] * 3


def test_cancelled_migrations_raise_no_flag():
    troubled = {
        "planned": {
            "registration": "2025-09-01",
            "idp": "2026-03-01",
            "data_signoff": "2026-02-01",
            "fdp": "2026-12-01",
            "go_live": "2026-12-24",
            "post_go_live_end": "2027-03-01",
        }
    }
    live = flags_for(**troubled)
    assert live[live].index.tolist() == [
        "golive_in_flu_season",
        "golive_in_holiday_period",
        "extract_request_late",
        "cutover_over_guide",
        "post_go_live_over_guide",
        "migration_over_16_weeks",
        "milestones_out_of_order",
    ]
    for status in ("Cancelled", "CANCELLED - practice withdrew", "cancelled"):
        assert not flags_for(status=status, **troubled).any()
    assert flags_for(status="On hold", **troubled).equals(live)


# A migration breaking a forward-looking rule (extract late), one that looks back (post go live
# over the guide) and a note (flu season), all from the same dates.
MIXED = {
    "planned": {"idp": "2026-01-10", "go_live": "2026-02-10", "post_go_live_end": "2026-03-10"},
    "events": {"extract_requested": "2026-01-01", "decommission_schedule_a": "2026-01-05"},
}


@pytest.mark.parametrize(
    ("state", "reported", "expected"),
    [
        (
            "planned",
            None,
            {
                "extract_request_late",
                "post_go_live_over_guide",
                "golive_in_flu_season",
                "golive_overdue",
            },
        ),
        (
            "in_progress",
            None,
            {
                "extract_request_late",
                "post_go_live_over_guide",
                "golive_in_flu_season",
                "golive_overdue",
            },
        ),
        (
            "on_hold",
            None,
            {
                "extract_request_late",
                "post_go_live_over_guide",
                "golive_in_flu_season",
                "golive_overdue",
            },
        ),
        ("live", None, {"post_go_live_over_guide"}),  # only what looks back
        ("completed", None, {"post_go_live_over_guide"}),  # an older caller's word for live
        ("cancelled", None, set()),
        (None, "Cancelled", set()),  # no status column: the tracker's own words
        (
            None,
            None,
            {
                "extract_request_late",
                "post_go_live_over_guide",
                "golive_in_flu_season",
                "golive_overdue",
            },
        ),
    ],
)
def test_forward_looking_rules_are_for_open_migrations_only(state, reported, expected):
    case = {**MIXED, "status": reported} | ({"state": state} if state else {})
    flags = flags_for(**case)
    assert set(flags[flags].index) == expected


@pytest.mark.parametrize(
    ("rule", "column", "case"),
    [
        ("extract_request_late", "extract_requested", {"planned": {"idp": "2026-06-10"}}),
        (
            "decommission_schedule_a_missing",
            "decommission_schedule_a",
            {"planned": {"go_live": "2026-06-10"}},
        ),
        (
            "cutover_planning_late",
            "cutover_planning_meeting",
            {
                "planned": {"fdp": "2026-06-10"},
                "events": {"cutover_planning_meeting": "2026-06-01"},
            },
        ),
        (
            "tracking_not_updated",
            "tracking_updated",
            {"planned": {"go_live": "2026-03-02"}, "actual": {"go_live": "2026-03-02"}},
        ),
    ],
)
@pytest.mark.parametrize(("tracks", "assessed"), [(True, True), (False, False), (None, True)])
def test_a_rule_whose_column_the_tracker_lacks_is_not_assessed(
    rule, column, case, tracks, assessed
):
    given = {**case, "tracks": {column: tracks}} if tracks is not None else case
    assert fires(rule, **given) is assessed
    migrations, _ = frames([given, {"status": "Cancelled", **given}])
    expected = dict.fromkeys(risks.RULES, 0) | ({} if assessed else {rule: 1})  # not the cancelled
    assert risks.not_assessed(migrations) == expected


def test_tracker_without_a_tracking_column_flags_no_live_practice():
    live = {"planned": {"go_live": "2026-03-02"}, "actual": {"go_live": "2026-03-02"}}
    no_column = {"tracking_updated": False}
    migrations, phases = frames(
        [{**live, "tracks": no_column}, {**live, "tracks": no_column}, live]
    )
    flags = risks.evaluate(migrations, phases, AS_AT)
    assert flags["tracking_not_updated"].tolist() == [False, False, True]
    assert risks.not_assessed(migrations)["tracking_not_updated"] == 2
    summary = risks.rule_summary(flags, migrations)
    row = summary.loc["tracking_not_updated"]
    assert (row["flagged"], row["not_assessed"]) == (1, 2)
    assert row["why_not_assessed"] == "no tracking updated column in this tracker"
    assert (row["counts_as"], row["kind"]) == ("amber", "looks back")
    assert list(summary.index) == list(risks.RULES)
    assert summary.loc[
        "golive_in_flu_season", ["counts_as", "kind", "why_not_assessed"]
    ].tolist() == ["note", "forward-looking", ""]


# Two trackers, viewed as at 3 Dec: one last reported as at 20 Nov, one as at 3 Dec. Both went
# live on 25 Oct with no tracking update recorded.
VIEW = dt.date(2026, 12, 3)
GONE_LIVE = {"planned": {"go_live": "2026-10-25"}, "actual": {"go_live": "2026-10-25"}}


@pytest.mark.parametrize(
    ("upload_as_at", "view", "fires_"),
    [
        ("2026-11-20", VIEW, False),  # judged at 20 Nov: live 26 days, not yet 30
        ("2026-12-03", VIEW, True),  # judged at 3 Dec: live 39 days
        ("2026-12-03", dt.date(2026, 11, 20), False),  # never judged after the view date
        (None, VIEW, True),  # no upload as-at: judged at the view date
    ],
)
def test_each_migration_is_judged_at_its_own_uploads_as_at(upload_as_at, view, fires_):
    case = {**GONE_LIVE} | ({"upload_as_at": upload_as_at} if upload_as_at else {})
    assert fires("tracking_not_updated", view, **case) is fires_


def test_two_trackers_judged_each_at_its_own_date():
    migrations, phases = frames(
        [
            {
                "id": "NOV",
                "upload_as_at": "2026-11-20",
                **GONE_LIVE,
                # an update dated after its own upload's as-at is not known as at that date
                "events": {"decommission_schedule_a": "2026-11-25"},
                "rows": [{"phase": "post_go_live", "planned_end": "2026-11-30"}],
            },
            {
                "id": "DEC",
                "upload_as_at": "2026-12-03",
                **GONE_LIVE,
                "events": {"decommission_schedule_a": "2026-11-25"},
                "rows": [{"phase": "post_go_live", "planned_end": "2026-11-30"}],
            },
        ]
    )
    table = risks.milestone_dates(migrations, phases, VIEW)
    assert pd.isna(table.loc["NOV", "decommission_schedule_a"])
    assert table.loc["DEC", "decommission_schedule_a"] == pd.Timestamp("2026-11-25")
    flags = risks.evaluate(migrations, phases, VIEW)
    assert flags["tracking_not_updated"].tolist() == [False, True]


# --- evaluate, reasons, RAG -------------------------------------------------------------------


def test_evaluate_keeps_every_migration_in_order_with_bool_columns():
    migrations, phases = frames(
        [
            {"id": "B"},
            {"id": "A", "planned": {"go_live": "2026-12-28"}},
            {"id": "C", "planned": {"go_live": "2026-06-10"}},
        ]
    )
    flags = risks.evaluate(migrations, phases, AS_AT)
    assert list(flags.index) == ["B", "A", "C"] and flags.index.name == "migration_id"
    assert list(flags.columns) == list(risks.RULES)
    assert flags.dtypes.map(pd.api.types.is_bool_dtype).all()
    raised = {mid: row[row].index.tolist() for mid, row in flags.iterrows()}
    assert raised == {
        "B": [],
        "A": ["golive_in_flu_season", "golive_in_holiday_period"],  # 28 Dec: bank holiday
        "C": ["decommission_schedule_a_missing"],  # live within 28 days, no Schedule A
    }


def test_evaluate_on_empty_frames_is_empty_with_every_rule_column():
    migrations, phases = frames([])
    flags = risks.evaluate(migrations, phases, AS_AT)
    assert flags.empty and list(flags.columns) == list(risks.RULES)
    assert flags.dtypes.map(pd.api.types.is_bool_dtype).all()
    assert risks.counts_by_rule(flags) == dict.fromkeys(risks.RULES, 0)
    assert risks.reasons(flags).empty
    assert risks.computed_rag(flags, pd.Series(dtype="string")).empty
    assert risks.not_assessed(migrations) == dict.fromkeys(risks.RULES, 0)
    assert risks.milestone_dates(migrations, phases, AS_AT).empty


def flag_table(rows: dict[str, list[str]]) -> pd.DataFrame:
    data = {mid: {key: key in raised for key in risks.RULES} for mid, raised in rows.items()}
    return pd.DataFrame.from_dict(data, orient="index")


def test_reasons_join_titles_in_rule_order():
    flags = flag_table(
        {
            "M1": ["golive_capacity_clash", "golive_in_flu_season"],
            "M2": [],
            "M3": ["tracking_not_updated"],
        }
    )
    assert risks.reasons(flags).tolist() == [
        "Go live in flu season; Go-live capacity clash",
        "",
        "Tracking record not updated",
    ]
    notes = risks.DEFAULT_CONFIG.keys_at("note")
    assert risks.reasons(flags, notes).tolist() == ["Go live in flu season", "", ""]


def status_of(flags: pd.DataFrame, status: str | None = "in_progress") -> pd.Series:
    return pd.Series(status, index=flags.index, dtype="string")


@pytest.mark.parametrize(
    ("raised", "status", "rag"),
    [
        ([], "planned", "Green"),
        ([], "in_progress", "Green"),
        ([], "on_hold", "Green"),
        ([], None, "Green"),  # no status: counted as open
        ([], "live", "Done"),
        ([], "cancelled", "Cancelled"),
        (["cutover_over_guide", "tracking_not_updated"], "in_progress", "Amber"),
        (["cutover_planning_late"], "on_hold", "Amber"),
        (["golive_capacity_clash"], "planned", "Red"),
        (["cutover_over_guide", "milestones_out_of_order"], "in_progress", "Red"),
        (["extract_request_late"], "in_progress", "Red"),
        (["decommission_schedule_a_missing"], "in_progress", "Red"),
        (["migration_over_16_weeks"], "in_progress", "Red"),
        (["migration_over_16_weeks", "tracking_not_updated"], "live", "Done"),  # never Red
        (["migration_over_16_weeks"], "completed", "Done"),
        (["extract_request_late"], "cancelled", "Cancelled"),  # never Green either
    ],
)
def test_computed_rag_rates_open_migrations_only(raised, status, rag):
    flags = flag_table({"M1": raised})
    assert risks.computed_rag(flags, status_of(flags, status)).tolist() == [rag]


@pytest.mark.parametrize(
    ("notes", "others", "rag"),
    [
        (["golive_in_flu_season"], [], "Green"),
        (
            ["golive_in_flu_season", "golive_near_qof_year_end", "golive_in_holiday_period"],
            [],
            "Green",
        ),
        (["golive_in_holiday_period"], ["cutover_over_guide"], "Amber"),
        (["golive_in_flu_season"], ["extract_request_late"], "Red"),
    ],
)
def test_notes_never_change_the_rag(notes, others, rag):
    with_notes, without = flag_table({"M1": notes + others}), flag_table({"M1": others})
    assert risks.computed_rag(with_notes, status_of(with_notes)).tolist() == [rag]
    assert risks.computed_rag(without, status_of(without)).tolist() == [rag]


def test_computed_rag_follows_the_config():
    flags = flag_table({"M1": ["golive_in_flu_season"], "M2": ["extract_request_late"]})
    config = risks.RiskConfig(
        red_rules=frozenset({"golive_in_flu_season"}),
        amber_rules=frozenset(),
        note_rules=frozenset(),
    )
    assert risks.computed_rag(flags, status_of(flags), config).tolist() == ["Red", "Green"]
    busy_amber = risks.RiskConfig(note_rules=frozenset())
    assert risks.computed_rag(flags, status_of(flags), busy_amber).tolist() == ["Amber", "Red"]


def test_computed_rag_aligns_status_by_migration():
    flags = flag_table({"M1": ["extract_request_late"], "M2": []})
    status = pd.Series(["live", "in_progress"], index=["M2", "M1"], dtype="string")
    assert risks.computed_rag(flags, status).tolist() == ["Red", "Done"]
    with pytest.raises(ValueError, match="indexed like flags"):
        risks.computed_rag(flags, status.reset_index(drop=True))


@pytest.mark.parametrize(
    ("computed", "reported", "disagrees"),
    [
        ("Red", "Red", False),
        ("Red", "red ", False),
        ("Red", "AMBER", True),
        ("Green", "Amber", True),
        ("Amber", "g", True),  # the importer's one-letter RAG
        ("Amber", None, False),  # blank: no opinion
        ("Amber", "", False),
        ("Amber", "TBC", False),  # not a RAG: no opinion
        ("Done", "Green", False),  # live: nothing to rate, so nothing to disagree with
        ("Cancelled", "Red", False),
    ],
)
def test_rag_disagreements(computed, reported, disagrees):
    index = pd.Index(["M1"], name="migration_id")
    computed_rag = pd.Series([computed], index=index, dtype="string")
    result = risks.rag_disagreements(computed_rag, pd.Series([reported], index=index))
    assert result.tolist() == [disagrees] and pd.api.types.is_bool_dtype(result)


def test_rag_disagreements_align_by_migration_and_refuse_a_row_index():
    computed = pd.Series(["Red", "Green"], index=["M1", "M2"], dtype="string")
    reported = pd.Series(["Green", "Green"], index=["M2", "M1"], dtype="string")
    assert risks.rag_disagreements(computed, reported).tolist() == [True, False]
    with pytest.raises(ValueError, match="indexed like computed"):
        risks.rag_disagreements(computed, reported.reset_index(drop=True))


def test_counts():
    flags = flag_table(
        {
            "M1": ["golive_in_flu_season", "cutover_over_guide"],
            "M2": ["golive_in_flu_season"],
            "M3": [],
        }
    )
    counts = risks.counts_by_rule(flags)
    assert list(counts) == list(risks.RULES)
    flagged = {"golive_in_flu_season": 2, "cutover_over_guide": 1}
    assert counts == dict.fromkeys(risks.RULES, 0) | flagged
    rag = pd.Series(["Red", "amber", "Green", "Green", None])
    assert risks.rag_counts(rag) == {"red": 1, "amber": 1, "green": 2}


# --- the demo back test -----------------------------------------------------------------------

# Known-good counts at the last as-at (20 Nov 2026), in tests/golden/demo_risks.json: a change
# there means the demo changed; regenerate deliberately (scripts/regenerate_golden.py) and read
# the diff. Forward-looking rules (the busy periods, extract, Schedule A, cut-over meeting, order,
# capacity) count open migrations only, so the 71 live ones drop out of them (flu season was 91
# when every migration counted); the rules that look back still count live ones. Extracts are
# mostly requested 5-8 weeks before IDP, so a few open ones are late or missing. 47 open
# migrations are rated (busy periods are notes, so most open ones are Green; 2 of the 3 overdue
# go-lives were Green before that rule), 71 live ones Done, 1 cancelled; the tracker's own RAG
# disagrees on 17 of the open ones (the overdue go-lives are Red now, as their trackers say).
DEMO_RISKS = golden("demo_risks")
DEMO_COUNTS = DEMO_RISKS["counts_by_rule"]


@pytest.fixture(scope="module")
def demo_picture(demo_engine):
    as_at = demo.AS_AT_DATES[-1]
    migrations, phases = store.current_picture(demo_engine, as_at)
    history = store.phase_history(demo_engine, "go_live")
    overview = metrics.migration_overview(migrations, phases, as_at, history)
    return migrations, phases, as_at, overview


def test_demo_counts_by_rule_at_the_last_as_at(demo_picture, demo_engine):
    migrations, phases, as_at, overview = demo_picture
    assert as_at == dt.date(2026, 11, 20)
    assert demo_risks(demo_engine) == DEMO_RISKS  # the golden counts, RAG and disagreements
    flags = risks.evaluate(overview, phases, as_at)
    counts = risks.counts_by_rule(flags)
    # the store's rows (no status column) give the same flags
    assert risks.evaluate(migrations, phases, as_at).equals(flags)
    assert all(counts[key] > 0 for key in risks.RULES)  # the demo shows every rule at work
    # The calendar rule flagging most is flu season (most demo go-lives are Sep-Mar).
    assert counts["golive_in_flu_season"] == max(counts[k] for k in list(risks.RULES)[:3])
    status = overview.set_index("migration_id")["status"]
    cancelled = (status == "cancelled").to_numpy()
    assert cancelled.sum() == 1 and not flags[cancelled].any(axis=None)
    forward = [k for k in risks.RULES if risks.RULE_KINDS[k] == risks.FORWARD_LOOKING]
    assert not flags.loc[(status == "live").to_numpy(), forward].any(axis=None)
    assert risks.not_assessed(overview) == dict.fromkeys(risks.RULES, 0)  # every column there
    rag = risks.computed_rag(flags, status)
    assert not rag[(status == "live").to_numpy()].isin(["Red", "Amber"]).any()
    assert (
        sum(risks.rag_counts(rag).values())
        == status.isin(["planned", "in_progress", "on_hold"]).sum()
    )


def test_evaluate_counts_scale_at_national_scale(demo_picture):
    """52 copies of the demo picture (about 6,200 migrations, 80,000 phase rows) are assessed
    as 52 demos: a rule's count scales with them. How fast: bench/bench_domain.py (< 1 s)."""
    migrations, phases, as_at, overview = demo_picture
    migrations = overview
    copies = range(52)
    big_m = pd.concat(
        [migrations.assign(migration_id=migrations["migration_id"] + f"#{i}") for i in copies],
        ignore_index=True,
    )
    big_p = pd.concat(
        [phases.assign(migration_id=phases["migration_id"] + f"#{i}") for i in copies],
        ignore_index=True,
    )
    flags = risks.evaluate(big_m, big_p, as_at)
    assert len(flags) == 52 * len(migrations)
    assert (
        risks.counts_by_rule(flags)["golive_in_flu_season"]
        == 52 * DEMO_COUNTS["golive_in_flu_season"]
    )


@pytest.mark.parametrize(
    ("planned_go_live", "actual_go_live", "state", "overdue"),
    [
        ("2026-11-19", None, None, True),  # the day before the as-at date: overdue
        ("2026-11-20", None, None, False),  # on the as-at date itself: due today, not late
        ("2026-12-01", None, None, False),  # still to come
        ("2026-11-01", "2026-11-01", None, False),  # it happened
        ("2026-11-01", None, "on_hold", True),  # halted, but its plan has still passed
        ("2026-11-01", None, "cancelled", False),
    ],
)
def test_a_go_live_whose_planned_date_has_passed_is_overdue(
    planned_go_live, actual_go_live, state, overdue
):
    case = {"planned": {"go_live": planned_go_live}}
    if actual_go_live:
        case["actual"] = {"go_live": actual_go_live}
    if state:
        case["state"] = state
    assert bool(flags_for(as_at=dt.date(2026, 11, 20), **case)["golive_overdue"]) is overdue
