"""The current picture, one upload's rows and a phase's history across uploads_table."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from regiondash.fields import EVENT_DATE_FIELDS, MIGRATION_COLUMNS, PHASE_COLUMNS
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

PICTURE_MIGRATION_KINDS = MIGRATION_KINDS | {
    "upload_id": frames.INT,
    "upload_as_at": frames.DATE,
    "tracker": frames.TEXT,
}
PICTURE_PHASE_KINDS = PHASE_KINDS | {"upload_as_at": frames.DATE}
PICTURE_UPLOAD_KINDS = {
    "upload_id": frames.INT,
    "tracker": frames.TEXT,
    "as_at": frames.DATE,
    "file_name": frames.TEXT,
    "uploaded_by": frames.TEXT,
    "uploaded_at": frames.UTC_TIMESTAMP,
    "migrations": frames.INT,
    "is_demo": frames.BOOL,
}
_MEMBER_COLUMNS = [
    "migration_id",
    "ods_code",
    "practice_name",
    "region_code",
    "icb_code",
    "sub_icb_code",
    "csu",
    "source_system",
    "target_system",
]
UPLOAD_MEMBER_KINDS = {
    "upload_id": frames.INT,
    "tracker": frames.TEXT,
    "as_at": frames.DATE,
    **dict.fromkeys(_MEMBER_COLUMNS, frames.TEXT),
}
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


def _tracker_latest(as_at: dt.date | None):
    """Subquery: each tracker's latest upload as at the date (upload_id, tracker, as_at)."""
    u = uploads_table.c
    rank = (
        func.row_number()
        .over(partition_by=u.tracker, order_by=(u.as_at.desc(), u.upload_id.desc()))
        .label("rank")
    )
    ranked = select(u.upload_id, u.tracker, u.as_at, rank)
    if as_at is not None:
        ranked = ranked.where(u.as_at <= frames.as_date(as_at))
    ranked = ranked.subquery("ranked_uploads")
    return (
        select(ranked.c.upload_id, ranked.c.tracker, ranked.c.as_at)
        .where(ranked.c.rank == 1)
        .subquery("tracker_latest")
    )


