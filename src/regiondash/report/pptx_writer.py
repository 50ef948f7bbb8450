"""The board pack as a PowerPoint deck: real titles, text frames and tables a board secretary can
edit, charts as pictures with alt text, and the source line on every slide."""

from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from regiondash.report import layout as lay
from regiondash.report.model import BoardPack, Slide, numeric_columns, table_rows
from regiondash.style import NHS_BLUE, NHS_DARK_GREY, NHS_PALE_GREY, RAG_COLOURS

FONT = "Arial"
TEXT = "212B32"
STRIPE = "F4F6F7"
WHITE = "FFFFFF"
_TITLE_ONLY = 5  # the default template's "Title Only" layout: a real title placeholder


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _box(shapes, box: lay.Box):
    return shapes.add_textbox(
        Inches(box.left), Inches(box.top), Inches(box.width), Inches(box.height)
    )


def _style(run, size: float, colour: str = TEXT, bold: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)


def _text(frame, text: str, size: float, colour: str = TEXT, bold: bool = False) -> None:
    """Replace a text frame's text with one styled paragraph per line."""
    frame.word_wrap = True
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        _style(paragraph.add_run(), size, colour, bold)
        paragraph.runs[-1].text = line


def _rect(shapes, box: lay.Box, fill: str):
    shape = shapes.add_shape(
        MSO_SHAPE.RECTANGLE,
        Inches(box.left),
        Inches(box.top),
        Inches(box.width),
        Inches(box.height),
    )
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    shape.line.fill.background()
    shape.shadow.inherit = False
    return shape


def _title(slide, text: str) -> None:
    _rect(slide.shapes, lay.Box(0, 0, lay.SLIDE_W, lay.TITLE_BAR_H), NHS_BLUE)
    title = slide.shapes.title
    title.left, title.top = Inches(lay.MARGIN), Inches(0.08)
    title.width, title.height = Inches(lay.SLIDE_W - 2 * lay.MARGIN), Inches(lay.TITLE_BAR_H - 0.16)
    frame = title.text_frame
    frame.clear()
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _text(frame, text, lay.TITLE_PT, WHITE, bold=True)
    frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    # the title comes to the front, so the blue bar drawn after it does not hide it
    tree = slide.shapes._spTree
    tree.remove(title._element)
    tree.append(title._element)


def _footer(slide, pack: BoardPack, number: int, total: int) -> None:
    width = lay.SLIDE_W - 2 * lay.MARGIN
    source = _box(slide.shapes, lay.Box(lay.MARGIN, lay.FOOTER_TOP, width - 1.6, 0.35))
    _text(source.text_frame, pack.source_line, lay.FOOTER_PT, NHS_DARK_GREY)
    page = _box(slide.shapes, lay.Box(lay.SLIDE_W - lay.MARGIN - 1.5, lay.FOOTER_TOP, 1.5, 0.35))
    _text(page.text_frame, f"{number} of {total}", lay.FOOTER_PT, NHS_DARK_GREY)
    page.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _bullets(shapes, bullets: list[str], box: lay.Box) -> None:
    size = lay.bullet_size(bullets, box)
    frame = _box(shapes, box).text_frame
    frame.word_wrap = True
    for index, text in enumerate(bullets):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(size * 0.6)
        properties = paragraph._p.get_or_add_pPr()
        properties.set("marL", str(Inches(0.28)))
        properties.set("indent", str(-Inches(0.28)))
        colour = properties.makeelement(qn("a:buClr"), {})
        colour.append(colour.makeelement(qn("a:srgbClr"), {"val": NHS_BLUE.lstrip("#")}))
        properties.append(colour)
        properties.append(properties.makeelement(qn("a:buChar"), {"char": "•"}))
        run = paragraph.add_run()
        run.text = text
        _style(run, size)


def _tiles(shapes, slide: Slide, boxes: list[lay.Box]) -> None:
    for figure, box in zip(slide.numbers, boxes, strict=True):
        tile = _rect(shapes, box, NHS_PALE_GREY)
        tile.name = f"Key figure: {figure.label}"
        value = _box(shapes, lay.Box(box.left + 0.1, box.top + 0.08, box.width - 0.2, 0.65))
        _text(value.text_frame, figure.value, lay.TILE_VALUE_PT, NHS_BLUE, bold=True)
        value.name = f"Value: {figure.label}"
        label = _box(shapes, lay.Box(box.left + 0.1, box.top + 0.72, box.width - 0.2, 0.5))
        _text(label.text_frame, figure.label, lay.TILE_LABEL_PT, TEXT)


def _cell(
    cell,
    text: str,
    size: int,
    fill: str,
    colour: str = TEXT,
    bold: bool = False,
    right: bool = False,
) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = _rgb(fill)
    cell.margin_left = cell.margin_right = Inches(lay.CELL_PAD_X)
    cell.margin_top = cell.margin_bottom = Inches(lay.CELL_PAD_Y)
    cell.vertical_anchor = MSO_ANCHOR.TOP
    frame = cell.text_frame
    frame.word_wrap = True
    frame.paragraphs[0].text = ""
    _text(frame, text, size, colour, bold)
    if right:
        for paragraph in frame.paragraphs:
            paragraph.alignment = PP_ALIGN.RIGHT


