"""The definitions every figure follows, in plain English, for the definitions page and exports."""

from __future__ import annotations

from regiondash.freshness import STALE_AFTER_DAYS
from regiondash.phases import PHASES
from regiondash.risks import DEFAULT_CONFIG, RULES

INTRO = (
    "Every figure in regiondash follows the rules below. They are the same on every page, in the "
    "command line's JSON and in exports, so a number in a board paper can be traced back."
)

TERMS: list[tuple[str, str]] = [
    (
        "As-at date",
        "Every figure is computed **as at a date**: by default the latest upload's as-at date, or "
        "one you pick in the sidebar. The date picks the uploads in the picture (each tracker's "
        "latest upload made as at or before it) and moves the *next 30 / 90 days* windows. Each "
        "migration is then **judged as at the as-at date of the upload it comes from**, never "
        "later: a tracker last updated on 20 Nov is judged on 20 Nov, so time passing or another "
        "tracker's upload never makes its migrations overrun. Any actual date after that date is "
        "treated as not yet happened. No figure uses the wall clock, so figures are "
        "reproducible; only each tracker's age, shown beside them, is counted to today when no "
        "date is picked.",
    ),
    (
        "Current picture",
        "A **tracker** is one CSU spreadsheet uploaded again and again. The current picture is, "
        "for each tracker, its latest upload; a migration absent from that upload has **left the "
        "picture** (Slippage and changes lists it with the date it left). A new file replaces "
        "the tracker you choose on the Upload page, else the one with the same file "
        'name once dates, versions and "Copy of" are left out, else the one of the same CSU '
        "holding at least half of its practices.",
    ),
    (
        "Tracker age",
        "Beside the figures, each tracker's as-at date and how old it is (to the date picked, else "
        f"today). A tracker older than {STALE_AFTER_DAYS} days is **stale**: the planned "
        "milestones of its migrations that have fallen due since it reported are counted "
        "separately, because nobody has said whether they happened.",
    ),
    (
        "One date per milestone",
        'Many trackers have one date column per milestone ("Kick off", "IDP", "Go Live") '
        "rather than a planned and an actual. Such a date counts as **done** (actual, and its own "
        "plan) when it is on or before the tracker's as-at date, and as a **plan** when it is "
        "later — except that for a row whose Status says it is not live (planned, in progress, "
        "on hold), its go live and the milestones after it stay plans even when their dates have "
        "passed: a passed go live that did not happen is overdue. Milestones with both a planned "
        "and an actual column are read as written. The Upload page says how the dates were read "
        "and lets you read them all as plans or all as done instead.",
    ),
    (
        "Duration",
        "A phase's duration is the **inclusive count of calendar days** from its start to its end: "
        "a phase that starts and ends on the same day lasts 1 day. One week is 7 days.",
    ),
    (
        "Phase overrun",
        "A **finished** phase *overran* when its actual end is after its planned end. An "
        "**unfinished** phase (no actual end) is *overrunning* when the as-at date is after its "
        "planned end — whether or not it has started. A phase with no planned end cannot overrun "
        "its plan. Days over plan: actual end (or the as-at date, if unfinished) minus planned "
        "end. One late milestone overruns every phase that ends on it: a late kickoff, IDP, data "
        "sign off, FDP or go live is **two** phase overruns (the one-day phase and the phase "
        "leading up to it), a late technical survey, post go live end or end of migration one.",
    ),
    (
        "Over the guide",
        "Separately from the plan, a phase is **over the guide** when its duration (actual, or so "
        "far if still running) exceeds the guide's upper estimate for that phase (table below).",
    ),
    (
        "Overrunning migration",
        "A migration is **overrunning** when at least one of its phases overran or is overrunning, "
        "or when its go-live date is later than its **first recorded planned go live** (the "
        "planned go live in the earliest upload that holds one). Cancelled migrations are not "
        "counted.",
    ),
    (
        "Go-live date",
        "The actual start of the migration's go-live phase if it has one, else the planned start.",
    ),
    (
        "Status",
        "Every migration has one of five: *Planned*: nothing has started. *In progress*: at least "
        "one phase has an actual start. *Live*: the go-live phase has an actual start. *On hold* "
        "and *Cancelled* come from the tracker's own Status column (a live migration stays live). "
        'The five add up to the migrations in scope. The tracker\'s own "in progress" or '
        '"live" is checked against its dates, and a disagreement is a warning on upload.',
    ),
    (
        "Current phase",
        "The first phase, in the guide's order, without an actual end, from the furthest phase "
        "work has reached; *Completed* for a live migration whose phases have all ended.",
    ),
    (
        "Go-live spread",
        "Go-live dates counted by ISO week (weeks start on Monday) and by calendar month, across "
        "the organisations chosen in the filters, with the busy periods below shaded.",
    ),
]

