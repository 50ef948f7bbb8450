"""Database fixtures for both backends and the deterministic upload builder for store tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings
from sqlalchemy import create_engine, make_url, text

from regiondash import store
from regiondash.fields import PHASE_COLUMNS, PROBLEM_COLUMNS
from regiondash.frames_schema import BOOL, DATE, INT, MIGRATION_DTYPES, check_migration_frames
from regiondash.phases import PHASE_KEYS

POSTGRES_ENV = "REGIONDASH_TEST_POSTGRES_URL"
POSTGRES_MISSING = f"{POSTGRES_ENV} is not set: PostgreSQL tests skipped — .ci/run sets it"
PHASE_DATES = ["planned_start", "planned_end", "actual_start", "actual_end"]


# No hypothesis deadline anywhere: its default of 200 ms an example is a wall-clock check, and on
# a loaded machine (2 shared cores) it failed tests that were right (a DeadlineExceeded on
# test_fields' header matching). Speed goals live in bench/. A test's own @settings still wins.
settings.register_profile("regiondash", deadline=None)
settings.load_profile("regiondash")


def pytest_terminal_summary(terminalreporter) -> None:
    """Say at the end of the run, where nobody can miss it, that PostgreSQL went untested."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if POSTGRES_ENV in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep(
            "!", f"{len(skipped)} PostgreSQL tests SKIPPED: {POSTGRES_MISSING}", red=True, bold=True
        )


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite database file of its own for this test."""
    return f"sqlite:///{tmp_path / 'regiondash.db'}"


def _postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        # CI must never pass by quietly skipping half the backends.
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set and CI=true: CI must run the PostgreSQL tests")
        pytest.skip(POSTGRES_MISSING)
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def postgres_url() -> str:
    """A freshly created PostgreSQL database for this test, dropped afterwards (xdist-safe)."""
    server = make_url(_postgres_server_url())
    name = f"regiondash_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            # FORCE: an engine the test forgot to dispose must not keep the database alive.
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """The URL of a fresh database on each backend in turn."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(db_url):
    """A connected store engine on each backend in turn."""
    engine = store.connect(db_url)
    yield engine
    engine.dispose()


def _dates(rng: np.random.Generator, n: int, missing: float) -> pd.Series:
    days = rng.integers(0, (dt.date(2035, 12, 31) - dt.date(2015, 1, 1)).days, size=n)
    values = np.datetime64("2015-01-01", "D") + days
    series = pd.Series(values.astype("datetime64[us]"))
    return series.mask(rng.random(n) < missing)


def _set_aside_and_problems(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row set aside (row n + 3) and its error, and a warning with no cell."""
    set_aside = pd.DataFrame(
        {
            "sheet": ["Tracker"],
            "row": [n + 3],
            "values": [{"Practice Code": "X", "Go Live": "TBC"}],
            "reasons": ["ODS code is not a letter and five digits"],
        }
    )
    problems = pd.DataFrame(
        {
            "severity": pd.Series(["error", "warning"], dtype="string"),
            "sheet": pd.Series(["Tracker", "Tracker"], dtype="string"),
            "row": pd.Series([n + 3, pd.NA], dtype="Int64"),
            "column": pd.Series(["Practice Code", pd.NA], dtype="string"),
            "value": pd.Series(["X", pd.NA], dtype="string"),
            "message": pd.Series(["bad ODS code", "no CSU column"], dtype="string"),
        }
    )[PROBLEM_COLUMNS]
    return set_aside, problems


def build_upload(
    n_migrations: int,
    *,
    seed: int = 0,
    tag: str = "tracker",
    as_at: dt.date = dt.date(2026, 3, 2),
    uploaded_at: dt.datetime | None = None,
    id_prefix: str = "M",
):
    """(UploadRecord, migrations, phases, set_aside, problems) for n migrations x 13 phases."""
    rng = np.random.default_rng(seed)
    n = n_migrations
    ids = [f"{id_prefix}{i:05d}" for i in range(n)]
    migrations = pd.DataFrame({"migration_id": pd.Series(ids, dtype="string")})
    # every column the canonical model (frames_schema) declares, drawn by its dtype
    for column, dtype in list(MIGRATION_DTYPES.items())[1:]:
        if dtype == DATE:
            migrations[column] = _dates(rng, n, 0.4)
        elif dtype == BOOL:
            migrations[column] = rng.random(n) < 0.3
        elif dtype == INT:
            migrations[column] = np.arange(n, dtype="int64") + 2
        else:
            values = pd.Series([f'{column} {seed}-{i} ‘é’ "q"' for i in range(n)])
            migrations[column] = values.astype("string").mask(rng.random(n) < 0.2)
    phases = pd.DataFrame(
        {
            "migration_id": pd.Series(np.repeat(ids, len(PHASE_KEYS)), dtype="string"),
            "phase": pd.Series(np.tile(PHASE_KEYS, n), dtype="string"),
        }
    )
    for column in PHASE_DATES:
        phases[column] = _dates(rng, len(phases), 0.3)
    phases = phases[PHASE_COLUMNS]
    # Keep every phase row dated so row counts are easy to predict.
    phases.loc[phases[PHASE_DATES].isna().all(axis=1), "planned_start"] = pd.Timestamp("2026-01-05")
    set_aside, problems = _set_aside_and_problems(n)
    content = f"{tag}|{seed}|{n}|{as_at}|{id_prefix}".encode()
    record = store.UploadRecord(
        file_name=f"{tag}.xlsx",
        content=content,
        uploaded_by="csu.lead@example.nhs.uk",
        uploaded_at=uploaded_at or dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        as_at=as_at,
        file_kind="xlsx",
        sheet="Tracker",
        header_row=3,
        tracker=tag,
        mapping={"Practice Code": "ods_code", "Go Live": "go_live_planned"},
        rows_read=n + 1,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    check_migration_frames(migrations, phases)
    return record, migrations, phases, set_aside, problems


@pytest.fixture
def upload_builder():
    """The deterministic upload builder, for tests that want national-scale-ish frames."""
    return build_upload


_DEMO_PATHS: dict[str, Path] = {}


def demo_database_path(tmp_path_factory) -> Path:
    """The one demo database of the test run: a SQLite file holding the demo region's four
    uploads, stored as `regiondash demo` stores them (importing.load_demo), built once per test
    process (a session fixture imported into several modules would be built once per module).
    Read it; to change it, copy it first (tests/browser's copy_database)."""
    if "path" not in _DEMO_PATHS:
        from regiondash.importing import load_demo
        from regiondash.reference import load_reference

        path = tmp_path_factory.mktemp("demo") / "demo.db"
        engine = store.connect(f"sqlite:///{path}")
        try:
            for outcome in load_demo(engine, load_reference()):
                assert outcome.status == "stored", outcome.message
        finally:
            engine.dispose()
        _DEMO_PATHS["path"] = path
    return _DEMO_PATHS["path"]


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    """The URL of the one demo database (demo_database_path): read it, never write it."""
    return f"sqlite:///{demo_database_path(tmp_path_factory)}"


@pytest.fixture(scope="session")
def demo_engine(demo_db_url):
    """An engine on the one demo database, for reading it."""
    engine = store.connect(demo_db_url)
    yield engine
    engine.dispose()
