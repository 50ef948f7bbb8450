"""The demo fixture: deterministic, realistic, every phase and status at every as-at."""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import io
import itertools

import holidays
import pandas as pd
import pytest
from openpyxl import load_workbook

from regiondash import demo, metrics, store
from regiondash.fields import FIELD_BY_KEY, SYSTEMS, canonical_system, field_for_header
from regiondash.phases import MILESTONES, PHASE_KEYS, PHASE_SPAN_RULE, PHASES
from regiondash.reference import load_reference
from tests.golden import demo_overruns, golden

AS_ATS = [dt.date(2026, 6, 30), dt.date(2026, 8, 28), dt.date(2026, 9, 30), dt.date(2026, 11, 20)]
BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2029))
LABEL = {key: field.label for key, field in FIELD_BY_KEY.items()}


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.fixture(scope="module")
def uploads(reference):
    return demo.build_demo_uploads(reference)


@pytest.fixture(scope="module")
def national(reference):
    return demo.build_national_tracker(reference)


@pytest.fixture(scope="module")
def stored(demo_engine):
    """The demo imported upload by upload through the real pipeline, as `regiondash demo` does
    (tests/conftest.py's one demo database)."""
    return demo_engine


def _day(value) -> dt.date | None:
    return None if pd.isna(value) else value.date()


def _milestones(row: pd.Series, kind: str) -> dict[str, dt.date | None]:
    return {m: _day(row[LABEL[f"{m}_{kind}"]]) for m in MILESTONES}


def current_phase(actual: dict[str, dt.date | None], as_at: dt.date) -> str:
    """'not_started' or the phase key a migration sits in at the as-at, from actual dates only.

    A one-day phase (its rule starts and ends on one milestone) is current on that milestone's
    day; otherwise the latest span phase that has started and not ended; once the end of
    migration is reached the migration sits in end_of_migration (it is complete).
    """
    reached = {m: d for m, d in actual.items() if d is not None and d <= as_at}
    if not reached:
        return "not_started"
    if "end_of_migration" in reached:
        return "end_of_migration"
    for phase in reversed(PHASES):
        starts, end = PHASE_SPAN_RULE[phase.key]
        if starts == (end,) and reached.get(end) == as_at:
            return phase.key
    for phase in reversed(PHASES):
        starts, end = PHASE_SPAN_RULE[phase.key]
        started = any(s in reached for s in starts)
        if starts != (end,) and started and end not in reached:
            return phase.key
    return "post_go_live"  # post go live ended, end of migration not yet recorded


def _phases(upload) -> collections.Counter:
    return collections.Counter(
        current_phase(_milestones(row, "actual"), upload.as_at)
        for _, row in upload.frame.iterrows()
    )


def _go_live(row: pd.Series) -> dt.date:
    return _day(row[LABEL["go_live_actual"]]) or _day(row[LABEL["go_live_planned"]])


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ({}, "not_started"),
        ({"registration": dt.date(2026, 11, 2)}, "procurement"),
        ({"registration": dt.date(2026, 11, 2), "kickoff": dt.date(2026, 11, 20)}, "kickoff"),
        (
            {"registration": dt.date(2026, 11, 2), "kickoff": dt.date(2026, 11, 12)},
            "early_preparation",
        ),
        ({"idp": dt.date(2026, 11, 20)}, "initial_data_production"),
        ({"idp": dt.date(2026, 11, 10)}, "data_checking"),
        (
            {"idp": dt.date(2026, 11, 10), "data_signoff": dt.date(2026, 11, 20)},
            "data_recheck_signoff",
        ),
        ({"data_signoff": dt.date(2026, 11, 2)}, "cutover_planning"),
        ({"data_signoff": dt.date(2026, 11, 2), "fdp": dt.date(2026, 11, 19)}, "cutover"),
        ({"fdp": dt.date(2026, 11, 19), "go_live": dt.date(2026, 11, 20)}, "go_live"),
        (
            {"go_live": dt.date(2026, 11, 16), "post_go_live_end": dt.date(2026, 11, 19)},
            "post_go_live",
        ),
        ({"end_of_migration": dt.date(2026, 11, 1)}, "end_of_migration"),
    ],
)
def test_current_phase_helper(actual, expected):
    full = dict.fromkeys(MILESTONES) | actual
    assert current_phase(full, dt.date(2026, 11, 20)) == expected


