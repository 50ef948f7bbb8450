"""When the app cannot open its database, every visitor sees one plain message: where (password
masked), why, and who can fix it — never a traceback or a credential."""

import pytest
from streamlit.testing.v1 import AppTest

from regiondash import store
from tests.app.conftest import APP, metric, open_page
from tests.app.test_upload_page import tracker_xlsx, upload

PASSWORD = "hunter22secret"


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def run_app(page: str | None = None, secret: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if secret is not None:
        at.secrets["database_url"] = secret
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


def assert_plain_database_error(at: AppTest, where: str, why: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1, [e.value for e in at.error]
    message = at.error[0].value
    assert message.startswith(f"The dashboard cannot reach its database ({where}): "), message
    assert why in message
    assert message.endswith("Ask whoever runs regiondash to check its database_url.")
    assert "\n" not in message
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        assert PASSWORD not in str(proto if proto is not None else ""), node


@pytest.mark.parametrize("page", [None, "upload", "risks"])
def test_a_refused_database_is_one_plain_message(monkeypatch, page):
    url = f"postgresql+psycopg://user:{PASSWORD}@127.0.0.1:1/regiondash"
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", url)
    at = run_app(page)
    assert_plain_database_error(
        at, "postgresql+psycopg://user:***@127.0.0.1:1/regiondash", "Connection refused"
    )


@pytest.mark.parametrize(
    ("url", "where", "why"),
    [
        ("nonsense", "nonsense", "this is not a database URL"),
        (
            f"postgresql://user:{PASSWORD}@db:notaport/regiondash",
            "postgresql://user:***@db:notaport/regiondash",
            "this is not a database URL",
        ),
        ("postgresql+nodriver://db/x", "postgresql+nodriver://db/x", "no database driver"),
    ],
)
def test_a_malformed_database_url_is_one_plain_message(monkeypatch, url, where, why):
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", url)
    assert_plain_database_error(run_app(), where, why)


def test_a_malformed_secret_is_one_plain_message(monkeypatch):
    monkeypatch.delenv("REGIONDASH_DATABASE_URL", raising=False)
    at = run_app(secret=f"postgres://user:{PASSWORD}@/")
    assert_plain_database_error(at, "postgres://user:***@/", "names no database")


# The process runs as root in CI, where a chmod 0444 file is still writable; SQLite's own
# read-only flag (?mode=ro) refuses writes whoever runs it.


def test_a_read_only_database_is_read_and_an_upload_says_it_is_read_only(fixture_db, monkeypatch):
    path = fixture_db.removeprefix("sqlite:///")
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    at = open_page()
    assert metric(at, "Migrations in scope") == "6"
    at.switch_page("app_pages/upload.py").run()
    rows = [["J81002", "EMIS", None, None, "02/03/2026", "Live", None]]
    upload(at, "another tracker.xlsx", tracker_xlsx(rows, "As at 20/03/2026"))
    next(b for b in at.button if b.label == "Store this upload").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("the database is read-only" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    assert len(store.list_uploads(store.connect(fixture_db))) == 2  # nothing was stored
