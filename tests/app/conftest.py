"""A small fixture region whose figures are worked out by hand, and an AppTest factory."""

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from regiondash import store
from regiondash.importing import import_tracker
from regiondash.reference import load_reference

APP = str(Path(__file__).resolve().parents[2] / "app.py")
AS_AT = dt.date(2026, 3, 10)
HEADER = (
    "Practice Code,New supplier,CSU,Status,IDP date,IDP (actual),FDP date,FDP (actual),"
    "Go Live Date,Go-live (actual),Post go live end,Post go live end (actual)"
)

# Worked by hand, as at 10 Mar 2026 (see tests/app/test_pages.py for the figures):
# J81002 11J live on plan; J81006 11J IDP a week late (overran); L83002 15N go live moved
# 16 -> 30 Mar; L83003 15N IDP due 1 Mar not done (overrunning); L84003 11M completed (Vision);
# L84004 11M cancelled.
FIRST_UPLOAD = "\n".join(
    [
        HEADER,
        "J81002,EMIS,SCW CSU,,05/01/2026,05/01/2026,20/02/2026,,02/03/2026,,13/03/2026,",
        "L83002,EMIS,SCW CSU,,,,,,16/03/2026,,,",
    ]
)
SECOND_UPLOAD = "\n".join(
    [
        HEADER,
        "J81002,EMIS,SCW CSU,,05/01/2026,05/01/2026,20/02/2026,20/02/2026,02/03/2026,02/03/2026,"
        "13/03/2026,",
        "J81006,EMIS,SCW CSU,,12/01/2026,19/01/2026,20/03/2026,,30/03/2026,,10/04/2026,",
        "L83002,EMIS,SCW CSU,,,,,,30/03/2026,,,",
        "L83003,EMIS,SCW CSU,,01/03/2026,,10/04/2026,,20/04/2026,,,",
        "L84003,Vision,Other CSU,,,,,,12/01/2026,12/01/2026,23/01/2026,23/01/2026",
        "L84004,EMIS,Other CSU,Cancelled,,,,,01/02/2026,,,",
    ]
)


def _load(url: str) -> None:
    engine = store.connect(url)
    reference = load_reference()
    uploads = [
        ("fixture tracker 2026-02-01.csv", FIRST_UPLOAD, dt.date(2026, 2, 1)),
        ("fixture tracker 2026-03-10.csv", SECOND_UPLOAD, AS_AT),
    ]
    for name, text, as_at in uploads:
        outcome = import_tracker(
            engine,
            text.encode(),
            name,
            reference,
            uploaded_by="Fixture CSU",
            uploaded_at=dt.datetime.combine(as_at, dt.time(9), dt.UTC),
            as_at=as_at,
        )
        assert outcome.status == "stored", outcome.message
    engine.dispose()


@pytest.fixture
def fixture_db(tmp_path, monkeypatch):
    """The fixture region in a fresh SQLite file, named by $REGIONDASH_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'fixture.db'}"
    _load(url)
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", url)
    return url


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    """An empty database."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", url)
    return url


def open_page(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    """Run the app (optionally switched to a page under app_pages/) and return the AppTest."""
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    """The displayed value of the metric with this label."""
    for item in at.metric:
        if item.label == label:
            return item.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")
