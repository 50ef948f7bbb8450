"""The command-line contract: import, summary and demo, with their JSON and exit codes."""

import datetime as dt
import io
import json

import openpyxl
import pytest

from regiondash import store
from regiondash.cli import main

HEADER = [
    "Practice Code",
    "Practice Name",
    "Current system",
    "New supplier",
    "IDP date",
    "FDP date",
    "Go Live Date",
    "Go-live (actual)",
]
GOOD_ROWS = [
    ["J81002", None, "TPP", "EMIS", dt.date(2026, 1, 5), "20/02/2026", "02/03/2026", "02/03/2026"],
    ["J81006", None, "S1", "EMIS Web", "12/01/2026", "TBC", "16/03/2026", None],
]


def tracker_xlsx(rows, header=HEADER, title=True) -> bytes:
    """A small tracker workbook with title rows above the header, as CSUs keep them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tracker"
    if title:
        sheet.append(["Dorset migrations tracker"])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def tracker(tmp_path):
    path = tmp_path / "Dorset tracker.xlsx"
    path.write_bytes(tracker_xlsx(GOOD_ROWS))
    return path


def test_import_stores_then_recognises_identical_bytes(tmp_path, capsys, tracker, db_url):
    code, out, _ = run(
        capsys,
        "import",
        str(tracker),
        "--db",
        db_url,
        "--as-at",
        "2026-03-05",
        "--uploaded-by",
        "Test CSU",
        "--json",
    )
    result = json.loads(out)
    assert code == 0
    assert result["status"] == "stored"
    assert (result["migrations"], result["rows_read"], result["rows_set_aside"]) == (2, 2, 0)
    assert result["errors"] == []
    first_id = result["upload_id"]
    code, out, _ = run(capsys, "import", str(tracker), "--db", db_url, "--json")
    assert code == 0
    assert json.loads(out)["status"] == "unchanged"
    assert json.loads(out)["upload_id"] == first_id
    uploads = store.list_uploads(store.connect(db_url))
    assert len(uploads) == 1
    assert uploads.iloc[0]["uploaded_by"] == "Test CSU"
    assert uploads.iloc[0]["header_row"] == 3


def test_errors_refuse_the_whole_upload(tmp_path, capsys, sqlite_url):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        tracker_xlsx([*GOOD_ROWS, ["J8100", None, "TPP", "EMIS", None, None, "31/02/2026", None]])
    )
    code, out, _ = run(capsys, "import", str(path), "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert code == 1
    assert result["status"] == "rejected"
    assert result["upload_id"] is None
    assert result["migrations"] == 0
    assert {(e["sheet"], e["row"], e["column"], e["value"]) for e in result["errors"]} == {
        ("Tracker", 6, "Practice Code", "J8100"),
        ("Tracker", 6, "Go Live Date", "31/02/2026"),
    }
    assert store.list_uploads(store.connect(sqlite_url)).empty


def test_accept_valid_rows_keeps_set_aside_rows_with_reasons(tmp_path, capsys, sqlite_url):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        tracker_xlsx([*GOOD_ROWS, ["J8100", None, "TPP", "EMIS", None, None, None, None]])
    )
    code, out, _ = run(
        capsys, "import", str(path), "--db", sqlite_url, "--accept-valid-rows", "--json"
    )
    result = json.loads(out)
    assert (code, result["status"], result["migrations"], result["rows_set_aside"]) == (
        0,
        "stored",
        2,
        1,
    )
    engine = store.connect(sqlite_url)
    aside = store.set_aside_rows(engine, result["upload_id"])
    assert aside.iloc[0]["row"] == 6
    assert aside.iloc[0]["values"]["Practice Code"] == "J8100"
    assert "not an ODS practice code" in aside.iloc[0]["reasons"]
    assert store.list_uploads(engine).iloc[0]["status"] == "stored_valid_rows"


def test_hand_mapping_on_the_command_line(tmp_path, capsys, sqlite_url):
    path = tmp_path / "odd.xlsx"
    header = ["Surgery", "Going to", "Switch day"]
    path.write_bytes(tracker_xlsx([["J81002", "EMIS", "02/03/2026"]], header=header, title=False))
    code, out, _ = run(capsys, "import", str(path), "--db", sqlite_url, "--json")
    assert code == 1
    assert "no tracker header found" in json.loads(out)["errors"][0]["message"]
    code, out, _ = run(
        capsys,
        "import",
        str(path),
        "--db",
        sqlite_url,
        "--json",
        "--map",
        "Surgery=ods_code",
        "--map",
        "Going to=target_system",
        "--map",
        "Switch day=go_live_planned",
    )
    assert (code, json.loads(out)["status"]) == (0, "stored")
    migrations, _ = store.current_picture(store.connect(sqlite_url))
    assert migrations.iloc[0]["migration_id"] == "J81002:SystmOne>EMIS Web"


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--map", "Surgery=favourite"], '"favourite" is not a field'),
        (["--map", "no equals sign"], 'should look like "HEADER=field"'),
        (["--sheet", "Nope"], 'no sheet "Nope"'),
    ],
)
def test_usage_errors_exit_2(capsys, tracker, sqlite_url, extra, fragment):
    code, _, err = run(capsys, "import", str(tracker), "--db", sqlite_url, *extra)
    assert code == 2
    assert fragment in err
    assert store.list_uploads(store.connect(sqlite_url)).empty


def test_bad_as_at_is_a_usage_error(capsys, tracker, sqlite_url):
    with pytest.raises(SystemExit) as exit_info:
        main(["import", str(tracker), "--db", sqlite_url, "--as-at", "05/03/2026"])
    assert exit_info.value.code == 2
    assert "not a date in the form YYYY-MM-DD" in capsys.readouterr().err


def test_missing_file_is_exit_2(capsys, sqlite_url, tmp_path):
    code, _, err = run(capsys, "import", str(tmp_path / "nope.xlsx"), "--db", sqlite_url)
    assert code == 2
    assert "cannot read" in err


def test_unreadable_file_json(capsys, sqlite_url, tmp_path):
    path = tmp_path / "picture.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    code, out, _ = run(capsys, "import", str(path), "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert (code, result["status"], result["upload_id"]) == (2, "unreadable", None)
    assert result["errors"][0]["message"].startswith("picture.xlsx")


def test_csv_line_numbers_and_cp1252(capsys, sqlite_url, tmp_path):
    path = tmp_path / "tracker.csv"
    text = (
        "Practice Code,Practice Name,New supplier,Go Live Date\r\n"
        "J81002,St Mary’s – Café,EMIS,02/03/2026\r\n"
        "\r\n"
        "J81006,Bad date,EMIS,2026/03/02\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    code, out, _ = run(capsys, "import", str(path), "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert code == 1
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(4, "Go Live Date")]
    code, out, _ = run(
        capsys, "import", str(path), "--db", sqlite_url, "--json", "--accept-valid-rows"
    )
    migrations, _ = store.current_picture(store.connect(sqlite_url))
    assert migrations.iloc[0]["practice_name"] == "St Mary’s – Café"


def test_database_url_from_environment(capsys, tracker, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("REGIONDASH_DATABASE_URL", url)
    code, _, _ = run(capsys, "import", str(tracker))
    assert code == 0
    assert len(store.list_uploads(store.connect(url))) == 1


def test_demo_then_summary_json(capsys, db_url):
    assert run(capsys, "demo", "--db", db_url)[0] == 0
    code, out, _ = run(capsys, "demo", "--db", db_url, "--if-empty")
    assert "already holds uploads" in out
    code, out, _ = run(capsys, "summary", "--db", db_url, "--json")
    result = json.loads(out)
    assert code == 0
    assert result["as_at"] == "2026-11-20"
    assert set(result) >= {
        "as_at",
        "migrations",
        "migrations_by",
        "overrunning",
        "overrunning_by",
        "go_lives_by_month",
        "go_lives_by_week",
    }
    assert set(result["migrations_by"]) == {
        "region",
        "icb",
        "sub_icb",
        "target_system",
        "source_system",
        "status",
    }
    assert result["migrations_by"]["region"] == {"Y58": result["migrations"]}
    assert sum(result["migrations_by"]["status"].values()) == result["migrations"]
    assert sum(result["overrunning_by"]["sub_icb"].values()) == result["overrunning"]
    assert set(result["overrunning_by"]["phase"]) >= {"data_checking", "cutover", "go_live"}
    sub_icb = next(iter(result["migrations_by"]["sub_icb"]))
    code, out, _ = run(capsys, "summary", "--db", db_url, "--json", "--sub-icb", sub_icb)
    scoped = json.loads(out)
    assert scoped["migrations"] == result["migrations_by"]["sub_icb"][sub_icb]
    code, out, _ = run(capsys, "summary", "--db", db_url, "--json", "--as-at", "2026-07-01")
    assert json.loads(out)["as_at"] == "2026-07-01"
    assert json.loads(out)["migrations"] < result["migrations"]


def test_summary_on_empty_database(capsys, sqlite_url):
    code, _, err = run(capsys, "summary", "--db", sqlite_url)
    assert code == 1
    assert "no uploads stored yet" in err


def test_summary_has_risks_and_rag_and_changes_lists_what_moved(capsys, sqlite_url, tmp_path):
    first = tmp_path / "Dorset tracker 2026-02-01.xlsx"
    first.write_bytes(tracker_xlsx(GOOD_ROWS))
    moved = [list(GOOD_ROWS[0]), list(GOOD_ROWS[1])]
    moved[1][6] = "30/03/2026"  # J81006's go live moves from 16 to 30 March
    second = tmp_path / "Dorset tracker 2026-03-05.xlsx"
    second.write_bytes(
        tracker_xlsx([*moved, ["J81009", None, "TPP", "EMIS", None, None, "20/04/2026", None]])
    )
    for path, as_at in ((first, "2026-02-01"), (second, "2026-03-05")):
        assert run(capsys, "import", str(path), "--db", sqlite_url, "--as-at", as_at)[0] == 0
    code, out, _ = run(capsys, "summary", "--db", sqlite_url, "--json")
    result = json.loads(out)
    assert code == 0
    assert set(result["risks"]) >= {
        "golive_in_flu_season",
        "extract_request_late",
        "golive_capacity_clash",
        "milestones_out_of_order",
    }
    # the tracker has no "Data extract requested" column: the rule is not assessed, not fired
    assert result["risks"]["extract_request_late"] == 0
    assert result["risks_not_assessed"]["extract_request_late"] == 3
    # the computed RAG rates the open migrations only: one of the three has gone live
    assert result["migrations_by"]["status"]["live"] == 1
    assert sum(result["rag"].values()) == result["migrations"] - 1 == 2
    assert set(result["rag"]) == {"red", "amber", "green"}

    code, out, _ = run(capsys, "changes", "--from", "1", "--to", "2", "--db", sqlite_url, "--json")
    changes = json.loads(out)
    assert code == 0
    assert [a["ods_code"] for a in changes["added"]] == ["J81009"]
    assert changes["removed"] == []
    assert changes["go_live_moved"] == [
        {
            "migration_id": "J81006:SystmOne>EMIS Web",
            "ods_code": "J81006",
            "from": "2026-03-16",
            "to": "2026-03-30",
            "days": 14,
        }
    ]
    code, _, err = run(capsys, "changes", "--from", "1", "--to", "7", "--db", sqlite_url)
    assert code == 2 and "no upload with id 7" in err


def test_unreachable_database_is_one_line_without_the_password(capsys):
    url = "postgresql+psycopg://someone:s3cret@127.0.0.1:1/nowhere"
    code, _, err = run(capsys, "summary", "--db", url)
    assert code == 2
    assert "cannot use the database postgresql+psycopg://someone:***@127.0.0.1:1/nowhere" in err
    assert "s3cret" not in err and "Traceback" not in err
