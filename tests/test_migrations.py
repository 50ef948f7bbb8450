"""Schema changes through Alembic: databases of the releases before it are taken over and upgraded
with nothing lost (the summary and every upload's rows as they were), on SQLite and PostgreSQL; a
fresh database is exactly the live tables; a newer one is refused; `regiondash db`."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pandas.testing as pdt
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, text

from regiondash import store
from regiondash.cli import main
from regiondash.fields import MIGRATION_COLUMNS, PHASE_COLUMNS
from regiondash.store import frames, migrate, schema
from regiondash.store.uploads import MIGRATION_KINDS, PHASE_KINDS

PREVIOUS = Path(__file__).parent / "fixtures" / "previous-release"
ROW_TABLES = [
    "uploads",
    "upload_migrations",
    "upload_phases",
    "upload_set_aside",
    "upload_problems",
    "header_mappings",
]
# Each fixture and the as-at its stored summary was made for (README.md there: schema 1's without
# --as-at, so the latest upload's, 2026-11-20; schema 2's with --as-at 2026-12-03).
AS_AT = {1: "2026-11-20", 2: "2026-12-03"}
# Schema 2's release (1ac174c, 10 commits back) computed the summary as this one does: every field
# is compared. Schema 1's release (b22fde1, 73 commits back) lacked risks_not_assessed,
# ages_measured_to and trackers, and defined the rest differently: no "left the picture"
# (L81078, absent from the tracker's uploads 3 and 4, still counted: migrations, migrations_by,
# go_lives_by_*), "completed" where this release says "live", and other risk rules and RAG
# thresholds (risks, rag). Of its figures only these mean today what they meant then:
SCHEMA_1_SAME_DEFINITIONS = {"as_at", "overrunning", "overrunning_by"}


def copy_of(version: int, tmp_path: Path) -> str:
    copy = tmp_path / f"schema-{version}.db"
    shutil.copyfile(PREVIOUS / f"regiondash-schema-{version}.db", copy)
    return f"sqlite:///{copy}"


def stored_summary(version: int) -> dict:
    return json.loads((PREVIOUS / f"summary-schema-{version}.json").read_text())


def summary_json(capsys, url: str, as_at: str) -> dict:
    capsys.readouterr()
    assert main(["summary", "--db", url, "--as-at", as_at, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def copy_rows(source_url: str, conn) -> None:
    """Every stored row of the SQLite database at source_url into conn's tables (same names)."""
    source = create_engine(source_url)
    rows = MetaData()
    rows.reflect(source)
    target = MetaData()
    target.reflect(conn, only=ROW_TABLES)
    try:
        with source.connect() as read:
            for name in ROW_TABLES:
                values = [dict(row._mapping) for row in read.execute(rows.tables[name].select())]
                for row in values:
                    if name == "uploads":  # SQLite keeps the UTC wall time without its zone
                        row["uploaded_at"] = row["uploaded_at"].replace(tzinfo=dt.UTC)
                if values:
                    conn.execute(target.tables[name].insert(), values)
    finally:
        source.dispose()
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT setval('uploads_upload_id_seq', (SELECT max(upload_id) FROM uploads))")
        )


def every_upload_rows(url: str) -> dict:
    """Every upload's rows as store.upload_rows reads them (the database at head)."""
    engine = store.connect(url, upgrade=False)
    try:
        with engine.connect() as conn:
            ids = conn.execute(text("SELECT upload_id FROM uploads ORDER BY upload_id")).scalars()
            ids = list(ids)
        return {upload_id: store.upload_rows(engine, upload_id) for upload_id in ids}
    finally:
        engine.dispose()


def every_upload_rows_before_versions(url: str) -> dict:
    """Every upload's rows as the releases before row versions stored them: upload_migrations
    and upload_phases, in the order saved, typed as store.upload_rows types them."""
    engine = create_engine(url)
    migration_names = ", ".join(MIGRATION_COLUMNS)
    phase_names = ", ".join(PHASE_COLUMNS)
    try:
        with engine.connect() as conn:
            ids = list(conn.execute(text("SELECT upload_id FROM uploads ORDER BY 1")).scalars())
            rows = {}
            for upload_id in ids:
                migrations = conn.execute(
                    text(
                        f"SELECT {migration_names} FROM upload_migrations WHERE upload_id = :u "
                        "ORDER BY position"
                    ),
                    {"u": upload_id},
                ).all()
                phases = conn.execute(
                    text(
                        f"SELECT {phase_names} FROM upload_phases WHERE upload_id = :u "
                        "ORDER BY position"
                    ),
                    {"u": upload_id},
                ).all()
                rows[upload_id] = (
                    frames.typed_frame(migrations, MIGRATION_KINDS),
                    frames.typed_frame(phases, PHASE_KINDS),
                )
            return rows
    finally:
        engine.dispose()


