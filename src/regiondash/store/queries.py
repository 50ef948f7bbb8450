"""The current picture, one upload's rows and a phase's history across uploads_table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from regiondash.fields import MIGRATION_COLUMNS, PHASE_COLUMNS
from regiondash.phases import PHASE_KEYS
from regiondash.store import frames
from regiondash.store.engine import read_transaction
from regiondash.store.schema import (
    PHASE_DATE_COLUMNS,
    migrations_table,
    phases_table,
    uploads_table,
)
from regiondash.store.uploads import MIGRATION_KINDS, PHASE_KINDS

PICTURE_MIGRATION_KINDS = MIGRATION_KINDS | {"upload_id": frames.INT, "upload_as_at": frames.DATE}
PHASE_HISTORY_KINDS = {
    "upload_id": frames.INT,
    "as_at": frames.DATE,
    "uploaded_at": frames.UTC_TIMESTAMP,
    "migration_id": frames.TEXT,
    **{name: frames.DATE for name in PHASE_DATE_COLUMNS},
}
_PHASE_ORDER = {key: number for number, key in enumerate(PHASE_KEYS)}


def latest_as_at(engine: Engine) -> dt.date | None:
    """The greatest as-at date of any upload, or None when nothing is stored."""
    with read_transaction(engine) as conn:
        return conn.scalar(select(func.max(uploads_table.c.as_at)))


def _latest_holders(as_at: dt.date | None):
    """Subquery: for each migration, the upload_id and as_at of the latest upload that holds it."""
    rank = (
        func.row_number()
        .over(
            partition_by=migrations_table.c.migration_id,
            order_by=(uploads_table.c.as_at.desc(), uploads_table.c.upload_id.desc()),
        )
        .label("rank")
    )
    ranked = select(
        migrations_table.c.upload_id,
        migrations_table.c.migration_id,
        uploads_table.c.as_at,
        rank,
    ).join(uploads_table, uploads_table.c.upload_id == migrations_table.c.upload_id)
    if as_at is not None:
        ranked = ranked.where(uploads_table.c.as_at <= frames.as_date(as_at))
    ranked = ranked.subquery("ranked")
    return (
        select(ranked.c.upload_id, ranked.c.migration_id, ranked.c.as_at)
        .where(ranked.c.rank == 1)
        .subquery("latest")
    )


def current_picture(
    engine: Engine, as_at: dt.date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(migrations, phases): each migration's rows from the latest upload holding it by as_at."""
    latest = _latest_holders(as_at)
    m, p = migrations_table.c, phases_table.c
    migration_query = (
        select(
            *(m[name] for name in MIGRATION_COLUMNS),
            m.upload_id,
            latest.c.as_at.label("upload_as_at"),
        )
        .join(
            latest, and_(latest.c.upload_id == m.upload_id, latest.c.migration_id == m.migration_id)
        )
        .order_by(m.migration_id)
    )
    phase_query = select(*(p[name] for name in PHASE_COLUMNS)).join(
        latest, and_(latest.c.upload_id == p.upload_id, latest.c.migration_id == p.migration_id)
    )
    with read_transaction(engine) as conn:
        migrations = frames.typed_frame(
            conn.execute(migration_query).all(), PICTURE_MIGRATION_KINDS
        )
        phases = frames.typed_frame(frames.raw_rows(conn, phase_query), PHASE_KINDS)
    return migrations, _in_phase_order(phases)


def _in_phase_order(phases: pd.DataFrame) -> pd.DataFrame:
    order = phases["phase"].map(_PHASE_ORDER).fillna(len(_PHASE_ORDER))
    ordered = phases.assign(_order=order).sort_values(
        ["migration_id", "_order", "phase"], kind="stable"
    )
    return ordered.drop(columns="_order").reset_index(drop=True)


def upload_rows(engine: Engine, upload_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One upload's migrations and (dated) phases, in the order they were saved."""
    m, p = migrations_table.c, phases_table.c
    migration_query = (
        select(*(m[name] for name in MIGRATION_COLUMNS))
        .where(m.upload_id == int(upload_id))
        .order_by(m.position)
    )
    phase_query = (
        select(*(p[name] for name in PHASE_COLUMNS))
        .where(p.upload_id == int(upload_id))
        .order_by(p.position)
    )
    with read_transaction(engine) as conn:
        migrations = frames.typed_frame(frames.raw_rows(conn, migration_query), MIGRATION_KINDS)
        phases = frames.typed_frame(frames.raw_rows(conn, phase_query), PHASE_KINDS)
    return migrations, phases


def phase_history(engine: Engine, phase: str = "go_live") -> pd.DataFrame:
    """Every upload's row for one phase, oldest as-at first, for slippage."""
    p = phases_table.c
    query = (
        select(
            p.upload_id,
            uploads_table.c.as_at,
            uploads_table.c.uploaded_at,
            p.migration_id,
            *(p[name] for name in PHASE_DATE_COLUMNS),
        )
        .join(uploads_table, uploads_table.c.upload_id == p.upload_id)
        .where(p.phase == phase)
        .order_by(p.migration_id, uploads_table.c.as_at, p.upload_id)
    )
    with read_transaction(engine) as conn:
        return frames.typed_frame(frames.raw_rows(conn, query), PHASE_HISTORY_KINDS)
