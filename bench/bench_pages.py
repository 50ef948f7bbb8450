"""Page speed at 100 migrations and at national scale (every practice in the reference data).

For each page, prints the script run time under AppTest with a cold cache (the first run after
clearing Streamlit's caches) and a warm cache (the next run), and the bytes of chart JSON the page
sends, for a 100-migration database and a ~6,200-migration one, measured in one run.

    .venv/bin/python bench/bench_pages.py [--repeat 3]

Goals: warm runs at national scale no more than 2x the same page at 100 migrations; no page sends
more than 1.5 MB of chart JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    "overview",
    "timeline",
    "overruns",
    "go_live",
    "risks",
    "changes",
    "board_pack",
    "upload",
    "definitions",
]


def _load(url: str, rows: int | None) -> int:
    from regiondash import store
    from regiondash.demo import build_national_tracker, workbook_bytes
    from regiondash.importing import import_tracker
    from regiondash.reference import load_reference

    reference = load_reference()
    frame = build_national_tracker(reference)
    if rows is not None:
        frame = frame.head(rows)
    outcome = import_tracker(
        store.connect(url),
        workbook_bytes(frame),
        "national tracker.xlsx",
        reference,
        uploaded_by="bench",
        uploaded_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC),
        as_at=dt.date(2026, 11, 20),
    )
    assert outcome.status == "stored", outcome.message
    return len(frame)


def _run(page: str, cold: bool = False):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if page != "overview":
        # AppTest resolves a page switch only after a first run (pages whose URL path differs
        # from their file name fall back to the default page otherwise)
        at.run()
        at.switch_page(f"app_pages/{page}.py")
    if cold:
        st.cache_data.clear()
        st.cache_resource.clear()
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    title = at.title[0].value if at.title else ""
    assert page == "overview" or "overview" not in title, f"{page} did not open: {title}"
    assert not at.exception, [e.value for e in at.exception]
    chart_bytes = sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))
    return seconds, chart_bytes


def _measure(url: str, repeat: int, pages: list[str] = PAGES) -> dict[str, dict[str, float]]:
    """Each page's median cold and warm run and its chart bytes, on the database at url."""
    import streamlit as st

    os.environ["REGIONDASH_DATABASE_URL"] = url
    results = {}
    for page in pages:
        cold, warm = [], []
        for _ in range(repeat):
            st.cache_data.clear()
            st.cache_resource.clear()
            seconds, chart_bytes = _run(page, cold=True)
            cold.append(seconds)
            warm.append(_run(page)[0])
        results[page] = {
            "cold": statistics.median(cold),
            "warm": statistics.median(warm),
            "chart_bytes": chart_bytes,
        }
    return results


def main() -> None:
    """Build both databases, then time every page on each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sizes, results = {}, {}
        for name, rows in (("small", 100), ("national", None)):
            url = f"sqlite:///{Path(tmp) / f'{name}.db'}"
            sizes[name] = _load(url, rows)
            results[name] = _measure(url, args.repeat)
    small, national = results["small"], results["national"]
    print(f"Median of {args.repeat} runs; {sizes['small']} vs {sizes['national']:,} migrations")
    print(
        f"{'page':12} {'cold s':>8} {'warm s':>8} {'chart KB':>9} | {'cold s':>8} {'warm s':>8} "
        f"{'chart KB':>9} | {'warm ratio':>10}"
    )
    worst_ratio, worst_bytes = 0.0, 0
    for page in PAGES:
        s, n = small[page], national[page]
        ratio = n["warm"] / s["warm"] if s["warm"] else float("inf")
        worst_ratio = max(worst_ratio, ratio)
        worst_bytes = max(worst_bytes, s["chart_bytes"], n["chart_bytes"])
        small_part = f"{s['cold']:8.2f} {s['warm']:8.2f} {s['chart_bytes'] / 1024:9.0f}"
        national_part = f"{n['cold']:8.2f} {n['warm']:8.2f} {n['chart_bytes'] / 1024:9.0f}"
        print(f"{page:12} {small_part} | {national_part} | {ratio:10.2f}")
    print(
        f"worst warm ratio {worst_ratio:.2f} ({'meets' if worst_ratio <= 2 else 'MISSES'} <= 2); "
        f"largest chart JSON {worst_bytes / 2**20:.2f} MB "
        f"({'meets' if worst_bytes <= 1.5 * 2**20 else 'MISSES'} <= 1.5 MB)"
    )


if __name__ == "__main__":
    main()
