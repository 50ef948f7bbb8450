"""History at scale: unchanged rows are not stored again, and every past picture is as it was.

The pictures in tests/fixtures/previous-release/pictures-*.json.gz were written by the release
before row versions (README.md there says how), as at every upload date: the demo, and the
schema-2 database where the example tracker replaces the demo's and drops most of its rows.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from regiondash import store
from regiondash.importing import load_demo
from regiondash.reference import load_reference
from regiondash.store.schema import migrations_table, phases_table, uploads_table
from tests.frames import migrations_frame, phases_frame

PREVIOUS = Path(__file__).parent / "fixtures" / "previous-release"


def canonical(frame: pd.DataFrame) -> list[dict]:
    """A picture frame as JSON-ready records in a fixed order (how the fixtures were written)."""
    records = []
    for row in frame.to_dict("records"):
        record = {}
        for name, value in row.items():
            if name.startswith("tracks_"):
                record[name] = bool(value)
            elif value is None or pd.isna(value):
                record[name] = None
            elif isinstance(value, pd.Timestamp):
                record[name] = value.date().isoformat()
            elif isinstance(value, bool):
                record[name] = value
            elif hasattr(value, "item"):
                record[name] = value.item()
            else:
                record[name] = value
        records.append(record)
    return sorted(records, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def pictures(engine) -> dict:
    """The picture as at every upload date, canonical."""
    dates = sorted({pd.Timestamp(d).date() for d in store.list_uploads(engine)["as_at"]})
    found = {}
    for day in dates:
        migrations, phases = store.current_picture(engine, day)
        found[day.isoformat()] = {"migrations": canonical(migrations), "phases": canonical(phases)}
    return found


def stored_pictures(name: str) -> dict:
    return json.loads(gzip.decompress((PREVIOUS / f"pictures-{name}.json.gz").read_bytes()))


def versions(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.scalar(select(func.count()).select_from(table))
            for table in (migrations_table, phases_table)
        )


def test_the_demo_pictures_are_as_the_previous_release_had_them(db_url):
    engine = store.connect(db_url)
    load_demo(engine, load_reference())
    assert pictures(engine) == stored_pictures("demo")
    engine.dispose()


def test_an_upgraded_database_has_the_pictures_it_had(tmp_path):
    copy = tmp_path / "schema-2.db"
    shutil.copyfile(PREVIOUS / "regiondash-schema-2.db", copy)
    engine = store.connect(f"sqlite:///{copy}")
    found = pictures(engine)
    assert found == stored_pictures("schema-2")
    # 20 Nov: the example tracker replaced the demo's 119 migrations with its own 36 rows.
    assert len(found["2026-11-03"]["migrations"]) == 129
    assert len(found["2026-11-20"]["migrations"]) == 36
    engine.dispose()


def hundred(notes: dict[int, str] | None = None, go_lives: dict[int, str] | None = None):
    """100 migrations with one go-live phase each; some notes or go lives changed."""
    notes, go_lives = notes or {}, go_lives or {}
    ids = [f"A{81001 + i}:EMIS Web>SystmOne" for i in range(100)]
    migrations = migrations_frame(
        [
            {"migration_id": mid, "notes": notes.get(i, "on track"), "source_row": i + 2}
            for i, mid in enumerate(ids)
        ]
    ).astype({"source_row": "int64"})
    migrations["source_system_inferred"] = False
    phases = phases_frame(
        [
            (mid, "go_live", go_lives.get(i, "2027-03-01"), None, None, None)
            for i, mid in enumerate(ids)
        ]
    )
    return migrations, phases


def save(engine, content: bytes, as_at: dt.date, migrations, phases):
    upload = store.UploadRecord(
        file_name="weekly.xlsx",
        content=content,
        uploaded_by="CSU",
        uploaded_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        as_at=as_at,
        file_kind="xlsx",
        sheet="Tracker",
        header_row=1,
        tracker="weekly",
        mapping={},
        rows_read=len(migrations),
        sha256=__import__("hashlib").sha256(content).hexdigest(),
    )
    empty = pd.DataFrame({n: pd.Series(dtype="string") for n in ("sheet", "reasons")})
    empty = empty.assign(row=pd.Series(dtype="int64"), values=pd.Series(dtype=object))
    problems = pd.DataFrame(
        {n: pd.Series(dtype="string") for n in ("severity", "sheet", "column", "value", "message")}
    ).assign(row=pd.Series(dtype="Int64"))
    return store.save_upload(engine, upload, migrations, phases, empty, problems)


def test_an_upload_identical_in_content_stores_no_new_rows(db_url):
    engine = store.connect(db_url)
    save(engine, b"week 1", dt.date(2026, 11, 2), *hundred())
    assert versions(engine) == (100, 100)
    # Other bytes (a re-saved file), the same rows: a new upload, no new versions.
    second = save(engine, b"week 2", dt.date(2026, 11, 9), *hundred())
    assert second.status == "stored"
    assert versions(engine) == (100, 100)
    migrations, phases = store.upload_rows(engine, second.upload_id)
    assert len(migrations) == len(phases) == 100
    engine.dispose()


def test_an_upload_changing_3_of_100_stores_3_new_versions(db_url):
    engine = store.connect(db_url)
    save(engine, b"week 1", dt.date(2026, 11, 2), *hundred())
    # Three notes change: three migration versions, no phase version.
    save(engine, b"week 2", dt.date(2026, 11, 9), *hundred(notes={3: "a", 50: "b", 99: "c"}))
    assert versions(engine) == (103, 100)
    # Three go lives move: three phase versions.
    moved = {7: "2027-03-08", 8: "2027-03-15", 9: "2027-04-01"}
    third = save(
        engine,
        b"week 3",
        dt.date(2026, 11, 16),
        *hundred(notes={3: "a", 50: "b", 99: "c"}, go_lives=moved),
    )
    assert versions(engine) == (103, 103)
    _, phases = store.upload_rows(engine, third.upload_id)
    assert phases.loc[7:9, "planned_start"].dt.strftime("%Y-%m-%d").tolist() == list(moved.values())
    history = store.phase_history(engine, "go_live")
    assert history["uploads"].sum() == 300  # three uploads of 100 go lives
    engine.dispose()


def test_rows_moved_up_a_row_are_not_new_versions(db_url):
    # A row inserted above the others moves every sheet row: the layout changes, the rows not.
    engine = store.connect(db_url)
    migrations, phases = hundred()
    save(engine, b"week 1", dt.date(2026, 11, 2), migrations, phases)
    shifted = migrations.assign(source_row=migrations["source_row"] + 1)
    upload = save(engine, b"week 2", dt.date(2026, 11, 9), shifted.iloc[::-1], phases)
    assert versions(engine) == (100, 100)
    back, _ = store.upload_rows(engine, upload.upload_id)
    assert back["source_row"].tolist() == shifted["source_row"].iloc[::-1].tolist()
    engine.dispose()


@pytest.mark.parametrize("order", ["in order", "late"])
def test_an_upload_arriving_late_is_fitted_in_between(db_url, order):
    engine = store.connect(db_url)
    first, middle, last = hundred(), hundred(notes={1: "x"}), hundred(notes={1: "y"})
    days = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    arrivals = [0, 1, 2] if order == "in order" else [0, 2, 1]
    frames = [first, middle, last]
    ids = {}
    for n in arrivals:
        ids[n] = save(engine, f"week {n}".encode(), days[n], *frames[n]).upload_id
    for n in range(3):
        migrations, _ = store.upload_rows(engine, ids[n])
        assert migrations.loc[1, "notes"] == ["on track", "x", "y"][n]
        picture, _ = store.current_picture(engine, days[n])
        assert (
            picture.set_index("migration_id").loc["A81002:EMIS Web>SystmOne", "notes"]
            == (["on track", "x", "y"][n])
        )
    with engine.connect() as conn:
        keys = conn.execute(select(uploads_table.c.order_key).order_by("order_key")).scalars()
        assert [k % 10**9 for k in keys] == [ids[0], ids[1], ids[2]]
    engine.dispose()
