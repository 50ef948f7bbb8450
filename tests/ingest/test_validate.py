"""Row rules: ODS codes, systems, dates by cell, organisations from the reference, duplicates,
totals rows, long trackers and milestone-derived phase spans."""

import datetime as dt

import pandas as pd
import pytest

from regiondash.ingest.columns import find_header
from regiondash.ingest.validate import check_rows, migration_id, phase_spans
from tests.ingest.conftest import sheet, workbook

D = dt.date
TS = pd.Timestamp
HEADER = [
    "Practice Code",
    "Practice Name",
    "CCG",
    "Current system",
    "New supplier",
    "IDP date",
    "FDP date",
    "Go Live Date",
    "Go-live (actual)",
]


AS_AT = D(2026, 11, 20)


def checked(rows, header=HEADER, as_at=AS_AT, first_row=1, **kwargs):
    grid = sheet([header, *rows], first_row=first_row)
    match = find_header(workbook(grid, **kwargs))
    return check_rows(match, kwargs.get("date1904", False), pytest.reference_data, as_at)


@pytest.fixture(autouse=True)
def _reference(reference):
    pytest.reference_data = reference


def test_clean_wide_row_becomes_a_migration_with_phase_spans():
    result = checked(
        [
            [
                " a81035 ",
                None,
                None,
                "emis",
                "TPP",
                "05/01/2026",
                "20/02/2026",
                "02/03/2026",
                D(2026, 3, 3),
            ]
        ]
    )
    assert result.problems == []
    row = result.migrations.iloc[0]
    assert row["migration_id"] == "A81035:EMIS Web>SystmOne"
    assert row["ods_code"] == "A81035"
    assert row["practice_name"] == "NEWLANDS MEDICAL CENTRE"  # filled from the reference
    assert (row["sub_icb_code"], row["icb_code"], row["region_code"]) == ("16C", "QHM", "Y63")
    assert row["source_row"] == 2
    assert not row["source_system_inferred"]
    spans = result.phases.set_index("phase")
    assert spans.loc["cutover", "planned_start"] == TS("2026-02-20")
    assert spans.loc["cutover", "planned_end"] == TS("2026-03-02")
    assert spans.loc["go_live", "actual_start"] == TS("2026-03-03")
    # IDP and FDP have one date column each, on or before the as-at date: done, and their own plan
    assert spans.loc["cutover", "actual_start"] == TS("2026-02-20")
    assert spans.loc["initial_data_production", "planned_end"] == TS("2026-01-05")
    assert spans.loc["initial_data_production", "actual_end"] == TS("2026-01-05")
    assert result.reading.milestones == ["idp", "fdp"]
    assert "procurement" not in spans.index  # no dates at all: no row


def test_every_bad_cell_is_named_by_sheet_row_and_header():
    result = checked(
        [
            ["A8103", None, None, "EMIS", "TPP", None, None, "02/03/2026", None],
            ["A81058", None, None, "EMIS", "Cerner", None, None, "13/13/2026", None],
            ["A81611", None, None, "EMIS", None, None, None, "next week", None],
        ],
        first_row=4,
    )
    found = {(p.row, p.column, p.value): p.message for p in result.errors}
    assert found[(5, "Practice Code", "A8103")].startswith("'A8103' is not an ODS practice code")
    assert "not a clinical system we know" in found[(6, "New supplier", "Cerner")]
    assert "not a real date" in found[(6, "Go Live Date", "13/13/2026")]
    assert "not a date in the form" in found[(7, "Go Live Date", "next week")]
    assert all(p.sheet == "Tracker" for p in result.errors)
    assert result.migrations.empty
    assert list(result.set_aside["row"]) == [5, 6, 7]
    assert "Practice Code" in result.set_aside.iloc[0]["reasons"]
    assert result.set_aside.iloc[0]["values"]["Practice Code"] == "A8103"


def test_missing_source_is_inferred_from_the_reference_and_marked():
    result = checked([["A81035", None, None, None, "SystmOne", None, None, "02/03/2026", None]])
    row = result.migrations.iloc[0]
    assert row["source_system"] == "EMIS Web"
    assert row["source_system_inferred"]
    assert any("inferred for 1 migration" in note for note in result.notes)


def test_inference_never_makes_source_equal_target():
    # A81001 is on TPP already: migrating to SystmOne, its source cannot be SystmOne.
    result = checked([["A81001", None, None, None, "EMIS", None, None, "02/03/2026", None]])
    assert result.migrations.iloc[0]["source_system"] == "SystmOne"
    result = checked([["A81001", None, None, None, "S1", None, None, "02/03/2026", None]])
    row = result.migrations.iloc[0]
    assert pd.isna(row["source_system"]) and not row["source_system_inferred"]


