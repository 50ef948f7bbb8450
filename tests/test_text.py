"""Text from outside shows as typed: markdown and Plotly escaping (regiondash.text)."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from regiondash.text import (
    JOINER,
    LINE_START_SPECIALS,
    MARKDOWN_SPECIALS,
    for_markdown,
    for_plotly,
)

PAYLOADS = [
    "[Sign in](http://127.0.0.1:9/)",
    "![x](http://127.0.0.1:9/y.png)",
    "<img src=http://127.0.0.1:9/x>",
    '<a href="http://127.0.0.1:9/">Surgery</a>',
    '<span style="color:red">Red</span>',
    "**bold** _em_ `code` ~~gone~~",
    ":material/home: :red[alarm] $x^2$ $$y$$",
    "# Heading\n- list\n1. item",
    "&lt;b&gt; &amp;",
    "http://127.0.0.1:9/ www.example.com nobody@example.com :smile:",
]

markup_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(MARKDOWN_SPECIALS + LINE_START_SPECIALS + " \n\tab19w.)W/" + JOINER)),
        st.characters(),
    ),
    max_size=80,
)


def _unescape_markdown(escaped: str) -> str:
    return re.sub(r"\\(.)", r"\1", escaped).replace(JOINER, "")


# found in the parsed text, where the backslashes have gone: GitHub's autolinks and
# Streamlit's shortcodes
_AFTER_PARSING = re.compile(r"(?i)https?://|(?<![a-z0-9])www\.|:[\w/+-]|[-.\w+]@[-\w]")


def _unescaped_specials(escaped: str) -> list[str]:
    """Markup characters not preceded by their escaping backslash: anywhere, a line-start
    special or ordered-list number at the start, and the dot of "www."."""
    left = []
    start = re.match(r"\s*\d*", escaped).end()
    if escaped[start : start + 1] in set(LINE_START_SPECIALS + ".)"):
        left.append(escaped[start])
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 2
            continue
        if escaped[i] in MARKDOWN_SPECIALS or (
            escaped[i] == "." and escaped[max(i - 3, 0) : i].lower() == "www"
        ):
            left.append(escaped[i])
        i += 1
    return left


def test_payloads_are_escaped_for_markdown():
    j = JOINER
    assert for_markdown("[Sign in](http://x/)") == rf"\[Sign in\](http\:{j}//x/)"
    assert for_markdown("<img src=x>") == r"\<img src=x\>"
    assert for_markdown("# 1. - x") == r"\# 1. - x"
    assert for_markdown(" 12. x") == r" 12\. x"
    assert for_markdown("www.x.com a@b.co") == rf"www{j}\.x.com a\@{j}b.co"
    assert for_markdown("at 10:30: done") == rf"at 10\:{j}30\: done"
    assert for_markdown("tracker.xlsx (chosen)!") == "tracker.xlsx (chosen)!"
    assert for_markdown(":material/home:") == rf"\:{j}material/home\:"
    assert for_markdown("a\nb") == "a b"
    assert for_markdown(None) == ""
    for payload in PAYLOADS:
        escaped = for_markdown(payload)
        assert "\n" not in escaped
        assert _unescaped_specials(escaped) == []
        assert not _AFTER_PARSING.search(re.sub(r"\\(.)", r"\1", escaped)), escaped


def test_payloads_are_escaped_for_plotly():
    assert for_plotly('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert for_plotly(None) == ""
    for payload in PAYLOADS:
        assert "<" not in for_plotly(payload) and ">" not in for_plotly(payload)


@given(markup_text)
def test_markdown_round_trips_visibly(text):
    escaped = for_markdown(text)
    assert _unescaped_specials(escaped) == []
    assert "\n" not in escaped and "\r" not in escaped
    assert not _AFTER_PARSING.search(re.sub(r"\\(.)", r"\1", escaped)), escaped
    typed = re.sub(r"[\r\n\t\v\f\u2028\u2029\x85]", " ", text).replace(JOINER, "")
    assert _unescape_markdown(escaped) == typed


@given(markup_text)
def test_plotly_round_trips_visibly(text):
    escaped = for_plotly(text)
    assert "<" not in escaped and ">" not in escaped
    assert re.search(r"&(?!amp;|lt;|gt;)", escaped) is None
    assert html.unescape(escaped) == text


# Plotly labels and hovers: what charts draw from tracker text carries no live HTML

HTML_NAME = '<a href="http://127.0.0.1:9/">Sign in</a> <span style="color:red">X</span>'


def _no_live_html(values) -> None:
    for value in values:
        assert "<a" not in str(value).lower() and "<span" not in str(value).lower(), value


def test_gantt_labels_and_hovers_escape_practice_names():
    import datetime as dt

    from regiondash import charts, metrics
    from tests import frames

    as_at = dt.date(2026, 3, 10)
    ids = ["A00001:EMIS Web>SystmOne"]
    migrations = frames.migrations_frame(
        [
            {
                "migration_id": ids[0],
                "icb_code": "QVV",
                "region_code": "Y58",
                "practice_name": HTML_NAME,
                "sub_icb_code": "11J",
                "target_system": "SystmOne",
                "source_system": "EMIS Web",
            }
        ]
    )
    phases = frames.phases_frame(
        [
            [ids[0], "data_checking", "2026-02-01", "2026-02-20", "2026-02-01", "2026-02-25"],
            [ids[0], "go_live", "2026-04-01", "2026-04-01", None, None],
        ]
    )
    overview = metrics.migration_overview(migrations, phases, as_at)
    fig = charts.gantt(overview, metrics.phase_status(phases, as_at), as_at)
    _no_live_html(fig.layout.yaxis.categoryarray)
    for trace in fig.data:
        _no_live_html(trace.y if trace.y is not None else [])
        _no_live_html([trace.name, trace.hovertemplate])
    assert any("&lt;a href" in label.lower() for label in fig.layout.yaxis.categoryarray)


def test_count_bar_and_spread_escape_group_names():
    import datetime as dt

    import pandas as pd

    from regiondash import charts, spread

    as_at = dt.date(2026, 3, 10)
    fig = charts.count_bar(pd.Series({HTML_NAME: 3, "Plain": 1}), "t", as_at, "Migrations")
    _no_live_html(fig.data[0].y)
    go_lives = pd.DataFrame(
        {
            "go_live_date": pd.to_datetime(["2026-04-01", "2026-05-01"]).astype("datetime64[us]"),
            "target_system": pd.array([HTML_NAME, "SystmOne"], dtype="string"),
        }
    )
    counts = spread.go_live_counts(go_lives, "month", "target_system", None)
    fig = charts.go_live_spread_chart(counts, as_at, "month")
    for trace in fig.data:
        _no_live_html([trace.name, trace.hovertemplate])
