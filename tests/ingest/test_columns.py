"""Header row discovery, the alias table, hand mapping and sheet choice."""

import pytest

from regiondash.fields import field_for_header
from regiondash.ingest import parse_tracker
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
        # matched by words: abbreviations expanded, word order ignored
        ("Registered on tracking DB", "registration_planned"),
        ("Tracking DB updated", "tracking_updated"),
        ("Decom Sched A", "decommission_schedule_a"),
        ("Data Extract Req'd", "extract_requested"),
        ("Cutover Planning Mtg", "cutover_planning_meeting"),
        ("PGL end", "post_go_live_end_planned"),
        ("Buyer verification date (M2)", "post_go_live_end_planned"),
        ("Actual M2 date", "post_go_live_end_actual"),
        ("Go live notes", None),
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
    hand = parse_mapping_options(
        ["Surgery ID=ods_code", "switch DATE=go_live_planned", "Notes=ignore"]
    )
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
            [
                "Service Recipient ID",
                "Service Recipient Name",
                "Supplier Name",
                "M1 planned (Delivery Date)",
                "Actual M1 date",
            ],
        ]
    )
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


def test_csu_tracker_headers_are_mapped_by_words():
    headers = [
        "Practice Code",
        "Registered on tracking DB",
        "Decom Sched A",
        "Data Extract Req'd",
        "Cutover Planning Mtg",
        "Go Live Date (Planned)",
        "Go Live (Actual)",
        "PGL end",
        "Tracking DB updated",
        "Go live notes",
    ]
    grid = sheet([headers])
    match = find_header(workbook(grid))
    assert list(match.columns.values()) == [
        "ods_code",
        "registration_planned",
        "decommission_schedule_a",
        "extract_requested",
        "cutover_planning_meeting",
        "go_live_planned",
        "go_live_actual",
        "post_go_live_end_planned",
        "tracking_updated",
    ]
    assert match.unmapped == ["Go live notes"]
    assert match.suggestions == {"Go live notes": "notes"}


def test_unmapped_headers_get_suggestions_for_fields_not_taken():
    unmapped = ["Tracking log updated", "Survey", "Survey (actual)", "Column1", "Comments 2"]
    unmapped += ["Go live training", "Site check"]
    grid = sheet([["ODS", *unmapped[:4], "Comments", unmapped[4], "Go live", *unmapped[5:]]])
    match = find_header(workbook(grid))
    assert match.unmapped == unmapped
    # Comments already is notes and Go live already go_live_planned: nothing to suggest there
    assert match.suggestions == {
        "Tracking log updated": "tracking_updated",
        "Survey": "technical_survey_planned",
        "Survey (actual)": "technical_survey_actual",
    }
    assert match.suggestion_labels["Tracking log updated"] == "Tracking record updated"


def test_a_field_is_suggested_for_one_column_only():
    headers = ["ODS", "Go live", "Tracking log updated", "Tracking sheet updated"]
    match = find_header(workbook(sheet([headers])))
    assert match.suggestions == {"Tracking log updated": "tracking_updated"}


def test_hand_mapped_headers_are_not_suggested_and_take_their_field():
    grid = sheet([["ODS", "Tracking log updated", "Switch date"]])
    match = find_header(workbook(grid), hand={"Switch date": "tracking_updated"})
    assert match.columns == {0: "ods_code", 2: "tracking_updated"}
    assert match.suggestions == {}


def test_parsed_tracker_notes_say_did_you_mean(reference):
    data = b"Practice Code,Go Live Date,Tracking log updated,Column1\nA81001,02/03/2026,,\n"
    parsed = parse_tracker(data, "t.csv", reference)
    assert "Columns not used: Column1" in parsed.notes
    assert (
        'Column "Tracking log updated" not used \u2014 did you mean Tracking record updated?'
        in parsed.notes
    )
