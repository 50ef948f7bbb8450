"""Where things go on a 16:9 slide (inches from the top left), shared by the PowerPoint and PDF
writers so a page of the PDF looks like its slide. Text sizes are in points."""

from __future__ import annotations

from dataclasses import dataclass

from regiondash.report.fonts import text_width
from regiondash.report.model import Slide, table_rows

SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.45
TITLE_BAR_H = 0.95
FOOTER_TOP = 7.0
CONTENT_BOTTOM = 6.85
GAP = 0.2
TILE_H = 1.25
SIDE_W = 3.7  # the bullets' column beside a table or chart
TITLE_PT = 28
NOTE_PT = 15
BULLET_PT = 17
TILE_VALUE_PT = 34
TILE_LABEL_PT = 13
FOOTER_PT = 10
TABLE_SIZES = (16, 14, 13, 12, 11, 10)  # tried largest first; 10 pt is the floor
CELL_PAD_X, CELL_PAD_Y = 0.08, 0.04
CHAR_EM = 0.5  # an Arial character averages about half an em
LINE = 1.2  # line height as a multiple of the font size


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class TablePlan:
    """A table's font size, column widths and row heights (inches) that fit its box."""

    font_pt: int
    widths: list[float]
    heights: list[float]

    @property
    def height(self) -> float:
        """The table's total height."""
        return sum(self.heights)


@dataclass(frozen=True)
class SlidePlan:
    """The boxes of one slide's parts (None where the slide has no such part)."""

    note: Box | None
    tiles: list[Box]
    main: Box | None  # the table or the image
    side: Box | None  # the bullets


def _lines(text: str, width_in: float, font_pt: float, bold: bool = False) -> int:
    """How many lines text wraps to in a column this wide, measured in Arial's metrics."""
    # a little spare: PowerPoint and LibreOffice do not wrap to the exact point
    usable = max(width_in - 2 * CELL_PAD_X, 0.2) * 72 * 0.96
    space = _width(" ", font_pt, bold)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split(" "):
            size = _width(word, font_pt, bold)
            need = size + (space if used else 0)
            if used and used + need > usable:
                lines += 1
                used = 0.0
                need = size
            while need > usable:  # a word longer than the column breaks where it must
                lines += 1
                need -= usable
            used += need
        total += lines
    return total


def _width(text: str, font_pt: float, bold: bool) -> float:
    try:
        return text_width(text, font_pt, bold)
    except (KeyError, ValueError, TypeError):
        # no metrics for this text: about half an em a character, rounded up
        return len(text) * font_pt * (CHAR_EM + 0.05)


def _row_height(row: list[str], widths: list[float], size: float, bold: bool) -> float:
    """A table row's height (inches) at `size` pt: its tallest cell's lines plus the padding."""
    lines = max(_lines(cell, w, size, bold=bold) for cell, w in zip(row, widths, strict=True))
    return lines * size * LINE / 72 + 2 * CELL_PAD_Y + 0.04


def plan_table(slide: Slide, box: Box) -> TablePlan:
    """The largest font (16 pt down to 10 pt) at which the table fits the box."""
    assert slide.table is not None  # planned only for a slide with a table
    rows = table_rows(slide.table)
    weights = slide.column_widths or tuple(1.0 for _ in rows[0])
    scale = box.width / sum(weights)
    widths = [w * scale for w in weights]
    heights: list[float] = []
    for size in TABLE_SIZES:
        heights = [_row_height(row, widths, size, index == 0) for index, row in enumerate(rows)]
        if sum(heights) <= box.height:
            return TablePlan(size, widths, heights)
    return TablePlan(TABLE_SIZES[-1], widths, heights)


def plan_slide(slide: Slide) -> SlidePlan:
    """Where the note, the key figures, the table or image, and the bullets go."""
    top = TITLE_BAR_H + 0.12
    note = None
    if slide.note:
        lines = _lines(slide.note, SLIDE_W - 2 * MARGIN, NOTE_PT)
        height = 0.2 + lines * NOTE_PT * LINE / 72
        note = Box(MARGIN, top, SLIDE_W - 2 * MARGIN, height)
        top += height + 0.05
    width = SLIDE_W - 2 * MARGIN
    tiles: list[Box] = []
    if slide.numbers:
        count = len(slide.numbers)
        tile_w = (width - GAP * (count - 1)) / count
        tiles = [Box(MARGIN + i * (tile_w + GAP), top + 0.05, tile_w, TILE_H) for i in range(count)]
        top += TILE_H + GAP + 0.1
    height = CONTENT_BOTTOM - top
    has_main = slide.table is not None or slide.image is not None
    if has_main and slide.bullets:
        main = Box(MARGIN, top, width - SIDE_W - GAP, height)
        side = Box(MARGIN + main.width + GAP, top, SIDE_W, height)
    elif has_main:
        main, side = Box(MARGIN, top, width, height), None
    else:
        main, side = None, Box(MARGIN, top, width, height) if slide.bullets else None
    return SlidePlan(note, tiles, main, side)


def fit_image(box: Box, width_px: int, height_px: int) -> Box:
    """The largest box of the image's shape inside `box`, at its top left."""
    ratio = width_px / height_px
    width = min(box.width, box.height * ratio)
    return Box(box.left, box.top, width, width / ratio)


def bullet_size(bullets: list[str], box: Box) -> int:
    """The largest bullet font (17 pt down to 12 pt) whose text fits the box."""
    for size in (BULLET_PT + 3, BULLET_PT, 16, 15, 14, 13, 12):
        height = sum(
            _lines(text, box.width - 0.3, size) * size * LINE / 72 + size * 0.6 / 72
            for text in bullets
        )
        if height <= box.height:
            return size
    return 12
