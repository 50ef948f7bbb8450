"""History at scale: summary, page and storage cost as weekly uploads of a national tracker pile up.

The national tracker (every practice in the reference data migrating, the builder bench_import.py
and bench_pages.py use) is uploaded, then re-uploaded weekly: each week the as-at date moves on 7
days and 10% of the go lives still planned (no actual go live) move 1-4 weeks later (with the
milestones after them), chosen with a fixed seed. Every upload goes through the real import path
(regiondash.importing.import_tracker) into a fresh SQLite file and, with --postgres URL (or
$REGIONDASH_BENCH_POSTGRES_URL), into a fresh PostgreSQL database created on that server and
dropped afterwards. Each import is timed. When a checkpoint's number of uploads is stored, prints
for each backend: `regiondash summary --json` as a whole process, each page's cold and warm
AppTest run (as bench_pages.py times them), the database size and the stored original files.

    .venv/bin/python bench/bench_history.py [--checkpoints 1,8,52] [--postgres URL] [--repeat 1]
                                            [--practices N] [--json]
    .venv/bin/python bench/bench_history.py --quick    # checkpoints 1,3, 600 practices: seconds

Goals (last checkpoint / first): summary and every page no more than 1.5x; database no more
than 3x. Cost should follow the size of the current picture, not the length of history.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).resolve().parent
POSTGRES_ENV = "REGIONDASH_BENCH_POSTGRES_URL"
SEED = 2026
MOVE_SHARE = 0.10  # of the go lives still planned, moved each week
MOVE_WEEKS = (1, 2, 3, 4)  # how far a moved go live goes, later
DEFAULT_CHECKPOINTS = (1, 8, 52)
QUICK_CHECKPOINTS = (1, 3)
QUICK_PRACTICES = 600
TIME_GOAL = 1.5
SIZE_GOAL = 3.0
SQLITE, POSTGRES = "SQLite", "PostgreSQL"
MIB = 2**20


def _bench_pages():
    """bench_pages.py, beside this file: its page list and its AppTest page timer."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import bench_pages

    return bench_pages


def page_names() -> list[str]:
    """Every page bench_pages.py times, in its order."""
    return list(_bench_pages().PAGES)


# --- the weekly uploads -------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyUpload:
    """One week's upload of the national tracker."""

    number: int  # 1 = the tracker as built; n = after n - 1 weeks of moves
    as_at: dt.date
    uploaded_at: dt.datetime
    file_name: str
    frame: pd.DataFrame
    planned: int  # go lives still planned in the previous upload (what 10% is taken of)
    moved: tuple[str, ...]  # ODS codes whose planned go live this upload moved, sorted

    def content(self) -> bytes:
        """The upload as .xlsx bytes (deterministic: the workbook's timestamp is uploaded_at)."""
        from regiondash.exports import workbook_bytes

        return workbook_bytes(self.frame, modified=self.uploaded_at.replace(tzinfo=None))


def _label(key: str) -> str:
    from regiondash.fields import FIELD_BY_KEY

    return FIELD_BY_KEY[key].label


def weekly_uploads(
    uploads: int, practices: int | None = None, seed: int = SEED
) -> Iterator[WeeklyUpload]:
    """The national tracker (its first `practices` rows if given) and uploads - 1 weekly
    re-uploads of it, each as at 7 days later, with 10% (rounded) of the go lives still planned
    moved 1-4 weeks later along with the post go live end, end of migration and training dates."""
    from regiondash.demo import NATIONAL_AS_AT, build_national_tracker
    from regiondash.reference import load_reference

    frame = build_national_tracker(load_reference())
    if practices is not None:
        frame = frame.head(practices).reset_index(drop=True)
    ods, live = _label("ods_code"), _label("go_live_actual")
    later = [
        _label(k)
        for k in ("go_live_planned", "post_go_live_end_planned", "end_of_migration_planned")
    ] + ["Training date"]
    rng = random.Random(seed)
    planned, moved = 0, ()
    for number in range(1, uploads + 1):
        if number > 1:
            pool = sorted(frame.loc[frame[live].isna(), ods].astype(str))
            planned = len(pool)
            chosen = sorted(rng.sample(pool, int(planned * MOVE_SHARE + 0.5)))
            days = {code: 7 * rng.choice(MOVE_WEEKS) for code in chosen}
            shift = pd.to_timedelta(frame[ods].astype(str).map(days).fillna(0), unit="D")
            frame = frame.copy()
            for column in later:
                frame[column] = frame[column] + shift
            moved = tuple(chosen)
        as_at = NATIONAL_AS_AT + dt.timedelta(days=7 * (number - 1))
        uploaded_at = dt.datetime.combine(as_at + dt.timedelta(days=1), dt.time(9, 30), dt.UTC)
        name = f"national tracker {as_at:%Y-%m-%d}.xlsx"
        yield WeeklyUpload(number, as_at, uploaded_at, name, frame, planned, moved)


