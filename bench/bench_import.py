"""Import speed at national scale: every practice in the reference data migrating, ~40 columns.

Prints, measured in one run: pandas.read_excel with openpyxl alone, the fast reader (calamine)
alone, and the full `regiondash import` (sniff, parse in the worker, validate, store in SQLite),
each in its own process so that its peak memory (max RSS) is its own.

    .venv/bin/python bench/bench_import.py [--repeat 3] [--db URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _step(name: str, path: Path, db: str | None) -> dict[str, float]:
    """Run one measured step in this process and return seconds and peak RSS."""
    import pandas as pd

    start = time.perf_counter()
    if name == "openpyxl":
        frame = pd.read_excel(path, engine="openpyxl")
        rows = len(frame)
    elif name == "calamine":
        frame = pd.read_excel(path, engine="calamine")
        rows = len(frame)
    elif name == "import":
        from regiondash import store
        from regiondash.cli import reference_data
        from regiondash.importing import import_tracker

        engine = store.connect(db)
        reference = reference_data()
        start = (
            time.perf_counter()
        )  # the reference and schema are loaded once per app, not per file
        outcome = import_tracker(
            engine, path.read_bytes(), path.name, reference, uploaded_by="bench",
            uploaded_at=dt.datetime.now(dt.UTC), as_at=dt.date(2026, 11, 20),
        )  # fmt: skip
        if outcome.status != "stored":
            raise SystemExit(f"import did not store: {outcome.message}")
        rows = outcome.as_json()["migrations"]
    else:
        raise SystemExit(f"unknown step {name}")
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": peak_mib, "worker_peak_mib": children, "rows": rows}


def _measure(name: str, path: Path, db: str | None) -> dict[str, float]:
    command = [sys.executable, __file__, "--step", name, "--file", str(path)]
    if db:
        command += ["--db", db]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Write the national tracker, then time each reader and the full import."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="database URL for the import (default: a fresh SQLite file)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(_step(args.step, Path(args.file), args.db)))
        return

    from regiondash.demo import build_national_tracker, workbook_bytes
    from regiondash.reference import load_reference

    with tempfile.TemporaryDirectory() as tmp:
        frame = build_national_tracker(load_reference())
        path = Path(tmp) / "national tracker.xlsx"
        path.write_bytes(workbook_bytes(frame))
        size = path.stat().st_size
        print(f"National tracker: {len(frame)} rows x {len(frame.columns)} columns, "
              f"{size / 2**20:.1f} MiB xlsx")  # fmt: skip
        results: dict[str, list[dict[str, float]]] = {}
        for run in range(args.repeat):
            for name in ("openpyxl", "calamine", "import"):
                db = args.db or f"sqlite:///{Path(tmp) / f'bench-{run}.db'}"
                if args.db and name == "import" and run:
                    # identical bytes are 'unchanged' the second time: use a fresh SQLite file
                    db = f"sqlite:///{Path(tmp) / f'bench-{run}.db'}"
                results.setdefault(name, []).append(_measure(name, path, db))
        labels = {
            "openpyxl": "pandas.read_excel(engine='openpyxl')",
            "calamine": "pandas.read_excel(engine='calamine')",
            "import": "regiondash import (parse, validate, store)",
        }
        best = {name: min(r["seconds"] for r in runs) for name, runs in results.items()}
        print(f"{'step':45} {'best s':>8} {'median s':>9} {'peak MiB':>9} {'worker MiB':>11}")
        for name, runs in results.items():
            seconds = sorted(r["seconds"] for r in runs)
            peak = max(r["peak_mib"] for r in runs)
            worker = max(r["worker_peak_mib"] for r in runs)
            print(f"{labels[name]:45} {best[name]:8.2f} {seconds[len(seconds) // 2]:9.2f} "
                  f"{peak:9.0f} {worker:11.0f}")  # fmt: skip
        ratio = best["import"] / best["openpyxl"]
        verdict = "meets" if ratio <= 0.5 else "MISSES"
        print(f"full import / openpyxl read = {ratio:.2f} ({verdict} the goal of at most 0.50)")


if __name__ == "__main__":
    main()
