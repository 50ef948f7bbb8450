"""Database URLs, engines with the pragmas and locking we rely on, and transactions."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy import exc as sa_exc

from regiondash.store import migrate, schema

DEFAULT_DATABASE_FILE = Path("data") / "regiondash.db"
DATABASE_URL_ENV = "REGIONDASH_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_S = 30
# A PostgreSQL host that drops packets fails within this many seconds instead of hanging for
# minutes; a connect_timeout in the URL's query wins.
PG_CONNECT_TIMEOUT_S = 10
_WRITE_OPTION = "regiondash_write"
_SQLITE_WRITE_CACHE_KIB = 64 * 1024
_SQLITE_DEFAULT_CACHE_KIB = 2000  # SQLite's own default
# Any constant will do: it only has to be the same in every process that upgrades the schema.
_PG_SCHEMA_LOCK = 7_318_274_001


def database_url(explicit: str | None = None) -> str:
    """explicit, else env REGIONDASH_DATABASE_URL, else sqlite:///<cwd>/data/regiondash.db."""
    if explicit:
        return explicit
    from_env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if from_env:
        return from_env
    path = Path.cwd() / DEFAULT_DATABASE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


class DatabaseURLError(sa_exc.ArgumentError):
    """A database URL regiondash cannot use: not a URL, an unknown driver, or no database named."""


class SQLiteUnreadableError(Exception):
    """A SQLite file regiondash may not write that SQLite cannot even read (WAL in a folder we
    cannot write, so no -shm file can be made)."""


_URL_EXAMPLE = (
    "give e.g. sqlite:///data/regiondash.db or "
    "postgresql+psycopg://user:password@host:5432/regiondash"
)


def parse_database_url(url: str) -> URL:
    """url parsed, with plain postgresql:// meaning psycopg 3; DatabaseURLError if unusable."""
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError):
        raise DatabaseURLError(f"this is not a database URL; {_URL_EXAMPLE}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        # Plain postgresql:// would pick psycopg2, which is not installed; psycopg 3 is.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        parsed.get_dialect()
    except sa_exc.NoSuchModuleError:
        raise _no_driver(parsed) from None
    if parsed.get_backend_name() == "postgresql" and not parsed.database:
        # libpq would quietly pick a default database on a local socket and we would create our
        # tables there.
        raise DatabaseURLError(f"the URL names no database; {_URL_EXAMPLE}")
    return parsed


def _no_driver(parsed: URL) -> DatabaseURLError:
    return DatabaseURLError(
        f"regiondash has no database driver for {parsed.drivername}://; {_URL_EXAMPLE}"
    )


def connect(url: str | None = None, *, upgrade: bool = True) -> Engine:
    """Engine for url (database_url() if None) with its schema created or upgraded in place
    (unless upgrade is False: then the schema is left as it is)."""
    parsed = parse_database_url(database_url(url))
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
            _configure_sqlite(engine)
        else:
            connect_args = {}
            if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
                connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
            engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (sa_exc.NoSuchModuleError, ImportError):
        raise _no_driver(parsed) from None
    if upgrade:
        _upgrade_schema(engine)
    return engine


# The failures of opening or using a database that deserve one plain line, not a traceback.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.ArgumentError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    schema.SchemaTooNewError,
    SQLiteUnreadableError,
)


def describe_url(url: str | None = None) -> str:
    """url (database_url() if None) for people to read, with any password shown as ***."""
    text_url = database_url(url)
    try:
        parsed = make_url(text_url)
    except (sa_exc.ArgumentError, ValueError):
        # Not a URL SQLAlchemy can read: mask whatever sits where a password would.
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text_url)
    shown = parsed.render_as_string(hide_password=True)
    # A SQLite URL holds no password; show its file path as written (file:, not file%3A).
    return unquote(shown) if parsed.get_backend_name() == "sqlite" else shown


def failure_reason(error: BaseException, url: str | None = None) -> str:
    """One line saying why the database could not be used, never holding url's password."""
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    reason = lines[0] if lines else type(original).__name__
    if "readonly database" in reason or "read-only" in reason:
        reason = f"the database is read-only, so nothing can be stored ({reason})"
    try:
        password = make_url(database_url(url)).password
    except (sa_exc.ArgumentError, ValueError):
        password = None
    if password:
        reason = re.sub(rf"(?<!\w){re.escape(str(password))}(?!\w)", "***", reason)
    return reason


