"""Figure builders on small hand-made frames: a handful of traces, never one per practice."""

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from regiondash import charts, metrics, spread
from regiondash.calendar import busy_periods
from regiondash.phases import PHASE_KEYS
from tests import frames

AS_AT = dt.date(2026, 3, 10)
T = pd.Timestamp


def migrations_frame(ids, names=None, sub_icbs=None, targets=None):
    return frames.migrations_frame(
        [
            {
                "migration_id": mid,
                "icb_code": "QVV",
                "region_code": "Y58",
                "practice_name": names[index] if names else f"PRACTICE {index:02d}",
                "sub_icb_code": sub_icbs[index] if sub_icbs else "11J",
                "target_system": targets[index] if targets else "SystmOne",
                "source_system": "EMIS Web",
            }
            for index, mid in enumerate(ids)
        ]
    )


phases_frame = frames.phases_frame


def sixty_migrations():
    """60 migrations, every third with data checking running past its plan."""
    ids = [f"J{82000 + i:05d}:EMIS Web>SystmOne" for i in range(60)]
    rows = []
    for i, mid in enumerate(ids):
        start = T("2026-01-05") + pd.Timedelta(days=i)
        late = i % 3 == 0
        idp = start + pd.Timedelta(days=14)
        signoff = idp + pd.Timedelta(days=20)
        fdp = signoff + pd.Timedelta(days=14)
        live = fdp + pd.Timedelta(days=7)
        before_idp = idp - pd.Timedelta(days=1)
        rows += [
            [mid, "early_preparation", start, before_idp, start, before_idp],
            [mid, "initial_data_production", idp, idp, idp, idp],
            [mid, "data_checking", idp, signoff, idp, signoff + pd.Timedelta(days=5 * late)],
            [mid, "final_data_production", fdp, fdp, None, None],
            [mid, "cutover", fdp, live, None, None],
            [mid, "go_live", live, live, None, None],
            [mid, "post_go_live", live, live + pd.Timedelta(days=13), None, None],
        ]
    migrations = migrations_frame(ids)
    phases = phases_frame(rows)
    overview = metrics.migration_overview(migrations, phases, AS_AT)
    return overview, metrics.phase_status(phases, AS_AT)


@pytest.fixture(scope="module")
def sixty():
    return sixty_migrations()


def go_live_frame(dates, column="target_system", values=None):
    frame = pd.DataFrame({"go_live_date": pd.to_datetime(dates).astype("datetime64[us]")})
    frame[column] = pd.array(
        values if values is not None else ["SystmOne"] * len(dates), dtype="string"
    )
    return frame


def test_gantt_has_a_handful_of_traces_not_one_per_migration(sixty):
    overview, phase_table = sixty
    fig = charts.gantt(overview, phase_table, AS_AT)
    names = [t.name for t in fig.data]
    # plan + 13 phases + overrun outline + IDP/FDP/go-live markers + overrun text
    assert len(fig.data) <= 1 + 13 + 1 + 3 + 1
    assert len(names) == len(set(names))
    assert names[0] == "Plan (baseline)"
    assert {
        "Early preparation and planning",
        "Initial data production (IDP)",
        "Data checking",
        "Phase over plan",
        "IDP",
        "FDP",
        "Go live",
        "Overrunning (⚠) / risk flags (⚑)",
    } <= set(names)
    plan = fig.data[0]
    assert len(plan.y) == 60 * 7  # every planned phase of every migration in one trace


def test_gantt_rows_are_the_migrations_in_the_given_order(sixty):
    overview, phase_table = sixty
    shuffled = overview.sample(frac=1, random_state=3)
    fig = charts.gantt(shuffled, phase_table, AS_AT)
    labels = list(charts.migration_label(shuffled))
    assert len(labels) == 60
    assert list(fig.layout.yaxis.categoryarray) == labels
    position = list(shuffled["ods_code"]).index("J82007")
    assert labels[position] == "Practice 07 (J82007)"
    assert fig.layout.yaxis.autorange == "reversed"


