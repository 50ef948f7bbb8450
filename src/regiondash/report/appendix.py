"""The pack's appendix: the definitions every figure follows, the guide's phases and the risk
rules, in the words of regiondash.definitions, split so each slide stays readable."""

from __future__ import annotations

import pandas as pd

from regiondash.definitions import TERMS
from regiondash.phases import PHASES
from regiondash.report.model import Slide
from regiondash.risks import DEFAULT_CONFIG, RULES, how_it_counts
from regiondash.tables import plain

TERMS_PER_SLIDE = 5
# the definitions are written for the Definitions page; these words point at the pack instead
_PAGE_WORDS = {
    "(table below)": "(see the guide's phases in this appendix)",
    "one you pick in the sidebar": "one chosen for this pack",
    "with the busy periods below shaded": "with busy periods shaded",
    "the organisations chosen in the filters": "the organisations in this pack's scope",
    "among the migrations shown": "among the migrations in scope",
}
RULES_PER_SLIDE = 7
RULE_COLUMNS = ("Rule", "Counts as", "Kind", "Flagged when", "Flagged now")


def _halves(count: int, per_slide: int) -> list[tuple[int, int]]:
    """(start, stop) of each slide's share of `count` rows, as even as the slides allow."""
    slides = max(1, -(-count // per_slide))
    size = -(-count // slides)
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _numbered(title: str, index: int, total: int) -> str:
    return title if total == 1 else f"{title} ({index} of {total})"


def _for_the_pack(text: str) -> str:
    """A definition as the pack says it: plain text, pointing at the pack's own pages."""
    text = plain(text)
    for page_words, pack_words in _PAGE_WORDS.items():
        text = text.replace(page_words, pack_words)
    return text


def definition_slides() -> list[Slide]:
    """definitions.TERMS as Term | Meaning tables."""
    parts = _halves(len(TERMS), TERMS_PER_SLIDE)
    return [
        Slide(
            title=_numbered("Appendix: definitions", number, len(parts)),
            kind="appendix",
            note="Every figure in this pack follows these definitions",
            table=pd.DataFrame(
                [(term, _for_the_pack(text)) for term, text in TERMS[start:stop]],
                columns=["Term", "Meaning"],
            ),
            column_widths=(1.3, 6),
        )
        for number, (start, stop) in enumerate(parts, start=1)
    ]


def phase_slide() -> Slide:
    """The guide's phase table: order, phase, the guide's estimate and its kind."""
    table = pd.DataFrame(
        {
            "#": [str(p.order) for p in PHASES],
            "Phase": [p.name for p in PHASES],
            "Guide's estimate": [p.estimate for p in PHASES],
            "Upper estimate (days)": [
                "–" if p.max_days is None else str(p.max_days) for p in PHASES
            ],
        }
    )
    return Slide(
        title="Appendix: the guide's phases",
        kind="appendix",
        note="NHS England, Practice migration guide: 12 to 16 weeks from registration to the end "
        "of post go live",
        table=table,
        column_widths=(0.4, 4.6, 2.4, 1.6),
    )


def _flagged_when(explanation: str) -> str:
    """The rule's test in one sentence: its explanation from 'Flagged when' on."""
    start = explanation.find("Flagged when")
    if start < 0:
        return explanation
    if explanation.startswith("Flagged when that", start):
        # "that" points back at the sentence before, so that sentence comes too
        prior = explanation.rfind(". ", 0, start - 2)
        start = prior + 2 if prior >= 0 else 0
    return explanation[start:]


def risk_rule_slides(flags: pd.DataFrame) -> list[Slide]:
    """The risk rules: title, Red, Amber or Note, forward-looking or looks back, when a
    migration is flagged, and how many are now."""
    rows = [
        (
            rule.title,
            DEFAULT_CONFIG.level(key).capitalize(),
            rule.kind.capitalize(),
            # which migrations and how it counts are the columns beside it
            _for_the_pack(_flagged_when(rule.explanation.removesuffix(f" {how_it_counts(key)}"))),
            str(int(flags[key].sum())) if key in flags else "0",
        )
        for key, rule in RULES.items()
    ]
    parts = _halves(len(rows), RULES_PER_SLIDE)
    return [
        Slide(
            title=_numbered("Appendix: risk rules", number, len(parts)),
            kind="appendix",
            note="Computed RAG of an open migration: Red if any Red rule fires, else Amber if "
            "any Amber rule does, else Green; notes never change it. Forward-looking rules check "
            "open migrations only",
            table=pd.DataFrame(rows[start:stop], columns=list(RULE_COLUMNS)),
            column_widths=(2.0, 0.8, 1.3, 5.6, 0.9),
        )
        for number, (start, stop) in enumerate(parts, start=1)
    ]


def appendix_slides(flags: pd.DataFrame) -> list[Slide]:
    """Definitions, the guide's phases and the risk rules, in that order."""
    return [*definition_slides(), phase_slide(), *risk_rule_slides(flags)]
