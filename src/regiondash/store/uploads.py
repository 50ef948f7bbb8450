"""Saving an upload whole or not at all, and reading back what each upload held."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, Table, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from regiondash.fields import MIGRATION_COLUMNS, PHASE_COLUMNS, PROBLEM_COLUMNS
from regiondash.store import bulk, frames
from regiondash.store.compression import original_content, stored_content
from regiondash.store.engine import read_transaction, write_transaction
from regiondash.store.layout import layout_of
from regiondash.store.schema import (
    MIGRATION_BOOL_COLUMNS,
    MIGRATION_DATE_COLUMNS,
    MIGRATION_INT_COLUMNS,
    PHASE_DATE_COLUMNS,
    VERSIONED_MIGRATION_COLUMNS,
    files_table,
    header_mappings_table,
    migrations_table,
    phases_table,
    problems_table,
    set_aside_table,
    uploads_table,
)
from regiondash.store.versions import order_key, plan_versions

STATUS_STORED = "stored"
STATUS_STORED_VALID_ROWS = "stored_valid_rows"
STATUS_UNCHANGED = "unchanged"


@dataclass(frozen=True)
class UploadRecord:
    """What is known about an uploaded file besides the rows it held."""

    file_name: str
    content: bytes
    uploaded_by: str
    uploaded_at: dt.datetime  # UTC; passed in because domain code has no clock
    as_at: dt.date
    file_kind: str  # "xlsx" | "csv" | "database"
    sheet: str | None
    header_row: int | None
    tracker: str
    mapping: dict[str, str]  # header -> field used
    rows_read: int
    sha256: str  # hex digest of content
    is_demo: bool = False  # the fictional demo region
    read_as: dict[str, object] | None = None  # how the rows were read (JSON-ready)


@dataclass(frozen=True)
class SaveOutcome:
    """Whether save_upload stored a new upload, and the id that holds these bytes."""

    status: str  # "stored" | "unchanged"
    upload_id: int


def _migration_kind(name: str) -> str:
    if name in MIGRATION_DATE_COLUMNS:
        return frames.DATE
    if name in MIGRATION_BOOL_COLUMNS:
        return frames.BOOL
    if name in MIGRATION_INT_COLUMNS:
        return frames.INT
    return frames.TEXT


MIGRATION_KINDS = {name: _migration_kind(name) for name in MIGRATION_COLUMNS}
PHASE_KINDS = {
    name: frames.DATE if name in PHASE_DATE_COLUMNS else frames.TEXT for name in PHASE_COLUMNS
}
PROBLEM_KINDS = {name: frames.TEXT for name in PROBLEM_COLUMNS} | {"row": frames.NULLABLE_INT}
SET_ASIDE_KINDS = {
    "sheet": frames.TEXT,
    "row": frames.INT,
    "values": frames.JSON,
    "reasons": frames.TEXT,
}
SET_ASIDE_COLUMNS = list(SET_ASIDE_KINDS)
# Frame column -> table column where SQL wants another name.
PROBLEM_DB_NAMES = {"row": "sheet_row", "column": "column_name"}
SET_ASIDE_DB_NAMES = {"row": "sheet_row", "values": "cells"}
UPLOAD_KINDS = {
    "upload_id": frames.INT,
    "uploaded_at": frames.UTC_TIMESTAMP,
    "uploaded_by": frames.TEXT,
    "as_at": frames.DATE,
    "file_name": frames.TEXT,
    "file_kind": frames.TEXT,
    "sheet": frames.TEXT,
    "header_row": frames.NULLABLE_INT,
    "tracker": frames.TEXT,
    "sha256": frames.TEXT,
    "rows_read": frames.INT,
    "migrations": frames.INT,
    "rows_set_aside": frames.INT,
    "errors": frames.INT,
    "warnings": frames.INT,
    "status": frames.TEXT,
    "is_demo": frames.BOOL,
    "read_as": frames.JSON_TEXT,
}


def _columns(
    frame: pd.DataFrame, kinds: dict[str, str], what: str, iso_dates: bool = False
) -> dict[str, list]:
    missing = [name for name in kinds if name not in frame.columns]
    if missing and len(frame):
        raise ValueError(f"{what} frame lacks columns {missing}")
    if missing:
        return {name: [] for name in kinds}  # nothing to store, whatever its shape
    return {
        name: frames.parameter_values(frame[name], kind, iso_dates) for name, kind in kinds.items()
    }


def _checked_inputs(upload: UploadRecord, migrations: pd.DataFrame, phases: pd.DataFrame) -> None:
    # Caught here, these are a clear message; caught by the database, an IntegrityError.
    if hashlib.sha256(upload.content).hexdigest() != upload.sha256.lower():
        raise ValueError(f"sha256 does not match the content of {upload.file_name}")
    ids = migrations["migration_id"]
    if ids.isna().any():
        raise ValueError("migrations frame has rows without a migration_id")
    duplicated = sorted(set(ids[ids.duplicated()]))
    if duplicated:
        raise ValueError(f"migration_id repeated in the migrations frame: {duplicated[:5]}")
    phase_ids = phases["migration_id"].dropna()
    orphans = sorted(set(phase_ids[~phase_ids.isin(ids)]))
    if orphans:
        raise ValueError(f"phase rows for migrations not in the migrations frame: {orphans[:5]}")


def _row_columns(
    engine: Engine,
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    set_aside: pd.DataFrame,
    problems: pd.DataFrame,
) -> dict[Table, dict[str, list]]:
    """Each row table's values, column by column, ready for the driver: the migration and phase
    tables' as what the rows say (versioned when stored; their place is the layout's), the
    others' as inserted."""
    iso = engine.dialect.name == "sqlite"
    dated = phases[PHASE_DATE_COLUMNS].notna().any(axis=1)
    problem_values = _columns(problems, PROBLEM_KINDS, "problems", iso)
    migration_values = _columns(migrations, MIGRATION_KINDS, "migrations", iso)
    return {
        migrations_table: {name: migration_values[name] for name in VERSIONED_MIGRATION_COLUMNS},
        phases_table: _columns(phases[dated], PHASE_KINDS, "phases", iso),
        set_aside_table: {
            SET_ASIDE_DB_NAMES.get(k, k): v
            for k, v in _columns(set_aside, SET_ASIDE_KINDS, "set_aside").items()
        }
        | {"position": list(range(len(set_aside)))},
        problems_table: {PROBLEM_DB_NAMES.get(k, k): v for k, v in problem_values.items()}
        | {"position": list(range(len(problems)))},
    }


