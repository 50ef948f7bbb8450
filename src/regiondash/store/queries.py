"""The current picture, one upload's rows and a phase's history across uploads_table."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, func, select, union

from regiondash.fields import EVENT_DATE_FIELDS, PHASE_COLUMNS
from regiondash.frames_schema import check_migration_frames
from regiondash.phases import PHASE_KEYS
from regiondash.store import frames
from regiondash.store.engine import read_transaction
from regiondash.store.layout import in_saved_order, placed_migrations, read_layout
from regiondash.store.schema import (
    LAYOUT_COLUMNS,
    PHASE_DATE_COLUMNS,
    VERSIONED_MIGRATION_COLUMNS,
    migrations_table,
    phases_table,
    uploads_table,
)
from regiondash.store.uploads import MIGRATION_KINDS, PHASE_KINDS
from regiondash.store.versions import valid_at

PICTURE_MIGRATION_KINDS = MIGRATION_KINDS | {
    "upload_id": frames.INT,
    "upload_as_at": frames.DATE,
    "tracker": frames.TEXT,
}
_VERSIONED_PICTURE_KINDS = {
    name: kind for name, kind in PICTURE_MIGRATION_KINDS.items() if name not in LAYOUT_COLUMNS
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
    """Subquery: each tracker's latest upload as at the date (upload_id, tracker, as_at,
    order_key): the last in its order (store/versions.py) on or before the date."""
    u = uploads_table.c
    latest = select(u.tracker, func.max(u.order_key).label("order_key")).group_by(u.tracker)
    if as_at is not None:
        latest = latest.where(u.as_at <= frames.as_date(as_at))
    keys = latest.subquery("latest_keys")
    return (
        select(u.upload_id, u.tracker, u.as_at, u.order_key)
        .join(keys, and_(u.tracker == keys.c.tracker, u.order_key == keys.c.order_key))
        .subquery("tracker_latest")
    )


def _valid_in(table, picked):
    """The join condition: a version of the picked upload's tracker whose range holds it."""
    t = table.c
    return and_(
        t.tracker == picked.c.tracker,
        t.valid_from <= picked.c.order_key,
        t.valid_to > picked.c.order_key,
    )