def _latest_holders(as_at: dt.date | None):
    """Subquery: for each migration in the current picture, the upload that gives its row.

    The picture is each tracker's latest upload on or before the date: a migration absent from
    it has left the picture. Should two trackers' latest uploads both hold a migration, the later
    as-at date gives its row.
    """
    trackers = _tracker_latest(as_at)
    m = migrations_table.c
    rank = (
        func.row_number()
        .over(
            partition_by=m.migration_id,
            order_by=(trackers.c.as_at.desc(), trackers.c.upload_id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(m.upload_id, m.migration_id, trackers.c.as_at, trackers.c.tracker, rank)
        .join(trackers, trackers.c.upload_id == m.upload_id)
        .subquery("ranked")
    )
    return (
        select(ranked.c.upload_id, ranked.c.migration_id, ranked.c.as_at, ranked.c.tracker)
        .where(ranked.c.rank == 1)
        .subquery("latest")
    )


def current_picture(
    engine: Engine, as_at: dt.date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(migrations, phases): each migration's rows from its tracker's latest upload by as_at.

    Both frames carry `upload_as_at`, the date each row is judged at (asat.judged_at); the
    migrations also carry their `tracker` and, per event field, `tracks_<field>`: whether the
    upload had a column for it (a rule whose column is missing is not assessed).
    """
    latest = _latest_holders(as_at)
    m, p = migrations_table.c, phases_table.c
    migration_query = (
        select(
            *(m[name] for name in MIGRATION_COLUMNS),
            m.upload_id,
            latest.c.as_at.label("upload_as_at"),
            latest.c.tracker,
        )
        .join(
            latest, and_(latest.c.upload_id == m.upload_id, latest.c.migration_id == m.migration_id)
        )
        .order_by(m.migration_id)
    )
    phase_query = select(
        *(p[name] for name in PHASE_COLUMNS), latest.c.as_at.label("upload_as_at")
    ).join(latest, and_(latest.c.upload_id == p.upload_id, latest.c.migration_id == p.migration_id))
    with read_transaction(engine) as conn:
        migrations = frames.typed_frame(
            conn.execute(migration_query).all(), PICTURE_MIGRATION_KINDS
        )
        phases = frames.typed_frame(frames.raw_rows(conn, phase_query), PICTURE_PHASE_KINDS)
        mappings = dict(
            conn.execute(
                select(uploads_table.c.upload_id, uploads_table.c.mapping).where(
                    uploads_table.c.upload_id.in_(
                        select(latest.c.upload_id).distinct().scalar_subquery()
                    )
                )
            ).all()
        )
    return _with_tracked_fields(migrations, mappings), _in_phase_order(phases)


def _with_tracked_fields(migrations: pd.DataFrame, mappings: dict[int, str]) -> pd.DataFrame:
    """Add tracks_<field> for each event field: True when the row's upload had that column."""
    fields_of = {upload: set(json.loads(text).values()) for upload, text in mappings.items()}
    columns = {
        f"tracks_{field}": migrations["upload_id"]
        .map({upload: field in used for upload, used in fields_of.items()})
        .fillna(False)
        .astype(bool)
        for field in EVENT_DATE_FIELDS
    }
    return migrations.assign(**columns)


def picture_uploads(engine: Engine, as_at: dt.date | None = None) -> pd.DataFrame:
    """The uploads that make the picture as at the date: each tracker's latest on or before it,
    newest first (upload_id, tracker, as_at, file_name, uploaded_by, uploaded_at, is_demo)."""
    trackers = _tracker_latest(as_at)
    u = uploads_table.c
    query = (
        select(*(u[name] for name in PICTURE_UPLOAD_KINDS))
        .join(trackers, trackers.c.upload_id == u.upload_id)
        .order_by(u.as_at.desc(), u.upload_id.desc())
    )
    with read_transaction(engine) as conn:
        return frames.typed_frame(frames.raw_rows(conn, query), PICTURE_UPLOAD_KINDS)


def tracker_practices(engine: Engine) -> pd.DataFrame:
    """Each tracker's latest upload's migrations (tracker, as_at, migration_id, ods_code, csu,
    source_system, target_system, reported_status), for telling which tracker a renamed file
    replaces and which practices another tracker also moves."""
    trackers = _tracker_latest(None)
    m = migrations_table.c
    query = select(
        trackers.c.tracker,
        trackers.c.as_at,
        m.migration_id,
        m.ods_code,
        m.csu,
        m.source_system,
        m.target_system,
        m.reported_status,
    ).join(trackers, trackers.c.upload_id == m.upload_id)
    kinds = {
        "tracker": frames.TEXT,
        "as_at": frames.DATE,
        "migration_id": frames.TEXT,
        "ods_code": frames.TEXT,
        "csu": frames.TEXT,
        "source_system": frames.TEXT,
        "target_system": frames.TEXT,
        "reported_status": frames.TEXT,
    }
    with read_transaction(engine) as conn:
        return frames.typed_frame(frames.raw_rows(conn, query), kinds)


def migrations_by_upload(engine: Engine, as_at: dt.date | None = None) -> pd.DataFrame:
    """Which migrations each upload held (upload_id, tracker, as_at, then the migration's
    identity and organisations), for uploads on or before the date, oldest first: what
    removals are worked out from."""
    u, m = uploads_table.c, migrations_table.c
    query = (
        select(u.upload_id, u.tracker, u.as_at, *(m[name] for name in _MEMBER_COLUMNS))
        .join(uploads_table, u.upload_id == m.upload_id)
        .order_by(u.as_at, u.upload_id)
    )
    if as_at is not None:
        query = query.where(u.as_at <= frames.as_date(as_at))
    with read_transaction(engine) as conn:
        return frames.typed_frame(frames.raw_rows(conn, query), UPLOAD_MEMBER_KINDS)


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
