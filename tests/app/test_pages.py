"""Every page under AppTest on the hand-worked fixture region (tests/app/conftest.py)."""

import base64
import datetime as dt
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from regiondash import store
from regiondash.importing import import_tracker
from regiondash.reference import load_reference
from tests.app.conftest import AS_AT, SECOND_UPLOAD, metric, open_page

PAGES = [
    "overview",
    "timeline",
    "overruns",
    "go_live",
    "risks",
    "changes",
    "board_pack",
    "upload",
    "definitions",
]


def page_warnings(at) -> list:
    """The page's warnings, less the stale-data one: the fixture trackers are months old by the
    wall clock, which is what tracker ages are measured to."""
    return [w for w in at.warning if w.icon != ":material/update:"]


def test_overview_shows_the_figures_the_fixture_implies(fixture_db):
    at = open_page()
    assert at.title[0].value == "GP system migrations — overview"
    assert metric(at, "Migrations in scope") == "6"
    assert metric(at, "Planned") == "2"
    assert metric(at, "In progress") == "1"
    assert metric(at, "Live") == "2"
    assert metric(at, "On hold") == "0"
    assert metric(at, "Cancelled") == "1"
    assert metric(at, "Overrunning") == "3 (60%)"  # 3 of the 5 not cancelled
    assert metric(at, "Go-lives in the next 30 days") == "2"
    assert metric(at, "Go-lives in the next 90 days") == "3"
    assert "Data as at **10 Mar 2026** — 6 migrations" in at.caption[0].value
    late = at.dataframe[0].value
    assert list(late["ODS code"]) == ["L83002", "L83003", "J81006"]
    assert list(late["Days late"]) == [14, 9, 7]  # go live moved 14; IDP 9 and 7 days over


def test_changing_a_filter_changes_the_figures(fixture_db):
    at = open_page()
    at.multiselect(key="filter_sub_icb").set_value(["15N"]).run()
    assert metric(at, "Migrations in scope") == "2"
    assert metric(at, "Overrunning") == "2 (100%)"
    assert at.query_params["sub_icb"] == "15N"
    at.multiselect(key="filter_target").set_value(["Vision"]).run()
    assert page_warnings(at)[0].value.startswith("No migrations match these filters")


def test_filters_come_from_the_link(fixture_db):
    at = open_page(query={"sub_icb": "11J,11M", "status": "live"})
    # L84003 went live and has finished: live (once "completed"), with current phase Completed
    assert metric(at, "Migrations in scope") == "2"
    assert at.multiselect(key="filter_sub_icb").value == ["11J", "11M"]


def test_earlier_as_at_date_uses_earlier_upload(fixture_db):
    at = open_page(query={"as_at": "2026-02-15"})
    assert metric(at, "Migrations in scope") == "2"  # only the first upload existed then
    # the only upload by 15 Feb is as at 1 Feb: the data is as at 1 Feb, and the line says why
    assert at.caption[0].value.startswith(
        "Data as at **1 Feb 2026** (each tracker's latest upload on or before 15 Feb 2026)"
    )


def test_reset_clears_filters(fixture_db):
    at = open_page(query={"sub_icb": "15N"})
    assert metric(at, "Migrations in scope") == "2"
    next(b for b in at.sidebar.button if b.label == "Reset filters").click().run()
    assert metric(at, "Migrations in scope") == "6"


def test_timeline_search_sort_and_detail(fixture_db):
    at = open_page("timeline")
    assert at.title[0].value == "Migration timeline"
    assert len(at.get("plotly_chart")) == 1
    assert "Showing 6 of 6 migrations" in at.caption[-1].value or any(
        "Showing 6 of 6" in c.value for c in at.caption
    )
    at.text_input[0].input("L83").run()
    assert any("Showing 2 of 2 migrations" in c.value for c in at.caption)
    at.text_input[0].input("").run()
    at.selectbox[0].set_value("days_overrun").run()
    detail_choice = at.selectbox[1]
    assert detail_choice.value == "L83002:SystmOne>EMIS Web"  # most go-live slip first
    detail_choice.set_value("J81006:SystmOne>EMIS Web").run()
    phases = at.dataframe[0].value.set_index("Phase")
    assert phases.loc["Initial data production (IDP)", "Variance (days)"] == 7
    assert phases.loc["Initial data production (IDP)", "Overrun"] == "Yes"
    assert phases.loc["Initial data production (IDP)", "Over the guide"] == ""
    history = at.dataframe[1].value
    assert list(history["Planned go live"].astype(str)) == ["2026-03-30"]


