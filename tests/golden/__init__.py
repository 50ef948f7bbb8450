"""Counts from the demo region, kept as golden JSON files beside this module: snapshots that say
the demo (or a rule) changed, not whether a rule is right (the hand-worked tables say that).

The figures are computed here, once, for both the tests that compare them and
scripts/regenerate_golden.py, which rewrites the files after a deliberate change:

    .venv/bin/python scripts/regenerate_golden.py   # then read the diff before committing
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from regiondash import demo, metrics, risks, store

FOLDER = Path(__file__).resolve().parent


def demo_risks(engine: Engine) -> dict:
    """At the demo's last as-at: flags by rule, computed RAG counts, and on how many open
    migrations the tracker's own RAG disagrees."""
    as_at = demo.AS_AT_DATES[-1]
    migrations, phases = store.current_picture(engine, as_at)
    history = store.phase_history(engine, "go_live")
    overview = metrics.migration_overview(migrations, phases, as_at, history)
    flags = risks.evaluate(overview, phases, as_at)
    status = overview.set_index("migration_id")["status"]
    rag = risks.computed_rag(flags, status)
    reported = overview.set_index("migration_id")["reported_rag"]
    return {
        "as_at": as_at.isoformat(),
        "counts_by_rule": {k: int(v) for k, v in risks.counts_by_rule(flags).items()},
        "computed_rag": {k: int(v) for k, v in rag.value_counts().items()},
        "rag_disagreements": int(risks.rag_disagreements(rag, reported).sum()),
    }


def demo_overruns(engine: Engine) -> dict:
    """Overrunning migrations at each demo as-at, and by phase at the last."""
    history = store.phase_history(engine, "go_live")
    overrunning = {}
    for as_at in demo.AS_AT_DATES:
        migrations, phases = store.current_picture(engine, as_at)
        summary = metrics.summary(migrations, phases, as_at, history)
        overrunning[as_at.isoformat()] = int(summary["overrunning"])
    by_phase = {k: int(v) for k, v in summary["overrunning_by"]["phase"].items()}
    return {"overrunning_at": overrunning, "overrunning_by_phase_at_last": by_phase}


FIGURES = {"demo_risks": demo_risks, "demo_overruns": demo_overruns}


def golden(name: str) -> dict:
    """The stored figures tests/golden/<name>.json."""
    return json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))


def write_golden(name: str, figures: dict) -> Path:
    path = FOLDER / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
