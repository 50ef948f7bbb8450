"""The store on SQLite and PostgreSQL: round trips, atomic saves, the current picture, schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from regiondash import store
from regiondash.fields import EVENT_DATE_FIELDS, MIGRATION_COLUMNS, PROBLEM_COLUMNS
from regiondash.phases import PHASE_KEYS
from regiondash.store import bulk, migrate, uploads
from regiondash.store.schema import migrations_table, phases_table, uploads_table
from tests import frames
from tests.conftest import build_upload

D = pd.Timestamp
PHASE_DATES = ["planned_start", "planned_end", "actual_start", "actual_end"]
TEXT_COLUMNS = [
    c
    for c in MIGRATION_COLUMNS
    if c not in {*EVENT_DATE_FIELDS, "source_system_inferred", "source_row"}
]


def migrations_frame(*rows: dict) -> pd.DataFrame:
    """Migration rows with the stored dtypes; fields a row leaves out are missing."""
    columns = {}
    for name in MIGRATION_COLUMNS:
        values = [row.get(name) for row in rows]
        if name in EVENT_DATE_FIELDS:
            columns[name] = pd.Series(
                [pd.NaT if v is None else D(v) for v in values], dtype="datetime64[us]"
            )
        elif name == "source_system_inferred":
            columns[name] = pd.Series([bool(v) for v in values], dtype=bool)
        elif name == "source_row":
            columns[name] = pd.Series(
                [v if v is not None else i + 2 for i, v in enumerate(values)], dtype="int64"
            )
        else:
            columns[name] = pd.Series([pd.NA if v is None else v for v in values], dtype="string")
    return pd.DataFrame(columns)


def phases_frame(*rows: tuple) -> pd.DataFrame:
    """Phase rows from (migration_id, phase, planned/actual start/end dates)."""
    return frames.phases_frame(rows)


def empty_set_aside() -> pd.DataFrame:
    return pd.DataFrame({"sheet": [], "row": [], "values": [], "reasons": []})


def empty_problems() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype="string") for name in PROBLEM_COLUMNS})


def record(content: bytes, as_at: dt.date, **overrides) -> store.UploadRecord:
    values = {
        "file_name": "north-east.xlsx",
        "content": content,
        "uploaded_by": "csu.lead@example.nhs.uk",
        "uploaded_at": dt.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=dt.UTC),
        "as_at": as_at,
        "file_kind": "xlsx",
        "sheet": "Tracker",
        "header_row": 3,
        "tracker": "north-east",
        "mapping": {"Practice Code": "ods_code", "Go Live Date": "go_live_planned"},
        "rows_read": 4,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    return store.UploadRecord(**(values | overrides))


def save(engine, content: bytes, as_at: dt.date, migrations, phases, **overrides):
    upload = record(content, as_at, **overrides)
    return store.save_upload(
        engine, upload, migrations, phases, empty_set_aside(), empty_problems()
    )


def row_counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.scalar(select(func.count()).select_from(table))
            for table in (uploads_table, migrations_table, phases_table)
        )


HAND_MIGRATIONS = migrations_frame(
    {
        "migration_id": "A81001:EMIS Web>SystmOne",
        "ods_code": "A81001",
        "practice_name": 'St Mary\'s "Riverside" Surgery — Ærø ✓ 🙂',
        "sub_icb_code": "00L",
        "icb_code": "QHM",
        "region_code": "Y63",
        "source_system": "EMIS Web",
        "source_system_inferred": True,
        "target_system": "SystmOne",
        "notes": "line one\nline two; 'quoted', back\\slash",
        "extract_requested": "2026-01-12",
        "tracking_updated": "2035-12-31",
        "sheet": "Tracker",
        "source_row": 5,
    },
    {
        "migration_id": "B82002:Vision>EMIS Web",
        "ods_code": "B82002",
        "practice_name": "",  # an empty cell that was typed as "" is not a missing one
        "source_system": "Vision",
        "target_system": "EMIS Web",
        "decommission_schedule_a": "2015-01-01",
        "sheet": "Tracker",
        "source_row": 6,
    },
)
HAND_PHASES = phases_frame(
    ("A81001:EMIS Web>SystmOne", "kickoff", "2026-01-05", "2026-01-05", "2026-01-06", None),
    ("A81001:EMIS Web>SystmOne", "go_live", "2026-03-02", "2026-03-02", None, None),
    ("B82002:Vision>EMIS Web", "go_live", None, None, "2026-02-16", "2026-02-16"),
)


def test_round_trip_keeps_every_value_and_dtype(engine):
    set_aside = pd.DataFrame(
        {
            "sheet": ["Tracker", "Tracker"],
            "row": [7, 9],
            "values": [
                {"Practice Code": "A8100", "Go Live Date": "TBC"},
                {"Practice Code": "", "Notes": 'Ærø "x" ✓'},
            ],
            "reasons": ["ODS code A8100 is not a letter and five digits", "no practice code"],
        }
    )
    problems = pd.DataFrame(
        {
            "severity": ["error", "error", "warning"],
            "sheet": ["Tracker", "Tracker", pd.NA],
            "row": pd.array([7, 9, pd.NA], dtype="Int64"),
            "column": ["Practice Code", "Practice Code", pd.NA],
            "value": ["A8100", "", pd.NA],
            "message": ["not an ODS code", "no practice code", "no CSU column"],
        }
    ).astype({c: "string" for c in PROBLEM_COLUMNS if c != "row"})
    upload = record(b"hand-made tracker bytes", dt.date(2026, 3, 2))

    outcome = store.save_upload(engine, upload, HAND_MIGRATIONS, HAND_PHASES, set_aside, problems)

    assert outcome == store.SaveOutcome("stored", outcome.upload_id)
    migrations, phases = store.upload_rows(engine, outcome.upload_id)
    pdt.assert_frame_equal(migrations, HAND_MIGRATIONS)
    pdt.assert_frame_equal(phases, HAND_PHASES)
    assert list(migrations.columns) == MIGRATION_COLUMNS
    assert migrations["practice_name"].tolist() == [
        'St Mary\'s "Riverside" Surgery — Ærø ✓ 🙂',
        "",
    ]
    pdt.assert_frame_equal(
        store.set_aside_rows(engine, outcome.upload_id),
        set_aside.astype({"sheet": "string", "reasons": "string", "values": object}),
    )
    pdt.assert_frame_equal(store.upload_problems(engine, outcome.upload_id), problems)
    assert store.upload_content(engine, outcome.upload_id) == (
        "north-east.xlsx",
        b"hand-made tracker bytes",
    )
    assert store.upload_mapping(engine, outcome.upload_id) == upload.mapping

    listed = store.list_uploads(engine)
    assert listed.to_dict("records") == [
        {
            "upload_id": outcome.upload_id,
            "uploaded_at": pd.Timestamp("2026-03-02 09:30:15.123456", tz="UTC"),
            "uploaded_by": "csu.lead@example.nhs.uk",
            "as_at": pd.Timestamp("2026-03-02"),
            "file_name": "north-east.xlsx",
            "file_kind": "xlsx",
            "sheet": "Tracker",
            "header_row": 3,
            "tracker": "north-east",
            "sha256": hashlib.sha256(b"hand-made tracker bytes").hexdigest(),
            "rows_read": 4,
            "migrations": 2,
            "rows_set_aside": 2,
            "errors": 2,
            "warnings": 1,
            "status": "stored_valid_rows",
            "is_demo": False,
            "read_as": {},
        }
    ]
    assert str(listed["uploaded_at"].dtype) == "datetime64[us, UTC]"
    assert str(listed["as_at"].dtype) == "datetime64[us]"
    assert store.latest_as_at(engine) == dt.date(2026, 3, 2)


def test_nothing_set_aside_is_status_stored_and_accepts_pandas_scalars(engine):
    upload = record(
        b"clean",
        pd.Timestamp("2026-03-02"),
        uploaded_at=pd.Timestamp("2026-03-02 10:30", tz="Europe/London"),
    )
    outcome = store.save_upload(
        engine, upload, HAND_MIGRATIONS, HAND_PHASES, empty_set_aside(), empty_problems()
    )
    listed = store.list_uploads(engine).iloc[0]
    assert (listed["status"], listed["errors"], listed["warnings"]) == ("stored", 0, 0)
    assert listed["uploaded_at"] == pd.Timestamp("2026-03-02 10:30", tz="UTC")
    # Ids taken out of a DataFrame are numpy integers; SQLite would bind them as blobs.
    numpy_id = store.list_uploads(engine)["upload_id"].iloc[0]
    assert len(store.upload_rows(engine, numpy_id)[0]) == 2
    assert store.upload_content(engine, numpy_id)[1] == b"clean"
    assert outcome.upload_id == numpy_id


def test_phase_rows_without_any_date_are_not_stored(engine):
    phases = pd.concat(
        [HAND_PHASES, phases_frame(("B82002:Vision>EMIS Web", "kickoff", None, None, None, None))],
        ignore_index=True,
    )
    outcome = save(engine, b"undated phase", dt.date(2026, 3, 2), HAND_MIGRATIONS, phases)
    pdt.assert_frame_equal(store.upload_rows(engine, outcome.upload_id)[1], HAND_PHASES)


def test_identical_bytes_are_unchanged_and_write_nothing(engine):
    first = save(engine, b"same bytes", dt.date(2026, 3, 2), HAND_MIGRATIONS, HAND_PHASES)
    counts = row_counts(engine)
    assert counts == (1, 2, 3)

    # Same bytes under another name and date: still the same file.
    again = save(
        engine,
        b"same bytes",
        dt.date(2026, 4, 1),
        HAND_MIGRATIONS.iloc[:1],
        HAND_PHASES.iloc[:1],
        file_name="renamed.xlsx",
    )

    assert again == store.SaveOutcome("unchanged", first.upload_id)
    assert row_counts(engine) == counts
    assert store.latest_as_at(engine) == dt.date(2026, 3, 2)


def test_losing_a_race_on_identical_bytes_reports_the_winner(engine, monkeypatch):
    winner = save(engine, b"raced bytes", dt.date(2026, 3, 2), HAND_MIGRATIONS, HAND_PHASES)
    real = uploads._upload_with_bytes
    calls = itertools.count()

    def blind_until_too_late(conn, sha256):
        # The pre-check and the in-transaction check both miss the winner, as they would if
        # it committed just after them; the unique constraint then decides.
        return None if next(calls) < 2 else real(conn, sha256)

    monkeypatch.setattr(uploads, "_upload_with_bytes", blind_until_too_late)
    outcome = save(engine, b"raced bytes", dt.date(2026, 3, 2), HAND_MIGRATIONS, HAND_PHASES)

    assert outcome == store.SaveOutcome("unchanged", winner.upload_id)
    assert row_counts(engine) == (1, 2, 3)


def test_a_failure_while_inserting_phases_stores_nothing(engine, monkeypatch):
    real = bulk.insert_columns

    def fail_on_phases(conn, table, columns):
        if table is phases_table:
            raise RuntimeError("disk full")
        real(conn, table, columns)

    monkeypatch.setattr(bulk, "insert_columns", fail_on_phases)
    with pytest.raises(RuntimeError, match="disk full"):
        save(engine, b"doomed", dt.date(2026, 3, 2), HAND_MIGRATIONS, HAND_PHASES)

    assert row_counts(engine) == (0, 0, 0)
    assert store.list_uploads(engine).empty
    assert store.latest_as_at(engine) is None


def test_a_database_constraint_failure_midway_stores_nothing(engine):
    repeated = pd.concat([HAND_PHASES, HAND_PHASES.iloc[[1]]], ignore_index=True)

    with pytest.raises(IntegrityError):
        save(engine, b"repeated phase", dt.date(2026, 3, 2), HAND_MIGRATIONS, repeated)

    assert row_counts(engine) == (0, 0, 0)
    # The store is still usable afterwards.
    assert save(engine, b"fine", dt.date(2026, 3, 2), HAND_MIGRATIONS, HAND_PHASES).status == (
        "stored"
    )


def test_nul_characters_become_replacement_characters_on_every_backend(engine):
    migrations = HAND_MIGRATIONS.assign(notes=pd.Series(["a\x00b", pd.NA], dtype="string"))
    set_aside = pd.DataFrame(
        {"sheet": ["Tracker"], "row": [9], "values": [{"Notes": "c\x00d"}], "reasons": ["x"]}
    )
    upload = record(b"nul", dt.date(2026, 3, 2))

    outcome = store.save_upload(
        engine, upload, migrations, HAND_PHASES, set_aside, empty_problems()
    )

    assert store.upload_rows(engine, outcome.upload_id)[0]["notes"].tolist() == ["a\ufffdb", pd.NA]
    # JSON escapes NUL itself, so the raw cells keep it.
    assert store.set_aside_rows(engine, outcome.upload_id)["values"][0] == {"Notes": "c\x00d"}


def test_empty_set_aside_and_problem_frames_need_no_columns(engine):
    upload = record(b"bare", dt.date(2026, 3, 2))
    outcome = store.save_upload(
        engine, upload, HAND_MIGRATIONS, HAND_PHASES, pd.DataFrame(), pd.DataFrame()
    )
    assert store.list_uploads(engine)["status"].tolist() == ["stored"]
    assert list(store.set_aside_rows(engine, outcome.upload_id).columns) == [
        "sheet",
        "row",
        "values",
        "reasons",
    ]
    assert list(store.upload_problems(engine, outcome.upload_id).columns) == PROBLEM_COLUMNS


@pytest.mark.parametrize(
    ("migrations", "phases", "content", "message"),
    [
        (pd.concat([HAND_MIGRATIONS, HAND_MIGRATIONS.iloc[[0]]]), HAND_PHASES, b"x", "repeated"),
        (HAND_MIGRATIONS.iloc[[0]], HAND_PHASES, b"x", "not in the migrations frame"),
        (HAND_MIGRATIONS.drop(columns="notes"), HAND_PHASES, b"x", "lacks columns"),
    ],
)
def test_inconsistent_frames_are_refused_before_writing(
    sqlite_url, migrations, phases, content, message
):
    engine = store.connect(sqlite_url)
    with pytest.raises(ValueError, match=message):
        save(engine, content, dt.date(2026, 3, 2), migrations, phases)
    assert row_counts(engine) == (0, 0, 0)
    engine.dispose()


def test_a_sha256_that_does_not_match_the_bytes_is_refused(sqlite_url):
    engine = store.connect(sqlite_url)
    with pytest.raises(ValueError, match="sha256"):
        save(engine, b"x", dt.date(2026, 3, 2), HAND_MIGRATIONS, HAND_PHASES, sha256="0" * 64)
    engine.dispose()


def picture_uploads(engine) -> tuple[int, int, int]:
    """Three uploads: 1 and 2 (a month on) of tracker "north" hold A, B, C and then A, B (C has
    left the tracker); 3, of tracker "south" with the same as-at as 2, holds B only."""
    one = save(
        engine,
        b"january",
        dt.date(2026, 1, 5),
        migrations_frame(
            {"migration_id": "A", "practice_name": "A jan"},
            {"migration_id": "B", "practice_name": "B jan"},
            {"migration_id": "C", "practice_name": "C jan"},
        ),
        phases_frame(
            ("A", "kickoff", "2026-01-12", "2026-01-12", None, None),
            ("A", "go_live", "2026-03-01", "2026-03-01", None, None),
            ("B", "go_live", "2026-04-01", "2026-04-01", None, None),
            ("C", "go_live", "2026-05-01", "2026-05-01", None, None),
        ),
        uploaded_at=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
        tracker="north",
    )
    two = save(
        engine,
        b"february",
        dt.date(2026, 2, 2),
        migrations_frame(
            {"migration_id": "A", "practice_name": "A feb"},
            {"migration_id": "B", "practice_name": "B feb"},
        ),
        phases_frame(
            ("A", "go_live", "2026-03-15", "2026-03-15", None, None),
            ("B", "go_live", "2026-04-08", "2026-04-08", None, None),
        ),
        uploaded_at=dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC),
        tracker="north",
    )
    three = save(
        engine,
        b"february again",
        dt.date(2026, 2, 2),
        migrations_frame({"migration_id": "B", "practice_name": "B feb v2"}),
        phases_frame(("B", "go_live", "2026-04-20", "2026-04-20", None, None)),
        uploaded_at=dt.datetime(2026, 2, 2, 8, 0, tzinfo=dt.UTC),
        tracker="south",
    )
    return one.upload_id, two.upload_id, three.upload_id


def picture_summary(engine, as_at=None):
    migrations, phases = store.current_picture(engine, as_at)
    return (
        [tuple(r) for r in migrations[["migration_id", "practice_name", "upload_id"]].to_numpy()],
        [tuple(r) for r in phases[["migration_id", "phase", "planned_start"]].to_numpy()],
        migrations,
        phases,
    )


PICTURE_EXTRA_KINDS = {
    "upload_id": "int64",
    "upload_as_at": "datetime64[us]",
    "tracker": "string",
    **{f"tracks_{name}": "bool" for name in EVENT_DATE_FIELDS},
}


def test_current_picture_is_each_trackers_latest_upload(engine):
    _, two, three = picture_uploads(engine)

    migrations, phases, frame, phase_frame = picture_summary(engine)

    # A from north's latest (2); B from south's (3: same as-at as 2, greater id); C has left
    # north's tracker, so it has left the picture.
    assert migrations == [("A", "A feb", two), ("B", "B feb v2", three)]
    # A's kickoff was only in upload 1, which is no longer A's latest: it does not leak through.
    assert phases == [("A", "go_live", D("2026-03-15")), ("B", "go_live", D("2026-04-20"))]
    assert frame["upload_as_at"].tolist() == [D("2026-02-02"), D("2026-02-02")]
    assert frame["tracker"].tolist() == ["north", "south"]
    assert list(frame.columns) == [*MIGRATION_COLUMNS, *PICTURE_EXTRA_KINDS]
    assert frame.dtypes.to_dict() == {**HAND_MIGRATIONS.dtypes.to_dict(), **PICTURE_EXTRA_KINDS}
    # The mapping of record() has no event columns: no rule on them can be assessed.
    assert not frame[[f"tracks_{name}" for name in EVENT_DATE_FIELDS]].any().any()
    assert phase_frame.dtypes.to_dict() == {
        **HAND_PHASES.dtypes.to_dict(),
        "upload_as_at": "datetime64[us]",
    }
    assert phase_frame["upload_as_at"].tolist() == [D("2026-02-02"), D("2026-02-02")]


def test_the_uploads_in_the_picture_are_each_trackers_latest(engine):
    one, two, three = picture_uploads(engine)

    assert store.picture_uploads(engine)[["upload_id", "tracker"]].values.tolist() == [
        [three, "south"],
        [two, "north"],
    ]
    assert store.picture_uploads(engine, dt.date(2026, 1, 31))["upload_id"].tolist() == [one]


def test_current_picture_as_at_an_earlier_date_uses_older_uploads(engine):
    one, _, _ = picture_uploads(engine)

    migrations, phases, _, _ = picture_summary(engine, dt.date(2026, 1, 31))

    assert migrations == [("A", "A jan", one), ("B", "B jan", one), ("C", "C jan", one)]
    assert phases == [
        ("A", "kickoff", D("2026-01-12")),
        ("A", "go_live", D("2026-03-01")),
        ("B", "go_live", D("2026-04-01")),
        ("C", "go_live", D("2026-05-01")),
    ]
    # The as-at date itself counts, and a Timestamp will do.
    assert picture_summary(engine, pd.Timestamp("2026-01-05"))[0] == migrations


def test_current_picture_before_any_upload_or_of_an_empty_store_is_empty_but_typed(engine):
    empty_migrations, empty_phases = store.current_picture(engine)
    picture_uploads(engine)
    before_migrations, before_phases = store.current_picture(engine, dt.date(2025, 12, 31))

    for migrations, phases in [
        (empty_migrations, empty_phases),
        (before_migrations, before_phases),
    ]:
        assert migrations.empty and phases.empty
        assert list(migrations.columns) == [*MIGRATION_COLUMNS, *PICTURE_EXTRA_KINDS]
        assert phases.dtypes.to_dict() == {
            **HAND_PHASES.dtypes.to_dict(),
            "upload_as_at": "datetime64[us]",
        }
        assert migrations.dtypes.drop(list(PICTURE_EXTRA_KINDS)).to_dict() == (
            HAND_MIGRATIONS.dtypes.to_dict()
        )


def test_phases_of_the_current_picture_come_in_the_guides_order(engine):
    order = list(reversed(PHASE_KEYS))
    phases = phases_frame(
        *[("A81001:EMIS Web>SystmOne", key, "2026-01-01", None, None, None) for key in order]
    )
    migrations = HAND_MIGRATIONS.iloc[[0]].reset_index(drop=True)
    outcome = save(engine, b"reversed", dt.date(2026, 3, 2), migrations, phases)

    assert store.current_picture(engine)[1]["phase"].tolist() == list(PHASE_KEYS)
    # ... while one upload's rows come back in the order they were saved.
    assert store.upload_rows(engine, outcome.upload_id)[1]["phase"].tolist() == order


def test_phase_history_has_each_version_of_the_phase_and_the_uploads_holding_it(engine):
    one, two, three = picture_uploads(engine)

    history = store.phase_history(engine, "go_live")

    assert list(history.columns) == [
        "upload_id",
        "as_at",
        "uploaded_at",
        "migration_id",
        *PHASE_DATES,
        "uploads",
    ]
    # Every go live moved between uploads 1 and 2 of "north", so each version is one upload's.
    columns = ["upload_id", "as_at", "migration_id", "planned_start", "uploads"]
    assert [tuple(r) for r in history[columns].to_numpy()] == [
        (one, D("2026-01-05"), "A", D("2026-03-01"), 1),
        (two, D("2026-02-02"), "A", D("2026-03-15"), 1),
        (one, D("2026-01-05"), "B", D("2026-04-01"), 1),
        (two, D("2026-02-02"), "B", D("2026-04-08"), 1),
        (three, D("2026-02-02"), "B", D("2026-04-20"), 1),
        (one, D("2026-01-05"), "C", D("2026-05-01"), 1),
    ]
    assert history["uploaded_at"].iloc[0] == pd.Timestamp("2026-01-05 09:00", tz="UTC")
    assert history["actual_start"].isna().all()
    assert store.phase_history(engine, "kickoff")["upload_id"].tolist() == [one]
    assert store.phase_history(engine, "cutover").empty
    # As at 5 January only the first upload counts.
    early = store.phase_history(engine, "go_live", dt.date(2026, 1, 31))
    assert early["upload_id"].tolist() == [one, one, one]


def test_an_unchanged_go_live_is_one_version_held_by_every_upload_that_repeats_it(engine):
    migrations = HAND_MIGRATIONS.iloc[[0]].reset_index(drop=True)
    phases = phases_frame(("A81001:EMIS Web>SystmOne", "go_live", "2026-03-02", None, None, None))
    first = save(engine, b"one", dt.date(2026, 1, 5), migrations, phases)
    save(engine, b"two", dt.date(2026, 1, 12), migrations, phases)
    save(engine, b"three", dt.date(2026, 1, 19), migrations, phases)

    history = store.phase_history(engine, "go_live")
    assert history[["upload_id", "uploads"]].values.tolist() == [[first.upload_id, 3]]
    assert store.phase_history(engine, "go_live", dt.date(2026, 1, 12))["uploads"].tolist() == [2]


def test_departed_lists_what_left_each_tracker_with_when(engine):
    # Tracker T: 1 Oct holds A, B, C; 1 Nov A, C (B left); 1 Dec A (C left). Tracker U: 15 Nov
    # holds B. B left T on 1 Nov, last seen 1 Oct; C left on 1 Dec, last seen 1 Nov.
    def holding(*ids: str) -> pd.DataFrame:
        return migrations_frame(*({"migration_id": m, "ods_code": f"{m}00001"} for m in ids))

    no_phases = phases_frame()
    save(engine, b"t1", dt.date(2026, 10, 1), holding("A", "B", "C"), no_phases, tracker="T")
    save(engine, b"t2", dt.date(2026, 11, 1), holding("A", "C"), no_phases, tracker="T")
    save(engine, b"t3", dt.date(2026, 12, 1), holding("A"), no_phases, tracker="T")
    save(engine, b"u1", dt.date(2026, 11, 15), holding("B"), no_phases, tracker="U")

    def gone(as_at=None):
        found = store.departed(engine, as_at).sort_values("migration_id")
        return found[
            ["migration_id", "ods_code", "tracker", "last_seen", "left_on"]
        ].values.tolist()

    assert gone() == [
        ["B", "B00001", "T", pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")],
        ["C", "C00001", "T", pd.Timestamp("2026-11-01"), pd.Timestamp("2026-12-01")],
    ]
    # As at 20 Nov, T's latest is 1 Nov: only B has left it.
    assert [row[0] for row in gone(dt.date(2026, 11, 20))] == ["B"]
    assert gone(dt.date(2026, 10, 15)) == []


def test_list_uploads_is_newest_first(engine):
    one, two, three = picture_uploads(engine)
    # Upload 3 was stamped an hour before upload 2.
    assert store.list_uploads(engine)["upload_id"].tolist() == [two, three, one]
    assert "content" not in store.list_uploads(engine).columns


def test_unknown_upload_ids_are_a_lookup_error(engine):
    with pytest.raises(LookupError, match="no upload with id 99"):
        store.upload_content(engine, 99)
    with pytest.raises(LookupError):
        store.upload_mapping(engine, 99)
    with pytest.raises(LookupError, match="no upload with id 99"):
        store.upload_rows(engine, 99)
    assert store.set_aside_rows(engine, 99).empty
    assert store.upload_problems(engine, 99).empty


def test_header_mapping_is_remembered_and_replaced(engine):
    assert store.saved_header_mapping(engine, "sig-1") == {}

    store.save_header_mapping(engine, "sig-1", {"Practice": "ods_code"})
    store.save_header_mapping(engine, "sig-2", {"Live": "go_live_actual"})
    store.save_header_mapping(engine, "sig-1", {"Practice": "practice_name", "Ærø": "notes"})

    assert store.saved_header_mapping(engine, "sig-1") == {
        "Practice": "practice_name",
        "Ærø": "notes",
    }
    assert store.saved_header_mapping(engine, "sig-2") == {"Live": "go_live_actual"}


# --- schema versions -------------------------------------------------------------------------


def test_a_new_database_is_at_the_current_schema_version(engine):
    assert store.schema_version(engine) == store.SCHEMA_VERSION == migrate.head_revision()
    assert set(inspect(engine).get_table_names()) == {
        "alembic_version",
        "uploads",
        "upload_files",
        "migration_versions",
        "phase_versions",
        "upload_set_aside",
        "upload_problems",
        "header_mappings",
    }
    # Connecting again changes nothing.
    store.connect(engine.url.render_as_string(hide_password=False)).dispose()
    assert store.schema_version(engine) == store.SCHEMA_VERSION


def _scripts_with(tmp_path: Path, body: str) -> str:
    """A copy of the packaged revisions with a revision 9001 after head whose upgrade is body."""
    location = tmp_path / "migrations"
    shutil.copytree(migrate.SCRIPT_LOCATION, location, ignore=shutil.ignore_patterns("__pycache__"))
    head = migrate.head_revision()
    (location / "versions" / "9001_test.py").write_text(
        f"from alembic import op\n\nrevision = '9001'\ndown_revision = '{head}'\n"
        f"branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{body}"
    )
    return str(location)


def test_an_older_database_is_upgraded_in_place_keeping_its_data(db_url, tmp_path, monkeypatch):
    old = store.connect(db_url)
    outcome = save(old, b"before upgrade", dt.date(2026, 3, 2), HAND_MIGRATIONS, HAND_PHASES)
    old.dispose()

    location = _scripts_with(
        tmp_path,
        "    op.execute('ALTER TABLE uploads ADD COLUMN reviewed_by TEXT')\n"
        "    op.execute(\"UPDATE uploads SET reviewed_by = 'nobody yet'\")\n",
    )
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", location)
    # As a newer release would say: its schema is the new head.
    monkeypatch.setattr(store.schema, "SCHEMA_VERSION", "9001")
    new = store.connect(db_url)

    assert store.schema_version(new) == "9001"
    with new.connect() as conn:
        assert conn.execute(text("SELECT reviewed_by FROM uploads")).scalars().all() == [
            "nobody yet"
        ]
    pdt.assert_frame_equal(store.upload_rows(new, outcome.upload_id)[0], HAND_MIGRATIONS)
    new.dispose()


def test_a_failing_upgrade_step_leaves_the_database_as_it_was(db_url, tmp_path, monkeypatch):
    store.connect(db_url).dispose()

    location = _scripts_with(
        tmp_path,
        "    op.execute('CREATE TABLE scratch (x INTEGER)')\n"
        "    raise RuntimeError('step 9001 broke')\n",
    )
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", location)
    # As a newer release would say: its schema is the new head.
    monkeypatch.setattr(store.schema, "SCHEMA_VERSION", "9001")
    with pytest.raises(RuntimeError, match="step 9001 broke"):
        store.connect(db_url)

    monkeypatch.undo()
    engine = store.connect(db_url)
    assert store.schema_version(engine) == store.SCHEMA_VERSION
    assert "scratch" not in inspect(engine).get_table_names()
    engine.dispose()


def test_a_database_from_a_newer_release_is_refused(db_url):
    engine = store.connect(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    engine.dispose()

    with pytest.raises(
        store.SchemaTooNewError, match=r"schema version 0007.*only understands up to"
    ):
        store.connect(db_url)


# --- URLs and engines --------------------------------------------------------------------------


def test_database_url_prefers_explicit_then_environment_then_data_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REGIONDASH_DATABASE_URL", raising=False)

    assert store.database_url() == f"sqlite:///{tmp_path / 'data' / 'regiondash.db'}"
    assert (tmp_path / "data").is_dir()
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", "postgresql://db.example/regiondash")
    assert store.database_url() == "postgresql://db.example/regiondash"
    assert store.database_url("sqlite:///elsewhere.db") == "sqlite:///elsewhere.db"


def test_connect_without_a_url_uses_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REGIONDASH_DATABASE_URL", raising=False)
    engine = store.connect()
    assert store.schema_version(engine) == store.SCHEMA_VERSION
    assert (tmp_path / "data" / "regiondash.db").is_file()
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_url):
    engine = store.connect(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


@pytest.mark.postgres
def test_plain_postgresql_urls_use_psycopg_3(postgres_url):
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    engine = store.connect(plain)
    assert engine.dialect.driver == "psycopg"
    assert store.schema_version(engine) == store.SCHEMA_VERSION
    engine.dispose()


def test_national_scale_upload_round_trips(engine):
    upload, migrations, phases, set_aside, problems = build_upload(1500, seed=7)
    outcome = store.save_upload(engine, upload, migrations, phases, set_aside, problems)

    stored_migrations, stored_phases = store.upload_rows(engine, outcome.upload_id)

    pdt.assert_frame_equal(stored_migrations, migrations)
    pdt.assert_frame_equal(stored_phases, phases)
    assert row_counts(engine) == (1, 1500, 1500 * len(PHASE_KEYS))


# --- property: whatever text and dates come in, the same come out ------------------------------

# NUL is left out: the store turns it into U+FFFD on purpose (see the test of that).
_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
_cell = st.one_of(st.none(), _text, st.sampled_from(["", "'", '"', "\\", "NULL", "None", "NaN"]))
_date = st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)))


@st.composite
def upload_frames(draw):
    ids = draw(st.lists(_text.filter(bool), max_size=5, unique=True))
    rows = []
    for position, migration_id in enumerate(ids):
        row = {name: draw(_cell) for name in TEXT_COLUMNS if name != "migration_id"}
        row |= {name: draw(_date) for name in EVENT_DATE_FIELDS}
        row |= {
            "migration_id": migration_id,
            "source_system_inferred": draw(st.booleans()),
            "source_row": draw(st.integers(0, 1_048_576)) + position,
        }
        rows.append(row)
    migrations = migrations_frame(*rows) if rows else migrations_frame()
    phase_rows = []
    for migration_id in ids:
        for phase in draw(st.lists(st.sampled_from(PHASE_KEYS), unique=True, max_size=4)):
            dates = [draw(_date) for _ in PHASE_DATES]
            phase_rows.append((migration_id, phase, *dates))
    return migrations, phases_frame(*phase_rows)


_examples = itertools.count()


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frames=upload_frames())
def test_any_small_upload_round_trips_exactly_on_sqlite(sqlite_url, frames):
    migrations, phases = frames
    engine = store.connect(sqlite_url)
    try:
        content = json.dumps(["property", next(_examples)]).encode()
        outcome = save(engine, content, dt.date(2026, 3, 2), migrations, phases)
        stored_migrations, stored_phases = store.upload_rows(engine, outcome.upload_id)
    finally:
        engine.dispose()

    dated = phases[PHASE_DATES].notna().any(axis=1)
    pdt.assert_frame_equal(stored_migrations, migrations)
    pdt.assert_frame_equal(stored_phases, phases[dated].reset_index(drop=True))


def test_a_database_of_the_previous_release_is_upgraded_with_nothing_lost(tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "previous-release" / "regiondash-schema-1.db"
    copy = tmp_path / "old.db"
    shutil.copyfile(fixture, copy)
    with sqlite3.connect(copy) as conn:
        counts_before = [
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("uploads", "upload_migrations", "upload_phases", "upload_problems")
        ]
    engine = store.connect(f"sqlite:///{copy}")

    assert store.schema_version(engine) == store.SCHEMA_VERSION
    assert counts_before == [5, 497, 6439, 0]
    # Every upload's rows read back as many as were stored (tests/test_migrations.py compares
    # them row by row); the versions hold fewer, as unchanged rows are kept once.
    read_back = [store.upload_rows(engine, upload_id) for upload_id in range(1, 6)]
    assert sum(len(m) for m, _ in read_back) == 497
    assert sum(len(p) for _, p in read_back) == 6439
    with engine.connect() as conn:
        versions = [
            conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("migration_versions", "phase_versions", "upload_problems")
        ]
    assert versions[0] < 497 and versions[1] < 6439 and versions[2] == 0
    uploads = store.list_uploads(engine).sort_values("upload_id")
    # The demo loader's four uploads are flagged; the real upload by the same team name is not.
    assert uploads["is_demo"].tolist() == [True, True, True, True, False]
    assert uploads["read_as"].tolist() == [{}] * 5
    name, content = store.upload_content(engine, 5)
    assert name == "example-tracker.xlsx"
    assert content == (Path(__file__).parents[1] / "data" / "example-tracker.xlsx").read_bytes()
    engine.dispose()
