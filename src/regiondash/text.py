"""Text from trackers, file names, sheets, headers and uploaders, made safe to show as typed.

Streamlit renders markdown (links, images, emphasis, code, :material/..: icons and $ maths) in
st.markdown, captions and alert text, and Plotly renders a subset of HTML (<a href>, <span
style>, <b>, <br>) in text, tick labels, legends and hovers. Text that came from outside goes
through these before it reaches either, so it shows as typed and never becomes markup. Pure
functions, no Streamlit: escape where the text is displayed, not in the domain.
"""

from __future__ import annotations

import re

# the ASCII punctuation that markdown, GitHub's extensions (~~, tables) or remark-math ($) give a
# meaning to anywhere in a line; CommonMark takes a backslash before any of them literally.
# "(" and "." stay as typed: a link needs "[", an image "![".
MARKDOWN_SPECIALS = "\\`*_[]<>~$:&@|"
# what means something only at the start of a line (headings, quotes, lists, rules)
LINE_START_SPECIALS = "#+-=>"
# Some markup is found in the text after the markdown is parsed, where a backslash has gone:
# GitHub's autolinks (http://.., www.., a@b.c) and Streamlit's :material/..: and :emoji:
# shortcodes. An invisible word joiner after the ":", "www" or "@" breaks each of them.
JOINER = "\u2060"
_MARKDOWN = re.compile("([" + re.escape(MARKDOWN_SPECIALS) + "])")
_JOIN = re.compile(r"(?i)(\\:(?=[\w/+-])|\\@|(?<![A-Za-z0-9])www(?=\.))")
_WWW_DOT = re.compile(r"(?i)(?<=www" + JOINER + r")\.")
_LINE_START = re.compile(r"^(\s*)(\d*)([" + re.escape(LINE_START_SPECIALS) + ".)])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]")

PLOTLY_SPECIALS = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def for_markdown(text: object) -> str:
    """Text shown as typed in st.markdown, captions and st.info/success/warning/error: every
    markdown or HTML special is backslash-escaped, autolinks and shortcodes are broken by an
    invisible word joiner, and line breaks become spaces, so "[a](b)", "![x](y)", "<img>",
    "http://x", "**", "_", backticks, ":material/home:" and "$x$" stay plain text."""
    text = "" if text is None else str(text)
    escaped = _MARKDOWN.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
    escaped = _WWW_DOT.sub(r"\\.", _JOIN.sub(r"\1" + JOINER, escaped))
    return _LINE_START.sub(r"\1\2\\\3", escaped)


def for_plotly(text: object) -> str:
    """Text shown as typed in a Plotly label, legend or hover: "<", ">" and "&" become entities,
    so "<a href=..>" or "<span style=..>" is shown, not rendered."""
    text = "" if text is None else str(text)
    return "".join(PLOTLY_SPECIALS.get(ch, ch) for ch in text)