# --- the backends -------------------------------------------------------------------------------


@dataclass
class Backend:
    """A database the uploads are stored in, and how big it is."""

    name: str
    url: str
    sqlite_path: Path | None = None
    engine: object = None
    imports: list[float] = field(default_factory=list)

    def connect(self):
        from regiondash import store

        if self.engine is None:
            self.engine = store.connect(self.url)
        return self.engine

    def database_bytes(self) -> int:
        """SQLite: the file and its WAL. PostgreSQL: the app's tables with their indexes and
        TOAST (pg_total_relation_size), not the catalogue every database has."""
        import sqlalchemy as sa

        from regiondash.store.schema import metadata

        if self.sqlite_path is not None:
            wal = self.sqlite_path.with_name(self.sqlite_path.name + "-wal")
            return sum(p.stat().st_size for p in (self.sqlite_path, wal) if p.exists())
        query = sa.text(
            "SELECT coalesce(sum(pg_total_relation_size(to_regclass(t))), 0) "
            "FROM unnest(CAST(:tables AS text[])) AS t"
        )
        with self.connect().connect() as conn:
            return int(conn.execute(query, {"tables": sorted(metadata.tables)}).scalar_one())

    def pages_bytes(self) -> int:
        """SQLite: the pages the database uses (page_count x page_size, committed WAL frames
        included), which does not depend on when the WAL was last checkpointed. PostgreSQL: as
        database_bytes."""
        import sqlalchemy as sa

        if self.sqlite_path is None:
            return self.database_bytes()
        with self.connect().connect() as conn:
            pages = conn.execute(sa.text("PRAGMA page_count")).scalar_one()
            return int(pages * conn.execute(sa.text("PRAGMA page_size")).scalar_one())

    def wal_bytes(self) -> int:
        """SQLite: the WAL file alone (part of database_bytes); PostgreSQL: 0."""
        if self.sqlite_path is None:
            return 0
        wal = self.sqlite_path.with_name(self.sqlite_path.name + "-wal")
        return wal.stat().st_size if wal.exists() else 0

    def original_bytes(self) -> int:
        """The stored original files (every upload's bytes), as the database holds them."""
        import sqlalchemy as sa

        from regiondash.store.schema import files_table

        query = sa.select(sa.func.coalesce(sa.func.sum(sa.func.length(files_table.c.content)), 0))
        with self.connect().connect() as conn:
            return int(conn.execute(query).scalar_one())

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None


def sqlite_backend(folder: Path) -> Backend:
    """A fresh SQLite file in folder."""
    path = folder / "history.db"
    return Backend(SQLITE, f"sqlite:///{path}", sqlite_path=path)


@contextlib.contextmanager
def postgres_backend(server_url: str) -> Iterator[Backend]:
    """A fresh database on the PostgreSQL server at server_url, dropped afterwards."""
    import sqlalchemy as sa

    server = sa.make_url(server_url)
    if server.drivername in ("postgresql", "postgres"):
        server = server.set(drivername="postgresql+psycopg")
    name = f"regiondash_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        backend = Backend(POSTGRES, server.set(database=name).render_as_string(hide_password=False))
        try:
            yield backend
        finally:
            backend.close()
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# --- measuring ----------------------------------------------------------------------------------


def import_upload(backend: Backend, upload: WeeklyUpload, content: bytes) -> float:
    """Store one upload through regiondash's import path; the seconds import_tracker took."""
    from regiondash.cli.common import reference_data
    from regiondash.importing import import_tracker

    engine, reference = backend.connect(), reference_data()  # once per app, not per file
    start = time.perf_counter()
    outcome = import_tracker(
        engine,
        content,
        upload.file_name,
        reference,
        uploaded_by="bench",
        uploaded_at=upload.uploaded_at,
        as_at=upload.as_at,
    )
    seconds = time.perf_counter() - start
    if outcome.status != "stored":
        raise SystemExit(f"{backend.name}: upload {upload.number} not stored: {outcome.message}")
    backend.imports.append(seconds)
    return seconds


