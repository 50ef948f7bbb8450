"""People-facing tables: labels, guide names, dates without times and hand-computed values."""

import datetime as dt

import pandas as pd
import pytest

from regiondash import metrics, tables
from tests import frames

AS_AT = dt.date(2026, 3, 10)
D = dt.date


def as_dates(table: pd.DataFrame) -> pd.DataFrame:
    """Date columns as datetime.date (None when missing), so rows compare as plain values."""
    out = table.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column].dt.date.astype(object)
            out[column] = values.where(out[column].notna(), None)
    return out


NA = pd.NA


phases_frame = frames.phases_frame


def migrations_frame(rows):
    return frames.migrations_frame(
        [
            {
                "migration_id": mid,
                "practice_name": name,
                "sub_icb_code": sub_icb,
                "icb_code": "QVV",
                "region_code": "Y58",
                "target_system": target,
                "source_system": "EMIS Web",
                "reported_status": status,
                "csu": "SCW",
            }
            for mid, name, sub_icb, target, status in rows
        ]
    )


IDS = [
    "A00001:EMIS Web>SystmOne",
    "A00002:EMIS Web>SystmOne",
    "A00003:EMIS Web>SystmOne",
    "A00004:EMIS Web>Vision",
]


@pytest.fixture(scope="module")
def overview():
    migrations = migrations_frame(
        [
            (IDS[0], "THE DENSHAM SURGERY", "11J", "SystmOne", None),
            (IDS[1], "abbey medical centre", "11J", "SystmOne", None),
            (IDS[2], "Castle Practice", "15N", "SystmOne", None),
            (IDS[3], "DOWNS SURGERY", "15N", "Vision", "Cancelled"),
        ]
    )
    phases = phases_frame(
        [
            # 1: live on 2 Mar as planned
            [IDS[0], "go_live", "2026-03-02", "2026-03-02", "2026-03-02", "2026-03-02"],
            [IDS[0], "post_go_live", "2026-03-02", "2026-03-13", "2026-03-02", None],
            # 2: in cut-over, planned to end 2 Mar: 8 days over
            [IDS[1], "cutover", "2026-02-20", "2026-03-02", "2026-02-20", None],
            [IDS[1], "go_live", "2026-03-03", "2026-03-03", None, None],
            # 3: not started; go live moved from 16 Mar to 30 Mar
            [IDS[2], "go_live", "2026-03-30", "2026-03-30", None, None],
            # 4: cancelled
            [IDS[3], "go_live", "2026-01-05", "2026-01-05", None, None],
        ]
    )
    history = pd.DataFrame(
        {
            "upload_id": [1, 2],
            "as_at": pd.to_datetime(["2026-01-05", "2026-02-02"]).astype("datetime64[us]"),
            "migration_id": [IDS[2], IDS[2]],
            "planned_start": pd.to_datetime(["2026-03-16", "2026-03-30"]).astype("datetime64[us]"),
        }
    )
    return metrics.migration_overview(migrations, phases, AS_AT, history)


def test_migration_table_known_table(overview):
    table = as_dates(tables.migration_table(overview))
    assert list(table.columns) == list(tables.MIGRATION_TABLE_COLUMNS.values())
    rows = table.set_index("ODS code")
    assert rows["Practice"].to_dict() == {
        "A00001": "The Densham Surgery",
        "A00002": "Abbey Medical Centre",
        "A00003": "Castle Practice",
        "A00004": "Downs Surgery",
    }
    assert rows["Status"].to_dict() == {
        "A00001": "Live",
        "A00002": "In progress",
        "A00003": "Planned",
        "A00004": "Cancelled",
    }
    assert rows["Current phase"].fillna("-").to_dict() == {
        "A00001": "Post go live (data re-entry)",
        "A00002": "Cut-over period (FDP to go live)",
        "A00003": "Not started",
        "A00004": "-",
    }
    assert rows["Go-live date"].to_dict() == {
        "A00001": D(2026, 3, 2),
        "A00002": D(2026, 3, 3),
        "A00003": D(2026, 3, 30),
        "A00004": D(2026, 1, 5),
    }
    assert all(type(v) is dt.date for v in rows["Go-live date"])  # no times
    assert rows.loc["A00003", "First planned go live"] == D(2026, 3, 16)
    assert rows.loc["A00003", "Go live moved (days)"] == 14
    assert rows.loc["A00002", "Days over plan"] == 8
    assert rows["Days late"].to_dict() == {"A00001": 0, "A00002": 8, "A00003": 14, "A00004": 0}
    assert rows.loc["A00001", "Sub-ICB"] == "11J"
    assert rows.loc["A00004", "To"] == "Vision"


def test_migration_table_chosen_columns(overview):
    table = as_dates(tables.migration_table(overview, ["ods_code", "status", "go_live_date"]))
    assert list(table.columns) == ["ODS code", "Status", "Go-live date"]
    assert table.to_dict("records")[1] == {
        "ODS code": "A00002",
        "Status": "In progress",
        "Go-live date": D(2026, 3, 3),
    }


