"""The child side of a pull: connect, check the role and the query's names, run the one SELECT
read-only and fetch its rows in batches, bounded, in a fresh limited process.

read.read_source starts it with regiondash.ingest.child.run_child(ENTRY, ...). It imports only
sqlalchemy, the source's driver and light regiondash modules (base, query, ingest's child,
limits and worker): never pandas or streamlit. The driver is loaded before the address-space
limit is set, as a shared library mapped under RLIMIT_AS fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import difflib
import math
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, CursorResult

from regiondash.ingest.child import limit_self, serve
from regiondash.ingest.limits import Limits
from regiondash.ingest.worker import _HEAVY_MODULES, bound_text
from regiondash.sources.base import (
    QUERY_SHEET,
    SourceProblem,
    _safe_url,
    _table_parts,
    describe_url,
)
from regiondash.sources.query import unqualified_calls

ENTRY = "regiondash.sources.fetch:child_main"
_FIRST_BATCH = 50  # rows fetched first; then as many as the text allowance holds, up to _BATCH
_BATCH = 1_000


def _source_url(raw: str) -> URL:
    """The URL to connect with: psycopg 3 for PostgreSQL, SQLite opened read-only."""
    url = _safe_url(raw)
    if url is None:
        raise SourceProblem(
            "The source URL is not a database URL (e.g. postgresql+psycopg://reader@host:5432/"
            "tracking or sqlite:///path/to/tracking.db); check how it is written.",
            "bad_url",
        )
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")  # psycopg2 is not installed; 3 is
    if url.get_backend_name() != "sqlite":
        return url
    database, query = url.database, dict(url.query)
    if not database or database == ":memory:":
        raise SourceProblem(
            "A SQLite source must be a file: sqlite:///path/to/tracking.db", "bad_url"
        )
    if not (database.startswith("file:") and query.get("uri") == "true"):
        path = Path(database).expanduser().resolve()
        if not path.is_file():
            raise SourceProblem(
                f"The source database cannot be reached: there is no SQLite file at {path}.",
                "unreachable",
            )
        database = "file:" + quote(str(path))
    # mode=ro: SQLite itself refuses every write, and never creates a missing file.
    return url.set(database=database, query={**query, "mode": "ro", "uri": "true"})


def _secrets(raw: str) -> list[str]:
    url = _safe_url(raw)
    password = url.password if url is not None else None
    return [password, quote(password, safe="")] if password else []


def _scrubbed(text: str, raw_url: str) -> str:
    for secret in _secrets(raw_url):
        text = text.replace(secret, "***")
    return text


def _first_line(error: BaseException, raw_url: str) -> str:
    orig = getattr(error, "orig", None) or error
    text = " ".join(str(orig).split("\n")[0].split()) or type(orig).__name__
    return _scrubbed(text, raw_url)


def _connect_problem(error: BaseException, where: str, raw_url: str) -> SourceProblem:
    """What went wrong opening a connection, in words (credentials, or cannot be reached)."""
    orig = getattr(error, "orig", None) or error
    state = getattr(orig, "sqlstate", None) or ""
    text, low = _first_line(error, raw_url), str(orig).lower()
    if isinstance(error, ModuleNotFoundError | sa.exc.NoSuchModuleError):
        return SourceProblem(
            f"regiondash cannot talk to {where}: its database driver is not installed ({text}).",
            "unreachable",
        )
    if (
        state in ("28P01", "28000")
        or any(
            words in low
            for words in (
                "password authentication failed",
                "authentication failed",
                "no pg_hba.conf entry",
                "access denied",
                "login failed",
            )
        )
        or ("role" in low and "does not exist" in low)
    ):
        return SourceProblem(
            f"The source database {where} refused the user name or password ({text}). Check "
            "the credentials in the source's configuration; nothing was stored.",
            "credentials",
        )
    return SourceProblem(
        f"The source database {where} cannot be reached: {text}. Check the host, port and "
        "database name, and that this server may connect to it; nothing was stored.",
        "unreachable",
    )


def _query_problem(error: BaseException, where: str, raw_url: str, timeout: float):
    """What went wrong reading: timeout, a write refused, no permission, no table, or other."""
    orig = getattr(error, "orig", None) or error
    state = getattr(orig, "sqlstate", None) or ""
    text, low = _first_line(error, raw_url), str(orig).lower()
    if state == "57014" or "statement timeout" in low or low.strip() == "interrupted":
        return SourceProblem(
            f"Reading the source {where} took longer than {timeout:g} second"
            f"{'' if timeout == 1 else 's'}, so it was stopped; nothing was stored. Narrow the "
            "query or ask the source's owner for an index.",
            "timeout",
        )
    if state == "25006" or "read-only transaction" in low or "readonly database" in low:
        return SourceProblem(
            f"The source {where} is opened read-only and the query tried to change it ({text}); "
            "it was stopped, the source is unchanged and nothing was stored.",
            "read_only",
        )
    if state == "42501" or "permission denied" in low:
        return SourceProblem(
            f"The source's user may not read this in {where} ({text}). Ask the source's owner "
            "to GRANT SELECT on it; nothing was stored.",
            "permission",
        )
    if state == "42P01" or "no such table" in low:
        return SourceProblem(
            f"The query names a table that does not exist in {where} ({text}); nothing was stored.",
            "no_table",
        )
    return SourceProblem(
        f"The source query failed in {where}: {text}. Nothing was stored.", "query_failed"
    )


def _engine(url: URL, timeout: float) -> sa.Engine:
    args: dict[str, object] = {}
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg":
        args = {
            "connect_timeout": max(2, math.ceil(timeout)),
            "application_name": "regiondash source pull",
        }
    elif url.get_backend_name() == "sqlite":
        args = {"timeout": timeout}  # wait this long for a writer's lock, then give up
    # NullPool: a pull is occasional and must leave no connection open on someone else's server.
    return sa.create_engine(url, poolclass=sa.NullPool, connect_args=args)


@contextmanager
def _read_only(conn: Connection, timeout: float) -> Iterator[None]:
    """A transaction that cannot write (where the driver allows), stopped after timeout, and
    always rolled back."""
    dialect = conn.dialect.name
    raw = conn.connection.driver_connection
    assert raw is not None  # the DBAPI connection; None only once the connection is invalidated
    if dialect == "postgresql":
        conn.execution_options(postgresql_readonly=True)  # BEGIN READ ONLY
    transaction = conn.begin()
    try:
        if dialect == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(timeout * 1000))}")
            # The server must split the query as check_select did: no backslash escapes in '...'.
            conn.exec_driver_sql("SET LOCAL standard_conforming_strings = on")
        elif dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = ON")
            deadline = time.monotonic() + timeout
            # SQLite has no statement timeout; the progress handler interrupts the statement.
            raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        yield
    finally:
        transaction.rollback()
        if dialect == "sqlite":
            raw.set_progress_handler(None, 0)


# A right that lets a role change things a READ ONLY transaction does not protect: (test, what it
# lets the role do). Superuser first: it holds every other right too.
_ROLE_RIGHTS = (
    ("rolsuper", "is a superuser (it can do anything on the server)"),
    ("rolreplication", "has the REPLICATION right (it can create replication slots)"),
    (
        "pg_read_server_files",
        "is a member of pg_read_server_files (it can read any file on the database server)",
    ),
    (
        "pg_write_server_files",
        "is a member of pg_write_server_files (it can write files on the database server)",
    ),
    (
        "pg_execute_server_program",
        "is a member of pg_execute_server_program (it can run programs on the database server)",
    ),
    (
        "pg_signal_backend",
        "is a member of pg_signal_backend (it can cancel or stop other sessions)",
    ),
)


def _check_role(conn: Connection, where: str) -> None:
    """Refuse a PostgreSQL role with a right beyond reading: a source is read as a reader."""
    tests = ", ".join(
        right
        if right.startswith("rol")
        else f"coalesce(to_regrole('{right}') IS NOT NULL "
        f"AND pg_has_role(current_user, '{right}', 'member'), false)"
        for right, _ in _ROLE_RIGHTS
    )
    row = conn.exec_driver_sql(
        f"SELECT current_user, {tests} FROM pg_catalog.pg_roles WHERE rolname = current_user"
    ).one()
    held = [words for (_, words), has in zip(_ROLE_RIGHTS, row[1:], strict=True) if has]
    if held:
        raise SourceProblem(
            f'The source {where} was refused: regiondash connects as "{row[0]}", which '
            f"{held[0]}. A source must be read as a read-only role that can only SELECT the "
            "tracking tables (the README shows how to create one: CREATE ROLE regiondash_reader "
            "LOGIN ...; GRANT SELECT ...). Nothing was read or stored.",
            "role",
        )


def _check_shadowing(conn: Connection, query: str, where: str) -> None:
    """Refuse a bare call a function of the source's own could answer instead of the built-in:
    PostgreSQL picks the best match of a name among every schema in the search path. An
    installed extension's overloads (citext's lower(citext)) are the server's, so not counted."""
    names = sorted(unqualified_calls(query))
    if not names:
        return
    found = conn.execute(
        sa.text(
            "SELECT n.nspname, p.proname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n"
            " ON n.oid = p.pronamespace WHERE p.proname = ANY(:names) AND n.nspname <>"
            " 'pg_catalog' AND n.nspname = ANY(current_schemas(false)) AND NOT EXISTS (SELECT"
            " FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND"
            " d.objid = p.oid AND d.deptype = 'e') ORDER BY 2, 1 LIMIT 1"
        ),
        {"names": names},
    ).first()
    if found is not None:
        schema, name = found
        raise SourceProblem(
            f"The source query was refused: it calls {name}, and {where} has a function "
            f"{schema}.{name} of its own that could be run in place of the built-in one; write "
            f"pg_catalog.{name}(…) to call the built-in. Nothing was read or stored.",
            "not_select",
        )


