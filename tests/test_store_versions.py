"""Row versions: every upload reads back exactly, whatever order uploads arrive in."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from regiondash.store.versions import OPEN, order_key, plan_versions, valid_at

D = dt.date
KEYS = ["migration_id"]


def rows(**content: tuple[str | None, int]) -> pd.DataFrame:
    """One upload's rows: migration id -> (go live, position)."""
    return pd.DataFrame(
        {
            "migration_id": pd.Series(list(content), dtype="string"),
            "go_live": pd.Series([v[0] for v in content.values()], dtype="string"),
            "position": pd.Series([v[1] for v in content.values()], dtype="int64"),
        }
    )


class Tracker:
    """The store's side in memory: versions, applied plan by plan."""

    def __init__(self) -> None:
        self.versions = pd.DataFrame(
            {
                "version_id": pd.Series(dtype="int64"),
                "migration_id": pd.Series(dtype="string"),
                "go_live": pd.Series(dtype="string"),
                "position": pd.Series(dtype="int64"),
                "valid_from": pd.Series(dtype="int64"),
                "valid_to": pd.Series(dtype="int64"),
            }
        )
        self.keys: list[int] = []
        self.added = 0

    def store(self, upload: pd.DataFrame, key: int) -> None:
        before = [k for k in self.keys if k < key]
        after = [k for k in self.keys if k > key]
        previous = valid_at(self.versions, before[-1]) if before else self.versions.iloc[:0]
        plan = plan_versions(previous, upload, KEYS, key, after[0] if after else None)
        closing = self.versions["version_id"].isin(plan.close)
        self.versions.loc[closing, "valid_to"] = key
        new_ids = range(len(self.versions) + 1, len(self.versions) + 1 + len(plan.add))
        added = plan.add.assign(version_id=list(new_ids))[self.versions.columns]
        self.versions = pd.concat([self.versions, added], ignore_index=True)
        self.added += len(plan.add)
        self.keys = sorted([*self.keys, key])

    def read(self, key: int) -> pd.DataFrame:
        held = valid_at(self.versions, key)[["migration_id", "go_live", "position"]]
        return held.sort_values("position").reset_index(drop=True)


def test_order_key_sorts_by_as_at_then_upload():
    assert order_key(D(2026, 11, 20), 7) == 20261120_000000007
    assert order_key(D(2026, 11, 20), 8) > order_key(D(2026, 11, 20), 7)
    assert order_key(D(2026, 11, 21), 1) > order_key(D(2026, 11, 20), 999)
    with pytest.raises(ValueError):
        order_key(D(2026, 11, 20), 0)


def test_an_unchanged_upload_stores_nothing_and_a_change_closes_one_version():
    tracker = Tracker()
    first = rows(a=("2026-03-02", 0), b=("2026-04-06", 1))
    tracker.store(first, 10)
    assert tracker.added == 2
    tracker.store(first, 20)
    assert tracker.added == 2  # nothing new
    moved = rows(a=("2026-03-09", 0), b=("2026-04-06", 1))
    tracker.store(moved, 30)
    assert tracker.added == 3
    a = tracker.versions[tracker.versions["migration_id"] == "a"]
    assert list(zip(a["valid_from"], a["valid_to"], strict=True)) == [(10, 30), (30, OPEN)]
    pd.testing.assert_frame_equal(tracker.read(20), first)
    pd.testing.assert_frame_equal(tracker.read(30), moved)


def test_a_row_that_is_gone_closes_and_one_that_comes_back_opens_again():
    tracker = Tracker()
    tracker.store(rows(a=("x", 0), b=("y", 1)), 10)
    tracker.store(rows(a=("x", 0)), 20)
    tracker.store(rows(a=("x", 0), b=("y", 1)), 30)
    b = tracker.versions[tracker.versions["migration_id"] == "b"]
    assert list(zip(b["valid_from"], b["valid_to"], strict=True)) == [(10, 20), (30, OPEN)]


def test_an_upload_arriving_out_of_order_fits_between_its_neighbours():
    tracker = Tracker()
    early, late = rows(a=("x", 0), b=("y", 1)), rows(a=("x", 0), b=("y", 1), c=("z", 2))
    tracker.store(early, 10)
    tracker.store(late, 30)
    middle = rows(a=("w", 0), c=("z", 1))
    tracker.store(middle, 20)
    for key, expected in ((10, early), (20, middle), (30, late)):
        pd.testing.assert_frame_equal(tracker.read(key), expected)


VALUES = st.sampled_from(["2026-03-02", "2026-03-09", None])
UPLOAD = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]), st.tuples(VALUES, st.integers(0, 1)), max_size=4
)


@settings(max_examples=200, deadline=None)
# Found by this test: a version resumed after a late upload kept a key widened to float by the
# merge, one off (20261102000000003 read back as ...004), so it outlived the upload closing it.
@example(
    uploads=[
        (1, {"a": ("2026-03-02", 0)}),
        (2, {"a": ("2026-03-02", 0)}),
        (2, {}),
        (1, {"b": ("2026-03-02", 0)}),
    ]
)
@given(
    uploads=st.lists(st.tuples(st.integers(1, 6), UPLOAD), min_size=1, max_size=6),
)
def test_every_upload_reads_back_exactly_whatever_the_arrival_order(uploads):
    tracker = Tracker()
    stored: dict[int, pd.DataFrame] = {}
    for upload_id, (day, content) in enumerate(uploads, start=1):
        # Positions made unique and in order, as an upload's rows always are.
        ordered = {k: (v[0], i) for i, (k, v) in enumerate(sorted(content.items()))}
        frame = rows(**ordered)
        key = order_key(D(2026, 11, day), upload_id)
        tracker.store(frame, key)
        stored[key] = frame
        for earlier_key, expected in stored.items():
            pd.testing.assert_frame_equal(tracker.read(earlier_key), expected)
    # Ranges of one migration never overlap.
    for _, group in tracker.versions.groupby("migration_id"):
        ordered_ranges = group.sort_values("valid_from")
        assert (
            ordered_ranges["valid_from"].iloc[1:].values
            >= ordered_ranges["valid_to"].iloc[:-1].values
        ).all()
