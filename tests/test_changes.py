"""Go-live slippage across uploads and upload-to-upload changes, against hand-worked tables."""

import datetime as dt
import json

import pandas as pd

from regiondash import changes
from tests import frames

T = pd.Timestamp
NAT = pd.NaT
A, B, C, D = (f"A0000{n}:EMIS Web>SystmOne" for n in range(1, 5))


def history_frame(rows):
    """Rows of (upload_id, as_at, migration_id, planned_start, actual_start[, uploads]): each a
    version of the go-live row, first recorded in that upload and held by `uploads` uploads
    (1 unless given), as store.phase_history returns them."""
    names = ["upload_id", "as_at", "migration_id", "planned_start", "actual_start", "uploads"]
    frame = pd.DataFrame([list(r) + [1] * (6 - len(r)) for r in rows], columns=names)
    frame["uploaded_at"] = pd.to_datetime(frame["as_at"]).dt.tz_localize("UTC")
    frame["planned_end"] = frame["planned_start"]
    frame["actual_end"] = frame["actual_start"]
    for column in ("as_at", "planned_start", "planned_end", "actual_start", "actual_end"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    frame = frame.astype({"upload_id": "int64", "migration_id": "string", "uploads": "int64"})
    columns = [
        "upload_id",
        "as_at",
        "uploaded_at",
        "migration_id",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "uploads",
    ]
    return frame[columns]


# Four uploads, as at 1 Sep, 1 Oct, 1 Nov 2025 and 5 Jan 2026.
HISTORY = history_frame(
    [
        # A: 18 Nov -> 2 Dec -> 15 Dec -> 29 Dec: 3 moves, +41 days; live on 29 Dec (upload 4)
        [1, "2025-09-01", A, "2025-11-18", None],
        [2, "2025-10-01", A, "2025-12-02", None],
        [3, "2025-11-01", A, "2025-12-15", None],
        [4, "2026-01-05", A, "2025-12-29", "2025-12-29"],
        # B: never moves
        [1, "2025-09-01", B, "2026-01-12", None],
        [2, "2025-10-01", B, "2026-01-12", None],
        [3, "2025-11-01", B, "2026-01-12", None],
        [4, "2026-01-05", B, "2026-01-12", None],
        # C: only in upload 2
        [2, "2025-10-01", C, "2026-02-02", None],
        # D: 2 Mar, (missing), 2 Mar, 16 Mar: the gap is not a move, so 1 move, +14 days
        [1, "2025-09-01", D, "2026-03-02", None],
        [2, "2025-10-01", D, None, None],
        [3, "2025-11-01", D, "2026-03-02", None],
        [4, "2026-01-05", D, "2026-03-16", None],
    ]
)


def records(frame):
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in frame.itertuples(index=False, name=None)
    ]


def test_go_live_slippage_across_all_uploads():
    table = changes.go_live_slippage(HISTORY)
    assert list(table.columns) == changes.SLIPPAGE_COLUMNS
    # sorted by size of move, largest first, then migration_id
    assert records(table) == [
        (A, 4, T("2025-11-18"), T("2025-12-29"), 3, 41, T("2025-12-29")),
        (D, 4, T("2026-03-02"), T("2026-03-16"), 1, 14, None),
        (B, 4, T("2026-01-12"), T("2026-01-12"), 0, 0, None),
        (C, 1, T("2026-02-02"), T("2026-02-02"), 0, 0, None),
    ]
    assert str(table["days_moved"].dtype) == "Int64"
    assert str(table["first_planned"].dtype) == "datetime64[us]"


def test_go_live_slippage_is_the_same_from_versions_held_by_several_uploads():
    # HISTORY as the store keeps it: a row only where the go live changed (or reappeared),
    # with how many uploads held it. B is one version held by all four uploads.
    versions = history_frame(
        [
            [1, "2025-09-01", A, "2025-11-18", None],
            [2, "2025-10-01", A, "2025-12-02", None],
            [3, "2025-11-01", A, "2025-12-15", None],
            [4, "2026-01-05", A, "2025-12-29", "2025-12-29"],
            [1, "2025-09-01", B, "2026-01-12", None, 4],
            [2, "2025-10-01", C, "2026-02-02", None],
            [1, "2025-09-01", D, "2026-03-02", None],
            [2, "2025-10-01", D, None, None],
            [3, "2025-11-01", D, "2026-03-02", None],
            [4, "2026-01-05", D, "2026-03-16", None],
        ]
    )
    pd.testing.assert_frame_equal(
        changes.go_live_slippage(versions), changes.go_live_slippage(HISTORY)
    )