def test_build_is_deterministic(reference, uploads):
    again = demo.build_demo_uploads(reference)
    for first, second in zip(uploads, again, strict=True):
        assert hashlib.sha256(first.content).digest() == hashlib.sha256(second.content).digest()
        pd.testing.assert_frame_equal(first.frame, second.frame)
    other = demo.build_demo_uploads(reference, seed=7)
    assert other[-1].content != uploads[-1].content


def test_uploads_metadata(uploads):
    assert demo.DEMO_REGION == "Y58"
    assert [u.as_at for u in uploads] == AS_ATS
    assert {dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 11, 20)} <= {
        u.as_at for u in uploads
    }
    assert {u.uploaded_by for u in uploads} == {"SCW CSU migration team"}
    assert [u.uploaded_at for u in uploads] == [
        dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 9, 1, 9, 30, tzinfo=dt.UTC),  # after the Friday and bank holiday
        dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC),
    ]
    assert uploads[0].file_name == "SW GP migrations tracker 2026-06-30.xlsx"
    assert [len(u.frame) for u in uploads] == [117, 118, 118, 119]


def test_content_is_the_frame_as_a_workbook(uploads):
    upload = uploads[-1]
    wb = load_workbook(io.BytesIO(upload.content))
    ws = wb["Tracker"]
    assert [c.value for c in ws[1]] == list(upload.frame.columns)
    assert ws.max_row == len(upload.frame) + 1
    assert wb.properties.modified == dt.datetime(2026, 11, 23, 9, 30)
    go_live = list(upload.frame.columns).index(LABEL["go_live_planned"]) + 1
    cell = ws.cell(row=2, column=go_live)
    assert cell.is_date and cell.number_format == "dd/mm/yyyy"
    assert cell.value.date() == _day(upload.frame[LABEL["go_live_planned"]].iloc[0])
    first = upload.frame.iloc[0]
    assert [c.value for c in ws[2]][:2] == [first[LABEL["ods_code"]], first["Practice name"]]


def test_every_row_is_a_practice_of_the_region(reference, uploads):
    region = reference.practices[reference.practices["region_code"] == "Y58"]
    for upload in uploads:
        codes = upload.frame[LABEL["ods_code"]]
        assert codes.is_unique
        assert set(codes) <= set(region.index)
        names = region.loc[list(codes), "practice_name"]
        assert list(upload.frame[LABEL["practice_name"]]) == list(names)


def test_headers_map_to_their_fields(uploads):
    for upload in uploads:
        for column in upload.frame.columns:
            key = field_for_header(column)
            assert key is not None and FIELD_BY_KEY[key].label == column
    assert len(uploads[0].frame.columns) == 34


@pytest.mark.parametrize("index", range(4))
def test_every_phase_and_status_at_every_as_at(uploads, index):
    upload = uploads[index]
    counts = _phases(upload)
    assert set(counts) == {"not_started", *PHASE_KEYS}
    status = upload.frame[LABEL["reported_status"]]
    assert {"Not started", "In progress", "Live", "Complete"} <= set(status)


def test_phase_counts_back_test(uploads):
    # Known-good counts: a change here means the fixture changed; update deliberately.
    expected_last = {
        "not_started": 9,
        "procurement": 3,
        "kickoff": 1,
        "technical_survey": 1,
        "early_preparation": 5,
        "initial_data_production": 1,
        "data_checking": 6,
        "data_recheck_signoff": 1,
        "cutover_planning": 14,
        "final_data_production": 2,
        "cutover": 5,
        "go_live": 1,
        "post_go_live": 8,
        "end_of_migration": 62,
    }
    assert dict(_phases(uploads[-1])) == expected_last
    completed = [_phases(u)["end_of_migration"] for u in uploads]
    assert completed == [10, 22, 40, 62]