def _escaped(sql: str, conn: Connection) -> str:
    # format-style drivers (psycopg) read % as a placeholder even with no parameters.
    return sql.replace("%", "%%") if conn.dialect.paramstyle in ("format", "pyformat") else sql


def _resolve_table(conn: Connection, parts: tuple[str, ...], where: str) -> tuple[str | None, str]:
    """(schema, name) as the database spells them; a bare name may differ in case only."""
    schema, name = (None, parts[0]) if len(parts) == 1 else parts
    inspector = sa.inspect(conn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)  # unusual column types: not our concern
        if inspector.has_table(name, schema=schema):
            return schema, name
        if schema is not None and schema not in (schemas := inspector.get_schema_names()):
            # PostgreSQL folds unquoted names to lower case, so CSU.Tracker means csu.tracker.
            schema = next((s for s in schemas if s.lower() == schema.lower()), schema)
        names = inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema)
        if conn.dialect.name == "postgresql":
            names += inspector.get_materialized_view_names(schema=schema)
    folded = [n for n in names if n.lower() == name.lower()]
    if len(folded) == 1:
        return schema, folded[0]  # PostgreSQL folds unquoted names to lower case
    close = difflib.get_close_matches(name, names, n=3)
    shown = f"{schema}.{name}" if schema else name
    raise SourceProblem(
        f'There is no table or view "{shown}" in {where}'
        + (f" (did you mean {', '.join(close)}?)" if close else "")
        + ". Check the name (SCHEMA.NAME) and that the source's user can see it; nothing was "
        "stored.",
        "no_table",
    )


