"""How much the server grows on inputs built to amplify text, against an honest national tracker.

Each case is imported by `regiondash import` (or `import-db`) run inside a fresh process, so the
figures are that process's own: the growth of its peak memory (max RSS) over what it held once
regiondash was imported, the time taken, the outcome and the uploads stored. The readers run in
limited children, whose memory is not the server's. Goal: every amplifier refused in under 5 s
with the server growing by less than 100 MB, and nothing stored; the honest national tracker
stored within the same bounds, for comparison.

    .venv/bin/python bench/bench_text_bounds.py [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 5.0
GOAL_GROWTH_MB = 100.0


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_hostile_files", ROOT / "scripts" / "make_hostile_files.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _big_text_source(path: Path, rows: int = 1_000, megabytes: int = 1) -> str:
    """A SQLite tracking database whose notes are 1 MB each: a pull of 1 GB of text."""
    with sqlite3.connect(path) as conn:
        conn.execute("create table tracker (ods_code text, target text, go_live text, notes text)")
        note = "N" * (megabytes * 2**20)
        conn.executemany(
            "insert into tracker values (?, 'EMIS Web', '2026-03-02', ?)",
            ((f"A{81001 + i:05d}", note) for i in range(rows)),
        )
    return f"sqlite:///{path}"


def _measure(argv: list[str]) -> dict[str, object]:
    """Run the CLI in this process and report its own growth, time and exit code."""
    from regiondash import cli  # imported before the baseline: its modules are not growth

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    code = cli.main([*argv, "--json"])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"code": code, "seconds": seconds, "growth_mb": (peak - baseline) / 1024}


def _run_case(argv: list[str], db: Path) -> dict[str, object]:
    """One case in a fresh process; its JSON line is the last line it prints."""
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'bench')!r})\n"
        "from bench_text_bounds import _measure\n"
        "print(json.dumps(_measure(json.loads(sys.argv[1]))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(argv)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    measured = json.loads(lines[-1])
    result = json.loads("\n".join(lines[:-1])) if len(lines) > 1 else {}
    errors = result.get("errors") or [{}]
    with sqlite3.connect(db) as conn:
        stored = conn.execute("select count(*) from uploads").fetchone()[0]
    return {**measured, "stored": stored, "message": errors[0].get("message", "")}


def main(argv: list[str] | None = None) -> int:
    """Build the cases, measure each, print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    gen = _generator()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        from regiondash.demo import build_national_tracker, workbook_bytes
        from regiondash.reference import load_reference

        national = folder / "national tracker.xlsx"
        national.write_bytes(workbook_bytes(build_national_tracker(load_reference())))
        cases = [
            ("national tracker (honest)", ["import", str(national)], False),
            (
                "xlsx: one 32,767-char note in 20,000 rows",
                ["import", str(gen.make_shared_note_amplifier(folder / "shared_note.xlsx"))],
                True,
            ),
            (
                "ods: a 32,767-char row repeated 20,000 times",
                ["import", str(gen.make_repeated_note_ods(folder / "repeated_note.ods"))],
                True,
            ),
            ("csv: 17 MB of 2,000-char cells", ["import", str(folder / "long_text.csv")], True),
            (
                "database pull: 1,000 rows x 1 MB",
                [
                    "import-db",
                    _big_text_source(folder / "source.db"),
                    "--table",
                    "tracker",
                    "--map",
                    "target=target_system",
                ],
                True,
            ),
        ]
        (folder / "long_text.csv").write_bytes(gen.long_text_csv())
        for number, (name, case, hostile) in enumerate(cases):
            db = folder / f"case{number}.db"
            measured = _run_case([*case, "--db", f"sqlite:///{db}", "--as-at", "2026-11-20"], db)
            ok = (
                measured["code"] == (2 if hostile else 0)
                and measured["stored"] == (0 if hostile else 1)
                and measured["seconds"] < GOAL_SECONDS
                and measured["growth_mb"] < GOAL_GROWTH_MB
            )
            rows.append({"case": name, "hostile": hostile, **measured, "goal_met": ok})
    if args.json:
        print(json.dumps({"cases": rows}, indent=2))
        return 0
    print("| input | exit | stored | seconds | server growth (MB) | goal |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        goal = "met" if row["goal_met"] else "NOT met"
        print(
            f"| {row['case']} | {row['code']} | {row['stored']} | {row['seconds']:.2f} | "
            f"{row['growth_mb']:.0f} | {goal} |"
        )
    for row in rows:
        if row["message"] and row["hostile"]:
            print(f"\n{row['case']}: {row['message']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