def test_gantt_marks_as_at_and_overruns_in_words(sixty):
    overview, phase_table = sixty
    fig = charts.gantt(overview, phase_table, AS_AT)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1
    assert pd.Timestamp(lines[0].x0) == pd.Timestamp(AS_AT)
    assert any("As at 10 Mar" in (a.text or "") for a in fig.layout.annotations)
    text = next(t for t in fig.data if t.name == "Overrunning (⚠) / risk flags (⚑)")
    late = overview[overview["overrunning"]]
    assert 20 <= len(late) < 60  # at least every third migration's data checking ran over
    assert list(text.y) == list(charts.migration_label(late))
    assert all("⚠ overrunning" in s for s in text.text)
    assert "as at 10 Mar 2026" in fig.layout.title.text


def test_gantt_overrun_text_known_table():
    ids = [
        "A00001:EMIS Web>SystmOne",
        "A00002:EMIS Web>SystmOne",
        "A00003:EMIS Web>SystmOne",
        "A00004:EMIS Web>SystmOne",
    ]
    phases = phases_frame(
        [
            # 1: data checking finished 5 days after its plan
            [ids[0], "data_checking", "2026-02-01", "2026-02-20", "2026-02-01", "2026-02-25"],
            [ids[0], "go_live", "2026-04-01", "2026-04-01", None, None],
            # 2: cut-over still running, planned to end 2 Mar: 8 days over as at 10 Mar
            [ids[1], "cutover", "2026-02-20", "2026-03-02", "2026-02-20", None],
            # 3: on plan
            [ids[2], "go_live", "2026-04-01", "2026-04-01", None, None],
            # 4: on plan, but its go live has moved from 16 to 30 March
            [ids[3], "go_live", "2026-03-30", "2026-03-30", None, None],
        ]
    )
    history = pd.DataFrame(
        {
            "upload_id": [1, 2],
            "as_at": pd.to_datetime(["2026-01-05", "2026-02-02"]).astype("datetime64[us]"),
            "migration_id": [ids[3], ids[3]],
            "planned_start": pd.to_datetime(["2026-03-16", "2026-03-30"]).astype("datetime64[us]"),
        }
    )
    names = ["ABBEY SURGERY", "BRIDGE PRACTICE", "CASTLE MEDICAL CENTRE", "DOWNS SURGERY"]
    overview = metrics.migration_overview(migrations_frame(ids, names), phases, AS_AT, history)
    fig = charts.gantt(overview, metrics.phase_status(phases, AS_AT), AS_AT)
    text = next(t for t in fig.data if t.name == "Overrunning (⚠) / risk flags (⚑)")
    assert list(zip(text.y, text.text, strict=True)) == [
        ("Abbey Surgery (A00001)", "  ⚠ overrunning (5 d)"),
        ("Bridge Practice (A00002)", "  ⚠ overrunning (8 d)"),
        ("Downs Surgery (A00004)", "  ⚠ overrunning (go live moved)"),
    ]
    # each label sits after the row's last date; a running phase ends at the as-at date
    assert [pd.Timestamp(x) for x in text.x] == [T("2026-04-01"), T("2026-03-10"), T("2026-03-30")]
    outline = next(t for t in fig.data if t.name == "Phase over plan")
    assert list(outline.y) == ["Abbey Surgery (A00001)", "Bridge Practice (A00002)"]
    day = charts.DAY_MS
    assert list(outline.x) == [25 * day, 19 * day]  # 1–25 Feb; 20 Feb – 10 Mar


def test_gantt_without_overruns_has_no_overrun_text():
    ids = ["A00001:EMIS Web>SystmOne"]
    phases = phases_frame([[ids[0], "go_live", "2026-04-01", "2026-04-01", None, None]])
    overview = metrics.migration_overview(migrations_frame(ids), phases, AS_AT)
    fig = charts.gantt(overview, metrics.phase_status(phases, AS_AT), AS_AT)
    assert "Overrunning (⚠) / risk flags (⚑)" not in [t.name for t in fig.data]
    assert [t.name for t in fig.data] == ["Plan (baseline)", "Phase over plan", "Go live"]


