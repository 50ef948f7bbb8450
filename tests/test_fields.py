"""The canonical field vocabulary: system names, header folding, the alias table, phase names."""

import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regiondash import fields
from regiondash.fields import (
    FIELD_BY_ALIAS,
    FIELD_BY_KEY,
    FIELDS,
    SYSTEMS,
    canonical_system,
    field_for_header,
    header_says,
    normalise_header,
    phase_for_name,
    suggest_field,
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


# Headers as real trackers and exports write them: exact aliases, then matching by words
# (abbreviations expanded, filler words dropped, word order ignored).
@pytest.mark.parametrize(
    ("header", "key"),
    [
        # CSU tracker headers the alias table does not spell out
        ("Registered on tracking DB", "registration_planned"),
        ("Tracking DB updated", "tracking_updated"),
        ("Decom Sched A", "decommission_schedule_a"),
        ("Data Extract Req'd", "extract_requested"),
        ("Data Extract Req’d", "extract_requested"),  # a curly apostrophe
        ("Cutover Planning Mtg", "cutover_planning_meeting"),
        ("PGL end", "post_go_live_end_planned"),
        # the NHS order export: M2 is the end of post go live
        ("Buyer verification date (M2)", "post_go_live_end_planned"),
        ("Actual M2 date", "post_go_live_end_actual"),
        ("M2 actual", "post_go_live_end_actual"),
        ("M1 actual", "go_live_actual"),
        # word order does not matter
        ("Schedule A decommission", "decommission_schedule_a"),
        ("Decommission Schedule A", "decommission_schedule_a"),
        ("Sched A decom raised", "decommission_schedule_a"),
        ("Extract req date", "extract_requested"),
        ("Date extract requested", "extract_requested"),
        ("Updated tracking DB", "tracking_updated"),
        ("Tracking updated date", "tracking_updated"),
        ("Name of practice", "practice_name"),
        ("Status of migration", "reported_status"),
        ("Migration end date", "end_of_migration_planned"),
        ("Date of IDP", "idp_planned"),
        ("Date of go-live", "go_live_planned"),
        # planned and actual words pick the milestone's field
        ("Go Live Date (Planned)", "go_live_planned"),
        ("Go Live (Actual)", "go_live_actual"),
        ("Target go live", "go_live_planned"),
        ("Expected go-live date", "go_live_planned"),
        ("Go-live achieved", "go_live_actual"),
        ("Went live", "go_live_actual"),
        ("GL date", "go_live_planned"),
        ("Actual cut-over date", "go_live_actual"),
        ("Forecast IDP", "idp_planned"),
        ("IDP completed", "idp_actual"),
        ("Initial data production (actual)", "idp_actual"),
        ("Final data extract done", "fdp_actual"),
        ("Kick-off mtg", "kickoff_planned"),
        ("Kickoff held", "kickoff_actual"),
        ("Tech survey booked", "technical_survey_planned"),
        ("Technical survey done", "technical_survey_actual"),
        ("Data signed off", "data_signoff_actual"),
        ("Signed off", "data_signoff_actual"),
        ("Signoff due", "data_signoff_planned"),
        ("PGL end actual", "post_go_live_end_actual"),
        ("Actual PGL end", "post_go_live_end_actual"),
        ("Data re-entry complete", "post_go_live_end_planned"),
        ("Closed", "end_of_migration_actual"),
        ("Project closed", "end_of_migration_actual"),
        ("Baseline start", "planned_start"),
        ("Planned finish", "planned_end"),
        ("Actual finish date", "actual_end"),
        ("ODS no.", "ods_code"),
        ("Practise code", "ods_code"),
        # near misses that must keep their own field
        ("Practice", "practice_name"),
        ("Practice code", "ods_code"),
        ("Status", "reported_status"),
        ("RAG status", "reported_rag"),
        ("Status RAG", "reported_rag"),
        ("Notes", "notes"),
        ("Comments", "notes"),
        ("Target system", "target_system"),
        ("Target supplier", "target_system"),
        ("Live date", "go_live_actual"),
        # not mapped: notes about a milestone are not its date; nor junk or unknown columns
        ("Go live notes", None),
        ("IDP comments", None),
        ("Comments 2", None),
        ("Column1", None),
        ("Supplier Name", None),
        ("Order", None),
        ("Live", None),
        ("Start", None),
        ("Start date", None),
        ("Delivered", None),
        ("Planned vs actual go live", None),  # says both
        ("Actual", None),
        ("Date", None),
        ("PCN", None),
        ("Postcode", None),
        ("Project manager", None),
        ("List size", None),
        ("Training date", None),
        ("Last updated by", None),
        ("South West GP system migrations — tracker", None),
    ],
)
def test_headers_match_by_words(header, key):
    assert field_for_header(header) == key


def test_word_matches_name_one_field_each():
    # two fields with the same alias words would make such headers ambiguous
    for signatures in (fields._OWN_SIGNATURES, fields._DERIVED_SIGNATURES):
        assert {sig: keys for sig, keys in signatures.items() if len(keys) > 1} == {}


def test_ambiguous_word_match_is_not_mapped_but_suggested(monkeypatch):
    signature = (frozenset({"switch", "over"}), None)
    monkeypatch.setitem(fields._OWN_SIGNATURES, signature, {"go_live_planned", "fdp_planned"})
    assert field_for_header("Switch over") is None
    assert suggest_field("Over switch") in {"go_live_planned", "fdp_planned"}


_VOCABULARY = (
    "go live date actual planned decom sched a req'd db tracking updated pgl end m2 practice code "
    "ods kick off idp notes of the status rag target system went closed"
)
_WORDS = st.one_of(
    st.sampled_from(_VOCABULARY.split()),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
)
_SEPARATORS = st.sampled_from([" ", "  ", "_", "-", " - ", "/", " (", ") ", ".", "\n", "\t", ": "])


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.dates()))
def test_matching_never_raises(value):
    assert field_for_header(value) in {None, *FIELD_BY_KEY}
    assert suggest_field(value) in {None, *FIELD_BY_KEY}
    assert header_says(value) in {None, "planned", "actual"}


