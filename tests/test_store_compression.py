"""Original files kept compressed in upload_files: read back byte for byte, hashed as given."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, update

from regiondash import store
from regiondash.store.compression import original_content, stored_content
from regiondash.store.schema import files_table, uploads_table
from tests.test_store import HAND_MIGRATIONS, HAND_PHASES, save

PREVIOUS = Path(__file__).parent / "fixtures" / "previous-release" / "regiondash-schema-2.db"


def demo_tracker_xlsx() -> bytes:
    with sqlite3.connect(PREVIOUS) as conn:
        return bytes(conn.execute("SELECT content FROM uploads WHERE upload_id = 4").fetchone()[0])


def demo_tracker_csv() -> bytes:
    sheet = openpyxl.load_workbook(io.BytesIO(demo_tracker_xlsx()), read_only=True).active
    lines = (",".join("" if v is None else str(v) for v in row) for row in sheet.values)
    return "\n".join(lines).encode()


def stored(engine, upload_id: int):
    with engine.connect() as conn:
        u, f = uploads_table.c, files_table.c
        return conn.execute(
            select(f.content, f.content_encoding, u.sha256)
            .join(files_table, f.upload_id == u.upload_id)
            .where(u.upload_id == upload_id)
        ).one()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_original_downloads_byte_identical_and_is_hashed_as_uploaded(engine, kind):
    original = demo_tracker_csv() if kind == "csv" else demo_tracker_xlsx()
    outcome = save(engine, original, dt.date(2026, 11, 20), HAND_MIGRATIONS, HAND_PHASES)

    assert store.upload_content(engine, outcome.upload_id) == ("north-east.xlsx", original)
    row = stored(engine, outcome.upload_id)
    assert row.sha256 == hashlib.sha256(original).hexdigest()
    assert store.upload_with_content(engine, row.sha256) == outcome.upload_id
    again = save(engine, original, dt.date(2026, 11, 20), HAND_MIGRATIONS, HAND_PHASES)
    assert (again.status, again.upload_id) == (store.STATUS_UNCHANGED, outcome.upload_id)


def test_a_csv_is_stored_smaller(engine):
    original = demo_tracker_csv()
    outcome = save(engine, original, dt.date(2026, 11, 20), HAND_MIGRATIONS, HAND_PHASES)
    row = stored(engine, outcome.upload_id)
    assert row.content_encoding == "gzip"
    assert len(row.content) < len(original) / 5


def test_bytes_that_do_not_shrink_are_kept_as_they_are():
    incompressible = os.urandom(256)
    assert stored_content(incompressible) == {
        "content": incompressible,
        "content_encoding": "identity",
    }
    assert original_content(incompressible, "identity") == incompressible
    with pytest.raises(ValueError, match="unknown content encoding 'br'"):
        original_content(incompressible, "br")


def test_an_identity_row_from_before_compression_still_reads(engine):
    original = demo_tracker_csv()
    outcome = save(engine, original, dt.date(2026, 11, 20), HAND_MIGRATIONS, HAND_PHASES)
    with engine.begin() as conn:  # as revision 0003 left every upload stored before it
        conn.execute(
            update(files_table)
            .where(files_table.c.upload_id == outcome.upload_id)
            .values(content=original, content_encoding="identity")
        )
    assert store.upload_content(engine, outcome.upload_id)[1] == original
