"""NHS England's practice mapping (Jan 2026): counts, lookups and loading a newer file."""

import pandas as pd
import pytest

from regiondash.fields import normalise_header
from regiondash.reference import (
    ATTRIBUTION,
    OGL_URL,
    bundled_mapping_path,
    load_reference,
    parse_reference,
)

# NHS England's column names, as in gp-reg-pat-prac-map (the file carries a few more we ignore).
NHSE_HEADER = (
    "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,PCN_NAME,"
    "ONS_SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ONS_ICB_CODE,ICB_CODE,"
    "ICB_NAME,ONS_COMM_REGION_CODE,COMM_REGION_CODE,COMM_REGION_NAME,SUPPLIER_NAME"
)


@pytest.fixture(scope="module")
def reference():
    return load_reference()


def test_bundled_mapping_counts(reference):
    practices = reference.practices
    assert len(practices) == 6171
    assert practices.index.is_unique
    assert len(reference.sub_icbs) == 106
    assert reference.sub_icbs["sub_icb_code"].is_unique
    assert practices["icb_code"].nunique() == 42
    assert reference.sub_icbs["icb_code"].nunique() == 42
    assert practices["region_code"].nunique() == 7
    assert sorted(practices["region_code"].unique()) == [
        "Y56",
        "Y58",
        "Y59",
        "Y60",
        "Y61",
        "Y62",
        "Y63",
    ]
    assert reference.source == "gp-reg-pat-prac-map_2026-01.csv"
    assert reference.extract_date == "01Jan2026"


def test_bundled_mapping_source_systems(reference):
    counts = reference.practices["source_system"].value_counts(dropna=False)
    assert {("NA" if pd.isna(k) else k): int(v) for k, v in counts.items()} == {
        "EMIS Web": 3611,
        "SystmOne": 2555,
        "NA": 5,
    }
    unknown = reference.practices[reference.practices["source_system"].isna()]
    assert sorted(unknown.index) == ["G83024", "H81031", "H84002", "H84023", "N81086"]
    assert set(unknown["supplier"]) == {"Unknown"}


def test_practice_lookup(reference):
    practice = reference.practice_lookup["A81001"]
    assert practice["practice_name"] == "THE DENSHAM SURGERY"
    assert (practice["sub_icb_code"], practice["icb_code"], practice["region_code"]) == (
        "16C",
        "QHM",
        "Y63",
    )
    assert practice["region_name"] == "North East and Yorkshire"
    assert practice["source_system"] == "SystmOne"
    assert reference.practice_lookup["G83024"]["source_system"] is None
    assert "Z99999" not in reference.practice_lookup


@pytest.mark.parametrize(
    "text",
    [
        "16C",
        "16c",
        " 16C ",
        "NHS North East and North Cumbria ICB - 16C",
        "nhs north east and north cumbria icb 16c",
        "NHS North East and North Cumbria ICB – 16C",  # an en dash folds away like a hyphen
        "NHS NORTH EAST AND NORTH CUMBRIA ICB - 16C",
    ],
)
def test_sub_icb_lookup_by_code_or_name(reference, text):
    assert reference.sub_icb_lookup[normalise_header(text)] == {
        "sub_icb_code": "16C",
        "sub_icb_name": "NHS North East and North Cumbria ICB - 16C",
        "icb_code": "QHM",
        "icb_name": "NHS North East and North Cumbria Integrated Care Board",
        "region_code": "Y63",
        "region_name": "North East and Yorkshire",
    }


def test_sub_icb_lookup_has_every_code_and_name(reference):
    assert len(reference.sub_icb_lookup) == 2 * 106


def test_a_newer_mapping_file_loads_from_a_path(tmp_path):
    # ICBs merge from April 2026: a made-up merged ICB "QZZ" must load without code changes
    rows = [
        "GP_PRAC_PAT_LIST,01Apr2026,a81001 ,THE DENSHAM SURGERY,TS18 1HU,U89141,STOCKTON PCN,"
        "E38000247,16C,NHS North East and North Cumbria ICB - 16C,E54000050,QHM,"
        "NHS North East and North Cumbria Integrated Care Board,E40000012,Y63,"
        "North East and Yorkshire,TPP",
        "GP_PRAC_PAT_LIST,01Apr2026,J82001,NEW MERGED PRACTICE,SO1 1AA,U00001,SOME PCN,"
        "E38000999,99Z,NHS Wessex Merged ICB - 99Z,E54000999,QZZ,"
        "NHS Wessex Merged Integrated Care Board,E40000006,Y58,South West,EMIS",
        "GP_PRAC_PAT_LIST,01Apr2026,J82002,ANOTHER PRACTICE,SO1 1AB,U00001,SOME PCN,"
        "E38000999,99Z,NHS Wessex Merged ICB - 99Z,E54000999,QZZ,"
        "NHS Wessex Merged Integrated Care Board,E40000006,Y58,South West,Medicus",
    ]
    path = tmp_path / "gp-reg-pat-prac-map_2026-04.csv"
    path.write_text("\n".join([NHSE_HEADER, *rows]) + "\n", encoding="utf-8")
    newer = load_reference(path)
    assert newer.source == "gp-reg-pat-prac-map_2026-04.csv"
    assert list(newer.practices.index) == ["A81001", "J82001", "J82002"]
    assert newer.practice_lookup["J82001"]["icb_code"] == "QZZ"
    assert newer.practice_lookup["J82002"]["source_system"] == "Evolution"
    assert list(newer.sub_icbs["sub_icb_code"]) == ["16C", "99Z"]
    assert newer.sub_icb_lookup["99z"]["icb_code"] == "QZZ"
    assert newer.extract_date == "01Apr2026"


def test_parse_reference_names_missing_columns():
    frame = pd.DataFrame(
        {"PRACTICE_CODE": ["A81001"], "PRACTICE_NAME": ["X"], "SUPPLIER_NAME": ["TPP"]}
    )
    with pytest.raises(ValueError, match=r"new\.csv") as raised:
        parse_reference(frame, source="new.csv")
    message = str(raised.value)
    for column in (
        "SUB_ICB_LOCATION_CODE",
        "SUB_ICB_LOCATION_NAME",
        "ICB_CODE",
        "ICB_NAME",
        "COMM_REGION_CODE",
        "COMM_REGION_NAME",
    ):
        assert column in message
    assert "PRACTICE_CODE" not in message
    assert "EXTRACT_DATE" not in message  # optional


def test_parse_reference_without_extract_date():
    frame = pd.DataFrame(
        {
            "PRACTICE_CODE": ["B82001"],
            "PRACTICE_NAME": ["P"],
            "SUB_ICB_LOCATION_CODE": ["42D"],
            "SUB_ICB_LOCATION_NAME": ["NHS North Yorkshire - 42D"],
            "ICB_CODE": ["QOQ"],
            "ICB_NAME": ["I"],
            "COMM_REGION_CODE": ["Y63"],
            "COMM_REGION_NAME": ["R"],
            "SUPPLIER_NAME": ["EMIS"],
        }
    )
    reference = parse_reference(frame)
    assert reference.extract_date == "unknown"
    assert reference.practice_lookup["B82001"]["source_system"] == "EMIS Web"


def test_attribution_names_the_open_government_licence():
    assert "Open Government Licence v3.0" in ATTRIBUTION
    assert "NHS England" in ATTRIBUTION
    assert OGL_URL.startswith("https://www.nationalarchives.gov.uk/doc/open-government-licence/")
    assert bundled_mapping_path().is_file()
    source_note = bundled_mapping_path().with_name("SOURCE.md").read_text(encoding="utf-8")
    assert "Open Government Licence" in source_note
