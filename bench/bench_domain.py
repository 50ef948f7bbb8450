"""Domain speed checks that used to be wall-clock asserts inside the tests (a loaded machine made
them flaky, and a test should say what is right, not how fast): each prints its time against its
goal and the script exits 1 if any goal is missed.

    .venv/bin/python bench/bench_domain.py [--repeat 3]

Goals:
- risks.evaluate + reasons + computed_rag at national scale (the demo picture x 52: about 6,200
  migrations, 80,000 phase rows): under 1.0 s (was tests/test_risks.py, national scale).
- charts.go_live_spread over go lives 40 years apart (~500 busy-period shapes, added in one go):
  under 10 s (was tests/test_charts.py; found by tests/app/test_any_stored_row.py, whose own
  per-example limit of 30 s this replaces).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

NATIONAL_COPIES = 52


def _demo_picture(folder: Path):
    from regiondash import metrics, store
    from regiondash.demo import AS_AT_DATES
    from regiondash.importing import load_demo
    from regiondash.reference import load_reference

    engine = store.connect(f"sqlite:///{folder / 'demo.db'}")
    for outcome in load_demo(engine, load_reference()):
        assert outcome.status == "stored", outcome.message
    as_at = AS_AT_DATES[-1]
    migrations, phases = store.current_picture(engine, as_at)
    history = store.phase_history(engine, "go_live")
    engine.dispose()
    return phases, as_at, metrics.migration_overview(migrations, phases, as_at, history)


def national_risks(folder: Path) -> Callable[[], None]:
    from regiondash import risks

    phases, as_at, overview = _demo_picture(folder)
    copies = range(NATIONAL_COPIES)
    big_m = pd.concat(
        [overview.assign(migration_id=overview["migration_id"] + f"#{i}") for i in copies],
        ignore_index=True,
    )
    big_p = pd.concat(
        [phases.assign(migration_id=phases["migration_id"] + f"#{i}") for i in copies],
        ignore_index=True,
    )

    def run() -> None:
        flags = risks.evaluate(big_m, big_p, as_at)
        risks.reasons(flags)
        risks.computed_rag(flags, big_m.set_index("migration_id")["status"])
        assert len(flags) == len(big_m)

    return run


def decades_of_shading(_: Path) -> Callable[[], None]:
    from regiondash import charts

    frame = pd.DataFrame(
        {"go_live_date": pd.to_datetime(["2026-07-06", "2066-07-06"]).astype("datetime64[us]")}
    )
    frame["target_system"] = pd.array(["SystmOne"] * 2, dtype="string")

    def run() -> None:
        fig = charts.go_live_spread(frame, dt.date(2026, 3, 10), "month")
        assert sum(s.type == "rect" for s in fig.layout.shapes) > 400

    return run


CHECKS: list[tuple[str, Callable[[Path], Callable[[], None]], float]] = [
    ("risks at national scale (evaluate, reasons, computed RAG)", national_risks, 1.0),
    ("go-live spread, go lives 40 years apart", decades_of_shading, 10.0),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per check; the median counts")
    args = parser.parse_args(argv)
    missed = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, build, goal in CHECKS:
            run = build(Path(folder))
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                run()
                times.append(time.perf_counter() - started)
            took = statistics.median(times)
            verdict = "ok" if took < goal else "MISSED"
            missed += took >= goal
            print(f"{name}: {took:.2f} s median of {args.repeat} (goal < {goal:g} s) {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
