"""Single-date milestones read by the tracker date and Status, the Status checked against the
dates, and the tracker's as-at date found in its title rows."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regiondash.ingest.milestones import (
    ACTUALS,
    BY_DATE,
    PLANS,
    DateReading,
    date_in_text,
    resolve_single_dates,
    single_date_milestones,
    status_disagreement,
    title_as_at,
)
from regiondash.statuses import reported_state

D = dt.date
AS_AT = D(2026, 11, 3)
PAST, FUTURE = D(2026, 10, 20), D(2026, 11, 30)


@pytest.mark.parametrize(
    ("headers", "single"),
    [
        # one unqualified column per milestone: all single
        ({0: "Kick off", 1: "IDP", 2: "FDP", 3: "Go Live"}, ["kickoff", "idp", "fdp", "go_live"]),
        # a planned/actual pair is not single; a single IDP beside it is
        ({0: "IDP", 1: "Go Live Date (Planned)", 2: "Go Live (Actual)"}, ["idp"]),
        # one column whose header says planned (or actual) is what it says
        ({0: "Planned go live"}, []),
        ({0: "Actual go live"}, []),
        ({0: "Go live date"}, ["go_live"]),
    ],
)
def test_single_date_milestones_are_the_unqualified_lone_columns(headers, single):
    from regiondash.fields import field_for_header

    columns = {i: field_for_header(h) for i, h in headers.items()}
    assert single_date_milestones(columns, headers) == single


def resolved(state_text, mode=BY_DATE, **dates):
    values = {f"{m}_planned": day for m, day in dates.items()}
    reading = DateReading(list(dates), mode, AS_AT)
    resolve_single_dates(values, reading, reported_state(state_text))
    return {m: (values[f"{m}_planned"], values[f"{m}_actual"]) for m in dates}


@pytest.mark.parametrize(
    ("status", "expected_go_live"),
    [
        # live, or no status the table knows: the date decides
        ("Live", (PAST, PAST)),
        ("Complete", (PAST, PAST)),
        (None, (PAST, PAST)),
        ("Amber", (PAST, PAST)),
        # not live: a passed go live did not happen, so it stays a plan (and is overdue)
        ("In Progress", (PAST, None)),
        ("Planned", (PAST, None)),
        ("Not started", (PAST, None)),
        ("On Hold", (PAST, None)),
        # cancelled: it never went live, whatever the date says
        ("Cancelled", (PAST, None)),
    ],
)
def test_a_passed_single_go_live_is_done_unless_the_status_says_not_live(status, expected_go_live):
    result = resolved(status, kickoff=D(2026, 8, 3), go_live=PAST, post_go_live_end=FUTURE)
    assert result["go_live"] == expected_go_live
    # milestones before go live go by their date whatever the status says
    assert result["kickoff"] == (D(2026, 8, 3), D(2026, 8, 3))
    # a later date is always a plan
    assert result["post_go_live_end"] == (FUTURE, None)


def test_the_as_at_day_itself_counts_as_done():
    assert resolved("Live", go_live=AS_AT)["go_live"] == (AS_AT, AS_AT)
    assert resolved("Live", go_live=AS_AT + dt.timedelta(1))["go_live"][1] is None


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (PLANS, {"idp": (PAST, None), "fdp": (FUTURE, None)}),
        (ACTUALS, {"idp": (PAST, PAST), "fdp": (FUTURE, FUTURE)}),
        (BY_DATE, {"idp": (PAST, PAST), "fdp": (FUTURE, None)}),
    ],
)
def test_the_user_can_read_single_dates_as_all_plans_or_all_actuals(mode, expected):
    assert resolved("In progress", mode, idp=PAST, fdp=FUTURE) == expected


def test_a_blank_or_missing_single_date_stays_blank():
    assert resolved("Live", go_live=None) == {"go_live": (None, None)}


@pytest.mark.parametrize(
    ("status", "values", "message"),
    [
        ("Live", {"go_live_planned": FUTURE}, "go-live date 30/11/2026 is after"),
        ("Live", {}, "has no go-live date"),
        ("Live", {"go_live_planned": PAST}, "no go live has happened"),
        ("In progress", {"kickoff_planned": FUTURE}, "no milestone has happened"),
        ("Planned", {"kickoff_actual": PAST}, "Kickoff was on 20/10/2026"),
        ("In progress", {"go_live_actual": PAST}, "went live on 20/10/2026"),
    ],
)
def test_a_status_the_dates_disagree_with_is_explained(status, values, message):
    why = status_disagreement(values, reported_state(status), status, AS_AT)
    assert why is not None and message in why
    assert f"'{status}'" in why


@pytest.mark.parametrize(
    ("status", "values"),
    [
        ("Live", {"go_live_actual": PAST}),
        ("In progress", {"kickoff_actual": PAST}),
        ("Planned", {"kickoff_planned": FUTURE}),
        ("On hold", {"kickoff_actual": PAST}),  # on hold and cancelled are not checked
        ("Cancelled", {}),
        (None, {"go_live_actual": PAST}),
    ],
)
def test_a_status_the_dates_agree_with_is_quiet(status, values):
    assert status_disagreement(values, reported_state(status), status or "", AS_AT) is None


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [["NHS West Yorkshire ICB — GP system migrations"], ["Last updated: 03/11/2026"]],
            D(2026, 11, 3),
        ),
        ([["Tracker as at 3 Nov 2026"]], D(2026, 11, 3)),
        ([["Updated 3rd November 2026 by the CSU"]], D(2026, 11, 3)),
        ([["Data as at", dt.datetime(2026, 11, 3)]], D(2026, 11, 3)),
        ([["Last updated:", "03/11/26"]], D(2026, 11, 3)),
        ([["Report date 2026-11-03"]], D(2026, 11, 3)),
        # a date with no "as at" words is not the tracker's date (a go-live in a title)
        ([["Go lives from 01/04/2026"]], None),
        ([["GP migrations"], [None, None]], None),
        ([], None),
        # not a real date
        ([["Last updated: 31/02/2026"]], None),
    ],
)
def test_the_as_at_date_is_found_in_the_title_rows(rows, expected):
    assert title_as_at(rows) == expected


@given(st.dates(D(2000, 1, 1), D(2099, 12, 31)))
def test_any_date_written_the_uk_way_is_read_back(day):
    for text in (
        f"{day:%d/%m/%Y}",
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
        day.isoformat(),
    ):
        assert date_in_text(f"Last updated: {text}") == day, text


@given(st.text())
def test_title_text_never_breaks_the_reader(text):
    found = title_as_at([[text]])
    assert found is None or isinstance(found, dt.date)