def database_problem(error: BaseException, url: str | None = None) -> str:
    """'cannot use the database <url, password masked>: <one-line reason>'."""
    return f"cannot use the database {describe_url(url)}: {failure_reason(error, url)}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control away from the sqlite3 module so our own BEGIN below is the only
        # one, which also makes DDL transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred BEGIN that later writes cannot wait for the lock (SQLite answers "database is
        # locked" at once to avoid deadlock), so writers take the write lock up front and queue on
        # busy_timeout instead.
        if conn.get_execution_options().get(_WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode, which lets the dashboard read while an upload is written."""
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return  # WAL is stored in the file: usually only the first connection ever sets it
    # Switching needs an exclusive lock, and SQLite reports "database is locked" at once rather
    # than calling the busy handler, so two processes opening a new database must take turns.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "readonly" in str(error):
                return  # opened read-only (e.g. ?mode=ro): reading needs no WAL
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_cache(conn: Connection, kib: int) -> None:
    # On the driver's connection, outside SQLAlchemy's transaction (a PRAGMA needs none).
    conn.connection.driver_connection.execute(f"PRAGMA cache_size = -{kib}")  # type: ignore[union-attr]


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds SQLite's write lock from its first statement."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE_OPTION: True})
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Room for a national upload's index pages, so each is written once at commit
            # rather than spilled and rewritten (a fifth faster); reads keep the default.
            _sqlite_cache(conn, _SQLITE_WRITE_CACHE_KIB)
        try:
            with conn.begin():
                yield conn
        finally:
            if sqlite:
                _sqlite_cache(conn, _SQLITE_DEFAULT_CACHE_KIB)


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection whose queries all see one snapshot, so multi-query reads agree."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def schema_version(engine: Engine) -> str | None:
    """The Alembic revision the database holds (None if regiondash has never written to it).

    A database from before Alembic answers with the revision its old version number is.
    """
    with read_transaction(engine) as conn:
        return migrate.stored_revision(conn)[0]


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_revision(engine: Engine) -> tuple[str | None, bool]:
    try:
        with read_transaction(engine) as conn:
            return migrate.stored_revision(conn)
    except sa_exc.OperationalError as error:
        if engine.dialect.name != "sqlite" or "readonly database" not in str(error.orig):
            raise
        engine.dispose()
        raise SQLiteUnreadableError(
            "SQLite cannot read this file: it is in WAL mode and its folder is not writable, so "
            "the -shm file SQLite reads through cannot be made. Make the folder writable, or, if "
            "nothing changes the file while regiondash reads it, open it as "
            "sqlite:///file:/path/to/file.db?mode=ro&immutable=1&uri=true"
        ) from None


def _upgrade_schema(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to head in one transaction; (revision before, revision after)."""
    revision, legacy = _first_revision(engine)
    if revision == schema.SCHEMA_VERSION and not legacy:
        return revision, revision  # at head: no need to load the revisions
    if revision is None and not legacy and _create_fresh(engine):
        return None, schema.SCHEMA_VERSION
    head = migrate.head_revision()
    _check_known(engine, revision, head)
    if revision == head and not legacy:
        return revision, head
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})
        # Another process may have upgraded while we waited for the lock.
        _check_known(engine, migrate.stored_revision(conn)[0], head)
        migrate.upgrade(conn)
    return revision, head


def _create_fresh(engine: Engine) -> bool:
    """Create the live schema, stamped at head, in a database holding none of our tables:
    what the revisions build, without loading Alembic (a test checks that they agree). False,
    touching nothing, if any of our tables is there."""
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})
        present = set(inspect(conn).get_table_names())
        if present & {*schema.metadata.tables, migrate.VERSION_TABLE, migrate.LEGACY_TABLE}:
            return False  # another process made it meanwhile, or a half-made one: the revisions
        schema.metadata.create_all(conn)
        migrate.stamp_fresh(conn, schema.SCHEMA_VERSION)
    return True


def upgrade_database(url: str | None = None) -> tuple[str | None, str]:
    """Upgrade the database at url in place: (revision before, revision after)."""
    engine = connect(url, upgrade=False)
    try:
        return _upgrade_schema(engine)
    finally:
        engine.dispose()


def _check_known(engine: Engine, revision: str | None, head: str) -> None:
    if revision is not None and not migrate.known_revision(revision):
        engine.dispose()
        raise schema.SchemaTooNewError(
            f"The database {_describe(engine)} has schema version {revision}, but this version "
            f"of regiondash only understands up to version {head}. Upgrade regiondash, or point "
            f"it at another database ({DATABASE_URL_ENV})."
        )