def test_actual_and_event_dates_never_after_the_as_at(uploads):
    dated = [LABEL[f"{m}_actual"] for m in MILESTONES] + [LABEL[k] for k in demo.EVENT_DATE_FIELDS]
    for upload in uploads:
        latest = upload.frame[dated].max().max()
        assert latest.date() <= upload.as_at
    assert latest.date() == AS_ATS[-1]  # milestones do land on the as-at itself


def test_milestones_run_in_order(uploads):
    for upload in uploads:
        for _, row in upload.frame.iterrows():
            planned = list(_milestones(row, "planned").values())
            assert all(a < b for a, b in itertools.pairwise(planned))
            actual = list(_milestones(row, "actual").values())
            recorded = [d for d in actual if d is not None]
            assert actual[: len(recorded)] == recorded  # no gaps: actuals are a prefix
            assert all(a < b for a, b in itertools.pairwise(recorded))


def test_plans_follow_the_guide(uploads):
    seen, judged = set(), set()
    for upload in uploads:
        for _, row in upload.frame.iterrows():
            ods = row[LABEL["ods_code"]]
            if ods in seen:
                continue  # re-plans move dates; judge each migration's first plan
            seen.add(ods)
            p, a = _milestones(row, "planned"), _milestones(row, "actual")
            if any(a[m] and a[m] > p[m] for m in MILESTONES):
                continue  # it slipped before its first upload: what is left is already re-planned
            judged.add(ods)
            whole = (p["post_go_live_end"] - p["registration"]).days + 1
            assert 12 * 7 <= whole <= 16 * 7, ods
            assert 7 <= (p["kickoff"] - p["registration"]).days + 1 <= 14
            assert 7 <= (p["idp"] - p["technical_survey"]).days + 1 <= 14
            assert 3 <= (p["data_signoff"] - p["idp"]).days + 1 <= 21
            assert 3 <= (p["go_live"] - p["fdp"]).days + 1 <= 14
            assert 5 <= (p["post_go_live_end"] - p["go_live"]).days + 1 <= 14
    assert len(seen) == 120 and len(judged) == 110


def test_overruns_at_the_last_as_at(uploads):
    upload = uploads[-1]
    late_done = unfinished_late = 0
    for _, row in upload.frame.iterrows():
        planned, actual = _milestones(row, "planned"), _milestones(row, "actual")
        late_done += any(actual[m] and actual[m] > planned[m] for m in MILESTONES)
        unfinished_late += any(actual[m] is None and planned[m] < upload.as_at for m in MILESTONES)
    assert late_done >= 30
    assert unfinished_late >= 5


def _rows(upload) -> dict[str, pd.Series]:
    return {row[LABEL["ods_code"]]: row for _, row in upload.frame.iterrows()}


def test_slips_are_re_planned_and_history_kept(uploads):
    # As real trackers do: a milestone's plan never changes once it is done, and a milestone done
    # late moves the plan of what is still to come in the next upload, so one slip does not make
    # every later phase overrun.
    moved = 0
    for before, after in itertools.pairwise(uploads):
        old, new = _rows(before), _rows(after)
        for ods in old.keys() & new.keys():
            p0, p1 = _milestones(old[ods], "planned"), _milestones(new[ods], "planned")
            a0, a1 = _milestones(old[ods], "actual"), _milestones(new[ods], "actual")
            assert all(p1[m] == p0[m] for m in MILESTONES if a0[m]), ods
            late = [m for m in MILESTONES if a1[m] and not a0[m] and a1[m] > p1[m]]
            to_come = [m for m in MILESTONES if not a1[m]]
            if late and to_come:
                assert p1[to_come[0]] > p0[to_come[0]], ods
                moved += 1
    assert moved == 15
    # Each slip shows as one milestone overran, not a cascade: rows by milestones overran.
    overran = collections.Counter()
    for row in _rows(uploads[-1]).values():
        planned, actual = _milestones(row, "planned"), _milestones(row, "actual")
        overran[sum(bool(actual[m] and actual[m] > planned[m]) for m in MILESTONES)] += 1
    assert overran == {0: 87, 1: 26, 2: 6}


