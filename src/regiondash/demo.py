"""The one deterministic demo and fixture builder: a South West tracker uploaded four times.

Real practices (ODS code, name, organisations) from the reference; the migrations are FICTIONAL.
``build_demo_uploads(load_reference())`` with the defaults holds:

==============  ===============================================================================
region          Y58 South West: 120 practices picked with ``random.Random(DEMO_SEED)``
uploads         4 of one tracker (117, 118, 118, 119 rows) as at 30 Jun, 28 Aug, 30 Sep and
                20 Nov 2026 by the SCW CSU migration team; the 4th lets a go live move 3 times
phases          at EVERY as-at: not started, each of the 13 phases (one migration anchored in
                each; one-day phases exactly on the as-at), live and completed. At 20 Nov:
                10 not started, 36 in phases 1-10 (17 in cut-over planning), 1 going live,
                11 in post go live, 61 complete (13, 24, 41 at the earlier as-ats)
plans           the guide's phase durations, 12-16 weeks registration to end of post go live,
                on working days; actual dates only on or before the row's as-at
overruns        slips on about 60% of migrations (some over the guide), unfinished phases past
                plan, 2 "On hold" (RAG Red) and 1 "Cancelled"
re-plans        one go live moved at 3 uploads (18 Nov -> 29 Dec 2026, +41 days, into
                Christmas); two more moved 3 times, 12 others once or twice
busy periods    go lives on 31 Aug 2026 (bank holiday), 24 and 29 Dec 2026, 31 Mar 2026 and
                Mar-Apr 2027 (QOF year end); most fall in flu season (Sep-Mar)
churn           3 migrations first appear in the 2nd, 3rd and 4th upload; 1 disappears after
                the 2nd
systems         EMIS Web <-> SystmOne (from the practice's current supplier); 2 from Vision,
                3 to Evolution; aliases (TPP, S1, EMIS ...) on 14 cells; Source system blank
                on 5 rows (the importer infers it from the reference)
organisations   Sub-ICB, ICB and Region code from the reference, blank on 10 rows (filled on
                import); CSU: SCW, or Arden and GEM for Gloucestershire (QR1, 16 rows)
events          extract requested, decommission Schedule A, cut-over planning meeting,
                tracking updated: on time on most, late on about 1 in 8, missing on 1 in 10
==============  ===============================================================================
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import holidays
import pandas as pd

from regiondash.fields import EVENT_DATE_FIELDS, FIELD_BY_KEY, IDENTITY_FIELDS, MILESTONE_FIELDS
from regiondash.phases import (
    MILESTONES,
    PHASE_SPAN_RULE,
    WHOLE_MIGRATION_MAX_DAYS,
    WHOLE_MIGRATION_MIN_DAYS,
)
from regiondash.reference import Reference
from regiondash.template import workbook_bytes  # part of this module's API

DEMO_REGION = "Y58"  # South West
DEMO_SEED = 2026
AS_AT_DATES = (dt.date(2026, 6, 30), dt.date(2026, 8, 28), dt.date(2026, 9, 30),
               dt.date(2026, 11, 20))  # fmt: skip
UPLOADED_BY = "SCW CSU migration team"
SCW = "NHS South, Central and West CSU"
AGEM = "NHS Arden and Greater East Midlands CSU"
MLCSU = "NHS Midlands and Lancashire CSU"
CSU_BY_REGION = {"Y56": AGEM, "Y58": SCW, "Y59": SCW, "Y60": MLCSU, "Y61": AGEM, "Y62": MLCSU,
                 "Y63": "NHS North of England CSU"}  # fmt: skip
SECOND_CSU_ICB = "QR1"  # Gloucestershire's migrations run by a second CSU in the demo
NATIONAL_AS_AT = AS_AT_DATES[-1]
NATIONAL_EXTRA_COLUMNS = ("PCN", "Postcode", "Project manager", "List size", "Training date",
                          "Last updated by")  # fmt: skip

MS = tuple(MILESTONES)  # registration ... end_of_migration
GROUP = ("fdp", "go_live", "post_go_live_end", "end_of_migration")  # what a re-plan moves
# Planned gap (days) between consecutive milestones: the guide's phase lengths minus one (inclusive
# counting), as (draw low, draw high, hard low, hard high). The data_signoff -> fdp gap is what is
# left of the 12-16 weeks.
_LINKS = ((6, 12, 6, 13), (2, 6, 1, 10), (6, 12, 6, 13), (4, 14, 2, 20), (0, 0, 7, 10_000),
          (3, 10, 2, 13), (5, 12, 4, 13), (3, 20, 1, 60))  # fmt: skip
_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2029))
_ALIASES = {"SystmOne": ("TPP", "S1", "TPP SystmOne"), "EMIS Web": ("EMIS", "EMIS Health")}
# Milestone -> the one-day phase on its day, and the phase it starts (PHASE_SPAN_RULE).
_POINT = {end: p for p, (starts, end) in PHASE_SPAN_RULE.items() if starts == (end,)}
_AFTER = {s: p for p, (starts, end) in PHASE_SPAN_RULE.items() if starts != (end,) for s in starts}
_AFTER |= {"post_go_live_end": "post_go_live", "end_of_migration": "end_of_migration"}
# Phase to anchor -> (milestone placed at the as-at, days before it: low, high).
_ANCHORS = {"not_started": ("registration", -70, -7), "procurement": ("registration", 0, 5),
            "kickoff": ("kickoff", 0, 0), "technical_survey": ("technical_survey", 0, 0),
            "early_preparation": ("technical_survey", 1, 4),
            "initial_data_production": ("idp", 0, 0), "data_checking": ("idp", 1, 3),
            "data_recheck_signoff": ("data_signoff", 0, 0),
            "cutover_planning": ("data_signoff", 1, 6), "final_data_production": ("fdp", 0, 0),
            "cutover": ("fdp", 1, 2), "go_live": ("go_live", 0, 0),
            "post_go_live": ("go_live", 1, 3),
            "end_of_migration": ("end_of_migration", 0, 0)}  # fmt: skip


@dataclass(frozen=True)
class DemoUpload:
    """One upload of the demo tracker: its metadata, the wide frame and the .xlsx bytes."""

    file_name: str
    uploaded_by: str
    as_at: dt.date
    uploaded_at: dt.datetime
    frame: pd.DataFrame
    content: bytes


@dataclass
class _Migration:
    ods: str
    planned: dict[str, dt.date]
    actual: dict[str, dt.date]  # eventual actual dates; a row shows those on or before its as-at
    events: dict[str, dt.date | None] = field(default_factory=dict)
    shifts: tuple[int, ...] = (0, 0, 0, 0)  # days added to the GROUP's plan at each upload
    first: int = 0  # first and last upload that holds the row
    last: int = 3
    halt: tuple[str, dt.date] | None = None  # ("On hold" or "Cancelled", from)
    source: str | None = None  # overrides the practice's current supplier
    target: str | None = None
    note: str = ""


def _workday(day: dt.date, step: int = 1) -> dt.date:
    while day.weekday() >= 5 or day in _BANK_HOLIDAYS:
        day += dt.timedelta(days=step)
    return day


def _step(prev: dt.date, gap: int, direction: int, lo: int, hi: int) -> dt.date:
    # Land on a working day, keeping the gap within the guide when that is possible.
    day = prev + dt.timedelta(days=direction * gap)
    for candidate in (_workday(day, direction), _workday(day, -direction)):
        if lo <= abs((candidate - prev).days) <= hi and candidate != prev:
            return candidate
    return _workday(day, direction)


def _chain(anchor: str, day: dt.date, gaps: list[int], slips: list[int]) -> dict[str, dt.date]:
    """Milestone dates built out from `day` at `anchor`, forwards and backwards."""
    i = MS.index(anchor)
    dates = {anchor: day}
    for j in [*range(i + 1, len(MS)), *range(i - 1, -1, -1)]:
        step = 1 if j > i else -1
        link, s = j - (step > 0), slips[j - (step > 0)]
        lo, hi = _LINKS[link][2:]  # a slip stretches the bounds with the gap
        dates[MS[j]] = _step(dates[MS[j - step]], gaps[link] + s, step, max(1, lo + s), hi + s)
    return {m: dates[m] for m in MS}


def _gaps(rng: random.Random) -> list[int]:
    gaps = [rng.randint(lo, hi) for lo, hi, _, _ in _LINKS]
    # Registration to the end of post go live inclusive is 12-16 weeks; leave room for snapping.
    gaps[4] = rng.randint(WHOLE_MIGRATION_MIN_DAYS, WHOLE_MIGRATION_MAX_DAYS - 8) - 1 - sum(gaps)
    return gaps


def _slips(rng: random.Random) -> list[int]:
    if rng.random() < 0.4:  # on track
        return [0] * len(_LINKS)
    out = []
    for _ in _LINKS:
        r = rng.random()
        out.append(0 if r < 0.6 else rng.randint(1, 3) if r < 0.8 else rng.randint(4, 10)
                   if r < 0.94 else rng.randint(11, 21))  # fmt: skip
    return out


def _phase_on(actual: dict[str, dt.date], as_at: dt.date) -> str:
    """Phase at the as-at from actual dates alone (used to aim the anchors, not a metric)."""
    reached = [m for m in MS if m in actual and actual[m] <= as_at]
    if not reached:
        return "not_started"
    last = reached[-1]
    return _POINT[last] if actual[last] == as_at and last in _POINT else _AFTER[last]


def _events(rng: random.Random, dates: dict[str, dt.date]) -> dict[str, dt.date | None]:
    """Event dates: on time on most, late on about 1 in 8, missing on 1 in 10."""
    day = {k: dates[k] for k in ("registration", "kickoff", "idp", "fdp", "go_live")}
    n, d = rng.randint, dt.timedelta
    timing = {  # (on time, late)
        "extract_requested": (day["registration"] + d(n(0, 3)), day["idp"] - d(n(3, 10))),
        "decommission_schedule_a": (day["registration"] + d(n(0, 10)),
                                    day["go_live"] + d(n(10, 40))),
        "cutover_planning_meeting": (max(day["kickoff"] + d(1), day["fdp"] - d(n(28, 42))),
                                     day["fdp"] - d(n(5, 12))),
        "tracking_updated": (day["go_live"] + d(n(1, 7)), day["go_live"] + d(n(21, 50))),
    }  # fmt: skip
    out = {}
    for key, (good, bad) in timing.items():
        r = rng.random()
        out[key] = None if r < 0.1 else _workday(bad if r < 0.22 else good)
    return out


def _migration(rng: random.Random, ods: str, anchor: str, day: dt.date,
               slips: list[int] | None = None) -> _Migration:  # fmt: skip
    """A migration whose actual `anchor` milestone falls on `day`, planned within the guide."""
    for _ in range(50):
        gaps, slip = _gaps(rng), slips or _slips(rng)
        actual = _chain(anchor, day, gaps, slip)
        # The plan starts from the same order date; without slips it is the actual schedule.
        planned = _chain("registration", actual["registration"], gaps, [0] * 8)
        planned = planned if any(slip) else dict(actual)
        span = (planned["post_go_live_end"] - planned["registration"]).days + 1
        if WHOLE_MIGRATION_MIN_DAYS <= span <= WHOLE_MIGRATION_MAX_DAYS:
            break
    return _Migration(ods, planned, actual, _events(rng, actual))


def _replan(rng: random.Random, m: _Migration) -> None:
    """Move a migration's planned go live at some uploads while it is not yet live."""
    shift, shifts = 0, [0]
    for as_at in AS_AT_DATES[1:]:
        live = m.actual["go_live"] + dt.timedelta(shift)
        if live > as_at + dt.timedelta(14) and rng.random() < 0.6:
            shift += rng.randint(7, 21)
        shifts.append(shift)
    if shift:
        m.shifts = tuple(shifts)
        for key in GROUP:  # the delay the re-plan absorbs happens in cut-over planning
            m.actual[key] = _workday(m.actual[key] + dt.timedelta(shift))
        m.events = _events(rng, m.actual)
        m.note = "Go live re-planned at practice request"


