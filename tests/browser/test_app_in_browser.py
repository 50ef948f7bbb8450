"""The app as a person sees it: every page in Chromium, deep links, shareable filters, an upload.

Full-page screenshots of what the tests saw go to test-artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from openpyxl import Workbook
from playwright.sync_api import Locator, Page, expect

from regiondash import store
from regiondash.reference import load_reference

from .conftest import REPO_ROOT, VIEWPORT, WAIT_MS, AppServer

pytestmark = pytest.mark.browser

SETTLE_MS = 250  # after the script finishes, let the last deltas paint
IDLE_FOR_MS = 300  # nothing may be running or loading for this long

# Streamlit's top-right status widget shows a "Running..." icon and a Stop button (or
# "Connecting") while a script run is in flight, and a widget whose code is still loading is a
# grey stSkeleton; this is true once none of them has been there for quietMs.
_IDLE_JS = """
(quietMs) => {
  const widget = document.querySelector('[data-testid="stStatusWidget"]');
  const busy = document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
    || document.querySelector('[data-testid="stSkeleton"]')
    || (widget && (widget.querySelector('[aria-label="Running..."]')
        || /\\b(Stop|Running|Connecting)\\b/.test(widget.textContent || "")));
  const now = performance.now();
  if (busy) { window.__rdIdleSince = undefined; return false; }
  if (window.__rdIdleSince === undefined) { window.__rdIdleSince = now; }
  return now - window.__rdIdleSince >= quietMs;
}
"""
_CONTENT_HEIGHT_JS = """
() => Math.max(...['stMain', 'stSidebarContent', 'stAppViewContainer'].map((id) => {
  const e = document.querySelector(`[data-testid="${id}"]`);
  return e ? e.scrollHeight : 0;
}))
"""


@dataclass(frozen=True)
class AppPage:
    name: str  # screenshot name
    path: str  # url path as registered in app.py
    source: str  # file under app_pages/
    has_chart: bool

    @property
    def title(self) -> str:
        """The page's st.title(...) text, read from its source so the test follows the page."""
        tree = ast.parse((REPO_ROOT / "app_pages" / self.source).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "title"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "st"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                return node.args[0].value
        raise AssertionError(f"no st.title('...') call in app_pages/{self.source}")


PAGES = [
    AppPage("overview", "", "overview.py", has_chart=True),
    AppPage("timeline", "timeline", "timeline.py", has_chart=True),
    AppPage("overruns", "overruns", "overruns.py", has_chart=True),
    AppPage("go-live", "go-live", "go_live.py", has_chart=True),
    AppPage("risks", "risks", "risks.py", has_chart=True),
    AppPage("changes", "changes", "changes.py", has_chart=False),
    AppPage("board-pack", "board-pack", "board_pack.py", has_chart=False),
    AppPage("upload", "upload", "upload.py", has_chart=False),
    AppPage("definitions", "definitions", "definitions.py", has_chart=False),
]
GO_LIVE = next(p for p in PAGES if p.name == "go-live")
UPLOAD = next(p for p in PAGES if p.name == "upload")


# --- helpers ---------------------------------------------------------------------------------


def wait_until_idle(page: Page, timeout: int = WAIT_MS) -> None:
    """Wait until no script run is in flight (and has not been for a moment), then settle."""
    page.evaluate("() => { window.__rdIdleSince = undefined; }")
    page.wait_for_function(_IDLE_JS, arg=IDLE_FOR_MS, timeout=timeout, polling=100)
    page.wait_for_timeout(SETTLE_MS)


def wait_for_app(page: Page, timeout: int = WAIT_MS) -> None:
    """Wait for a page's title to appear and its script run to finish."""
    page.locator("h1").first.wait_for(state="visible", timeout=timeout)
    wait_until_idle(page, timeout)


def open_app(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page)


def assert_no_exception(page: Page) -> None:
    errors = page.locator('[data-testid="stException"]')
    if errors.count():
        pytest.fail(f"the page shows an exception:\n{errors.first.inner_text()}")


def assert_no_page_not_found(page: Page) -> None:
    missing = page.get_by_text("Page not found")
    if missing.count():
        pytest.fail(f"'Page not found' shown at {page.url}: {missing.first.inner_text()}")


def assert_title(page: Page, expected: str) -> None:
    expect(page.locator("h1").first).to_have_text(expected)


def save_screenshot(page: Page, directory: Path, name: str) -> Path:
    """A full-page PNG. Streamlit scrolls inside its main area, not the document, so the
    viewport is made as tall as the content for the shot, then put back."""
    height = max(VIEWPORT["height"], min(int(page.evaluate(_CONTENT_HEIGHT_JS)), 20_000))
    path = directory / f"{name}.png"
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    try:
        page.wait_for_timeout(SETTLE_MS)  # let plotly and the layout follow the resize
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(VIEWPORT)
    return path


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def sidebar_multiselect(page: Page, label: str) -> Locator:
    return (
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
        .filter(has=page.get_by_text(label, exact=True))
        .first
    )


def selected_tags(multiselect: Locator) -> list[str]:
    return multiselect.locator(
        '[data-testid="stMultiSelectTagsContainer"] [data-tag]'
    ).evaluate_all("tags => tags.map(t => t.getAttribute('aria-label') || t.textContent.trim())")


def data_line(page: Page) -> Locator:
    return page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Data as at").first


def metric_value(page: Page, label: str) -> Locator:
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text=label)
        .locator('[data-testid="stMetricValue"]')
        .first
    )


