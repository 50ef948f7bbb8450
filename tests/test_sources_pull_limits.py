"""A database pull runs in the same limited child as a file's reading: streamed in batches,
stopped once its text passes Limits.max_text_chars, each long cell cut and listed, and every
way the child can end told as a plain SourceProblem without the password."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import sqlite3
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import make_url

from regiondash import sources, store
from regiondash.cli.common import reference_data
from regiondash.importing import STORED, UNREADABLE
from regiondash.ingest.child import ChildRun, run_child
from regiondash.ingest.limits import DEFAULT_LIMITS, Limits
from regiondash.sources import SourceProblem, SourceSpec
from regiondash.sources import fetch as source_fetch
from regiondash.sources import read as source_read

PASSWORD = "s3cret"
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)
AS_AT = dt.date(2026, 3, 5)
MB = 1_000_000


@pytest.fixture(scope="module")
def reference():
    return reference_data()


@pytest.fixture
def child_runs(monkeypatch):
    """Every child a pull starts, as run_child reported it; and the pull's own code made to
    fail loudly should the server process ever run it itself."""
    runs = []

    def recording(*args):
        runs.append(run_child(*args))
        return runs[-1]

    def not_here(*args):
        raise AssertionError("the rows were fetched in the server process")

    monkeypatch.setattr(source_read, "run_child", recording)
    monkeypatch.setattr(source_fetch, "_fetch_rows", not_here)  # the child is a fresh process
    return runs


def _pull(engine, spec, reference, **options):
    options = {"uploaded_by": "test", "uploaded_at": NOW, "as_at": AS_AT} | options
    return sources.pull_source(engine, spec, reference, **options)


@pytest.fixture
def wordy_sqlite(tmp_path):
    """A SQLite source of 1,000 rows, each with 1 MB of text in Notes (made by the view as it is
    read, so the test writes no gigabyte to disk), and a small tracker table."""
    path = tmp_path / "wordy.db"
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE codes ("ODS" TEXT PRIMARY KEY)')
        conn.executemany("INSERT INTO codes VALUES (?)", [(f"J8{i:04d}",) for i in range(1000)])
        conn.execute(
            'CREATE VIEW wordy AS SELECT "ODS", \'EMIS\' AS "New supplier", '
            f'hex(zeroblob({MB // 2})) AS "Notes" FROM codes ORDER BY "ODS"'
        )
        conn.execute(
            'CREATE TABLE tracker ("ODS" TEXT, "New supplier" TEXT, "Go Live Date" TEXT, '
            '"Notes" TEXT)'
        )
        conn.executemany(
            "INSERT INTO tracker VALUES (?, ?, ?, ?)",
            [
                ("J81002", "EMIS", "02/03/2026", "n" * 5000),
                ("J81006", "EMIS", "16/03/2026", "short"),
            ],
        )
    conn.close()
    return f"sqlite:///{path}"


def _assert_refused_for_text(outcome, column: str) -> None:
    assert outcome.status == UNREADABLE
    message = outcome.message
    assert "holds more than 16,000,000 characters of text (in its first 16 rows)" in message
    assert f'Most of it is in column "{column}": 16 cells of text' in message, message
    assert "the longest 1,000,000 characters" in message
    assert message.endswith("Nothing was stored.")
    assert PASSWORD not in message


def test_a_source_of_1000_rows_of_1_mb_text_is_refused_by_the_child(
    wordy_sqlite, sqlite_url, reference, child_runs
):
    engine = store.connect(sqlite_url)
    outcome = _pull(engine, SourceSpec(wordy_sqlite, table="wordy"), reference)
    _assert_refused_for_text(outcome, "Notes")
    assert wordy_sqlite.removeprefix("sqlite:///") in outcome.message  # names the source
    (run,) = child_runs
    assert (run.status, run.reply["status"], run.reply["reason"]) == (
        "ok",
        "refused",
        "too_much_text",
    )
    assert run.reply["message"] == outcome.message
    assert store.list_uploads(engine).empty
    engine.dispose()


def test_a_long_cell_is_cut_to_2000_characters_and_listed(
    wordy_sqlite, sqlite_url, reference, child_runs
):
    grid = sources.read_source(SourceSpec(wordy_sqlite, table="tracker"))
    sheet = grid.sheets[0]
    assert sheet.cut_cells == [(1, 3, 5000)]
    assert sheet.rows[1][3] == "n" * 2000 and sheet.rows[2][3] == "short"
    assert child_runs[0].reply["heavy_modules"] == []
    engine = store.connect(sqlite_url)
    outcome = _pull(engine, SourceSpec(wordy_sqlite, table="tracker"), reference)
    assert outcome.status == STORED, outcome.message
    warnings = [p.message for p in outcome.parsed.problems if p.severity == "warning"]
    assert any(
        "holds 5,000 characters, more than the 2,000" in w and "the first 2,000 were kept" in w
        for w in warnings
    ), warnings
    engine.dispose()


def test_the_pull_child_imports_only_light_modules(wordy_sqlite):
    request = {
        "url": wordy_sqlite,
        "table": "tracker",
        "query": None,
        "timeout_seconds": 30.0,
        "max_rows": 10,
    }
    run = run_child(source_fetch.ENTRY, request, DEFAULT_LIMITS, 60)
    assert (run.status, run.reply["status"]) == ("ok", "ok")
    assert run.reply["heavy_modules"] == []
    assert run.reply["sheet"][0] == "tracker" and run.reply["backend"] == "sqlite"


def test_a_pull_past_its_time_or_reply_size_is_stopped(wordy_sqlite, child_runs):
    forever = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n"
    with pytest.raises(SourceProblem) as raised:
        sources.read_source(
            SourceSpec(wordy_sqlite, query=forever), limits=Limits(worker_seconds=1)
        )
    assert raised.value.reason == "timeout"
    assert "took longer than 1 second in all, so it was stopped" in raised.value.message
    assert child_runs[-1].status == "timeout"
    with pytest.raises(SourceProblem) as raised:
        sources.read_source(
            SourceSpec(wordy_sqlite, table="tracker"), limits=Limits(max_reply_bytes=2000)
        )
    assert raised.value.reason == "reply_too_large"
    assert "more than the 2 KB of cell data one upload may hold" in raised.value.message
    assert child_runs[-1].reply["status"] == "reply_too_large"  # refused in the child itself
    with pytest.raises(SourceProblem) as raised:
        sources.read_source(SourceSpec(wordy_sqlite, table="wordy"), max_rows=10)
    assert raised.value.reason == "too_many_rows"
    assert "returned more than 10 rows" in raised.value.message


URL = f"postgresql+psycopg://reader:{PASSWORD}@db.example:5432/tracking"


@pytest.mark.parametrize(
    ("run", "reason", "words"),
    [
        (ChildRun("timeout", None, -9, b"", 120.0), "timeout", "took longer than 120 seconds"),
        (ChildRun("ok", {"status": "memory"}, 0, b"", 1.0), "memory", "more than the 3.0 GB"),
        (
            ChildRun("died", None, 1, f"MemoryError (dsn password={PASSWORD})".encode(), 1.0),
            "memory",
            "of memory allowed for one pull",
        ),
        (ChildRun("died", None, -signal.SIGKILL, b"", 1.0), "memory", "of memory allowed"),
        (ChildRun("reply_too_large", None, -9, b"", 1.0), "reply_too_large", "64.0 MB"),
        (
            ChildRun("ok", {"status": "reply_too_large", "bytes": 10**9}, 0, b"", 1.0),
            "reply_too_large",
            "of cell data one upload may hold",
        ),
        (
            ChildRun("died", None, -signal.SIGSEGV, f"password={PASSWORD}".encode(), 1.0),
            "reader_crashed",
            "stopped unexpectedly",
        ),
        (ChildRun("died", None, None, b"start failed", 0.0), "reader_crashed", "unexpectedly"),
        (
            ChildRun("ok", {"status": "refused", "message": "No.", "reason": "role"}, 0, b"", 1),
            "role",
            "No.",
        ),
    ],
)
def test_every_way_the_child_ends_is_a_plain_refusal(run, reason, words, caplog):
    caplog.set_level(logging.INFO)
    problem = source_read._problem(run, sources.describe_url(URL), URL, DEFAULT_LIMITS)
    assert (problem.reason, words in problem.message) == (reason, True), problem.message
    assert PASSWORD not in problem.message + caplog.text
    if reason not in ("role", "reply_too_large"):
        assert reason == "timeout" or "reader:***@db.example" in problem.message


# --------------------------------------------------------------------------------------------
# PostgreSQL


@pytest.fixture
def pg_reader(postgres_url):
    """A schema of its own in the test's database, and a role that may only SELECT it:
    (that role's URL with a password, the schema, a superuser's engine)."""
    engine = sa.create_engine(postgres_url)
    reader = f"regiondash_reader_{uuid.uuid4().hex[:12]}"
    schema = f"pull_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        conn.exec_driver_sql(f"CREATE ROLE {reader} LOGIN")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {reader}")
        conn.exec_driver_sql(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {reader}"
        )
    url = make_url(postgres_url).set(username=reader, password=PASSWORD)
    yield url.render_as_string(hide_password=False), schema, engine
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        conn.exec_driver_sql(f"DROP OWNED BY {reader}")
        conn.exec_driver_sql(f"DROP ROLE {reader}")
    engine.dispose()


@pytest.mark.postgres
def test_a_postgresql_table_of_1000_rows_of_1_mb_text_is_refused_by_the_child(
    pg_reader, sqlite_url, reference, child_runs
):
    url, schema, source = pg_reader
    with source.begin() as conn:
        try:  # lz4 compresses the gigabyte ten times faster than pglz, where the server has it
            with conn.begin_nested():
                conn.exec_driver_sql("SET LOCAL default_toast_compression = 'lz4'")
        except sa.exc.DBAPIError:
            pass
        conn.exec_driver_sql(
            f'CREATE TABLE {schema}.tracker (id int PRIMARY KEY, "Practice Code" text, '
            '"New system" text, "Comments" text)'
        )
        conn.exec_driver_sql(
            f"INSERT INTO {schema}.tracker SELECT i, 'J8' || lpad(i::text, 4, '0'), 'EMIS', "
            f"repeat('x', {MB}) FROM generate_series(1, 1000) i"
        )
    engine = store.connect(sqlite_url)
    outcome = _pull(engine, SourceSpec(url, table=f"{schema}.tracker"), reference)
    _assert_refused_for_text(outcome, "Comments")
    assert "***@" in outcome.message
    (run,) = child_runs
    assert (run.reply["status"], run.reply["reason"]) == ("refused", "too_much_text")
    assert store.list_uploads(engine).empty
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_values_come_back_through_the_child_as_they_were(pg_reader, child_runs):
    url, schema, source = pg_reader
    with source.begin() as conn:
        conn.exec_driver_sql(f'CREATE TABLE {schema}.t ("Practice Code" text, "Notes" text)')
        conn.exec_driver_sql(f"INSERT INTO {schema}.t VALUES ('J81002', repeat('y', 5000))")
    query = (
        'SELECT "Practice Code", "Notes", TIMESTAMPTZ \'2026-03-02 10:00:00+00\' AS "At", '
        f"DATE '2026-03-02' AS \"On\", 2.5::numeric AS n FROM {schema}.t"
    )
    grid = sources.read_source(SourceSpec(url, query=query))
    sheet = grid.sheets[0]
    assert sheet.rows[0] == ["Practice Code", "Notes", "At", "On", "n"]
    code, notes, at, on, n = sheet.rows[1]
    assert (code, notes, on, n) == ("J81002", "y" * 2000, dt.date(2026, 3, 2), 2.5)
    assert at == dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC) and at.utcoffset() is not None
    assert sheet.cut_cells == [(1, 1, 5000)]
    assert child_runs[0].reply["heavy_modules"] == []
