"""`regiondash report` and `regiondash export`: files for scheduled runs, exit 0 on success and
2 with a plain message (no traceback) on bad usage, nothing to report, or no Chromium."""

import argparse
import csv
import io

import openpyxl
import pypdf
import pytest
from pptx import Presentation

from regiondash.cli.reports import add_report_parsers
from regiondash.report import images
from regiondash.tables import TABLES
from tests.report import demo_url, fake_render, require_chromium


def parser() -> argparse.ArgumentParser:
    """A parser as cli.build_parser makes it, with only these two subcommands."""
    built = argparse.ArgumentParser(prog="regiondash")
    add_report_parsers(built.add_subparsers(dest="command", required=True))
    return built


def run(capsys, *argv):
    args = parser().parse_args(list(argv))
    code = args.func(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return demo_url(tmp_path_factory)


def test_report_pdf_end_to_end(capsys, db, tmp_path):
    require_chromium()
    out = tmp_path / "pack.pdf"
    scope = ["--sub-icb", "11j", "--as-at", "2026-11-20"]
    code, stdout, stderr = run(
        capsys, "report", "--db", db, *scope, "--format", "pdf", "--out", str(out)
    )
    assert code == 0, stderr
    assert stdout.strip() == (
        f"Wrote {out} (13 slides): Sub-ICB location 11J – Dorset, as at 20 Nov 2026"
    )
    assert "100% Done" in stderr  # progress for a person watching; --quiet for cron
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 13
    assert "Sub-ICB location 11J – Dorset" in reader.pages[0].extract_text()


def test_report_pptx(capsys, db, tmp_path, monkeypatch):
    fake_render(monkeypatch)
    monkeypatch.setattr(images, "chromium_available", lambda: True)
    out = tmp_path / "pack.pptx"
    argv = ["report", "--db", db, "--icb", "QJK", "--format", "pptx", "--out", str(out)]
    code, _, stderr = run(capsys, *argv, "--quiet")
    assert (code, stderr) == (0, "")
    deck = Presentation(str(out))
    assert len(deck.slides) == 13
    assert deck.slides[0].shapes.title.text == "GP practice clinical system migrations"


def test_report_without_chromium_says_so_and_writes_nothing(capsys, db, tmp_path, monkeypatch):
    monkeypatch.setattr(images, "browser_path", lambda: None)
    out = tmp_path / "pack.pdf"
    code, stdout, stderr = run(capsys, "report", "--db", db, "--format", "pdf", "--out", str(out))
    assert code == 2
    assert stderr == (
        "regiondash: Chart images need Chromium on the server (Debian: apt-get install "
        "chromium); the board pack needs it.\n"
    )
    assert not out.exists() and stdout == ""


@pytest.mark.parametrize("table", list(TABLES))
def test_export_every_table_as_xlsx_and_csv(capsys, db, tmp_path, table):
    xlsx, text = tmp_path / f"{table}.xlsx", tmp_path / f"{table}.csv"
    as_xlsx = ["export", "--db", db, "--table", table, "--format", "xlsx", "--out", str(xlsx)]
    assert run(capsys, *as_xlsx)[0] == 0
    as_csv = ["export", "--table", table, "--format", "csv", "--out", str(text), "--db", db]
    code, stdout, _ = run(capsys, *as_csv)
    assert code == 0
    assert stdout.startswith(f"Wrote {text}: ") and "as at 20 Nov 2026" in stdout
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == [TABLES[table], "Definitions"]
    rows = list(csv.reader(io.StringIO(text.read_text("utf-8-sig"), newline="")))
    assert book[TABLES[table]].max_row == len(rows)  # the same rows, header included
    assert [c.value for c in book[TABLES[table]][1]] == rows[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--icb", "XXX"], "no migrations in ICB XXX as at 20 Nov 2026"),
        (["--as-at", "2026-01-01"], "no upload is as at or before 01 Jan 2026"),
        (["--out-name", "table.pdf"], "--out table.pdf does not end in .csv, but --format is csv"),
        (["--out-name", "missing/table.csv"], "the folder"),
    ],
)
def test_export_problems_are_one_plain_line(capsys, db, tmp_path, argv, message):
    out = tmp_path / "table.csv"
    if argv[0] == "--out-name":
        out, argv = tmp_path / argv[1], []
    export = ["export", "--db", db, "--table", "risks", "--format", "csv", "--out", str(out)]
    code, stdout, stderr = run(capsys, *export, *argv)
    assert code == 2
    assert stderr.startswith("regiondash: ") and message in stderr
    assert "Traceback" not in stderr and len(stderr.splitlines()) == 1
    assert stdout == "" and not out.exists()


def test_nothing_stored_yet(capsys, tmp_path):
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    argv = ["--table", "migrations", "--format", "csv", "--out", str(tmp_path / "m.csv")]
    code, _, stderr = run(capsys, "export", "--db", empty, *argv)
    assert code == 2
    assert "no uploads stored yet" in stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--format", "pdf"],  # no --out
        ["report", "--out", "x.pdf"],  # no --format
        ["report", "--format", "docx", "--out", "x.docx"],
        ["report", "--format", "pdf", "--out", "x.pdf", "--icb", "QJK", "--region", "Y58"],
        ["export", "--table", "people", "--format", "csv", "--out", "x.csv"],
        ["export", "--table", "risks", "--format", "csv", "--out", "x.csv", "--as-at", "20/11/26"],
    ],
)
def test_bad_usage_exits_2_with_usage(capsys, argv):
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(argv)
    assert exited.value.code == 2
    assert "usage: regiondash" in capsys.readouterr().err
