"""Import speed at national scale: every practice in the reference data migrating, ~40 columns.

Each step is timed as a whole process, start-up and imports included, as a user or a scheduler
meets it (best and median of --repeat runs, and the process's own peak memory):

- python-calamine's raw read: the library alone reading every sheet to Python values;
- pandas.read_excel with calamine, and with openpyxl: a plain read into a DataFrame;
- `regiondash import`: sniff, read in the limited child, validate, store (a fresh database each
  run: a fresh SQLite file, or with --postgres URL a fresh database on that server);
- `regiondash --help`: the command line's own start-up.

Goals: the whole import within 1.5x of the plain calamine read into pandas, and said against the
raw library read too; `regiondash --help` under 0.3 s.

    .venv/bin/python bench/bench_import.py [--repeat 5] [--postgres URL] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

IMPORT_GOAL = 1.5  # whole import / pandas calamine read, each a whole process
HELP_GOAL = 0.3  # seconds
AS_AT = "2026-11-20"

RAW_CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
rows = sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
"""
PANDAS_READ = """
import sys
import pandas as pd
frame = pd.read_excel(sys.argv[1], engine=sys.argv[2])
"""


def _regiondash() -> str:
    return str(Path(sys.executable).with_name("regiondash"))


def timed_process(command: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one process run to its end; raises if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({proc.returncode}): {err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


@contextlib.contextmanager
def fresh_database(folder: Path, run: int, postgres: str | None) -> Iterator[str]:
    """A database URL nothing has been stored in: a new SQLite file, or a new PostgreSQL
    database on the server at `postgres`, dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{folder / f'bench-{run}.db'}"
        return
    name = f"regiondash_bench_{uuid.uuid4().hex[:12]}"
    url = _helper("create-database", postgres, name)
    try:
        yield url
    finally:
        _helper("drop-database", postgres, name)


def _helper(task: str, *arguments: str) -> str:
    # Done in a process of its own: this one stays small, because a child's peak memory as the
    # kernel reports it starts from its parent's size when it was forked.
    command = [sys.executable, __file__, "--helper", task, *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def run_helper(task: str, arguments: list[str]) -> None:
    """The work _helper hands to a process of its own; prints its result."""
    if task == "write-tracker":
        from regiondash.demo import build_national_tracker, workbook_bytes
        from regiondash.reference import load_reference

        frame = build_national_tracker(load_reference())
        Path(arguments[0]).write_bytes(workbook_bytes(frame))
        print(json.dumps({"rows": len(frame), "columns": len(frame.columns)}))
        return
    import sqlalchemy as sa

    server = sa.make_url(arguments[0])
    if server.drivername in ("postgresql", "postgres"):
        server = server.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if task == "create-database":
            conn.execute(sa.text(f'CREATE DATABASE "{arguments[1]}"'))
            print(server.set(database=arguments[1]).render_as_string(hide_password=False))
        else:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{arguments[1]}" WITH (FORCE)'))
    admin.dispose()


def measure(path: Path, repeat: int, postgres: str | None, folder: Path) -> dict[str, dict]:
    """Every step's runs, interleaved so that a busy moment of the machine hits them alike."""
    steps = {
        "raw_calamine": [sys.executable, "-c", RAW_CALAMINE, str(path)],
        "pandas_calamine": [sys.executable, "-c", PANDAS_READ, str(path), "calamine"],
        "pandas_openpyxl": [sys.executable, "-c", PANDAS_READ, str(path), "openpyxl"],
        "help": [_regiondash(), "--help"],
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in [*steps, "import"]}
    for run in range(repeat):
        for name, command in steps.items():
            runs[name].append(timed_process(command))
        with fresh_database(folder, run, postgres) as url:
            command = [_regiondash(), "import", str(path), "--db", url, "--as-at", AS_AT]
            runs["import"].append(timed_process(command))
    return {
        name: {
            "best_s": min(s for s, _ in values),
            "median_s": statistics.median(s for s, _ in values),
            "peak_mib": max(m for _, m in values),
        }
        for name, values in runs.items()
    }


LABELS = {
    "raw_calamine": "python-calamine raw read (library alone)",
    "pandas_calamine": "pandas.read_excel(engine='calamine')",
    "pandas_openpyxl": "pandas.read_excel(engine='openpyxl')",
    "import": "regiondash import (read, validate, store)",
    "help": "regiondash --help",
}


def main() -> None:
    """Write the national tracker, then time each step as a whole process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("REGIONDASH_BENCH_POSTGRES_URL"),
        help="import into fresh databases on this PostgreSQL server instead of SQLite files",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--helper", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.helper:
        run_helper(args.helper[0], args.helper[1:])
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "national tracker.xlsx"
        shape = json.loads(_helper("write-tracker", str(path)))
        size = path.stat().st_size / 2**20
        results = measure(path, args.repeat, args.postgres, Path(tmp))
    best = {name: result["best_s"] for name, result in results.items()}
    ratios = {
        "import_vs_pandas_calamine": best["import"] / best["pandas_calamine"],
        "import_vs_raw_calamine": best["import"] / best["raw_calamine"],
        "import_vs_pandas_openpyxl": best["import"] / best["pandas_openpyxl"],
    }
    backend = "PostgreSQL" if args.postgres else "SQLite"
    if args.json:
        payload = {"rows": shape["rows"], "backend": backend, "steps": results, "ratios": ratios}
        print(json.dumps(payload, indent=2))
        return
    print(
        f"National tracker: {shape['rows']} rows x {shape['columns']} columns, {size:.1f} MiB "
        f"xlsx; import into {backend}; {args.repeat} runs of each, each a whole process"
    )
    print(f"{'step':45} {'best s':>8} {'median s':>9} {'peak MiB':>9}")
    for name, result in results.items():
        print(
            f"{LABELS[name]:45} {result['best_s']:8.2f} {result['median_s']:9.2f} "
            f"{result['peak_mib']:9.0f}"
        )
    ratio = ratios["import_vs_pandas_calamine"]
    verdict = "meets" if ratio <= IMPORT_GOAL else "MISSES"
    print(
        f"import / pandas calamine read = {ratio:.2f} ({verdict} the goal of at most "
        f"{IMPORT_GOAL}); / raw python-calamine read = {ratios['import_vs_raw_calamine']:.2f}; "
        f"/ pandas openpyxl read = {ratios['import_vs_pandas_openpyxl']:.2f}"
    )
    verdict = "meets" if best["help"] < HELP_GOAL else "MISSES"
    print(f"regiondash --help = {best['help']:.2f} s ({verdict} the goal of under {HELP_GOAL} s)")


if __name__ == "__main__":
    main()