@given(st.lists(_WORDS, min_size=1, max_size=5), st.data())
def test_matching_ignores_case_punctuation_and_spacing(words, data):
    plain = " ".join(words)
    separators = [data.draw(_SEPARATORS) for _ in range(len(words) + 1)]
    messy = separators[0] + "".join(w + sep for w, sep in zip(words, separators[1:], strict=True))
    messy = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in messy)
    assert field_for_header(messy) == field_for_header(plain)
    assert header_says(messy) == header_says(plain)
    assert suggest_field(messy) == suggest_field(plain)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("Go live (planned)", "planned"),
        ("Planned go live", "planned"),
        ("Go live plan", "planned"),
        ("Baseline start", "planned"),
        ("Target go live", "planned"),
        ("Forecast IDP", "planned"),
        ("Expected FDP date", "planned"),
        ("Kick off scheduled", "planned"),
        ("Sign off due", "planned"),
        ("Proposed go live", "planned"),
        ("Survey booked", "planned"),
        ("M1 planned (Delivery Date)", "planned"),
        ("M1 planned", "planned"),
        ("Go live (actual)", "actual"),
        ("GO LIVE - ACTUAL", "actual"),
        ("Actual M1 date", "actual"),
        ("Actual M1", "actual"),
        ("Actually went live", "actual"),
        ("IDP achieved", "actual"),
        ("Survey completed", "actual"),
        ("Kick off done", "actual"),
        ("Went live", "actual"),
        ("Signed off", "actual"),
        ("Data signed off", "actual"),
        ("Closed", "actual"),
        ("Go Live", None),
        ("Go live date", None),
        ("IDP", None),
        ("IDP date", None),
        ("Kick off", None),
        ("Sign off", None),
        ("Registered on tracking DB", None),
        ("Tracking DB updated", None),
        ("Closure date", None),
        ("Post go live complete", None),
        ("Cutover planning meeting", None),  # planning is not planned
        ("Target system", None),  # the system migrated to, not a target date
        ("Planned vs actual", None),  # says both
        ("", None),
        (None, None),
    ],
)
def test_header_says(header, says):
    assert header_says(header) == says


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Tracking log updated", "tracking_updated"),
        ("Tracknig record updated", "tracking_updated"),  # misspelt
        ("Tracking DB updated", "tracking_updated"),  # mapped headers suggest their field
        ("Schedule A raised", "decommission_schedule_a"),
        ("Survey", "technical_survey_planned"),
        ("Survey (actual)", "technical_survey_actual"),
        ("Order", "registration_planned"),
        ("Start date", "planned_start"),
        ("Actual start on", "actual_start"),
        ("Kickoff slot", "kickoff_planned"),
        ("GP practice title", "practice_name"),
        ("Post go live data re-entry end", "post_go_live_end_planned"),
        ("Go live notes", "notes"),  # a notes-like word: notes, never the milestone
        ("IDP comments", "notes"),
        ("Comments 2", "notes"),
        ("Column1", None),
        ("Unnamed: 3", None),
        ("PCN", None),
        ("Postcode", None),
        ("Project manager", None),
        ("List size", None),
        ("Training date", None),
        ("Last updated by", None),
        ("Supplier Name", None),  # new or old supplier? no guess
        ("System", None),
        ("Due date", None),
        ("x", None),
        ("", None),
        (None, None),
    ],
)
def test_suggest_field(header, key):
    assert suggest_field(header) == key


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