def test_migration_table_keeps_a_status_it_has_no_label_for():
    frame = pd.DataFrame({"ods_code": ["A00001"], "status": ["archived"]})
    assert tables.migration_table(frame, ["ods_code", "status"])["Status"].tolist() == ["archived"]


def test_counts_frame():
    frame = tables.counts_frame({"11J": 3, "15N": 1}, "Sub-ICB", "Overrunning")
    assert frame.to_dict("records") == [
        {"Sub-ICB": "11J", "Overrunning": 3},
        {"Sub-ICB": "15N", "Overrunning": 1},
    ]


def test_phase_detail_known_table():
    phases = phases_frame(
        [
            # listed out of order: the table follows the guide's order
            ["M1", "go_live", "2026-04-01", "2026-04-01", None, None],
            ["M1", "data_checking", "2026-02-01", "2026-02-20", "2026-02-01", "2026-02-25"],
            ["M1", "cutover", "2026-03-01", "2026-03-05", "2026-03-02", None],
            ["M1", "cutover_planning", "2026-02-21", "2026-03-01", "2026-02-21", "2026-03-01"],
        ]
    )
    detail = as_dates(tables.phase_detail(metrics.phase_status(phases, AS_AT)))
    assert list(detail.columns) == [
        "Phase",
        "Planned start",
        "Planned end",
        "Actual start",
        "Actual end",
        "Planned days",
        "Actual days",
        "Variance (days)",
        "Overrun",
        "Over the guide",
        "Guide's maximum (days)",
    ]
    records = detail.astype(object).where(detail.notna(), None).to_dict("records")
    assert records == [
        {
            "Phase": "Data checking",
            "Planned start": D(2026, 2, 1),
            "Planned end": D(2026, 2, 20),
            "Actual start": D(2026, 2, 1),
            "Actual end": D(2026, 2, 25),
            "Planned days": 20,
            "Actual days": 25,
            "Variance (days)": 5,
            "Overrun": "Yes",
            "Over the guide": "Yes",
            "Guide's maximum (days)": 21,
        },
        {
            "Phase": "Cut-over planning and preparation",
            "Planned start": D(2026, 2, 21),
            "Planned end": D(2026, 3, 1),
            "Actual start": D(2026, 2, 21),
            "Actual end": D(2026, 3, 1),
            "Planned days": 9,
            "Actual days": 9,
            "Variance (days)": 0,
            "Overrun": "",
            "Over the guide": "",
            "Guide's maximum (days)": None,
        },
        # still running as at 10 Mar: 9 days so far, 5 days past its planned end
        {
            "Phase": "Cut-over period (FDP to go live)",
            "Planned start": D(2026, 3, 1),
            "Planned end": D(2026, 3, 5),
            "Actual start": D(2026, 3, 2),
            "Actual end": None,
            "Planned days": 5,
            "Actual days": 9,
            "Variance (days)": None,
            "Overrun": "Yes",
            "Over the guide": "",
            "Guide's maximum (days)": 14,
        },
        {
            "Phase": "Go live",
            "Planned start": D(2026, 4, 1),
            "Planned end": D(2026, 4, 1),
            "Actual start": None,
            "Actual end": None,
            "Planned days": 1,
            "Actual days": None,
            "Variance (days)": None,
            "Overrun": "",
            "Over the guide": "",
            "Guide's maximum (days)": 1,
        },
    ]


def history_frame(rows):
    """Go-live versions as store.phase_history gives them: (upload_id, as_at, migration_id,
    planned_start, actual_start, uploads holding it)."""
    names = ["upload_id", "as_at", "migration_id", "planned_start", "actual_start", "uploads"]
    frame = pd.DataFrame([list(r) + [1] * (6 - len(r)) for r in rows], columns=names)
    for column in ("as_at", "planned_start", "actual_start"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame.astype({"migration_id": "string", "uploads": "int64"})


def test_go_live_across_uploads_known_table():
    history = history_frame(
        [
            # listed out of order, with another migration mixed in; uploads 2 and 3 held the
            # same go live, one version
            [4, "2026-04-06", "M1", "2026-03-23", "2026-03-24"],
            [1, "2026-01-05", "M1", "2026-03-16", None],
            [2, "2026-02-02", "M1", "2026-03-30", None, 2],
            [2, "2026-02-02", "M2", "2026-05-01", None],
        ]
    )
    table = as_dates(tables.go_live_across_uploads(history, "M1"))
    assert list(table.columns) == [
        "Upload",
        "Upload as at",
        "Planned go live",
        "Actual go live",
        "Uploads holding it",
        "Moved (days)",
    ]
    records = table.astype(object).where(table.notna(), None).values.tolist()
    assert records == [
        [1, D(2026, 1, 5), D(2026, 3, 16), None, 1, None],
        [2, D(2026, 2, 2), D(2026, 3, 30), None, 2, 14],
        [4, D(2026, 4, 6), D(2026, 3, 23), D(2026, 3, 24), 1, -7],
    ]


def test_go_live_across_uploads_of_an_unknown_migration_is_empty():
    history = history_frame([[1, "2026-01-05", "M1", "2026-03-16", None]])
    assert tables.go_live_across_uploads(history, "M9").empty
