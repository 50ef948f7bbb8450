"""Where each row stood in its upload: kept per upload, apart from the rows' versions.

An upload's rows are versioned by what they say (store/versions.py); where they stood in the
file (the order, the sheet, the sheet row) is the upload's own, and changes whenever a row is
inserted above others. Kept with the versions it would make every row new each time, so each
upload keeps its layout instead: compact JSON, gzip-compressed, a few tens of kB for a national
tracker. Phases in the usual order (by migration as saved, then the guide's phase order) keep no
order of their own.
"""

from __future__ import annotations

import gzip
import json

import pandas as pd

from regiondash.phases import PHASE_KEYS

_PHASE_ORDER = {key: number for number, key in enumerate(PHASE_KEYS)}


def _usual_phase_order(phases: pd.DataFrame, index_of: dict[str, int]) -> pd.DataFrame:
    order = pd.DataFrame(
        {
            "m": phases["migration_id"].map(index_of),
            "p": phases["phase"].map(_PHASE_ORDER).fillna(len(_PHASE_ORDER)),
            "name": phases["phase"],
        }
    )
    return phases.loc[order.sort_values(["m", "p", "name"], kind="stable").index]


def layout_of(migrations: pd.DataFrame, phases: pd.DataFrame) -> bytes:
    """The layout of an upload's migrations (migration_id, sheet, source_row) and phases
    (migration_id, phase), each in the order saved."""
    ids = migrations["migration_id"].astype(str).tolist()
    sheets = migrations["sheet"].astype(object).where(migrations["sheet"].notna(), None).tolist()
    index_of = {mid: i for i, mid in enumerate(ids)}
    phases = phases.reset_index(drop=True)
    usual = _usual_phase_order(phases, index_of)
    in_usual_order = bool((usual.index == phases.index).all())
    saved = None
    if not in_usual_order:
        numbers = phases["migration_id"].map(index_of).astype(int).tolist()
        saved = [[i, str(p)] for i, p in zip(numbers, phases["phase"], strict=True)]
    layout = {
        "ids": ids,
        "sheets": sheets if len(set(sheets)) > 1 else sheets[:1],
        "rows": migrations["source_row"].astype(int).tolist(),
        "phases": saved,
    }
    text = json.dumps(layout, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)


def read_layout(blob: bytes | None) -> dict:
    """A stored layout (an upload with no rows has none)."""
    if blob is None:
        return {"ids": [], "sheets": [], "rows": [], "phases": None}
    return json.loads(gzip.decompress(bytes(blob)))


def placed_migrations(layout: dict) -> pd.DataFrame:
    """migration_id, sheet, source_row and position of each migration row in an upload."""
    ids, sheets = layout["ids"], layout["sheets"]
    if len(sheets) != len(ids):
        sheets = sheets * len(ids) if sheets else [None] * len(ids)
    return pd.DataFrame(
        {
            "migration_id": pd.Series(ids, dtype="string"),
            "sheet": pd.Series(sheets, dtype="string"),
            "source_row": pd.Series(layout["rows"], dtype="int64"),
            "position": pd.Series(range(len(ids)), dtype="int64"),
        }
    )


def in_saved_order(
    migrations: pd.DataFrame, phases: pd.DataFrame, layout: dict, columns: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An upload's rows (as versioned, without their place) put back as saved: the migrations
    with their sheet and source_row, in `columns`' order, and the phases in the order saved."""
    placed = placed_migrations(layout)
    ordered = placed.merge(migrations, on="migration_id", how="inner")
    ordered = ordered.sort_values("position", kind="stable").reset_index(drop=True)
    index_of = {mid: i for i, mid in enumerate(layout["ids"])}
    if layout["phases"] is None:
        phases_ordered = _usual_phase_order(phases, index_of)
    else:
        rank = {(i, p): n for n, (i, p) in enumerate(layout["phases"])}
        keys = zip(phases["migration_id"].map(index_of), phases["phase"], strict=True)
        position = pd.Series([rank.get(k, len(rank)) for k in keys], index=phases.index)
        phases_ordered = phases.loc[position.sort_values(kind="stable").index]
    return ordered[columns], phases_ordered.reset_index(drop=True)