def test_unknown_practice_is_a_warning_and_keeps_its_row():
    result = checked([["Z99999", "Nowhere", None, "EMIS", "TPP", None, None, None, None]])
    assert result.errors == []
    assert [p.column for p in result.warnings] == ["Practice Code"]
    assert len(result.migrations) == 1
    assert pd.isna(result.migrations.iloc[0]["sub_icb_code"])


def test_tracker_sub_icb_wins_when_known_and_warns_when_it_disagrees():
    result = checked(
        [
            ["A81035", None, "11J", "EMIS", "TPP", None, None, None, None],
            ["A81058", None, "Nonsense CCG", "EMIS", "TPP", None, None, None, None],
        ]
    )
    rows = result.migrations.set_index("ods_code")
    assert rows.loc["A81035", "sub_icb_code"] == "11J"
    assert rows.loc["A81035", "icb_code"] == "QVV"  # ICB follows the sub-ICB
    assert rows.loc["A81058", "sub_icb_code"] == "16C"
    messages = [p.message for p in result.warnings]
    assert any("puts this practice in 16C" in m for m in messages)
    assert any("not a sub-ICB location" in m for m in messages)


def test_duplicate_migration_is_an_error_on_the_second_row_only():
    row = ["A81035", None, None, "EMIS", "TPP", None, None, "02/03/2026", None]
    other_target = ["A81035", None, None, "EMIS", "Vision", None, None, "02/03/2026", None]
    result = checked([row, other_target, row])
    assert [(p.row, p.column) for p in result.errors] == [(4, "Practice Code")]
    assert "already appears for the same migration (EMIS Web → SystmOne) at row 2" in (
        result.errors[0].message
    )
    assert len(result.migrations) == 2


def test_blank_rows_and_trailing_totals_row_are_skipped():
    row = ["A81035", None, None, "EMIS", "TPP", None, None, "02/03/2026", None]
    result = checked([row, [None] * 9, ["", "  "], ["Total", 1, None, None, None]])
    assert result.rows_read == 1
    assert result.problems == []
    assert any("totals row" in note for note in result.notes)


def test_actual_date_after_as_at_is_a_warning():
    result = checked(
        [["A81035", None, None, "EMIS", "TPP", None, None, None, "01/12/2026"]],
        as_at=D(2026, 11, 20),
    )
    assert [p.column for p in result.warnings] == ["Go-live (actual)"]


def test_1904_workbook_serials():
    result = checked(
        [["A81035", None, None, "EMIS", "TPP", None, None, 44621, None]], date1904=True
    )
    spans = result.phases.set_index("phase")
    assert spans.loc["go_live", "planned_start"] == TS("2026-03-02")


LONG_HEADER = [
    "ODS",
    "Current system",
    "New system",
    "Phase",
    "Planned start",
    "Planned end",
    "Actual start",
    "Actual end",
]


def test_long_tracker_groups_phase_rows():
    rows = [
        ["A81035", "EMIS", "TPP", "Data checking", "06/01/2026", "26/01/2026", "06/01/2026", None],
        ["A81035", "EMIS", "TPP", "Go live", "02/03/2026", "02/03/2026", None, None],
        ["A81058", "EMIS", "TPP", "10", "20/02/2026", "02/03/2026", None, None],
    ]
    result = checked(rows, header=LONG_HEADER)
    assert result.problems == []
    assert sorted(result.migrations["ods_code"]) == ["A81035", "A81058"]
    phases = result.phases.set_index(["migration_id", "phase"])
    assert phases.loc[("A81035:EMIS Web>SystmOne", "data_checking"), "planned_end"] == TS(
        "2026-01-26"
    )
    assert phases.loc[("A81058:EMIS Web>SystmOne", "cutover"), "planned_start"] == TS("2026-02-20")


def test_long_tracker_bad_row_sets_its_whole_migration_aside():
    rows = [
        ["A81035", "EMIS", "TPP", "Data checking", "06/01/2026", "26/01/2026", None, None],
        ["A81035", "EMIS", "TPP", "Golf", "02/03/2026", "02/03/2026", None, None],
        ["A81035", "EMIS", "TPP", "Data checking", "06/01/2026", "26/01/2026", None, None],
        ["A81058", "EMIS", "TPP", "Go live", "02/03/2026", "02/03/2026", None, None],
    ]
    result = checked(rows, header=LONG_HEADER)
    errors = {(p.row, p.column): p.message for p in result.errors}
    assert "not a phase of the migration guide" in errors[(3, "Phase")]
    assert "already at row 2" in errors[(4, "Phase")]
    assert "another row of this migration has an error (row 3)" in errors[(2, None)]
    assert list(result.migrations["ods_code"]) == ["A81058"]
    assert list(result.set_aside["row"]) == [2, 3, 4]


