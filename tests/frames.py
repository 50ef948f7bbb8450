"""Hand-made migration and phase tables for domain tests, typed as the store returns them."""

import pandas as pd

from regiondash.fields import EVENT_DATE_FIELDS, MIGRATION_COLUMNS, PHASE_COLUMNS

_NOT_TEXT = {"source_system_inferred", "source_row", *EVENT_DATE_FIELDS}


def phases_frame(rows) -> pd.DataFrame:
    """Phase rows (migration_id, phase, planned_start, planned_end, actual_start, actual_end)."""
    frame = pd.DataFrame(rows, columns=PHASE_COLUMNS)
    for column in PHASE_COLUMNS[2:]:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame.astype({"migration_id": "string", "phase": "string"})


def migrations_frame(records: list[dict]) -> pd.DataFrame:
    """Migration rows from dicts of the fields a test cares about; ods_code defaults to the
    first six characters of migration_id, every other column to missing."""
    rows = []
    for given in records:
        record = dict.fromkeys(MIGRATION_COLUMNS)
        record["ods_code"] = given["migration_id"][:6]
        record.update(given)
        rows.append(record)
    frame = pd.DataFrame(rows, columns=MIGRATION_COLUMNS)
    text = [c for c in MIGRATION_COLUMNS if c not in _NOT_TEXT]
    frame = frame.astype(dict.fromkeys(text, "string"))
    for column in EVENT_DATE_FIELDS:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame
