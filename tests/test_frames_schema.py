"""The canonical frames, declared once in frames_schema: ingest, the store and the test builders
all give exactly its columns and dtypes."""

import datetime as dt

import pandas as pd
import pytest

from regiondash import frames_schema, store
from regiondash.fields import EVENT_DATE_FIELDS, MIGRATION_COLUMNS, PHASE_COLUMNS
from regiondash.frames_schema import (
    MIGRATION_DTYPES,
    PHASE_DTYPES,
    FrameError,
    check_migration_frames,
)
from regiondash.store import frames
from regiondash.store.uploads import MIGRATION_KINDS, PHASE_KINDS
from tests import frames as builders
from tests.conftest import build_upload

# the dtype store.frames.typed_column gives each column kind
KIND_DTYPES = {frames.TEXT: "string", frames.DATE: "datetime64[us]", frames.BOOL: "bool"}
KIND_DTYPES[frames.INT] = "int64"


def test_the_model_has_the_fields_columns_in_order():
    assert list(MIGRATION_DTYPES) == MIGRATION_COLUMNS
    assert list(PHASE_DTYPES) == PHASE_COLUMNS
    assert {c for c, d in MIGRATION_DTYPES.items() if d == "datetime64[us]"} == set(
        EVENT_DATE_FIELDS
    )


def test_the_store_reads_back_the_models_dtypes():
    assert {c: KIND_DTYPES[k] for c, k in MIGRATION_KINDS.items()} == MIGRATION_DTYPES
    assert {c: KIND_DTYPES[k] for c, k in PHASE_KINDS.items()} == PHASE_DTYPES


def test_the_test_builders_give_canonical_frames():
    migrations = builders.migrations_frame([{"migration_id": "A00001:EMIS Web>SystmOne"}])
    phases = builders.phases_frame([["A00001:EMIS Web>SystmOne", "go_live", "2026-03-02"]])
    assert check_migration_frames(migrations, phases) == (migrations, phases)
    assert migrations.loc[0, "ods_code"] == "A00001" and not migrations.loc[0, "source_row"]
    _, built, built_phases, _, _ = build_upload(3)
    check_migration_frames(built, built_phases)


@pytest.mark.slow
def test_ingest_returns_canonical_frames():
    from regiondash.demo import build_demo_uploads
    from regiondash.ingest import parse_tracker
    from regiondash.reference import load_reference

    reference = load_reference()
    upload = build_demo_uploads(reference)[-1]
    parsed = parse_tracker(upload.content, upload.file_name, reference)
    assert parsed.rows is not None
    check_migration_frames(parsed.rows.migrations, parsed.rows.phases)


def test_the_current_picture_and_an_uploads_rows_are_canonical(engine):
    record, migrations, phases, set_aside, problems = build_upload(4)
    outcome = store.save_upload(engine, record, migrations, phases, set_aside, problems)
    picture = store.current_picture(engine, dt.date(2026, 3, 2))
    check_migration_frames(*picture)
    assert {"upload_id", "upload_as_at", "tracker"} <= set(picture[0].columns)
    check_migration_frames(*store.upload_rows(engine, outcome.upload_id))


def test_a_frame_off_the_model_is_refused_with_each_problem_named():
    migrations = builders.migrations_frame([{"migration_id": "A00001:x"}, {"migration_id": "B"}])
    migrations["ods_code"] = migrations["ods_code"].astype(object)
    migrations.loc[1, "migration_id"] = pd.NA
    phases = builders.phases_frame([]).drop(columns="actual_end")
    with pytest.raises(FrameError) as refused:
        check_migration_frames(migrations, phases)
    assert str(refused.value) == (
        "migrations: ods_code is object, not string; migrations: migration_id is empty in 1 "
        "row(s); phases: no actual_end column"
    )


def test_extra_columns_are_allowed():
    phases = builders.phases_frame([["M", "go_live"]]).assign(upload_as_at=pd.Timestamp(0))
    assert frames_schema.frame_problems(phases, PHASE_DTYPES) == []
