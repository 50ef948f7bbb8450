"""bench/bench_history.py in its quick mode, in-process: what it stores and prints (no timings).

Worked by hand from the generator's design: the quick tracker is the first 600 rows of the
national tracker (demo.build_national_tracker, seed 1) as at 20 Nov 2026, which holds 347
Complete, 32 Live, 134 In progress and 87 Not started: 221 go lives still planned (no actual go
live). A re-upload moves planned go lives later and never records one as done, so every upload
has the same 221 planned, and each week moves 10% of them, 22.1 -> 22 (rounded), 7-28 days later.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import sys
from pathlib import Path

import pandas as pd
import pytest

from regiondash import changes, store

BENCH = Path(__file__).resolve().parents[1] / "bench"
PRACTICES, PLANNED, MOVED = 600, 221, 22
FIRST_AS_AT = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("bench_history")
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def uploads(bench):
    return list(bench.weekly_uploads(3, bench.QUICK_PRACTICES))


def test_quick_mode_is_three_uploads_of_600_practices(bench):
    assert bench.QUICK_CHECKPOINTS == (1, 3)
    assert bench.QUICK_PRACTICES == PRACTICES


def test_each_week_moves_10_percent_of_the_planned_go_lives_later(uploads):
    assert [u.number for u in uploads] == [1, 2, 3]
    assert [u.as_at for u in uploads] == [FIRST_AS_AT + dt.timedelta(days=7 * k) for k in range(3)]
    assert [len(u.frame) for u in uploads] == [PRACTICES] * 3
    assert [u.planned for u in uploads] == [0, PLANNED, PLANNED]
    assert [len(u.moved) for u in uploads] == [0, MOVED, MOVED]
    statuses = uploads[0].frame["Status"].value_counts().to_dict()
    assert statuses == {"Complete": 347, "Live": 32, "In progress": 134, "Not started": 87}
    for before, after in itertools.pairwise(uploads):
        old = before.frame.set_index("ODS code")
        new = after.frame.set_index("ODS code")
        days = (new["Go live (planned)"] - old["Go live (planned)"]).dt.days
        assert sorted(days[days != 0].index) == list(after.moved)
        assert set(days[days != 0]) <= {7, 14, 21, 28}
        assert old.loc[list(after.moved), "Go live (actual)"].isna().all()
        later = new["Post go live end (planned)"] - old["Post go live end (planned)"]
        assert (later.dt.days == days).all()


def test_the_generator_is_deterministic(bench, uploads):
    again = list(bench.weekly_uploads(3, bench.QUICK_PRACTICES))
    assert [u.moved for u in again] == [u.moved for u in uploads]
    assert again[2].content() == uploads[2].content()


def _results(bench, pages, checkpoints=(1, 3), backends=("SQLite",)):
    point = {
        "import_s": 1.0,
        "summary_s": 1.0,
        "pages": {p: {"cold": 1.0, "warm": 1.0} for p in pages},
        "database_bytes": 2**20,
        "wal_bytes": 0,
        "pages_bytes": 2**20,
        "original_bytes": 0,
    }
    runs = {
        name: {"imports": [], "checkpoints": dict.fromkeys(checkpoints, point)} for name in backends
    }
    return {"pages": list(pages), "backends": runs, "checkpoints": list(checkpoints)}


def _table_shape(table: str) -> tuple[list[str], list[str]]:
    lines = table.splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert all(len(line.strip("|").split("|")) == len(header) for line in lines)
    return header, [line.strip("|").split("|")[0].strip() for line in lines[2:]]


def _expected_rows(pages):
    rows = ["import of the latest upload, s", "`regiondash summary --json` process, s"]
    rows += [f"{page} {kind}, s" for page in pages for kind in ("cold", "warm")]
    return [
        *rows,
        "database, MiB",
        "of which SQLite WAL, MiB",
        "database pages in use, MiB",
        "original files stored, MiB",
        "database pages in use without the originals, MiB",
    ]


def test_the_table_has_a_row_per_measure_and_a_column_per_backend_and_checkpoint(bench):
    pages = bench.page_names()
    assert len(pages) == 9
    results = _results(bench, pages, (1, 8, 52), ("SQLite", "PostgreSQL"))
    header, rows = _table_shape(bench.markdown_table(results))
    assert header == [
        "measure",
        "SQLite, 1 upload",
        "SQLite, 8 uploads",
        "SQLite, 52 uploads",
        "PostgreSQL, 1 upload",
        "PostgreSQL, 8 uploads",
        "PostgreSQL, 52 uploads",
    ]
    assert rows == _expected_rows(pages)
    ratios = bench.ratios(results["backends"], pages)
    # summary, each page cold and warm, and three sizes: file, pages, pages without originals
    assert len(ratios) == 2 * (1 + 2 * 9 + 3)
    assert all(r["ratio"] == 1 and r["met"] for r in ratios)


@pytest.mark.slow
def test_quick_mode_in_process(bench, uploads, tmp_path, monkeypatch):
    """The quick run's own functions, on one page: what is stored and the table's shape."""
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", "")  # time_pages sets it; restored after
    backend = bench.sqlite_backend(tmp_path)
    try:
        results = bench.run_history(
            [backend],
            bench.QUICK_CHECKPOINTS,
            bench.QUICK_PRACTICES,
            pages=["definitions"],
            log=lambda _: None,
        )
        engine = backend.connect()
        stored = store.list_uploads(engine).sort_values("upload_id")
        assert len(stored) == 3
        assert stored["tracker"].nunique() == 1  # each re-upload replaces the same tracker
        migrations, _ = store.current_picture(engine)
        assert len(migrations) == PRACTICES
        (before, before_as_at), (after, after_as_at) = [
            (store.upload_rows(engine, int(u.upload_id)), pd.Timestamp(u.as_at).date())
            for u in stored.tail(2).itertuples()
        ]
        go_live = before[1][before[1]["phase"] == "go_live"]
        assert go_live["actual_start"].isna().sum() == PLANNED
        moved = changes.compare_uploads(*before, before_as_at, *after, after_as_at)
        assert len(moved["go_live_moved"]) == MOVED == round(PLANNED * 0.10)
        assert {m["days"] for m in moved["go_live_moved"]} <= {7, 14, 21, 28}
        assert sorted(m["ods_code"] for m in moved["go_live_moved"]) == list(uploads[2].moved)
    finally:
        backend.close()

    points = results["backends"]["SQLite"]["checkpoints"]
    assert sorted(points) == [1, 3]
    assert [points[n]["uploads"] for n in (1, 3)] == [1, 3]
    assert [points[n]["migrations"] for n in (1, 3)] == [PRACTICES, PRACTICES]
    assert len(results["backends"]["SQLite"]["imports"]) == 3
    assert points[3]["original_bytes"] > points[1]["original_bytes"] > 0
    header, rows = _table_shape(bench.markdown_table(results))
    assert header == ["measure", "SQLite, 1 upload", "SQLite, 3 uploads"]
    assert rows == _expected_rows(["definitions"])
    assert len(results["ratios"]) == 1 + 2 + 3
    assert "| database size | SQLite |" in bench.report(results)