def current_migrations(server: AppServer) -> pd.DataFrame:
    """What the app shows by default, read straight from its database."""
    engine = server.engine()
    try:
        migrations, _ = store.current_picture(engine, store.latest_as_at(engine))
    finally:
        engine.dispose()
    return migrations


def list_uploads(server: AppServer) -> pd.DataFrame:
    engine = server.engine()
    try:
        return store.list_uploads(engine)
    finally:
        engine.dispose()


def filtered_caption(shown: int, total: int) -> str:
    return f"— {shown:,} migrations of {total:,} (filtered)"


def tracker_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tracker"
    sheet.append(
        ["Practice Code", "Practice Name", "Current system", "New supplier", "Go Live Date"]
    )
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def upload_file(page: Page, name: str, path: Path) -> None:
    """Type who is uploading, then give the file chooser a file, as a person would."""
    who = page.get_by_role("textbox", name="Your name or team")
    who.fill(name)
    who.press("Enter")
    wait_until_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    expect(metric_value(page, "Rows read")).to_be_visible()
    wait_until_idle(page)


# --- tests -----------------------------------------------------------------------------------


def test_deep_link_is_the_first_request_of_a_fresh_server(fresh_app_server, page, screenshots):
    """Opening /go-live before the server has served anything shows that page, not 'not found'."""
    open_app(page, fresh_app_server.url(GO_LIVE.path))
    assert_no_page_not_found(page)
    assert_no_exception(page)
    assert_title(page, GO_LIVE.title)
    assert urlsplit(page.url).path == f"/{GO_LIVE.path}"
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    save_screenshot(page, screenshots, "deep-link-go-live-fresh-server")


@pytest.mark.parametrize("app_page", PAGES, ids=[p.name for p in PAGES])
def test_page_renders_without_errors(app_server, page, screenshots, app_page: AppPage):
    """Each page by its own address: its title, no exception, a drawn chart where it has one."""
    open_app(page, app_server.url(app_page.path))
    assert_no_page_not_found(page)
    assert_no_exception(page)
    assert_title(page, app_page.title)
    if app_page.has_chart:
        expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    save_screenshot(page, screenshots, app_page.name)
    assert_no_exception(page)


def test_filter_in_the_link_survives_a_reload(app_server, page, screenshots):
    """A shared link's ?sub_icb= selects that sub-ICB in the sidebar and filters the figures."""
    migrations = current_migrations(app_server)
    counts = migrations["sub_icb_code"].value_counts()
    sub_icb = sorted(code for code, n in counts.items() if 0 < n < len(migrations))[0]
    shown, total = int(counts[sub_icb]), len(migrations)

    open_app(page, app_server.url(f"?sub_icb={sub_icb}"))
    for attempt in ("first load", "after reload"):
        assert_no_exception(page)
        chosen = sidebar_multiselect(page, "Sub-ICB location (former CCG)")
        expect(chosen.locator("[data-tag]")).to_have_count(1)
        tags = selected_tags(chosen)
        assert len(tags) == 1 and tags[0].startswith(f"{sub_icb} "), (attempt, tags)
        expect(data_line(page)).to_contain_text(filtered_caption(shown, total))
        assert query(page).get("sub_icb") == [sub_icb], (attempt, page.url)
        if attempt == "first load":
            save_screenshot(page, screenshots, "filtered-by-link")
            page.reload(wait_until="domcontentloaded")
            wait_for_app(page)


