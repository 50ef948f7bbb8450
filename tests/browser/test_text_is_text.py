"""Text is text, in Chromium: a tracker whose practice name, notes, sheet name, headers, file
name and uploader carry HTML and markdown shows them as typed on every page. No image, link or
styled element is made from them, and nothing asks the payloads' address (127.0.0.1:9) for
anything."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from regiondash.text import JOINER
from tests.app.test_text_is_text import FILE_NAME, hostile_xlsx, store_hostile_tracker

from .conftest import copy_database, running_app
from .test_app_in_browser import (
    assert_no_exception,
    data_line,
    open_app,
    upload_file,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

PAYLOAD_HOST = "127.0.0.1:9/"
# a file name may not hold "/": these payloads point at the app itself, relatively
DISK_NAME = "![x](y.png) [Sign in](z) <img src=q.png>.xlsx"
MADE_FROM_PAYLOAD = (
    f'img[src*="{PAYLOAD_HOST}"], a[href*="{PAYLOAD_HOST}"], img[src*="y.png"], '
    'img[src*="q.png"], a[href="z"], [style*="color:red" i], [style*="color: red" i]'
)
# every attribute of every element that links or loads, SVG's xlink:href included (Plotly keeps
# a label's text in data-unformatted: text, not a link)
_ATTRIBUTES_NAMING_JS = """
(host) => {
  const linking = new Set(['href', 'xlink:href', 'src', 'srcset', 'style', 'action',
                           'formaction', 'poster', 'data', 'background']);
  return [...document.querySelectorAll('*')].flatMap((e) =>
    [...e.attributes].filter((a) => a.value.includes(host) && linking.has(a.name))
      .map((a) => `<${e.tagName.toLowerCase()} ${a.name}="${a.value}">`));
}
"""


@pytest.fixture(scope="module")
def hostile_server(chromium_executable, demo_database, tmp_path_factory):
    """The app on a copy of the demo region plus the hostile tracker."""
    workdir = tmp_path_factory.mktemp("hostile")
    db_url = copy_database(demo_database, workdir / "regiondash.sqlite")
    store_hostile_tracker(db_url)
    with running_app(db_url, workdir) as server:
        yield server


def assert_nothing_made_from_the_payloads(page: Page, requests: list[str], where: str) -> None:
    assert_no_exception(page)
    made = page.locator(MADE_FROM_PAYLOAD)
    assert made.count() == 0, (where, made.evaluate_all("es => es.map(e => e.outerHTML)"))
    attributes = page.evaluate(_ATTRIBUTES_NAMING_JS, PAYLOAD_HOST)
    assert attributes == [], (where, attributes)
    asked = [url for url in requests if PAYLOAD_HOST in url or url.endswith(("y.png", "q.png"))]
    assert asked == [], (where, asked)


@pytest.mark.parametrize(
    "path", ["", "timeline", "overruns", "go-live", "risks", "changes", "upload"]
)
def test_hostile_text_makes_no_markup(hostile_server, page, path):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_app(page, hostile_server.url(path))
    assert_nothing_made_from_the_payloads(page, requests, path or "overview")
    # the data line names the file as it was named
    assert FILE_NAME in data_line(page).inner_text().replace(JOINER, "")
    if path == "timeline":
        search = page.get_by_role("textbox", name="Search by ODS code or practice name")
        search.fill("J81009")
        search.press("Enter")
        wait_until_idle(page)
        detail = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="J81009")
        assert "[sign In](http://127.0.0.1:9/)" in detail.first.inner_text().replace(JOINER, "")
        # the Gantt's row label, drawn by Plotly, is the text too
        assert page.locator(".js-plotly-plot text").filter(has_text="[sign In]").count() >= 1
        page.locator(".js-plotly-plot .bars path").first.hover(force=True)
        page.wait_for_timeout(300)
        assert_nothing_made_from_the_payloads(page, requests, "timeline detail")


def test_hostile_upload_notes_make_no_markup(hostile_server, page, tmp_path):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_app(page, hostile_server.url("upload"))
    path = tmp_path / DISK_NAME
    path.write_bytes(hostile_xlsx())
    upload_file(page, "![x](y.png) <img src=q.png> **bold**", path)
    assert_nothing_made_from_the_payloads(page, requests, "upload notes")
    notes = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Read sheet")
    assert "<span style=color red>Sheet" in notes.first.inner_text()
    unused = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="not used")
    assert "<img src=http://127.0.0.1:9/h>" in " ".join(unused.all_inner_texts()).replace(
        JOINER, ""
    )
