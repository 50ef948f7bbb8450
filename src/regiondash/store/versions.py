"""Row versions with a validity range: how an upload's rows are stored once and read back exactly.

Each stored row (a migration, or one phase of it) is a version valid over a range of its
tracker's uploads, in the tracker's own order: by as-at date, then by upload id. The range is
[valid_from, valid_to) in upload order keys (order_key); an open version runs to OPEN. A new
upload whose row equals the version valid at the tracker's previous upload stores nothing for
it; a changed row closes the old version and opens a new one; a row that is gone closes its
version. So an unchanged re-upload stores no rows, the current picture is the open versions,
and the rows of any upload (or the picture as at any date) are the versions whose range holds
its key. An upload stored out of order (an older as-at date arriving late) is fitted in between
the two uploads around it without changing what either of them holds.

Pure: frames in, frames out. The store applies the plan in the upload's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

OPEN = 2**62  # valid_to of a version still valid at the tracker's latest upload
_ORDER_SCALE = 10**9  # order_key = yyyymmdd * 10**9 + upload_id: readable, and sorts right


def order_key(as_at: dt.date, upload_id: int) -> int:
    """An upload's place in its tracker's order: by as-at date, then by upload id."""
    if not 0 < upload_id < _ORDER_SCALE:
        raise ValueError(f"upload id {upload_id} out of range")
    return (as_at.year * 10_000 + as_at.month * 100 + as_at.day) * _ORDER_SCALE + upload_id


@dataclass(frozen=True)
class VersionPlan:
    """What storing one upload's rows changes: versions to close at the upload, and new ones."""

    close: list[int]  # version ids whose valid_to becomes the upload's key
    add: pd.DataFrame  # the new versions: the row's key and content columns, valid_from, valid_to


def plan_versions(
    valid_before: pd.DataFrame,
    rows: pd.DataFrame,
    keys: list[str],
    at: int,
    next_key: int | None = None,
) -> VersionPlan:
    """How to store `rows` (one upload's, content columns as stored) as versions at key `at`.

    `valid_before` holds the tracker's versions valid at its previous upload in order (none for
    its first), with `version_id` and `valid_to` besides the same columns as `rows`. `next_key`
    is the tracker's next upload in order when this one arrives out of order, else None. Rows
    are matched on `keys` (unique within an upload); every other column of `rows` is content.
    """
    content = [c for c in rows.columns if c not in keys]
    until = OPEN if next_key is None else next_key
    # Versions valid before and still valid at `at`: those closed before it are history.
    carried = valid_before[valid_before["valid_to"] > at]
    if carried.empty:
        # A tracker's first upload (or one before all the rest): every row opens a version, in
        # the key order the merge below would give them.
        opened = rows.sort_values(keys, kind="stable", ignore_index=True)
        return VersionPlan([], opened.assign(valid_from=at, valid_to=until))
    # Keys are about 2e16, past what a float holds exactly: kept as Python ints through the outer
    # merge, which would otherwise widen them to float where a row is new (a key off by one).
    carried = carried.astype({"version_id": object, "valid_to": object})
    both = carried.merge(rows, on=keys, how="outer", suffixes=("_old", ""), indicator=True)
    old_only = both["_merge"] == "left_only"
    new_only = both["_merge"] == "right_only"
    matched = both["_merge"] == "both"
    same = matched & _equal(both, content)
    changed = matched & ~same
    ending = old_only | changed
    close = [int(v) for v in both.loc[ending, "version_id"]]
    # The outer merge widens types (an int column with gaps becomes float): give them back.
    opened = both.loc[new_only | changed, keys + content].astype(rows.dtypes.to_dict())
    opened = opened.assign(valid_from=at, valid_to=until)
    # Out of order: a closed version that ran past the next upload still holds from there on.
    resumed = both.loc[ending & (both["valid_to"] > until)]
    resumed = pd.DataFrame(
        {
            **{k: resumed[k].astype(rows[k].dtype) for k in keys},
            **{c: resumed[f"{c}_old"].astype(valid_before[c].dtype) for c in content},
            "valid_from": until,
            "valid_to": resumed["valid_to"].astype("int64"),
        }
    )
    add = pd.concat([opened, resumed], ignore_index=True) if len(resumed) else opened
    return VersionPlan(close, add.reset_index(drop=True))


def _equal(both: pd.DataFrame, content: list[str]) -> pd.Series:
    """Row by row: every content column equal, a missing value equal to a missing one."""
    equal = pd.Series(True, index=both.index)
    for column in content:
        old, new = both[f"{column}_old"], both[column]
        same = (old == new).fillna(False).astype(bool) | (old.isna() & new.isna())
        equal &= same
    return equal


def valid_at(versions: pd.DataFrame, key: int) -> pd.DataFrame:
    """The versions whose range holds the key: one upload's rows."""
    holds = (versions["valid_from"] <= key) & (versions["valid_to"] > key)
    return versions[holds]
