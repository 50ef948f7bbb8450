"""The board pack as a PDF: one 16:9 page per slide, laid out as the PowerPoint deck is (see
layout), with page numbers and the source line in the footer. Drawn with reportlab."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from regiondash.report import layout as lay
from regiondash.report.fonts import fonts
from regiondash.report.model import BoardPack, Slide, numeric_columns, table_rows
from regiondash.style import NHS_BLUE, NHS_DARK_GREY, NHS_PALE_GREY, RAG_COLOURS, RAG_RED

PT = 72  # points per inch
TEXT = "#212B32"
STRIPE = "#F4F6F7"


def _markup(text: str) -> str:
    """Text for a Paragraph: escaped (tracker text is not markup), with characters the main
    font lacks drawn in the symbol font."""
    regular, _, symbols = fonts()
    glyphs = getattr(pdfmetrics.getFont(regular), "face", None)
    out = []
    for char in text:
        safe = escape(char)
        if glyphs is not None and symbols and ord(char) not in glyphs.charToGlyph:
            safe = f'<font name="{symbols}">{safe}</font>'
        elif glyphs is None and ord(char) > 255:
            safe = "?"  # Helvetica cannot draw it at all
        out.append(safe)
    return "".join(out).replace("\n", "<br/>")


def _style(size: float, colour: str = TEXT, bold: bool = False, **extra) -> ParagraphStyle:
    regular, heavy, _ = fonts()
    return ParagraphStyle(
        "p",
        fontName=heavy if bold else regular,
        fontSize=size,
        leading=size * lay.LINE,
        textColor=HexColor(colour),
        **extra,
    )


def _cell_style(size: float, row: int, numeric: bool) -> ParagraphStyle:
    """A table cell's style: the header row white and bold, numbers right-aligned."""
    header = row == 0
    return _style(size, "#FFFFFF" if header else TEXT, bold=header, alignment=2 if numeric else 0)