def test_order_export():
    header = [
        "Call Off Ordering Party name",
        "Service Recipient ID",
        "Service Recipient Name",
        "Supplier Name",
        "Product Name",
        "M1 planned (Delivery Date)",
        "Actual M1 date",
    ]
    rows = [
        [
            "NHS Dorset ICB",
            "J81002",
            "Orchid House",
            "EMIS Health",
            "EMIS Web GP",
            "16/03/2026",
            "17/03/2026",
        ]
    ]
    result = checked(rows, header=header, as_at=D(2026, 11, 20))
    assert result.problems == []
    row = result.migrations.iloc[0]
    assert row["migration_id"] == "J81002:SystmOne>EMIS Web"
    assert row["ordering_party"] == "NHS Dorset ICB"
    assert row["source_system_inferred"]
    phases = result.phases.set_index("phase")
    assert phases.loc["go_live", "actual_start"] == TS("2026-03-17")


@pytest.mark.parametrize(
    ("milestones", "phase", "expected"),
    [
        (
            {"idp_planned": D(2026, 1, 5), "data_signoff_planned": D(2026, 1, 30)},
            "data_checking",
            (D(2026, 1, 5), D(2026, 1, 30)),
        ),
        (
            {"fdp_planned": D(2026, 2, 20), "go_live_planned": D(2026, 3, 2)},
            "cutover",
            (D(2026, 2, 20), D(2026, 3, 2)),
        ),
        (
            {"kickoff_planned": D(2026, 1, 1), "idp_planned": D(2026, 1, 20)},
            "early_preparation",
            (D(2026, 1, 1), D(2026, 1, 20)),
        ),  # no survey: early preparation starts at kickoff
        (
            {
                "kickoff_planned": D(2026, 1, 1),
                "technical_survey_planned": D(2026, 1, 6),
                "idp_planned": D(2026, 1, 20),
            },
            "early_preparation",
            (D(2026, 1, 6), D(2026, 1, 20)),
        ),
        (
            {"registration_planned": D(2025, 12, 1), "kickoff_planned": D(2025, 12, 10)},
            "procurement",
            (D(2025, 12, 1), D(2025, 12, 10)),
        ),
        (
            {"go_live_planned": D(2026, 3, 2), "post_go_live_end_planned": D(2026, 3, 13)},
            "post_go_live",
            (D(2026, 3, 2), D(2026, 3, 13)),
        ),
    ],
)
def test_milestone_to_phase_rule(milestones, phase, expected):
    spans = {s["phase"]: s for s in phase_spans(milestones)}
    assert (spans[phase]["planned_start"], spans[phase]["planned_end"]) == expected


def test_migration_id():
    assert migration_id("A81001", None, "EMIS Web") == "A81001:Unknown>EMIS Web"


def test_blank_target_cell_is_an_error_on_that_row():
    result = checked([["A81035", None, None, "EMIS", None, None, None, "02/03/2026", None]])
    assert [(p.row, p.column, p.message) for p in result.errors] == [
        (2, "New supplier", "the target system is missing")
    ]


def test_no_target_column_is_one_file_level_error_and_every_row_set_aside():
    header = ["Practice Code", "Go Live Date"]
    result = checked([["A81035", "02/03/2026"], ["A81058", "09/03/2026"]], header=header)
    assert len(result.errors) == 1
    assert result.errors[0].row is None
    assert result.errors[0].message.startswith("the file has no column for the target system")
    assert result.migrations.empty
    assert list(result.set_aside["row"]) == [2, 3]


ORDER_HEADER = ["Practice Code", "Current system", "New supplier", "Registration"]
ORDER_HEADER += ["Kick off", "Go Live Date"]