def summary_process(url: str) -> tuple[float, dict]:
    """`regiondash summary --json` run as its own process: wall seconds and its JSON."""
    command = [str(Path(sys.executable).with_name("regiondash")), "summary", "--db", url, "--json"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"regiondash summary failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, json.loads(done.stdout)


def time_pages(url: str, pages: Sequence[str], repeat: int) -> dict[str, dict[str, float]]:
    """Each page's cold and warm AppTest run (medians), as bench_pages.py times them: cold is a
    fresh AppTest after clearing st.cache_data and st.cache_resource, warm the next run."""
    from streamlit import logger

    logger.set_log_level("error")  # not "missing ScriptRunContext" for every cache clear
    measured = _bench_pages()._measure(url, repeat, list(pages))
    return {page: {"cold": m["cold"], "warm": m["warm"]} for page, m in measured.items()}


def measure(backend: Backend, pages: Sequence[str], repeat: int) -> dict:
    """One checkpoint on one backend: summary, pages, database and original file sizes."""
    summary_seconds, summary = summary_process(backend.url)
    return {
        "uploads": len(backend.imports),
        "migrations": summary["migrations"],
        "import_s": backend.imports[-1],
        "summary_s": summary_seconds,
        "pages": time_pages(backend.url, pages, repeat),
        "database_bytes": backend.database_bytes(),
        "wal_bytes": backend.wal_bytes(),
        "pages_bytes": backend.pages_bytes(),
        "original_bytes": backend.original_bytes(),
    }


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_history(
    backends: Sequence[Backend],
    checkpoints: Sequence[int],
    practices: int | None = None,
    pages: Sequence[str] | None = None,
    repeat: int = 1,
    log: Callable[[str], None] = _log,
) -> dict:
    """Store max(checkpoints) weekly uploads in every backend, measuring at each checkpoint."""
    pages = page_names() if pages is None else list(pages)
    checkpoints = sorted(set(checkpoints))
    results = {b.name: {"imports": b.imports, "checkpoints": {}} for b in backends}
    warmed = False
    for upload in weekly_uploads(checkpoints[-1], practices):
        content = upload.content()
        for backend in backends:
            seconds = import_upload(backend, upload, content)
            log(
                f"{backend.name}: upload {upload.number} as at {upload.as_at} "
                f"({len(upload.moved)} of {upload.planned} planned go lives moved) "
                f"stored in {seconds:.2f} s"
            )
        if upload.number not in checkpoints:
            continue
        for backend in backends:
            if not warmed:
                # every page once, untimed: the first checkpoint's cold runs must not also pay
                # for importing Streamlit, Plotly and each page's modules (python-pptx...)
                time_pages(backend.url, pages, 1)
                warmed = True
            log(f"{backend.name}: measuring at {upload.number} uploads")
            results[backend.name]["checkpoints"][upload.number] = measure(backend, pages, repeat)
    return {
        "practices": len(upload.frame),
        "uploads": checkpoints[-1],
        "checkpoints": checkpoints,
        "pages": pages,
        "repeat": repeat,
        "seed": SEED,
        "backends": results,
        "ratios": ratios(results, pages),
    }


# --- reporting ----------------------------------------------------------------------------------


def _rows(pages: Sequence[str]) -> list[tuple[str, Callable[[dict], float], str]]:
    """(row label, value from one checkpoint's measurements, number format) for the table."""
    rows = [
        ("import of the latest upload, s", lambda m: m["import_s"], ".2f"),
        ("`regiondash summary --json` process, s", lambda m: m["summary_s"], ".2f"),
    ]
    for page in pages:
        for kind in ("cold", "warm"):
            rows.append((f"{page} {kind}, s", lambda m, p=page, k=kind: m["pages"][p][k], ".2f"))
    rows += [
        ("database, MiB", lambda m: m["database_bytes"] / MIB, ".1f"),
        ("of which SQLite WAL, MiB", lambda m: m["wal_bytes"] / MIB, ".1f"),
        ("database pages in use, MiB", lambda m: m["pages_bytes"] / MIB, ".1f"),
        ("original files stored, MiB", lambda m: m["original_bytes"] / MIB, ".1f"),
        (
            "database pages in use without the originals, MiB",
            lambda m: (m["pages_bytes"] - m["original_bytes"]) / MIB,
            ".1f",
        ),
    ]
    return rows


def markdown_table(results: dict) -> str:
    """One row per measure, one column per backend and checkpoint (uploads stored)."""
    columns = [(name, n) for name, r in results["backends"].items() for n in r["checkpoints"]]
    header = ["measure"] + [f"{name}, {n} upload{'s' if n > 1 else ''}" for name, n in columns]
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * len(columns) + "|"]
    for label, value, fmt in _rows(results["pages"]):
        cells = [
            format(value(results["backends"][name]["checkpoints"][n]), fmt) for name, n in columns
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratios(backends: dict, pages: Sequence[str]) -> list[dict]:
    """Last checkpoint / first, per backend, for every measure with a goal."""
    out = []
    for name, result in backends.items():
        points = result["checkpoints"]
        if len(points) < 2:
            continue
        first, last = points[min(points)], points[max(points)]
        measures = [("summary", "summary_s", None, TIME_GOAL)]
        measures += [(f"{p} {k}", p, k, TIME_GOAL) for p in pages for k in ("cold", "warm")]
        measures.append(("database size", "database_bytes", None, SIZE_GOAL))
        measures.append(("database pages in use", "pages_bytes", None, SIZE_GOAL))
        # The goal's own measure: the database besides the compressed originals it keeps.
        measures.append(("database without the originals", "rows_bytes", None, SIZE_GOAL))
        for label, key, kind, goal in measures:
            if key == "rows_bytes":
                before = first["pages_bytes"] - first["original_bytes"]
                after = last["pages_bytes"] - last["original_bytes"]
            else:
                before, after = (
                    (first[key], last[key])
                    if kind is None
                    else (first["pages"][key][kind], last["pages"][key][kind])
                )
            ratio = after / before if before else None
            out.append(
                {
                    "backend": name,
                    "measure": label,
                    "first": before,
                    "last": after,
                    "ratio": ratio,
                    "goal": goal,
                    "met": ratio is not None and ratio <= goal,
                }
            )
    return out


def _times(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def ratio_table(results: dict) -> str:
    """The goals: each ratio, marked met or not met."""
    first, last = results["checkpoints"][0], results["checkpoints"][-1]
    lines = [
        f"| measure | backend | {first} upload(s) | {last} uploads | ratio | goal | |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results["ratios"]:
        scale, unit = (MIB, " MiB") if r["measure"].startswith("database") else (1, " s")
        lines.append(
            f"| {r['measure']} | {r['backend']} | {r['first'] / scale:.2f}{unit} | "
            f"{r['last'] / scale:.2f}{unit} | {_times(r['ratio'])} | <= {r['goal']}x | "
            f"{'met' if r['met'] else '**not met**'} |"
        )
    return "\n".join(lines)


def imports_line(results: dict) -> str:
    """Each backend's import times, upload by upload."""
    parts = []
    for name, result in results["backends"].items():
        times = result["imports"]
        parts.append(
            f"{name} imports, s (upload 1..{len(times)}): " + " ".join(f"{t:.2f}" for t in times)
        )
    return "\n".join(parts)


def report(results: dict) -> str:
    """The text report: what was measured, the table, the imports and the goals."""
    return "\n\n".join(
        [
            f"{results['practices']:,} practices, {results['uploads']} weekly uploads; median of "
            f"{results['repeat']} run(s) per page; seed {SEED}",
            markdown_table(results),
            imports_line(results),
            f"Goals, last checkpoint / first (time <= {TIME_GOAL}x, database <= {SIZE_GOAL}x):",
            ratio_table(results),
            "SQLite's WAL file is not truncated after a checkpoint (it stays at its high-water "
            "mark), so 'database pages in use' is the SQLite size that follows the data.",
        ]
    )


def _checkpoints(text: str) -> list[int]:
    values = sorted({int(part) for part in text.split(",") if part.strip()})
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError("give upload counts of 1 or more, e.g. 1,8,52")
    return values


def main(argv: Sequence[str] | None = None) -> None:
    """Store the weekly uploads in each backend and print the table and the goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", type=_checkpoints, default=list(DEFAULT_CHECKPOINTS))
    parser.add_argument("--practices", type=int, help="the first N rows of the national tracker")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"checkpoints 1,3 and {QUICK_PRACTICES} practices: a smoke test",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV) or None,
        help=f"a PostgreSQL server URL (default ${POSTGRES_ENV}); a fresh "
        "database is created on it and dropped afterwards",
    )
    parser.add_argument("--repeat", type=int, default=1, help="page runs per measure (median)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.quick:
        args.checkpoints, args.practices = list(QUICK_CHECKPOINTS), QUICK_PRACTICES
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        backends = [sqlite_backend(Path(tmp))]
        stack.callback(backends[0].close)
        if args.postgres:
            backends.append(stack.enter_context(postgres_backend(args.postgres)))
        results = run_history(backends, args.checkpoints, args.practices, repeat=args.repeat)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(report(results))


if __name__ == "__main__":
    main()
