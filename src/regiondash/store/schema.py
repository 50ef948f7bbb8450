"""The stored tables and the ordered schema upgrade steps."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    inspect,
    select,
    text,
    update,
)

from regiondash.fields import EVENT_DATE_FIELDS, MIGRATION_COLUMNS, PHASE_COLUMNS

metadata = MetaData()

# The Table definitions always describe the newest schema. A fresh database is created from them in
# one go; an older database is brought up to date by the upgrade steps after the version it holds.
# So a release that changes a table changes its definition here AND appends a step that makes the
# same change to an existing database.

schema_version_table = Table(
    "schema_version",
    metadata,
    Column("version", Integer, nullable=False),
)

uploads_table = Table(
    "uploads",
    metadata,
    Column("upload_id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("as_at", Date, nullable=False),
    Column("file_kind", Text, nullable=False),
    Column("sheet", Text),
    Column("header_row", Integer),
    Column("tracker", Text, nullable=False),
    Column("mapping", Text, nullable=False),  # JSON object: header -> field
    Column("rows_read", Integer, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("migrations", Integer, nullable=False),
    Column("rows_set_aside", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("status", Text, nullable=False),
    # The fictional demo region, flagged by the loader: never guessed from the uploader's name.
    Column("is_demo", Boolean, nullable=False, default=False, server_default="0"),
    # JSON object: how the rows were read (single-date milestones, where the as-at date and the
    # tracker name came from), shown with the upload.
    Column("read_as", Text, nullable=False, default="{}", server_default="{}"),
)

MIGRATION_DATE_COLUMNS = list(EVENT_DATE_FIELDS)
MIGRATION_BOOL_COLUMNS = ["source_system_inferred"]
MIGRATION_INT_COLUMNS = ["source_row"]
MIGRATION_TEXT_COLUMNS = [
    c
    for c in MIGRATION_COLUMNS
    if c not in {*MIGRATION_DATE_COLUMNS, *MIGRATION_BOOL_COLUMNS, *MIGRATION_INT_COLUMNS}
]
PHASE_DATE_COLUMNS = [c for c in PHASE_COLUMNS if c not in ("migration_id", "phase")]


def _migration_column(name: str) -> Column:
    if name == "migration_id":
        return Column(name, Text, primary_key=True)
    if name in MIGRATION_DATE_COLUMNS:
        return Column(name, Date)
    if name in MIGRATION_BOOL_COLUMNS:
        return Column(name, Boolean, nullable=False)
    if name in MIGRATION_INT_COLUMNS:
        return Column(name, Integer, nullable=False)
    return Column(name, Text)


migrations_table = Table(
    "upload_migrations",
    metadata,
    Column(
        "upload_id",
        Integer,
        ForeignKey("uploads.upload_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    *[_migration_column(name) for name in MIGRATION_COLUMNS],
    # Keeps the order the rows were saved in, so an upload reads back exactly as it was given.
    Column("position", Integer, nullable=False),
    Index("ix_upload_migrations_migration_id", "migration_id"),
)

phases_table = Table(
    "upload_phases",
    metadata,
    Column("upload_id", Integer, primary_key=True),
    Column("migration_id", Text, primary_key=True),
    Column("phase", Text, primary_key=True),
    *[Column(name, Date) for name in PHASE_DATE_COLUMNS],
    Column("position", Integer, nullable=False),
    ForeignKeyConstraint(
        ["upload_id", "migration_id"],
        ["upload_migrations.upload_id", "upload_migrations.migration_id"],
        ondelete="CASCADE",
    ),
    # Slippage reads one phase across every upload.
    Index("ix_upload_phases_phase", "phase", "upload_id"),
)

set_aside_table = Table(
    "upload_set_aside",
    metadata,
    Column(
        "upload_id",
        Integer,
        ForeignKey("uploads.upload_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("sheet", Text, nullable=False),
    Column("sheet_row", Integer, nullable=False),
    Column("cells", Text, nullable=False),  # JSON object: header -> raw cell text
    Column("reasons", Text, nullable=False),
)

problems_table = Table(
    "upload_problems",
    metadata,
    Column(
        "upload_id",
        Integer,
        ForeignKey("uploads.upload_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True),
    Column("severity", Text, nullable=False),
    Column("sheet", Text),
    Column("sheet_row", Integer),
    Column("column_name", Text),
    Column("value", Text),
    Column("message", Text, nullable=False),
)

header_mappings_table = Table(
    "header_mappings",
    metadata,
    Column("signature", Text, primary_key=True),
    Column("mapping", Text, nullable=False),  # JSON object: header -> field
)


def _create_version_1(conn: Connection) -> None:
    metadata.create_all(conn)


def _add_upload_reading(conn: Connection) -> None:
    """Version 2: uploads say whether they are the demo and how their rows were read."""
    false = "false" if conn.dialect.name == "postgresql" else "0"
    conn.execute(text(f"ALTER TABLE uploads ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT {false}"))
    conn.execute(text("ALTER TABLE uploads ADD COLUMN read_as TEXT NOT NULL DEFAULT '{}'"))
    # Uploads stored before the flag existed: the demo loader's own uploader and file names.
    conn.execute(
        update(uploads_table)
        .where(uploads_table.c.uploaded_by == "SCW CSU migration team")
        .where(uploads_table.c.file_name.like("SW GP migrations tracker %.xlsx"))
        .values(is_demo=True)
    )


# Step n (1-based) takes a database from version n-1 to version n. Step 1 only ever runs on an
# empty database, and creates the newest schema.
UPGRADE_STEPS: list[Callable[[Connection], None]] = [_create_version_1, _add_upload_reading]
SCHEMA_VERSION: int = len(UPGRADE_STEPS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer regiondash than this one."""


def stored_version(conn: Connection) -> int:
    """The schema version a database holds; 0 for a database regiondash has never touched."""
    if not inspect(conn).has_table(schema_version_table.name):
        return 0
    return conn.scalar(select(schema_version_table.c.version)) or 0


def apply_upgrades(conn: Connection, current: int, target: int) -> None:
    """Run the steps from current to target inside the caller's transaction, then stamp target."""
    if current == 0:
        UPGRADE_STEPS[0](conn)
    else:
        for step in UPGRADE_STEPS[current:target]:
            step(conn)
    conn.execute(delete(schema_version_table))
    conn.execute(insert(schema_version_table).values(version=target))