# Rows are matched to their earlier version on these; every other column is content.
VERSION_KEYS = {migrations_table: ["migration_id"], phases_table: ["migration_id", "phase"]}


def _store_versions(
    conn: Connection, tracker: str, key: int, tables: dict[Table, dict[str, list]]
) -> None:
    """Store the upload's migration and phase rows as versions (store/versions.py): nothing
    for a row equal to its version at the tracker's previous upload."""
    if conn.dialect.name == "postgresql":
        # Two uploads of one tracker at once would each plan against the same versions.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": tracker})
    u = uploads_table.c
    order = select(u.order_key).where(u.tracker == tracker)
    previous = conn.scalar(order.where(u.order_key < key).order_by(u.order_key.desc()).limit(1))
    following = conn.scalar(order.where(u.order_key > key).order_by(u.order_key).limit(1))
    for table, keys in VERSION_KEYS.items():
        # Driver-ready values on both sides, so equal rows compare equal on either backend.
        rows = pd.DataFrame(tables[table], dtype=object)
        names = list(rows.columns)
        before = pd.DataFrame(columns=[*names, "version_id", "valid_to"], dtype=object)
        if previous is not None:
            t = table.c
            query = select(*(t[n] for n in names), t.version_id, t.valid_to).where(
                t.tracker == tracker, t.valid_from <= previous, t.valid_to > previous
            )
            found = frames.raw_rows(conn, query)
            before = pd.DataFrame.from_records(found, columns=before.columns).astype(object)
        plan = plan_versions(before, rows, keys, key, following)
        for start in range(0, len(plan.close), 10_000):
            chunk = plan.close[start : start + 10_000]
            conn.execute(update(table).where(table.c.version_id.in_(chunk)).values(valid_to=key))
        added = plan.add.astype(object).where(plan.add.notna(), None)
        columns = {name: added[name].tolist() for name in added.columns}
        bulk.insert_columns(conn, table, columns | {"tracker": [tracker] * len(added)})