# Known-good figures through the real pipeline by design.md §4 (regiondash.metrics), in
# tests/golden/demo_overruns.json: a change there means the fixture changed; regenerate
# deliberately (scripts/regenerate_golden.py) and read the diff.
DEMO_OVERRUNS = golden("demo_overruns")


def test_overrunning_back_test(stored):
    assert [dt.date.fromisoformat(d) for d in DEMO_OVERRUNS["overrunning_at"]] == AS_ATS
    assert demo_overruns(stored) == DEMO_OVERRUNS
    history = store.phase_history(stored, "go_live")
    last = AS_ATS[-1]
    migrations, phases = store.current_picture(stored, last)
    result = metrics.summary(migrations, phases, last, history)
    # 119: the migration that disappeared after the 2nd upload has left the picture (it was
    # counted, as at its last upload, until each tracker's latest upload made the picture)
    assert result["migrations"] == 119 and result["overrunning"] == 40
    overview = metrics.migration_overview(migrations, phases, last, history)
    assert 0.25 <= metrics.headline(overview, last)["overrunning_share"] <= 0.40
    # A few unfinished phases overrunning right now: planned end passed, no actual end.
    table = metrics.phase_status(phases, last)
    active = overview.loc[overview["status"] != "cancelled", "migration_id"]
    now = table[table["overrunning"] & table["migration_id"].isin(active)]
    assert now["migration_id"].nunique() == 6  # 4 overdue now and the 2 on hold


def test_go_live_moved_three_times(uploads):
    plans = pd.concat(
        [u.frame.set_index(LABEL["ods_code"])[LABEL["go_live_planned"]] for u in uploads], axis=1
    )
    moves = plans.apply(lambda s: int((s.dropna().diff().dropna() != pd.Timedelta(0)).sum()), 1)
    assert (moves >= 3).sum() >= 2
    assert (moves >= 1).sum() >= 10
    moved = plans[(moves == 3) & (plans.iloc[:, 3] - plans.iloc[:, 0] == pd.Timedelta(days=41))]
    assert len(moved) == 1
    assert [d.date() for d in moved.iloc[0]] == [
        dt.date(2026, 11, 18),
        dt.date(2026, 12, 2),
        dt.date(2026, 12, 15),
        dt.date(2026, 12, 29),
    ]


def test_go_lives_in_busy_periods(uploads):
    frame = uploads[-1].frame
    go_lives = [_go_live(row) for _, row in frame.iterrows()]
    christmas = [d for d in go_lives if (d.month, d.day) >= (12, 24) or (d.month, d.day) <= (1, 2)]
    assert christmas and dt.date(2026, 12, 29) in christmas
    assert dt.date(2026, 8, 31) in go_lives and dt.date(2026, 8, 31) in BANK_HOLIDAYS
    qof = [d for d in go_lives if d.month in (3, 4)]
    assert dt.date(2026, 3, 31) in qof and any(d.year == 2027 for d in qof)
    flu = [d for d in go_lives if d.month >= 9 or d.month <= 3]
    assert len(flu) >= 40


def test_rows_come_and_go(uploads):
    codes = [set(u.frame[LABEL["ods_code"]]) for u in uploads]
    assert len(codes[1] - codes[0]) == 1
    assert len(codes[2] - codes[1]) == 1
    assert len(codes[3] - codes[2]) == 1
    gone = codes[0] - codes[3]
    assert len(gone) == 1 and gone < codes[1] and not gone & codes[2]


def test_tracker_status_and_rag(uploads):
    last = uploads[-1].frame
    status = last[LABEL["reported_status"]].value_counts()
    assert status["On hold"] == 2 and status["Cancelled"] == 1
    assert set(last[LABEL["reported_rag"]].dropna()) == {"Red", "Amber", "Green"}
    on_hold = last[last[LABEL["reported_status"]] == "On hold"]
    assert set(on_hold[LABEL["reported_rag"]]) == {"Red"}
    assert on_hold[LABEL["notes"]].str.startswith("On hold").all()


