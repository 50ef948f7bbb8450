"""Text is text: names, notes, sheets, headers, file names and uploaders carrying markdown and
HTML reach every page as typed (the browser test checks the DOM; these check the markdown the
pages send), and no way out of the app writes a live formula."""

import csv
import datetime as dt
import io
import re

import openpyxl
import streamlit

from regiondash import sources, store
from regiondash.importing import import_tracker
from regiondash.reference import load_reference
from regiondash.text import JOINER
from tests.app.conftest import open_page

BEACON = "http://127.0.0.1:9"
HOSTILE_AS_AT = dt.date(2026, 11, 24)
PRACTICE = f"[Sign in]({BEACON}/) <img src={BEACON}/x> :material/home:"
NOTES = f'<a href={BEACON}/n>n</a> <span style="color:red">red</span> ![x]({BEACON}/y.png)'
SHEET = "<span style=color red>Sheet"  # Excel allows no ":" or "/" in a sheet name
HEADERS = [f"<img src={BEACON}/h>", f"[Sign in]({BEACON}/c)"]
FILE_NAME = f"[Sign in]({BEACON}/) ![x]({BEACON}/f.png).xlsx"
UPLOADER = f"![x]({BEACON}/u.png) <img src={BEACON}/u> **bold**"
HEADER = [
    "Practice Code",
    "Practice name",
    "New system",
    "IDP",
    "IDP (actual)",
    "Go Live Date",
    "Notes",
    *HEADERS,
]