def _upload_values(
    engine: Engine, upload: UploadRecord, migrations: int, set_aside: int, severities: pd.Series
) -> dict[str, object]:
    return {
        "file_name": upload.file_name,
        "uploaded_by": upload.uploaded_by,
        "uploaded_at": _stored_moment(engine, upload.uploaded_at),
        "as_at": frames.as_date(upload.as_at),
        "file_kind": upload.file_kind,
        "sheet": upload.sheet,
        "header_row": None if upload.header_row is None else int(upload.header_row),
        "tracker": upload.tracker,
        "mapping": json.dumps(upload.mapping, ensure_ascii=False),
        "rows_read": int(upload.rows_read),
        "sha256": upload.sha256.lower(),
        "migrations": migrations,
        "rows_set_aside": set_aside,
        "errors": int((severities == "error").sum()),
        "warnings": int((severities == "warning").sum()),
        "status": STATUS_STORED_VALID_ROWS if set_aside else STATUS_STORED,
        "is_demo": bool(upload.is_demo),
        "read_as": json.dumps(upload.read_as or {}, ensure_ascii=False, default=str),
    }


def save_upload(
    engine: Engine,
    upload: UploadRecord,
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    set_aside: pd.DataFrame,
    problems: pd.DataFrame,
) -> SaveOutcome:
    """Store an upload with its rows, set-aside rows and problems in one transaction."""
    if phases.empty and not set(PHASE_COLUMNS) <= set(phases.columns):
        phases = pd.DataFrame({name: [] for name in PHASE_COLUMNS})
    _checked_inputs(upload, migrations, phases)
    sha256 = upload.sha256.lower()
    # Re-uploading the same file is common; answer it before converting thousands of rows.
    existing = _existing_upload(engine, sha256)
    if existing is not None:
        return SaveOutcome(STATUS_UNCHANGED, existing)
    # Convert before the transaction so the write lock is held only for the inserts.
    tables = _row_columns(engine, migrations, phases, set_aside, problems)
    severities = problems.get("severity", pd.Series([], dtype="string"))
    values = _upload_values(engine, upload, len(migrations), len(set_aside), severities)
    dated = phases[PHASE_DATE_COLUMNS].notna().any(axis=1)
    values["layout"] = layout_of(migrations, phases[dated])
    try:
        with write_transaction(engine) as conn:
            existing = _upload_with_bytes(conn, sha256)
            if existing is not None:
                return SaveOutcome(STATUS_UNCHANGED, existing)
            upload_id = conn.scalar(
                insert(uploads_table).values(values).returning(uploads_table.c.upload_id)
            )
            key = order_key(frames.as_date(upload.as_at), upload_id)
            conn.execute(
                update(uploads_table)
                .where(uploads_table.c.upload_id == upload_id)
                .values(order_key=key)
            )
            conn.execute(
                insert(files_table).values(upload_id=upload_id, **stored_content(upload.content))
            )
            _store_versions(conn, upload.tracker, key, tables)
            for table in (set_aside_table, problems_table):
                columns = tables[table]
                length = len(next(iter(columns.values())))
                bulk.insert_columns(conn, table, columns | {"upload_id": [upload_id] * length})
    except IntegrityError:
        # Another process stored the same bytes between our check and our insert (PostgreSQL);
        # any other integrity failure is a real error and is raised.
        existing = _existing_upload(engine, sha256)
        if existing is None:
            raise
        return SaveOutcome(STATUS_UNCHANGED, existing)
    return SaveOutcome(STATUS_STORED, upload_id)


def _stored_moment(engine: Engine, moment: dt.datetime) -> dt.datetime:
    moment = frames.utc(moment)
    # SQLite drops the zone, so store the UTC wall time and read it back as UTC.
    return moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment


