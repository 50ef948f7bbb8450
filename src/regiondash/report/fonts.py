"""The fonts the PDF is drawn in and text is measured with: Liberation Sans (Arial's metric
twin, so a line wraps where PowerPoint's Arial wraps it), DejaVu Sans for symbols."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# Arial's metric twin first, so the PDF wraps much as PowerPoint does; DejaVu for symbols (⚠)
_FONT_FILES = {
    "Liberation": [
        (
            "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
            "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
        ),
        (
            "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        ),
    ],
    "DejaVu": [
        (
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        ),
    ],
}


@functools.cache
def fonts() -> tuple[str, str, str | None]:
    """(regular, bold, symbol fallback) font names, registering TrueType fonts found on the
    system; Helvetica when there are none (Latin-1 text only, but still a readable PDF)."""
    found: dict[str, tuple[str, str]] = {}
    for family, candidates in _FONT_FILES.items():
        for regular, bold in candidates:
            if Path(regular).is_file() and Path(bold).is_file():
                pdfmetrics.registerFont(TTFont(f"{family}-Regular", regular))
                pdfmetrics.registerFont(TTFont(f"{family}-Bold", bold))
                found[family] = (f"{family}-Regular", f"{family}-Bold")
                break
    if not found:
        return "Helvetica", "Helvetica-Bold", None
    main = found.get("Liberation") or found["DejaVu"]
    symbols = found["DejaVu"][0] if "DejaVu" in found and main != found["DejaVu"] else None
    return main[0], main[1], symbols


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of a line of text in points, in the main font."""
    regular, heavy, _ = fonts()
    return pdfmetrics.stringWidth(text, heavy if bold else regular, size)