def _halt(m: _Migration, status: str, after: str, note: str) -> None:
    stop = m.actual[after]
    m.actual = {k: v for k, v in m.actual.items() if MS.index(k) <= MS.index(after)}
    m.events = {k: (v if v and v <= stop else None) for k, v in m.events.items()}
    m.halt, m.note = (status, stop + dt.timedelta(14)), note


def _migrations(rng: random.Random, practices: list[str], total: int) -> list[_Migration]:
    """The demo's migrations: anchors for phase coverage, hand-made specials, then random ones."""
    pick = iter(practices)
    out: list[_Migration] = []
    for as_at in AS_AT_DATES:
        for phase, (anchor, lo, hi) in _ANCHORS.items():
            for _ in range(100):  # redraw until the as-at lands in the phase
                back = rng.randint(lo, hi)
                day = _workday(as_at - dt.timedelta(back), -1 if back > 0 else 1)
                m = _migration(rng, "", anchor, day)
                if _phase_on(m.actual, as_at) == phase:
                    break
            else:
                raise RuntimeError(f"cannot place a migration in {phase} at {as_at}")
            m.ods = next(pick)
            out.append(m)
    zero = [0] * 8
    d = dt.date
    specials = [
        ("go_live", d(2026, 11, 18), zero),  # re-planned three times, below
        ("go_live", d(2026, 8, 31), zero),  # bank holiday
        ("go_live", d(2026, 3, 31), zero),  # QOF year end, before the first upload
        ("go_live", d(2027, 3, 2), zero),  # QOF year end, planned
        ("go_live", d(2026, 12, 24), zero),  # Christmas Eve
        ("registration", d(2026, 6, 1), None),  # on hold after IDP
        ("registration", d(2026, 8, 24), None),  # on hold after technical survey
        ("registration", d(2026, 7, 6), None),  # cancelled after kickoff
        ("registration", d(2026, 10, 12), None),  # disappears after the 2nd upload
        ("registration", d(2026, 8, 10), None),  # first in upload 2
        ("registration", d(2026, 9, 21), None),  # first in upload 3
        ("registration", d(2026, 12, 7), None),  # first in upload 4
    ]
    made = [_migration(rng, next(pick), a, day, slips) for a, day, slips in specials]
    replan3, bank, qof, _, xmas, hold1, hold2, cancel, gone, *late = made
    replan3.shifts = (0, 14, 27, 41)
    for key in GROUP:
        replan3.actual[key] = _workday(replan3.planned[key] + dt.timedelta(41))
    replan3.actual["data_signoff"] = _workday(replan3.actual["data_signoff"] + dt.timedelta(9))
    replan3.events = _events(rng, replan3.actual)
    replan3.note = "Go live moved: data quality issues, then practice request"
    bank.note, xmas.note = "Practice chose the bank holiday to avoid clinics", "Go live agreed"
    qof.source, qof.note = "Vision", "Vision decommissioning"
    _halt(hold1, "On hold", "idp", "On hold: data quality issues in the extract")
    _halt(hold2, "On hold", "technical_survey", "On hold: practice merger under review")
    _halt(cancel, "Cancelled", "kickoff", "Cancelled: practice staying on current system")
    gone.last = 1
    for i, m in enumerate(late, start=1):
        m.first = i
    out += made
    start, stop = dt.date(2025, 12, 1), dt.date(2027, 1, 15)
    while len(out) < total:
        day = _workday(start + dt.timedelta(rng.randint(0, (stop - start).days)))
        m = _migration(rng, next(pick), "registration", day)
        if m.actual["go_live"] > AS_AT_DATES[1] and rng.random() < 0.6:
            _replan(rng, m)
        out.append(m)
    return out