def upload_with_content(engine: Engine, sha256: str) -> int | None:
    """The upload that holds a file with this SHA-256, or None."""
    return _existing_upload(engine, sha256.lower())


def _existing_upload(engine: Engine, sha256: str) -> int | None:
    with read_transaction(engine) as conn:
        return _upload_with_bytes(conn, sha256)


def _upload_with_bytes(conn: Connection, sha256: str) -> int | None:
    return conn.scalar(select(uploads_table.c.upload_id).where(uploads_table.c.sha256 == sha256))


def list_uploads(engine: Engine) -> pd.DataFrame:
    """One row per upload, newest first, without the file content."""
    query = select(*(uploads_table.c[name] for name in UPLOAD_KINDS)).order_by(
        uploads_table.c.uploaded_at.desc(), uploads_table.c.upload_id.desc()
    )
    with read_transaction(engine) as conn:
        return frames.typed_frame(frames.raw_rows(conn, query), UPLOAD_KINDS)


def _one_upload(conn: Connection, upload_id: int, *columns):
    row = conn.execute(
        select(*columns).where(uploads_table.c.upload_id == int(upload_id))
    ).one_or_none()
    if row is None:
        raise LookupError(f"no upload with id {upload_id}")
    return row


def upload_content(engine: Engine, upload_id: int) -> tuple[str, bytes]:
    """The file name and original bytes of an upload."""
    with read_transaction(engine) as conn:
        u = uploads_table.c
        name = _one_upload(conn, upload_id, u.file_name).file_name
        f = files_table.c
        row = conn.execute(
            select(f.content, f.content_encoding).where(f.upload_id == int(upload_id))
        ).one()
    return name, original_content(row.content, row.content_encoding)


def upload_mapping(engine: Engine, upload_id: int) -> dict[str, str]:
    """The header -> field mapping an upload was read with."""
    with read_transaction(engine) as conn:
        row = _one_upload(conn, upload_id, uploads_table.c.mapping)
    return json.loads(row.mapping)


def set_aside_rows(engine: Engine, upload_id: int) -> pd.DataFrame:
    """The rows an upload set aside: sheet, row, values (dict of raw cells) and reasons."""
    table = set_aside_table
    columns = [table.c[SET_ASIDE_DB_NAMES.get(name, name)] for name in SET_ASIDE_KINDS]
    query = select(*columns).where(table.c.upload_id == int(upload_id)).order_by(table.c.position)
    with read_transaction(engine) as conn:
        return frames.typed_frame(frames.raw_rows(conn, query), SET_ASIDE_KINDS)


def upload_problems(engine: Engine, upload_id: int) -> pd.DataFrame:
    """The problems found in an upload, in the order they were reported."""
    table = problems_table
    columns = [table.c[PROBLEM_DB_NAMES.get(name, name)] for name in PROBLEM_COLUMNS]
    query = select(*columns).where(table.c.upload_id == int(upload_id)).order_by(table.c.position)
    with read_transaction(engine) as conn:
        return frames.typed_frame(frames.raw_rows(conn, query), PROBLEM_KINDS)


def save_header_mapping(engine: Engine, signature: str, mapping: dict[str, str]) -> None:
    """Remember a hand-made header mapping for a tracker layout, replacing any earlier one."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(header_mappings_table).values(
        signature=signature, mapping=json.dumps(mapping, ensure_ascii=False)
    )
    statement = statement.on_conflict_do_update(
        index_elements=[header_mappings_table.c.signature],
        set_={"mapping": statement.excluded.mapping},
    )
    with write_transaction(engine) as conn:
        conn.execute(statement)


def saved_header_mapping(engine: Engine, signature: str) -> dict[str, str]:
    """The remembered header mapping for a tracker layout ({} if none)."""
    query = select(header_mappings_table.c.mapping).where(
        header_mappings_table.c.signature == signature
    )
    with read_transaction(engine) as conn:
        stored = conn.scalar(query)
    return json.loads(stored) if stored is not None else {}