def test_overruns_page_counts_and_table(fixture_db):
    at = open_page("overruns")
    assert at.markdown[0].value.startswith("**3** of 6 migrations")
    assert len(at.get("plotly_chart")) >= 5
    table = at.dataframe[0].value
    assert list(zip(table["ODS code"], table["Days over"], strict=True)) == [
        ("L83002", 14),
        ("L83003", 9),
        ("L83003", 9),
        ("J81006", 7),
        ("J81006", 7),
    ]
    assert set(table["What happened"]) == {
        "Go live moved",
        "Past its planned end",
        "Finished late",
    }


def test_go_live_capacity_flags_busy_weeks(fixture_db):
    at = open_page("go_live")
    assert at.success[0].value.startswith("No week goes over the capacity")
    at.number_input(key="capacity-EMIS Web").set_value(1).run()
    assert page_warnings(at)[0].value == "1 week(s) over capacity."
    flagged = at.dataframe[0].value
    assert str(flagged.iloc[0]["Week starting"]) == "2026-03-30"
    assert flagged.iloc[0]["Go-lives"] == 2


def test_definitions_page(fixture_db):
    at = open_page("definitions")
    assert at.title[0].value == "Definitions"
    phases = at.table[0].value
    assert len(phases) == 13
    assert phases.iloc[5]["guide's estimate"] == "3 days to 3 weeks"
    assert phases.iloc[7]["max days"] == "–"  # cut-over planning: the guide gives no estimate
    assert any("inclusive count of calendar days" in m.value for m in at.markdown)
    assert any("Open Government Licence v3.0" in c.value for c in at.caption)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_a_helpful_empty_state(empty_db, page):
    at = open_page(None if page == "overview" else page)
    if page in ("overview", "timeline", "overruns", "go_live", "risks", "changes", "board_pack"):
        assert at.info[0].value.startswith("No tracker has been uploaded yet")
    assert not at.error


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in [["Practice Code", "Current system", "New supplier", "Go Live Date"], *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_refused_then_stored(fixture_db):
    at = open_page("upload")
    uploader = at.get("file_uploader")[0]
    bad = _xlsx([["J81009", "TPP", "EMIS", "01/05/2026"], ["X1", "TPP", "EMIS", "01/05/2026"]])
    uploader.set_value(("tracker.xlsx", bad, "application/octet-stream")).run()
    assert metric(at, "Errors") == "1"
    assert metric(at, "Valid migrations") == "1"
    report = next(d.value for d in at.dataframe if "Problem" in d.value.columns)
    assert report.iloc[0][["Sheet", "Row", "Column", "Value"]].tolist() == [
        "Sheet",
        3,
        "Practice Code",
        "X1",
    ]
    store_button = next(b for b in at.button if b.label == "Store this upload")
    assert store_button.disabled
    assert len(store.list_uploads(store.connect(fixture_db))) == 2

    good = _xlsx([["J81009", "TPP", "EMIS", "01/05/2026"]])
    at.get("file_uploader")[0].set_value(("tracker.xlsx", good, "application/octet-stream")).run()
    at.text_input(key="uploaded_by").input("Test lead").run()
    next(b for b in at.button if b.label == "Store this upload").click().run()
    assert any("Stored 1 migrations from tracker.xlsx" in s.value for s in at.success)
    uploads = store.list_uploads(store.connect(fixture_db))
    assert len(uploads) == 3
    assert uploads.iloc[0]["uploaded_by"] == "Test lead"


def test_upload_of_unreadable_file_says_why(fixture_db):
    at = open_page("upload")
    at.get("file_uploader")[0].set_value(
        ("tracker.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
    ).run()
    assert at.error[0].value.startswith("tracker.xlsx is not an Excel workbook")
    assert len(store.list_uploads(store.connect(fixture_db))) == 2


def test_upload_history_shows_set_aside_rows(fixture_db, tmp_path):
    bad = _xlsx([["J81009", "TPP", "EMIS", "01/05/2026"], ["X1", "TPP", "EMIS", "01/05/2026"]])
    at = open_page("upload")
    at.get("file_uploader")[0].set_value(("partial.xlsx", bad, "application/octet-stream")).run()
    next(b for b in at.button if b.label.startswith("Store the 1 valid rows")).click().run()
    assert any("1 row set aside" in s.value for s in at.success)
    at = open_page("upload")
    history = at.dataframe[0].value
    assert history.iloc[0]["Status"] == "Stored (valid rows only)"
    aside = at.dataframe[1].value
    assert aside.iloc[0]["Row"] == 3
    assert "not an ODS practice code" in aside.iloc[0]["Reasons"]


def test_chart_downloads_are_named_at_2x_and_switch_to_svg(fixture_db):
    import json

    at = open_page()
    config = json.loads(at.get("plotly_chart")[0].proto.config)
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "filename": "migrations-by-phase",
        "scale": 2,
    }
    at.radio(key="chart_image_format").set_value("svg").run()
    config = json.loads(at.get("plotly_chart")[0].proto.config)
    assert config["toImageButtonOptions"]["format"] == "svg"
    csv = next(b for b in at.get("download_button") if "behind this chart" in b.proto.label)
    assert csv.proto.label == "Download the data behind this chart (CSV)"


def test_risks_page_counts_rag_and_reasons(fixture_db):
    at = open_page("risks")
    assert at.title[0].value == "Risks from the guide's lessons learnt"
    # only the 3 open migrations are rated (2 live, 1 cancelled are not); the fixture tracker
    # has no extract, Schedule A, cut-over meeting or tracking columns, so those rules are not
    # assessed, and its busy-period go-lives are notes: nothing is Red or Amber
    assert (metric(at, "Red"), metric(at, "Amber"), metric(at, "Green")) == ("0", "0", "3")
    assert "2 live ones show *Done* and 1 cancelled one *Cancelled*" in at.caption[1].value
    info = at.info[0].value
    assert info.startswith("**Not assessed** — Data extract requested late: 5 migrations")
    assert "Tracking record not updated: 5 migrations (no tracking updated column" in info
    subheaders = [s.value for s in at.subheader]
    sections = ["Open migrations at risk", "Notes: go-lives in busy periods"]
    assert subheaders == [*sections, "Looking back: live migrations", "The rules"]
    assert "No open migration breaks a red or amber rule." in [m.value for m in at.markdown]
    notes = at.dataframe[0].value.set_index("ODS code")
    assert list(notes.index) == ["J81006", "L83002", "L83003"] and "L84004" not in notes.index
    assert notes.loc["J81006", "Notes"] == "Go live in flu season; Go live near QOF year end"
    assert set(notes["Computed RAG"]) == {"Green"}
    rules = at.dataframe[1].value.set_index("Rule")
    flu = rules.loc["Go live in flu season"]
    assert (flu["Counts as"], flu["Kind"]) == ("note", "forward-looking")
    assert rules.loc["Tracking record not updated", "Kind"] == "looks back"
    assert rules.loc["Decommission Schedule A missing", "Not assessed"] == 5
    assert len(at.expander) == 14  # one per rule, each with its explanation
    assert at.expander[0].label.endswith("counts as note, forward-looking")


def test_changes_page_slippage_comparison_and_forecast(fixture_db):
    at = open_page("changes")
    assert at.title[0].value == "Slippage and changes"
    assert at.markdown[0].value.startswith("**1** of 6 migrations in view have had their planned")
    slipped = at.dataframe[0].value
    assert list(slipped["ODS code"]) == ["L83002"]
    assert int(slipped.iloc[0]["Days moved"]) == 14
    labels = [e.label for e in at.expander]
    assert "Migrations added: 4" in labels and "Go live moved: 1" in labels
    moved = next(
        d.value
        for d in at.dataframe
        if "Days moved" in d.value.columns and "From" in d.value.columns
    )
    assert moved.iloc[0][["ODS code", "From", "To", "Days moved"]].tolist() == [
        "L83002",
        pd.Timestamp("2026-03-16"),
        pd.Timestamp("2026-03-30"),
        14,
    ]
    outlook = at.dataframe[-1].value.set_index("ODS code")
    # J81006 reached IDP on 19 Jan; the only example (J81002) took 56 days from IDP to go live
    assert str(outlook.loc["J81006", "Forecast (median)"].date()) == "2026-03-16"
    assert int(outlook.loc["J81006", "Days behind"]) == -14


def test_timeline_detail_shows_risk_flags_and_forecast(fixture_db):
    at = open_page("timeline")
    at.selectbox[1].set_value("J81006:SystmOne>EMIS Web").run()
    texts = [m.value for m in at.markdown]
    assert any(
        # busy periods are notes and the fixture has no extract column: Green, with notes
        t.startswith("**Risk flags** (computed RAG Green): Go live in flu season")
        for t in texts
    )
    assert any(t.startswith("**Forecast go live** 16 Mar 2026") for t in texts)


def test_upload_page_refreshes_a_configured_tracking_database(fixture_db, tmp_path, monkeypatch):
    import sqlite3

    source = tmp_path / "csu-tracking.db"
    with sqlite3.connect(source) as conn:
        conn.execute(
            'CREATE TABLE tracker ("Practice Code" TEXT PRIMARY KEY, "New system" TEXT, '
            '"Go Live Date" TEXT)'
        )
        rows = [("J81009", "EMIS Web", "2026-05-01"), ("L84005", "EMIS", "2026-06-01")]
        conn.executemany("INSERT INTO tracker VALUES (?, ?, ?)", rows)
    config = tmp_path / "regiondash-sources.toml"
    config.write_text(f'[sources.gloucester]\nurl = "sqlite:///{source}"\ntable = "tracker"\n')
    monkeypatch.setenv("REGIONDASH_SOURCES_FILE", str(config))
    at = open_page("upload")
    assert any("**gloucester**" in m.value and "never pulled" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Refresh from source").click().run()
    assert any("Stored 2 migrations" in s.value for s in at.success), [s.value for s in at.success]
    assert len(store.list_uploads(store.connect(fixture_db))) == 3
    next(b for b in at.button if b.label == "Refresh from source").click().run()
    assert any("unchanged" in s.value for s in at.success)
    assert len(store.list_uploads(store.connect(fixture_db))) == 3


def _require_chromium():
    import os
    import shutil

    if shutil.which("chromium") is None:
        if os.environ.get("REGIONDASH_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (REGIONDASH_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("!!! Chromium not installed: board-pack and slide-image tests skipped !!!")


def test_board_pack_page_builds_a_deck_and_a_pdf(fixture_db):
    import pptx

    _require_chromium()
    at = open_page("board_pack")
    assert at.title[0].value == "Board pack"
    at.selectbox[0].set_value("sub_icb").run()
    at.selectbox[1].set_value("15N").run()
    next(b for b in at.button if b.label == "Build the board pack").click().run(timeout=180)
    assert at.success[0].value.startswith("The board pack is ready")
    downloads = {d.proto.label: d for d in at.get("download_button")}
    assert "Download the deck (PowerPoint)" in downloads and "Download the PDF" in downloads
    stem, deck, document, slides = at.session_state["board_pack"]
    assert "15n" in stem
    assert len(pptx.Presentation(io.BytesIO(deck)).slides) == slides
    assert document.startswith(b"%PDF")


def test_chart_slide_images_are_drawn_on_request(fixture_db):
    _require_chromium()
    at = open_page()
    next(b for b in at.button if b.label == "Make the images").click().run(timeout=120)
    labels = [d.proto.label for d in at.get("download_button")]
    assert "PNG (3200×1800)" in labels and "SVG" in labels
    made = next(iter(at.session_state["_slide_images"].values()))
    assert made[0].startswith(b"\x89PNG") and b"<svg" in made[1][:400]


def test_tables_download_as_xlsx_with_definitions(fixture_db, monkeypatch):
    import openpyxl
    from streamlit.runtime.media_file_manager import MediaFileManager

    # The page's files are made on click (a callable per button): keep each callable the page
    # hands Streamlit, by the file id its button carries, and make the page's own file with it.
    made = {}
    register = MediaFileManager.add_deferred

    def keep(self, data_callable, *args, **kwargs):
        file_id = register(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    at = open_page("overruns")
    xlsx = next(d for d in at.get("download_button") if d.proto.label.endswith("(XLSX)"))
    assert xlsx.proto.label == "Download this table (XLSX)"
    data = made[xlsx.proto.deferred_file_id]()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Overrunning migrations", "Definitions"]
    rows = list(book["Overrunning migrations"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Practice", "ODS code", "Sub-ICB")
    # one row per phase overrun, of exactly the migrations in view that overrun, real dates
    ctx = at.session_state["_regiondash_context"]
    late = set(ctx.overview.loc[ctx.overview["overrunning"], "ods_code"])
    assert late and {row[1] for row in rows[1:]} == late
    assert isinstance(rows[1][7], dt.datetime)


FILTER_KEYS = ["region", "icb", "sub_icb", "csu", "source", "target", "status"]
STATUS_TILES = ["Planned", "In progress", "Live", "On hold", "Cancelled"]


def _reset(at):
    next(b for b in at.sidebar.button if b.label == "Reset filters").click().run()


def _assert_no_filters(at):
    for name in FILTER_KEYS:
        widget = at.multiselect(key=f"filter_{name}")
        assert widget.value == [], name
    assert at.date_input(key="filter_as_at").value == AS_AT
    assert dict(at.query_params) == {}


def test_reset_clears_every_filter_here_and_on_the_next_page(fixture_db):
    at = open_page()
    at.multiselect(key="filter_status").set_value(["planned"]).run()
    at.multiselect(key="filter_icb").set_value(["QJK"]).run()
    assert metric(at, "Migrations in scope") == "2"
    assert dict(at.query_params) == {"icb": "QJK", "status": "planned"}
    _reset(at)
    _assert_no_filters(at)
    assert metric(at, "Migrations in scope") == "6"
    # the browser keeps a widget's old choice unless the run says to set it: every filter (and
    # the as-at date) must be set, to empty, by the run after Reset
    for name in FILTER_KEYS:
        proto = at.multiselect(key=f"filter_{name}").proto
        assert proto.set_value and list(proto.raw_values) == [], name
    assert at.date_input(key="filter_as_at").proto.set_value
    at.switch_page("app_pages/go_live.py").run()
    _assert_no_filters(at)
    at.switch_page("app_pages/overview.py").run()
    _assert_no_filters(at)
    assert metric(at, "Migrations in scope") == "6"
    assert metric(at, "Planned") == "2" and metric(at, "Live") == "2"


def test_reset_after_an_earlier_as_at_date_from_the_link(fixture_db):
    at = open_page(query={"as_at": "2026-02-15", "status": "planned"})
    assert dict(at.query_params) == {"status": "planned", "as_at": "2026-02-15"}
    _reset(at)
    _assert_no_filters(at)
    assert at.caption[0].value.startswith("Data as at **10 Mar 2026** — 6 migrations, each")
    assert "fixture tracker: as at 10 Mar 2026" in at.caption[0].value
    at.switch_page("app_pages/risks.py").run()
    _assert_no_filters(at)


@pytest.mark.parametrize(
    ("query", "message", "in_scope", "kept"),
    [
        (
            {"icb": "ZZZ"},
            "The link asks for ICB ZZZ, which is not in the data as at 10 Mar 2026; showing all "
            "ICBs.",
            "6",
            {},
        ),
        (
            {"as_at": "2026-13-45"},
            "The link asks for data as at 2026-13-45, which is not a date (links give dates as "
            "YYYY-MM-DD); showing the latest data, as at 10 Mar 2026.",
            "6",
            {},
        ),
        (
            {"status": "nonsense"},
            "The link asks for status nonsense, which is not a migration status (planned, "
            "in_progress, live, on_hold, cancelled); showing all statuses.",
            "6",
            {},
        ),
        (
            {"status": "planned,on_hold"},
            # values from the link are escaped, so they show as typed (on_hold)
            "The link asks for status on\\_hold, which is not in the data as at 10 Mar 2026; "
            "showing status planned only.",
            "2",
            {"status": "planned"},
        ),
        (
            {"icb": "QJK", "sub_icb": "11J,15N"},
            "The link asks for sub-ICB location 11J, which is not within ICB QJK; showing "
            "sub-ICB location 15N only.",
            "2",
            {"icb": "QJK", "sub_icb": "15N"},
        ),
    ],
)
def test_a_link_value_the_data_lacks_is_said_not_silently_dropped(
    fixture_db, query, message, in_scope, kept
):
    at = open_page(query=query)
    assert [w.value for w in page_warnings(at)] == [message]
    assert metric(at, "Migrations in scope") == in_scope
    assert dict(at.query_params) == kept  # the link now says what is shown
    at.run()  # still said while the filters are the ones the link gave
    assert [w.value for w in page_warnings(at)] == [message]
    _reset(at)
    assert not page_warnings(at)


def test_link_warning_goes_once_a_filter_is_changed(fixture_db):
    at = open_page(query={"icb": "ZZZ"})
    assert len(page_warnings(at)) == 1
    at.multiselect(key="filter_sub_icb").set_value(["15N"]).run()
    assert not page_warnings(at)
    assert metric(at, "Migrations in scope") == "2"


def test_link_values_are_shown_as_plain_text(fixture_db):
    at = open_page(query={"csu": "[click](https://example.com) :red[x]"})
    (warning,) = page_warnings(at)
    assert "\\[click\\]\\(https\\://example\\.com\\) \\:red\\[x\\]" in warning.value
    assert warning.value.endswith("; showing all CSUs.")


def _status_tiles_add_up(at):
    tiles = [int(metric(at, label).replace(",", "")) for label in STATUS_TILES]
    assert sum(tiles) == int(metric(at, "Migrations in scope").replace(",", ""))
    return tiles


def test_status_tiles_add_up_to_in_scope(fixture_db):
    at = open_page()
    assert _status_tiles_add_up(at) == [2, 1, 2, 0, 1]
    at.multiselect(key="filter_sub_icb").set_value(["11M"]).run()
    assert _status_tiles_add_up(at) == [0, 0, 1, 0, 1]


@pytest.fixture
def demo_db(tmp_path, monkeypatch):
    """The fictional demo region, as `regiondash demo` loads it."""
    from regiondash import cli

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert cli.main(["demo", "--db", url]) == 0
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", url)
    return url


def test_status_tiles_add_up_on_the_demo(demo_db):
    at = open_page()
    tiles = _status_tiles_add_up(at)
    assert min(tiles) >= 0 and sum(tiles) > 100


def _recorded_charts(monkeypatch):
    """Every (figure, data) a page hands to ui.show_chart, by chart key."""
    from regiondash import ui

    shown = {}
    original = ui.show_chart

    def record(fig, data, name, key=None):
        shown[key] = (fig, data)
        return original(fig, data, name, key)

    monkeypatch.setattr(ui, "show_chart", record)
    return shown


def _bar_totals(fig):
    import pandas as pd
    import plotly.graph_objects as go

    heights = [
        pd.Series(list(t.y), index=pd.to_datetime(list(t.x)))
        for t in fig.data
        if isinstance(t, go.Bar)
    ]
    return pd.concat(heights).groupby(level=0).sum().sort_index()


@pytest.mark.parametrize(
    ("page", "key", "choose"),
    [
        ("go_live", "spread", {}),
        ("go_live", "spread", {"period": "month", "stack": "sub_icb_code"}),
        ("overview", "go-live-month", {}),
    ],
)
def test_go_live_csv_is_the_frame_the_chart_was_drawn_from(
    fixture_db, monkeypatch, page, key, choose
):
    import pandas as pd

    from regiondash import exports

    shown = _recorded_charts(monkeypatch)
    at = open_page(None if page == "overview" else page)
    if choose:
        at.segmented_control[0].set_value(choose["period"]).run()
        at.segmented_control[1].set_value(choose["stack"]).run()
    fig, data = shown[key]
    csv = pd.read_csv(
        io.BytesIO(exports.csv_bytes(data)), encoding="utf-8-sig", parse_dates=["period_start"]
    )
    by_period = csv.groupby("period_start")["go_lives"].sum().sort_index()
    assert list(_bar_totals(fig).items()) == list(by_period.items())
    # the cancelled fixture migration (L84004, 1 Feb) is left out: 5 go-lives, none in February
    assert csv["go_lives"].sum() == 5
    assert not (csv["period_start"].dt.month == 2).any()
    assert list(csv.columns) == [
        "period_start",
        "group",
        "go_lives",
        "busy_periods",
        "over_capacity",
    ]


def test_go_live_capacity_is_the_risk_rules(fixture_db, monkeypatch):
    from regiondash.risks import DEFAULT_CONFIG

    at = open_page("go_live")
    rule = DEFAULT_CONFIG.weekly_capacity_per_system
    assert all(n.value == rule for n in at.number_input)
    assert any(
        f"**{rule} go-lives a week to each target system**" in c.value
        and "capacity clash" in c.value
        for c in at.caption
    )
    assert not at.info
    at.number_input(key="capacity-EMIS Web").set_value(1).run()
    assert at.info[0].value.startswith(f"Capacity changed on this page from the rule's {rule}")


def test_each_problem_in_a_link_is_said_in_the_sidebar_order(fixture_db):
    at = open_page(query={"status": "nonsense", "icb": "ZZZ", "as_at": "2026-13-45"})
    said = [w.value.split(",")[0] for w in page_warnings(at)]
    assert said == [
        "The link asks for data as at 2026-13-45",
        "The link asks for ICB ZZZ",
        "The link asks for status nonsense",
    ]
    assert metric(at, "Migrations in scope") == "6"
    assert dict(at.query_params) == {}


def test_timeline_migration_picked_by_its_label_as_the_browser_sends_it(fixture_db):
    # found by tests/app/test_any_stored_row.py: the browser sends the option's label, and a
    # format_func of labels.get turned that label into None ("None is not in list")
    at = open_page("timeline")
    picker = next(s for s in at.selectbox if s.label == "Migration")
    index = picker.options.index("The Adam Practice (J81006)")
    picker.select_index(index).run()
    assert not at.exception, [e.value for e in at.exception]
    picker = next(s for s in at.selectbox if s.label == "Migration")
    assert picker.value == "J81006:SystmOne>EMIS Web"
    phases = at.dataframe[0].value.set_index("Phase")
    assert phases.loc["Initial data production (IDP)", "Variance (days)"] == 7


def plotted(values) -> list:
    """A trace's values as the chart JSON carries them: a list, or typed bytes (bdata)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_a_long_history_draws_the_overrunning_trend_on_request(fixture_db):
    # Three more uploads of the second tracker's rows (re-saved files: new bytes, same rows)
    # make five upload dates, more than are drawn with the page.
    engine = store.connect(fixture_db)
    for number, day in enumerate((dt.date(2026, 3, 3), dt.date(2026, 3, 5), dt.date(2026, 3, 7))):
        outcome = import_tracker(
            engine,
            (SECOND_UPLOAD + "\n" * (number + 1)).encode(),
            f"fixture tracker {day}.csv",
            load_reference(),
            uploaded_by="Fixture CSU",
            uploaded_at=dt.datetime.combine(day, dt.time(9), dt.UTC),
            as_at=day,
        )
        assert outcome.status == "stored", outcome.message
    engine.dispose()

    at = open_page("overruns")
    assert any("5 upload dates" in c.value for c in at.caption)
    assert not any(
        "Overrunning migrations at each upload" in c.proto.spec for c in at.get("plotly_chart")
    )
    at.button(key="show_trend_button").click().run()
    trend = [
        c for c in at.get("plotly_chart") if "Overrunning migrations at each upload" in c.proto.spec
    ]
    assert len(trend) == 1
    traces = {t["name"]: plotted(t["y"]) for t in json.loads(trend[0].proto.spec)["data"]}
    # 1 Feb: J81002 and L83002, neither late (worked out in tests/app/conftest.py); 10 Mar: the
    # page's own hand-worked 3 of 6.
    assert traces["Migrations in scope"][0] == 2 and traces["Migrations in scope"][-1] == 6
    assert traces["Overrunning migrations"][0] == 0 and traces["Overrunning migrations"][-1] == 3
    assert len(traces["Overrunning migrations"]) == 5
