"""`regiondash import` end to end: hostile files refused with nothing stored, two processes
importing at once, and import -> store -> read round trips."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regiondash import store
from regiondash.cli import main
from regiondash.importing import import_tracker
from regiondash.ingest.errors import spreadsheet_error
from regiondash.reference import load_reference
from tests.ingest.test_hostile_files import REFUSED, gen

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Every hostile fixture, generated fresh."""
    return gen.make_all(tmp_path_factory.mktemp("hostile-cli"))


@pytest.mark.parametrize(("name", "reason", "advice"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_file_exits_2_with_its_message_and_stores_nothing(
    hostile, name, reason, advice, sqlite_url, capsys
):
    code = main(["import", str(hostile[name]), "--db", sqlite_url, "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 2
    assert result["status"] == "unreadable"
    message = result["errors"][0]["message"]
    assert message.startswith(name)
    assert all(word in message for word in advice), message
    assert "Traceback" not in message
    assert store.list_uploads(store.connect(sqlite_url)).empty


LEGAL = ["formula_cells.xlsx", "hidden_sheets.xlsx", "cp1252.csv", "bom.csv", "data_from_c5.xlsx"]


@pytest.mark.parametrize("name", LEGAL)
def test_legal_files_without_a_target_column_are_refused_with_one_message(
    hostile, name, sqlite_url, capsys
):
    """These awkward-but-legal fixtures read fine but name no target system: one file-level
    error (not one per row), exit 1, every row set aside, nothing stored."""
    code = main(["import", str(hostile[name]), "--db", sqlite_url, "--json"])
    result = json.loads(capsys.readouterr().out)
    assert (code, result["status"]) == (1, "rejected")
    assert [e["message"][:43] for e in result["errors"]] == [
        "the file has no column for the target system"[:43]
    ]
    assert result["errors"][0]["row"] is None
    assert store.list_uploads(store.connect(sqlite_url)).empty


@pytest.mark.parametrize("name", LEGAL)
def test_legal_files_store_once_the_target_column_is_known(hostile, name, tmp_path, capsys):
    """With a target column added to a copy, each stores, and cp1252 and BOM text comes through."""
    book = gen_with_target(hostile[name], tmp_path)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    code = main(["import", str(book), "--db", url, "--json", "--as-at", "2026-11-20"])
    result = json.loads(capsys.readouterr().out)
    assert (code, result["status"]) == (0, "stored"), result["errors"]
    migrations, _ = store.current_picture(store.connect(url))
    assert len(migrations) == result["migrations"] > 0
    if name in ("cp1252.csv", "bom.csv"):
        assert any("’" in n or "é" in n for n in migrations["practice_name"].dropna())
    if name == "hidden_sheets.xlsx":
        assert any("hidden" in note for note in result["notes"])
    # (formula_cells: openpyxl drops cached formula values when it re-saves the copy, so the
    # cached-value reading is asserted on the original in tests/ingest/test_hostile_files.py)


def gen_with_target(path: Path, tmp_path: Path) -> Path:
    """A copy of a fixture with a 'New system' column added (CSV text or the xlsx tracker sheet)."""
    out = tmp_path / path.name
    if path.suffix == ".csv":
        raw = path.read_bytes()
        encoding = "cp1252" if path.name == "cp1252.csv" else "utf-8-sig"
        lines = raw.decode(encoding).splitlines()
        lines = [lines[0] + ",New system", *[line + ",Vision" for line in lines[1:] if line]]
        out.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
        if encoding == "utf-8-sig":
            assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        return out
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = next(s for s in book.worksheets if s.sheet_state == "visible")
    header_row = next(
        row[0].row for row in sheet.iter_rows() if any(c.value == "Practice Code" for c in row)
    )
    column = sheet.max_column + 1
    sheet.cell(header_row, column, "New system")
    for row in range(header_row + 1, sheet.max_row + 1):
        if sheet.cell(row, 1).value or any(sheet.cell(row, c).value for c in range(1, column)):
            sheet.cell(row, column, "Vision")
    book.save(out)
    return out


def _tracker_csv(codes: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Practice Code", "New supplier", "Go Live Date"])
    for code in codes:
        writer.writerow([code, "EMIS", "02/03/2026"])
    return out.getvalue().encode()


@pytest.mark.slow
def test_two_processes_import_at_once(db_url, tmp_path):
    practices = load_reference().practices
    tpp = practices[practices["source_system"] == "SystmOne"].index
    files = []
    for index, codes in enumerate((tpp[:1500], tpp[1500:2500])):
        path = tmp_path / f"tracker-{index}.csv"
        path.write_bytes(_tracker_csv(list(codes)))
        files.append(path)
    env = {**os.environ, "REGIONDASH_DATABASE_URL": db_url}
    command = [sys.executable, "-m", "regiondash.cli", "import", "--json", "--as-at", "2026-11-20"]
    runs = [
        subprocess.Popen(
            [*command, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
        )
        for path in files
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
        assert json.loads(out)["status"] == "stored"
        assert b"locked" not in err and b"Traceback" not in err
    engine = store.connect(db_url)
    uploads = store.list_uploads(engine)
    assert sorted(uploads["migrations"]) == [1000, 1500]
    migrations, _ = store.current_picture(engine)
    assert len(migrations) == 2500
    engine.dispose()


PRACTICES = load_reference().practices
EMIS_PRACTICES = sorted(PRACTICES[PRACTICES["source_system"] == "EMIS Web"].index)
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
row = st.fixed_dictionaries(
    {
        "ods": st.sampled_from(EMIS_PRACTICES),
        "target": st.sampled_from(["SystmOne", "TPP", "s1", "Vision", "Evolution"]),
        "idp": st.one_of(st.none(), dates),
        "go_live": st.one_of(st.none(), dates),
        # A note reading as a spreadsheet error ("#REF!") is rightly refused: not a valid row.
        "notes": st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30
        ).filter(lambda text: spreadsheet_error(text) is None),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, min_size=1, max_size=12, unique_by=lambda r: r["ods"]))
def test_import_store_read_round_trip(rows, tmp_path_factory):
    """Whatever valid rows a tracker holds, reading the store back gives the same values."""
    url = f"sqlite:///{tmp_path_factory.mktemp('roundtrip') / 'db.sqlite'}"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Practice Code", "New supplier", "IDP date", "Go Live Date", "Notes"])
    for r in rows:
        writer.writerow(
            [
                r["ods"].lower(),
                r["target"],
                r["idp"].strftime("%d/%m/%Y") if r["idp"] else "TBC",
                r["go_live"].isoformat() if r["go_live"] else "",
                r["notes"],
            ]
        )
    engine = store.connect(url)
    outcome = import_tracker(
        engine,
        out.getvalue().encode("utf-8"),
        "t.csv",
        load_reference(),
        uploaded_by="h",
        uploaded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        as_at=dt.date(2026, 1, 1),
    )
    assert outcome.status == "stored", outcome.as_json()["errors"]
    migrations, phases = store.current_picture(engine)
    engine.dispose()
    assert len(migrations) == len(rows)
    by_ods = migrations.set_index("ods_code")
    spans = phases.set_index(["migration_id", "phase"])
    canonical = {
        "SystmOne": "SystmOne",
        "TPP": "SystmOne",
        "s1": "SystmOne",
        "Vision": "Vision",
        "Evolution": "Evolution",
    }
    for r in rows:
        stored = by_ods.loc[r["ods"]]
        assert stored["target_system"] == canonical[r["target"]]
        assert stored["source_system"] == "EMIS Web" and stored["source_system_inferred"]
        expected_notes = r["notes"].strip() or None
        assert (None if pd.isna(stored["notes"]) else stored["notes"]) == expected_notes
        key = stored["migration_id"]
        idp = spans["planned_start"].get((key, "initial_data_production"))
        go_live = spans["planned_start"].get((key, "go_live"))
        assert (None if idp is None else idp.date()) == r["idp"]
        assert (None if go_live is None else go_live.date()) == r["go_live"]


ABSURD = [
    (
        "too_many_migrations.csv",
        "the file holds 7,005 migrations, more than the 6,171 practices in NHS England's "
        "practice mapping (January 2026), so it cannot be a tracker of practice migrations. Check "
        "you picked the right file and sheet",
    ),
    (
        "unknown_practices.csv",
        "25 of 30 practice codes (83%) are not in NHS England's practice mapping (January 2026), "
        "so this is unlikely to be a tracker of GP practice migrations. Check you picked the "
        "right file and that the practice code column is the ODS code; if the mapping is out of "
        "date, import with a newer one (REGIONDASH_REFERENCE_CSV) or with "
        "--allow-unknown-practices",
    ),
]


@pytest.mark.parametrize(("name", "message"), ABSURD, ids=[a[0] for a in ABSURD])
@pytest.mark.parametrize("accept", [False, True])
def test_absurd_trackers_are_refused_whole_with_the_share_and_store_nothing(
    hostile, name, message, accept, sqlite_url, capsys
):
    args = ["import", str(hostile[name]), "--db", sqlite_url, "--json", "--as-at", "2026-01-05"]
    code = main(args + (["--accept-valid-rows"] if accept else []))
    result = json.loads(capsys.readouterr().out)
    assert (code, result["status"]) == (1, "rejected")
    assert [(e["row"], e["column"], e["message"]) for e in result["errors"]] == [
        (None, None, message)
    ]
    assert result["warnings"] == []  # not one per unknown code
    assert store.list_uploads(store.connect(sqlite_url)).empty


def test_unknown_practices_import_with_the_override(hostile, sqlite_url, capsys):
    args = ["import", str(hostile["unknown_practices.csv"]), "--db", sqlite_url, "--json"]
    code = main([*args, "--as-at", "2026-01-05", "--allow-unknown-practices"])
    result = json.loads(capsys.readouterr().out)
    assert (code, result["status"], result["migrations"]) == (0, "stored", 30)
    unknown = [
        w for w in result["warnings"] if "is not in NHS England's practice mapping" in w["message"]
    ]
    assert len(unknown) == 25
    # the override is for unknown codes only: more migrations than practices stays refused
    args = ["import", str(hostile["too_many_migrations.csv"]), "--db", sqlite_url, "--json"]
    code = main([*args, "--as-at", "2026-01-05", "--allow-unknown-practices"])
    assert (code, json.loads(capsys.readouterr().out)["status"]) == (1, "rejected")
