"""Forecast go live against hand-worked percentiles (the method is forecast.py's docstring)."""

import datetime as dt

import pandas as pd
import pytest

from regiondash import forecast
from regiondash.forecast import ForecastConfig
from tests import frames

AS_AT = dt.date(2026, 3, 15)  # no forecast may be earlier than 16 Mar 2026
T = pd.Timestamp
NAT = pd.NaT
EMIS, S1, VISION = "EMIS Web", "SystmOne", "Vision"


def migrations_frame(rows):
    return frames.migrations_frame(
        [
            {
                "migration_id": mid,
                "source_system": source,
                "target_system": target,
                "reported_status": status,
            }
            for mid, source, target, status in rows
        ]
    )


phases_frame = frames.phases_frame


def example(mid, registered, idp, live):
    """Phase rows of a migration that has gone live: registration, IDP and go live actuals."""
    return [
        [mid, "procurement", None, None, registered, None],
        [mid, "initial_data_production", None, None, idp, idp],
        [mid, "go_live", None, None, live, live],
    ]


# Completed examples. EMIS Web -> SystmOne, all registered 1 Sep and IDP 1 Oct 2025:
#   IDP -> go live 40, 45, 50, 55, 60 days: 10th pct 40 + 0.4*5 = 42, median 50,
#                                              90th pct 55 + 0.6*5 = 58
#   registration -> go live 70 ... 90 days:  10th pct 72, median 80, 90th pct 88
# Vision -> SystmOne, registered 1 Sep, IDP 1 Oct: IDP -> go live 20 and 30 days
#   (registration -> go live 50 and 60).
EXAMPLE_PHASES = [
    *example("E00001", "2025-09-01", "2025-10-01", "2025-11-10"),
    *example("E00002", "2025-09-01", "2025-10-01", "2025-11-15"),
    *example("E00003", "2025-09-01", "2025-10-01", "2025-11-20"),
    *example("E00004", "2025-09-01", "2025-10-01", "2025-11-25"),
    *example("E00005", "2025-09-01", "2025-10-01", "2025-11-30"),
    *example("V00001", "2025-09-01", "2025-10-01", "2025-10-21"),
    *example("V00002", "2025-09-01", "2025-10-01", "2025-10-31"),
]
EXAMPLES = [(f"E0000{n}", EMIS, S1, "Live") for n in range(1, 6)] + [
    ("V00001", VISION, S1, None),
    ("V00002", VISION, S1, None),
]
OPEN = [
    ("U00001", EMIS, S1, "On track"),
    ("U00002", VISION, S1, None),
    ("U00003", EMIS, S1, None),
    ("U00004", EMIS, S1, None),
    ("U00005", EMIS, S1, None),
    ("U00006", EMIS, S1, "CANCELLED - practice merged"),
    ("U00007", EMIS, S1, None),
    ("U00008", VISION, EMIS, None),
]
OPEN_PHASES = [
    # U1: registered and kicked off, then IDP on 1 Mar: anchored at IDP, same-pair sample (5)
    #   1 Mar + 42 / 50 / 58 = 12 Apr / 20 Apr / 28 Apr; planned 5 Apr is before 12 Apr, so
    #   optimistic, and 20 Apr - 5 Apr = 15 days behind.
    ["U00001", "procurement", "2026-01-05", "2026-01-16", "2026-01-10", "2026-01-20"],
    ["U00001", "kickoff", "2026-01-20", "2026-01-20", "2026-01-20", "2026-01-20"],
    ["U00001", "initial_data_production", "2026-03-01", "2026-03-01", "2026-03-01", "2026-03-01"],
    ["U00001", "go_live", "2026-04-05", "2026-04-05", None, None],
    # U2: Vision -> SystmOne has only 2 examples (< 5), so all 7 examples' IDP -> go live:
    #   20 30 40 45 50 55 60: 10th pct 20 + 0.6*10 = 26, median 45, 90th pct 55 + 0.4*5 = 57
    #   2 Mar + 26 / 45 / 57 = 28 Mar / 16 Apr / 28 Apr. Planned 28 Mar: not before the low.
    ["U00002", "initial_data_production", None, None, "2026-03-02", "2026-03-02"],
    ["U00002", "go_live", "2026-03-28", "2026-03-28", None, None],
    # U3: IDP on 25 Jan: 25 Jan + 42 = 8 Mar is in the past, so 16 Mar (as-at + 1);
    #   + 50 = 16 Mar; + 58 = 24 Mar. Planned 20 Mar: 16 - 20 = 4 days ahead.
    ["U00003", "initial_data_production", None, None, "2026-01-25", "2026-01-25"],
    ["U00003", "go_live", "2026-03-20", "2026-03-20", None, None],
    # U4: nothing done yet, registration planned 1 Apr: anchored there with registration -> go
    #   live: 1 Apr + 72 / 80 / 88 = 12 Jun / 20 Jun / 28 Jun. Planned 29 Jun: 9 days ahead.
    ["U00004", "procurement", "2026-04-01", "2026-04-14", None, None],
    ["U00004", "go_live", "2026-06-29", "2026-06-29", None, None],
    # U5: nothing done, registration planned 1 Feb (passed): anchored at the as-at date 15 Mar:
    #   15 Mar + 72 / 80 / 88 = 26 May / 3 Jun / 11 Jun. No planned go live.
    ["U00005", "procurement", "2026-02-01", "2026-02-14", None, None],
    # U6: cancelled: no forecast row at all
    ["U00006", "initial_data_production", None, None, "2026-03-01", "2026-03-01"],
    # U7: its go live "actual" 20 Mar is after the as-at date, so it is not live yet (and not an
    #   example): IDP 10 Feb + 42 / 50 / 58 = 24 Mar / 1 Apr / 9 Apr. Planned 20 Mar is before
    #   24 Mar: optimistic, 1 Apr - 20 Mar = 12 days behind.
    ["U00007", "initial_data_production", None, None, "2026-02-10", "2026-02-10"],
    ["U00007", "go_live", "2026-03-20", "2026-03-20", "2026-03-20", "2026-03-20"],
    # U8: anchored at data sign-off, which no example records: no forecast
    ["U00008", "initial_data_production", None, None, "2026-02-20", "2026-02-20"],
    ["U00008", "data_recheck_signoff", None, None, "2026-03-02", "2026-03-05"],
    ["U00008", "go_live", "2026-04-20", "2026-04-20", None, None],
]

