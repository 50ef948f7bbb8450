"""The canonical migration and phase frames, declared once: every column and its dtype, as ingest
returns them, the store reads them back and the tests build them.

MIGRATION_DTYPES and PHASE_DTYPES are the model (column -> pandas dtype, in column order), and
check_migration_frames holds a pair of frames to it. A frame may carry more columns than the
model (the current picture adds upload_id, upload_as_at, tracker and tracks_<field>), but every
model column must be there with exactly its dtype, and no row may leave migration_id (or a
phase's phase) empty.

A plain column -> dtype model, not pandera (no longer installed): pandera 0.35 lets an object
column pass as "string" and reads datetime64[us] as datetime64[ns], so it does not check the two
dtypes that matter here, and it costs about 55 ms a pair of frames on the demo region (the
current picture itself takes about 170 ms) against about 1.5 ms for this check.

Ground floor: fields and pandas only, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from regiondash.fields import EVENT_DATE_FIELDS, MIGRATION_COLUMNS, PHASE_COLUMNS

TEXT = "string"  # pandas' StringDtype, missing values as pd.NA
DATE = "datetime64[us]"  # a day at midnight, NaT when missing
BOOL = "bool"
INT = "int64"

_NOT_TEXT = {"source_system_inferred": BOOL, "source_row": INT} | dict.fromkeys(
    EVENT_DATE_FIELDS, DATE
)
MIGRATION_DTYPES: dict[str, str] = {c: _NOT_TEXT.get(c, TEXT) for c in MIGRATION_COLUMNS}
PHASE_DTYPES: dict[str, str] = {
    c: TEXT if c in ("migration_id", "phase") else DATE for c in PHASE_COLUMNS
}
# The columns no row may leave empty: a migration is known by its id, a phase by both.
REQUIRED = ("migration_id", "phase")


class FrameError(ValueError):
    """A migration or phase frame that is not the canonical one: what is wrong, column by column."""


def frame_problems(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> list[str]:
    """What keeps the frame from being the model's: missing columns, other dtypes, and
    required columns with empty cells (none when it is the model's)."""
    actual = {column: str(dtype) for column, dtype in frame.dtypes.items()}
    problems = [f"no {column} column" for column in dtypes if column not in actual]
    problems += [
        f"{column} is {actual[column]}, not {dtype}"
        for column, dtype in dtypes.items()
        if column in actual and actual[column] != dtype
    ]
    problems += [
        f"{column} is empty in {count} row(s)"
        for column in REQUIRED
        if column in dtypes and column in actual and (count := int(frame[column].isna().sum()))
    ]
    return problems


def check_migration_frames(
    migrations: pd.DataFrame, phases: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(migrations, phases), unchanged, if both are the canonical frames; else FrameError."""
    problems = [f"migrations: {p}" for p in frame_problems(migrations, MIGRATION_DTYPES)]
    problems += [f"phases: {p}" for p in frame_problems(phases, PHASE_DTYPES)]
    if problems:
        raise FrameError("; ".join(problems))
    return migrations, phases


def _column(values: list, dtype: Any) -> pd.Series:
    # dtype: one of the model's names (pandas-stubs types astype by literal names only)
    if dtype == DATE:
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]")
    return pd.Series(values, dtype=object).astype(dtype)


def build_frame(
    dtypes: Mapping[str, str], records: Iterable[Mapping[str, object]], **defaults: object
) -> pd.DataFrame:
    """Records (dicts; a missing key is missing data, or the default given) as a frame with the
    model's columns and dtypes: how the tests build canonical frames by hand."""
    rows = list(records)
    data = {
        column: _column([row.get(column, defaults.get(column)) for row in rows], dtype)
        for column, dtype in dtypes.items()
    }
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def migration_frame(records: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Migration records as the canonical migrations frame (not inferred, row 0 unless given)."""
    return build_frame(
        MIGRATION_DTYPES, records, source_system_inferred=False, source_row=0, sheet=None
    )


def phase_frame(records: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Phase records as the canonical phases frame."""
    return build_frame(PHASE_DTYPES, records)