def test_go_live_slippage_respects_the_as_at_cut_off():
    # As at 31 Dec 2025 upload 4 (as at 5 Jan) has not been made: A has moved twice, +27 days,
    # and is not live yet.
    table = changes.go_live_slippage(HISTORY, dt.date(2025, 12, 31))
    assert records(table) == [
        (A, 3, T("2025-11-18"), T("2025-12-15"), 2, 27, None),
        (B, 3, T("2026-01-12"), T("2026-01-12"), 0, 0, None),
        (C, 1, T("2026-02-02"), T("2026-02-02"), 0, 0, None),
        (D, 3, T("2026-03-02"), T("2026-03-02"), 0, 0, None),
    ]


def test_go_live_slippage_ignores_actuals_after_the_as_at_date():
    # An upload as at 1 Nov that (wrongly) already records a go live on 15 Dec.
    history = history_frame([[1, "2025-11-01", A, "2025-12-15", "2025-12-15"]])
    assert changes.go_live_slippage(history, dt.date(2025, 11, 30))["actual"].isna().all()
    assert changes.go_live_slippage(history)["actual"].iloc[0] == T("2025-12-15")


def test_go_live_slippage_with_no_history():
    empty = HISTORY.iloc[0:0]
    for table in (
        changes.go_live_slippage(empty),
        changes.go_live_slippage(HISTORY, dt.date(2025, 1, 1)),
    ):
        assert table.empty
        assert list(table.columns) == changes.SLIPPAGE_COLUMNS


# ---- compare_uploads -------------------------------------------------------------------------

BEFORE_AS_AT = dt.date(2026, 2, 1)
AFTER_AS_AT = dt.date(2026, 3, 1)
M1, M2, M3, M4, M5 = (f"A0000{n}:EMIS Web>SystmOne" for n in range(1, 6))


def migrations_frame(rows):
    return frames.migrations_frame(
        [
            {
                "migration_id": mid,
                "practice_name": name,
                "source_system": "EMIS Web",
                "target_system": "SystmOne",
            }
            for mid, name in rows
        ]
    )


phases_frame = frames.phases_frame


BEFORE_MIGRATIONS = migrations_frame(
    [(M1, "Ash Surgery"), (M2, "Beech Surgery"), (M3, "Cedar Surgery"), (M4, "Dale Surgery")]
)
AFTER_MIGRATIONS = migrations_frame(
    [(M1, "Ash Surgery"), (M2, "Beech Surgery"), (M3, "Cedar Surgery"), (M5, "Elm Surgery")]
)
BEFORE_PHASES = phases_frame(
    [
        # M1: nothing started (planned); go live planned 16 Mar
        [M1, "go_live", "2026-03-16", "2026-03-16", None, None],
        # M2: kicked off (in progress); IDP "actual" 5 Feb is after the as-at date, so not done yet
        [M2, "kickoff", "2026-01-10", "2026-01-10", "2026-01-10", "2026-01-10"],
        [M2, "initial_data_production", "2026-02-05", "2026-02-05", "2026-02-05", "2026-02-05"],
        [M2, "data_checking", "2026-02-05", "2026-02-20", None, None],
        [M2, "go_live", "2026-04-13", "2026-04-13", None, None],
        # M3: in cut-over (in progress), go live planned 16 Feb
        [M3, "kickoff", "2025-12-01", "2025-12-01", "2025-12-01", "2025-12-01"],
        [M3, "cutover", "2026-01-25", "2026-02-16", "2026-01-25", None],
        [M3, "go_live", "2026-02-16", "2026-02-16", None, None],
        # M4: dropped from the later upload
        [M4, "go_live", "2026-05-04", "2026-05-04", None, None],
    ]
)
AFTER_PHASES = phases_frame(
    [
        # M1: registered (in progress); go live re-planned 16 -> 30 Mar: +14 days
        [M1, "procurement", "2026-02-10", "2026-02-24", "2026-02-10", None],
        [M1, "go_live", "2026-03-30", "2026-03-30", None, None],
        # M2: IDP done 5 Feb and data checking done 24 Feb; sign-off "done" 5 Mar is after as-at
        [M2, "kickoff", "2026-01-10", "2026-01-10", "2026-01-10", "2026-01-10"],
        [M2, "initial_data_production", "2026-02-05", "2026-02-05", "2026-02-05", "2026-02-05"],
        [M2, "data_checking", "2026-02-05", "2026-02-20", "2026-02-05", "2026-02-24"],
        [M2, "data_recheck_signoff", "2026-02-25", "2026-03-05", "2026-02-25", "2026-03-05"],
        [M2, "go_live", "2026-04-13", "2026-04-13", None, None],
        # M3: went live on 16 Feb as planned: the go-live date did not move
        [M3, "kickoff", "2025-12-01", "2025-12-01", "2025-12-01", "2025-12-01"],
        [M3, "cutover", "2026-01-25", "2026-02-16", "2026-01-25", "2026-02-16"],
        [M3, "go_live", "2026-02-16", "2026-02-16", "2026-02-16", "2026-02-16"],
        # M5: new in this upload
        [M5, "go_live", "2026-06-01", "2026-06-01", None, None],
    ]
)


