"""store.rows_to_compare: two uploads compared from the row versions, as from their full rows.

Of two uploads of one tracker only the migrations whose comparison can find something are read:
those with a version valid at one upload and not the other, and those with the same rows whose
actual dates fall between the two as-at dates. changes.compare_uploads on them must say exactly
what it says on the two uploads' full rows (store.upload_rows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil

import pandas as pd
import pytest

from regiondash import changes, store
from regiondash.fields import PHASE_COLUMNS
from regiondash.importing import load_demo
from regiondash.reference import load_reference
from tests.frames import migrations_frame, phases_frame
from tests.test_store_history import PREVIOUS

WEEK_1, WEEK_2, WEEK_3 = dt.date(2026, 11, 2), dt.date(2026, 11, 16), dt.date(2026, 11, 23)
M = {n: f"A8100{n}:EMIS Web>SystmOne" for n in range(1, 10)}


def week_rows(week: int):
    """A tracker's rows in week 1, 2 or 3 (3 is 2 again).

    M1's go live moves from 1 to 15 Mar in week 2; M2 and M3 are the same in every week but an
    actual date falls between the week 1 and week 2 as-at dates (M2's kickoff ends 10 Nov, M3
    goes live 12 Nov); M4 is only in week 1, M5 only from week 2; M6 and M8 are the same in
    every week, dates outside the weeks; M7's notes change in week 2, nothing else.
    """
    ids = [M[n] for n in (1, 2, 3, 6, 7, 8)] + [M[4] if week == 1 else M[5]]
    notes = {M[7]: "on track" if week == 1 else "waiting for the CSU"}
    migrations = migrations_frame(
        [
            {"migration_id": mid, "notes": notes.get(mid, "-"), "source_row": row + 2}
            for row, mid in enumerate(ids)
        ]
    ).astype({"source_row": "int64"})
    migrations["practice_name"] = migrations["migration_id"].str[:6] + " Surgery"
    migrations["practice_name"] = migrations["practice_name"].astype("string")
    migrations["source_system_inferred"] = False
    rows = [
        (M[1], "go_live", "2027-03-01" if week == 1 else "2027-03-15", None, None, None),
        (M[2], "kickoff", "2026-11-01", "2026-11-10", "2026-11-01", "2026-11-10"),
        (M[2], "go_live", "2027-01-11", None, None, None),
        (M[3], "go_live", "2026-11-12", "2026-11-12", "2026-11-12", "2026-11-12"),
        (M[6], "go_live", "2027-02-01", None, None, None),
        (M[7], "go_live", "2027-02-08", None, None, None),
        (M[8], "kickoff", "2026-10-01", "2026-10-01", "2026-10-01", "2026-10-01"),
        (M[8], "go_live", "2027-04-05", None, None, None),
    ]
    rows.append(
        (M[4], "go_live", "2027-05-03", None, None, None)
        if week == 1
        else (M[5], "go_live", "2027-06-07", None, None, None)
    )
    return migrations, phases_frame(rows)


def save(engine, name: str, as_at: dt.date, migrations, phases, tracker: str = "weekly") -> int:
    content = f"{tracker} {name}".encode()
    upload = store.UploadRecord(
        file_name=f"{name}.xlsx",
        content=content,
        uploaded_by="CSU",
        uploaded_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        as_at=as_at,
        file_kind="xlsx",
        sheet="Tracker",
        header_row=1,
        tracker=tracker,
        mapping={},
        rows_read=len(migrations),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    empty = pd.DataFrame({n: pd.Series(dtype="string") for n in ("sheet", "reasons")})
    empty = empty.assign(row=pd.Series(dtype="int64"), values=pd.Series(dtype=object))
    problems = pd.DataFrame(
        {n: pd.Series(dtype="string") for n in ("severity", "sheet", "column", "value", "message")}
    ).assign(row=pd.Series(dtype="Int64"))
    outcome = store.save_upload(engine, upload, migrations, phases, empty, problems)
    assert outcome.status == "stored"
    return outcome.upload_id


@pytest.fixture
def weeks(engine):
    """The engine and the ids of the three weeks' uploads and of another tracker's upload."""
    ids = {
        week: save(engine, f"week {week}", as_at, *week_rows(min(week, 2)))
        for week, as_at in ((1, WEEK_1), (2, WEEK_2), (3, WEEK_3))
    }
    other_migrations, other_phases = week_rows(1)
    ids["other"] = save(
        engine, "other", WEEK_2, other_migrations.iloc[:2], other_phases.iloc[:2], "other"
    )
    return engine, ids


def compared(engine, before_id: int, after_id: int, rows) -> dict[str, list]:
    uploads = store.list_uploads(engine).set_index("upload_id")
    before, after = uploads.loc[before_id], uploads.loc[after_id]
    (before_m, before_p), (after_m, after_p) = rows(engine, before_id, after_id)
    return changes.compare_uploads(
        before_m,
        before_p,
        pd.Timestamp(before["as_at"]).date(),
        after_m,
        after_p,
        pd.Timestamp(after["as_at"]).date(),
        same_tracker=before["tracker"] == after["tracker"],
    )


def full_rows(engine, before_id: int, after_id: int):
    return store.upload_rows(engine, before_id), store.upload_rows(engine, after_id)


def ids_of(rows) -> list[list[str]]:
    return [sorted(frame["migration_id"].unique()) for frame in rows]


def test_only_the_migrations_that_can_differ_are_read(weeks):
    engine, ids = weeks
    (before_m, before_p), (after_m, after_p) = store.rows_to_compare(engine, ids[1], ids[2])
    # M6 and M8 are the same in both and nothing of theirs happened between the dates.
    assert ids_of([before_m, before_p]) == [[M[n] for n in (1, 2, 3, 4, 7)]] * 2
    assert ids_of([after_m, after_p]) == [[M[n] for n in (1, 2, 3, 5, 7)]] * 2
    assert list(before_m.columns) == [
        "migration_id",
        "ods_code",
        "practice_name",
        "reported_status",
    ]
    assert list(after_p.columns) == PHASE_COLUMNS
    moved = after_p.set_index(["migration_id", "phase"]).loc[(M[1], "go_live"), "planned_start"]
    assert moved == pd.Timestamp("2027-03-15")
    # M2's kickoff is one version, held by both uploads: read once, in both frames.
    assert len(before_p[before_p["migration_id"] == M[2]]) == 2
    assert len(after_p[after_p["migration_id"] == M[2]]) == 2


def test_the_comparison_is_what_the_full_rows_give(weeks):
    engine, ids = weeks
    result = compared(engine, ids[1], ids[2], store.rows_to_compare)
    assert result == compared(engine, ids[1], ids[2], full_rows)
    assert result == {
        "added": [{"migration_id": M[5], "ods_code": "A81005", "practice_name": "A81005 Surgery"}],
        "removed": [
            {
                "migration_id": M[4],
                "ods_code": "A81004",
                "practice_name": "A81004 Surgery",
                "left_on": "2026-11-16",
            }
        ],
        "go_live_moved": [
            {
                "migration_id": M[1],
                "ods_code": "A81001",
                "from": "2027-03-01",
                "to": "2027-03-15",
                "days": 14,
            }
        ],
        "phases_completed": [
            {"migration_id": M[2], "ods_code": "A81002", "phase": "kickoff", "date": "2026-11-10"},
            {"migration_id": M[3], "ods_code": "A81003", "phase": "go_live", "date": "2026-11-12"},
        ],
        "status_changed": [
            {"migration_id": M[3], "ods_code": "A81003", "from": "planned", "to": "live"}
        ],
    }


def test_a_later_upload_compared_with_an_earlier_one(weeks):
    engine, ids = weeks
    (before_m, _), (after_m, _) = store.rows_to_compare(engine, ids[3], ids[1])
    assert ids_of([before_m, after_m]) == [
        [M[n] for n in (1, 2, 3, 5, 7)],
        [M[n] for n in (1, 2, 3, 4, 7)],
    ]
    result = compared(engine, ids[3], ids[1], store.rows_to_compare)
    assert result == compared(engine, ids[3], ids[1], full_rows)
    assert [item["migration_id"] for item in result["added"]] == [M[4]]
    assert result["removed"] == [
        {
            "migration_id": M[5],
            "ods_code": "A81005",
            "practice_name": "A81005 Surgery",
            "left_on": "2026-11-02",
        }
    ]
    assert result["go_live_moved"][0]["days"] == -14
    assert result["status_changed"] == [
        {"migration_id": M[3], "ods_code": "A81003", "from": "live", "to": "planned"}
    ]


def test_two_uploads_with_the_same_rows_read_nothing(weeks):
    engine, ids = weeks
    for before_id, after_id in ((ids[2], ids[3]), (ids[1], ids[1])):
        rows = store.rows_to_compare(engine, before_id, after_id)
        assert [len(frame) for pair in rows for frame in pair] == [0, 0, 0, 0]
        result = compared(engine, before_id, after_id, store.rows_to_compare)
        assert result == compared(engine, before_id, after_id, full_rows)
        assert result == {kind: [] for kind in changes.CHANGE_KINDS}


def test_uploads_two_weeks_apart_compare_as_the_full_rows_do(weeks):
    engine, ids = weeks
    result = compared(engine, ids[1], ids[3], store.rows_to_compare)
    assert result == compared(engine, ids[1], ids[3], full_rows)
    assert result["removed"][0]["left_on"] == "2026-11-23"
    assert len(result["phases_completed"]) == 2


def test_uploads_of_two_trackers_read_all_of_both(weeks):
    engine, ids = weeks
    (before_m, before_p), (after_m, after_p) = store.rows_to_compare(engine, ids[1], ids["other"])
    assert ids_of([before_m, before_p]) == [[M[n] for n in (1, 2, 3, 4, 6, 7, 8)]] * 2
    assert ids_of([after_m, after_p]) == [[M[1], M[2]]] * 2
    assert len(before_p) == 9 and len(after_p) == 2
    result = compared(engine, ids[1], ids["other"], store.rows_to_compare)
    assert result == compared(engine, ids[1], ids["other"], full_rows)
    assert result["removed"] == [] and result["added"] == []
    assert result["go_live_moved"] == []


def test_an_upload_arriving_late_compares_with_both_neighbours(engine):
    first = save(engine, "week 1", WEEK_1, *week_rows(1))
    last = save(engine, "week 3", WEEK_3, *week_rows(2))
    # Week 2 arrives last, as at a date between the two: its rows are week 1's but for M1's go
    # live, moved to 8 Mar.
    migrations, phases = week_rows(1)
    phases.loc[phases["migration_id"] == M[1], "planned_start"] = pd.Timestamp("2027-03-08")
    late = save(engine, "week 2", WEEK_2, migrations, phases)
    for before_id, after_id in ((first, late), (late, last), (first, last), (last, late)):
        result = compared(engine, before_id, after_id, store.rows_to_compare)
        assert result == compared(engine, before_id, after_id, full_rows)
    assert compared(engine, first, late, store.rows_to_compare)["go_live_moved"] == [
        {
            "migration_id": M[1],
            "ods_code": "A81001",
            "from": "2027-03-01",
            "to": "2027-03-08",
            "days": 7,
        }
    ]
    assert compared(engine, late, last, store.rows_to_compare)["go_live_moved"][0]["days"] == 7
    (before_m, _), (after_m, _) = store.rows_to_compare(engine, first, late)
    # M2's kickoff ended 10 Nov and M3 went live 12 Nov, between the two dates.
    assert ids_of([before_m, after_m]) == [[M[1], M[2], M[3]]] * 2


def test_an_unknown_upload_is_a_lookup_error(weeks):
    engine, ids = weeks
    with pytest.raises(LookupError, match="no upload with id 999"):
        store.rows_to_compare(engine, ids[1], 999)


def pairs_compare_as_the_full_rows_do(engine, pairs) -> int:
    """Compare each (before, after) pair of upload numbers (1 = the oldest stored) from the
    versions and from the full rows; how many changes were found in all."""
    ids = sorted(store.list_uploads(engine)["upload_id"].tolist())
    found = 0
    for before, after in pairs:
        before_id, after_id = ids[before - 1], ids[after - 1]
        result = compared(engine, before_id, after_id, store.rows_to_compare)
        assert result == compared(engine, before_id, after_id, full_rows), (before_id, after_id)
        found += sum(len(items) for items in result.values())
    return found


def test_pairs_of_the_demo_uploads(engine):
    load_demo(engine, load_reference())
    # each week with the next, both ways; the first with the last; one with itself
    pairs = [(1, 2), (2, 3), (3, 4), (4, 3), (1, 4), (2, 2)]
    assert pairs_compare_as_the_full_rows_do(engine, pairs) == 1928


def test_pairs_of_an_upgraded_database_with_three_trackers(tmp_path):
    # The schema-2 database, upgraded: five uploads of the demo's tracker, then two others.
    copy = tmp_path / "schema-2.db"
    shutil.copyfile(PREVIOUS / "regiondash-schema-2.db", copy)
    engine = store.connect(f"sqlite:///{copy}")
    assert store.list_uploads(engine)["tracker"].nunique() == 3
    assert pairs_compare_as_the_full_rows_do(engine, [(4, 5), (1, 5), (5, 6), (7, 6)]) == 242
    engine.dispose()