MIGRATIONS = migrations_frame(EXAMPLES + OPEN)
PHASES = phases_frame(EXAMPLE_PHASES + OPEN_PHASES)
PAIR = "EMIS Web → SystmOne (5 migrations)"

EXPECTED = {
    # id: anchor, anchor_date, basis, examples, low, median, high, planned, optimistic, behind
    "U00001": (
        "idp",
        T("2026-03-01"),
        PAIR,
        5,
        T("2026-04-12"),
        T("2026-04-20"),
        T("2026-04-28"),
        T("2026-04-05"),
        True,
        15,
    ),
    "U00002": (
        "idp",
        T("2026-03-02"),
        "all migrations (7)",
        7,
        T("2026-03-28"),
        T("2026-04-16"),
        T("2026-04-28"),
        T("2026-03-28"),
        False,
        19,
    ),
    "U00003": (
        "idp",
        T("2026-01-25"),
        PAIR,
        5,
        T("2026-03-16"),
        T("2026-03-16"),
        T("2026-03-24"),
        T("2026-03-20"),
        False,
        -4,
    ),
    "U00004": (
        "registration",
        T("2026-04-01"),
        PAIR,
        5,
        T("2026-06-12"),
        T("2026-06-20"),
        T("2026-06-28"),
        T("2026-06-29"),
        False,
        -9,
    ),
    "U00005": (
        "registration",
        T("2026-03-15"),
        PAIR,
        5,
        T("2026-05-26"),
        T("2026-06-03"),
        T("2026-06-11"),
        NAT,
        False,
        None,
    ),
    "U00007": (
        "idp",
        T("2026-02-10"),
        PAIR,
        5,
        T("2026-03-24"),
        T("2026-04-01"),
        T("2026-04-09"),
        T("2026-03-20"),
        True,
        12,
    ),
    "U00008": (
        "data_signoff",
        T("2026-03-05"),
        "not enough history",
        0,
        NAT,
        NAT,
        NAT,
        T("2026-04-20"),
        False,
        None,
    ),
}


