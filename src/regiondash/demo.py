"""The one deterministic demo and fixture builder: a South West tracker uploaded four times.

Real practices (ODS code, name, organisations) from the reference; the migrations are FICTIONAL.
``build_demo_uploads(load_reference())`` with the defaults holds:

==============  ===============================================================================
region          Y58 South West: 120 practices picked with ``random.Random(DEMO_SEED)``
uploads         4 of one tracker (117, 118, 118, 119 rows) as at 30 Jun, 28 Aug, 30 Sep and
                20 Nov 2026 by the SCW CSU migration team; the 4th lets a go live move 3 times
phases          at EVERY as-at: not started, each of the 13 phases (one migration anchored in
                each; one-day phases exactly on the as-at), live and completed. At 20 Nov:
                9 not started, 39 in phases 1-10 (14 in cut-over planning), 1 going live,
                8 in post go live, 62 complete (10, 22, 40 at the earlier as-ats)
plans           first plans: the guide's phase durations, 12-16 weeks registration to end of
                post go live, on working days; actual dates only on or before the row's as-at
overruns        a third of migrations slip once or twice (data checking, cut-over, go live most);
                as real trackers do, the next upload moves the milestones still to come and
                keeps the plan done ones were done against. At 20 Nov (metrics.summary): 119
                in the picture, 40 of the 118 not cancelled overrunning (34%), at most 14 in a
                phase; 4 overdue now; 4 over 16 weeks; 2 "On hold" and 1 "Cancelled"
re-plans        one go live moved at 3 uploads (18 Nov -> 29 Dec 2026, +41 days, into
                Christmas); one more moved 3 times, 16 others once or twice
busy periods    go lives on 31 Aug 2026 (bank holiday), 24 and 29 Dec 2026, 31 Mar 2026 and
                Mar-Apr 2027 (QOF year end); most fall in flu season (Sep-Mar); practices
                are matched to go-live weeks so that no more than 3 go live to one system in
                a week where the practices left allow (12 still clash at 20 Nov)
churn           3 migrations first appear in the 2nd, 3rd and 4th upload; 1 disappears after
                the 2nd, and so leaves the picture (listed on Slippage and changes)
systems         EMIS Web <-> SystmOne (from the practice's current supplier); 2 from Vision,
                3 to Evolution; aliases (TPP, S1, EMIS ...) on 19 cells; Source system blank
                on 5 rows (the importer infers it from the reference)
organisations   Sub-ICB, ICB and Region code from the reference, blank on 14 rows (filled on
                import); CSU: SCW, or Arden and GEM for Gloucestershire (QR1, 16 rows)
events          decommission Schedule A, cut-over planning meeting, tracking updated: on time
                on most, late on about 1 in 8, missing on 1 in 10. Extract requested 5-8 weeks
                before IDP as first planned (the supplier may need 5 weeks' notice), so mostly
                before registration; late (1-4 weeks) on 1 in 10, missing on 1 in 20; and one,
                re-requested after IDP on a migration on hold, out of order
==============  ===============================================================================
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from typing import cast

import holidays
import pandas as pd

from regiondash.exports import workbook_bytes  # part of this module's API
from regiondash.fields import EVENT_DATE_FIELDS, FIELD_BY_KEY, IDENTITY_FIELDS, MILESTONE_FIELDS
from regiondash.phases import (
    MILESTONES,
    PHASE_SPAN_RULE,
    WHOLE_MIGRATION_MAX_DAYS,
    WHOLE_MIGRATION_MIN_DAYS,
)
from regiondash.reference import Reference

DEMO_REGION = "Y58"  # South West
DEMO_SEED = 2026
AS_AT_DATES = (
    dt.date(2026, 6, 30),
    dt.date(2026, 8, 28),
    dt.date(2026, 9, 30),
    dt.date(2026, 11, 20),
)
UPLOADED_BY = "SCW CSU migration team"
SCW = "NHS South, Central and West CSU"
AGEM = "NHS Arden and Greater East Midlands CSU"
MLCSU = "NHS Midlands and Lancashire CSU"
CSU_BY_REGION = {
    "Y56": AGEM,
    "Y58": SCW,
    "Y59": SCW,
    "Y60": MLCSU,
    "Y61": AGEM,
    "Y62": MLCSU,
    "Y63": "NHS North of England CSU",
}
SECOND_CSU_ICB = "QR1"  # Gloucestershire's migrations run by a second CSU in the demo
NATIONAL_AS_AT = AS_AT_DATES[-1]
NATIONAL_EXTRA_COLUMNS = (
    "PCN",
    "Postcode",
    "Project manager",
    "List size",
    "Training date",
    "Last updated by",
)

MS = tuple(MILESTONES)  # registration ... end_of_migration
# Planned gap (days) between consecutive milestones: the guide's phase lengths minus one (inclusive
# counting), as (draw low, draw high, hard low, hard high). The data_signoff -> fdp gap is what is
# left of the 12-16 weeks.
_LINKS = (
    (6, 12, 6, 13),
    (2, 6, 1, 10),
    (6, 12, 6, 13),
    (4, 14, 2, 20),
    (0, 0, 7, 10_000),
    (3, 10, 2, 13),
    (5, 12, 4, 13),
    (3, 20, 1, 60),
)
_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2029))
# Which milestone a slip hits (data checking, cut-over, go live most), and the note it leaves.
_SLIP_WEIGHTS = (0, 1, 1, 1, 8, 2, 8, 2, 1)
_SLIP_NOTES = (
    "",
    "Kickoff moved: practice availability",
    "Technical survey rebooked",
    "IDP late: extract requested late",
    "Data checking took longer: mapping issues",
    "FDP delayed by the supplier",
    "Go live put back by the practice",
    "Data re-entry backlog after go live",
    "Closure paperwork late",
)
_ALIASES = {"SystmOne": ("TPP", "S1", "TPP SystmOne"), "EMIS Web": ("EMIS", "EMIS Health")}
# Milestone -> the one-day phase on its day, and the phase it starts (PHASE_SPAN_RULE).
_POINT = {end: p for p, (starts, end) in PHASE_SPAN_RULE.items() if starts == (end,)}
_AFTER = {s: p for p, (starts, end) in PHASE_SPAN_RULE.items() if starts != (end,) for s in starts}
_AFTER |= {"post_go_live_end": "post_go_live", "end_of_migration": "end_of_migration"}
# Phase to anchor -> (milestone placed at the as-at, days before it: low, high).
_ANCHORS = {
    "not_started": ("registration", -70, -7),
    "procurement": ("registration", 0, 5),
    "kickoff": ("kickoff", 0, 0),
    "technical_survey": ("technical_survey", 0, 0),
    "early_preparation": ("technical_survey", 1, 4),
    "initial_data_production": ("idp", 0, 0),
    "data_checking": ("idp", 1, 3),
    "data_recheck_signoff": ("data_signoff", 0, 0),
    "cutover_planning": ("data_signoff", 1, 6),
    "final_data_production": ("fdp", 0, 0),
    "cutover": ("fdp", 1, 2),
    "go_live": ("go_live", 0, 0),
    "post_go_live": ("go_live", 1, 3),
    "end_of_migration": ("end_of_migration", 0, 0),
}


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
    """How one migration runs. Dates move in working days: a milestone happens `slips[i]` after
    the plan of the day, and the tracker then moves the milestones still to come by as much."""

    ods: str
    planned: dict[str, dt.date]  # the first plan, within the guide
    slips: list[int]  # working days each milestone happens after the plan it was done against
    replans: list[tuple[dt.date, int, int]] = field(default_factory=list)  # (decided, from, days)
    actual: dict[str, dt.date] = field(default_factory=dict)  # eventual; rows show the past only
    events: dict[str, dt.date | None] = field(default_factory=dict)
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


def _shift(day: dt.date, workdays: int) -> dt.date:
    """`day` moved by a number of working days, forwards or back (0 leaves it where it is)."""
    for step in [1 if workdays > 0 else -1] * abs(workdays):
        day = _workday(day + dt.timedelta(step), step)
    return day


def _chain(anchor: str, day: dt.date, gaps: list[int]) -> dict[str, dt.date]:
    """Planned milestone dates built out from `day` at `anchor`, forwards and backwards."""
    i, dates = MS.index(anchor), {anchor: day}
    for j in [*range(i + 1, len(MS)), *range(i - 1, -1, -1)]:
        step = 1 if j > i else -1
        link = j - (step > 0)
        dates[MS[j]] = _step(dates[MS[j - step]], gaps[link], step, *_LINKS[link][2:])
    return {m: dates[m] for m in MS}


def _gaps(rng: random.Random) -> list[int]:
    gaps = [rng.randint(lo, hi) for lo, hi, _, _ in _LINKS]
    # Registration to the end of post go live inclusive is 12-16 weeks; leave room for snapping.
    gaps[4] = rng.randint(WHOLE_MIGRATION_MIN_DAYS, WHOLE_MIGRATION_MAX_DAYS - 8) - 1 - sum(gaps)
    return gaps


def _slips(rng: random.Random) -> list[int]:
    """Working days late at each milestone: most migrations on plan, a third late once or twice."""
    out = [0] * len(MS)
    r = rng.random()
    for _ in range(0 if r < 0.68 else 1 if r < 0.9 else 2):
        size = rng.random()
        at = rng.choices(range(len(MS)), _SLIP_WEIGHTS)[0]
        low, high = (1, 3) if size < 0.45 else (4, 8) if size < 0.8 else (10, 20)
        out[at] += rng.randint(low, high)
    return out


def _plan_on(m: _Migration, as_at: dt.date | None) -> dict[str, dt.date]:
    """The plan a row as at `as_at` holds (None: the eventual actual dates). Milestones done keep
    the plan they were done against (trackers do not rewrite history); those to come have moved
    with every slip so far and every re-plan decided by then."""
    upto = as_at or dt.date.max
    done = sum(m.actual.get(key, dt.date.max) <= upto for key in MS) if as_at else 0  # a prefix
    return {
        key: _shift(
            m.planned[key],
            sum(m.slips[: i + 1 if as_at is None else min(i, done)])
            + sum(n for day, j, n in m.replans if j <= i and day <= upto),
        )
        for i, key in enumerate(MS)
    }


def _phase_on(actual: dict[str, dt.date], as_at: dt.date) -> str:
    """Phase at the as-at from actual dates alone (used to aim the anchors, not a metric)."""
    reached = [m for m in MS if m in actual and actual[m] <= as_at]
    if not reached:
        return "not_started"
    last = reached[-1]
    return _POINT[last] if actual[last] == as_at and last in _POINT else _AFTER[last]


def _events(rng: random.Random, m: _Migration) -> dict[str, dt.date | None]:
    """Event dates: on time on most, late on about 1 in 8, missing on 1 in 10. The extract is
    requested 5 to 8 weeks before IDP as first planned, as the supplier may need 5 weeks' notice
    (so mostly before registration); late (1 to 4 weeks before) on 1 in 10, missing on 1 in 20."""
    day = {k: m.actual[k] for k in ("registration", "kickoff", "idp", "fdp", "go_live")}
    n, d = rng.randint, dt.timedelta
    # Keep the draws in this order: every later date in the demo depends on the random stream.
    weeks, short = n(0, 3), n(3, 10)  # the extract's notice: 5 + weeks weeks, or 3 x short days
    timing = {  # (on time, late)
        "decommission_schedule_a": (
            day["registration"] + d(n(0, 10)),
            day["go_live"] + d(n(10, 40)),
        ),
        "cutover_planning_meeting": (
            max(day["kickoff"] + d(1), day["fdp"] - d(n(28, 42))),
            day["fdp"] - d(n(5, 12)),
        ),
        "tracking_updated": (day["go_live"] + d(n(1, 7)), day["go_live"] + d(n(21, 50))),
    }
    r, idp = rng.random(), m.planned["idp"]
    if r < 0.15:  # late: moved on to a working day, still 1 to 4 weeks before IDP
        extract = None if r < 0.05 else _workday(idp - d(3 * short))
    else:  # on time: 35-60 days before IDP, moved back to a working day unless that is too early
        asked = idp - d(35 + 7 * weeks + int((r - 0.15) / 0.85 * 5))
        extract = _workday(asked, -1) if _workday(asked, -1) >= idp - d(60) else _workday(asked)
    out = {"extract_requested": extract}
    for key, (good, bad) in timing.items():
        r = rng.random()
        out[key] = None if r < 0.1 else _workday(bad if r < 0.22 else good)
    return out


def _migration(
    rng: random.Random, ods: str, anchor: str, day: dt.date, slips: list[int] | None = None
) -> _Migration:
    """A migration whose actual `anchor` milestone is on `day`, first planned within the guide."""
    for _ in range(50):
        gaps, slip = _gaps(rng), list(slips or _slips(rng))
        # The slips before the anchor put its planned date that many working days earlier.
        planned = _chain(anchor, _shift(day, -sum(slip[: MS.index(anchor) + 1])), gaps)
        span = (planned["post_go_live_end"] - planned["registration"]).days + 1
        links = zip(_LINKS, itertools.pairwise(planned.values()), strict=True)
        fits = all(lo <= (b - a).days <= hi for (*_, lo, hi), (a, b) in links)
        if fits and WHOLE_MIGRATION_MIN_DAYS <= span <= WHOLE_MIGRATION_MAX_DAYS:
            break
    m = _Migration(ods, planned, slip)
    m.actual = _plan_on(m, None)
    m.events = _events(rng, m)
    return m


def _replan(m: _Migration, rng: random.Random, moves: tuple[int, ...], note: str) -> None:
    """Go live moved back `moves` working days at uploads 2-4, agreed ahead: nothing overruns."""
    for as_at, days in zip(AS_AT_DATES[1:], moves, strict=False):
        if days and m.actual["fdp"] > as_at + dt.timedelta(14):
            m.replans.append((as_at, MS.index("fdp"), days))  # longer cut-over planning
            m.actual = _plan_on(m, None)
    m.events, m.note = _events(rng, m), note if m.replans else m.note


def _halt(m: _Migration, status: str, after: str, note: str) -> None:
    stop = m.actual[after]
    m.actual = {k: v for k, v in m.actual.items() if MS.index(k) <= MS.index(after)}
    m.events = {k: (v if v and v <= stop else None) for k, v in m.events.items()}
    m.halt, m.note = (status, stop + dt.timedelta(14)), note


def _migrations(
    rng: random.Random, practices: list[str], total: int, sources: dict[str, str]
) -> list[_Migration]:
    """The demo's migrations: anchors for phase coverage, hand-made specials, then random ones."""
    spare = list(practices)
    booked: collections.Counter[tuple[str, tuple[int, ...]]] = collections.Counter()

    def book(m: _Migration) -> _Migration:
        # Go lives are booked around the suppliers' support: m takes the next practice whose new
        # system has a go-live slot that week (3 a week), if there is one.
        week = m.actual["go_live"].isocalendar()[:2]
        slots = {o: ("EMIS Web" if sources[o] == "SystmOne" else "SystmOne", week) for o in spare}
        m.ods = next((o for o in spare if booked[slots[o]] < 3), spare[0])
        spare.remove(m.ods)
        booked[slots[m.ods]] += 1
        return m

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
            out.append(book(m))
    zero = [0] * len(MS)
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
        ("registration", d(2027, 1, 11), None),  # disappears after the 2nd upload
        ("registration", d(2026, 8, 10), None),  # first in upload 2
        ("registration", d(2026, 9, 21), None),  # first in upload 3
        ("registration", d(2026, 12, 7), None),  # first in upload 4
    ]
    made = [book(_migration(rng, "", a, day, slips)) for a, day, slips in specials]
    replan3, bank, qof, _, xmas, hold1, hold2, cancel, gone, *late = made
    # Go live 18 Nov -> 2 Dec -> 15 Dec (re-planned) -> 29 Dec (data sign off 8 working days late).
    replan3.slips[MS.index("data_signoff")] = 8
    _replan(replan3, rng, (10, 9), "Go live moved: practice request, then data quality issues")
    bank.note, xmas.note = "Practice chose the bank holiday to avoid clinics", "Go live agreed"
    qof.source, qof.note = "Vision", "Vision decommissioning"
    _halt(hold1, "On hold", "idp", "On hold: data quality issues in the extract")
    # The extract re-requested after IDP, its date typed over the first request: out of order.
    hold1.events["extract_requested"] = _workday(hold1.actual["idp"] + dt.timedelta(7))
    _halt(hold2, "On hold", "technical_survey", "On hold: practice merger under review")
    _halt(cancel, "Cancelled", "kickoff", "Cancelled: practice staying on current system")
    gone.last = 1
    for i, m in enumerate(late, start=1):
        m.first = i
    out += made
    start, stop = dt.date(2025, 12, 1), dt.date(2027, 1, 15)
    while len(out) < total:
        day = _workday(start + dt.timedelta(rng.randint(0, (stop - start).days)))
        m = _migration(rng, "", "registration", day)
        if rng.random() < 0.1:  # go live re-planned at the practice's request
            moves = tuple(rng.randint(4, 12) if rng.random() < 0.7 else 0 for _ in AS_AT_DATES[1:])
            _replan(m, rng, moves, "Go live re-planned at practice request")
        out.append(book(m))
    # Overdue now: held back when due, on plan, in the fortnight before the last as-at with the
    # next milestone not yet due (not on the migrations placed for that as-at, nor specials).
    last, pool = AS_AT_DATES[-1], out[: 3 * len(_ANCHORS)] + out[len(made) + 4 * len(_ANCHORS) :]
    for i in map(MS.index, ("data_signoff", "fdp", "go_live")):
        for m in (m for m in pool if not any(m.slips) and not m.replans):
            if last - dt.timedelta(14) <= m.planned[MS[i]] < last <= m.planned[MS[i + 1]]:
                m.slips[i] = sum(_shift(m.planned[MS[i]], n) < last for n in range(15)) + 2
                m.actual = _plan_on(m, None)
                m.events = _events(rng, m)
                break
    return out


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


