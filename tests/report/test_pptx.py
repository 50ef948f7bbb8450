"""The board pack as PowerPoint: real titles, text frames and tables, pictures with alt text,
and a deck LibreOffice opens as a user's office suite would."""

import io
import shutil
import subprocess

import pypdf
import pytest
from pptx import Presentation
from pptx.util import Emu, Inches

from regiondash.report.model import table_rows
from regiondash.report.pptx_writer import pack_to_pptx
from tests.report import ARTIFACTS, convert_to_pdf, demo_pack


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return demo_pack(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def pptx_bytes(pack):
    return pack_to_pptx(pack)


@pytest.fixture(scope="module")
def deck(pptx_bytes):
    return Presentation(io.BytesIO(pptx_bytes))


def texts(page) -> list[str]:
    """The text of every text frame on a slide that is not a table."""
    return [s.text_frame.text for s in page.shapes if s.has_text_frame]


def test_one_16_9_slide_per_pack_slide_with_real_titles(deck, pack):
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    assert len(deck.slides) == len(pack.slides)
    assert [page.shapes.title.text for page in deck.slides] == [s.title for s in pack.slides]


def test_summary_numbers_are_editable_text(deck, pack):
    summary_index = [s.title for s in pack.slides].index("Summary")
    on_slide = texts(deck.slides[summary_index])
    for figure in pack.slides[summary_index].numbers:
        assert figure.value in on_slide  # its own text frame, exactly the number
        assert figure.label in on_slide


def test_tables_are_native_with_their_headers(deck, pack):
    for page, slide in zip(deck.slides, pack.slides, strict=True):
        tables = [s.table for s in page.shapes if s.has_table]
        if slide.table is None:
            assert tables == []
            continue
        assert len(tables) == 1
        table = tables[0]
        expected = table_rows(slide.table)
        assert [c.text for c in table.rows[0].cells] == expected[0]
        assert len(table.rows) == len(expected)
        assert [c.text for c in table.rows[1].cells] == expected[1]
        sizes = {
            r.font.size
            for row in table.rows
            for c in row.cells
            for p in c.text_frame.paragraphs
            for r in p.runs
        }
        assert min(sizes).pt >= 10  # readable at slide size


def test_risk_rag_is_in_words_as_well_as_colour(deck, pack):
    index = [s.title for s in pack.slides].index("Top risks")
    table = next(s.table for s in deck.slides[index].shapes if s.has_table)
    header = [c.text for c in table.rows[0].cells]
    rag = [row.cells[header.index("RAG")].text for row in list(table.rows)[1:]]
    assert set(rag) <= {"Red", "Amber", "Green"} and rag


def test_every_picture_has_its_alt_text(deck, pack):
    pictures = [
        (shape, slide)
        for page, slide in zip(deck.slides, pack.slides, strict=True)
        for shape in page.shapes
        if shape.shape_type == 13  # MSO_SHAPE_TYPE.PICTURE
    ]
    assert len(pictures) == 3
    for shape, slide in pictures:
        descr = shape._element.nvPicPr.cNvPr.get("descr")
        assert descr and descr == slide.image.alt_text
        assert shape.left + shape.width <= Emu(Inches(13.333))  # on the slide
        assert shape.top + shape.height <= Emu(Inches(7.0))  # above the footer


def test_every_slide_carries_the_source_line_and_its_number(deck, pack):
    total = len(pack.slides)
    for number, page in enumerate(deck.slides, start=1):
        on_slide = texts(page)
        assert pack.source_line in on_slide
        assert f"{number} of {total}" in on_slide


def test_deck_properties_name_the_pack(deck, pack):
    properties = deck.core_properties
    assert (
        properties.title == "GP practice clinical system migrations — Region Y58 – South West, "
        "as at 20 Nov 2026"
    )
    assert properties.author == "regiondash"
    assert properties.modified.date() == pack.as_at  # dated by the data, not the clock


@pytest.mark.slow
def test_libreoffice_opens_the_deck(pptx_bytes, pack, tmp_path):
    path = tmp_path / f"{pack.file_stem}.pptx"
    path.write_bytes(pptx_bytes)
    converted = convert_to_pdf(path, "pptx", tmp_path)
    reader = pypdf.PdfReader(converted)
    assert len(reader.pages) == len(pack.slides)
    assert "Top risks" in reader.pages[4].extract_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "pack-from-pptx.pdf").write_bytes(converted.read_bytes())
    if shutil.which("pdftoppm"):
        # the deck's pages as LibreOffice draws them, for a person to look at (CI keeps them)
        for old in ARTIFACTS.glob("pptx-page-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", "50", "-png", str(converted), str(ARTIFACTS / "pptx-page")],
            check=True,
            timeout=120,
        )
