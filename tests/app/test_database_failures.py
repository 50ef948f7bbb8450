"""When the app cannot open its database, every visitor sees one plain message: where (password
masked), why, and who can fix it — never a traceback or a credential."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP

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