def test_filter_chosen_in_the_sidebar_goes_into_the_link(app_server, page):
    """Choosing a target system in the sidebar puts target= in the address, kept on reload."""
    migrations = current_migrations(app_server)
    counts = migrations["target_system"].dropna().value_counts()
    target = str(counts.index[-1])  # the rarest, so the filter visibly narrows the view
    shown, total = int(counts.iloc[-1]), len(migrations)

    open_app(page, app_server.url(""))
    assert "target" not in query(page)
    box = page.get_by_role("combobox", name="Target system")
    box.click()
    # typing narrows the list to the one option, wherever the popover opens
    page.keyboard.type(target)
    page.get_by_role("option", name=target, exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_url(lambda url: "target=" in url)
    wait_until_idle(page)

    for attempt in ("after choosing", "after reload"):
        assert_no_exception(page)
        assert query(page).get("target") == [target], (attempt, page.url)
        chosen = sidebar_multiselect(page, "Target system")
        expect(chosen.locator("[data-tag]")).to_have_count(1)
        assert selected_tags(chosen) == [target], attempt
        expect(data_line(page)).to_contain_text(filtered_caption(shown, total))
        if attempt == "after choosing":
            page.reload(wait_until="domcontentloaded")
            wait_for_app(page)


def test_refused_upload_cannot_be_stored(app_server, page, screenshots, tmp_path):
    """A tracker with an error shows the error count and cannot be stored."""
    before = list_uploads(app_server)
    bad = tracker_xlsx(
        tmp_path / "browser-test-refused.xlsx",
        [["X1", "Nowhere Surgery", "EMIS Web", "SystmOne", dt.date(2027, 3, 2)]],
    )
    open_app(page, app_server.url(UPLOAD.path))
    upload_file(page, "Browser test (refused)", bad)

    assert_no_exception(page)
    expect(metric_value(page, "Errors")).not_to_have_text("0")
    assert int(metric_value(page, "Errors").inner_text().replace(",", "")) > 0
    expect(page.get_by_role("button", name="Store this upload")).to_be_disabled()
    save_screenshot(page, screenshots, "upload-refused")
    after = list_uploads(app_server)
    assert len(after) == len(before)
    assert "Browser test (refused)" not in set(after["uploaded_by"])


def _two_new_practices(server: AppServer) -> list[list[object]]:
    """Two real practices of the demo region (Y58) that the demo has no migration for."""
    practices = load_reference().practices
    in_demo = set(current_migrations(server)["ods_code"].dropna())
    region = practices[(practices["region_code"] == "Y58") & ~practices.index.isin(in_demo)]
    region = region[region["source_system"].isin(["EMIS Web", "SystmOne"])].sort_index()
    go_live = dt.date.today() + dt.timedelta(weeks=8)
    go_live += dt.timedelta(days=(1 - go_live.weekday()) % 7)  # a Tuesday
    rows = []
    for ods, practice in region.head(2).iterrows():
        source = practice["source_system"]
        target = "EMIS Web" if source == "SystmOne" else "SystmOne"
        rows.append([ods, practice["practice_name"], source, target, go_live])
    assert len(rows) == 2, "the reference data has too few Y58 practices outside the demo"
    return rows


def test_upload_through_the_browser_is_stored(app_server, page, screenshots, tmp_path):
    """A valid tracker chosen in the file chooser is stored, under the name typed in."""
    before = list_uploads(app_server)
    who = "Browser test uploader"
    good = tracker_xlsx(tmp_path / "browser-test-tracker.xlsx", _two_new_practices(app_server))
    open_app(page, app_server.url(UPLOAD.path))
    upload_file(page, who, good)

    assert_no_exception(page)
    expect(metric_value(page, "Valid migrations")).to_have_text("2")
    expect(metric_value(page, "Errors")).to_have_text("0")
    store_button = page.get_by_role("button", name="Store this upload")
    expect(store_button).to_be_enabled()
    store_button.click()
    expect(page.get_by_text(re.compile(r"Stored 2 migrations")).first).to_be_visible()
    wait_until_idle(page)
    assert_no_exception(page)
    save_screenshot(page, screenshots, "upload-stored")

    after = list_uploads(app_server)
    assert len(after) == len(before) + 1 == 5  # the demo's four, then this one
    newest = after.sort_values("upload_id").iloc[-1]
    assert newest["uploaded_by"] == who
    assert newest["file_name"] == good.name
    assert int(newest["migrations"]) == 2