def test_gantt_gives_each_migration_its_own_row():
    ids = ["A00001:EMIS Web>SystmOne", "A00001:EMIS Web>Vision"]
    phases = phases_frame(
        [
            [ids[0], "go_live", "2026-04-01", "2026-04-01", None, None],
            [ids[1], "go_live", "2026-05-01", "2026-05-01", None, None],
        ]
    )
    migrations = migrations_frame(ids, names=["ABBEY SURGERY", "ABBEY SURGERY"])
    overview = metrics.migration_overview(migrations, phases, AS_AT)
    fig = charts.gantt(overview, metrics.phase_status(phases, AS_AT), AS_AT)
    assert len(set(fig.layout.yaxis.categoryarray)) == 2


def test_count_bar_keeps_the_fifteen_largest():
    counts = pd.Series({f"S{i:02d}": i for i in range(1, 21)})  # 20 bars, S20 the largest
    fig = charts.count_bar(counts, "Overrunning by sub-ICB", AS_AT, "Migrations")
    (bar,) = fig.data
    assert "Overrunning by sub-ICB (largest 15 of 20)" in fig.layout.title.text
    assert list(bar.y) == [f"S{i:02d}" for i in range(6, 21)]  # ascending: largest drawn on top
    assert list(bar.x) == list(range(6, 21))
    assert list(bar.text) == list(range(6, 21))


def test_count_bar_with_few_bars_keeps_its_title():
    fig = charts.count_bar(pd.Series({"11J": 2, "15N": 5}), "By sub-ICB", AS_AT, "Migrations")
    assert "largest" not in fig.layout.title.text
    assert list(fig.data[0].y) == ["11J", "15N"]


def test_go_live_spread_shades_go_lives_decades_apart_in_one_go():
    # found by tests/app/test_any_stored_row.py: a go live typed 40 years out made the Overview
    # and Go-live spread take a minute each, adding ~500 busy-period shapes one at a time
    # (its time, under 10 s, is checked by bench/bench_domain.py)
    frame = go_live_frame(["2026-07-06", "2066-07-06"])
    fig = charts.go_live_spread(frame, AS_AT, "month")
    busy = [s for s in fig.layout.shapes if s.type == "rect"]
    periods = busy_periods(dt.date(2026, 7, 1), dt.date(2066, 8, 1))
    assert len(busy) == len(periods) > 400
    assert [s.legendgroup for s in busy] == [p.kind for p in periods]
    assert pd.Timestamp(busy[0].x0) == pd.Timestamp(max(periods[0].start, dt.date(2026, 7, 1)))
    assert pd.Timestamp(busy[-1].x1) == pd.Timestamp(
        min(periods[-1].end, dt.date(2066, 8, 1))
    ) + pd.Timedelta(days=1)
    assert sorted(s.legendgroup for s in busy if s.showlegend) == sorted({p.kind for p in periods})
    assert {(s.xref, s.yref, s.y0, s.y1, s.layer) for s in busy} == {
        ("x", "y domain", 0, 1, "below")
    }


def test_go_live_spread_folds_small_groups_into_others():
    sub_icbs = [f"S{i:02d}" for i in range(20)]
    # S00 has 20 go-lives, S01 19, ... S19 1: the 8 largest are kept
    values = [s for i, s in enumerate(sub_icbs) for _ in range(20 - i)]
    dates = [T("2026-05-04") + pd.Timedelta(days=7 * (i % 10)) for i in range(len(values))]
    frame = go_live_frame(dates, "sub_icb_code", values)
    fig = charts.go_live_spread(frame, AS_AT, "week", stack_by="sub_icb_code")
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    assert len(bars) <= charts.MAX_STACKS + 1
    assert sorted(t.name for t in bars) == sorted([*sub_icbs[:8], "Others (12)"])
    others = next(t for t in bars if t.name == "Others (12)")
    assert sum(others.y) == sum(range(1, 13))
    assert sum(sum(t.y) for t in bars) == len(values)
    assert fig.layout.barmode == "stack"