def stored_again(source_url: str, target_url: str) -> None:
    """Every upload of the old database at source_url stored again, in upload order, by this
    release's save_upload into target_url: the figures as this release computes them."""
    rows = every_upload_rows_before_versions(source_url)
    old = store.connect(source_url, upgrade=False)
    target = store.connect(target_url)
    try:
        with old.connect() as conn:
            uploads = conn.execute(text("SELECT * FROM uploads ORDER BY upload_id")).mappings()
            uploads = [dict(u) for u in uploads]
        for upload in uploads:
            upload_id = upload["upload_id"]
            record = store.UploadRecord(
                file_name=upload["file_name"],
                content=bytes(upload["content"]),
                uploaded_by=upload["uploaded_by"],
                uploaded_at=dt.datetime.fromisoformat(str(upload["uploaded_at"])),
                as_at=dt.date.fromisoformat(str(upload["as_at"])[:10]),
                file_kind=upload["file_kind"],
                sheet=upload["sheet"],
                header_row=upload["header_row"],
                tracker=upload["tracker"],
                mapping=json.loads(upload["mapping"]),
                rows_read=upload["rows_read"],
                sha256=upload["sha256"],
                is_demo=bool(upload.get("is_demo", False)),
                read_as=json.loads(upload.get("read_as") or "{}"),
            )
            migrations, phases = rows[upload_id]
            outcome = store.save_upload(
                target,
                record,
                migrations,
                phases,
                store.set_aside_rows(old, upload_id),
                store.upload_problems(old, upload_id),
            )
            assert outcome.upload_id == upload_id
    finally:
        old.dispose()
        target.dispose()


def assert_same_rows(before: dict, after: dict) -> None:
    assert list(before) == list(after)
    for upload_id, (migrations, phases) in before.items():
        pdt.assert_frame_equal(after[upload_id][0], migrations, obj=f"upload {upload_id}")
        pdt.assert_frame_equal(after[upload_id][1], phases, obj=f"upload {upload_id} phases")


def schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, schema.metadata)
    finally:
        engine.dispose()


# --- (1) the previous releases' SQLite files -----------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_a_previous_release_database_is_upgraded_with_every_figure_kept(version, tmp_path, capsys):
    url = copy_of(version, tmp_path)
    rows_before = every_upload_rows_before_versions(url)
    assert store.schema_version(store.connect(url, upgrade=False)) == f"000{version}"
    # The same uploads stored again by this release, for every figure as it computes them.
    rows_only = f"sqlite:///{tmp_path / 'rows-only.db'}"
    stored_again(url, rows_only)

    assert store.engine.upgrade_database(url) == (f"000{version}", schema.SCHEMA_VERSION)

    after = summary_json(capsys, url, AS_AT[version])
    assert after == summary_json(capsys, rows_only, AS_AT[version])
    before = stored_summary(version)
    if version == 1:
        assert set(before) | {"risks_not_assessed", "ages_measured_to", "trackers"} == set(after)
        before = {k: v for k, v in before.items() if k in SCHEMA_1_SAME_DEFINITIONS}
        after = {k: v for k, v in after.items() if k in SCHEMA_1_SAME_DEFINITIONS}
    assert after == before
    assert_same_rows(rows_before, every_upload_rows(url))
    tables = set(inspect(create_engine(url)).get_table_names())
    assert "schema_version" not in tables and "alembic_version" in tables
    assert schema_differences(url) == []


def test_the_upgrade_keeps_the_demo_flags_and_the_original_files(tmp_path):
    engine = store.connect(copy_of(1, tmp_path))
    uploads = store.list_uploads(engine).sort_values("upload_id")
    # 0002's flag: the demo loader's four uploads, not the real upload by the same team name.
    assert uploads["is_demo"].tolist() == [True, True, True, True, False]
    with engine.connect() as conn:
        encodings = conn.execute(
            text("SELECT DISTINCT content_encoding FROM upload_files")
        ).scalars()
        assert list(encodings) == ["identity"]
    # An old 'identity' row still reads as the file it was.
    name, content = store.upload_content(engine, 5)
    assert name == "example-tracker.xlsx"
    assert content == (Path(__file__).parents[1] / "data" / "example-tracker.xlsx").read_bytes()
    engine.dispose()


# --- (2) the same on PostgreSQL ------------------------------------------------------------------


def _schema_2_on_postgres(postgres_url: str, sqlite_url: str, stamp: str) -> None:
    """The schema-2 fixture's rows in postgres_url, built by the revisions up to 0002; with
    stamp="legacy", versioned as the release before Alembic did it (schema_version = 2)."""
    target = create_engine(postgres_url)
    try:
        with target.begin() as conn:
            command.upgrade(migrate.alembic_config(conn), "0002")
            copy_rows(sqlite_url, conn)
            if stamp == "legacy":
                conn.execute(text("DROP TABLE alembic_version"))
                conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
                conn.execute(text("INSERT INTO schema_version VALUES (2)"))
    finally:
        target.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("stamp", ["alembic", "legacy"])