def _note(m: _Migration, as_at: dt.date) -> str | None:
    if m.halt or m.replans:  # the note from when the migration stopped or was re-planned
        return m.note if as_at >= (m.halt[1] if m.halt else m.replans[0][0]) else None
    late = [i for i, key in enumerate(MS) if m.slips[i] and m.actual.get(key, dt.date.max) <= as_at]
    return _SLIP_NOTES[late[-1]] if late else m.note or None


def _row(m: _Migration, as_at: dt.date, org: pd.Series, style: float) -> dict:
    """One tracker row for migration m as the upload as at `as_at` records it."""
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
    planned = _plan_on(m, as_at)
    for key in MS:
        actual = m.actual.get(key)
        row[FIELD_BY_KEY[f"{key}_planned"].label] = planned[key]
        row[FIELD_BY_KEY[f"{key}_actual"].label] = actual if actual and actual <= as_at else None
    for key in EVENT_DATE_FIELDS:
        day = m.events.get(key)
        row[FIELD_BY_KEY[key].label] = day if day and day <= as_at else None
    status, rag = _status_rag(m, row, as_at, optimist=0.5 <= style < 0.55)
    row[label["reported_status"]], row[label["reported_rag"]] = status, rag
    row[label["notes"]] = _note(m, as_at)
    return row


