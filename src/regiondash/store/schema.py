"""The stored tables, as the newest schema has them; store/migrations/ holds how it got here."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
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
)

from regiondash.fields import EVENT_DATE_FIELDS, MIGRATION_COLUMNS, PHASE_COLUMNS

metadata = MetaData()

# The Table definitions always describe the newest schema, which the Alembic revisions in
# store/migrations/versions build step by step (a fresh database runs them all). So a release that
# changes a table changes its definition here AND adds a revision making the same change; a test
# compares the two (tests/test_migrations.py).

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
    # How content is stored: 'identity' (the bytes as uploaded) or 'gzip' (revision 0003).
    Column("content_encoding", Text, nullable=False, server_default="identity"),
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


# The Alembic revision a database at the newest schema holds (the head of store/migrations).
SCHEMA_VERSION: str = "0003"


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer regiondash than this one."""
