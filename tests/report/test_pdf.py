"""The board pack as a PDF: a 16:9 page per slide, the summary's numbers and the source line
as text, and tracker text drawn as text, never read as markup."""

import datetime as dt
import io
import shutil
import subprocess

import pandas as pd
import pypdf
import pytest

from regiondash.report.model import BoardPack, KeyFigure, Slide
from regiondash.report.pdf_writer import pack_to_pdf
from tests.report import ARTIFACTS, demo_pack


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return demo_pack(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def pdf_bytes(pack):
    return pack_to_pdf(pack)


@pytest.fixture(scope="module")
def pages(pdf_bytes):
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages]


def test_one_16_9_page_per_slide(pdf_bytes, pack):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) == len(pack.slides)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (960, 540)
    assert reader.metadata.title.startswith("GP practice clinical system migrations — Region Y58")


def test_each_page_has_its_title_source_line_and_number(pages, pack):
    total = len(pack.slides)
    for number, (text, slide) in enumerate(zip(pages, pack.slides, strict=True), start=1):
        flat = " ".join(text.split())
        assert slide.title in flat
        assert "Source: regiondash" in flat
        assert pack.source_line in flat
        assert f"{number} of {total}" in flat


def test_summary_page_holds_the_summary_numbers(pages, pack):
    index = [s.title for s in pack.slides].index("Summary")
    words = pages[index].split()
    for figure in pack.slides[index].numbers:
        assert figure.value in words
    for number in pack.slides[index].table["Number"]:
        assert number in words


def test_pdftotext_reads_it_too(pdf_bytes, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("POPPLER (pdftotext) NOT INSTALLED: apt-get install poppler-utils")
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert text.count("Source: regiondash") == 13
    assert "Top risks" in text


def test_same_pack_same_bytes(pack, pdf_bytes):
    assert pack_to_pdf(pack) == pdf_bytes  # no clock and no random id in the file


def test_tracker_text_is_drawn_not_interpreted():
    awkward = 'Dr <b>Smith</b> & "Partners" ⚠ =1+1'
    table = pd.DataFrame({"Practice": [awkward], "Go live": [pd.Timestamp("2026-12-01")]})
    summary = Slide(
        "Summary", numbers=[KeyFigure("7", "migrations")], bullets=[awkward], table=table
    )
    source = "Source: regiondash — uploads by <x>"
    pack = BoardPack("Title", "ICB QXX – Test", dt.date(2026, 11, 20), source, [summary])
    text = " ".join(pypdf.PdfReader(io.BytesIO(pack_to_pdf(pack))).pages[0].extract_text().split())
    assert text.count('Dr <b>Smith</b> & "Partners"') == 2
    assert "1 Dec 2026" in text
    assert "Source: regiondash — uploads by <x>" in text


def test_pages_render_for_a_look(pdf_bytes, tmp_path):
    """Pages as PNG in test-artifacts/board-pack/ (CI keeps them) for a person to look at."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("POPPLER (pdftoppm) NOT INSTALLED: apt-get install poppler-utils")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "pack.pdf").write_bytes(pdf_bytes)
    for old in ARTIFACTS.glob("pdf-page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(ARTIFACTS / "pack.pdf"), str(ARTIFACTS / "pdf-page")],
        check=True,
        timeout=120,
    )
    assert len(list(ARTIFACTS.glob("pdf-page-*.png"))) == 13
