"""DataFrame columns to insert parameters and query results back to typed DataFrames."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Executable

TEXT = "text"
DATE = "date"
BOOL = "bool"
INT = "int"
NULLABLE_INT = "nullable_int"
UTC_TIMESTAMP = "utc_timestamp"
JSON = "json"  # a Python value stored as JSON text
JSON_TEXT = "json_text"  # JSON text read back as the Python value (written by the caller)

# to_numpy's na_value: pandas takes any value, pandas-stubs only a Scalar, which leaves out None.
_NONE = cast(Any, None)


def parameter_values(series: pd.Series, kind: str, iso_dates: bool = False) -> list[Any]:
    """A column as plain Python values the driver takes, every NA/NaT as None."""
    # iso_dates: SQLite gets dates as 'YYYY-MM-DD' text, the form SQLAlchemy keeps them in there.
    if kind == TEXT:
        text = series.astype("string")
        if text.str.contains("\x00", regex=False).any():
            # PostgreSQL text cannot hold NUL; SQLite can, but both backends must store the same.
            # The file's original bytes are kept with the upload, so nothing is lost.
            text = text.str.replace("\x00", "\ufffd", regex=False)
        return text.to_numpy(dtype=object, na_value=_NONE).tolist()
    if kind == DATE:
        # numpy turns datetime64[D] into date objects and NaT into None, all in C.
        days = pd.to_datetime(series).to_numpy(dtype="datetime64[D]")
        if iso_dates:
            # numpy formats the whole column at once; NaT becomes None below
            iso = np.datetime_as_string(days, unit="D").astype(object)
            iso[np.isnat(days)] = None
            return iso.tolist()
        return days.astype(object).tolist()
    if kind == JSON:
        return [json.dumps(value, ensure_ascii=False) for value in series]
    if kind == BOOL:
        # A missing "inferred" flag means nobody inferred anything.
        return series.astype("boolean").fillna(False).astype(bool).tolist()
    if kind == INT:
        return series.astype("int64").tolist()
    if kind == NULLABLE_INT:
        return series.astype("Int64").to_numpy(dtype=object, na_value=_NONE).tolist()
    raise ValueError(f"unknown column kind {kind!r}")


def raw_rows(conn: Connection, query: Executable) -> list[tuple[Any, ...]]:
    """The query's rows straight from the driver: typed_column does the conversion, in bulk."""
    # SQLAlchemy's per-row Row building and date parsing triple the time to load an upload.
    result = conn.execute(query)
    try:
        # a DBAPI cursor's fetchall is a list of tuples; SQLAlchemy types it as Sequence[Any]
        return cast(list[tuple[Any, ...]], result.cursor.fetchall())
    finally:
        result.close()


def typed_frame(rows: Sequence[Sequence[Any]], kinds: dict[str, str]) -> pd.DataFrame:
    """Query rows (from raw_rows or SQLAlchemy) as a DataFrame with regiondash's dtypes."""
    # Column-wise: building from Row objects row by row costs pandas a second per 80,000 rows.
    columns = list(zip(*rows, strict=True)) or [()] * len(kinds)
    return pd.DataFrame(
        {
            name: typed_column(pd.Series(values, dtype=object), kind)
            for (name, kind), values in zip(kinds.items(), columns, strict=True)
        }
    )


def typed_column(values: pd.Series, kind: str) -> pd.Series:
    """One column cast to regiondash's dtype for its kind."""
    if kind == TEXT:
        return values.astype(object).astype("string")
    if kind == DATE:
        # Dates arrive as date objects (PostgreSQL) or 'YYYY-MM-DD' text (SQLite).
        return pd.to_datetime(values.astype(object), format="ISO8601").astype("datetime64[us]")
    if kind == BOOL:
        return values.astype(bool)
    if kind == INT:
        return values.astype("int64")
    if kind == NULLABLE_INT:
        return values.astype(object).astype("Int64")
    if kind == UTC_TIMESTAMP:
        # SQLite holds the UTC wall time without a zone; utc=True reads that as UTC.
        moments = pd.to_datetime(values.astype(object), utc=True, format="ISO8601")
        return moments.astype("datetime64[us, UTC]")
    if kind in (JSON, JSON_TEXT):
        return pd.Series([json.loads(v) for v in values], index=values.index, dtype=object)
    raise ValueError(f"unknown column kind {kind!r}")


def utc(moment: dt.datetime) -> dt.datetime:
    """moment in UTC; a naive moment (SQLite keeps no zone) is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def as_date(value: dt.date) -> dt.date:
    """A date from a date, datetime or pandas Timestamp (drivers differ on the latter two)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value
