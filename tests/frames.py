"""Hand-made migration and phase tables for domain tests, built from the canonical model
(regiondash.frames_schema), so they are typed exactly as ingest and the store return them."""

from collections.abc import Mapping

import pandas as pd

from regiondash.fields import PHASE_COLUMNS
from regiondash.frames_schema import DATE, TEXT, migration_frame, phase_frame


def phases_frame(rows) -> pd.DataFrame:
    """Phase rows, each a dict or a sequence in PHASE_COLUMNS order (migration_id, phase,
    planned_start, planned_end, actual_start, actual_end); missing dates are NaT."""
    return phase_frame(
        row if isinstance(row, Mapping) else dict(zip(PHASE_COLUMNS, row, strict=False))
        for row in rows
    )


def migrations_frame(
    records: list[dict], ods_from_id: bool = True, extra: Mapping[str, str | None] | None = None
) -> pd.DataFrame:
    """Migration rows from dicts of the fields a test cares about; ods_code defaults to the
    first six characters of migration_id (unless ods_from_id is False), every other column to
    missing (not inferred, row 0). `extra` names columns beyond the model with their dtypes, None
    for pandas' own guess (the overview's status, the picture's upload_as_at, tracks_<field>)."""
    if ods_from_id:
        records = [{"ods_code": given["migration_id"][:6], **given} for given in records]
    frame = migration_frame(records)
    for column, dtype in (extra or {}).items():
        values = pd.Series([given.get(column) for given in records], dtype=object)
        if dtype == DATE:
            values = pd.to_datetime(values).astype(DATE)
        frame[column] = (
            values.astype(dtype) if dtype not in (None, DATE) else values.infer_objects()
        )
    return frame


__all__ = ["DATE", "TEXT", "migrations_frame", "phases_frame"]