def as_rows(table):
    return {
        mid: tuple(None if v is pd.NA else v for v in row)
        for mid, row in zip(table.index, table.itertuples(index=False, name=None), strict=True)
    }


def test_forecast_known_table():
    table = forecast.forecast_go_live(MIGRATIONS, PHASES, AS_AT)
    assert list(table.columns) == forecast.FORECAST_COLUMNS
    assert table.index.name == "migration_id"
    # unfinished, uncancelled migrations only, in the migrations frame's order
    assert list(table.index) == list(EXPECTED)
    got = as_rows(table)
    for mid, expected in EXPECTED.items():
        assert len(got[mid]) == len(expected)
        for column, value, want in zip(table.columns, got[mid], expected, strict=True):
            if want is NAT:
                assert pd.isna(value), (mid, column)
            else:
                assert value == want, (mid, column, value, want)


def test_forecast_dtypes():
    table = forecast.forecast_go_live(MIGRATIONS, PHASES, AS_AT)
    dtypes = {column: str(dtype) for column, dtype in table.dtypes.items()}
    assert dtypes == {
        "anchor": "string",
        "anchor_date": "datetime64[us]",
        "basis": "string",
        "examples": "int64",
        "forecast_low": "datetime64[us]",
        "forecast_median": "datetime64[us]",
        "forecast_high": "datetime64[us]",
        "planned_go_live": "datetime64[us]",
        "optimistic": "bool",
        "days_behind": "Int64",
    }


def test_forecast_uses_the_pair_once_it_has_enough_examples():
    # With min_examples 2 the two Vision -> SystmOne examples (20, 30 days) are enough for U2:
    # 10th pct 20 + 0.15*10 = 21.5, rounded up to 22 (a low quantile of 0.15); median 25;
    # 90th pct 29. 2 Mar + 22 / 25 / 29 = 24 Mar / 27 Mar / 31 Mar.
    config = ForecastConfig(min_examples=2, low_quantile=0.15)
    row = forecast.forecast_go_live(MIGRATIONS, PHASES, AS_AT, config).loc["U00002"]
    assert row["basis"] == "Vision → SystmOne (2 migrations)"
    assert row["examples"] == 2
    assert (row["forecast_low"], row["forecast_median"], row["forecast_high"]) == (
        T("2026-03-24"),
        T("2026-03-27"),
        T("2026-03-31"),
    )


def test_forecast_with_no_history():
    open_only = MIGRATIONS[MIGRATIONS["migration_id"].str.startswith("U")]
    table = forecast.forecast_go_live(open_only, PHASES, AS_AT)
    assert list(table.index) == list(EXPECTED)
    assert (table["basis"] == "not enough history").all()
    assert (table["examples"] == 0).all()
    assert table[["forecast_low", "forecast_median", "forecast_high"]].isna().all().all()
    assert not table["optimistic"].any()
    assert table["days_behind"].isna().all()


def test_forecast_when_everything_is_live_or_cancelled():
    done = MIGRATIONS[MIGRATIONS["migration_id"].isin(["E00001", "V00001", "U00006"])]
    table = forecast.forecast_go_live(done, PHASES, AS_AT)
    assert table.empty
    assert list(table.columns) == forecast.FORECAST_COLUMNS


@pytest.mark.parametrize(
    "config",
    [
        {"min_examples": 0},
        {"low_quantile": 0.6},
        {"high_quantile": 1.5},
    ],
)
def test_forecast_config_rejects_nonsense(config):
    with pytest.raises(ValueError):
        ForecastConfig(**config)