def compare(same_tracker=True):
    return changes.compare_uploads(
        BEFORE_MIGRATIONS,
        BEFORE_PHASES,
        BEFORE_AS_AT,
        AFTER_MIGRATIONS,
        AFTER_PHASES,
        AFTER_AS_AT,
        same_tracker=same_tracker,
    )


def test_compare_uploads_known_changes():
    result = compare()
    assert result == {
        "added": [{"migration_id": M5, "ods_code": "A00005", "practice_name": "Elm Surgery"}],
        "removed": [
            {
                "migration_id": M4,
                "ods_code": "A00004",
                "practice_name": "Dale Surgery",
                "left_on": "2026-03-01",
            }
        ],
        "go_live_moved": [
            {
                "migration_id": M1,
                "ods_code": "A00001",
                "from": "2026-03-16",
                "to": "2026-03-30",
                "days": 14,
            },
        ],
        "phases_completed": [
            {
                "migration_id": M2,
                "ods_code": "A00002",
                "phase": "initial_data_production",
                "date": "2026-02-05",
            },
            {
                "migration_id": M2,
                "ods_code": "A00002",
                "phase": "data_checking",
                "date": "2026-02-24",
            },
            {"migration_id": M3, "ods_code": "A00003", "phase": "cutover", "date": "2026-02-16"},
            {"migration_id": M3, "ods_code": "A00003", "phase": "go_live", "date": "2026-02-16"},
        ],
        "status_changed": [
            {"migration_id": M1, "ods_code": "A00001", "from": "planned", "to": "in_progress"},
            {"migration_id": M3, "ods_code": "A00003", "from": "in_progress", "to": "live"},
        ],
    }


def test_compare_uploads_is_json_ready():
    result = compare()
    assert json.loads(json.dumps(result)) == result
    for items in result.values():
        for item in items:
            assert all(type(v) in (str, int) for v in item.values()), item


def test_compare_uploads_of_different_trackers_removes_nothing():
    other, same = compare(same_tracker=False), compare()
    assert other["removed"] == []
    assert {k: v for k, v in other.items() if k != "removed"} == {
        k: v for k, v in same.items() if k != "removed"
    }


def test_compare_uploads_sorts_by_ods_code_then_migration_id():
    # Two migrations of one practice and one of an earlier practice, all new.
    after = migrations_frame(
        [
            ("B00002:Vision>EMIS Web", "Fir"),
            ("B00001:EMIS Web>Vision", "Gorse"),
            ("A00009:EMIS Web>Vision", "Holly"),
        ]
    )
    after.loc[0, "ods_code"] = "B00001"  # both B rows are the same practice
    result = changes.compare_uploads(
        BEFORE_MIGRATIONS.iloc[0:0],
        BEFORE_PHASES.iloc[0:0],
        BEFORE_AS_AT,
        after,
        AFTER_PHASES.iloc[0:0],
        AFTER_AS_AT,
    )
    assert [item["migration_id"] for item in result["added"]] == [
        "A00009:EMIS Web>Vision",
        "B00001:EMIS Web>Vision",
        "B00002:Vision>EMIS Web",
    ]


def test_left_the_picture_keeps_those_not_in_it_through_another_tracker_newest_first():
    departed = pd.DataFrame(
        {
            "migration_id": pd.Series(["B", "C", "E", "E"], dtype="string"),
            "ods_code": pd.Series(["B00001", "C00001", "E00001", "E00001"], dtype="string"),
            "tracker": pd.Series(["T", "T", "T", "U"], dtype="string"),
            "last_seen": pd.to_datetime(["2026-10-01", "2026-11-01", "2026-09-01", "2026-10-01"]),
            "left_on": pd.to_datetime(["2026-11-01", "2026-12-01", "2026-10-01", "2026-11-01"]),
        }
    )

    left = changes.left_the_picture(departed, pd.Index(["A", "B"]))

    # B is in the picture through another tracker; E left two trackers and is listed once, as
    # it last left.
    assert left[["migration_id", "tracker", "left_on"]].values.tolist() == [
        ["C", "T", pd.Timestamp("2026-12-01")],
        ["E", "U", pd.Timestamp("2026-11-01")],
    ]
    assert changes.left_the_picture(departed.iloc[0:0], pd.Index([])).empty
