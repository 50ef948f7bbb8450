"""Project-plan exports (MS Project "Export to Excel", Smartsheet) read as long trackers: real
shaped workbooks built here, imported into SQLite, stored phase rows and summary figures checked
against hand working."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Alignment

from regiondash import store
from regiondash.cli import main
from regiondash.importing import import_tracker
from regiondash.ingest import parse_tracker, worker
from regiondash.ingest.plan_export import parent_identity
from regiondash.reference import load_reference

AS_AT = dt.date(2026, 2, 10)  # a Tuesday
D = dt.datetime
NA = "NA"  # what MS Project writes in an empty baseline cell


@pytest.fixture(scope="module")
def reference():
    return load_reference()


def _xlsx(header, rows, *, levels=None, indents=None, title="Sheet1") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for offset, row in enumerate(rows):
        sheet.append(list(row))
        number = offset + 2
        if levels is not None and levels[offset]:
            sheet.row_dimensions[number].outline_level = levels[offset]
        if indents is not None and indents[offset]:
            sheet.cell(number, header.index("Name") + 1).alignment = Alignment(
                indent=indents[offset]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(tmp_path, content, name, reference, accept=False):
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    engine = store.connect(url)
    outcome = import_tracker(
        engine,
        content,
        name,
        reference,
        uploaded_by="csu.lead",
        uploaded_at=dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC),
        as_at=AS_AT,
        accept_valid_rows=accept,
    )
    return url, engine, outcome


def _stored_phases(engine) -> list[tuple]:
    migrations, phases = store.current_picture(engine)
    ods = migrations.set_index("migration_id")["ods_code"]
    rows = []
    for r in phases.itertuples():
        dates = [
            None if pd.isna(v) else pd.Timestamp(v).date()
            for v in (r.planned_start, r.planned_end, r.actual_start, r.actual_end)
        ]
        rows.append((ods[r.migration_id], r.phase, *dates))
    return sorted(rows, key=lambda t: (t[0], min(d for d in t[2:] if d)))


def d(month, day, year=2026):
    return dt.date(year, month, day)


# --------------------------------------------------------------------------------------------
# MS Project "Export to Excel": Excel row grouping, Baseline Start/Finish, times of day,
# % Complete as whole percentages, "NA" for no baseline. Three practices under a project summary.

MSP_HEADER = [
    "ID",
    "Task Name",
    "Duration",
    "Start",
    "Finish",
    "% Complete",
    "Baseline Start",
    "Baseline Finish",
    "Predecessors",
    "Resource Names",
]
MSP_ROWS = [  # (outline level, row)                                            Excel row
    (
        0,
        [
            0,
            "Wave 3 GP migrations",
            "120 days",
            D(2025, 12, 1, 8),
            D(2026, 4, 13, 17),
            35,
            NA,
            NA,
            "",
            "",
        ],
    ),  # 2: project summary: no ODS code, holds the practices
    (
        1,
        [
            1,
            "P81002 Lancaster Medical Practice (EMIS Web to SystmOne)",
            "40 days",
            D(2026, 1, 5, 8),
            D(2026, 3, 2, 17),
            60,
            D(2026, 1, 5, 8),
            D(2026, 2, 23, 17),
            "",
            "",
        ],
    ),
    (
        2,
        [
            2,
            "Kickoff",
            "1 day",
            D(2026, 1, 5, 8),
            D(2026, 1, 5, 17),
            100,
            D(2026, 1, 5, 8),
            D(2026, 1, 5, 17),
            "",
            "CSU",
        ],
    ),  # 4
    (
        2,
        [
            3,
            "Send welcome pack",
            "1 day",
            D(2026, 1, 6, 8),
            D(2026, 1, 6, 17),
            100,
            NA,
            NA,
            "2",
            "",
        ],
    ),  # 5: not a guide phase
    (
        2,
        [
            4,
            "Initial data production (IDP)",
            "1 day",
            D(2026, 1, 19, 8),
            D(2026, 1, 19, 17),
            100,
            D(2026, 1, 12, 8),
            D(2026, 1, 12, 17),
            "",
            "",
        ],
    ),  # 6
    (
        2,
        [
            5,
            "Data checking",
            "14 days",
            D(2026, 1, 20, 8),
            D(2026, 2, 6, 17),
            100,
            D(2026, 1, 13, 8),
            D(2026, 1, 30, 17),
            "4",
            "",
        ],
    ),  # 7
    (
        2,
        [
            6,
            "Data recheck and sign off",
            "5 days",
            D(2026, 2, 9, 8),
            D(2026, 2, 13, 17),
            40,
            D(2026, 2, 2, 8),
            D(2026, 2, 6, 17),
            "5",
            "",
        ],
    ),  # 8
    (
        2,
        [
            7,
            "Go live",
            "0 days",
            D(2026, 3, 2, 8),
            D(2026, 3, 2, 8),
            0,
            D(2026, 2, 23, 8),
            D(2026, 2, 23, 8),
            "6",
            "",
        ],
    ),  # 9
    (
        1,
        [
            8,
            "St James' Medical Centre - P81003 - EMIS Web > SystmOne",
            "50 days",
            D(2026, 2, 2, 8),
            D(2026, 4, 13, 17),
            5,
            NA,
            NA,
            "",
            "",
        ],
    ),  # 10
    (
        2,
        [
            9,
            "Kickoff",
            "1 day",
            D(2026, 2, 2, 8),
            D(2026, 2, 2, 17),
            100,
            D(2026, 2, 2, 8),
            D(2026, 2, 2, 17),
            "",
            "",
        ],
    ),  # 11
    (
        2,
        [10, "Order smartcards", "1 day", D(2026, 2, 3, 8), D(2026, 2, 3, 17), 0, NA, NA, "", ""],
    ),  # 12: not a guide phase
    (
        2,
        [
            11,
            "Early preparation and planning",
            "8 days",
            D(2026, 2, 11, 8),
            D(2026, 2, 20, 17),
            10,
            NA,
            NA,
            "9",
            "",
        ],
    ),  # 13: 10% but starts after the as-at date
    (
        2,
        [
            12,
            "Go live",
            "0 days",
            D(2026, 4, 13, 8),
            D(2026, 4, 13, 8),
            0,
            D(2026, 4, 13, 8),
            D(2026, 4, 13, 8),
            "",
            "",
        ],
    ),  # 14
    (
        1,
        [
            13,
            "Honiton Surgery L83002 from SystmOne to EMIS Web",
            "55 days",
            D(2025, 12, 1, 8),
            D(2026, 2, 13, 17),
            90,
            NA,
            NA,
            "",
            "",
        ],
    ),  # 15
    (
        2,
        [
            14,
            "Kickoff",
            "1 day",
            D(2025, 12, 1, 8),
            D(2025, 12, 1, 17),
            100,
            D(2025, 12, 1, 8),
            D(2025, 12, 1, 17),
            "",
            "",
        ],
    ),  # 16
    (
        2,
        [
            15,
            "Data checking",
            "5 days",
            D(2026, 1, 5, 8),
            D(2026, 1, 9, 17),
            100,
            D(2026, 1, 5, 8),
            D(2026, 1, 16, 17),
            "",
            "",
        ],
    ),  # 17
    (
        2,
        [
            16,
            "Final data production (FDP)",
            "1 day",
            D(2026, 1, 26, 8),
            D(2026, 1, 26, 17),
            100,
            D(2026, 1, 26, 8),
            D(2026, 1, 26, 17),
            "",
            "",
        ],
    ),  # 18
    (
        2,
        [
            17,
            "Go live",
            "0 days",
            D(2026, 2, 2, 8),
            D(2026, 2, 2, 8),
            100,
            D(2026, 1, 29, 8),
            D(2026, 1, 29, 8),
            "",
            "",
        ],
    ),  # 19
    (
        2,
        [
            18,
            "Post go live (data re-entry)",
            "9 days",
            D(2026, 2, 3, 8),
            D(2026, 2, 13, 17),
            60,
            D(2026, 1, 30, 8),
            D(2026, 2, 12, 17),
            "",
            "",
        ],
    ),  # 20
    (
        2,
        [
            19,
            "Train reception staff",
            "1 day",
            D(2026, 2, 4, 8),
            D(2026, 2, 4, 17),
            0,
            NA,
            NA,
            "",
            "",
        ],
    ),  # 21: not a guide phase
]

# Hand working, as at Tue 10 Feb 2026. Plan = Baseline Start/Finish, else (NA) Start/Finish.
# % Complete holds numbers above 1, so it is whole percentages. 100 -> actual start = Start,
# actual end = Finish; 0 < % < 100 -> actual start = Start if on or before 10 Feb, no end;
# 0 -> no actuals. Times of day are dropped.
#   P81002 kickoff   plan 05/01-05/01  100%  actual 05/01-05/01
#          IDP       plan 12/01-12/01  100%  actual 19/01-19/01
#          data chk  plan 13/01-30/01  100%  actual 20/01-06/02
#          recheck   plan 02/02-06/02   40%  actual 09/02 (<= 10/02), no end
#          go live   plan 23/02-23/02    0%  none
#   P81003 kickoff   plan 02/02-02/02  100%  actual 02/02-02/02
#          early prep  NA baseline -> plan 11/02-20/02; 10% but 11/02 > 10/02: no actual start
#          go live   plan 13/04-13/04    0%  none
#   L83002 kickoff   plan 01/12/25-01/12/25 100% actual the same
#          data chk  plan 05/01-16/01  100%  actual 05/01-09/01
#          FDP       plan 26/01-26/01  100%  actual 26/01-26/01
#          go live   plan 29/01-29/01  100%  actual 02/02-02/02
#          post go live plan 30/01-12/02 60% actual 03/02, no end
MSP_EXPECTED = [
    ("L83002", "kickoff", d(12, 1, 2025), d(12, 1, 2025), d(12, 1, 2025), d(12, 1, 2025)),
    ("L83002", "data_checking", d(1, 5), d(1, 16), d(1, 5), d(1, 9)),
    ("L83002", "final_data_production", d(1, 26), d(1, 26), d(1, 26), d(1, 26)),
    ("L83002", "go_live", d(1, 29), d(1, 29), d(2, 2), d(2, 2)),
    ("L83002", "post_go_live", d(1, 30), d(2, 12), d(2, 3), None),
    ("P81002", "kickoff", d(1, 5), d(1, 5), d(1, 5), d(1, 5)),
    ("P81002", "initial_data_production", d(1, 12), d(1, 12), d(1, 19), d(1, 19)),
    ("P81002", "data_checking", d(1, 13), d(1, 30), d(1, 20), d(2, 6)),
    ("P81002", "data_recheck_signoff", d(2, 2), d(2, 6), d(2, 9), None),
    ("P81002", "go_live", d(2, 23), d(2, 23), None, None),
    ("P81003", "kickoff", d(2, 2), d(2, 2), d(2, 2), d(2, 2)),
    ("P81003", "early_preparation", d(2, 11), d(2, 20), None, None),
    ("P81003", "go_live", d(4, 13), d(4, 13), None, None),
]

# Summary, as at 10/02/2026 (one upload, so the first planned go live is this plan's):
#   statuses: P81002 in progress (phases started, not live); P81003 in progress (kickoff done);
#             L83002 live (go live has an actual start).
#   overrunning: P81002 yes: IDP ended 19/01 > plan 12/01, data checking 06/02 > 30/01,
#                recheck unfinished and its plan ended 06/02 < 10/02.
#                P81003 no: early prep plan ends 20/02, not yet past; nothing finished late.
#                L83002 yes: go live ended 02/02 > plan 29/01 (and went live 4 days after its
#                first planned go live); data checking finished early; post go live plan ends
#                12/02, not yet past.
#   go-live dates: P81002 23/02 (plan, W09), P81003 13/04 (plan, W16), L83002 02/02 (actual, W06)
#   organisations from NHS England's mapping: P81002 01K/QE1/Y62, P81003 01A/QE1/Y62,
#   L83002 15N/QJK/Y58.
SUMMARY_EXPECTED = {
    "as_at": "2026-02-10",
    "migrations": 3,
    "migrations_by": {
        "region": {"Y62": 2, "Y58": 1},
        "icb": {"QE1": 2, "QJK": 1},
        "sub_icb": {"01A": 1, "01K": 1, "15N": 1},
        "target_system": {"SystmOne": 2, "EMIS Web": 1},
        "source_system": {"EMIS Web": 2, "SystmOne": 1},
        "status": {"planned": 0, "in_progress": 2, "live": 1, "on_hold": 0, "cancelled": 0},
    },
    "overrunning": 2,
    "overrunning_by": {
        "sub_icb": {"01K": 1, "15N": 1},
        "target_system": {"EMIS Web": 1, "SystmOne": 1},
        "phase": {
            "procurement": 0,
            "kickoff": 0,
            "technical_survey": 0,
            "early_preparation": 0,
            "initial_data_production": 1,
            "data_checking": 1,
            "data_recheck_signoff": 1,
            "cutover_planning": 0,
            "final_data_production": 0,
            "cutover": 0,
            "go_live": 1,
            "post_go_live": 0,
            "end_of_migration": 0,
        },
    },
    "go_lives_by_month": {"2026-02": 2, "2026-04": 1},
    "go_lives_by_week": {"2026-W06": 1, "2026-W09": 1, "2026-W16": 1},
}


def msp_plan() -> bytes:
    return _xlsx(
        MSP_HEADER, [r for _, r in MSP_ROWS], levels=[lv for lv, _ in MSP_ROWS], title="Task_Table"
    )


def test_ms_project_export_stores_the_hand_worked_phases_and_summary(tmp_path, reference, capsys):
    url, engine, outcome = _import(tmp_path, msp_plan(), "wave3 plan.xlsx", reference)
    result = outcome.as_json()
    assert outcome.status == "stored", result["errors"]
    assert result["errors"] == [] and result["warnings"] == []
    assert (result["migrations"], result["rows_read"], result["rows_set_aside"]) == (3, 20, 0)
    assert _stored_phases(engine) == MSP_EXPECTED
    migrations, _ = store.current_picture(engine)
    by_ods = migrations.set_index("ods_code")
    assert by_ods.loc["P81002", "practice_name"] == "Lancaster Medical Practice"
    assert by_ods.loc["P81003", "practice_name"] == "St James' Medical Centre"
    assert by_ods.loc["L83002", "practice_name"] == "Honiton Surgery"
    assert (by_ods.loc["L83002", "source_system"], by_ods.loc["L83002", "target_system"]) == (
        "SystmOne",
        "EMIS Web",
    )
    assert not by_ods["source_system_inferred"].any()
    # the migration's row is the practice's task row, as Excel numbers it
    assert by_ods["source_row"].to_dict() == {"P81002": 3, "P81003": 10, "L83002": 15}
    notes = result["notes"]
    assert "as a plan export tracker" in notes[0]
    assert "Columns not used: ID, Duration, Predecessors, Resource Names" in notes
    assert "Tasks grouped under their practice by Excel row grouping" in notes
    assert (
        "Row 2 ('Wave 3 GP migrations') names no ODS code and is above the practices: read as "
        "a project summary row and skipped"
    ) in notes
    assert (
        "3 task rows are not guide phases and were not used: 'Send welcome pack' (row 5), "
        "'Order smartcards' (row 12), 'Train reception staff' (row 21)"
    ) in notes
    assert (
        "1 phase in progress but starting after the as-at date: actual start left blank: "
        "'Early preparation and planning' (row 13)"
    ) in notes
    engine.dispose()

    capsys.readouterr()
    assert main(["summary", "--db", url, "--as-at", "2026-02-10", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in SUMMARY_EXPECTED} == SUMMARY_EXPECTED
    # risks and rag follow the risk rules (tests/test_risks.py); here only that the 2 migrations
    # still open are rated (the computed RAG leaves live ones out)
    assert sum(summary["rag"].values()) == 2


def test_outline_levels_come_through_both_readers(monkeypatch):
    levels = [0, *(lv for lv, _ in MSP_ROWS)]
    for fault in (None, "raise:calamine"):
        monkeypatch.setattr(worker, "_FAULT", fault)
        book = worker.read_spreadsheet(msp_plan(), "plan.xlsx")
        assert book.reader == ("calamine" if fault is None else "openpyxl")
        assert book.sheets[0].outline_levels == levels
        assert book.sheets[0].indents is None


# --------------------------------------------------------------------------------------------
# Smartsheet: hierarchy by leading spaces, Start Date/End Date, no baseline, % Complete as a
# fraction (1.0) and as text ("100%"), a Status column, Sub ICB and CSU columns on the parent.

SS_HEADER = [
    "Task Name",
    "Start Date",
    "End Date",
    "Duration",
    "% Complete",
    "Status",
    "Assigned To",
    "Predecessors",
    "Sub ICB",
    "CSU",
]
SS_ROWS = [
    [
        "Devon practice migrations 2026",
        d(1, 5),
        d(4, 20),
        "76d",
        0.3,
        "In Progress",
        None,
        None,
        None,
        None,
    ],  # 2: project summary
    [
        "    Queen's Medical Centre - L83003 - SystmOne > EMIS Web",
        d(1, 12),
        d(3, 9),
        "42d",
        0.45,
        "In Progress",
        "A. Lead",
        None,
        "15N",
        "South West CSU",
    ],  # 3
    [
        "        Kickoff",
        d(1, 12),
        d(1, 12),
        "1d",
        1.0,
        "Complete",
        "A. Lead",
        None,
        None,
        None,
    ],  # 4
    [
        "        Technical survey",
        d(1, 19),
        d(1, 19),
        "1d",
        "100%",
        None,
        None,
        "4",
        None,
        None,
    ],  # 5
    [
        "        Early preparation and planning",
        d(1, 20),
        d(1, 30),
        "9d",
        0.5,
        "In Progress",
        None,
        "5",
        None,
        None,
    ],  # 6
    [
        "        Book training room",
        d(1, 21),
        d(1, 21),
        "1d",
        1.0,
        "Complete",
        None,
        None,
        None,
        None,
    ],  # 7: not a guide phase
    [
        "        Initial data production (IDP)",
        d(2, 2),
        d(2, 2),
        "1d",
        "0%",
        "Not Started",
        None,
        "6",
        None,
        None,
    ],  # 8
    ["        Go live", d(3, 9), d(3, 9), "0", 0, "Not Started", None, None, None, None],  # 9
    [
        "    P81002 Lancaster Medical Practice (EMIS to S1)",
        d(1, 5),
        d(4, 20),
        "76d",
        0.1,
        None,
        None,
        None,
        None,
        "North West CSU",
    ],  # 10
    ["        Kickoff", d(1, 5), d(1, 5), "1d", 0, "Complete", None, None, None, None],  # 11
    ["        Go live", d(4, 20), d(4, 20), "0", None, None, None, None, None, None],  # 12
]
# Hand working, as at 10/02/2026. No baseline column: Start Date/End Date are the plan. The
# % numbers are at most 1, so they are fractions (1.0 = 100%); "100%" is text.
#   L83003 kickoff  1.0 (and Complete)     plan = actual 12/01-12/01
#          survey   "100%"                 plan = actual 19/01-19/01
#          early    0.5, In Progress       plan 20/01-30/01, actual start 20/01, no end
#          IDP      "0%", Not Started      plan 02/02-02/02, no actuals
#          go live  0, Not Started         plan 09/03-09/03, no actuals
#   P81002 kickoff  0 but status Complete  plan = actual 05/01-05/01
#          go live  blank                  plan 20/04-20/04, no actuals
SS_EXPECTED = [
    ("L83003", "kickoff", d(1, 12), d(1, 12), d(1, 12), d(1, 12)),
    ("L83003", "technical_survey", d(1, 19), d(1, 19), d(1, 19), d(1, 19)),
    ("L83003", "early_preparation", d(1, 20), d(1, 30), d(1, 20), None),
    ("L83003", "initial_data_production", d(2, 2), d(2, 2), None, None),
    ("L83003", "go_live", d(3, 9), d(3, 9), None, None),
    ("P81002", "kickoff", d(1, 5), d(1, 5), d(1, 5), d(1, 5)),
    ("P81002", "go_live", d(4, 20), d(4, 20), None, None),
]


def test_smartsheet_export_by_leading_spaces_without_a_baseline(tmp_path, reference):
    content = _xlsx(SS_HEADER, SS_ROWS, title="Devon plan")
    _, engine, outcome = _import(tmp_path, content, "devon.xlsx", reference)
    result = outcome.as_json()
    assert outcome.status == "stored", result["errors"]
    assert result["errors"] == [] and result["warnings"] == []
    assert _stored_phases(engine) == SS_EXPECTED
    migrations, _ = store.current_picture(engine)
    by_ods = migrations.set_index("ods_code")
    assert by_ods.loc[
        "L83003",
        [
            "practice_name",
            "source_system",
            "target_system",
            "csu",
            "sub_icb_code",
            "reported_status",
        ],
    ].tolist() == [
        "Queen's Medical Centre",
        "SystmOne",
        "EMIS Web",
        "South West CSU",
        "15N",
        "In Progress",
    ]
    assert by_ods.loc[
        "P81002", ["practice_name", "source_system", "target_system", "csu", "sub_icb_code"]
    ].tolist() == [
        "Lancaster Medical Practice",
        "EMIS Web",
        "SystmOne",
        "North West CSU",
        "01K",
    ]
    notes = result["notes"]
    assert "Tasks grouped under their practice by leading spaces in the task name" in notes
    assert "Columns not used: Duration, Assigned To, Predecessors" in notes
    assert "1 task row is not a guide phase and was not used: 'Book training room' (row 7)" in notes
    assert any(n.startswith("Row 2 ('Devon practice migrations 2026')") for n in notes)
    engine.dispose()


# --------------------------------------------------------------------------------------------
# A parent task with no ODS code (hierarchy by cell indent): an error naming its row, its tasks
# set aside with it; the upload is refused unless the valid rows are accepted.

NO_CODE_HEADER = ["Name", "Start", "Finish", "% Complete"]
NO_CODE_ROWS = [
    ["P81003 St James' Medical Centre (EMIS Web to SystmOne)", d(1, 5), d(3, 2), 0.2],  # 2
    ["Kickoff", d(1, 5), d(1, 5), 1.0],  # 3
    ["Go live", d(3, 2), d(3, 2), 0],  # 4
    ["Riverside Surgery (EMIS Web to Vision)", d(1, 12), d(3, 9), 0.1],  # 5
    ["Kickoff", d(1, 12), d(1, 12), 1.0],  # 6
    ["Go live", d(3, 9), d(3, 9), 0],  # 7
]
NO_CODE_INDENTS = [0, 1, 1, 0, 1, 1]


def test_parent_without_an_ods_code_is_an_error_and_its_phases_set_aside(tmp_path, reference):
    content = _xlsx(NO_CODE_HEADER, NO_CODE_ROWS, indents=NO_CODE_INDENTS, title="Plan")
    _, engine, outcome = _import(tmp_path, content, "plan.xlsx", reference)
    result = outcome.as_json()
    assert outcome.status == "rejected"
    assert result["errors"] == [
        {
            "sheet": "Plan",
            "row": 5,
            "column": "Name",
            "value": "Riverside Surgery (EMIS Web to Vision)",
            "message": "no ODS practice code found in the task name 'Riverside Surgery (EMIS "
            "Web to Vision)' (one letter and five digits, e.g. P81001); the tasks beneath it "
            "were set aside with it",
        }
    ]
    assert "Tasks grouped under their practice by cell indent" in result["notes"]
    engine.dispose()

    _, engine, outcome = _import(tmp_path / "..", content, "plan.xlsx", reference, accept=True)
    assert outcome.status == "stored"
    assert outcome.as_json()["rows_set_aside"] == 3
    assert _stored_phases(engine) == [
        ("P81003", "kickoff", d(1, 5), d(1, 5), d(1, 5), d(1, 5)),
        ("P81003", "go_live", d(3, 2), d(3, 2), None, None),
    ]
    set_aside = outcome.parsed.rows.set_aside
    assert set_aside["row"].tolist() == [5, 6, 7]
    assert set_aside["reasons"].tolist() == [
        "Name: no ODS practice code found in the task name 'Riverside Surgery (EMIS Web to "
        "Vision)'",
        "row: its practice task (row 5) names no ODS code",
        "row: its practice task (row 5) names no ODS code",
    ]
    assert set_aside["values"][1] == {
        "Name": "Kickoff",
        "Start": "2026-01-12",
        "Finish": "2026-01-12",
        "% Complete": "1",
    }
    engine.dispose()


# --------------------------------------------------------------------------------------------
# Practice task names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "P81001 Practice name (EMIS Web to SystmOne)",
            ("P81001", "Practice name", "EMIS Web", "SystmOne"),
        ),
        (
            "Riverside Surgery - P81001 - SystmOne > EMIS Web",
            ("P81001", "Riverside Surgery", "SystmOne", "EMIS Web"),
        ),
        (
            "p81001 Riverside Surgery from Vision to EMIS",
            ("P81001", "Riverside Surgery", "Vision", "EMIS Web"),
        ),
        (
            "Riverside Surgery (P81001): EMIS > S1",
            ("P81001", "Riverside Surgery", "EMIS Web", "SystmOne"),
        ),
        ("P81001 - Riverside Surgery", ("P81001", "Riverside Surgery", None, None)),
        ("Riverside Surgery", (None, "Riverside Surgery", None, None)),
    ],
)
def test_parent_task_names(name, expected):
    found = parent_identity(name)
    assert (
        found["ods_code"],
        found["practice_name"],
        found["source_system"],
        found["target_system"],
    ) == expected


def test_a_plan_problem_names_the_plan_cell(reference):
    """A Start that is not a date is an error on the phase's own row, under the plan's header;
    a practice-level problem is on the practice's row, once."""
    rows = [
        ["X99999 Nowhere Surgery (EMIS Web to SystmOne)", d(1, 5), d(3, 2), 0.2],  # 2
        ["Kickoff", "soon", d(1, 5), 1.0],  # 3
        ["Go live", d(3, 2), d(3, 2), 0],  # 4
    ]
    content = _xlsx(NO_CODE_HEADER, rows, indents=[0, 1, 1], title="Plan")
    parsed = parse_tracker(content, "plan.xlsx", reference, as_at=AS_AT)
    problems = [(p.severity, p.row, p.column, p.value) for p in parsed.problems]
    assert problems == [
        ("warning", 2, "Name", "X99999"),
        ("error", 3, "Start", "soon"),
        ("error", 4, None, ""),
    ]
