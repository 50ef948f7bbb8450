"""The shared filters: query round trip, filtering, cascading options, labels, search, paging."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regiondash.scope import (
    FILTER_COLUMNS,
    NOT_A_DATE,
    NOT_A_STATUS,
    NOT_IN_DATA,
    NOT_WITHIN,
    UNKNOWN,
    Filters,
    LinkProblem,
    apply_filters,
    check_against_data,
    filter_options,
    option_labels,
    page_count,
    page_of,
    parse_query,
    search,
    short_org_name,
    sort_migrations,
)
from regiondash.statuses import STATUSES

NAT = pd.NaT

# migration_id, ods, practice, sub-ICB, ICB, region, csu
WHO = [
    ("M1", "J82001", "Abbey Surgery", "11J", "QVV", "Y58", "SCW"),
    ("M2", "J82002", "BRIDGE MEDICAL CENTRE", "11J", "QVV", "Y58", "SCW"),
    ("M3", "L83001", "Castle Practice", "15N", "QJK", "Y58", None),
    ("M4", "A81001", "The Densham Surgery", "16C", "QHM", "Y63", "NECS"),
    ("M5", "A81002", None, "16C", "QHM", "Y63", "NECS"),
    ("M6", "Z99999", "Unknown Practice", None, None, None, None),
]
# source, target, status, go live, days late: one a migration, in WHO's order
WHAT = [
    ("EMIS Web", "SystmOne", "planned", "2026-04-13", 0),
    ("SystmOne", "EMIS Web", "in_progress", "2026-03-16", 14),
    ("EMIS Web", "SystmOne", "live", "2026-02-02", 3),
    ("EMIS Web", "SystmOne", "in_progress", None, 30),
    (None, "EMIS Web", "cancelled", "2026-03-16", 0),
    ("EMIS Web", "SystmOne", "planned", "2026-05-04", 0),
]
ROWS = [who + what for who, what in zip(WHO, WHAT, strict=True)]
NAMES = {
    "Y58": "South West",
    "Y63": "North East and Yorkshire",
    "QVV": "NHS Dorset Integrated Care Board",
    "QJK": "NHS Devon Integrated Care Board",
    "QHM": "NHS North East and North Cumbria Integrated Care Board",
    "11J": "NHS Dorset ICB - 11J",
    "15N": "NHS Devon ICB - 15N",
    "16C": "NHS North East and North Cumbria ICB - 16C",
}


@pytest.fixture
def overview() -> pd.DataFrame:
    frame = pd.DataFrame(
        ROWS,
        columns=[
            "migration_id",
            "ods_code",
            "practice_name",
            "sub_icb_code",
            "icb_code",
            "region_code",
            "csu",
            "source_system",
            "target_system",
            "status",
            "go_live_date",
            "days_late",
        ],
    )
    for column in ("sub_icb", "icb", "region"):
        frame[f"{column}_name"] = frame[f"{column}_code"].map(NAMES)
    frame["go_live_date"] = pd.to_datetime(frame["go_live_date"]).astype("datetime64[us]")
    text = [c for c in frame.columns if c not in ("go_live_date", "days_late")]
    return frame.astype(dict.fromkeys(text, "string"))


codes = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters=","), min_size=1
).filter(lambda s: s == s.strip() and s != "")
code_tuples = st.lists(codes, max_size=4, unique=True).map(tuple)
status_tuples = st.lists(st.sampled_from(STATUSES), max_size=5, unique=True).map(tuple)


@settings(max_examples=200, deadline=None)
@given(
    region=code_tuples,
    icb=code_tuples,
    sub_icb=code_tuples,
    csu=code_tuples,
    source=code_tuples,
    target=code_tuples,
    status=status_tuples,
    as_at=st.none() | st.dates(),
)
def test_filters_round_trip_through_the_query(
    region, icb, sub_icb, csu, source, target, status, as_at
):
    filters = Filters(region, icb, sub_icb, csu, source, target, status, as_at)
    query = filters.to_query()
    assert all(isinstance(v, str) for v in query.values())
    assert Filters.from_query(query) == filters


def test_to_query_leaves_out_empty_filters():
    filters = Filters(region=("Y58",), icb=("QVV", "QJK"), as_at=dt.date(2026, 3, 2))
    assert filters.to_query() == {"region": "Y58", "icb": "QVV,QJK", "as_at": "2026-03-02"}
    assert Filters().to_query() == {}
    assert Filters().is_default()
    assert not filters.is_default()
    assert not Filters(as_at=dt.date(2026, 3, 2)).is_default()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"region": "Y58", "colour": "blue", "page": "3"}, Filters(region=("Y58",))),
        ({"region": "Y58", "as_at": "02/03/2026"}, Filters(region=("Y58",))),
        ({"as_at": "2026-02-30"}, Filters()),
        ({"as_at": ""}, Filters()),
        ({"as_at": "2026-03-02"}, Filters(as_at=dt.date(2026, 3, 2))),
        ({"icb": " QVV , ,QJK,"}, Filters(icb=("QVV", "QJK"))),
        ({"status": ""}, Filters()),
    ],
)
def test_from_query_ignores_unknown_keys_and_bad_dates(query, expected):
    assert Filters.from_query(query) == expected


@pytest.mark.parametrize(
    ("query", "filters", "problems"),
    [
        ({"icb": "QVV,QJK", "colour": "blue"}, Filters(icb=("QVV", "QJK")), []),
        ({"icb": "QVV,QVV"}, Filters(icb=("QVV",)), []),  # each value once
        ({"as_at": "2026-13-45"}, Filters(), [LinkProblem("as_at", ("2026-13-45",), NOT_A_DATE)]),
        (
            {"as_at": "02/03/2026", "region": "Y58"},
            Filters(region=("Y58",)),
            [LinkProblem("as_at", ("02/03/2026",), NOT_A_DATE)],
        ),
        ({"as_at": " "}, Filters(), []),
        ({"status": "nonsense"}, Filters(), [LinkProblem("status", ("nonsense",), NOT_A_STATUS)]),
        # "completed" is no longer a status: live covers it
        (
            {"status": "live,completed"},
            Filters(status=("live",)),
            [LinkProblem("status", ("completed",), NOT_A_STATUS, kept=("live",))],
        ),
        ({"status": "Live"}, Filters(), [LinkProblem("status", ("Live",), NOT_A_STATUS)]),
        ({"status": ",".join(STATUSES)}, Filters(status=STATUSES), []),
    ],
)
def test_parse_query_says_what_it_left_out(query, filters, problems):
    assert parse_query(query) == (filters, problems)


@pytest.mark.parametrize(
    ("asked", "kept", "problems"),
    [
        (Filters(icb=("QVV",)), Filters(icb=("QVV",)), []),
        (Filters(icb=("ZZZ",)), Filters(), [LinkProblem("icb", ("ZZZ",), NOT_IN_DATA)]),
        (
            Filters(icb=("ZZZ", "QVV")),
            Filters(icb=("QVV",)),
            [LinkProblem("icb", ("ZZZ",), NOT_IN_DATA, kept=("QVV",))],
        ),
        # in the data, but not within the ICB chosen above it
        (
            Filters(icb=("QVV",), sub_icb=("15N", "11J")),
            Filters(icb=("QVV",), sub_icb=("11J",)),
            [
                LinkProblem(
                    "sub_icb", ("15N",), NOT_WITHIN, kept=("11J",), within=(("icb", ("QVV",)),)
                )
            ],
        ),
        (
            Filters(region=("Y63",), icb=("QVV", "XXX")),
            Filters(region=("Y63",)),
            [
                LinkProblem("icb", ("XXX",), NOT_IN_DATA),
                LinkProblem("icb", ("QVV",), NOT_WITHIN, within=(("region", ("Y63",)),)),
            ],
        ),
        # a region left out narrows nothing below it
        (
            Filters(region=("Y99",), icb=("QVV",)),
            Filters(icb=("QVV",)),
            [LinkProblem("region", ("Y99",), NOT_IN_DATA)],
        ),
        # a real status no migration has is left out too, never shown as everything silently
        (
            Filters(status=("on_hold", "live")),
            Filters(status=("live",)),
            [LinkProblem("status", ("on_hold",), NOT_IN_DATA, kept=("live",))],
        ),
        (
            Filters(csu=(UNKNOWN,), target=("Vision",)),
            Filters(csu=(UNKNOWN,)),
            [LinkProblem("target", ("Vision",), NOT_IN_DATA)],
        ),
        (Filters(as_at=dt.date(2026, 3, 2)), Filters(as_at=dt.date(2026, 3, 2)), []),
    ],
)
def test_check_against_data_leaves_out_what_the_data_lacks(overview, asked, kept, problems):
    assert check_against_data(overview, asked) == (kept, problems)


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        (Filters(), ["M1", "M2", "M3", "M4", "M5", "M6"]),
        (Filters(region=("Y58",)), ["M1", "M2", "M3"]),
        (Filters(region=("Y58", "Y63")), ["M1", "M2", "M3", "M4", "M5"]),
        (Filters(icb=("QVV",)), ["M1", "M2"]),
        (Filters(sub_icb=("16C",)), ["M4", "M5"]),
        (Filters(region=("Y58",), target=("SystmOne",)), ["M1", "M3"]),
        (Filters(csu=("SCW",), status=("in_progress",)), ["M2"]),
        (Filters(csu=(UNKNOWN,)), ["M3", "M6"]),  # not recorded is a value one can pick
        (Filters(region=(UNKNOWN,)), ["M6"]),
        (Filters(source=(UNKNOWN, "SystmOne")), ["M2", "M5"]),
        (Filters(region=("Y63",), icb=("QVV",)), []),
        (Filters(status=("on_hold",)), []),
        (Filters(as_at=dt.date(2020, 1, 1)), ["M1", "M2", "M3", "M4", "M5", "M6"]),
    ],
)
def test_apply_filters(overview, filters, ids):
    assert list(apply_filters(overview, filters)["migration_id"]) == ids


def test_filter_columns_cover_every_filter():
    assert set(FILTER_COLUMNS) == set(Filters().selections())


def test_filter_options_cascade_region_icb_sub_icb(overview):
    everything = Filters()
    assert filter_options(overview, everything, "region") == sorted(["Y58", "Y63", UNKNOWN])
    assert filter_options(overview, everything, "icb") == sorted(["QHM", "QJK", "QVV", UNKNOWN])
    south_west = Filters(region=("Y58",))
    assert filter_options(overview, south_west, "icb") == ["QJK", "QVV"]
    assert filter_options(overview, south_west, "sub_icb") == ["11J", "15N"]
    # a region choice narrows the region list itself not at all
    assert filter_options(overview, south_west, "region") == sorted(["Y58", "Y63", UNKNOWN])
    dorset = Filters(region=("Y58",), icb=("QVV",))
    assert filter_options(overview, dorset, "sub_icb") == ["11J"]
    assert filter_options(overview, Filters(icb=("QHM",)), "sub_icb") == ["16C"]
    # filters below the organisations do not narrow each other
    assert filter_options(overview, south_west, "csu") == sorted(["NECS", "SCW", UNKNOWN])
    assert filter_options(overview, everything, "status") == [
        "cancelled",
        "in_progress",
        "live",
        "planned",
    ]


def test_filter_options_cascade_from_not_recorded(overview):
    unknown_region = Filters(region=(UNKNOWN,))
    assert len(apply_filters(overview, unknown_region)) == 1
    assert filter_options(overview, unknown_region, "icb") == [UNKNOWN]


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        # the words every organisation shares ("NHS", "Integrated Care Board", "ICB", the code
        # repeated) are left out of the label
        (
            "icb",
            {
                "QVV": "QVV – Dorset",
                "QJK": "QJK – Devon",
                "QHM": "QHM – North East and North Cumbria",
            },
        ),
        (
            "sub_icb",
            {
                "11J": "11J – Dorset",
                "15N": "15N – Devon",
                "16C": "16C – North East and North Cumbria",
            },
        ),
        ("region", {"Y58": "Y58 – South West", "Y63": "Y63 – North East and Yorkshire"}),
        ("csu", {}),
        ("status", {}),
    ],
)
def test_option_labels(overview, name, labels):
    assert option_labels(overview, name) == labels


@pytest.mark.parametrize(
    ("name", "code", "short"),
    [
        ("NHS Devon ICB - 15N", "15N", "Devon"),
        ("NHS Devon Integrated Care Board", "", "Devon"),
        (
            "NHS Bedfordshire, Luton and Milton Keynes ICB - M1J4Y",
            "M1J4Y",
            "Bedfordshire, Luton and Milton Keynes",
        ),
        ("NHS Dorset CCG", "", "Dorset"),
        ("South West", "Y58", "South West"),
    ],
)
def test_short_org_name(name, code, short):
    assert short_org_name(name, code) == short


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("J82001", ["M1"]),
        ("j82001", ["M1"]),
        ("  J82  ", ["M1", "M2"]),
        ("surgery", ["M1", "M4"]),
        ("BRIDGE medical", ["M2"]),
        ("a8100", ["M4", "M5"]),  # M5 has no practice name but its code still matches
        ("castle", ["M3"]),
        ("(", []),  # plain text, not a regular expression
        (".*", []),
        ("", ["M1", "M2", "M3", "M4", "M5", "M6"]),
        ("   ", ["M1", "M2", "M3", "M4", "M5", "M6"]),
        ("nowhere", []),
    ],
)
def test_search_by_code_or_name(overview, text, ids):
    assert list(search(overview, text)["migration_id"]) == ids


@pytest.mark.parametrize(
    ("by", "ids"),
    [
        ("go_live", ["M3", "M5", "M2", "M1", "M6", "M4"]),  # equal dates by ODS code, NaT last
        ("days_overrun", ["M4", "M2", "M3", "M5", "M1", "M6"]),  # most days first, then ODS
        ("name", ["M1", "M2", "M3", "M4", "M6", "M5"]),  # any case, missing last
        # not yet live soonest first (no date last), then live ones, then cancelled ones
        ("upcoming", ["M2", "M1", "M6", "M4", "M3", "M5"]),
    ],
)
def test_sort_migrations(overview, by, ids):
    assert list(sort_migrations(overview, by)["migration_id"]) == ids


def test_unknown_sort_falls_back_to_go_live(overview):
    assert list(sort_migrations(overview, "whatever")["migration_id"]) == list(
        sort_migrations(overview, "go_live")["migration_id"]
    )


def test_sort_by_name_ignores_case():
    frame = pd.DataFrame(
        {
            "migration_id": ["M1", "M2"],
            "ods_code": ["A00001", "A00002"],
            "practice_name": ["ZETA SURGERY", "abbey surgery"],
        }
    )
    ordered = sort_migrations(frame, "name")
    assert list(ordered["migration_id"]) == ["M2", "M1"]
    assert list(ordered.columns) == list(frame.columns)  # no helper column left behind


@pytest.mark.parametrize(
    ("rows", "size", "pages"),
    [
        (0, 50, 1),
        (1, 50, 1),
        (50, 50, 1),
        (51, 50, 2),
        (100, 50, 2),
        (101, 50, 3),
        (120, 50, 3),
        (6171, 60, 103),
    ],
)
def test_page_count(rows, size, pages):
    assert page_count(rows, size) == pages


@pytest.mark.parametrize(
    ("page", "first", "last", "length"),
    [(1, 0, 49, 50), (2, 50, 99, 50), (3, 100, 119, 20), (0, 0, 49, 50), (-1, 0, 49, 50)],
)
def test_page_of(page, first, last, length):
    frame = pd.DataFrame({"n": range(120)})
    rows = page_of(frame, page, 50)
    assert len(rows) == length
    assert (rows["n"].iloc[0], rows["n"].iloc[-1]) == (first, last)


def test_page_past_the_end_is_empty():
    assert page_of(pd.DataFrame({"n": range(120)}), 4, 50).empty
    assert page_of(pd.DataFrame({"n": []}), 1, 50).empty


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ({}, ("", None)),
        ({"icb": ("QJK",)}, ("icb", "QJK")),
        ({"region": ("Y58",), "icb": ("QJK",)}, ("icb", "QJK")),
        ({"icb": ("QJK", "QSL")}, ("", None)),  # two ICBs: no single organisation
        ({"icb": ("QJK", "QSL"), "region": ("Y58",)}, ("region", "Y58")),
        ({"sub_icb": ("15N",), "status": ("live",)}, ("sub_icb", "15N")),
    ],
)
def test_the_single_organisation_the_filters_choose(chosen, expected):
    from regiondash.scope import Filters, single_organisation

    assert single_organisation(Filters(**chosen)) == expected