def _planned_at(m: _Migration, key: str, k: int) -> dt.date:
    """The plan as the k-th upload records it: re-plans freeze once the milestone happens."""
    if key not in GROUP:
        return m.planned[key]
    j = max((i for i in range(k + 1) if m.actual.get(key, dt.date.max) > AS_AT_DATES[i]),
            default=0)  # fmt: skip
    return _workday(m.planned[key] + dt.timedelta(m.shifts[j]))


def _status_rag(m: _Migration, row: dict, as_at: dt.date, optimist: bool) -> tuple[str, str | None]:
    reached = [k for k in MS if m.actual.get(k, dt.date.max) <= as_at]
    if m.halt and as_at >= m.halt[1]:
        return m.halt[0], "Red" if m.halt[0] == "On hold" else None
    if "end_of_migration" in reached:
        return "Complete", "Green"
    late = 0
    for key in MS:
        planned = row[FIELD_BY_KEY[f"{key}_planned"].label]
        seen = m.actual[key] if key in reached else as_at if planned < as_at else None
        late = max(late, (seen - planned).days if seen else 0)
    status = "Live" if "go_live" in reached else "In progress" if reached else "Not started"
    rag = "Green" if optimist or late == 0 else "Amber" if late <= 14 else "Red"
    return status, rag