def _table(shapes, slide: Slide, box: lay.Box) -> None:
    plan = lay.plan_table(slide, box)
    assert slide.table is not None  # drawn only for a slide with a table
    rows = table_rows(slide.table)
    shape = shapes.add_table(
        len(rows),
        len(rows[0]),
        Inches(box.left),
        Inches(box.top),
        Inches(box.width),
        Inches(plan.height),
    )
    shape.name = f"Table: {slide.title}"
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for index, width in enumerate(plan.widths):
        table.columns[index].width = Emu(int(Inches(width)))
    rag_column = rows[0].index("RAG") if "RAG" in rows[0] else None
    numeric = numeric_columns(rows)
    for r, (values, height) in enumerate(zip(rows, plan.heights, strict=True)):
        table.rows[r].height = Emu(int(Inches(height)))
        for c, text in enumerate(values):
            cell = table.cell(r, c)
            if r == 0:
                _cell(cell, text, plan.font_pt, NHS_BLUE, WHITE, bold=True, right=c in numeric)
            elif c == rag_column and text in RAG_COLOURS:
                # the word is the signal; the fill repeats it (amber takes dark text to be read)
                ink = TEXT if text == "Amber" else WHITE
                _cell(cell, text, plan.font_pt, RAG_COLOURS[text], ink, bold=True)
            else:
                _cell(cell, text, plan.font_pt, STRIPE if r % 2 == 0 else WHITE, right=c in numeric)


def _picture(shapes, slide: Slide, box: lay.Box) -> None:
    image = slide.image
    assert image is not None  # drawn only for a slide with an image
    where = lay.fit_image(box, image.width_px, image.height_px)
    picture = shapes.add_picture(
        io.BytesIO(image.png),
        Inches(where.left),
        Inches(where.top),
        Inches(where.width),
        Inches(where.height),
    )
    picture.name = f"Chart: {slide.title}"
    picture._element.nvPicPr.cNvPr.set("descr", image.alt_text)


def _title_slide(deck, slide: Slide):
    page = deck.slides.add_slide(deck.slide_layouts[_TITLE_ONLY])
    band = lay.Box(0, 0, lay.SLIDE_W, 3.9)
    _rect(page.shapes, band, NHS_BLUE)
    title = page.shapes.title
    title.left, title.top = Inches(lay.MARGIN + 0.2), Inches(1.0)
    title.width, title.height = Inches(lay.SLIDE_W - 2 * lay.MARGIN - 0.4), Inches(1.4)
    title.text_frame.clear()
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _text(title.text_frame, slide.title, 40, WHITE, bold=True)
    title.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    tree = page.shapes._spTree
    tree.remove(title._element)
    tree.append(title._element)
    scope = _box(page.shapes, lay.Box(lay.MARGIN + 0.2, 2.5, 12, 0.8))
    _text(scope.text_frame, slide.note, 28, WHITE)
    lines = [b for b in slide.bullets if not b.startswith("Contains public sector")]
    small = [b for b in slide.bullets if b.startswith("Contains public sector")]
    body = _box(page.shapes, lay.Box(lay.MARGIN + 0.2, 4.25, 12, 1.9))
    for index, text in enumerate(lines):
        frame = body.text_frame
        paragraph = frame.add_paragraph() if index else frame.paragraphs[0]
        paragraph.space_after = Pt(8)
        demo = text.startswith("DEMO DATA")
        run = paragraph.add_run()
        run.text = text
        _style(run, 22 if index == 0 else 18, "DA291C" if demo else TEXT, bold=index == 0 or demo)
    body.text_frame.word_wrap = True
    if small:
        note = _box(page.shapes, lay.Box(lay.MARGIN + 0.2, 6.3, 12, 0.5))
        _text(note.text_frame, small[0], 11, NHS_DARK_GREY)
    return page


def pack_to_pptx(pack: BoardPack) -> bytes:
    """The pack as .pptx bytes: 16:9 (13.333 x 7.5 in), one slide per pack slide."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(lay.SLIDE_W), Inches(lay.SLIDE_H)
    total = len(pack.slides)
    for number, slide in enumerate(pack.slides, start=1):
        if slide.kind == "title":
            _footer(_title_slide(deck, slide), pack, number, total)
            continue
        page = deck.slides.add_slide(deck.slide_layouts[_TITLE_ONLY])
        _title(page, slide.title)
        plan = lay.plan_slide(slide)
        if plan.note is not None:
            note = _box(page.shapes, plan.note)
            _text(note.text_frame, slide.note, lay.NOTE_PT, NHS_DARK_GREY)
        if plan.tiles:
            _tiles(page.shapes, slide, plan.tiles)
        if plan.main is not None and slide.table is not None:
            _table(page.shapes, slide, plan.main)
        elif plan.main is not None and slide.image is not None:
            _picture(page.shapes, slide, plan.main)
        if plan.side is not None:
            _bullets(page.shapes, slide.bullets, plan.side)
        _footer(page, pack, number, total)
    properties = deck.core_properties
    properties.title = f"{pack.title} — {pack.scope_label}, as at {pack.as_at:%d %b %Y}"
    properties.author = properties.last_modified_by = "regiondash"
    properties.subject = pack.source_line
    # dated by the data, not the clock, so the same data gives the same deck
    moment = dt.datetime.combine(pack.as_at, dt.time())
    properties.created = properties.modified = moment
    properties.revision = 1
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
