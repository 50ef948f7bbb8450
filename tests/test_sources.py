"""Database sources: a CSU's tracking table read like a tracker, read-only, on PostgreSQL and
SQLite; the same rows through a CSV import give the same upload."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sqlite3
import uuid
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import make_url

from regiondash import changes, sources, store
from regiondash.cli.common import reference_data
from regiondash.cli.sources import add_import_db_parser
from regiondash.importing import import_tracker
from regiondash.ingest.child import ChildRun
from regiondash.sources import SourceProblem, SourceSpec, check_select
from regiondash.sources import fetch as source_fetch
from regiondash.sources import read as source_read

PASSWORD = "s3cret"  # trust auth ignores it; it must still never be shown
D = dt.date
WIDE_COLUMNS = [
    "Practice Code",
    "Practice Name",
    "Current system",
    "New system",
    "Status",
    "IDP date",
    "FDP date",
    "Go Live Date",
    "Go-live (actual)",
    "Notes",
    "Budget",
]
WIDE_ROWS = [
    (
        "J81002",
        "Orchid House Surgery",
        "TPP",
        "EMIS",
        "Live",
        D(2026, 1, 5),
        D(2026, 2, 20),
        D(2026, 3, 2),
        D(2026, 3, 2),
        "went well",
        Decimal("1200.50"),
    ),
    (
        "J81006",
        None,
        None,
        "EMIS Web",
        "In progress",
        D(2026, 1, 12),
        None,
        D(2026, 3, 16),
        None,
        None,
        None,
    ),
    (
        "J81009",
        "Royal Manor",
        "S1",
        "EMIS",
        "Planned",
        None,
        None,
        D(2026, 5, 11),
        None,
        "bank holiday week",
        Decimal("0"),
    ),
    (
        "j81010 ",
        "Swanage",
        "TPP",
        "Emis Web",
        "Planned",
        D(2026, 3, 2),
        D(2026, 4, 20),
        D(2026, 4, 27),
        None,
        None,
        None,
    ),
    (
        "Y99999",
        "Not in the mapping",
        "Vision",
        "SystmOne",
        "In progress",
        D(2026, 2, 2),
        None,
        D(2026, 3, 30),
        D(2026, 3, 30),
        None,
        None,
    ),
]
LONG_COLUMNS = [
    "Practice Code",
    "New system",
    "Phase",
    "Planned start",
    "Planned end",
    "Actual start",
    "Actual end",
]
LONG_ROWS = [
    (
        "J81011",
        "EMIS",
        "Initial data production (IDP)",
        D(2026, 2, 2),
        D(2026, 2, 2),
        D(2026, 2, 3),
        D(2026, 2, 3),
    ),
    ("J81011", "EMIS", "Data checking", D(2026, 2, 3), D(2026, 2, 20), D(2026, 2, 4), None),
    ("J81011", "EMIS", "Go live", D(2026, 3, 23), D(2026, 3, 23), None, None),
    ("J81012", "EMIS", "Go live", D(2026, 4, 13), D(2026, 4, 13), None, None),
]
PG_TYPES = {
    "IDP date": "date",
    "FDP date": "date",
    "Go Live Date": "date",
    "Go-live (actual)": "date",
    "Planned start": "date",
    "Planned end": "date",
    "Actual start": "date",
    "Actual end": "date",
    "Budget": "numeric(10,2)",
}
AS_AT = D(2026, 3, 5)
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def reference():
    return reference_data()


def _create(columns: list[str], table: str, types: dict[str, str], key: str) -> str:
    cols = ", ".join(f'"{c}" {types.get(c, "text")}' for c in columns)
    return f"CREATE TABLE {table} ({key}{cols})"


def _insert(conn, table: str, columns: list[str], rows) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(f":p{i}" for i in range(len(columns)))
    statement = sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks})")
    conn.execute(statement, [{f"p{i}": v for i, v in enumerate(row)} for row in rows])


@pytest.fixture
def pg_source(postgres_url):
    """A CSU's tracking schema on PostgreSQL: a wide table, a long table, a view and a function
    that writes, read as a role that may only SELECT the csu schema. Returns (that role's URL
    with a password, a superuser's engine for the test to change the source)."""
    engine = sa.create_engine(postgres_url)
    reader = f"regiondash_reader_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA csu")
        conn.exec_driver_sql(
            _create(WIDE_COLUMNS, "csu.migration_tracker", PG_TYPES, "id serial PRIMARY KEY, ")
        )
        _insert(conn, "csu.migration_tracker", WIDE_COLUMNS, WIDE_ROWS)
        conn.exec_driver_sql(
            _create(LONG_COLUMNS, "csu.migration_phases", PG_TYPES, "id serial PRIMARY KEY, ")
        )
        _insert(conn, "csu.migration_phases", LONG_COLUMNS, LONG_ROWS)
        conn.exec_driver_sql(
            'CREATE VIEW csu.planned AS SELECT "Practice Code", "New system", "Go Live Date" '
            "FROM csu.migration_tracker WHERE \"Status\" = 'Planned'"
        )
        conn.exec_driver_sql(
            "CREATE FUNCTION csu.touch() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE csu.migration_tracker SET \"Notes\" = 'touched'; RETURN 1; END $$"
        )
        conn.exec_driver_sql(f"CREATE ROLE {reader} LOGIN")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA csu TO {reader}")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA csu TO {reader}")
        conn.exec_driver_sql(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA csu GRANT SELECT ON TABLES TO {reader}"
        )
    url = make_url(postgres_url).set(username=reader, password=PASSWORD)
    yield url.render_as_string(hide_password=False), engine
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {reader}")  # its grants and default privileges
        conn.exec_driver_sql(f"DROP ROLE {reader}")
    engine.dispose()