def _system_text(system: str, style: float) -> str:
    """A supplier alias in place of the system name on some rows, as real trackers have."""
    aliases = _ALIASES.get(system)
    return aliases[int(style * 1000) % len(aliases)] if aliases and 0 <= style < 0.08 else system


def _note(m: _Migration, k: int, as_at: dt.date) -> str | None:
    if m.halt:
        return m.note if as_at >= m.halt[1] else None
    if any(m.shifts):
        return m.note if m.shifts[k] else None
    return m.note or None


def _row(m: _Migration, k: int, as_at: dt.date, org: pd.Series, style: float) -> dict:
    """One tracker row for migration m as the k-th upload (as at `as_at`) records it."""
    label = {f.key: f.label for f in IDENTITY_FIELDS}
    source = m.source or str(org["source_system"])
    target = m.target or ("EMIS Web" if source == "SystmOne" else "SystmOne")
    blank_org = style < 0.12  # left for the importer to fill from the reference
    blank_source = style >= 0.96 and not m.source  # left for the importer to infer
    csu = CSU_BY_REGION.get(str(org["region_code"]), SCW)
    row = {
        label["ods_code"]: m.ods,
        label["practice_name"]: org["practice_name"],
        label["sub_icb_code"]: None if blank_org else org["sub_icb_code"],
        label["icb_code"]: None if blank_org else org["icb_code"],
        label["region_code"]: None if blank_org else org["region_code"],
        label["csu"]: AGEM if org["icb_code"] == SECOND_CSU_ICB else csu,
        label["ordering_party"]: org["icb_name"],
        label["source_system"]: None if blank_source else _system_text(source, style - 0.12),
        label["target_system"]: _system_text(target, style - 0.88),
    }
    for key in MS:
        actual = m.actual.get(key)
        row[FIELD_BY_KEY[f"{key}_planned"].label] = _planned_at(m, key, k)
        row[FIELD_BY_KEY[f"{key}_actual"].label] = actual if actual and actual <= as_at else None
    for key in EVENT_DATE_FIELDS:
        day = m.events.get(key)
        row[FIELD_BY_KEY[key].label] = day if day and day <= as_at else None
    status, rag = _status_rag(m, row, as_at, optimist=0.5 <= style < 0.55)
    row[label["reported_status"]], row[label["reported_rag"]] = status, rag
    row[label["notes"]] = _note(m, k, as_at)
    return row


