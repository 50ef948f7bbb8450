"""Schema 2: uploads say whether they are the demo and how their rows were read.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain string defaults: batch mode adds them with ALTER TABLE on SQLite (an SQL-expression
    # default would make it rebuild the table instead).
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(sa.Column("is_demo", sa.Boolean(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("read_as", sa.Text(), nullable=False, server_default="{}"))
    # Uploads stored before the flag existed: the demo loader's own uploader and file names.
    uploads = sa.table(
        "uploads",
        sa.column("is_demo", sa.Boolean()),
        sa.column("uploaded_by", sa.Text()),
        sa.column("file_name", sa.Text()),
    )
    op.execute(
        uploads.update()
        .where(uploads.c.uploaded_by == "SCW CSU migration team")
        .where(uploads.c.file_name.like("SW GP migrations tracker %.xlsx"))
        .values(is_demo=True)
    )


def downgrade() -> None:
    # On SQLite dropping a column rebuilds uploads, whose DROP would cascade to every row table.
    raise NotImplementedError("regiondash does not downgrade its schema")
