"""Header row discovery, the alias table, hand mapping and sheet choice."""

import pytest

from regiondash.fields import field_for_header
from regiondash.ingest.columns import MappingProblem, find_header, parse_mapping_options
from tests.ingest.conftest import sheet, workbook


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Practice Code", "ods_code"),
        ("ODS", "ods_code"),
        ("ODS code", "ods_code"),
        ("  ods   CODE ", "ods_code"),
        ("Service Recipient ID", "ods_code"),
        ("Service Recipient Name", "practice_name"),
        ("Go Live Date", "go_live_planned"),
        ("Go-live (actual)", "go_live_actual"),
        ("GO LIVE - ACTUAL", "go_live_actual"),
        ("M1 planned (Delivery Date)", "go_live_planned"),
        ("Actual M1 date", "go_live_actual"),
        ("CCG", "sub_icb_code"),
        ("Sub ICB", "sub_icb_code"),
        ("Sub-ICB location", "sub_icb_code"),
        ("Current system", "source_system"),
        ("New supplier", "target_system"),
        ("Product Name", "target_system"),
        ("Call Off Ordering Party name", "ordering_party"),
        ("IDP date", "idp_planned"),
        ("FDP (actual)", "fdp_actual"),
        ("Data sign-off", "data_signoff_planned"),
        ("Kick-off", "kickoff_planned"),
        ("RAG status", "reported_rag"),
        ("Phase", "phase"),
        ("Planned start", "planned_start"),
        ("Actual end", "actual_end"),
        ("Go live (planned)", "go_live_planned"),  # the template's own label
        ("Favourite colour", None),
    ],
)
def test_alias_table(header, field):
    assert field_for_header(header) == field


def test_header_found_below_title_rows():
    grid = sheet(
        [
            ["South West migrations tracker", None, None],
            ["Updated 3 Nov 2026", None, None],
            [None, None, None],
            ["Practice Code", "Practice Name", "Go Live Date"],
            ["L81001", "Somewhere Surgery", "02/03/2026"],
        ]
    )
    match = find_header(workbook(grid))
    assert match.header_row == 4
    assert match.columns == {0: "ods_code", 1: "practice_name", 2: "go_live_planned"}
    assert match.layout == "wide"


def test_two_row_header_uses_group_label():
    grid = sheet(
        [
            ["Practice Code", "Go live", None, "IDP", None],
            [None, "Planned", "Actual", "Planned", "Actual"],
        ]
    )
    # The group row alone already has ods + go live, so the first row is the header there;
    # what matters is that a second-row header combines with its group where needed.
    match = find_header(workbook(grid))
    assert match.header_row == 1
    grid2 = sheet([["Migration", "Go live", None], ["ODS", "Planned", "Actual"]])
    match2 = find_header(workbook(grid2))
    assert match2.header_row == 2
    assert match2.columns == {0: "ods_code", 1: "go_live_planned", 2: "go_live_actual"}


def test_hand_mapping_maps_unknown_header_and_can_ignore():
    grid = sheet([["Surgery ID", "Switch date", "Notes"], ["L81001", "02/03/2026", "x"]])
    assert find_header(workbook(grid)) is None
    hand = parse_mapping_options(["Surgery ID=ods_code", "switch DATE=go_live_planned",
                                  "Notes=ignore"])  # fmt: skip
    match = find_header(workbook(grid), hand=hand)
    assert match.columns == {0: "ods_code", 1: "go_live_planned"}


@pytest.mark.parametrize("option", ["nonsense", "=ods_code", "Header=not_a_field"])
def test_bad_hand_mapping_is_a_usage_error(option):
    with pytest.raises(MappingProblem):
        parse_mapping_options([option])


def test_first_visible_sheet_with_header_is_chosen_and_others_reported():
    lookups = sheet([["Practice Code", "Practice Name"], ["A81001", "x"]], "Lookups", visible=False)
    readme = sheet([["How to use this tracker"]], "Read me")
    tracker = sheet([["ODS", "Go Live Date"], ["A81001", "02/03/2026"]], "Tracker")
    later = sheet([["ODS", "Go Live Date"]], "Archive")
    match = find_header(workbook(lookups, readme, tracker, later))
    assert match.sheet.name == "Tracker"
    assert match.ignored_sheets == [
        ("Lookups", "hidden"),
        ("Read me", "no tracker header found"),
        ("Archive", "not the tracker sheet"),
    ]


def test_named_sheet_is_used_even_if_hidden_and_unknown_name_is_refused():
    lookups = sheet([["Practice Code", "Practice Name"]], "Lookups", visible=False)
    tracker = sheet([["ODS", "Go Live Date"]], "Tracker")
    assert find_header(workbook(lookups, tracker), "Lookups").sheet.name == "Lookups"
    with pytest.raises(
        MappingProblem, match='no sheet "Nope"; the sheets are "Lookups", "Tracker"'
    ):
        find_header(workbook(lookups, tracker), "Nope")


def test_order_export_layout_and_supplier_name_fallback():
    grid = sheet(
        [
            ["Service Recipient ID", "Service Recipient Name", "Supplier Name",
             "M1 planned (Delivery Date)", "Actual M1 date"],
        ]
    )  # fmt: skip
    match = find_header(workbook(grid))
    assert match.layout == "order_export"
    assert match.columns[2] == "target_system"


def test_long_layout_detected():
    grid = sheet([["ODS", "New system", "Phase", "Planned start", "Planned end"]])
    assert find_header(workbook(grid)).layout == "long"


def test_duplicate_field_keeps_first_column():
    grid = sheet([["ODS", "Practice Code", "Go Live Date"]])
    match = find_header(workbook(grid))
    assert match.columns == {0: "ods_code", 2: "go_live_planned"}
    assert match.duplicates == [("Practice Code", "ods_code")]
