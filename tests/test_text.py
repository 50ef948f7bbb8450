"""Text from outside shows as typed: markdown and Plotly escaping (regiondash.text)."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from regiondash.text import MARKDOWN_SPECIALS, for_markdown, for_plotly

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
]

markup_text = st.text(
    alphabet=st.one_of(st.sampled_from(list(MARKDOWN_SPECIALS + " \n\tab1")), st.characters()),
    max_size=80,
)


def _unescape_markdown(escaped: str) -> str:
    return re.sub(r"\\(.)", r"\1", escaped)


def _unescaped_specials(escaped: str) -> list[str]:
    """Markup characters not preceded by their escaping backslash."""
    left, i = [], 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 2
            continue
        if escaped[i] in MARKDOWN_SPECIALS:
            left.append(escaped[i])
        i += 1
    return left


def test_payloads_are_escaped_for_markdown():
    assert for_markdown("[Sign in](http://x/)") == r"\[Sign in\]\(http\:\/\/x\/\)"
    assert for_markdown("<img src=x>") == r"\<img src\=x\>"
    assert for_markdown(":material/home:") == r"\:material\/home\:"
    assert for_markdown("a\nb") == "a b"
    assert for_markdown(None) == ""
    for payload in PAYLOADS:
        escaped = for_markdown(payload)
        assert "\n" not in escaped
        assert _unescaped_specials(escaped) == []


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
    assert _unescape_markdown(escaped) == re.sub(r"[\r\n\t\v\f\u2028\u2029\x85]", " ", text)


@given(markup_text)
def test_plotly_round_trips_visibly(text):
    escaped = for_plotly(text)
    assert "<" not in escaped and ">" not in escaped
    assert re.search(r"&(?!amp;|lt;|gt;)", escaped) is None
    assert html.unescape(escaped) == text