def test_a_schema_2_database_on_postgresql_is_upgraded_with_every_figure_kept(
    postgres_url, stamp, tmp_path, capsys
):
    sqlite_url = copy_of(2, tmp_path)
    rows_before = every_upload_rows_before_versions(sqlite_url)
    _schema_2_on_postgres(postgres_url, sqlite_url, stamp)
    assert_same_rows(rows_before, every_upload_rows_before_versions(postgres_url))

    assert store.engine.upgrade_database(postgres_url) == ("0002", schema.SCHEMA_VERSION)

    assert summary_json(capsys, postgres_url, AS_AT[2]) == stored_summary(2)
    assert_same_rows(rows_before, every_upload_rows(postgres_url))
    engine = store.connect(postgres_url)
    assert "schema_version" not in inspect(engine).get_table_names()
    assert store.list_uploads(engine).sort_values("upload_id")["is_demo"].tolist() == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    engine.dispose()
    assert schema_differences(postgres_url) == []


# --- (3) a fresh database is the live metadata, exactly ------------------------------------------


def test_a_fresh_database_has_exactly_the_live_tables(db_url):
    store.connect(db_url).dispose()
    assert schema_differences(db_url) == []
    engine = store.connect(db_url)
    assert set(inspect(engine).get_table_names()) == {*schema.metadata.tables, "alembic_version"}
    assert store.schema_version(engine) == migrate.head_revision() == schema.SCHEMA_VERSION
    engine.dispose()


def test_the_revisions_from_empty_build_exactly_the_schema_a_fresh_database_gets(db_url):
    # A fresh database is made from the live metadata and stamped at head, without Alembic;
    # the revisions run from nothing must build the very same schema.
    engine = store.connect(db_url, upgrade=False)
    with store.engine.write_transaction(engine) as conn:
        assert migrate.upgrade(conn) == (None, schema.SCHEMA_VERSION)
    engine.dispose()
    assert schema_differences(db_url) == []
    engine = store.connect(db_url)
    assert store.schema_version(engine) == schema.SCHEMA_VERSION
    engine.dispose()


def test_a_database_with_other_tables_gets_ours_beside_them(sqlite_url):
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE someone_elses (x INTEGER)"))
    engine.dispose()
    engine = store.connect(sqlite_url)
    names = set(inspect(engine).get_table_names())
    assert names == {*schema.metadata.tables, "alembic_version", "someone_elses"}
    assert store.schema_version(engine) == schema.SCHEMA_VERSION
    engine.dispose()


# --- (4) a database newer than this code ---------------------------------------------------------

TOO_NEW = (
    r"^regiondash: cannot use the database .*: The database .* has schema version {}, but this "
    r"version of regiondash only understands up to version {head}\. Upgrade regiondash, or point "
    r"it at another database \(REGIONDASH_DATABASE_URL\)\.\n$"
)


def test_a_database_at_an_unknown_revision_is_refused_plainly(db_url, capsys):
    store.connect(db_url).dispose()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe0099'"))
    engine.dispose()

    for argv in (["summary"], ["db", "upgrade"]):
        capsys.readouterr()
        assert main([*argv, "--db", db_url]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert re.match(TOO_NEW.format("f00dcafe0099", head=schema.SCHEMA_VERSION), err), err
    with pytest.raises(store.SchemaTooNewError):
        store.connect(db_url)


def test_a_pre_alembic_version_no_release_wrote_is_refused(tmp_path):
    url = copy_of(2, tmp_path)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE schema_version SET version = 3"))
    engine.dispose()
    with pytest.raises(store.SchemaTooNewError, match=r"schema version 3, but .* up to version"):
        store.connect(url)


# --- (5) regiondash db upgrade / current ---------------------------------------------------------


def test_db_upgrade_brings_a_database_up_to_date_and_says_from_what(tmp_path, capsys):
    url = copy_of(1, tmp_path)
    assert main(["db", "current", "--db", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{url}: revision 0001\n") and "before Alembic" in out

    assert main(["db", "upgrade", "--db", url]) == 0
    assert capsys.readouterr().out == (
        f"database: {url}\nrevision before: 0001\nrevision after: {schema.SCHEMA_VERSION} (head)\n"
    )
    assert main(["db", "upgrade", "--db", url]) == 0
    assert capsys.readouterr().out == (
        f"database: {url}\nrevision before: {schema.SCHEMA_VERSION} (head)\n"
        f"revision after: {schema.SCHEMA_VERSION} (head)\n"
    )
    assert main(["db", "current", "--db", url]) == 0
    assert capsys.readouterr().out == f"{url}: revision {schema.SCHEMA_VERSION} (head)\n"


def test_db_upgrade_creates_an_empty_database(sqlite_url, capsys):
    assert main(["db", "upgrade", "--db", sqlite_url]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "revision before: none (an empty database)",
        f"revision after: {schema.SCHEMA_VERSION} (head)",
    ]


def test_db_needs_a_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["db"])
    assert exit_.value.code == 2