def _table_select(conn: Connection, schema: str | None, name: str) -> sa.Select:
    """All of a table's columns, ordered by its primary key (else by every orderable column) so
    row numbers and the content hash do not depend on how the rows happen to lie on disk."""
    inspector = sa.inspect(conn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        key = inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or []
        if not key:
            unorderable = (sa.JSON, sa.ARRAY, sa.LargeBinary, sa.types.NullType)
            key = [
                c["name"]
                for c in inspector.get_columns(name, schema=schema)
                if not isinstance(c["type"], unorderable)
            ]
    # sa.table / sa.column quote with the dialect's rules: nothing the user typed is pasted in.
    return (
        sa.select(sa.text("*"))
        .select_from(sa.table(name, schema=schema))
        .order_by(*(sa.column(c) for c in key))
    )


def _cell(value: object) -> object:
    """A driver's value as a spreadsheet cell: what the tracker rules already understand."""
    if value is None or isinstance(value, int | float | dt.date):
        return value
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)  # intervals, UUIDs, enums…: as text, like any other odd cell


def _out_of_memory(error: BaseException) -> bool:
    orig = getattr(error, "orig", None) or error
    low = str(orig).lower()
    return isinstance(orig, MemoryError) or "out of memory" in low or "cannot allocate" in low


class _Text:
    """Characters of text read so far, in all and per column, to say where most of it is."""

    def __init__(self, columns: list[str]):
        self.columns = columns
        self.total = sum(map(len, columns))
        self.chars = [0] * len(columns)
        self.cells = [0] * len(columns)
        self.longest = [0] * len(columns)

    def add(self, row: list[object]) -> None:
        for j, value in enumerate(row):
            if value.__class__ is str:
                n = len(value)
                self.total += n
                self.chars[j] += n
                self.cells[j] += 1
                if n > self.longest[j]:
                    self.longest[j] = n

    def refusal(self, where: str, rows: int, limits: Limits) -> SourceProblem:
        j = max(range(len(self.chars)), key=self.chars.__getitem__)
        return SourceProblem(
            f"The source {where} holds more than {limits.max_text_chars:,} characters of text "
            f"(in its first {rows:,} row{'s' if rows != 1 else ''}), more than one upload may "
            "hold (a tracker of every practice in England holds about 4 million), so reading "
            f'was stopped. Most of it is in column "{self.columns[j]}": {self.cells[j]:,} cells '
            f"of text, the longest {self.longest[j]:,} characters. Leave that column out of the "
            "query (or select only what a tracker needs from it). Nothing was stored.",
            "too_much_text",
        )


