"""Schema 1: the tables as the first release created them (uploads and their rows).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written out as they were: the live definitions in store/schema.py move on, this must not.
MIGRATION_TEXT = [
    "ods_code",
    "practice_name",
    "sub_icb_code",
    "sub_icb_name",
    "icb_code",
    "icb_name",
    "region_code",
    "region_name",
    "csu",
    "ordering_party",
    "source_system",
]
MIGRATION_TEXT_AFTER_INFERRED = ["target_system", "reported_status", "reported_rag", "notes"]
MIGRATION_DATES = [
    "extract_requested",
    "decommission_schedule_a",
    "cutover_planning_meeting",
    "tracking_updated",
]
PHASE_DATES = ["planned_start", "planned_end", "actual_start", "actual_end"]


def _upload_id_key() -> sa.Column:
    return sa.Column(
        "upload_id",
        sa.Integer(),
        sa.ForeignKey("uploads.upload_id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("upload_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("file_kind", sa.Text(), nullable=False),
        sa.Column("sheet", sa.Text()),
        sa.Column("header_row", sa.Integer()),
        sa.Column("tracker", sa.Text(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("migrations", sa.Integer(), nullable=False),
        sa.Column("rows_set_aside", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
    )
    op.create_table(
        "header_mappings",
        sa.Column("signature", sa.Text(), primary_key=True),
        sa.Column("mapping", sa.Text(), nullable=False),
    )
    op.create_table(
        "upload_migrations",
        _upload_id_key(),
        sa.Column("migration_id", sa.Text(), primary_key=True),
        *[sa.Column(name, sa.Text()) for name in MIGRATION_TEXT],
        sa.Column("source_system_inferred", sa.Boolean(), nullable=False),
        *[sa.Column(name, sa.Text()) for name in MIGRATION_TEXT_AFTER_INFERRED],
        *[sa.Column(name, sa.Date()) for name in MIGRATION_DATES],
        sa.Column("sheet", sa.Text()),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_upload_migrations_migration_id", "upload_migrations", ["migration_id"])
    op.create_table(
        "upload_set_aside",
        _upload_id_key(),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("sheet", sa.Text(), nullable=False),
        sa.Column("sheet_row", sa.Integer(), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
    )
    op.create_table(
        "upload_problems",
        _upload_id_key(),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("sheet", sa.Text()),
        sa.Column("sheet_row", sa.Integer()),
        sa.Column("column_name", sa.Text()),
        sa.Column("value", sa.Text()),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_table(
        "upload_phases",
        sa.Column("upload_id", sa.Integer(), primary_key=True),
        sa.Column("migration_id", sa.Text(), primary_key=True),
        sa.Column("phase", sa.Text(), primary_key=True),
        *[sa.Column(name, sa.Date()) for name in PHASE_DATES],
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id", "migration_id"],
            ["upload_migrations.upload_id", "upload_migrations.migration_id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_upload_phases_phase", "upload_phases", ["phase", "upload_id"])


def downgrade() -> None:
    raise NotImplementedError("regiondash does not downgrade its schema")
