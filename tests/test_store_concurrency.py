"""Two processes saving into one database at the same moment, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue as queue_module
import time
import traceback

import pytest
from sqlalchemy import func, select

from regiondash import store
from regiondash.phases import PHASE_KEYS
from regiondash.store.schema import migrations_table, phases_table, uploads_table
from tests.conftest import build_upload

MIGRATIONS = 3_000
TIMEOUT_S = 180

pytestmark = pytest.mark.slow


def _save_in_child(url, tag, seed, barrier, results) -> None:
    """Child process: build an upload, meet the other child, connect, meet again, save."""
    try:
        upload, migrations, phases, set_aside, problems = build_upload(
            MIGRATIONS, seed=seed, tag=tag, as_at=dt.date(2026, 3, 2)
        )
        # Both children connect to the (possibly brand new) database at once...
        barrier.wait(TIMEOUT_S)
        engine = store.connect(url)
        # ... and then save at once.
        barrier.wait(TIMEOUT_S)
        started = time.monotonic()
        outcome = store.save_upload(engine, upload, migrations, phases, set_aside, problems)
        finished = time.monotonic()
        engine.dispose()
        results.put((tag, outcome.status, outcome.upload_id, started, finished, None))
    except BaseException:
        barrier.abort()
        results.put((tag, None, None, None, None, traceback.format_exc()))


def save_at_once(url: str, uploads: list[tuple[str, int]]) -> list[tuple]:
    """Run one child per (tag, seed), all saving together; their results, failures raised."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(uploads))
    results = context.Queue()
    children = [
        context.Process(target=_save_in_child, args=(url, tag, seed, barrier, results))
        for tag, seed in uploads
    ]
    for child in children:
        child.start()
    try:
        outcomes = [results.get(timeout=TIMEOUT_S) for _ in children]
    except queue_module.Empty:
        pytest.fail("a saving process neither finished nor failed in time")
    finally:
        for child in children:
            child.join(TIMEOUT_S)
            if child.is_alive():
                child.kill()
    failures = [error for *_, error in outcomes if error]
    assert not failures, "\n".join(failures)
    assert [child.exitcode for child in children] == [0] * len(children)
    # The saves really overlapped: each began before the other had finished.
    assert max(o[3] for o in outcomes) < min(o[4] for o in outcomes)
    return sorted(outcomes)


def stored_counts(url: str) -> tuple[int, int, int]:
    engine = store.connect(url)
    with engine.connect() as conn:
        counts = tuple(
            conn.scalar(select(func.count()).select_from(table))
            for table in (uploads_table, migrations_table, phases_table)
        )
    engine.dispose()
    return counts


def test_two_processes_saving_different_uploads_both_store(db_url):
    outcomes = save_at_once(db_url, [("north", 1), ("south", 2)])

    assert [(tag, status) for tag, status, *_ in outcomes] == [
        ("north", "stored"),
        ("south", "stored"),
    ]
    assert outcomes[0][2] != outcomes[1][2]
    assert stored_counts(db_url) == (2, 2 * MIGRATIONS, 2 * MIGRATIONS * len(PHASE_KEYS))
    engine = store.connect(db_url)
    assert sorted(store.list_uploads(engine)["tracker"]) == ["north", "south"]
    engine.dispose()


def test_two_processes_saving_the_same_bytes_store_them_once(db_url):
    outcomes = save_at_once(db_url, [("same", 3), ("same", 3)])

    statuses = sorted(status for _, status, *_ in outcomes)
    assert statuses == ["stored", "unchanged"]
    assert outcomes[0][2] == outcomes[1][2]
    assert stored_counts(db_url) == (1, MIGRATIONS, MIGRATIONS * len(PHASE_KEYS))
