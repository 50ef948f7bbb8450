"""Real-shaped CSU trackers through the command line, against figures worked out by hand.

The issue ("Figures a commissioner can trust on real trackers"): a tracker with one date column
per milestone ("Kick off", "IDP", "FDP", "Go Live") was read as all plans, so live practices
showed as "current phase Procurement, 402 days late" and 92% of migrations overran. These tests
encode the rules that replace that reading (design.md §4: as-at date, single-date milestones,
current picture, phase overrun, overrunning migration) on the trackers written by
tests/fixtures/trackers/build.py, and check every figure the CLI prints against the hand working
in the comments beside it. Dates are inclusive; "as at" is the upload's own as-at date.

Phases come from milestones by the span rule (README "Milestone trackers: phase spans"); with
only Kick off / IDP / FDP / Go Live the phases that have dates are: procurement (-> kick off),
kickoff, early_preparation (kick off -> IDP), initial_data_production, data_checking (IDP -> no
sign-off: no planned end, so it can never overrun), cutover_planning (-> FDP),
final_data_production, cutover (FDP -> go live), go_live and post_go_live (go live -> no end:
cannot overrun).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from regiondash.cli import main
from tests.fixtures.trackers import build

STATUS_KEYS = {"planned", "in_progress", "live", "on_hold", "cancelled"}
BUSY_RULES = ("golive_in_flu_season", "golive_near_qof_year_end", "golive_in_holiday_period")


# --- helpers ---------------------------------------------------------------------------------


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    """Run the CLI in-process and parse the one JSON object it prints."""
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


def do_import(capsys, url: str, path: Path, *extra: str) -> dict:
    code, result = run_json(capsys, "import", str(path), "--db", url, "--json", *extra)
    assert (code, result["status"]) == (0, "stored"), result
    return result


def summary(capsys, url: str, *extra: str) -> dict:
    code, result = run_json(capsys, "summary", "--db", url, "--json", *extra)
    assert code == 0
    return result


def statuses(result: dict) -> dict[str, int]:
    """migrations_by.status, which must hold exactly the five states (zero counts included)."""
    by_status = result["migrations_by"]["status"]
    assert set(by_status) == STATUS_KEYS, by_status
    return by_status


def not_assessed(result: dict) -> dict[str, int]:
    """risks_not_assessed without zero entries (whether zeros are listed is the code's choice)."""
    return {key: n for key, n in result["risks_not_assessed"].items() if n}


def trackers(result: dict) -> dict[str, tuple[str, int]]:
    """summary's trackers as {name: (as_at, age_days)}, each with a boolean stale flag."""
    for entry in result["trackers"]:
        assert isinstance(entry["stale"], bool), entry
    return {t["tracker"]: (t["as_at"], t["age_days"]) for t in result["trackers"]}


def migration_table(capsys, url: str, tmp_path: Path, *extra: str) -> pd.DataFrame:
    """`regiondash export --table migrations` as a frame indexed by ODS code."""
    out = tmp_path / "migrations.csv"
    code = main(
        [
            "export",
            "--table",
            "migrations",
            "--format",
            "csv",
            "--out",
            str(out),
            "--db",
            url,
            *extra,
        ]
    )
    capsys.readouterr()
    assert code == 0
    return pd.read_csv(out, dtype={"ODS code": str}).set_index("ODS code")


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'regiondash.db'}"


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "trackers"


# --- the fixtures themselves -----------------------------------------------------------------


