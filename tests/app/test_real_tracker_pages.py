"""The pages a commissioner reads, on a real-shaped one-date-per-milestone tracker beside the
demo region: the figures are those worked out by hand in tests/test_real_trackers.py."""

import datetime as dt

import pytest

from regiondash import store
from regiondash.importing import import_tracker, load_demo
from regiondash.reference import load_reference
from tests.app.conftest import metric, open_page
from tests.fixtures.trackers import build

WY_ICB = "QWO"  # West Yorkshire: every practice of the single-date tracker


@pytest.fixture
def two_regions(tmp_path, monkeypatch):
    """The demo (South West, as at 20 Nov 2026) and the West Yorkshire single-date tracker (as
    at 3 Nov 2026, from its title row)."""
    url = f"sqlite:///{tmp_path / 'two.db'}"
    engine = store.connect(url)
    reference = load_reference()
    assert all(o.status == "stored" for o in load_demo(engine, reference))
    path = build.build("single_dates_wy.xlsx", tmp_path)
    outcome = import_tracker(
        engine,
        path.read_bytes(),
        path.name,
        reference,
        uploaded_by="WY CSU",
        uploaded_at=dt.datetime(2026, 11, 4, 9, tzinfo=dt.UTC),
        as_at=None,
        default_as_at=dt.date(2026, 12, 3),
    )
    assert outcome.status == "stored" and outcome.parsed.as_at == dt.date(2026, 11, 3)
    engine.dispose()
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", url)
    return url


def test_overview_of_the_single_date_tracker_shows_the_hand_worked_figures(two_regions):
    at = open_page(query={"icb": WY_ICB})
    assert metric(at, "Migrations in scope") == "11"
    tiles = {s: metric(at, s) for s in ("Planned", "In progress", "Live", "On hold", "Cancelled")}
    assert tiles == {
        "Planned": "2",
        "In progress": "4",
        "Live": "3",
        "On hold": "1",
        "Cancelled": "1",
    }
    # B86007 only: "In Progress" with its go live (20 Oct) passed; 1 of the 10 not cancelled
    assert metric(at, "Overrunning") == "1 (10%)"
    late = at.dataframe[0].value
    assert list(late["ODS code"]) == ["B86007"]
    assert list(late["Days late"]) == [14]  # 20 Oct to 3 Nov, the tracker's own date
    caption = at.caption[0].value
    # only the West Yorkshire tracker is in view: the data is as at its date, not the demo's
    assert caption.startswith("Data as at **3 Nov 2026** — 11 migrations of 130 (filtered)")
    assert "single dates wy: as at 3 Nov 2026" in caption


def test_each_tracker_keeps_its_own_figures_whatever_the_other_uploads(two_regions):
    at = open_page()
    # the demo region as documented (demo.py): 119 in the picture, 40 overrunning; the WY
    # tracker's 11 and its 1 add to them, judged as at 3 Nov however late the demo's upload
    assert metric(at, "Migrations in scope") == "130"
    assert metric(at, "Overrunning") == "41 (32%)"  # 41 of the 128 not cancelled


def test_timeline_shows_live_practices_as_live_and_the_overdue_one_in_words(two_regions):
    at = open_page("timeline", query={"icb": WY_ICB})
    assert not at.exception
    at.text_input[0].input("B86007").run()
    detail = next(m.value for m in at.markdown if m.value.startswith("**"))
    assert "B86007" in detail
    phases = at.dataframe[0].value.set_index("Phase")
    # FDP done on 13 Oct; its go live (20 Oct) stays a plan because its Status is In Progress,
    # so cut-over and go live are overrunning as at the tracker's 3 Nov
    go_live, cutover = phases.loc["Go live"], phases.loc["Cut-over period (FDP to go live)"]
    assert str(go_live["Planned start"].date()) == "2026-10-20"
    assert go_live.isna()["Actual start"] and go_live["Overrun"] == "Yes"
    assert (cutover["Actual days"], cutover["Overrun"]) == (22, "Yes")  # 13 Oct to 3 Nov
    # the tracker has no data sign-off column: data checking has no end, so no days so far
    assert phases.loc["Data checking"].isna()["Actual days"]
    assert phases.loc["Data checking", "Over the guide"] == ""


def test_risks_say_what_the_tracker_cannot_be_assessed_on(two_regions):
    at = open_page("risks", query={"icb": WY_ICB})
    said = " ".join(i.value for i in at.info)
    # the single-date tracker has no extract, Schedule A, cut-over meeting or tracking columns:
    # each rule on them is not assessed for its 10 migrations not cancelled
    assert said.startswith(
        "**Not assessed** — Data extract requested late: 10 migrations (no "
        "data extract requested column in this tracker)"
    )
    assert "not updated: 10 migrations (no tracking updated column in this tracker)" in said
