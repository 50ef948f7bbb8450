"""The stored tables, as the newest schema has them; store/migrations/ holds how it got here."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
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
    # The upload's place in its tracker's order, store.versions.order_key(as_at, upload_id):
    # the row versions' validity ranges are in these keys (revision 0004).
    Column("order_key", BigInteger, nullable=False, server_default="0"),
    # Where each row stood in the file (order, sheet, sheet row): gzip JSON, store/layout.py.
    Column("layout", LargeBinary),
    Index("ix_uploads_tracker_order", "tracker", "order_key"),
)


def _upload_key() -> Column:
    """The upload a row belongs to, as (part of) its key: gone with the upload."""
    return Column(
        "upload_id",
        Integer,
        ForeignKey("uploads.upload_id", ondelete="CASCADE"),
        primary_key=True,
    )


# The original file, apart from the uploads it belongs to: SQLite reads a row's columns in order,
# through every overflow page of a large value before them, so a file kept in the uploads row
# made each read of an upload's date walk the whole file (revision 0004 moved it here).
files_table = Table(
    "upload_files",
    metadata,
    _upload_key(),
    Column("content", LargeBinary, nullable=False),
    # How content is stored: 'identity' (the bytes as uploaded) or 'gzip' (store/compression.py).
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
# A migration row's place in its file: kept with the upload (store/layout.py), not versioned.
LAYOUT_COLUMNS = ("sheet", "source_row")
VERSIONED_MIGRATION_COLUMNS = [c for c in MIGRATION_COLUMNS if c not in LAYOUT_COLUMNS]


def _migration_column(name: str) -> Column:
    if name == "migration_id":
        return Column(name, Text, nullable=False)
    if name in MIGRATION_DATE_COLUMNS:
        return Column(name, Date)
    if name in MIGRATION_BOOL_COLUMNS:
        return Column(name, Boolean, nullable=False)
    if name in MIGRATION_INT_COLUMNS:
        return Column(name, Integer, nullable=False)
    return Column(name, Text)


def _version_columns() -> list:
    """What every row version has: its id, tracker and validity range (store/versions.py)."""
    return [
        Column("version_id", Integer, primary_key=True, autoincrement=True),
        Column("tracker", Text, nullable=False),
        Column("valid_from", BigInteger, nullable=False),
        Column("valid_to", BigInteger, nullable=False),
    ]


# One row per version of a migration's row: stored once, valid over a range of its tracker's
# uploads. The current picture is the open versions; any upload's rows, those whose range holds it.
migrations_table = Table(
    "migration_versions",
    metadata,
    *_version_columns(),
    *[_migration_column(name) for name in VERSIONED_MIGRATION_COLUMNS],
    Index("ix_migration_versions_range", "tracker", "valid_to", "valid_from"),
    Index("ix_migration_versions_migration", "migration_id"),
    # A migration appears once in an upload, so once among the versions starting there.
    UniqueConstraint("tracker", "migration_id", "valid_from", name="uq_migration_versions_row"),
)

# One row per version of one phase of a migration, likewise.
phases_table = Table(
    "phase_versions",
    metadata,
    *_version_columns(),
    Column("migration_id", Text, nullable=False),
    Column("phase", Text, nullable=False),
    *[Column(name, Date) for name in PHASE_DATE_COLUMNS],
    Index("ix_phase_versions_range", "tracker", "valid_to", "valid_from"),
    # Slippage reads one phase's versions across every upload.
    Index("ix_phase_versions_phase", "phase", "migration_id"),
    UniqueConstraint(
        "tracker", "migration_id", "phase", "valid_from", name="uq_phase_versions_row"
    ),
)

set_aside_table = Table(
    "upload_set_aside",
    metadata,
    _upload_key(),
    Column("position", Integer, primary_key=True),
    Column("sheet", Text, nullable=False),
    Column("sheet_row", Integer, nullable=False),
    Column("cells", Text, nullable=False),  # JSON object: header -> raw cell text
    Column("reasons", Text, nullable=False),
)

problems_table = Table(
    "upload_problems",
    metadata,
    _upload_key(),
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
SCHEMA_VERSION: str = "0004"


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer regiondash than this one."""