def _fingerprint(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT * FROM csu.migration_tracker ORDER BY id").fetchall()


@pytest.fixture
def sqlite_source(tmp_path):
    """A CSU's tracker kept in a SQLite file, dates typed as text the way Access exports do."""
    path = tmp_path / "dorset tracking.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            'CREATE TABLE tracker ("ODS" TEXT, "New supplier" TEXT, "Go Live Date" '
            'TEXT, "Go-live (actual)" TEXT, "Phase" INTEGER)'
        )
        conn.executemany(
            "INSERT INTO tracker VALUES (?, ?, ?, ?, ?)",
            [
                ("J81002", "EMIS", "02/03/2026", "2026-03-02", 11),
                ("J81006", "EMIS", "16/03/2026", None, 6),
                ("J81009", "EMIS", "TBC", None, None),
            ],
        )
    conn.close()
    return f"sqlite:///{path}", path


def run(capsys, *argv):
    """`regiondash import-db ...` through a parser holding only add_import_db_parser."""
    parser = argparse.ArgumentParser(prog="regiondash")
    add_import_db_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["import-db", *argv])
    code = args.func(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _pull(engine, spec, reference, **options):
    options = {"uploaded_by": "test", "uploaded_at": NOW, "as_at": AS_AT} | options
    return sources.pull_source(engine, spec, reference, **options)


def _pull_in_process(entry, request, limits, timeout):
    """run_child's stand-in: the pull child's work done in this process, so a test can stand in
    for the driver; its reply takes the same way back."""
    assert entry == source_fetch.ENTRY
    reply = source_fetch.pull({**request, "limits": asdict(limits)})
    return ChildRun("ok", reply, 0, b"", 0.0)


def _csv(columns, rows) -> bytes:
    """The same rows as a CSU would save them from Excel: UK dates, blanks for missing."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            ["" if v is None else f"{v:%d/%m/%Y}" if isinstance(v, dt.date) else v for v in row]
        )
    return out.getvalue().encode()


def _same_as_csv(tmp_path, reference, db_store, upload_id, columns, rows) -> None:
    """A CSV import of the same rows stores the same migrations, phases and problems."""
    csv_store = store.connect(f"sqlite:///{tmp_path / 'csv.db'}")
    outcome = import_tracker(
        csv_store,
        _csv(columns, rows),
        "tracker.csv",
        reference,
        uploaded_by="test",
        uploaded_at=NOW,
        as_at=AS_AT,
    )
    assert outcome.status == "stored", outcome.message
    from_db, from_csv = (
        store.upload_rows(db_store, upload_id),
        store.upload_rows(csv_store, outcome.upload_id),
    )
    local = ["sheet", "source_row"]  # where the row was: the table's row vs the file's line
    pd.testing.assert_frame_equal(from_db[0].drop(columns=local), from_csv[0].drop(columns=local))
    pd.testing.assert_frame_equal(from_db[1], from_csv[1])
    db_problems = store.upload_problems(db_store, upload_id)
    csv_problems = store.upload_problems(csv_store, outcome.upload_id)
    assert list(db_problems["row"]) == [r - 1 for r in csv_problems["row"]]  # header: line 1
    keep = ["severity", "column", "value", "message"]
    pd.testing.assert_frame_equal(db_problems[keep], csv_problems[keep])
    csv_store.dispose()


# --------------------------------------------------------------------------------------------
# PostgreSQL


@pytest.mark.postgres
def test_wide_table_stores_what_the_same_csv_stores(pg_source, sqlite_url, tmp_path, reference):
    url, _ = pg_source
    engine = store.connect(sqlite_url)
    outcome = _pull(engine, SourceSpec(url, table="csu.migration_tracker"), reference)
    assert outcome.status == "stored", outcome.message
    assert outcome.message.startswith('Stored 5 migrations from source "csu.migration_tracker"')
    columns = WIDE_COLUMNS
    _same_as_csv(tmp_path, reference, engine, outcome.upload_id, columns, WIDE_ROWS)
    upload = store.list_uploads(engine).iloc[0]
    assert (upload["file_kind"], upload["file_name"], upload["sheet"]) == (
        "database",
        "csu.migration_tracker.csv",
        "csu.migration_tracker",
    )
    _, original = store.upload_content(engine, outcome.upload_id)
    assert original.decode().splitlines()[1].startswith("1,J81002,Orchid House Surgery,TPP")
    assert PASSWORD not in " ".join(outcome.parsed.notes)
    assert outcome.parsed.notes[0].startswith('Read 5 rows from table "csu.migration_tracker"')
    warnings = {(w.row, w.column) for w in outcome.parsed.warnings}
    # unknown code, an actual after the as-at date; and j81010's Status says Planned though its
    # one-date IDP (2 Mar) has passed
    assert warnings == {(5, "Practice Code"), (5, "Go-live (actual)"), (4, "Status")}


@pytest.mark.postgres
def test_long_table_and_a_view(pg_source, sqlite_url, tmp_path, reference):
    url, _ = pg_source
    engine = store.connect(sqlite_url)
    outcome = _pull(engine, SourceSpec(url, table="csu.migration_phases"), reference)
    assert outcome.status == "stored", outcome.message
    assert outcome.parsed.match.layout == "long"
    _same_as_csv(tmp_path, reference, engine, outcome.upload_id, LONG_COLUMNS, LONG_ROWS)
    _, phases = store.upload_rows(engine, outcome.upload_id)
    assert len(phases) == 4
    view = _pull(engine, SourceSpec(url, table="csu.planned", name="planned"), reference)
    assert view.status == "stored", view.message
    migrations, _ = store.upload_rows(engine, view.upload_id)
    assert sorted(migrations["ods_code"]) == ["J81009", "J81010"]


@pytest.mark.postgres
def test_error_row_is_the_result_row_and_the_column_name(pg_source, sqlite_url, capsys):
    url, source = pg_source
    with source.begin() as conn:
        _insert(conn, "csu.migration_tracker", WIDE_COLUMNS[:4], [("J8100", None, "TPP", "EMIS")])
    code, out, _ = run(
        capsys, url, "--table", "csu.migration_tracker", "--db", sqlite_url, "--json"
    )
    result = json.loads(out)
    assert (code, result["status"], result["upload_id"]) == (1, "rejected", None)
    assert [(e["sheet"], e["row"], e["column"], e["value"]) for e in result["errors"]] == [
        ("csu.migration_tracker", 6, "Practice Code", "J8100")
    ]
    assert store.list_uploads(store.connect(sqlite_url)).empty
    code, out, _ = run(
        capsys,
        url,
        "--table",
        "csu.migration_tracker",
        "--db",
        sqlite_url,
        "--json",
        "--accept-valid-rows",
        "--as-at",
        "2026-03-05",
    )
    result = json.loads(out)
    assert (code, result["status"], result["migrations"], result["rows_set_aside"]) == (
        0,
        "stored",
        5,
        1,
    )
    aside = store.set_aside_rows(store.connect(sqlite_url), result["upload_id"])
    assert (aside.iloc[0]["row"], aside.iloc[0]["values"]["Practice Code"]) == (6, "J8100")


@pytest.mark.postgres
def test_unchanged_source_then_go_live_moved_shows_as_slippage(pg_source, sqlite_url, reference):
    url, source = pg_source
    engine = store.connect(sqlite_url)
    spec = SourceSpec(url, table="csu.migration_tracker", name="Dorset")
    assert sources.last_pull(engine, spec) is None
    first = _pull(engine, spec, reference, as_at=D(2026, 2, 1))
    again = _pull(engine, spec, reference, as_at=D(2026, 2, 8))
    assert (first.status, again.status, again.upload_id) == ("stored", "unchanged", first.upload_id)
    assert (
        again.message == 'Source "Dorset" is unchanged since upload 1 (the same rows); '
        "nothing stored"
    )
    assert len(store.list_uploads(engine)) == 1
    with source.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE csu.migration_tracker SET \"Go Live Date\" = '2026-06-01' "
            "WHERE \"Practice Code\" = 'J81009'"
        )
    moved = _pull(engine, spec, reference, as_at=D(2026, 2, 15))
    assert moved.status == "stored"
    assert len(store.list_uploads(engine)) == 2
    assert sources.last_pull(engine, spec)["upload_id"] == moved.upload_id
    assert sources.last_pull(engine, "Dorset")["file_kind"] == "database"
    slippage = changes.go_live_slippage(store.phase_history(engine, "go_live"))
    row = slippage.set_index("migration_id").loc["J81009:SystmOne>EMIS Web"]
    assert (row["uploads"], row["moves"], row["days_moved"]) == (2, 1, 21)
    assert slippage["moves"].sum() == 1


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("UPDATE csu.migration_tracker SET \"Notes\" = 'x'", "starts with UPDATE, not SELECT"),
        ("SELECT 1; DROP TABLE csu.migration_tracker", "more than one statement"),
        (
            "WITH gone AS (DELETE FROM csu.migration_tracker RETURNING *) SELECT * FROM gone",
            "contains DELETE",
        ),
        ("SELECT * INTO csu.copy FROM csu.migration_tracker", "SELECT … INTO"),
        ("SELECT * FROM csu.migration_tracker FOR UPDATE", "contains UPDATE"),
    ],
)
def test_a_query_that_would_write_is_refused_and_the_source_is_unchanged(
    pg_source, sqlite_url, capsys, query, why
):
    url, source = pg_source
    before = _fingerprint(source)
    code, out, err = run(capsys, url, "--query", query, "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert (code, result["status"]) == (2, "unreadable")
    message = result["errors"][0]["message"]
    assert message.startswith("The source query was refused") and why in message, message
    assert PASSWORD not in out + err
    assert _fingerprint(source) == before
    assert store.list_uploads(store.connect(sqlite_url)).empty


@pytest.mark.postgres
def test_a_select_calling_a_writing_function_is_refused_and_stopped_by_the_read_only_transaction(
    pg_source, sqlite_url, capsys, monkeypatch
):
    url, source = pg_source
    before = _fingerprint(source)
    query = 'SELECT csu.touch() AS "Practice Code"'
    code, out, err = run(capsys, url, "--query", query, "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert (code, result["status"]) == (2, "unreadable")
    assert "it calls csu.touch, which regiondash does not allow" in result["message"]
    monkeypatch.setattr(source_read, "check_select", lambda sql, dialect: sql)  # first guard gone
    code, out, err = run(capsys, url, "--query", query, "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert (code, result["status"]) == (2, "unreadable")
    assert "is opened read-only" in result["message"]
    assert "read-only transaction" in result["message"]  # the server's own words
    assert PASSWORD not in out + err
    assert _fingerprint(source) == before
    assert store.list_uploads(store.connect(sqlite_url)).empty


@pytest.mark.postgres
def test_queries_read_with_percent_signs_casts_and_comments(pg_source, reference):
    url, _ = pg_source
    query = (
        "-- only Dorset's EMIS moves; a ; in a comment is fine\n"
        'SELECT "Practice Code", "New system", "Go Live Date"::date AS "Go Live Date" '
        "FROM csu.migration_tracker WHERE \"New system\" LIKE 'EMIS%' ORDER BY id;"
    )
    parsed = sources.parse_source(SourceSpec(url, query=query), reference)
    assert parsed.errors == [] and parsed.rows.rows_read == 3
    assert parsed.workbook.sheets[0].name == "query"


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "spec", "reason", "words"),
    [
        ({"port": 1}, {"table": "csu.migration_tracker"}, "unreachable", "cannot be reached"),
        (
            {"database": "no_such_tracking_db"},
            {"table": "csu.migration_tracker"},
            "unreachable",
            'database "no_such_tracking_db" does not exist',
        ),
        (
            {},
            {"table": "csu.migration_trackr"},
            "no_table",
            'no table or view "csu.migration_trackr"',
        ),
        ({}, {"query": "SELECT * FROM csu.nothing_here"}, "no_table", "does not exist"),
        (
            {},
            {"query": "SELECT count(*) FROM generate_series(1, 10000000000)"},
            "timeout",
            "took longer than 1 second",
        ),
    ],
)
def test_unreadable_sources_say_why_without_the_password_and_store_nothing(
    pg_source, sqlite_url, capsys, caplog, change, spec, reason, words
):
    url = make_url(pg_source[0]).set(**change).render_as_string(hide_password=False)
    with pytest.raises(SourceProblem) as raised:
        sources.read_source(SourceSpec(url, **spec), timeout_seconds=1)
    assert raised.value.reason == reason
    assert words in raised.value.message
    assert raised.value.exit_code == 2
    option = ["--table", spec["table"]] if "table" in spec else ["--query", spec["query"]]
    if reason != "timeout":  # the CLI waits the full 30 seconds; read_source showed it above
        code, out, err = run(capsys, url, *option, "--db", sqlite_url, "--json")
        result = json.loads(out)
        assert (code, result["status"]) == (2, "unreadable")
        assert words in result["errors"][0]["message"]
        assert PASSWORD not in out + err
        assert store.list_uploads(store.connect(sqlite_url)).empty
    assert PASSWORD not in raised.value.message + caplog.text
    assert "***" in raised.value.message or reason == "no_table"


@pytest.mark.postgres
def test_a_table_name_in_another_case_is_found_and_names_are_quoted(pg_source, reference):
    url, source = pg_source
    with source.begin() as conn:
        conn.exec_driver_sql('CREATE TABLE csu."Tracker; DROP TABLE x" ("ODS" text, "To" text)')
        conn.exec_driver_sql("INSERT INTO csu.\"Tracker; DROP TABLE x\" VALUES ('J81002','EMIS')")
    parsed = sources.parse_source(SourceSpec(url, table="CSU.Migration_Tracker"), reference)
    assert parsed.rows.rows_read == 5
    odd = sources.parse_source(SourceSpec(url, table='csu."Tracker; DROP TABLE x"'), reference)
    assert odd.rows.rows_read == 1 and odd.errors == []


def _server_state(engine: sa.Engine, victim_pid: int) -> dict:
    """What a side effect would change: the source's rows, large objects, replication slots,
    and whether another session is still there."""
    with engine.connect() as conn:
        one = conn.exec_driver_sql
        return {
            "rows": _fingerprint(engine),
            "large_objects": one("SELECT count(*) FROM pg_largeobject_metadata").scalar(),
            "slots": one("SELECT slot_name FROM pg_replication_slots ORDER BY 1").fetchall(),
            "victim": one(
                f"SELECT count(*) FROM pg_stat_activity WHERE pid = {victim_pid}"
            ).scalar(),
        }


# fixed, so every xdist worker collects the same test ids; the query is refused before it runs
PROBE_FILE = "/tmp/regiondash_probe_lo_export_must_not_exist"
SIDE_EFFECTS = [
    (
        "SELECT \"dblink_exec\"('dbname=' || current_database(), "
        "'DELETE FROM csu.migration_tracker')",
        "dblink_exec",
    ),
    ("SELECT * FROM dblink_exec('dbname=x', 'DELETE FROM csu.migration_tracker')", "dblink_exec"),
    (f"SELECT \"lo_export\"(lo_from_bytea(0, 'x'), '{PROBE_FILE}')", "lo_export"),
    (f"SELECT pg_catalog.\"lo_export\"(1, '{PROBE_FILE}')", "pg_catalog.lo_export"),
    ("SELECT lo_from_bytea(0, 'x')", "lo_from_bytea"),
    ('SELECT "pg_terminate_backend"({victim})', "pg_terminate_backend"),
    ("SELECT pg_catalog.pg_cancel_backend({victim})", "pg_catalog.pg_cancel_backend"),
    ("SELECT \"pg_read_file\"('/etc/passwd')", "pg_read_file"),
    (
        "SELECT pg_create_physical_replication_slot('regiondash_probe')",
        "pg_create_physical_replication_slot",
    ),
    (
        "SELECT pg_catalog.\"set_config\"('transaction_read_only', 'off', true)",
        "pg_catalog.set_config",
    ),
    ('SELECT U&"\\0070g_sleep"(0.1)', "pg_sleep"),
    ("SELECT U&\"!0070g_sleep\" UESCAPE '!' (0.1)", "pg_sleep"),
    ("SELECT pg_/**/sleep(0.1)", "sleep"),
    ('SELECT lower(x) FROM (SELECT /* lower( */ "pg_sleep"(0.1)::text AS x) t', "pg_sleep"),
    ("SELECT $$ a $$ AS a, -- pg_sleep(\n \"nextval\"('csu.migration_tracker_id_seq')", "nextval"),
    ('SELECT "Practice Code" FROM csu.migration_tracker WHERE "like"(1)', "like"),
]


@pytest.fixture
def victim(postgres_url):
    """Another session on the server, which no source query may stop."""
    plain = make_url(postgres_url).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False)) as conn:
        yield conn.info.backend_pid


@pytest.mark.postgres
@pytest.mark.parametrize(("query", "name"), SIDE_EFFECTS)
def test_a_query_calling_a_function_with_side_effects_is_refused_before_it_runs(
    pg_source, victim, sqlite_url, capsys, monkeypatch, query, name
):
    url, source = pg_source
    with source.begin() as conn:  # dblink, if this server has it, so a call would really write
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS dblink")
        except sa.exc.DBAPIError:
            pass  # not installed here: the call is still refused by the allow-list
    query = query.replace("{victim}", str(victim))
    before = _server_state(source, victim)
    connected = []
    monkeypatch.setattr(source_read, "run_child", lambda *a: connected.append(a))  # never reached
    code, out, err = run(capsys, url, "--query", query, "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert (code, result["status"], connected) == (2, "unreadable", [])
    assert result["errors"][0]["message"] == (
        f"The source query was refused: it calls {name}, which regiondash does not allow in a "
        "source query; only functions that just read, such as lower, coalesce and to_date, are "
        "allowed. Nothing was read or stored."
    )
    assert PASSWORD not in out + err
    assert _server_state(source, victim) == before
    assert before["victim"] == 1 and not Path(PROBE_FILE).exists()
    assert store.list_uploads(store.connect(sqlite_url)).empty


LEGITIMATE = [
    (
        'WITH t AS (SELECT lower("Status") AS s, coalesce("Notes", \'-\') AS n, '
        "to_date('02/03/2026', 'DD/MM/YYYY') AS d FROM csu.migration_tracker) "
        "SELECT s, count(*) AS n, max(d) AS d FROM t GROUP BY s ORDER BY s",
        3,
    ),
    (
        'SELECT m."Practice Code", count(p.id) AS phases FROM csu.migration_tracker m '
        'LEFT JOIN csu.migration_phases p ON upper(trim(m."Practice Code")) = p."Practice Code" '
        'GROUP BY m."Practice Code" ORDER BY 1',
        5,
    ),
    (
        'WITH n(code, live) AS (SELECT "Practice Code", "Go Live Date" FROM csu.migration_tracker) '
        "SELECT code, date_trunc('month', live)::date AS month, extract(year FROM live) AS y, "
        "CAST(round(1.2345, 2) AS numeric(5, 2)) AS r, pg_catalog.upper(code) AS u, "
        "row_number() OVER (ORDER BY code) AS k, "
        "nullif(code, '') IN ('J81002') AS wanted FROM n WHERE EXISTS (SELECT 1) ORDER BY code",
        5,
    ),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("query", "rows"), LEGITIMATE)
def test_queries_calling_reading_functions_still_work(pg_source, query, rows):
    grid = sources.read_source(SourceSpec(pg_source[0], query=query))
    assert len(grid.sheets[0].rows) == rows + 1


@pytest.mark.postgres
def test_a_listed_name_the_source_overloads_must_be_called_as_the_built_in(pg_source):
    url, source = pg_source
    with source.begin() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql "
            "AS $$ SELECT 'not the built-in' $$"
        )
    query = (
        'SELECT {}("Practice Code"::varchar) AS "Practice Code" FROM csu.migration_tracker '
        "ORDER BY id"
    )
    with pytest.raises(SourceProblem) as raised:
        sources.read_source(SourceSpec(url, query=query.format("lower")))
    assert raised.value.reason == "not_select"
    assert "it calls lower, and " in raised.value.message
    assert "has a function public.lower of its own" in raised.value.message
    assert "write pg_catalog.lower(…) to call the built-in" in raised.value.message
    grid = sources.read_source(SourceSpec(url, query=query.format("pg_catalog.lower")))
    assert grid.sheets[0].rows[1] == ["j81002"]
    with source.begin() as conn:  # an extension's overloads are the server's, not the source's
        conn.exec_driver_sql("DROP FUNCTION public.lower(varchar)")
        conn.exec_driver_sql("CREATE EXTENSION citext SCHEMA public")  # has public.replace
    citext = query.replace("{}(", "replace(").replace("::varchar)", ", 'J', 'j')")
    grid = sources.read_source(SourceSpec(url, query=citext))
    assert grid.sheets[0].rows[1] == ["j81002"]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("grant", "words"),
    [
        (None, "is a superuser (it can do anything on the server)"),
        ("ALTER ROLE {role} REPLICATION", "has the REPLICATION right"),
        ("GRANT pg_read_server_files TO {role}", "is a member of pg_read_server_files"),
        ("GRANT pg_write_server_files TO {role}", "is a member of pg_write_server_files"),
        ("GRANT pg_execute_server_program TO {role}", "is a member of pg_execute_server_program"),
        ("GRANT pg_signal_backend TO {role}", "is a member of pg_signal_backend (it can cancel"),
    ],
)
def test_a_role_with_more_than_read_rights_is_refused(pg_source, postgres_url, grant, words):
    url, source = pg_source
    role = make_url(url).username
    if grant is None:  # the test server's own user, a superuser
        url = make_url(postgres_url).set(password=PASSWORD).render_as_string(hide_password=False)
        role = make_url(postgres_url).username
    else:
        with source.begin() as conn:
            conn.exec_driver_sql(grant.format(role=role))
    for spec in (SourceSpec(url, table="csu.migration_tracker"), SourceSpec(url, query="SELECT 1")):
        with pytest.raises(SourceProblem) as raised:
            sources.read_source(spec)
        assert raised.value.reason == "role"
        message = raised.value.message
        assert f'connects as "{role}", which {words}' in message, message
        assert "read-only role that can only SELECT the tracking tables" in message
        assert PASSWORD not in message


# --------------------------------------------------------------------------------------------
# SQLite, the checks themselves, configuration and the command line


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_sqlite_source_into_either_store(sqlite_source, request, backend, capsys):
    url, _ = sqlite_source
    db = request.getfixturevalue(f"{backend}_url")
    code, out, _ = run(
        capsys,
        url,
        "--table",
        "tracker",
        "--db",
        db,
        "--json",
        "--as-at",
        "2026-03-05",
        "--uploaded-by",
        "Dorset CSU",
    )
    result = json.loads(out)
    assert (code, result["status"], result["migrations"], result["rows_read"]) == (
        0,
        "stored",
        3,
        3,
    )
    code, out, _ = run(capsys, url, "--table", "tracker", "--db", db, "--json")
    assert (code, json.loads(out)["status"]) == (0, "unchanged")
    engine = store.connect(db)
    uploads = store.list_uploads(engine)
    assert (len(uploads), uploads.iloc[0]["uploaded_by"]) == (1, "Dorset CSU")
    _, phases = store.upload_rows(engine, result["upload_id"])
    live = phases[
        (phases["migration_id"] == "J81002:SystmOne>EMIS Web") & (phases["phase"] == "go_live")
    ]
    assert live.iloc[0]["actual_start"] == pd.Timestamp("2026-03-02")
    engine.dispose()


def test_hand_mapping_of_unknown_columns_is_used_and_remembered(tmp_path, sqlite_url, capsys):
    path = tmp_path / "odd.db"
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE moves ("Surgery ID" TEXT, "Going to" TEXT, "Switch day" TEXT)')
        conn.execute("INSERT INTO moves VALUES ('J81002', 'EMIS', '02/03/2026')")
    conn.close()
    url = f"sqlite:///{path}"
    code, out, _ = run(capsys, url, "--table", "moves", "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert (code, result["status"]) == (1, "rejected")
    assert "no tracker columns among Surgery ID, Going to, Switch day" in result["message"]
    code, out, _ = run(
        capsys,
        url,
        "--table",
        "moves",
        "--db",
        sqlite_url,
        "--json",
        "--map",
        "Surgery ID=ods_code",
        "--map",
        "Going to=target_system",
        "--map",
        "Switch day=go_live_planned",
    )
    assert (code, json.loads(out)["status"]) == (0, "stored")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO moves VALUES ('J81006', 'EMIS', '16/03/2026')")
    conn.close()
    code, out, _ = run(capsys, url, "--table", "moves", "--db", sqlite_url, "--json")
    assert (code, json.loads(out)["status"], json.loads(out)["migrations"]) == (0, "stored", 2)


def test_sqlite_source_is_opened_read_only_even_past_the_query_check(
    sqlite_source, monkeypatch, reference
):
    url, path = sqlite_source
    monkeypatch.setattr(source_read, "check_select", lambda sql, dialect: sql)  # first guard gone
    with pytest.raises(SourceProblem) as raised:
        sources.read_source(SourceSpec(url, query="DELETE FROM tracker"))
    assert raised.value.reason == "read_only"
    assert "is opened read-only" in raised.value.message
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM tracker").fetchone() == (3,)
    conn.close()


def test_sqlite_problems_timeout_missing_file_table_and_row_limit(sqlite_source, tmp_path):
    url, _ = sqlite_source
    forever = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n"
    cases = [
        (SourceSpec(url, query=forever), "timeout", "took longer than 0.5 seconds"),
        (SourceSpec(f"sqlite:///{tmp_path / 'nope.db'}", table="t"), "unreachable", "no SQLite"),
        (SourceSpec(url, table="trackers"), "no_table", "did you mean tracker?"),
        (SourceSpec(url, table="tracker; drop"), "bad_table", "is not a table name"),
        (SourceSpec(f"reader:{PASSWORD}@csu-db/tracking", table="t"), "bad_url", "not a database"),
    ]
    for spec, reason, words in cases:
        with pytest.raises(SourceProblem) as raised:
            sources.read_source(spec, timeout_seconds=0.5)
        assert (raised.value.reason, words in raised.value.message) == (reason, True), (
            raised.value.message
        )
        assert PASSWORD not in raised.value.message
    with pytest.raises(SourceProblem, match="more than 2 rows"):
        sources.read_source(SourceSpec(url, table="tracker"), max_rows=2)


def test_values_arrive_as_the_tracker_rules_expect(sqlite_source):
    grid = sources.read_source(SourceSpec(sqlite_source[0], table="tracker"))
    sheet = grid.sheets[0]
    assert (sheet.name, sheet.row_numbers) == ("tracker", [0, 1, 2, 3])
    assert sheet.rows[0] == ["ODS", "New supplier", "Go Live Date", "Go-live (actual)", "Phase"]
    assert sheet.rows[3] == ["J81009", "EMIS", "TBC", None, None]
    assert sources.content_of(grid).decode().splitlines()[1] == (
        "J81002,EMIS,02/03/2026,2026-03-02,11"
    )
    assert [source_fetch._cell(v) for v in (Decimal("2.5"), dt.time(9, 30), "", b"x")] == [
        2.5,
        "09:30:00",
        None,
        "x",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT 1", "SELECT 1"),
        ("select * from t;", "select * from t"),
        ("  select * from t ;  -- trailing comment", "select * from t"),
        ("WITH x AS (SELECT 1) SELECT * FROM x", None),
        ("(SELECT 1) UNION (SELECT 2)", None),
        ("SELECT 'a; DROP TABLE x; update' AS s", None),
        ('SELECT "update", "Go-live; into" FROM t;', 'SELECT "update", "Go-live; into" FROM t'),
        ("SELECT created_at, updated_by, deleted FROM t", None),
        ("/* delete; */ SELECT 1 -- ; drop table x", None),
        ("SELECT $$;delete$$, $tag$ insert $tag$", None),
        ("SELECT E'it\\'s; delete' AS s", None),
        ("SELECT * FROM t WHERE x LIKE 'A%' AND d > '2026-01-01'::date", None),
        ("SELECT replace(name, 'a', 'b') FROM t", None),
    ],
)
def test_check_select_accepts_plain_reads(query, expected):
    assert check_select(query) == (expected or query.strip())


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("UPDATE t SET x = 1", "starts with UPDATE"),
        ("update t set x = 1 -- SELECT", "starts with UPDATE"),
        ("INSERT INTO t VALUES (1)", "starts with INSERT"),
        ("SELECT 1; DROP TABLE x", "more than one statement"),
        ("SELECT 1;;", "more than one statement"),
        ("SELECT 'a'; DELETE FROM t", "more than one statement"),
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", "contains DELETE"),
        ("WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT 1", "contains INSERT"),
        ("WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT 1", "contains UPDATE"),
        ("SELECT * INTO newtable FROM t", "SELECT … INTO"),
        ("SELECT * FROM t FOR UPDATE", "contains UPDATE"),
        ("SELECT * FROM t FOR NO KEY UPDATE", "contains UPDATE"),
        ("SELECT * FROM t FOR KEY SHARE", "FOR KEY SHARE would lock"),
        ("SELECT set_config('transaction_read_only', 'off', false)", "calls set_config,"),
        ("SELECT * FROM dblink('host=x', 'DELETE FROM t') AS r(x int)", "calls dblink,"),
        ("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", "starts with MERGE"),
        ("CALL p()", "starts with CALL"),
        ("DO $$ BEGIN DELETE FROM t; END $$", "starts with DO"),
        ("TRUNCATE t", "starts with TRUNCATE"),
        ("COPY t TO '/tmp/x'", "starts with COPY"),
        ("EXPLAIN ANALYZE DELETE FROM t", "starts with EXPLAIN"),
        ("", "it is empty"),
        ("-- nothing", "it is empty"),
        ("SELECT 'unterminated", "quote is never closed"),
        ("SELECT 1 /* unterminated", "comment is never closed"),
        ("SELECT $a$ x", "$a$ quote is never closed"),
    ],
)
def test_check_select_refuses_anything_that_could_write(query, why):
    with pytest.raises(SourceProblem) as raised:
        check_select(query)
    assert raised.value.reason == "not_select"
    assert why in raised.value.message, raised.value.message
    assert raised.value.message.startswith("The source query was refused")


NOT_ALLOWED = "which regiondash does not allow in a source query"


@pytest.mark.parametrize(
    ("query", "postgresql", "sqlite"),
    [
        # each database splits the query its own way, and the check splits it the same way
        ("SELECT E'\\', load_extension('x') --'", None, "load_extension"),
        ("SELECT 1 /* /* */ , load_extension('x') /* */ */", None, "load_extension"),
        ("SELECT [load_extension(] FROM t", "load_extension", None),
        ('SELECT `pg_sleep(`, "Go-live" FROM t', "pg_sleep", None),
        ('SELECT "lower"(x), "LOWER"(x) FROM t', "LOWER", None),
        ("SELECT strftime('%Y', d), ifnull(a, 'b'), iif(a, 1, 0) FROM t", None, None),
        ('SELECT u&"pg\\005fsleep"(1)', "pg_sleep", "pg\\005fsleep"),
        ("SELECT x FROM t AS a(x) WHERE x NOT LIKE ('a%') AND x IN (SELECT 1)", None, None),
        ("SELECT x FROM generate_series(1, 3) g(x)", "g", "g"),
        ("SELECT lower(x) FROM t WHERE like(x)", "like", "like"),
        (
            "SELECT filter(x), count(*) FILTER (WHERE x) OVER (ORDER BY x) FROM t",
            "filter",
            "filter",
        ),
        ("SELECT public.lower(x), csu.touch() FROM t", "public.lower", "public.lower"),
        ("SELECT lower\u00a0(x) FROM t", "lower\u00a0", "lower\u00a0"),  # one name to both
    ],
)
def test_check_select_splits_a_query_as_its_database_does(query, postgresql, sqlite):
    for dialect, refused in (("postgresql", postgresql), ("sqlite", sqlite)):
        if refused is None:
            assert check_select(query, dialect) == query
            continue
        with pytest.raises(SourceProblem) as raised:
            check_select(query, dialect)
        assert raised.value.reason == "not_select"
        assert f"it calls {refused}, {NOT_ALLOWED}" in raised.value.message, (dialect, query)


def test_a_sqlite_query_calling_an_unlisted_function_is_refused(sqlite_source, sqlite_url, capsys):
    url, _ = sqlite_source
    query = "SELECT ODS, load_extension('/tmp/evil.so') FROM tracker"
    code, out, _ = run(capsys, url, "--query", query, "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert (code, result["status"]) == (2, "unreadable")
    assert f"it calls load_extension, {NOT_ALLOWED}" in result["errors"][0]["message"]
    query = (
        'SELECT upper([ODS]) AS ODS, "New supplier", strftime(\'%d/%m/%Y\', "Go-live (actual)") '
    )
    code, out, _ = run(capsys, url, "--query", query + "FROM tracker", "--db", sqlite_url, "--json")
    assert (code, json.loads(out)["rows_read"]) == (0, 3)


def test_refused_credentials_are_named_and_the_password_never_shown(
    monkeypatch, sqlite_url, capsys, caplog
):
    url = f"postgresql+psycopg://reader:{PASSWORD}@10.9.8.7:5432/tracking"
    refused = sa.exc.OperationalError(
        "connect",
        None,
        psycopg.OperationalError(
            'connection failed: connection to server at "10.9.8.7", port 5432 failed: FATAL:  '
            f'password authentication failed for user "reader" (dsn password={PASSWORD})'
        ),
    )
    problem = source_fetch._connect_problem(refused, sources.describe_url(url), url)
    assert problem.reason == "credentials"
    assert "refused the user name or password" in problem.message
    assert "reader:***@10.9.8.7" in problem.message and PASSWORD not in problem.message

    class Refusing:
        def connect(self):
            raise refused

    monkeypatch.setattr(source_fetch, "_engine", lambda url, timeout: Refusing())
    monkeypatch.setattr(source_read, "run_child", _pull_in_process)
    code, out, err = run(capsys, url, "--table", "tracker", "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert (code, result["status"]) == (2, "unreadable")
    assert "refused the user name or password" in result["errors"][0]["message"]
    assert PASSWORD not in out + err + caplog.text
    assert store.list_uploads(store.connect(sqlite_url)).empty


def test_spec_needs_one_of_table_or_query_and_hides_its_password():
    with pytest.raises(SourceProblem, match="one and not both"):
        SourceSpec("sqlite:///x.db", table="t", query="SELECT 1")
    with pytest.raises(SourceProblem, match="one and not both"):
        SourceSpec("sqlite:///x.db")
    spec = SourceSpec(f"postgresql+psycopg://reader:{PASSWORD}@db/tracking", query="SELECT 1")
    assert PASSWORD not in repr(spec) and PASSWORD not in str(spec)
    assert sources.source_label(spec) == "tracking query"


SOURCES_TOML = f"""
[sources.dorset]
url = "postgresql+psycopg://reader:{PASSWORD}@csu-db.example.nhs.uk:5432/tracking"
table = "csu.migration_tracker"

[sources.odd]
url = "sqlite:///odd.db"
query = "SELECT * FROM moves ORDER BY 1"
map = {{ "Surgery ID" = "ods_code", "Going to" = "target_system" }}
"""


def test_sources_from_a_toml_file_and_streamlit_secrets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sources.load_sources() == {}  # no file in the working directory: no sources
    (tmp_path / "regiondash-sources.toml").write_text(SOURCES_TOML)
    loaded = sources.load_sources()
    assert sorted(loaded) == ["dorset", "odd"]
    assert loaded["dorset"].table == "csu.migration_tracker"
    assert dict(loaded["odd"].mapping) == {"Surgery ID": "ods_code", "Going to": "target_system"}
    secrets = {
        "database_url": "sqlite:///x.db",
        "sources": {"dorset": {"url": "sqlite:///d.db", "table": "t"}},
    }
    merged = sources.load_sources(secrets=secrets)
    assert (merged["dorset"].url, merged["odd"].name) == ("sqlite:///d.db", "odd")
    other = tmp_path / "elsewhere.toml"
    other.write_text('[sources.x]\nurl = "sqlite:///x.db"\ntable = "t"\n')
    monkeypatch.setenv(sources.SOURCES_FILE_ENV, str(other))
    assert list(sources.load_sources()) == ["x"]
    monkeypatch.setenv(sources.SOURCES_FILE_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(SourceProblem, match="does not exist"):
        sources.load_sources()


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ('url = "sqlite:///x.db"\ntable = "t"\nquery = "SELECT 1"', "one and not both"),
        ('url = "sqlite:///x.db"', "one and not both"),
        ('table = "t"', 'needs url = "..."'),
        ('url = "sqlite:///x.db"\ntable = "t"\npassword = "x"', "unknown settings password"),
        ('url = "sqlite:///x.db"\nquery = "DELETE FROM t"', "starts with DELETE"),
        ('url = "sqlite:///x.db"\ntable = "t"\nmap = { "A" = "favourite" }', "not a field"),
    ],
)
def test_bad_source_configuration_is_named(tmp_path, entry, words):
    path = tmp_path / "sources.toml"
    path.write_text(f"[sources.bad]\n{entry}\n")
    with pytest.raises(SourceProblem) as raised:
        sources.load_sources(path)
    assert raised.value.reason == "config"
    assert 'source "bad"' in raised.value.message and words in raised.value.message


def test_configured_source_by_name_on_the_command_line(
    sqlite_source, tmp_path, sqlite_url, monkeypatch, capsys
):
    url, _ = sqlite_source
    config = tmp_path / "sources.toml"
    config.write_text(f'[sources.dorset]\nurl = "{url}"\ntable = "tracker"\n')
    monkeypatch.setenv(sources.SOURCES_FILE_ENV, str(config))
    code, out, _ = run(capsys, "dorset", "--db", sqlite_url, "--json")
    assert (code, json.loads(out)["status"]) == (0, "stored")
    assert store.list_uploads(store.connect(sqlite_url)).iloc[0]["tracker"] == "dorset"
    code, _, err = run(capsys, "durset", "--db", sqlite_url)
    assert code == 2 and '"durset" is neither a database URL nor a source' in err
    code, _, err = run(capsys, f"postgres:{PASSWORD}@host/db", "--db", sqlite_url)
    assert code == 2 and "SOURCE_URL is neither" in err and PASSWORD not in err


def test_command_line_usage(sqlite_source, sqlite_url, capsys):
    url, _ = sqlite_source
    code, out, err = run(capsys, url, "--db", sqlite_url, "--json")
    assert code == 2 and "--table NAME" in err and json.loads(out)["status"] == "unreadable"
    code, _, err = run(capsys, url, "--table", "tracker", "--db", sqlite_url, "--map", "x")
    assert code == 2 and 'should look like "HEADER=field"' in err
    with pytest.raises(SystemExit) as exited:
        run(capsys, url, "--table", "t", "--query", "SELECT 1")
    assert exited.value.code == 2
    code, out, _ = run(capsys, url, "--table", "tracker", "--db", sqlite_url)
    assert code == 0 and out.startswith('Stored 3 migrations from source "tracker"')


def test_the_readme_example_configuration_loads(tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Reading from a tracking database", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "sources.toml").write_text(example)
    loaded = sources.load_sources(tmp_path / "sources.toml")
    assert sorted(loaded) == ["dorset", "wessex"]
    assert dict(loaded["wessex"].mapping) == {"switch_day": "go_live_planned"}