def hostile_xlsx() -> bytes:
    """A tracker whose practice name, notes, sheet name and headers carry the payloads."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADER)
    sheet.append(
        ["J81009", PRACTICE, "EMIS", "01/09/2026", "08/09/2026", "12/12/2026", NOTES, "a", "b"]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def store_hostile_tracker(url: str) -> None:
    """Store the hostile tracker as at 24 Nov 2026 (after the demo's and the fixture's latest
    upload, so the data line names it), uploaded by a hostile name."""
    engine = store.connect(url)
    as_at = HOSTILE_AS_AT
    outcome = import_tracker(
        engine,
        hostile_xlsx(),
        FILE_NAME,
        load_reference(),
        uploaded_by=UPLOADER,
        uploaded_at=dt.datetime.combine(as_at, dt.time(9), dt.UTC),
        as_at=as_at,
    )
    engine.dispose()
    assert outcome.status == "stored", outcome.message


LIVE_MARKUP = [
    re.compile(r"(?i)(?<!\\)\[(Sign in|x)\]"),  # a link or an image
    re.compile(r"(?i)(?<!\\)<(img|a|span)\b"),  # HTML
    re.compile(r"(?<!\\)\*\*bold"),
    re.compile(r"(?i)(?<!\\):material/home:"),
    # found after parsing, where no backslash is left: autolinks and shortcodes
    re.compile(r"(?i)https?://|:material/"),
]


def shown_texts(at) -> list[str]:
    """Every piece of markdown the page sent: markdown, captions, alerts, expander labels."""
    elements = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error]
    return [e.value for e in elements] + [e.label for e in at.expander]


def assert_text_is_text(at) -> None:
    for text in shown_texts(at):
        for pattern in LIVE_MARKUP:
            assert not pattern.search(text), (pattern.pattern, text)


def test_hostile_text_shows_as_typed_on_every_page(fixture_db):
    store_hostile_tracker(fixture_db)
    at = open_page()
    assert_text_is_text(at)
    # the data line still names the file and the uploader, escaped
    shown = [c.value.replace(JOINER, "") for c in at.caption]
    assert any(r"\[Sign in\](http\://127.0.0.1\:9/)" in c for c in shown)
    for page in ("timeline", "changes", "risks", "upload", "overruns", "go_live"):
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, page
        assert_text_is_text(at)
        if page == "timeline":
            engine = store.connect(fixture_db)
            migrations = store.current_picture(engine, HOSTILE_AS_AT)[0]
            picked = next(m for m in migrations["migration_id"] if m.startswith("J81009"))
            at.selectbox[1].set_value(picked).run()
            assert_text_is_text(at)
            assert any(r"\[sign in\]" in m.value.lower() for m in at.markdown)


def test_the_upload_page_shows_sheet_and_header_names_as_typed(fixture_db):
    at = open_page("upload")
    uploader = at.get("file_uploader")[0]
    uploader.set_value((FILE_NAME, hostile_xlsx(), "application/octet-stream")).run()
    assert not at.exception
    assert_text_is_text(at)
    notes = " ".join(m.value for m in at.markdown).replace(JOINER, "")
    assert r"\<span style=color red\>Sheet" in notes
    assert r"\<img src=http\://127.0.0.1\:9/h\>" in notes


def test_a_database_pulls_original_file_downloads_without_live_formulas(
    fixture_db, tmp_path, monkeypatch
):
    import sqlite3

    source = tmp_path / "csu-tracking.db"
    formulas = ['=HYPERLINK("http://127.0.0.1:9/","Sign in")', "+cmd|' /C calc'!A0", "@SUM(A1)"]
    with sqlite3.connect(source) as conn:
        conn.execute(
            'CREATE TABLE tracker ("Practice Code" TEXT, "New system" TEXT, '
            '"Go Live Date" TEXT, "Notes" TEXT, "=Header" TEXT, "Count" REAL)'
        )
        conn.executemany(
            "INSERT INTO tracker VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("J81009", "EMIS Web", "2026-05-01", formulas[0], formulas[1], -1.5),
                ("L84005", "EMIS", "2026-06-01", formulas[2], "-2", 3),
            ],
        )
    config = tmp_path / "regiondash-sources.toml"
    config.write_text(f'[sources.gloucester]\nurl = "sqlite:///{source}"\ntable = "tracker"\n')
    monkeypatch.setenv("REGIONDASH_SOURCES_FILE", str(config))
    at = open_page("upload")
    next(b for b in at.button if b.label == "Refresh from source").click().run()
    assert any("Stored 2 migrations" in s.value for s in at.success)
    uploads = store.list_uploads(store.connect(fixture_db))
    assert uploads.iloc[0]["file_kind"] == sources.FILE_KIND

    downloads = {}
    real = streamlit.download_button

    def recording(label, data, *args, **kwargs):
        downloads[kwargs.get("key")] = data
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    at.run()
    assert not at.exception
    written = downloads["original"]
    assert written.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))], cells
    assert rows[0][4] == "'=Header"
    assert "'" + formulas[0] in cells and "'" + formulas[2] in cells
    # plain numbers stay numbers; the rows are all there
    assert "-1.5" in cells and len(rows) == 3


def test_an_uploaded_files_original_is_given_back_byte_for_byte(fixture_db, monkeypatch):
    downloads = {}
    real = streamlit.download_button

    def recording(label, data, *args, **kwargs):
        downloads[kwargs.get("key")] = data
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    at = open_page("upload")
    assert not at.exception
    engine = store.connect(fixture_db)
    picked = int(store.list_uploads(engine).iloc[0]["upload_id"])
    assert downloads["original"] == store.upload_content(engine, picked)[1]


def test_a_charts_slide_image_draws_the_uploaders_as_typed(fixture_db, monkeypatch):
    from regiondash.report import images

    store_hostile_tracker(fixture_db)
    drawn = []
    real = images.slide_figure

    def recording(fig, name, as_at, source):
        drawn.append(source)
        return real(fig, name, as_at, source)

    monkeypatch.setattr(images, "chromium_available", lambda: True)
    monkeypatch.setattr(images, "slide_figure", recording)
    monkeypatch.setattr(images, "render", lambda figures, kind: [b"image"] * len(figures))
    at = open_page()
    next(b for b in at.button if b.label == "Make the images").click().run()
    assert not at.exception
    assert drawn and "<img" not in drawn[0] and "&lt;img src=" in drawn[0]