def test_go_live_spread_shades_busy_periods_with_one_legend_entry_per_kind():
    # go-lives from July 2026 to January 2027: summer, a bank holiday, flu, Christmas
    frame = go_live_frame(["2026-07-06", "2026-08-17", "2026-10-05", "2026-12-14", "2027-01-11"])
    fig = charts.go_live_spread(frame, AS_AT, "month")
    busy = [s for s in fig.layout.shapes if s.type == "rect"]
    kinds = {s.legendgroup for s in busy}
    assert kinds == {"summer", "bank_holiday", "flu_season", "christmas"}
    shown = [s.legendgroup for s in busy if s.showlegend]
    assert sorted(shown) == sorted(kinds)  # one legend entry per kind
    names = {s.legendgroup: s.name for s in busy if s.showlegend}
    assert names == {
        "summer": "Summer holidays",
        "bank_holiday": "Bank holidays",
        "flu_season": "Flu season",
        "christmas": "Christmas / New Year",
    }
    # bank holidays in the window 1 Jul 2026 – 1 Feb 2027 (Saturday 26 Dec: see test_calendar)
    holidays = {pd.Timestamp(s.x0) for s in busy if s.legendgroup == "bank_holiday"}
    assert holidays - {T("2026-12-26")} == {
        T("2026-08-31"),
        T("2026-12-25"),
        T("2026-12-28"),
        T("2027-01-01"),
    }
    assert fig.layout.xaxis.title.text == "Month"
    (bar,) = [t for t in fig.data if isinstance(t, go.Bar)]
    assert [pd.Timestamp(x) for x in bar.x] == [
        T("2026-07-01"),
        T("2026-08-01"),
        T("2026-10-01"),
        T("2026-12-01"),
        T("2027-01-01"),
    ]
    assert list(bar.y) == [1, 1, 1, 1, 1]


def test_go_live_spread_by_week_counts_mondays():
    frame = go_live_frame(["2026-05-05", "2026-05-07", "2026-05-10", "2026-05-11"])
    fig = charts.go_live_spread(frame, AS_AT, "week")
    (bar,) = [t for t in fig.data if isinstance(t, go.Bar)]
    assert [pd.Timestamp(x) for x in bar.x] == [T("2026-05-04"), T("2026-05-11")]
    assert list(bar.y) == [3, 1]
    assert fig.layout.xaxis.title.text == "Week starting"


def test_go_live_spread_flags_weeks_over_capacity():
    frame = go_live_frame(
        ["2026-05-04", "2026-05-05", "2026-05-06", "2026-05-12", "2026-05-13"],
        values=["SystmOne", "SystmOne", "SystmOne", "SystmOne", "EMIS Web"],
    )
    fig = charts.go_live_spread(frame, AS_AT, "week", capacity={"SystmOne": 2})
    flag = next(t for t in fig.data if t.name == "⚠ Week over capacity")
    assert [pd.Timestamp(x) for x in flag.x] == [T("2026-05-04")]
    assert list(flag.text) == ["⚠"]


def test_over_capacity_weeks_known_table():
    frame = go_live_frame(
        [
            "2026-05-04",
            "2026-05-08",
            "2026-05-10",
            "2026-05-11",
            "2026-05-12",
            "2026-05-13",
            "2026-05-14",
            "2026-05-15",
            None,
        ],
        values=[*["SystmOne"] * 5, "EMIS Web", "EMIS Web", "Vision", "SystmOne"],
    )
    flagged = charts.over_capacity_weeks(frame, {"SystmOne": 2, "EMIS Web": 2})
    assert flagged.to_dict("records") == [
        {
            "week_start": T("2026-05-04"),
            "target_system": "SystmOne",
            "go_lives": 3,
            "capacity": 2.0,
        },
    ]
    # exactly at capacity is not over; a system without a capacity is never flagged
    assert charts.over_capacity_weeks(frame, {"SystmOne": 3, "Vision": 1}).empty