@pytest.mark.parametrize(
    ("registration", "kickoff", "go_live", "expected"),
    [
        ("01/02/2026", "10/02/2026", "02/03/2026", None),
        ("01/02/2026", "10/03/2026", "10/03/2026", None),  # the same day is not before
        (
            "01/02/2026",
            "10/03/2026",
            "01/03/2026",
            "A81035: go live 01/03/2026 is before kickoff 10/03/2026; check the dates",
        ),
        (
            "05/03/2026",
            "10/03/2026",
            "01/03/2026",
            "A81035: go live 01/03/2026 is before registration 05/03/2026 and kickoff "
            "10/03/2026; check the dates",
        ),
        (None, None, "01/03/2026", None),
    ],
)
def test_go_live_before_registration_or_kickoff_is_a_warning(
    registration, kickoff, go_live, expected
):
    rows = [["A81035", "EMIS", "TPP", registration, kickoff, go_live]]
    result = checked(rows, header=ORDER_HEADER)
    assert result.errors == []
    assert len(result.migrations) == 1  # a warning: the row is kept
    found = [(p.row, p.column, p.message) for p in result.warnings]
    assert found == ([(2, "Go Live Date", expected)] if expected else [])


def test_long_tracker_go_live_before_kickoff_is_a_warning():
    rows = [
        ["A81035", "EMIS", "TPP", "Kick off", "10/03/2026", "12/03/2026", None, None],
        ["A81035", "EMIS", "TPP", "Go live", "01/03/2026", "01/03/2026", None, None],
    ]
    result = checked(rows, header=LONG_HEADER, as_at=D(2026, 1, 1))
    assert [p.message for p in result.warnings] == [
        "A81035: go live 01/03/2026 is before kickoff 10/03/2026; check the dates"
    ]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "A81\u200b035",
            "'A81\\u200b035' holds an invisible character (zero-width space) after 'A81', often "
            "pasted from a web page or email; delete the cell and type the code (A81035) again",
        ),
        (
            "A81\xa0035",
            "'A81\\u00a0035' holds an invisible character (non-breaking space) after 'A81', often "
            "pasted from a web page or email; delete the cell and type the code (A81035) again",
        ),
        (
            "A8\ufeff10\u200b35",
            "'A8\\ufeff10\\u200b35' holds an invisible character (byte order mark (BOM)) after "
            "'A8' and 1 more, often pasted from a web page or email; delete the cell and type the "
            "code (A81035) again",
        ),
    ],
)
def test_invisible_character_inside_an_ods_code_is_named(code, message):
    result = checked([[code, None, None, "EMIS", "TPP", None, None, "02/03/2026", None]])
    assert [(p.row, p.column, p.value, p.message) for p in result.errors] == [
        (2, "Practice Code", code, message)
    ]


@pytest.mark.parametrize(
    "code", ["\xa0A81035\xa0", "\u200bA81035", "A81035\ufeff ", " a81035\u202f"]
)
def test_invisible_characters_at_the_edges_of_an_ods_code_are_cleaned(code):
    result = checked([[code, None, None, "EMIS", "TPP", None, None, "02/03/2026", None]])
    assert result.problems == []
    assert list(result.migrations["ods_code"]) == ["A81035"]


def absurd_rows(unknown: int, known: int):
    """Rows of `known` practices in the mapping and `unknown` made-up codes (Z00000...)."""
    codes = sorted(pytest.reference_data.practice_lookup)[:known]
    codes += [f"Z{n:05d}" for n in range(unknown)]
    return [[code, None, None, "EMIS", "TPP", None, None, "02/03/2026", None] for code in codes]


@pytest.mark.parametrize(
    ("unknown", "known", "refused"),
    [
        (20, 0, False),  # all unknown, but only 20: a small new tracker, warnings only
        (21, 0, True),
        (21, 8, True),  # 21 of 29 (72%)
        (21, 21, False),  # exactly half is not more than half
    ],
)
def test_a_file_mostly_of_unknown_practice_codes_is_refused_whole(unknown, known, refused):
    rows = absurd_rows(unknown, known)
    result = checked(rows)
    if refused:
        share = f"{unknown} of {unknown + known} practice codes ({unknown / (unknown + known):.0%})"
        assert [(p.row, p.column) for p in result.problems] == [(None, None)]
        assert result.errors[0].message.startswith(
            f"{share} are not in NHS England's practice mapping (January 2026)"
        )
        assert result.migrations.empty and len(result.set_aside) == len(rows)
    else:
        assert result.errors == []
        assert len(result.migrations) == len(rows)


def test_allow_unknown_practices_keeps_the_rows():
    grid = sheet([HEADER, *absurd_rows(30, 0)])
    match = find_header(workbook(grid))
    result = check_rows(match, False, pytest.reference_data, AS_AT, allow_unknown_practices=True)
    assert result.errors == [] and len(result.migrations) == 30
