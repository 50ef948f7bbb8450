"""`regiondash report` (the board pack as PowerPoint or PDF) and `regiondash export` (a table as
XLSX or CSV), for people and for scheduled runs. regiondash.cli.build_parser registers them."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from regiondash.cli.common import DB_HELP, iso_date

EXTENSIONS = {"pptx": ".pptx", "pdf": ".pdf", "xlsx": ".xlsx", "csv": ".csv"}


def _fail(message: str) -> int:
    print(f"regiondash: {message}", file=sys.stderr)
    return 2


def _scope_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--region", metavar="CODE", help="one region, e.g. Y58")
    group.add_argument("--icb", metavar="CODE", help="one ICB, e.g. QJK")
    group.add_argument("--sub-icb", metavar="CODE", help="one sub-ICB location, e.g. 15N")


def _scope(args: argparse.Namespace):
    from regiondash.report.data import Scope

    for level in ("region", "icb", "sub_icb"):
        code = getattr(args, level, None)
        if code:
            return Scope(level, code.strip().upper())
    return Scope()


def _inputs(args: argparse.Namespace):
    """The rows in scope as at the date, or a plain message saying why there are none."""
    from regiondash import store
    from regiondash.report.data import NothingToReport, load_inputs

    engine = store.connect(args.db)
    try:
        return load_inputs(engine, args.as_at, _scope(args)), None
    except NothingToReport as problem:
        return None, str(problem)
    finally:
        engine.dispose()


def _writable(out: Path, fmt: str) -> str | None:
    suffix = out.suffix.lower()
    if suffix and suffix != EXTENSIONS[fmt]:
        return f"--out {out.name} does not end in {EXTENSIONS[fmt]}, but --format is {fmt}"
    if out.is_dir():
        return f"--out {out} is a folder; give a file name"
    if not out.parent.exists():
        return f"the folder {out.parent} does not exist"
    return None


def _write(out: Path, content: bytes) -> str | None:
    """Write the file whole (via a temporary name), or say why not."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(content)
        partial.replace(out)
    except OSError as problem:
        partial.unlink(missing_ok=True)
        return f"cannot write {out}: {problem.strerror}"
    return None


def cmd_report(args: argparse.Namespace) -> int:
    """regiondash report: the board pack for a scope as at a date, as .pptx or .pdf."""
    from regiondash.report import images, pdf_writer, pptx_writer
    from regiondash.report.pack import build_board_pack

    out = Path(args.out)
    problem = _writable(out, args.format)
    if problem:
        return _fail(problem)
    if not images.chromium_available():
        return _fail(images.UNAVAILABLE_MESSAGE.split(";")[0] + "; the board pack needs it.")
    inputs, problem = _inputs(args)
    if inputs is None:
        return _fail(problem)

    def progress(fraction: float, message: str) -> None:
        if not args.quiet:
            print(f"  {fraction:4.0%} {message}", file=sys.stderr)

    try:
        pack = build_board_pack(
            inputs.migrations,
            inputs.phases,
            inputs.history,
            inputs.uploads,
            inputs.previous,
            inputs.as_at,
            inputs.scope_label,
            progress=progress,
            ages_to=args.as_at or dt.date.today(),
        )
    except images.ImageExportUnavailable as unavailable:
        return _fail(
            f"{unavailable} ({unavailable.detail})" if unavailable.detail else str(unavailable)
        )
    writer = pptx_writer.pack_to_pptx if args.format == "pptx" else pdf_writer.pack_to_pdf
    problem = _write(out, writer(pack))
    if problem:
        return _fail(problem)
    print(
        f"Wrote {out} ({len(pack.slides)} slides): {pack.scope_label}, as at "
        f"{inputs.as_at:%d %b %Y}"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """regiondash export: one table for a scope as at a date, as .xlsx or .csv."""
    from regiondash.report.images import source_line
    from regiondash.tables import TABLES, export_table, table_csv, table_xlsx

    out = Path(args.out)
    problem = _writable(out, args.format)
    if problem:
        return _fail(problem)
    inputs, problem = _inputs(args)
    if inputs is None:
        return _fail(problem)
    frame = export_table(args.table, inputs.migrations, inputs.phases, inputs.history, inputs.as_at)
    if args.format == "xlsx":
        used = inputs.uploads[inputs.uploads["upload_id"].isin(inputs.migrations["upload_id"])]
        source = f"{source_line(used, inputs.as_at)}; {inputs.scope_label}"
        content = table_xlsx(frame, args.table, inputs.as_at, source=source)
    else:
        content = table_csv(frame)
    problem = _write(out, content)
    if problem:
        return _fail(problem)
    print(
        f"Wrote {out}: {len(frame):,} rows of {TABLES[args.table].lower()}, "
        f"{inputs.scope_label}, as at {inputs.as_at:%d %b %Y}"
    )
    return 0


def add_report_parsers(subparsers) -> None:
    """Register `report` and `export` on the `regiondash` command's subparsers."""
    report = subparsers.add_parser(
        "report",
        help="the board pack (PowerPoint or PDF) for a scope as at a date",
        description="Build the board pack: summary, go-live spread, overruns, top risks, next "
        "go-lives, changes since the previous upload and a definitions appendix.",
    )
    report.add_argument("--db", help=DB_HELP)
    report.add_argument("--as-at", type=iso_date, help="default: the latest upload's as-at date")
    _scope_options(report)
    report.add_argument("--format", choices=["pptx", "pdf"], required=True)
    report.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    report.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    report.set_defaults(func=cmd_report)

    export = subparsers.add_parser(
        "export",
        help="one table (XLSX or CSV) for a scope as at a date",
        description="Export a table with readable column names and real dates; XLSX adds a "
        "Definitions sheet with the as-at date. Text that looks like a formula stays text.",
    )
    export.add_argument(
        "--table", choices=["migrations", "overruns", "risks", "go_lives"], required=True
    )
    export.add_argument("--format", choices=["xlsx", "csv"], required=True)
    export.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    export.add_argument("--db", help=DB_HELP)
    export.add_argument("--as-at", type=iso_date, help="default: the latest upload's as-at date")
    _scope_options(export)
    export.set_defaults(func=cmd_export)
