"""The date each row is judged at: its own upload's as-at date, never later than the view date."""

from __future__ import annotations

import datetime as dt

import pandas as pd

UPLOAD_AS_AT = "upload_as_at"


def judged_at(frame: pd.DataFrame, as_at: dt.date) -> pd.Series:
    """Per row of a migrations or phase frame, the date it is judged at (datetime64[us]).

    A row that came from an upload (an `upload_as_at` column) is judged as at that upload's as-at
    date, or the view date if that is earlier: a tracker is never judged on days it has not
    reported on, so time passing or another tracker's upload never makes its migrations overrun.
    Frames without the column (one upload's rows, test tables) are judged at the view date.
    """
    view = pd.Timestamp(as_at).normalize().as_unit("us")
    if UPLOAD_AS_AT not in frame.columns:
        return pd.Series(view, index=frame.index, dtype="datetime64[us]")
    own = pd.to_datetime(frame[UPLOAD_AS_AT]).astype("datetime64[us]")
    return own.where(own.notna() & (own < view), view).astype("datetime64[us]")


def judged_at_by_migration(migrations: pd.DataFrame, as_at: dt.date) -> pd.Series:
    """judged_at for a migrations frame, indexed by migration_id."""
    index = pd.Index(migrations["migration_id"], name="migration_id")
    return pd.Series(judged_at(migrations, as_at).to_numpy(), index=index, dtype="datetime64[us]")
