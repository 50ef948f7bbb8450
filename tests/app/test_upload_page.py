"""The Upload page on real-shaped trackers: the as-at date from the title rows, how one-date
milestones are read, which tracker an upload replaces, suggested columns, and every page moving
to the new picture once it is stored."""

import datetime as dt
import io

import openpyxl

from regiondash import store
from tests.app.conftest import metric, open_page

TITLE = "Last updated: 03/11/2026"
HEADER = ["Practice Code", "New system", "Kick off", "IDP", "Go Live", "Status", "Trackng updtd"]
# As at 3 Nov 2026, one date per milestone:
# J81009 live: every date passed -> live; L84005 "In progress", go live 20/10 passed -> overdue
ROWS = [
    [
        "J81009",
        "EMIS",
        dt.datetime(2026, 8, 3),
        dt.datetime(2026, 9, 1),
        "12/10/2026",
        "Live",
        None,
    ],
    [
        "L84005",
        "EMIS",
        dt.datetime(2026, 8, 10),
        dt.datetime(2026, 9, 7),
        "20/10/2026",
        "In Progress",
        None,
    ],
]


def tracker_xlsx(rows=ROWS, title=TITLE) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["West Yorkshire GP system migrations"])
    sheet.append([title])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(at, name: str, content: bytes):
    at.get("file_uploader")[0].set_value((name, content, "application/octet-stream")).run()
    return at


def test_the_as_at_date_comes_from_the_title_rows(fixture_db):
    at = upload(open_page("upload"), "wy.xlsx", tracker_xlsx())
    assert at.date_input(key="as-at-wy.xlsx").value == dt.date(2026, 11, 3)
    assert any("Found in the file's title rows" in c.value for c in at.caption)


def test_without_a_date_in_the_title_the_tracker_is_as_at_today(fixture_db):
    at = upload(open_page("upload"), "wy.xlsx", tracker_xlsx(title="GP migrations"))
    assert at.date_input(key="as-at-wy.xlsx").value == dt.date.today()
    assert any("give no date, so today is used" in c.value for c in at.caption)


def test_the_page_says_how_one_date_milestones_are_read_and_lets_the_user_choose(fixture_db):
    at = upload(open_page("upload"), "wy.xlsx", tracker_xlsx())
    said = [i.value for i in at.info if "One date per milestone" in i.value]
    assert said == [
        "One date per milestone (Kickoff, Initial data production (IDP), Go live): dates up to "
        "3 Nov 2026 treated as done, later dates as plans; go live and later stay plans for "
        "rows whose Status says they are not live"
    ]
    choice = at.radio(key="single-wy.xlsx")
    assert choice.value == "by-date"
    choice.set_value("plans").run()
    assert any("read as all plans" in i.value for i in at.info)
    assert at.radio(key="single-wy.xlsx").value == "plans"


def test_a_suggested_column_is_used_with_one_click(fixture_db):
    at = upload(open_page("upload"), "wy.xlsx", tracker_xlsx())
    assert any("**Trackng updtd** is not used" in m.value for m in at.markdown)
    next(b for b in at.button if b.label.startswith("Use it as Tracking record updated")).click()
    at.run()
    assert not any("**Trackng updtd** is not used" in m.value for m in at.markdown)
    assert any("Trackng updtd → tracking_updated" in c.value for c in at.caption)


def test_storing_replaces_the_chosen_tracker_and_every_page_moves_to_it(fixture_db):
    at = open_page()
    assert metric(at, "Migrations in scope") == "6"
    at.switch_page("app_pages/upload.py").run()
    # a renamed copy of the fixture tracker, holding two of its practices (J81002, L83002)
    rows = [
        ["J81002", "EMIS", None, None, "02/03/2026", "Live", None],
        ["L83002", "EMIS", None, None, "06/04/2026", "Planned", None],
    ]
    upload(at, "Copy of fixture tracker v2.xlsx", tracker_xlsx(rows, "As at 20/03/2026"))
    picker = at.selectbox(key="tracker-Copy of fixture tracker v2.xlsx")
    assert picker.value == "fixture tracker"
    assert "same file name" in picker.format_func(picker.value)
    at.text_input(key="uploaded_by").input("WY lead").run()
    next(b for b in at.button if b.label == "Store this upload").click().run()
    assert any("Replaces tracker" in s.value for s in at.success)
    uploads = store.list_uploads(store.connect(fixture_db))
    assert uploads.iloc[0]["tracker"] == "fixture tracker"
    assert uploads.iloc[0]["as_at"] == dt.datetime(2026, 3, 20)

    at.switch_page("app_pages/overview.py").run()
    # the session was showing the latest data, so it follows the new upload: the four
    # migrations left out of the tracker's newest upload have left the picture
    assert "Data as at **20 Mar 2026** — 2 migrations" in at.caption[0].value
    assert metric(at, "Migrations in scope") == "2"


def test_a_file_already_stored_is_said_before_storing(fixture_db):
    content = tracker_xlsx()
    at = upload(open_page("upload"), "wy.xlsx", content)
    at.text_input(key="uploaded_by").input("WY lead").run()
    next(b for b in at.button if b.label == "Store this upload").click().run()
    upload_id = int(store.list_uploads(store.connect(fixture_db)).iloc[0]["upload_id"])
    assert any('A new tracker "wy" (chosen)' in s.value for s in at.success)
    at = upload(at, "wy again.xlsx", content)  # the same bytes under another name
    said = [i.value for i in at.info if "identical" in i.value]
    assert said == [
        f"This file is identical to upload {upload_id}, already stored: storing it again "
        "changes nothing."
    ]
    assert next(b for b in at.button if b.label == "Store this upload").disabled


def test_replacing_a_tracker_says_what_leaves_and_a_new_tracker_is_always_offered(fixture_db):
    rows = [["J81002", "EMIS", None, None, "02/03/2026", "Live", None]]
    at = upload(open_page("upload"), "fixture tracker v9.xlsx", tracker_xlsx(rows))
    picker = at.selectbox(key="tracker-fixture tracker v9.xlsx")
    # the same name once the version is left out, and always a new tracker too
    assert picker.options[0].startswith('Replaces tracker "fixture tracker" (same file name')
    assert picker.options[-1] == 'A new tracker, "fixture tracker (new)"'
    # the fixture tracker's latest upload holds 6 migrations; this file holds J81002 only
    assert any(
        '"fixture tracker" holds 6 migrations in its latest upload; **5 of them are not in this '
        "file and will leave the picture**" in c.value
        for c in at.caption
    )