def _columns() -> list[str]:
    later = {"reported_status", "reported_rag", "notes"}  # placed after the identity fields
    keys = [f.key for f in IDENTITY_FIELDS if f.key not in later]
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
    # The index is the practices' ODS codes (to_dict's keys are only Hashable to the stubs).
    sources = cast(dict[str, str], region["source_system"].to_dict())
    plans = _migrations(rng, practices, migrations, sources)
    style = {m.ods: rng.random() for m in plans}
    plans.sort(key=lambda m: (m.first, m.planned["registration"], m.ods))
    for m in plans[3::37][:3]:
        m.target = "Evolution"
    plans[5].source = "Vision"
    uploads = []
    for k, as_at in enumerate(AS_AT_DATES):
        rows = [
            # One row per ODS code (the index is unique), so .loc gives a Series, not a frame.
            _row(m, as_at, cast(pd.Series, region.loc[m.ods]), style[m.ods])
            for m in plans
            if m.first <= k <= m.last
        ]
        frame = _frame(rows, _columns())
        uploaded = dt.datetime.combine(_workday(as_at + dt.timedelta(1)), dt.time(9, 30), dt.UTC)
        content = workbook_bytes(frame, modified=uploaded.replace(tzinfo=None))
        name = f"SW GP migrations tracker {as_at:%Y-%m-%d}.xlsx"
        uploads.append(DemoUpload(name, UPLOADED_BY, as_at, uploaded, frame, content))
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
        row = _row(m, NATIONAL_AS_AT, org, rng.random())
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
