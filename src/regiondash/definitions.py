"""The definitions every figure follows, in plain English, for the definitions page and exports."""

from __future__ import annotations

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
        "one you pick in the sidebar. For that date each migration is taken from the latest upload "
        "made as at or before it, and any actual date after the as-at date is treated as not yet "
        "happened. The wall clock is never used, so figures are reproducible.",
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
        "end.",
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
        "*Planned*: nothing has started. *In progress*: at least one phase has an actual start. "
        "*Live*: the go-live phase has an actual start. *Completed*: post go live (or the end of "
        "migration) has an actual end. *On hold* and *Cancelled* come from the tracker's own "
        "status column.",
    ),
    (
        "Current phase",
        "The first phase, in the guide's order, that has dates but no actual end yet.",
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
    "unless it says so. The **computed RAG** is red when any red rule fires, amber when only "
    "amber rules fire, green when none does; it is shown next to the tracker's own RAG."
)

FORECAST_TEXT = (
    "For a migration not yet live, regiondash looks at the region's own completed migrations: how "
    "many days each took from the milestone this migration last reached (registration, kickoff, "
    "technical survey, IDP, data sign-off or FDP) to its actual go live. The forecast is that "
    "milestone's date plus the median of those days, with an 80% range (10th to 90th "
    "percentile), never earlier than the day after the as-at date. It uses migrations with the "
    "same source and target system when there are at least 5, else all. A planned go live "
    "earlier than the range is marked **plan looks optimistic**."
)


def risk_rows() -> list[dict[str, str]]:
    """The risk rules as rows: title, key, red or amber, and the plain-English explanation."""
    return [
        {
            "rule": rule.title,
            "key": key,
            "counts as": "red" if key in DEFAULT_CONFIG.red_rules else "amber",
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
