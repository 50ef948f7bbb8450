"""Original files stored compressed: uploads.content_encoding says how content is stored.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every existing row holds the file's bytes as they were: 'identity'. New uploads say
    # 'gzip' when compressing saved space (see store/uploads.py).
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(
            sa.Column("content_encoding", sa.Text(), nullable=False, server_default="identity")
        )


def downgrade() -> None:
    # Not reversible without decompressing every gzip row first; regiondash never downgrades.
    raise NotImplementedError("regiondash does not downgrade its schema")