def test_systems_and_aliases(reference, uploads):
    frame = uploads[-1].frame
    source, target = frame[LABEL["source_system"]], frame[LABEL["target_system"]]
    assert {"TPP", "EMIS", "S1"} & set(source.dropna()) | set(target.dropna())
    assert {canonical_system(v) for v in pd.concat([source, target]).dropna()} == set(SYSTEMS)
    canonical = source.map(canonical_system, na_action="ignore")
    pairs = collections.Counter(zip(canonical, target.map(canonical_system), strict=True))
    assert pairs[("EMIS Web", "SystmOne")] + pairs[("SystmOne", "EMIS Web")] >= 100
    assert (target == "Evolution").sum() == 3 and (source == "Vision").sum() == 2
    blank = frame[source.isna()]
    assert 2 <= len(blank) <= 6
    # Blank sources are left where the reference knows the practice's system, so it can be inferred.
    assert reference.practices.loc[list(blank[LABEL["ods_code"]]), "source_system"].notna().all()


def test_organisation_columns(reference, uploads):
    frame = uploads[-1].frame.set_index(LABEL["ods_code"])
    filled = frame[frame[LABEL["sub_icb_code"]].notna()]
    assert 8 <= len(frame) - len(filled) <= 25
    ref = reference.practices.loc[filled.index]
    assert list(filled[LABEL["sub_icb_code"]]) == list(ref["sub_icb_code"])
    assert list(filled[LABEL["icb_code"]]) == list(ref["icb_code"])
    assert frame[LABEL["region_code"]].dropna().eq("Y58").all()
    csu = frame[LABEL["csu"]].value_counts()
    assert csu.index[0] == "NHS South, Central and West CSU" and csu.iloc[0] >= 90
    assert len(csu) == 2


def test_event_dates_mostly_present(uploads):
    frame = uploads[-1].frame
    started = frame[frame[LABEL["registration_actual"]].notna()]
    for key in ("extract_requested", "decommission_schedule_a"):
        missing = started[LABEL[key]].isna().sum()
        assert 0 < missing < len(started) * 0.3, key
    live = frame[frame[LABEL["go_live_actual"]].notna()]
    delay = (live[LABEL["tracking_updated"]] - live[LABEL["go_live_actual"]]).dt.days
    assert (delay > 14).sum() >= 2 and delay.isna().sum() >= 2 and (delay <= 7).sum() >= 30


def test_extract_requested_five_to_eight_weeks_before_idp(uploads):
    # The supplier may need 5 weeks' notice (risks.extract_request_late), so most extracts are
    # requested 35-60 days before IDP, before registration; a few late, one after IDP.
    frame = uploads[-1].frame
    requested = frame[LABEL["extract_requested"]]
    notice = (frame[LABEL["idp_planned"]] - requested).dt.days.dropna()
    assert notice.between(35, 60).sum() == 104 and (notice < 35).sum() == 7
    assert notice.max() <= 60
    after = frame.loc[notice[notice <= 0].index]  # re-requested after IDP: out of order
    assert list(after[LABEL["reported_status"]]) == ["On hold"]
    assert (requested < frame[LABEL["registration_planned"]]).sum() >= 100


def test_migrations_bounds(reference):
    with pytest.raises(ValueError, match="between"):
        demo.build_demo_uploads(reference, migrations=10)
    small = demo.build_demo_uploads(reference, migrations=80)
    assert [len(u.frame) for u in small] == [77, 78, 78, 79]


def test_national_tracker(reference, national):
    assert len(national) == len(reference.practices) == 6171
    assert 38 <= len(national.columns) <= 42
    assert list(national[LABEL["ods_code"]]) == list(reference.practices.index)
    unknown = [c for c in national.columns if field_for_header(c) is None]
    assert unknown == list(demo.NATIONAL_EXTRA_COLUMNS)
    mapped = [field_for_header(c) for c in national.columns if c not in unknown]
    assert len(mapped) == len(set(mapped)) == 34
    assert set(national[LABEL["region_code"]].dropna()) == {
        "Y56",
        "Y58",
        "Y59",
        "Y60",
        "Y61",
        "Y62",
        "Y63",
    }
    assert national[LABEL["go_live_planned"]].notna().all()


def test_national_tracker_is_deterministic(reference, national):
    again = demo.build_national_tracker(reference)
    pd.testing.assert_frame_equal(national, again)