def _columns() -> list[str]:
    keys = [f.key for f in IDENTITY_FIELDS if f.key not in {"reported_status", "reported_rag",
                                                             "notes"}]  # fmt: skip
    keys += ["reported_status", "reported_rag", *(f.key for f in MILESTONE_FIELDS)]
    return [FIELD_BY_KEY[k].label for k in [*keys, *EVENT_DATE_FIELDS, "notes"]]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    dates = {f.label for f in FIELD_BY_KEY.values() if f.kind == "date"} | {"Training date"}
    for column in columns:
        if column in dates:
            frame[column] = pd.to_datetime(frame[column].astype(object)).astype("datetime64[ns]")
        elif column != "List size":
            frame[column] = frame[column].astype("string")
    return frame


def build_demo_uploads(
    reference: Reference, migrations: int = 120, seed: int = DEMO_SEED
) -> list[DemoUpload]:
    """The demo tracker as uploaded at each of AS_AT_DATES, oldest first."""
    region = reference.practices[reference.practices["region_code"] == DEMO_REGION]
    rng = random.Random(seed)
    minimum = len(AS_AT_DATES) * len(_ANCHORS) + 12
    if not minimum <= migrations <= len(region):
        raise ValueError(f"migrations must be between {minimum} and {len(region)}")
    practices = rng.sample(sorted(region.index), migrations)
    plans = _migrations(rng, practices, migrations)
    style = {m.ods: rng.random() for m in plans}
    plans.sort(key=lambda m: (m.first, m.planned["registration"], m.ods))
    for m in plans[3::37][:3]:
        m.target = "Evolution"
    plans[5].source = "Vision"
    uploads = []
    for k, as_at in enumerate(AS_AT_DATES):
        rows = [_row(m, k, as_at, region.loc[m.ods], style[m.ods]) for m in plans
                if m.first <= k <= m.last]  # fmt: skip
        frame = _frame(rows, _columns())
        uploaded = dt.datetime.combine(_workday(as_at + dt.timedelta(1)), dt.time(9, 30), dt.UTC)
        uploads.append(DemoUpload(
            file_name=f"SW GP migrations tracker {as_at:%Y-%m-%d}.xlsx",
            uploaded_by=UPLOADED_BY,
            as_at=as_at,
            uploaded_at=uploaded,
            frame=frame,
            content=workbook_bytes(frame, modified=uploaded.replace(tzinfo=None)),
        ))  # fmt: skip
    return uploads


