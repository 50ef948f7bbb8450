"""Which tracker an upload replaces, and practices two trackers move in opposite directions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from regiondash import store
from regiondash.importing import (
    BY_FILE_NAME,
    BY_PRACTICES,
    EXPLICIT,
    NEW_TRACKER,
    choose_tracker,
    import_tracker,
    tracker_name,
)
from regiondash.reference import load_reference


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.mark.parametrize(
    ("file_name", "name"),
    [
        ("SW tracker 2026-11-20.xlsx", "SW tracker"),
        ("Copy of SW tracker v3 (1).xlsx", "SW tracker"),
        ("SW tracker - Copy.xlsx", "SW tracker -"),
        ("SW_tracker_20.11.2026_FINAL.xlsx", "SW tracker"),
        ("WY migrations 3rd Nov 2026.xlsx", "WY migrations"),
        ("WY migrations November 2026 draft.xlsx", "WY migrations"),
        ("WY migrations wk 48.xlsx", "WY migrations"),
        ("2026-11-20.xlsx", "2026-11-20"),
    ],
)
def test_the_tracker_name_leaves_out_dates_versions_and_copies(file_name, name):
    assert tracker_name(file_name) == name


def known(*rows: tuple[str, str, str | None]) -> pd.DataFrame:
    """tracker_practices rows: (tracker, ods_code, csu)."""
    return pd.DataFrame(rows, columns=["tracker", "ods_code", "csu"], dtype="string")


def migrations(*codes: str, csu: str | None = None) -> pd.DataFrame:
    return pd.DataFrame({"ods_code": list(codes), "csu": [csu] * len(codes)}, dtype="string")


SW = known(*[("SW tracker", f"L8100{i}", "SCW") for i in range(1, 9)], ("WY", "B86001", "NECS"))


@pytest.mark.parametrize(
    ("file_name", "rows", "explicit", "expected"),
    [
        # named by the user: always that
        ("anything.xlsx", migrations("X00001"), "  SW   tracker ", ("SW tracker", EXPLICIT)),
        # the same file name once dates and copies are left out, whatever the case
        (
            "copy of sw TRACKER 2026-12-01.xlsx",
            migrations("X00001"),
            None,
            ("SW tracker", BY_FILE_NAME),
        ),
        # a new name, but half its practices are the SW tracker's: it replaces it
        (
            "south west.xlsx",
            migrations("L81001", "L81002", "Z99998", "Z99999"),
            None,
            ("SW tracker", BY_PRACTICES),
        ),
        # less than half: a new tracker
        (
            "south west.xlsx",
            migrations("L81001", "Z99997", "Z99998", "Z99999"),
            None,
            ("south west", NEW_TRACKER),
        ),
        # the same practices under another CSU are not that CSU's tracker
        (
            "south west.xlsx",
            migrations("L81001", "L81002", csu="Arden and GEM"),
            None,
            ("south west", NEW_TRACKER),
        ),
        # a file that names no CSU: the practices alone decide
        ("south west.xlsx", migrations("L81001", "L81002"), None, ("SW tracker", BY_PRACTICES)),
    ],
)
def test_an_upload_replaces_the_tracker_named_then_by_file_name_then_by_practices(
    file_name, rows, explicit, expected
):
    choice = choose_tracker(file_name, rows, SW, explicit)
    assert (choice.name, choice.matched_by) == expected


def csv_tracker(*rows: tuple[str, str, str, str]) -> bytes:
    """A CSV tracker: (ODS code, current system, new system, status) per row."""
    lines = ["Practice Code,Current system,New system,Go Live,Status"]
    lines += [f"{ods},{old},{new},01/12/2026,{status}" for ods, old, new, status in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_practice_another_tracker_moves_the_other_way_is_a_warning(sqlite_url, reference):
    engine = store.connect(sqlite_url)
    common = {
        "uploaded_by": "test",
        "uploaded_at": dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        "as_at": dt.date(2026, 11, 20),
    }
    first = import_tracker(
        engine,
        csv_tracker(
            ("L81001", "SystmOne", "EMIS Web", "Planned"),
            ("L81002", "SystmOne", "EMIS Web", "Planned"),
        ),
        "south.csv",
        reference,
        **common,
    )
    second = import_tracker(
        engine,
        csv_tracker(
            ("L81001", "EMIS Web", "SystmOne", "Planned"),
            ("L81003", "EMIS Web", "SystmOne", "Cancelled"),
            ("L81004", "EMIS Web", "SystmOne", "Planned"),
        ),
        "north.csv",
        reference,
        **common,
    )

    assert first.status == second.status == "stored"
    assert second.tracker.matched_by == NEW_TRACKER  # one of three practices is south's
    clashes = [w for w in second.as_json()["warnings"] if "also has a migration" in w["message"]]
    assert clashes == [
        {
            "sheet": "north",
            "row": 2,
            "column": "Practice Code",
            "value": "L81001",
            "message": 'L81001 also has a migration SystmOne → EMIS Web in tracker "south" (as '
            "at 20/11/2026); a practice cannot make both moves, so one of the trackers needs "
            "correcting",
        }
    ]
    assert store.upload_problems(engine, second.upload_id)["value"].tolist()[-1] == "L81001"
    engine.dispose()


def test_an_identical_reupload_with_a_newer_as_at_says_the_date_was_not_recorded(
    sqlite_url, reference
):
    engine = store.connect(sqlite_url)
    content = csv_tracker(("L81001", "SystmOne", "EMIS Web", "Planned"))
    at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)

    def upload(as_at):
        return import_tracker(
            engine, content, "south.csv", reference, uploaded_by="t", uploaded_at=at, as_at=as_at
        )

    first = upload(dt.date(2026, 11, 20))
    same = upload(dt.date(2026, 11, 20))
    newer = upload(dt.date(2026, 11, 27))
    assert first.status == "stored"
    assert (same.status, newer.status) == ("unchanged", "unchanged")
    n = first.upload_id
    assert (
        same.message == f"south.csv is identical to upload {n} (as at 20/11/2026); nothing stored"
    )
    assert newer.as_json()["message"] == (
        f"south.csv is identical to upload {n} (as at 20/11/2026); nothing stored — the as-at "
        "date you gave, 27/11/2026, was not recorded. Change the file (e.g. its 'Last updated' "
        "line) to record a new as-at"
    )
    uploads = store.list_uploads(engine)
    assert len(uploads) == 1  # uploads are immutable: the stored one keeps its own date
    assert pd.Timestamp(uploads.iloc[0]["as_at"]).date() == dt.date(2026, 11, 20)


def test_an_upload_is_prepared_then_committed_and_its_hand_mapping_remembered(
    sqlite_url, reference
):
    # uploading: prepare reads and checks, says which tracker it replaces and whether it is
    # stored already, and stores nothing; commit stores it and remembers the hand mapping.
    from regiondash import uploading

    engine = store.connect(sqlite_url)
    content = csv_tracker(("L81001", "SystmOne", "EMIS Web", "Planned")).replace(
        b"Practice Code", b"Surgery ID", 1
    )
    hand = {"Surgery ID": "ods_code"}
    prepared = uploading.prepare_file(
        engine,
        content,
        "south 2026-11-20.csv",
        reference,
        mapping=hand,
        as_at=dt.date(2026, 11, 20),
    )
    assert (prepared.signature, prepared.mapping, prepared.identical_to) == ("south", hand, None)
    assert prepared.tracker == uploading.TrackerChoice("south", NEW_TRACKER, is_new=True)
    assert store.list_uploads(engine).empty  # nothing stored yet
    at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    outcome = uploading.commit(engine, prepared, uploaded_by="t", uploaded_at=at)
    assert outcome.status == uploading.STORED
    assert store.saved_header_mapping(engine, "south") == hand

    again = uploading.prepare_file(
        engine, content, "south 2026-11-27.csv", reference, as_at=dt.date(2026, 11, 27)
    )
    assert again.mapping == hand  # remembered for the tracker's next upload
    assert again.identical_to == outcome.upload_id
    assert again.tracker.matched_by == BY_FILE_NAME
    assert uploading.commit(engine, again, uploaded_by="t", uploaded_at=at).status == "unchanged"
    engine.dispose()
