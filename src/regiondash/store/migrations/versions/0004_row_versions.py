"""Row versions: each row stored once with the range of its tracker's uploads it is valid over.

Replaces upload_migrations and upload_phases (every row of every upload) with migration_versions
and phase_versions (store/versions.py says how), gives each upload its order_key and its layout
(where its rows stood, store/layout.py), and moves the original files to upload_files. Every
stored upload is replayed in its tracker's order, so each still reads back exactly. The planner
and the layout writer are imported: both are pure and keep their meaning.

Revision ID: 0004
Revises: 0003
"""

import datetime as dt
from typing import Any, cast

import pandas as pd
import sqlalchemy as sa
from alembic import op

from regiondash.store.layout import layout_of
from regiondash.store.versions import OPEN, order_key, plan_versions

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Written out as they are now: the live definitions in store/schema.py move on, this must not.
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


def _version_columns() -> list[sa.Column]:
    return [
        sa.Column("version_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tracker", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.BigInteger(), nullable=False),
        sa.Column("valid_to", sa.BigInteger(), nullable=False),
    ]


def _migration_columns() -> list[sa.Column]:
    return [
        sa.Column("migration_id", sa.Text(), nullable=False),
        *[sa.Column(name, sa.Text()) for name in MIGRATION_TEXT],
        sa.Column("source_system_inferred", sa.Boolean(), nullable=False),
        *[sa.Column(name, sa.Text()) for name in MIGRATION_TEXT_AFTER_INFERRED],
        *[sa.Column(name, sa.Date()) for name in MIGRATION_DATES],
    ]


def _phase_columns() -> list[sa.Column]:
    return [
        sa.Column("migration_id", sa.Text(), nullable=False),
        sa.Column("phase", sa.Text(), nullable=False),
        *[sa.Column(name, sa.Date()) for name in PHASE_DATES],
    ]


def upgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(
            sa.Column("order_key", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("layout", sa.LargeBinary()))
    op.create_index("ix_uploads_tracker_order", "uploads", ["tracker", "order_key"])
    migrations = op.create_table(
        "migration_versions",
        *_version_columns(),
        *_migration_columns(),
        sa.UniqueConstraint(
            "tracker", "migration_id", "valid_from", name="uq_migration_versions_row"
        ),
    )
    op.create_index(
        "ix_migration_versions_range", "migration_versions", ["tracker", "valid_to", "valid_from"]
    )
    op.create_index("ix_migration_versions_migration", "migration_versions", ["migration_id"])
    phases = op.create_table(
        "phase_versions",
        *_version_columns(),
        *_phase_columns(),
        sa.UniqueConstraint(
            "tracker", "migration_id", "phase", "valid_from", name="uq_phase_versions_row"
        ),
    )
    op.create_index(
        "ix_phase_versions_range", "phase_versions", ["tracker", "valid_to", "valid_from"]
    )
    op.create_index("ix_phase_versions_phase", "phase_versions", ["phase", "migration_id"])
    _replay(op.get_bind(), migrations, phases)
    op.drop_table("upload_phases")
    op.drop_table("upload_migrations")
    # The original files move out of the uploads rows (see store/schema.py files_table). A plain
    # ALTER TABLE DROP COLUMN (SQLite 3.35 and later): a batch rebuild of uploads would delete
    # every row that refers to it.
    op.create_table(
        "upload_files",
        sa.Column(
            "upload_id",
            sa.Integer(),
            sa.ForeignKey("uploads.upload_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_encoding", sa.Text(), nullable=False, server_default="identity"),
    )
    op.execute(
        "INSERT INTO upload_files (upload_id, content, content_encoding) "
        "SELECT upload_id, content, content_encoding FROM uploads"
    )
    op.drop_column("uploads", "content_encoding")
    op.drop_column("uploads", "content")


def _replay(conn: sa.Connection, migrations: sa.Table, phases: sa.Table) -> None:
    """Store every upload's rows again as versions, tracker by tracker in upload order, and
    each upload's layout (store/layout.py) from where its rows stood."""
    uploads = sa.table(
        "uploads",
        sa.column("upload_id", sa.Integer()),
        sa.column("tracker", sa.Text()),
        sa.column("as_at", sa.Date()),
        sa.column("order_key", sa.BigInteger()),
        sa.column("layout", sa.LargeBinary()),
    )
    listed = conn.execute(sa.select(uploads.c.upload_id, uploads.c.tracker, uploads.c.as_at)).all()
    keyed = []
    for upload_id, tracker, as_at in listed:
        day = as_at if isinstance(as_at, dt.date) else dt.date.fromisoformat(str(as_at)[:10])
        keyed.append((tracker, order_key(day, upload_id), upload_id))
    placed: list[sa.ColumnClause[Any]] = [
        sa.column("sheet", sa.Text()),
        sa.column("source_row", sa.Integer()),
    ]
    old_migrations = sa.table(
        "upload_migrations",
        sa.column("upload_id", sa.Integer()),
        sa.column("position", sa.Integer()),
        *[sa.column(c.name, c.type) for c in _migration_columns()],
        *placed,
    )
    old_phases = sa.table(
        "upload_phases",
        sa.column("upload_id", sa.Integer()),
        sa.column("position", sa.Integer()),
        *[sa.column(c.name, c.type) for c in _phase_columns()],
    )
    valid: dict[tuple[str, str], pd.DataFrame] = {}
    next_id = {"migration": 1, "phase": 1}
    for tracker, key, upload_id in sorted(keyed):
        saved = {}
        for kind, old, new, keys in (
            ("migration", old_migrations, migrations, ["migration_id"]),
            ("phase", old_phases, phases, ["migration_id", "phase"]),
        ):
            names = [c.name for c in old.columns if c.name not in ("upload_id", "position")]
            rows = conn.execute(
                sa.select(*(old.c[n] for n in names))
                .where(old.c.upload_id == upload_id)
                .order_by(old.c.position)
            ).all()
            frame = pd.DataFrame.from_records(rows, columns=names).astype(object)
            saved[kind] = frame
            frame = frame.drop(columns=["sheet", "source_row"], errors="ignore")
            before = valid.get((tracker, kind))
            if before is None:
                before = frame.iloc[:0].assign(version_id=[], valid_to=[])
            plan = plan_versions(before, frame, keys, key)
            closed = before["version_id"].isin(plan.close)
            if closed.any():
                conn.execute(
                    new.update()
                    .where(new.c.version_id.in_([int(v) for v in plan.close]))
                    .values(valid_to=key)
                )
            added = plan.add.assign(
                version_id=range(next_id[kind], next_id[kind] + len(plan.add)), tracker=tracker
            )
            next_id[kind] += len(plan.add)
            if len(added):
                records = added.astype(object).where(added.notna(), None).to_dict("records")
                # the column labels are names: pandas-stubs types a record's keys as any Hashable
                conn.execute(sa.insert(new), cast(list[dict[str, Any]], records))
            kept = before[~closed & (before["valid_to"] > key)]
            valid[(tracker, kind)] = pd.concat(
                [kept, added[added["valid_to"] == OPEN].drop(columns="tracker")],
                ignore_index=True,
            )
        conn.execute(
            uploads.update()
            .where(uploads.c.upload_id == upload_id)
            .values(order_key=key, layout=layout_of(saved["migration"], saved["phase"]))
        )
    if conn.dialect.name == "postgresql":
        # The ids were given here: the sequences must carry on after them.
        for name in ("migration_versions", "phase_versions"):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'version_id'), "
                    f"coalesce(max(version_id), 0) + 1, false) FROM {name}"
                )
            )


def downgrade() -> None:
    raise NotImplementedError("regiondash does not downgrade its schema")