@pytest.mark.parametrize("name", list(build.FILES))
def test_fixture_is_shaped_like_a_csu_tracker(name, folder):
    """Guard on the fixtures, not the code: merged title, date line, blank row, header on row 4,
    the rows from row 5, a blank row and a totals row."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    tracker = build.FILES[name]()
    sheet = openpyxl.load_workbook(build.build(name, folder)).active
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        f"A1:{get_column_letter(len(tracker.header))}1"
    }
    assert sheet.cell(1, 1).value == tracker.title
    assert all(sheet.cell(3, c).value is None for c in range(1, len(tracker.header) + 1))
    assert [sheet.cell(4, c).value for c in range(1, len(tracker.header) + 1)] == tracker.header
    last = build.FIRST_DATA_ROW + len(tracker.rows) - 1
    assert sheet.cell(last, 1).value == tracker.rows[-1][0]
    assert sheet.cell(last + 1, 1).value is None
    assert sheet.cell(last + 2, 1).value == "Total"
    codes = [row[0] for row in tracker.rows]
    assert len(set(codes)) == len(codes)


# --- 1. single_dates_wy.xlsx -----------------------------------------------------------------
#
# As at 03/11/2026 (from "Last updated: 03/11/2026"). Each row, by the single-date rule (a date
# on or before the as-at date is actual, stored as plan and actual; a later one is a plan; for a
# row whose Status says not live, go live and later stay plans):
#
#  row  ODS     Status       kick off   IDP        FDP        go live     -> status, overrunning
#   5  B86002  Live         02/03/26   06/04/26   01/06/26   15/06/26    all actual: live, no
#   6  B86004  Live (text)  04/05/26   08/06/26   06/07/26   13/07/26    all actual: live, no
#   7  B86003  Live         06/07/26   10/08/26   05/10/26   12/10/26    all actual: live, no
#   8  B86005  In Progress  07/09/26   05/10/26   23/11/26   30/11/26    KO+IDP actual, FDP/GL
#                                                                        plans in the future:
#                                                                        in_progress, no
#   9  B86006  In progress  14/09/26   12/10/26   30/11/26   07/12/26    same: in_progress, no
#  10  B86007  In Progress  03/08/26   07/09/26   13/10/26   20/10/26    KO/IDP/FDP actual; go
#                                                                        live stays a plan
#                                                                        (status not live) and
#                                                                        20/10 < 03/11: cutover
#                                                                        and go_live overrunning,
#                                                                        14 days: in_progress, YES
#  11  B86010  On Hold      14/09/26   TBC        TBC        TBC         on_hold (Status); KO
#                                                                        actual; early prep has
#                                                                        no planned end: no
#  12  B86011  Cancelled    01/06/26   06/07/26   10/08/26   17/08/26    cancelled: go live a
#                                                                        passed plan, but
#                                                                        cancelled counts in no
#                                                                        overrun: no
#  13  B86012  Planned      16/11/26   07/12/26   11/01/27   18/01/27    all future: planned, no
#  14  B86013  Not started  07/12/26   11/01/27   08/02/27   15/02/27    all future: planned, no
#  15  B86008  Live         10/08/26   14/09/26   02/11/26   10/11/26    Live but go live after
#                                                                        as-at: WARNING row 15,
#                                                                        go live stays a plan;
#                                                                        FDP actual: in_progress;
#                                                                        plans in future: no

WY_STATUS = {"planned": 2, "in_progress": 4, "live": 3, "on_hold": 1, "cancelled": 1}
# go live (actual, else planned) by month, cancelled B86011 (08/2026) and TBC B86010 left out:
WY_GO_LIVES = {
    "2026-06": 1,  # B86002 15/06 actual
    "2026-07": 1,  # B86004 13/07 actual
    "2026-10": 2,  # B86003 12/10 actual; B86007 20/10 planned (overdue)
    "2026-11": 2,  # B86005 30/11 planned; B86008 10/11 planned (Live but in the future)
    "2026-12": 1,  # B86006 07/12 planned
    "2027-01": 1,  # B86012 18/01 planned
    "2027-02": 1,  # B86013 15/02 planned
}


def test_single_dates_import_reads_the_as_at_from_the_title_and_warns_on_the_live_row(
    capsys, url, folder
):
    result = do_import(capsys, url, build.build("single_dates_wy.xlsx", folder))
    assert result["migrations"] == 11  # 11 practice rows; blank and totals rows skipped
    assert result["rows_set_aside"] == 0
    assert result["errors"] == []
    assert (result["as_at"], result["as_at_from"]) == ("2026-11-03", "title row")
    # first upload of a tracker no other upload resembles
    assert result["tracker"] == {"name": "single dates wy", "matched_by": "new"}
    # the only warning this tracker deserves: B86008 (Excel row 15) is "Live" with its go live
    # 10/11/2026 after the as-at date 03/11/2026; every code is real and every date readable
    assert [w["row"] for w in result["warnings"]] == [15], result["warnings"]
    warning = result["warnings"][0]
    said = f"{warning['message']} {warning['value']}"
    assert any(day in said for day in ("10/11/2026", "2026-11-10", "10 Nov 2026")), warning


def test_single_dates_summary(capsys, url, folder):
    # --as-at given (the title row's date) so this checks the single-date rule on its own; the
    # title row itself is checked above
    do_import(capsys, url, build.build("single_dates_wy.xlsx", folder), "--as-at", "2026-11-03")
    result = summary(capsys, url)  # no --as-at: the latest upload's
    assert result["as_at"] == "2026-11-03"
    # ages are measured to the date asked for (without one, to today): ask for the as-at date
    assert trackers(summary(capsys, url, "--as-at", "2026-11-03")) == {
        "single dates wy": ("2026-11-03", 0)
    }
    assert result["migrations"] == 11
    assert statuses(result) == WY_STATUS
    assert result["overrunning"] == 1  # B86007 only: go live 20/10 passed, not live
    assert result["overrunning_by"]["phase"]["go_live"] == 1  # B86007
    assert result["overrunning_by"]["phase"]["cutover"] == 1  # B86007: FDP 13/10 -> GL 20/10
    assert result["overrunning_by"]["phase"]["procurement"] == 0  # the old "all plans" reading
    assert result["go_lives_by_month"] == WY_GO_LIVES
    # ISO weeks of the same nine dates (each a Monday or Tuesday, so no week straddles a month)
    assert result["go_lives_by_week"] == {
        "2026-W25": 1,  # B86002 15/06
        "2026-W29": 1,  # B86004 13/07
        "2026-W42": 1,  # B86003 12/10
        "2026-W43": 1,  # B86007 20/10
        "2026-W46": 1,  # B86008 10/11
        "2026-W49": 1,  # B86005 30/11
        "2026-W50": 1,  # B86006 07/12
        "2027-W03": 1,  # B86012 18/01/2027
        "2027-W07": 1,  # B86013 15/02/2027
    }
    # no "Data extract requested", "Decommission Schedule A raised", "Cut-over planning meeting"
    # or "Tracking record updated" column: the four rules that read those columns are not
    # assessed for its 10 migrations that are not cancelled (11 less B86011: no rule is evaluated
    # for a cancelled migration, so it is not "not assessed" either), and flag none of them. The
    # rules on milestone dates are assessed: a missing date just does not fire.
    event_rules = (
        "extract_request_late",
        "decommission_schedule_a_missing",
        "cutover_planning_late",
        "tracking_not_updated",
    )
    assert not_assessed(result) == dict.fromkeys(event_rules, 10)
    for rule in event_rules:
        assert result["risks"][rule] == 0, rule


def test_single_dates_per_practice(capsys, url, folder, tmp_path):
    do_import(capsys, url, build.build("single_dates_wy.xlsx", folder), "--as-at", "2026-11-03")
    table = migration_table(capsys, url, tmp_path)
    live_phases = {"Post go live (data re-entry)", "Completed"}
    for code in ("B86002", "B86004", "B86003"):
        row = table.loc[code]
        # all dates on or before 03/11 with Status Live: every milestone actual, go live done
        assert row["Status"] == "Live", code
        assert row["Current phase"] in live_phases, (code, row["Current phase"])
        assert row["Days late"] == 0, code
        assert row["Phases overrun"] == 0, code
    for code in ("B86005", "B86006", "B86008"):
        assert table.loc[code, "Status"] == "In progress", code
        assert table.loc[code, "Days late"] == 0, code
    # B86007: planned go live 20/10/2026, not live, as at 03/11/2026: 14 days late
    assert table.loc["B86007", "Status"] == "In progress"
    assert table.loc["B86007", "Days late"] == 14
    assert pd.Timestamp(table.loc["B86007", "Go-live date"]).date() == dt.date(2026, 10, 20)
    # B86008: Live in the tracker, but 10/11/2026 is after the as-at date: still a plan
    assert pd.Timestamp(table.loc["B86008", "Go-live date"]).date() == dt.date(2026, 11, 10)
    assert table.loc["B86010", "Status"] == "On hold"
    assert table.loc["B86011", "Status"] == "Cancelled"
    assert table.loc["B86011", "Days late"] == 0  # cancelled: counts in no overrun
    assert table.loc["B86012", "Status"] == "Planned"
    assert table.loc["B86013", "Status"] == "Planned"  # "Not started", every date in the future


@pytest.mark.parametrize(
    "date_line",
    ["Last updated: 03/11/2026", "as at 3 Nov 2026", "Updated 3rd November 2026"],
)
def test_as_at_comes_from_the_title_rows(capsys, url, folder, date_line):
    path = build.write(build.single_dates_wy(date_line), folder / "single_dates_wy.xlsx")
    result = do_import(capsys, url, path)
    assert (result["as_at"], result["as_at_from"]) == ("2026-11-03", "title row")


def test_mixed_tracker_as_at_from_its_title_row(capsys, url, folder):
    result = do_import(capsys, url, build.build("mixed_wy.xlsx", folder))  # "as at 3 Nov 2026"
    assert (result["as_at"], result["as_at_from"]) == ("2026-11-03", "title row")


def test_as_at_given_wins_over_the_title_row(capsys, url, folder):
    result = do_import(
        capsys, url, build.build("single_dates_wy.xlsx", folder), "--as-at", "2026-11-05"
    )
    assert (result["as_at"], result["as_at_from"]) == ("2026-11-05", "--as-at")


def test_as_at_is_today_without_a_date_anywhere(capsys, url, folder):
    # glos_tracker.xlsx's title rows hold no date
    result = do_import(capsys, url, build.build("glos_tracker.xlsx", folder))
    assert (result["as_at"], result["as_at_from"]) == (dt.date.today().isoformat(), "today")


def test_single_dates_as_plans_reproduces_the_old_reading(capsys, url, folder):
    """--single-dates plans: every single date is a plan, as the code read them before."""
    do_import(
        capsys,
        url,
        build.build("single_dates_wy.xlsx", folder),
        "--as-at",
        "2026-11-03",
        "--single-dates",
        "plans",
    )
    result = summary(capsys, url)
    # nothing actually happened, so nothing is in progress or live; on hold and cancelled from
    # the Status column
    assert statuses(result) == {
        "planned": 9,
        "in_progress": 0,
        "live": 0,
        "on_hold": 1,
        "cancelled": 1,
    }
    # every row whose kick off (the end of procurement, a plan now) is before 03/11 overruns:
    # B86002, B86004, B86003, B86005, B86006, B86007, B86010 (on hold still counts), B86008 = 8;
    # not B86011 (cancelled), B86012 (KO 16/11), B86013 (KO 07/12)
    assert result["overrunning"] == 8
    assert result["overrunning_by"]["phase"]["procurement"] == 8


def test_single_dates_as_actuals(capsys, url, folder):
    """--single-dates actuals: every single date is what happened; dates after the as-at date
    have not happened yet, so no unfinished phase has a passed plan: nothing overruns."""
    do_import(
        capsys,
        url,
        build.build("single_dates_wy.xlsx", folder),
        "--as-at",
        "2026-11-03",
        "--single-dates",
        "actuals",
    )
    result = summary(capsys, url)
    assert result["migrations"] == 11
    assert result["overrunning"] == 0
    assert statuses(result)["cancelled"] == 1
    assert statuses(result)["on_hold"] == 1


# One row, B86007's dates (kick off 03/08, IDP 07/09, FDP 13/10, go live 20/10/2026), as at
# 03/11/2026, under each spelling of Status trackers use. Kick off, IDP and FDP are before go
# live, so they are actual whatever the Status says. The go live:
# - Status says not live (planned, in progress, on hold, not started, any case): it stays a plan,
#   passed and not done: overdue, so the migration is overrunning (on hold still counts);
# - Status says live, or is blank: 20/10 is on or before 03/11, so it happened: live, on time;
# - cancelled: counts in no overrun.
STATUS_SPELLINGS = [
    # (Status cell, migrations_by.status key, overrunning)
    ("In Progress", "in_progress", 1),
    ("in progress", "in_progress", 1),
    ("IN PROGRESS", "in_progress", 1),
    ("Not started", "in_progress", 1),  # computed from the dates: kick off etc. happened
    ("Planned", "in_progress", 1),
    ("Not live", "in_progress", 1),
    ("On Hold", "on_hold", 1),
    ("on hold", "on_hold", 1),
    ("Live", "live", 0),
    ("LIVE", "live", 0),
    ("Complete", "live", 0),
    ("Went live", "live", 0),
    (None, "live", 0),
    ("Cancelled", "cancelled", 0),
]


@pytest.mark.parametrize(("status", "state", "overrunning"), STATUS_SPELLINGS)
def test_status_decides_whether_a_passed_single_go_live_happened(
    capsys, url, folder, status, state, overrunning
):
    row = [*build.SINGLE_ROWS[5][:8], status, None]
    assert row[0] == "B86007"
    tracker = build.Tracker(build.WY_TITLE, "Last updated: 03/11/2026", build.SINGLE_HEADER, [row])
    do_import(capsys, url, build.write(tracker, folder / "one_row.xlsx"), "--as-at", "2026-11-03")
    result = summary(capsys, url)
    expected = dict.fromkeys(STATUS_KEYS, 0) | {state: 1}
    assert statuses(result) == expected
    assert result["overrunning"] == overrunning
    # cancelled go-lives are left out of the spread; the others go live (or are due) 20/10
    assert result["go_lives_by_month"] == ({} if state == "cancelled" else {"2026-10": 1})


# mixed_wy.xlsx, as at 3 Nov 2026 ("as at 3 Nov 2026"): go live as an explicit planned/actual
# pair (old behaviour: actual when given, else the plan), kick off / IDP / FDP single dates.
#
#  ODS     Status       KO/IDP/FDP (single)   GL planned  GL actual  -> status, overrunning
#  B86002  Live         all past: actual      13/07/26    13/07/26      live, no
#  B86004  Live         all past: actual      20/07/26    27/07/26      live, YES: go_live and
#                                                                       cutover overran 7 days
#  B86005  In Progress  KO/IDP past, FDP 23/11  30/11/26  -             in_progress, no
#  B86006  In Progress  all past: actual      26/10/26    TBC           in_progress, YES: go
#                                                                       live plan passed, none
#  B86012  Planned      all future            25/01/27    -             planned, no
#  B86003  Complete     all past: actual      14/09/26    14/09/26      live, no


def test_mixed_kinds_in_one_tracker(capsys, url, folder, tmp_path):
    result = do_import(capsys, url, build.build("mixed_wy.xlsx", folder), "--as-at", "2026-11-03")
    assert result["warnings"] == []
    # kick off, IDP and FDP are single dates; go live has its planned/actual pair
    assert result["single_dates"] == {"mode": "by-date", "milestones": ["kickoff", "idp", "fdp"]}
    result = summary(capsys, url)
    assert result["migrations"] == 6
    assert statuses(result) == {
        "planned": 1,
        "in_progress": 2,
        "live": 3,
        "on_hold": 0,
        "cancelled": 0,
    }
    assert result["overrunning"] == 2  # B86004 (went live 7 days late), B86006 (overdue)
    assert result["go_lives_by_month"] == {
        "2026-07": 2,  # B86002 13/07 actual, B86004 27/07 actual
        "2026-09": 1,  # B86003 14/09 actual
        "2026-10": 1,  # B86006 26/10 planned
        "2026-11": 1,  # B86005 30/11 planned
        "2027-01": 1,  # B86012 25/01 planned
    }
    table = migration_table(capsys, url, tmp_path)
    assert table.loc["B86004", "Days late"] == 7  # actual 27/07 - planned 20/07
    assert table.loc["B86006", "Days late"] == 8  # 03/11 - planned 26/10
    assert table.loc["B86002", "Days late"] == 0
    assert table.loc["B86003", "Days late"] == 0


# --- 2. two trackers at two dates ------------------------------------------------------------
#
# sw_tracker_2026-11-20.xlsx, Somerset (QSL), as at 20 Nov ("Updated 20th November 2026"),
# planned/actual pairs:
#  L85001  Live  IDP/FDP/GL all actual on plan (GL 14/09)        live, no
#  L85002  In Progress  IDP actual 05/10, FDP plan 25/11, GL plan 02/12
#          as at 20 Nov both plans are in the future: in_progress, NOT overrunning. (As at
#          3 Dec FDP and go live would have passed: judged at 3 Dec it would overrun.)
#  L85003  In Progress  IDP actual, FDP plan 09/11 (TBC actual), GL plan 16/11: both passed by
#          20 Nov: in_progress, overrunning
#  L85004  Planned, all plans 2027                               planned, no
# -> 4 migrations; live 1, in_progress 2, planned 1; overrunning 1 (L85003).
#
# wy_tracker_2026-12-03.xlsx, Leeds (QWO), as at 3 Dec ("Last updated: 03/12/2026"), single dates:
#  B86014  Live  all four dates past (GL 21/09)                  live, no
#  B86015  In Progress  KO 05/10, IDP 09/11 actual; FDP/GL 2027  in_progress, no
#  B86016  Planned, all 2027                                     planned, no


@pytest.mark.parametrize("as_at_from", ["title row", "--as-at"])
def test_each_tracker_is_judged_at_its_own_as_at(capsys, url, folder, as_at_from):
    def given(day: str) -> list[str]:
        return ["--as-at", day] if as_at_from == "--as-at" else []

    sw = do_import(
        capsys, url, build.build("sw_tracker_2026-11-20.xlsx", folder), *given("2026-11-20")
    )
    assert sw["as_at"] == "2026-11-20"
    assert sw["tracker"] == {"name": "sw tracker", "matched_by": "new"}
    before = summary(capsys, url)
    assert before["as_at"] == "2026-11-20"
    assert statuses(before) == {
        "planned": 1,
        "in_progress": 2,
        "live": 1,
        "on_hold": 0,
        "cancelled": 0,
    }
    assert before["overrunning"] == 1  # L85003

    wy = do_import(
        capsys, url, build.build("wy_tracker_2026-12-03.xlsx", folder), *given("2026-12-03")
    )
    assert wy["as_at"] == "2026-12-03"
    # WY's practices are none of SW's: a tracker of its own
    assert wy["tracker"] == {"name": "wy tracker", "matched_by": "new"}

    after = summary(capsys, url, "--as-at", "2026-12-03")
    assert after["migrations"] == 7  # 4 SW (as at 20 Nov) + 3 WY (as at 3 Dec)
    assert statuses(after) == {
        "planned": 2,
        "in_progress": 3,
        "live": 2,
        "on_hold": 0,
        "cancelled": 0,
    }
    # still only L85003: L85002's FDP 25/11 and go live 02/12 are after SW's own as-at date
    # 20/11, so SW is judged at 20 Nov even though the summary is as at 3 Dec
    assert after["overrunning"] == 1
    assert after["go_lives_by_month"] == {
        "2026-09": 2,  # L85001 14/09 actual, B86014 21/09 actual
        "2026-11": 1,  # L85003 16/11 planned
        "2026-12": 1,  # L85002 02/12 planned
        "2027-01": 1,  # B86015 18/01 planned
        "2027-02": 1,  # L85004 22/02 planned
        "2027-03": 1,  # B86016 08/03 planned
    }
    # ages measured to the summary's as-at date: 3 Dec - 20 Nov = 13 days
    assert trackers(after) == {"sw tracker": ("2026-11-20", 13), "wy tracker": ("2026-12-03", 0)}
    # what fell due since each tracker's as-at date: for SW, L85002's FDP 25/11 and go live 02/12
    # (plans after 20/11, on or before 3/12); L85003's plans were already due by 20/11; for WY none
    passed = {t["tracker"]: t["planned_milestones_passed"] for t in after["trackers"]}
    assert passed == {"sw tracker": 2, "wy tracker": 0}

    # SW's own figures, before and after WY's upload, are those of 20 Nov
    for as_at in ([], ["--as-at", "2026-12-03"]):
        sw_only = summary(capsys, url, "--icb", "QSL", *as_at)
        assert sw_only["migrations"] == 4
        assert sw_only["overrunning"] == 1, as_at  # L85003, not L85002
        assert sw_only["overrunning_by"]["phase"]["final_data_production"] == 1  # L85003 only
        assert statuses(sw_only) == statuses(before)
    # where each as-at date came from, last so a naming difference hides no figure above
    assert (sw["as_at_from"], wy["as_at_from"]) == (as_at_from, as_at_from)


def test_a_date_before_an_upload_leaves_that_upload_out(capsys, url, folder):
    do_import(
        capsys, url, build.build("sw_tracker_2026-11-20.xlsx", folder), "--as-at", "2026-11-20"
    )
    do_import(
        capsys, url, build.build("wy_tracker_2026-12-03.xlsx", folder), "--as-at", "2026-12-03"
    )
    result = summary(capsys, url, "--as-at", "2026-11-25")
    # WY's only upload is as at 3 Dec, after 25 Nov: only SW is in the picture
    assert result["migrations"] == 4
    assert result["overrunning"] == 1  # L85003
    assert trackers(result) == {"sw tracker": ("2026-11-20", 5)}  # 25 Nov - 20 Nov


# --- 3. a renamed tracker that drops two rows ------------------------------------------------
#
# "SW tracker 2026-10-30.xlsx" (BNSSG, QUY), as at 30 Oct, planned/actual pairs, 8 migrations:
#  L81004, L81007  Live, all actual on plan (GL 17/08, 24/08)              live, no
#  L81008  In Progress  IDP actual 05/10, FDP 30/11, GL 07/12 plans          in_progress, no
#  L81009  In Progress  IDP actual 12/10, FDP 07/12, GL 14/12 plans          in_progress, no
#  L81014  In Progress  IDP actual 07/09, FDP plan 19/10, GL plan 26/10:
#          both passed by 30/10                                          in_progress, YES
#  L81012  Planned  GL 11/01/2027                                        planned, no
#  L81013  Planned  GL 15/02/2027                                        planned, no
#  L81015  Planned  GL 08/03/2027                                        planned, no
# -> as at 30 Oct: live 2, in_progress 3, planned 3; overrunning 1 (L81014).
#
# The 20 Nov upload (under another file name) holds the first six only, every date the same
# except L81012's go live 11/01/2027 -> 25/01/2027 (+14 days).
# -> current picture: 6 (L81014 and L81015 have left: absent from their tracker's latest
#    upload); live 2, in_progress 2, planned 2; overrunning 1: L81012, whose go live (planned,
#    25/01) is later than its first recorded planned go live (11/01). L81008 / L81009's plans
#    are still in the future at 20 Nov.

RECOGNISED = [
    # (file name of the second upload, extra arguments, matched_by)
    pytest.param("Copy of SW tracker v2 2026-11-20.xlsx", [], "file name", id="file-name"),
    pytest.param("November return.xlsx", [], "practices", id="practices"),
    pytest.param("bnssg export.xlsx", ["--tracker", "SW tracker"], "explicit", id="explicit"),
]


@pytest.mark.parametrize(("second_name", "extra", "matched_by"), RECOGNISED)
def test_a_renamed_tracker_replaces_its_earlier_upload(
    capsys, url, folder, second_name, extra, matched_by
):
    first = do_import(
        capsys, url, build.build("SW tracker 2026-10-30.xlsx", folder), "--as-at", "2026-10-30"
    )
    assert first["tracker"] == {"name": "SW tracker", "matched_by": "new"}
    assert first["as_at"] == "2026-10-30"  # (as_at_from is checked on its own below)
    # (the 6 practices of the second upload all belong to "SW tracker": 6/6 >= 50%)
    second = do_import(
        capsys,
        url,
        build.build_as("Copy of SW tracker v2 2026-11-20.xlsx", folder, second_name),
        "--as-at",
        "2026-11-20",
        *extra,
    )
    assert second["migrations"] == 6
    assert second["tracker"] == {"name": "SW tracker", "matched_by": matched_by}

    at_first = summary(capsys, url, "--as-at", "2026-10-30")
    assert at_first["migrations"] == 8
    assert statuses(at_first) == {
        "planned": 3,
        "in_progress": 3,
        "live": 2,
        "on_hold": 0,
        "cancelled": 0,
    }
    assert at_first["overrunning"] == 1  # L81014

    now = summary(capsys, url)
    assert now["as_at"] == "2026-11-20"
    assert now["migrations"] == 6
    assert statuses(now) == {
        "planned": 2,
        "in_progress": 2,
        "live": 2,
        "on_hold": 0,
        "cancelled": 0,
    }
    assert now["overrunning"] == 1  # L81012: go live moved 11/01 -> 25/01
    assert now["go_lives_by_month"] == {
        "2026-08": 2,  # L81004 17/08, L81007 24/08 actual
        "2026-12": 2,  # L81008 07/12, L81009 14/12 planned
        "2027-01": 1,  # L81012 25/01 planned
        "2027-02": 1,  # L81013 15/02 planned
    }
    # ages are measured to the date asked for (without one, to today)
    assert trackers(summary(capsys, url, "--as-at", "2026-11-20")) == {
        "SW tracker": ("2026-11-20", 0)
    }

    code, changed = run_json(
        capsys,
        "changes",
        "--from",
        str(first["upload_id"]),
        "--to",
        str(second["upload_id"]),
        "--db",
        url,
        "--json",
    )
    assert code == 0
    assert changed["added"] == []
    assert [(r["ods_code"], r["left_on"]) for r in changed["removed"]] == [
        ("L81014", "2026-11-20"),  # absent from the 20 Nov upload
        ("L81015", "2026-11-20"),
    ]
    assert [(m["ods_code"], m["from"], m["to"], m["days"]) for m in changed["go_live_moved"]] == [
        ("L81012", "2027-01-11", "2027-01-25", 14)
    ]
    # every actual date is before 30 Oct and unchanged, and nothing else moved
    assert changed["phases_completed"] == []
    assert changed["status_changed"] == []


def test_a_different_tracker_is_not_taken_for_the_renamed_one(capsys, url, folder):
    do_import(
        capsys, url, build.build("SW tracker 2026-10-30.xlsx", folder), "--as-at", "2026-10-30"
    )
    other = do_import(
        capsys, url, build.build("glos_tracker.xlsx", folder), "--as-at", "2026-11-03"
    )
    # none of Gloucestershire's practices are in "SW tracker": a new tracker, and SW stays
    assert other["tracker"] == {"name": "glos tracker", "matched_by": "new"}
    result = summary(capsys, url, "--as-at", "2026-11-03")
    assert result["migrations"] == 8 + 5
    assert trackers(result) == {"SW tracker": ("2026-10-30", 4), "glos tracker": ("2026-11-03", 0)}


# --- 4. a tracker lacking rules' columns -----------------------------------------------------
#
# glos_tracker.xlsx (Gloucestershire, QR1), as at 03/11/2026 (--as-at; no date in its title
# rows): every milestone as a planned/actual pair, "Data extract requested" and "Cut over
# planning meeting", but no "Tracking record updated" and no "Decommission Schedule A raised".
#
#  ODS     status       extract->IDP  meeting->FDP  IDP..sign-off  FDP..GL  GL..end  reg..end
#  L84003  Live 10/06   42 days       35 days       15 days        3        10       110
#  L84004  Complete     43            35            14             3        10       110
#  L84005  In Progress  40            35            15             3        10       110
#  L84006  In Progress  18 (< 35!)    35            15             3        10       96
#  L84007  Planned      none; IDP 11/01/27 is more than 35 days after 03/11: not flagged
# (limits: extract >= 35 days before IDP, meeting >= 28 before FDP, data checking <= 26, cut-over
# <= 14, post go live <= 14, whole <= 112 days; milestones all in order.)
# Cut-over windows (FDP to go live + 2 days): L84003 08-12/06, L84004 15-19/06 (no busy period,
# no bank holiday); L84005 09-13/11, L84006 30/11-04/12, L84007 08-12/02/2027: flu season only.
#
# Old code: no Schedule A recorded and go live passed or within 28 days flags L84003, L84004,
# L84005 (and no tracking update 30 days after go live flags L84003, L84004) - on columns the
# tracker does not have. New: those two rules are not assessed for its 5 migrations.


def test_rules_without_their_column_are_not_assessed(capsys, url, folder):
    do_import(capsys, url, build.build("glos_tracker.xlsx", folder), "--as-at", "2026-11-03")
    result = summary(capsys, url)
    assert result["migrations"] == 5
    assert statuses(result) == {
        "planned": 1,
        "in_progress": 2,
        "live": 2,
        "on_hold": 0,
        "cancelled": 0,
    }
    assert result["overrunning"] == 0  # every passed plan has its actual, on the day
    assert not_assessed(result) == {"tracking_not_updated": 5, "decommission_schedule_a_missing": 5}
    assert result["risks"]["tracking_not_updated"] == 0
    assert result["risks"]["decommission_schedule_a_missing"] == 0
    # the rules whose columns are there still work
    assert result["risks"]["extract_request_late"] == 1  # L84006: 18 days before IDP
    assert result["risks"]["golive_in_flu_season"] == 3  # L84005, L84006, L84007
    others = set(result["risks"]) - {"extract_request_late", "golive_in_flu_season"}
    assert {key: result["risks"][key] for key in others if result["risks"][key]} == {}
    # computed RAG covers the 3 open migrations (L84003/L84004 are live): L84006 red (late
    # extract request is a red rule); L84005 and L84007 only go live in flu season, a busy-period
    # note that does not change RAG: green
    assert result["rag"] == {"red": 1, "amber": 0, "green": 2}


def test_the_installed_command_reads_a_real_tracker(tmp_path, folder):
    """The same figures from the console script in its own process (no in-process state)."""
    regiondash = Path(sys.executable).with_name("regiondash")
    db = f"sqlite:///{tmp_path / 'sub.db'}"
    path = build.build("single_dates_wy.xlsx", folder)
    imported = subprocess.run(
        [str(regiondash), "import", str(path), "--db", db, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["as_at"] == "2026-11-03"  # from "Last updated: 03/11/2026"
    shown = subprocess.run(
        [str(regiondash), "summary", "--db", db, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    result = json.loads(shown.stdout)
    assert (result["migrations"], result["overrunning"]) == (11, 1)  # B86007 only
    assert statuses(result) == WY_STATUS
