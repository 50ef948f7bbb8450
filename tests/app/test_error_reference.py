"""An unexpected error on a page: one line with a reference, the traceback only in the log."""

import logging
import re

from streamlit.testing.v1 import AppTest

from regiondash import charts
from tests.app.conftest import APP, metric, open_page

REFERENCE = re.compile(
    r"^Something went wrong on this page \(reference ([0-9a-f]{8})\)\. The details are in the "
    r"server's log; give this reference to whoever runs regiondash\.$"
)


def _broken(*args, **kwargs):
    raise RuntimeError("gantt exploded: secret detail")


def test_a_page_that_raises_shows_a_reference_and_logs_the_traceback(
    fixture_db, monkeypatch, caplog
):
    monkeypatch.setattr(charts, "gantt", _broken)
    caplog.set_level(logging.ERROR, logger="regiondash.app")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/timeline.py").run()

    assert not at.exception
    assert len(at.error) == 1
    shown = REFERENCE.match(at.error[0].value)
    assert shown, at.error[0].value
    page_text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.error])
    assert "Traceback" not in page_text
    assert "secret detail" not in page_text
    assert "RuntimeError" not in page_text

    records = [r for r in caplog.records if r.name == "regiondash.app"]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.ERROR
    assert shown.group(1) in record.getMessage()
    assert record.exc_info[0] is RuntimeError
    logged = caplog.text
    assert "Traceback (most recent call last)" in logged
    assert "gantt exploded: secret detail" in logged
    assert shown.group(1) in logged


def test_each_error_gets_its_own_reference(fixture_db, monkeypatch, caplog):
    monkeypatch.setattr(charts, "gantt", _broken)
    caplog.set_level(logging.ERROR, logger="regiondash.app")
    seen = []
    for _ in range(2):
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.switch_page("app_pages/timeline.py").run()
        seen.append(REFERENCE.match(at.error[0].value).group(1))
    assert seen[0] != seen[1]


def test_stop_and_switch_page_are_not_errors(empty_db, caplog):
    # the empty state ends the page with st.stop(): no reference, nothing logged
    caplog.set_level(logging.ERROR, logger="regiondash.app")
    at = open_page("timeline")
    assert at.info[0].value.startswith("No tracker has been uploaded yet")
    assert not at.error
    assert not [r for r in caplog.records if r.name == "regiondash.app"]


def test_pages_that_work_are_untouched(fixture_db, caplog):
    caplog.set_level(logging.ERROR, logger="regiondash.app")
    at = open_page()
    assert metric(at, "Migrations in scope") == "6"
    assert not at.error
    assert not [r for r in caplog.records if r.name == "regiondash.app"]