def test_go_live_counts_known_table():
    frame = go_live_frame(
        [
            "2026-05-04",
            "2026-05-08",
            "2026-05-10",
            "2026-05-11",
            "2026-05-13",
            "2026-05-14",
            None,
            "2026-05-05",
        ],
        values=[
            "SystmOne",
            "SystmOne",
            "SystmOne",
            "SystmOne",
            "EMIS Web",
            "EMIS Web",
            "SystmOne",
            "SystmOne",
        ],
    )
    frame["status"] = ["planned"] * 7 + ["cancelled"]  # the cancelled one is not counted
    # 4 May 2026 is the early May bank holiday
    counts = spread.go_live_counts(frame, "week", capacity={"SystmOne": 2})
    assert list(counts.columns) == spread.COLUMNS
    assert counts.to_dict("records") == [
        {
            "period_start": T("2026-05-04"),
            "group": "SystmOne",
            "go_lives": 3,
            "busy_periods": "Bank holidays",
            "over_capacity": True,
        },
        {
            "period_start": T("2026-05-11"),
            "group": "EMIS Web",
            "go_lives": 2,
            "busy_periods": "",
            "over_capacity": False,
        },
        {
            "period_start": T("2026-05-11"),
            "group": "SystmOne",
            "go_lives": 1,
            "busy_periods": "",
            "over_capacity": False,
        },
    ]
    # by month: no capacity flag; the busy periods each month touches are named
    months = spread.go_live_counts(go_live_frame(["2026-03-02", "2026-05-20", "2026-08-03"]))
    assert list(months["busy_periods"]) == [
        "Flu season; QOF year end",
        "Bank holidays",
        "Summer holidays; Bank holidays",
    ]
    assert not months["over_capacity"].any()
    empty = spread.go_live_counts(go_live_frame([None]), "week")
    assert empty.empty and list(empty.columns) == spread.COLUMNS


@pytest.mark.parametrize(
    ("period", "stack_by"), [("week", "target_system"), ("month", "sub_icb_code")]
)
def test_go_live_spread_chart_draws_exactly_its_frame(period, stack_by):
    rng = np.random.default_rng(3)
    dates = T("2026-04-06") + pd.to_timedelta(rng.integers(0, 200, size=300), unit="D")
    frame = go_live_frame(
        dates, "target_system", rng.choice(["SystmOne", "EMIS Web", "Vision"], size=300).tolist()
    )
    frame["sub_icb_code"] = pd.array(
        rng.choice([f"S{i}" for i in range(12)], size=300), dtype="string"
    )
    frame["status"] = rng.choice(["planned", "live", "cancelled"], size=300)
    counts = spread.go_live_counts(frame, period, stack_by, capacity={"SystmOne": 2})
    fig = charts.go_live_spread_chart(counts, AS_AT, period)
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    drawn = pd.concat([pd.Series(list(b.y), index=pd.to_datetime(list(b.x))) for b in bars])
    by_period = counts.groupby("period_start")["go_lives"].sum()
    assert drawn.groupby(level=0).sum().sort_index().to_dict() == by_period.to_dict()
    assert sorted(b.name for b in bars) == sorted(counts["group"].unique())
    assert counts["go_lives"].sum() == (frame["status"] != "cancelled").sum()
    # the wrapper draws the same figure from the rows it is given
    assert charts.go_live_spread(frame, AS_AT, period, stack_by, {"SystmOne": 2}) == fig
    flags = [t for t in fig.data if t.name == "⚠ Week over capacity"]
    if period == "week":
        (flag,) = flags
        marked = pd.to_datetime(list(flag.x))
        assert set(marked) == set(counts.loc[counts["over_capacity"], "period_start"])
    else:
        assert not flags


def test_daily_go_lives_is_what_the_heatmap_draws():
    frame = go_live_frame(["2026-05-04", "2026-05-04", "2026-05-06", None, "2026-05-07"])
    frame["status"] = ["live", "planned", "on_hold", "planned", "cancelled"]
    daily = spread.daily_go_lives(frame)
    assert daily.to_dict("records") == [
        {"date": T("2026-05-04"), "go_lives": 2},
        {"date": T("2026-05-06"), "go_lives": 1},
    ]
    (heat,) = charts.calendar_heatmap_chart(daily, AS_AT, "By day").data
    assert int(np.sum(heat.z)) == daily["go_lives"].sum()


def test_spread_sample_keeps_the_shape():
    frame = pd.DataFrame({"days": np.arange(1000)[::-1] % 97, "n": np.arange(1000)})
    sample = charts.spread_sample(frame, "days", 50)
    assert len(sample) <= 50
    assert sample["days"].min() == frame["days"].min()
    assert sample["days"].max() == frame["days"].max()
    assert sample["days"].is_monotonic_increasing
    small = frame.head(10)
    assert charts.spread_sample(small, "days", 50) is small