class _Page:
    """One page, with top-left inch coordinates as the layout gives them."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas

    def rect(self, box: lay.Box, fill: str) -> None:
        c = self.canvas
        c.setFillColor(HexColor(fill))
        c.rect(
            box.left * PT,
            (lay.SLIDE_H - box.top - box.height) * PT,
            box.width * PT,
            box.height * PT,
            stroke=0,
            fill=1,
        )

    def paragraph(self, text: str, box: lay.Box, style: ParagraphStyle, middle: bool = False):
        para = Paragraph(_markup(text), style)
        _, height = para.wrap(box.width * PT, box.height * PT)
        offset = (box.height * PT - height) / 2 if middle else 0
        para.drawOn(self.canvas, box.left * PT, (lay.SLIDE_H - box.top) * PT - offset - height)
        return height / PT

    def flowable_at(self, flowable, left: float, top: float, height_pt: float) -> None:
        flowable.drawOn(self.canvas, left * PT, (lay.SLIDE_H - top) * PT - height_pt)


def _table(page: _Page, slide: Slide, box: lay.Box) -> None:
    plan = lay.plan_table(slide, box)
    assert slide.table is not None  # drawn only for a slide with a table
    rows = table_rows(slide.table)
    rag_column = rows[0].index("RAG") if "RAG" in rows[0] else None
    numeric = numeric_columns(rows)
    for size in range(plan.font_pt, 7, -1):
        # the layout's estimate first, then smaller until the measured table fits its box
        cells = [
            [
                Paragraph(_markup(text), _cell_style(size, r, c in numeric))
                for c, text in enumerate(row)
            ]
            for r, row in enumerate(rows)
        ]
        commands = [
            ("BACKGROUND", (0, 0), (-1, 0), HexColor(NHS_BLUE)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), lay.CELL_PAD_X * PT),
            ("RIGHTPADDING", (0, 0), (-1, -1), lay.CELL_PAD_X * PT),
            ("TOPPADDING", (0, 0), (-1, -1), lay.CELL_PAD_Y * PT + 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), lay.CELL_PAD_Y * PT + 2),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, HexColor(NHS_PALE_GREY)),
        ]
        for r in range(2, len(rows), 2):
            commands.append(("BACKGROUND", (0, r), (-1, r), HexColor(STRIPE)))
        if rag_column is not None:
            for r, row in enumerate(rows[1:], start=1):
                if row[rag_column] in RAG_COLOURS:
                    word = row[rag_column]
                    ink = TEXT if word == "Amber" else "#FFFFFF"
                    cells[r][rag_column] = Paragraph(word, _style(size, ink, bold=True))
                    fill = HexColor(RAG_COLOURS[word])
                    commands.append(("BACKGROUND", (rag_column, r), (rag_column, r), fill))
        table = Table(cells, colWidths=[w * PT for w in plan.widths], style=TableStyle(commands))
        _, height = table.wrap(box.width * PT, box.height * PT)
        if height <= box.height * PT:
            break
    page.flowable_at(table, box.left, box.top, height)


def _bullets(page: _Page, bullets: list[str], box: lay.Box) -> None:
    size = lay.bullet_size(bullets, box)
    top = box.top
    style = _style(
        size, bulletFontSize=size, leftIndent=0.28 * PT, bulletIndent=0, spaceAfter=size * 0.6
    )
    for text in bullets:
        para = Paragraph(_markup(text), style, bulletText="•")
        _, height = para.wrap(box.width * PT, box.height * PT)
        page.flowable_at(para, box.left, top, height)
        top += (height + size * 0.6) / PT


def _footer(page: _Page, pack: BoardPack, number: int, total: int) -> None:
    width = lay.SLIDE_W - 2 * lay.MARGIN
    page.paragraph(
        pack.source_line,
        lay.Box(lay.MARGIN, lay.FOOTER_TOP + 0.08, width - 1.6, 0.35),
        _style(lay.FOOTER_PT, NHS_DARK_GREY),
    )
    page.paragraph(
        f"{number} of {total}",
        lay.Box(lay.SLIDE_W - lay.MARGIN - 1.5, lay.FOOTER_TOP + 0.08, 1.5, 0.35),
        _style(lay.FOOTER_PT, NHS_DARK_GREY, alignment=2),
    )


def _title_page(page: _Page, slide: Slide) -> None:
    page.rect(lay.Box(0, 0, lay.SLIDE_W, 3.9), NHS_BLUE)
    left, width = lay.MARGIN + 0.2, lay.SLIDE_W - 2 * lay.MARGIN - 0.4
    page.paragraph(slide.title, lay.Box(left, 1.4, width, 1.0), _style(40, "#FFFFFF", bold=True))
    page.paragraph(slide.note, lay.Box(left, 2.55, width, 0.8), _style(28, "#FFFFFF"))
    top = 4.25
    small = [b for b in slide.bullets if b.startswith("Contains public sector")]
    for index, text in enumerate(b for b in slide.bullets if b not in small):
        demo = text.startswith("DEMO DATA")
        style = _style(22 if index == 0 else 18, RAG_RED if demo else TEXT, bold=index == 0 or demo)
        top += page.paragraph(text, lay.Box(left, top, width, 0.6), style) + 0.12
    for text in small:
        page.paragraph(text, lay.Box(left, 6.3, width, 0.5), _style(11, NHS_DARK_GREY))


def _content_page(page: _Page, slide: Slide) -> None:
    page.rect(lay.Box(0, 0, lay.SLIDE_W, lay.TITLE_BAR_H), NHS_BLUE)
    page.paragraph(
        slide.title,
        lay.Box(lay.MARGIN, 0.08, lay.SLIDE_W - 2 * lay.MARGIN, lay.TITLE_BAR_H - 0.16),
        _style(lay.TITLE_PT, "#FFFFFF", bold=True),
        middle=True,
    )
    plan = lay.plan_slide(slide)
    if plan.note is not None:
        page.paragraph(slide.note, plan.note, _style(lay.NOTE_PT, NHS_DARK_GREY))
    for figure, box in zip(slide.numbers, plan.tiles, strict=True):
        page.rect(box, NHS_PALE_GREY)
        inner = lay.Box(box.left + 0.12, box.top + 0.1, box.width - 0.24, 0.6)
        page.paragraph(figure.value, inner, _style(lay.TILE_VALUE_PT, NHS_BLUE, bold=True))
        label = lay.Box(box.left + 0.12, box.top + 0.74, box.width - 0.24, 0.5)
        page.paragraph(figure.label, label, _style(lay.TILE_LABEL_PT))
    if plan.main is not None and slide.table is not None:
        _table(page, slide, plan.main)
    elif plan.main is not None and slide.image is not None:
        where = lay.fit_image(plan.main, slide.image.width_px, slide.image.height_px)
        page.canvas.drawImage(
            ImageReader(io.BytesIO(slide.image.png)),
            where.left * PT,
            (lay.SLIDE_H - where.top - where.height) * PT,
            where.width * PT,
            where.height * PT,
        )
    if plan.side is not None:
        _bullets(page, slide.bullets, plan.side)


def pack_to_pdf(pack: BoardPack) -> bytes:
    """The pack as PDF bytes: one 13.333 x 7.5 in page per slide."""
    out = io.BytesIO()
    # invariant: no creation time or random id, so the same pack gives the same bytes
    canvas = Canvas(out, pagesize=(lay.SLIDE_W * PT, lay.SLIDE_H * PT), invariant=True)
    canvas.setTitle(f"{pack.title} — {pack.scope_label}, as at {pack.as_at:%d %b %Y}")
    canvas.setAuthor("regiondash")
    canvas.setSubject(pack.source_line)
    total = len(pack.slides)
    for number, slide in enumerate(pack.slides, start=1):
        page = _Page(canvas)
        if slide.kind == "title":
            _title_page(page, slide)
        else:
            _content_page(page, slide)
        _footer(page, pack, number, total)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
