"""NHS identity colours and labels shared by charts, pages and exports."""

from __future__ import annotations

from regiondash.phases import PHASE_KEYS

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_PALE_GREY = "#E8EDEE"
RAG_RED = "#DA291C"
RAG_AMBER = "#ED8B00"
RAG_GREEN = "#006747"
RAG_COLOURS = {"Red": RAG_RED, "Amber": RAG_AMBER, "Green": RAG_GREEN}

# One colour per phase, from NHS England's palette, so neighbouring phases stay distinguishable.
PHASE_COLOURS: dict[str, str] = dict(
    zip(
        PHASE_KEYS,
        [
            "#768692",  # procurement: mid grey
            "#330072",  # kickoff: purple
            "#7C2855",  # technical survey: dark pink
            "#41B6E6",  # early preparation: light blue
            "#003087",  # IDP: dark blue
            "#0072CE",  # data checking: bright blue
            "#00A9CE",  # data recheck and sign off: aqua blue
            "#AE2573",  # cut-over planning: pink
            "#003087",  # FDP: dark blue
            "#00A499",  # cut-over: aqua green
            "#006747",  # go live: green
            "#78BE20",  # post go live: light green
            "#425563",  # end of migration: dark grey
        ],
        strict=True,
    )
)
SYSTEM_COLOURS = {
    "EMIS Web": "#005EB8",
    "SystmOne": "#00A499",
    "Vision": "#AE2573",
    "Evolution": "#ED8B00",
}
SEQUENCE = [
    "#005EB8",
    "#00A499",
    "#AE2573",
    "#ED8B00",
    "#330072",
    "#41B6E6",
    "#78BE20",
    "#7C2855",
    "#425563",
    "#FFB81C",
    "#003087",
    "#768692",
]
BUSY_COLOURS = {
    "flu_season": "rgba(65,182,230,0.10)",
    "qof_year_end": "rgba(237,139,0,0.14)",
    "christmas": "rgba(218,41,28,0.12)",
    "summer": "rgba(255,184,28,0.14)",
    "bank_holiday": "rgba(66,85,99,0.25)",
}
FONT = "Arial, Helvetica, sans-serif"


def name_case(text: object) -> str:
    """A practice name as people write it: 'ST. MARY'S SURGERY' -> "St. Mary's Surgery"
    (str.title would give "Mary'S")."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in str(text).split())


def name_case_series(names):
    """name_case over a pandas Series, missing names left missing."""
    return names.map(name_case, na_action="ignore")