def test_durations_against_guide_draws_at_most_300_points_per_phase():
    rng = np.random.default_rng(7)
    days = rng.integers(1, 40, size=1000)
    starts = T("2025-01-06") + pd.to_timedelta(rng.integers(0, 300, size=1000), unit="D")
    rows = [
        [f"M{i:04d}", "data_checking", None, None, start, start + pd.Timedelta(days=int(d) - 1)]
        for i, (start, d) in enumerate(zip(starts, days, strict=True))
    ]
    rows += [["M0000", "cutover", None, None, "2026-01-01", "2026-01-20"]]  # 20 days: over
    table = metrics.phase_status(phases_frame(rows), AS_AT)
    fig = charts.durations_against_guide(table, AS_AT, "Phase durations")
    boxes = [t for t in fig.data if isinstance(t, go.Box)]
    assert [b.name for b in boxes] == ["Within the guide", "Over the guide"]
    checking = sum(list(b.y).count("Data checking") for b in boxes)
    assert checking <= charts.POINTS_PER_PHASE
    assert checking == 300  # 300 distinct evenly spaced positions out of 1,000
    drawn = [x for b in boxes for x, y in zip(b.x, b.y, strict=True) if y == "Data checking"]
    assert (min(drawn), max(drawn)) == (int(days.min()), int(days.max()))
    over = boxes[1]
    assert all(x > 21 for x, y in zip(over.x, over.y, strict=True) if y == "Data checking")
    assert ("Cut-over period (FDP to go live)", 20) in zip(over.y, over.x, strict=True)
    spans = [p.name for p in charts.PHASES if p.min_days is not None and p.kind == "span"]
    assert list(fig.layout.yaxis.categoryarray) == spans
    assert len(fig.layout.shapes) == len(spans)  # one guide band per phase with an estimate


def test_calendar_heatmap_counts_every_go_live():
    dates = ["2026-05-04", "2026-05-04", "2026-05-06", "2026-05-17", "2026-06-01", None]
    fig = charts.calendar_heatmap(go_live_frame(dates), AS_AT, "Go-lives by day")
    (heat,) = fig.data
    assert int(np.sum(heat.z)) == 5
    assert int(np.max(heat.z)) == 2
    assert list(heat.y[:7]) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert list(fig.layout.yaxis.categoryarray) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_calendar_heatmap_with_no_dates_is_empty():
    fig = charts.calendar_heatmap(go_live_frame([None]), AS_AT, "Go-lives by day")
    assert fig.data == ()


@pytest.mark.parametrize(
    "build",
    [
        lambda o, p, g: charts.gantt(o, p, AS_AT),
        lambda o, p, g: charts.count_bar(pd.Series({"11J": 3}), "Counts", AS_AT, "n"),
        lambda o, p, g: charts.phase_counts(o["current_phase"], AS_AT, "Where they are"),
        lambda o, p, g: charts.go_live_spread(g, AS_AT, "week"),
        lambda o, p, g: charts.go_live_spread(g.iloc[0:0], AS_AT, "month"),
        lambda o, p, g: charts.calendar_heatmap(g, AS_AT, "By day"),
        lambda o, p, g: charts.durations_against_guide(p, AS_AT, "Durations"),
        lambda o, p, g: charts.trend(
            pd.DataFrame({"as_at": [T("2026-03-01")], "series": ["Overrunning"], "value": [4]}),
            AS_AT,
            "Trend",
            "Migrations",
        ),
    ],
    ids=[
        "gantt",
        "count_bar",
        "phase_counts",
        "spread",
        "spread_empty",
        "heatmap",
        "durations",
        "trend",
    ],
)
def test_every_figure_says_as_at_when(sixty, build):
    overview, phase_table = sixty
    fig = build(overview, phase_table, overview)
    assert "as at 10 Mar 2026" in fig.layout.title.text


def test_phase_counts_in_the_guides_order(sixty):
    overview, _ = sixty
    fig = charts.phase_counts(overview["current_phase"], AS_AT, "Where they are")
    (bar,) = fig.data
    assert len(bar.y) == len(PHASE_KEYS) + 2
    assert bar.y[0] == "Not started" and bar.y[-1] == "Completed"
    assert sum(bar.x) == 60