def _fetch_rows(
    result: CursorResult, where: str, max_rows: int, limits: Limits
) -> tuple[list[list[object]], list[tuple[int, int, int]]]:
    """(rows, aware): the column names then each row as cells, fetched in batches and stopped
    (the cursor closed) as soon as there are more than max_rows rows or more than
    limits.max_text_chars characters of text as fetched. Timezone-aware datetimes are made
    naive, their place and UTC offset (in microseconds) listed in `aware`: the reply may carry
    only plain data."""
    columns = list(map(str, result.keys()))
    rows: list[list[object]] = [list(columns)]  # the header (a copy: lists are invariant)
    aware: list[tuple[int, int, int]] = []
    text = _Text(columns)
    size = _FIRST_BATCH
    try:
        while batch := result.fetchmany(size):
            for values in batch:
                row = [_cell(v) for v in values]
                for j, value in enumerate(row):
                    if isinstance(value, dt.datetime) and value.tzinfo is not None:
                        offset = value.utcoffset() or dt.timedelta(0)
                        aware.append((len(rows), j, offset // dt.timedelta(microseconds=1)))
                        row[j] = value.replace(tzinfo=None)
                text.add(row)
                rows.append(row)
                if len(rows) - 1 > max_rows:
                    raise SourceProblem(
                        f"{where} returned more than {max_rows:,} rows, more than any tracker "
                        "holds; narrow the query. Nothing was stored.",
                        "too_many_rows",
                    )
                if text.total > limits.max_text_chars:
                    raise text.refusal(where, len(rows) - 1, limits)
            # As many rows as the rest of the text allowance holds at the average so far.
            per_row = max(1, text.total // (len(rows) - 1))
            size = max(1, min(_BATCH, (limits.max_text_chars - text.total) // per_row + 1))
    except BaseException:
        with contextlib.suppress(Exception):  # the first problem is the one to tell
            result.close()
        raise
    result.close()
    return rows, aware


def _pull(request: dict, limits: Limits) -> dict:
    raw, table = request["url"], request.get("table")
    timeout, max_rows = request["timeout_seconds"], request["max_rows"]
    query = request.get("query")  # already checked by check_select in the server
    where = describe_url(raw)
    url = _source_url(raw)
    parts = _table_parts(table) if table else ()
    try:
        engine = _engine(url, timeout)
        conn = engine.connect()
    except Exception as error:
        if _out_of_memory(error):
            raise MemoryError from None
        raise _connect_problem(error, where, raw) from None
    try:
        with conn, _read_only(conn, timeout):
            if conn.dialect.name == "postgresql":
                _check_role(conn, where)
                if query is not None:
                    _check_shadowing(conn, query, where)
            if query is None:
                schema, name = _resolve_table(conn, parts, where)
                result = conn.execute(
                    _table_select(conn, schema, name).execution_options(stream_results=True)
                )
                sheet = f"{schema}.{name}" if schema else name
            else:
                streaming = conn.execution_options(stream_results=True)
                result = streaming.exec_driver_sql(_escaped(query, conn))
                sheet = QUERY_SHEET
            rows, aware = _fetch_rows(result, where, max_rows, limits)
    except (SourceProblem, MemoryError):
        raise
    except Exception as error:
        if _out_of_memory(error):
            raise MemoryError from None
        raise _query_problem(error, where, raw, timeout) from None
    finally:
        engine.dispose()
    # Each text cell cut to max_cell_chars and the cuts listed, as a file's cells are; the text
    # as fetched is within max_text_chars, so what is left of it is too.
    sheets, chars = bound_text([(sheet, True, rows, list(range(len(rows))))], limits)
    return {
        "sheet": sheets[0],
        "aware": aware,
        "backend": url.get_backend_name(),
        "text_chars": chars,
    }


def pull(request: dict) -> dict:
    """The whole pull as the child runs it (tests may call it in-process): a reply of plain
    data, with a source that cannot be read as {"status": "refused", message, reason}."""
    try:
        return {"status": "ok", **_pull(request, Limits(**request["limits"]))}
    except SourceProblem as problem:
        return {"status": "refused", "message": problem.message, "reason": problem.reason}
    except MemoryError:
        return {"status": "memory"}


def child_main() -> None:
    """Entry point of the pull child: request on stdin, pickled reply on stdout."""
    serve(_child_pull)


def _child_pull(request: dict) -> dict:
    # Import before limiting: a shared library mapped under RLIMIT_AS fails as ImportError.
    with contextlib.suppress(Exception):  # not a URL, no SQLite file, no driver: pull says so
        _source_url(request["url"]).get_dialect().import_dbapi()
    limit_self(Limits(**request["limits"]))
    reply = pull(request)
    reply["heavy_modules"] = [m for m in _HEAVY_MODULES if sys.modules.get(m) is not None]
    return reply
