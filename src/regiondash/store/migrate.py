"""Bringing a database's schema up to date with the Alembic revisions in store/migrations/.

Alembic runs programmatically on the store's own connection, inside the caller's transaction (no
alembic.ini). A database from before Alembic holds a ``schema_version`` table instead of
``alembic_version``: version 1 or 2 is stamped as revision 0001 or 0002, the old table is dropped
and the later revisions run, all in that one transaction.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    text,
)

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# Alembic is imported only to upgrade or to list the revisions: a database already at head (every
# command and page run after the first) is recognised with one query, saving a fifth of a second.
VERSION_TABLE = "alembic_version"

SCRIPT_LOCATION = str(Path(__file__).with_name("migrations"))
# The hand-written versioning of the releases before Alembic, and the revision each version is.
LEGACY_TABLE = "schema_version"
LEGACY_REVISIONS = {1: "0001", 2: "0002"}


def alembic_config(conn: Connection | None = None, location: str | None = None) -> Config:
    """An Alembic Config for the packaged revisions; env.py runs them on conn."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", location or SCRIPT_LOCATION)
    config.attributes["connection"] = conn
    return config


@functools.cache
def _scripts(location: str) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(location=location))


def head_revision(location: str | None = None) -> str:
    """The newest revision this regiondash knows."""
    where = location or SCRIPT_LOCATION
    head = _scripts(where).get_current_head()
    if head is None:  # only a script directory with no revisions has no head
        raise RuntimeError(f"no migration scripts in {where}")
    return head


def known_revision(revision: str, location: str | None = None) -> bool:
    """Whether revision is one of this regiondash's revisions."""
    scripts = _scripts(location or SCRIPT_LOCATION)
    return revision in {script.revision for script in scripts.walk_revisions()}


def stored_revision(conn: Connection) -> tuple[str | None, bool]:
    """(the revision a database holds, whether it says so in the pre-Alembic table).

    None for a database regiondash has never touched. A pre-Alembic version with no revision
    (3 and up, which no release wrote) comes back as its number, which no revision is named.
    """
    tables = inspect(conn)
    if tables.has_table(VERSION_TABLE):
        current = conn.scalar(text(f"SELECT max(version_num) FROM {VERSION_TABLE}"))
        if current is not None:
            return current, False
    if not tables.has_table(LEGACY_TABLE):
        return None, False
    version = conn.scalar(text(f"SELECT max(version) FROM {LEGACY_TABLE}")) or 0
    if version == 0:
        return None, True  # the old release stamped nothing: an empty database
    return LEGACY_REVISIONS.get(version, str(version)), True


# Alembic's own version table, as its MigrationContext defines it.
_VERSION = Table(
    VERSION_TABLE,
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def stamp_fresh(conn: Connection, revision: str) -> None:
    """Record revision in a new alembic_version table, as `alembic stamp` would."""
    _VERSION.create(conn)
    conn.execute(_VERSION.insert().values(version_num=revision))


def upgrade(conn: Connection, location: str | None = None) -> tuple[str | None, str]:
    """Take over a pre-Alembic database and upgrade to head, in conn's transaction.

    Returns (revision before, revision after). The caller checks first that the database is not
    newer than this code (stored_revision, known_revision).
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    before, legacy = stored_revision(conn)
    config = alembic_config(conn, location)
    if legacy:
        if before is not None:
            command.stamp(config, before)
        conn.execute(text(f"DROP TABLE {LEGACY_TABLE}"))
    command.upgrade(config, "head")
    after = MigrationContext.configure(conn).get_current_revision()
    if after is None:  # upgraded to head, so stamped unless there are no revisions at all
        raise RuntimeError("the database has no revision after upgrading to head")
    return before, after