SPAN_RULE_TEXT = (
    "Many trackers hold milestone dates only (planned and actual). A phase then runs from the "
    "milestone that starts it to the milestone that ends it, **both days included**; one-day "
    "phases start and end on their milestone. Neighbouring phases share their boundary day."
)

BUSY_TEXT = (
    "The guide's lessons learnt say to avoid going live in busy periods. These are the periods "
    "regiondash shades and checks; bank holidays come from the `holidays` package (England)."
)

SOURCES_TEXT = (
    "* **Phases and estimates**: NHS England, *Practice migration guide*.\n"
    "* **Practices and organisations**: NHS England, *Patients Registered at a GP Practice*, "
    "practice mapping file (January 2026): practice → sub-ICB location → ICB → region, and each "
    "practice's current clinical system supplier. Open Government Licence v3.0. Organisation "
    "boundaries change (ICBs merge from April 2026): a newer monthly file can be used by setting "
    "`REGIONDASH_REFERENCE_CSV`.\n"
    "* **Migrations**: the trackers uploaded by CSU leads (see Upload for who uploaded what, when)."
)


RISK_TEXT = (
    "Each rule is checked for every migration as at the chosen date. For every milestone the "
    "actual date is used if there is one (on or before the as-at date), else the planned. The "
    "**cut-over window** runs from FDP (or go live, if no FDP) to two days after go live: the "
    "guide asks for quiet days through that span. A rule whose dates are missing does not fire "
    "unless it says so, and a rule whose column the tracker lacks is *not assessed* rather than "
    "flagged. The **computed RAG** rates open migrations only (planned, in progress, on hold): "
    "red when any red rule fires, amber when only amber rules fire, green when none does; live "
    "migrations show *Done* and cancelled ones *Cancelled*. Busy-period rules are **notes**: "
    "shown, but they never change the RAG. Rules that look back (over the guide, over 16 "
    "weeks, tracking not updated) are also checked for live migrations. The computed RAG is "
    "shown next to the tracker's own."
)

FORECAST_TEXT = (
    "For a migration not yet live (and not on hold or cancelled), regiondash looks at the "
    "region's own completed migrations: how "
    "many days each took from the milestone this migration last reached (registration, kickoff, "
    "technical survey, IDP, data sign-off or FDP) to its actual go live. The forecast is that "
    "milestone's date plus the median of those days, with an 80% range (10th to 90th "
    "percentile), never earlier than the day after its tracker's as-at date; a migration later "
    "than even the range's end has no forecast (*later than the region's examples*). It uses "
    "migrations with the "
    "same source and target system when there are at least 5, else all. A planned go live "
    "earlier than the range is marked **plan looks optimistic**."
)


def risk_rows() -> list[dict[str, str]]:
    """The risk rules as rows: title, key, red, amber or note, its kind (forward-looking or
    looking back), and the plain-English explanation."""
    return [
        {
            "rule": rule.title,
            "key": key,
            "counts as": DEFAULT_CONFIG.level(key),
            "kind": rule.kind,
            "flags a migration when": rule.explanation,
        }
        for key, rule in RULES.items()
    ]


def phase_rows() -> list[dict[str, object]]:
    """The guide's phase table as rows: order, key, name, estimate, days range, kind."""
    return [
        {
            "#": p.order,
            "phase": p.name,
            "key": p.key,
            "guide's estimate": p.estimate,
            "min days": "–" if p.min_days is None else str(p.min_days),
            "max days": "–" if p.max_days is None else str(p.max_days),
            "kind": p.kind,
        }
        for p in PHASES
    ]