def build_national_tracker(reference: Reference, seed: int = 1) -> pd.DataFrame:
    """Every practice in the reference migrating, as one 40-column tracker (for benchmarks)."""
    rng = random.Random(seed)
    managers = ("A. Patel", "B. Jones", "C. Okafor", "D. Smith", "E. Nowak", "F. Hughes")
    start, stop = dt.date(2026, 1, 5), dt.date(2027, 1, 15)
    rows = []
    for ods, org in reference.practices.iterrows():
        day = _workday(start + dt.timedelta(rng.randint(0, (stop - start).days)))
        m = _migration(rng, str(ods), "registration", day)
        if pd.isna(org["source_system"]):
            m.source = rng.choice(("EMIS Web", "SystmOne"))
        row = _row(m, len(AS_AT_DATES) - 1, NATIONAL_AS_AT, org, rng.random())
        letters = "".join(rng.choice("ABDEHJLNPRSTUW") for _ in range(2))
        row |= {
            "PCN": f"{org['sub_icb_code']} PCN {rng.randint(1, 9)}",
            "Postcode": f"{letters}{rng.randint(1, 40)} {rng.randint(1, 9)}{letters[::-1]}",
            "Project manager": rng.choice(managers),
            "List size": rng.randint(2_500, 30_000),
            "Training date": _workday(m.planned["go_live"] - dt.timedelta(rng.randint(5, 14))),
            "Last updated by": rng.choice(managers),
        }
        rows.append(row)
    columns = _columns()
    columns[2:2] = NATIONAL_EXTRA_COLUMNS[:2]  # PCN and postcode beside the practice
    return _frame(rows, [*columns, *NATIONAL_EXTRA_COLUMNS[2:]])