def current_picture(
    engine: Engine, as_at: dt.date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(migrations, phases): each migration's rows from its tracker's latest upload by as_at.

    The picture is each tracker's latest upload on or before the date: a migration absent from
    it has left the picture. Should two trackers' latest uploads both hold a migration, the
    later as-at date gives its row. Both frames carry `upload_as_at`, the date each row is
    judged at (asat.judged_at); the migrations also carry their `upload_id`, `tracker` and, per
    event field, `tracks_<field>`: whether the upload had a column for it (a rule whose column
    is missing is not assessed).
    """
    picked = _tracker_latest(as_at)
    m, p = migrations_table.c, phases_table.c
    migration_query = select(
        *(m[name] for name in VERSIONED_MIGRATION_COLUMNS),
        picked.c.upload_id,
        picked.c.as_at.label("upload_as_at"),
        picked.c.tracker,
    ).join(picked, _valid_in(migrations_table, picked))
    phase_query = select(
        *(p[name] for name in PHASE_COLUMNS),
        picked.c.as_at.label("upload_as_at"),
        picked.c.tracker,
    ).join(picked, _valid_in(phases_table, picked))
    u = uploads_table.c
    with read_transaction(engine) as conn:
        migrations = frames.typed_frame(
            frames.raw_rows(conn, migration_query), _VERSIONED_PICTURE_KINDS
        )
        phases = frames.typed_frame(
            frames.raw_rows(conn, phase_query), PICTURE_PHASE_KINDS | {"tracker": frames.TEXT}
        )
        held = conn.execute(
            select(u.upload_id, u.mapping, u.layout).where(
                u.upload_id.in_(select(picked.c.upload_id).scalar_subquery())
            )
        ).all()
    mappings = {upload_id: mapping for upload_id, mapping, _ in held}
    places = [
        placed_migrations(read_layout(blob)).assign(upload_id=upload_id)
        for upload_id, _, blob in held
    ]
    if places:
        placed = pd.concat(places, ignore_index=True).drop(columns="position")
        migrations = migrations.merge(placed, on=["upload_id", "migration_id"], how="left")
    else:
        migrations = migrations.assign(
            sheet=pd.Series(dtype="string"), source_row=pd.Series(dtype="int64")
        )
    migrations = migrations[list(PICTURE_MIGRATION_KINDS)]
    # One row per migration: from the tracker whose latest upload is the later.
    migrations = migrations.sort_values(
        ["upload_as_at", "upload_id"], ascending=False, kind="stable"
    ).drop_duplicates("migration_id")
    migrations = migrations.sort_values("migration_id", kind="stable").reset_index(drop=True)
    holders = migrations[["migration_id", "tracker"]]
    phases = phases.merge(holders, on=["migration_id", "tracker"]).drop(columns="tracker")
    migrations, phases = _with_tracked_fields(migrations, mappings), _in_phase_order(phases)
    return check_migration_frames(migrations, phases)  # canonical, plus the picture's columns


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
    picked = _tracker_latest(None)
    m = migrations_table.c
    query = select(
        picked.c.tracker,
        picked.c.as_at,
        m.migration_id,
        m.ods_code,
        m.csu,
        m.source_system,
        m.target_system,
        m.reported_status,
    ).join(picked, _valid_in(migrations_table, picked))
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


def departed(engine: Engine, as_at: dt.date | None = None) -> pd.DataFrame:
    """Migrations gone from their tracker as at the date: in an earlier upload of it and not in
    its latest (the migration's identity and organisations as last recorded, tracker,
    last_seen: the as-at date of the last upload holding it, left_on: that of the next upload
    of its tracker, the first without it). Read from the versions that ended, not from every
    upload."""
    picked = _tracker_latest(as_at)
    m = migrations_table.c
    other = migrations_table.alias("still")
    still_there = (
        select(other.c.version_id)
        .where(
            other.c.tracker == m.tracker,
            other.c.migration_id == m.migration_id,
            other.c.valid_from <= picked.c.order_key,
            other.c.valid_to > picked.c.order_key,
        )
        .exists()
    )
    query = (
        select(*(m[name] for name in _MEMBER_COLUMNS), m.tracker, m.valid_to)
        .join(picked, m.tracker == picked.c.tracker)
        .where(m.valid_to <= picked.c.order_key, ~still_there)
    )
    kinds = dict.fromkeys(_MEMBER_COLUMNS, frames.TEXT) | {
        "tracker": frames.TEXT,
        "left_key": frames.INT,
    }
    u = uploads_table.c
    with read_transaction(engine) as conn:
        ended = frames.typed_frame(frames.raw_rows(conn, query), kinds)
        uploads = frames.typed_frame(
            frames.raw_rows(conn, select(u.tracker, u.order_key, u.as_at)),
            {"tracker": frames.TEXT, "order_key": frames.INT, "as_at": frames.DATE},
        )
    # The last version of each: a migration may have changed (or left and come back) before.
    ended = ended.sort_values("left_key", kind="stable").drop_duplicates(
        ["tracker", "migration_id"], keep="last"
    )
    uploads = uploads.sort_values(["tracker", "order_key"]).reset_index(drop=True)
    uploads["before_as_at"] = uploads.groupby("tracker")["as_at"].shift()
    gone = ended.merge(
        uploads.rename(columns={"order_key": "left_key"}), on=["tracker", "left_key"]
    )
    result = gone.rename(columns={"before_as_at": "last_seen", "as_at": "left_on"})
    columns = [*_MEMBER_COLUMNS, "tracker", "last_seen", "left_on"]
    return result[columns].reset_index(drop=True)


def _in_phase_order(phases: pd.DataFrame) -> pd.DataFrame:
    order = phases["phase"].map(_PHASE_ORDER).fillna(len(_PHASE_ORDER))
    ordered = phases.assign(_order=order).sort_values(
        ["migration_id", "_order", "phase"], kind="stable"
    )
    return ordered.drop(columns="_order").reset_index(drop=True)


def upload_rows(engine: Engine, upload_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One upload's migrations and (dated) phases, in the order they were saved: the versions of
    its tracker whose range holds it, placed as its layout says."""
    u = uploads_table.c
    m, p = migrations_table.c, phases_table.c
    with read_transaction(engine) as conn:
        found = conn.execute(
            select(u.tracker, u.order_key, u.layout).where(u.upload_id == int(upload_id))
        ).one_or_none()
        if found is None:
            raise LookupError(f"no upload with id {upload_id}")
        tracker, key, blob = found
        migration_query = select(*(m[name] for name in VERSIONED_MIGRATION_COLUMNS)).where(
            m.tracker == tracker, m.valid_from <= key, m.valid_to > key
        )
        phase_query = select(*(p[name] for name in PHASE_COLUMNS)).where(
            p.tracker == tracker, p.valid_from <= key, p.valid_to > key
        )
        migrations = frames.typed_frame(
            frames.raw_rows(conn, migration_query),
            {name: MIGRATION_KINDS[name] for name in VERSIONED_MIGRATION_COLUMNS},
        )
        phases = frames.typed_frame(frames.raw_rows(conn, phase_query), PHASE_KINDS)
    return check_migration_frames(
        *in_saved_order(migrations, phases, read_layout(blob), list(MIGRATION_KINDS))
    )


COMPARE_MIGRATION_KINDS = {
    "migration_id": frames.TEXT,
    "ods_code": frames.TEXT,
    "practice_name": frames.TEXT,
    "reported_status": frames.TEXT,
}


def rows_to_compare(
    engine: Engine, before_id: int, after_id: int
) -> tuple[tuple[pd.DataFrame, pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]:
    """((migrations, phases) of upload before_id, (migrations, phases) of upload after_id): what
    changes.compare_uploads needs to compare the two, read from the row versions.

    The migrations have COMPARE_MIGRATION_KINDS' columns, the phases PHASE_COLUMNS; neither is
    in the order saved (the comparison sorts what it finds). Of two uploads of one tracker only
    the migrations whose comparison can find something are read: those with a version valid at
    one upload and not the other (added, removed or changed), and those whose rows are the same
    in both but hold an actual start or end after the earlier as-at date and on or before the
    later (done as at one upload's date, not yet as at the other's). Every other migration has
    the same rows in both uploads, judged alike at both dates: it compares as unchanged. Uploads
    of two trackers share no versions, so all of both uploads' rows are read.
    """
    u = uploads_table.c
    with read_transaction(engine) as conn:
        found = {
            upload_id: (tracker, key, as_at)
            for upload_id, tracker, key, as_at in conn.execute(
                select(u.upload_id, u.tracker, u.order_key, u.as_at).where(
                    u.upload_id.in_([int(before_id), int(after_id)])
                )
            )
        }
        for upload_id in (before_id, after_id):
            if int(upload_id) not in found:
                raise LookupError(f"no upload with id {upload_id}")
        (tracker, before_key, before_as_at) = found[int(before_id)]
        (after_tracker, after_key, after_as_at) = found[int(after_id)]
        if tracker != after_tracker:
            return (
                _held_rows(conn, tracker, [before_key])[0],
                _held_rows(conn, after_tracker, [after_key])[0],
            )
        lo, hi = sorted([before_key, after_key])
        first, last = sorted([frames.as_date(before_as_at), frames.as_date(after_as_at)])
        query = _compared_migrations(tracker, lo, hi, first, last)
        wanted = sorted(mid for (mid,) in conn.execute(query))
        before, after = _held_rows(conn, tracker, [before_key, after_key], wanted)
        return before, after


_IDS_PER_QUERY = 500  # migration ids bound in one IN list, well under any driver's limit


def _compared_migrations(tracker: str, lo: int, hi: int, first: dt.date, last: dt.date):
    """The query for the migration_ids of a tracker whose comparison between its uploads at
    keys lo <= hi (as at first <= last) can find something (rows_to_compare)."""
    m, p = migrations_table.c, phases_table.c

    def at_one_only(t):
        # valid at lo and closed by hi, or opened after lo and valid at hi
        return and_(
            t.tracker == tracker,
            ((t.valid_from <= lo) & (t.valid_to > lo) & (t.valid_to <= hi))
            | ((t.valid_from > lo) & (t.valid_from <= hi) & (t.valid_to > hi)),
        )

    def between(column):
        return (column > first) & (column <= last)

    unchanged_but_done = select(p.migration_id).where(
        p.tracker == tracker,
        p.valid_from <= lo,
        p.valid_to > hi,
        between(p.actual_start) | between(p.actual_end),
    )
    return union(
        select(m.migration_id).where(at_one_only(m)),
        select(p.migration_id).where(at_one_only(p)),
        unchanged_but_done,
    )


def _held_rows(
    conn, tracker: str, keys: list[int], wanted: list[str] | None = None
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Per key, (migrations, phases): the tracker's versions valid there (of the wanted
    migrations only, when given), in the columns the comparison needs. Each version is read
    once, however many of the keys hold it."""
    ranges = {"valid_from": frames.INT, "valid_to": frames.INT}
    found = []
    for table, kinds in ((migrations_table, COMPARE_MIGRATION_KINDS), (phases_table, PHASE_KINDS)):
        t = table.c
        query = select(*(t[name] for name in kinds), t.valid_from, t.valid_to)
        if wanted is None:
            (key,) = keys
            queries = [query.where(t.tracker == tracker, t.valid_from <= key, t.valid_to > key)]
        else:
            # Looked up by migration (the tracker and migration_id index), not by range: the
            # range would walk every version still open. "+ 0" keeps SQLite off the range index.
            in_range = (t.valid_from <= max(keys)) & ((t.valid_to + 0) > min(keys))
            queries = [
                query.where(t.tracker == tracker, t.migration_id.in_(chunk), in_range)
                for chunk in (
                    wanted[n : n + _IDS_PER_QUERY] for n in range(0, len(wanted), _IDS_PER_QUERY)
                )
            ]
        rows = [row for each in queries for row in frames.raw_rows(conn, each)]
        found.append(frames.typed_frame(rows, kinds | ranges))
    migrations, phases = found
    return [
        (
            valid_at(migrations, key).drop(columns=list(ranges)).reset_index(drop=True),
            valid_at(phases, key).drop(columns=list(ranges)).reset_index(drop=True),
        )
        for key in keys
    ]


def phase_history(
    engine: Engine, phase: str = "go_live", as_at: dt.date | None = None
) -> pd.DataFrame:
    """Each version of one phase's row across the uploads on or before the date, for slippage:
    the upload it was first recorded in (upload_id, as_at, uploaded_at), its dates and
    `uploads`, how many of its tracker's uploads (by the date) held it. Oldest first per
    migration."""
    p, u = phases_table.c, uploads_table.c
    query = select(
        p.migration_id,
        *(p[name] for name in PHASE_DATE_COLUMNS),
        p.tracker,
        p.valid_from,
        p.valid_to,
    ).where(p.phase == phase)
    listed = select(u.upload_id, u.as_at, u.uploaded_at, u.tracker, u.order_key)
    if as_at is not None:
        listed = listed.where(u.as_at <= frames.as_date(as_at))
        latest = select(func.max(u.order_key)).where(u.as_at <= frames.as_date(as_at))
        query = query.where(p.valid_from <= latest.scalar_subquery())
    kinds = {
        "migration_id": frames.TEXT,
        **{name: frames.DATE for name in PHASE_DATE_COLUMNS},
        "tracker": frames.TEXT,
        "valid_from": frames.INT,
        "valid_to": frames.INT,
    }
    upload_kinds = {
        "upload_id": frames.INT,
        "as_at": frames.DATE,
        "uploaded_at": frames.UTC_TIMESTAMP,
        "tracker": frames.TEXT,
        "order_key": frames.INT,
    }
    with read_transaction(engine) as conn:
        versions = frames.typed_frame(frames.raw_rows(conn, query), kinds)
        uploads = frames.typed_frame(frames.raw_rows(conn, listed), upload_kinds)
    # The upload each version was first recorded in: uploads are few, versions many, so they
    # are matched here rather than joined row by row in the database.
    first = uploads.drop(columns="tracker").rename(columns={"order_key": "valid_from"})
    history = versions.merge(first, on="valid_from", how="inner")
    held = pd.Series(0, index=history.index, dtype="int64")
    for tracker, group in history.groupby("tracker"):
        ordered = np.sort(uploads.loc[uploads["tracker"] == tracker, "order_key"].to_numpy())
        start = np.searchsorted(ordered, group["valid_from"].to_numpy(), side="left")
        end = np.searchsorted(ordered, group["valid_to"].to_numpy(), side="left")
        held[group.index] = end - start
    history = history.assign(uploads=held)
    history = history.sort_values(["migration_id", "as_at", "upload_id"], kind="stable")
    return history[[*PHASE_HISTORY_KINDS, "uploads"]].reset_index(drop=True)
