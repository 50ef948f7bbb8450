"""The canonical field vocabulary: system names, header folding, the alias table, phase names."""

import datetime as dt
import io

import openpyxl
import pytest

from regiondash import fields
from regiondash.fields import (
    FIELD_BY_ALIAS,
    FIELD_BY_KEY,
    FIELDS,
    SYSTEMS,
    canonical_system,
    field_for_header,
    normalise_header,
    phase_for_name,
)
from regiondash.ingest import parse_tracker
from regiondash.phases import PHASES
from regiondash.reference import load_reference


@pytest.mark.parametrize(
    ("value", "system"),
    [
        ("TPP", "SystmOne"),
        ("s1", "SystmOne"),
        ("S1", "SystmOne"),
        ("SYSTMONE", "SystmOne"),
        ("SystmOne", "SystmOne"),
        ("System One", "SystmOne"),
        ("  tpp systmone ", "SystmOne"),
        ("TPP SystmOne GP module", "SystmOne"),
        ("EMIS", "EMIS Web"),
        ("EMIS Web", "EMIS Web"),
        ("emis-web", "EMIS Web"),
        ("EMIS Health", "EMIS Web"),
        ("EMIS Web GP Clinical System", "EMIS Web"),
        ("INPS Vision", "Vision"),
        ("Vision 3", "Vision"),
        ("Cegedim", "Vision"),
        ("evolution", "Evolution"),
        ("Medicus", "Evolution"),
        ("Cerner Evolution", "Evolution"),
        ("Cerner Millennium", None),
        ("Microtest", None),
        ("Unknown", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_canonical_system(value, system):
    assert canonical_system(value) == system


def test_every_system_names_itself():
    assert SYSTEMS == ("EMIS Web", "SystmOne", "Vision", "Evolution")
    assert [canonical_system(s) for s in SYSTEMS] == list(SYSTEMS)
    assert [canonical_system(s.upper()) for s in SYSTEMS] == list(SYSTEMS)


def test_two_letter_aliases_do_not_match_inside_other_words():
    # "s1" is a SystmOne alias only as the whole cell, not as a word inside a product name
    assert canonical_system("Docman S1 module") is None


@pytest.mark.parametrize(
    ("header", "folded"),
    [
        ("Practice Code", "practice code"),
        ("  Practice  Code ", "practice code"),
        ("PRACTICE_CODE", "practice code"),
        ("Go-Live Date (Actual)", "go live date actual"),
        ("M1 planned (Delivery Date)", "m1 planned delivery date"),
        ("Sub-ICB", "sub icb"),
        ("CCG\n(2022)", "ccg 2022"),
        ("Go\u00a0live", "go live"),  # a non-breaking space from a copied web page
        ("TPP/SystmOne", "tpp systmone"),
        (123, "123"),
        ("---", ""),
        ("", ""),
    ],
)
def test_normalise_header(header, folded):
    assert normalise_header(header) == folded


def test_alias_table_names_one_field_per_alias():
    # importing the module (above) succeeded, so no alias raised "names two fields"; check the
    # same rule independently of the module's own loop
    owners: dict[str, set[str]] = {}
    for key, aliases in fields._HEADER_ALIASES.items():
        for alias in [key, FIELD_BY_KEY[key].label, *aliases]:
            owners.setdefault(normalise_header(alias), set()).add(key)
    assert {alias: keys for alias, keys in owners.items() if len(keys) > 1} == {}
    assert set(FIELD_BY_ALIAS.values()) <= set(FIELD_BY_KEY)
    assert {alias: keys.pop() for alias, keys in owners.items()} == FIELD_BY_ALIAS
    assert len(FIELD_BY_KEY) == len(FIELDS)  # keys are unique


def test_phase_aliases_name_one_phase_each():
    owners: dict[str, set[str]] = {}
    for phase in PHASES:
        for alias in [phase.key, phase.name, str(phase.order), *fields._PHASE_ALIASES[phase.key]]:
            owners.setdefault(normalise_header(alias), set()).add(phase.key)
    assert {alias: keys for alias, keys in owners.items() if len(keys) > 1} == {}


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.key)
def test_every_label_and_key_maps_back_to_its_field(field):
    assert field_for_header(field.label) == field.key
    assert field_for_header(field.key) == field.key
    assert field_for_header(field.label.upper()) == field.key


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Practice Code", "ods_code"),
        ("ODS", "ods_code"),
        ("Service Recipient ID", "ods_code"),
        ("Service Recipient Name", "practice_name"),
        ("CCG", "sub_icb_code"),
        ("Sub ICB", "sub_icb_code"),
        ("Current system", "source_system"),
        ("New supplier", "target_system"),
        ("Call Off Ordering Party name", "ordering_party"),
        ("Supplier Name", None),
        ("Go Live Date", "go_live_planned"),
        ("Go-live (actual)", "go_live_actual"),
        ("M1 planned (Delivery Date)", "go_live_planned"),
        ("Actual M1 date", "go_live_actual"),
        ("Favourite colour", None),
        ("", None),
    ],
)
def test_field_for_header(header, key):
    assert field_for_header(header) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        *[(str(p.order), p.key) for p in PHASES],  # "1".."13"
        *[(p.key, p.key) for p in PHASES],
        *[(p.name, p.key) for p in PHASES],
        *[(p.name.upper(), p.key) for p in PHASES],
        ("IDP", "initial_data_production"),
        ("FDP", "final_data_production"),
        ("Cut-over", "cutover"),
        ("cut over period", "cutover"),
        ("go-live", "go_live"),
        ("Go Live", "go_live"),
        ("Data check", "data_checking"),
        ("Data sign off", "data_recheck_signoff"),
        ("Schedule A", "procurement"),
        ("Kick-off", "kickoff"),
        ("Cutover planning", "cutover_planning"),
        ("Data re-entry", "post_go_live"),
        ("Closure", "end_of_migration"),
        ("0", None),
        ("14", None),
        ("Training", None),
        ("", None),
    ],
)
def test_phase_for_name(text, key):
    assert phase_for_name(text) == key


def test_numeric_phase_cells_in_an_xlsx_long_tracker_are_phases():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tracker"
    sheet.append(["Practice Code", "Target system", "Phase", "Planned start", "Planned end"])
    sheet.append(["A81001", "EMIS Web", 6, dt.date(2026, 3, 2), dt.date(2026, 3, 13)])
    sheet.append(["A81001", "EMIS Web", 11, dt.date(2026, 4, 1), dt.date(2026, 4, 1)])
    out = io.BytesIO()
    book.save(out)
    parsed = parse_tracker(out.getvalue(), "long.xlsx", load_reference())
    assert [p.message for p in parsed.errors] == []
    assert sorted(parsed.rows.phases["phase"]) == ["data_checking", "go_live"]
