"""`regiondash import-db`: pull a tracking database's rows as one upload, for people and cron."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import re
from typing import TYPE_CHECKING

from regiondash.cli.common import (
    DB_HELP,
    iso_date,
    reference_data,
    report_outcome,
    usage_error,
)

if TYPE_CHECKING:  # the rest is imported when import-db runs, so --help starts fast
    from regiondash.sources import SourceSpec

_PLAIN_NAME = re.compile(r"[\w .-]{1,100}")


def add_import_db_parser(subparsers) -> argparse.ArgumentParser:
    """Register `import-db` on the regiondash subparsers."""
    parser = subparsers.add_parser(
        "import-db",
        help="import migration records from a tracking database (read-only)",
        description="Read a table, view or one SELECT from a tracking database, read-only, and "
        "store its rows as one upload (an unchanged source stores nothing).",
    )
    parser.add_argument(
        "source_url",
        metavar="SOURCE_URL",
        help="the source's SQLAlchemy URL (e.g. postgresql+psycopg://reader@host:5432/tracking), "
        "or the name of a source in regiondash-sources.toml",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--table", metavar="NAME", help="read this table or view (or SCHEMA.NAME)")
    what.add_argument("--query", metavar="SQL", help="run this one SELECT (read-only)")
    parser.add_argument("--db", help=DB_HELP)
    parser.add_argument(
        "--as-at", type=iso_date, help="the date the rows are as at (default: today)"
    )
    parser.add_argument("--uploaded-by", help="who is importing (default: your user name)")
    parser.add_argument(
        "--map", action="append", metavar="COLUMN=field", help="map a column to a field; repeatable"
    )
    parser.add_argument(
        "--accept-valid-rows",
        action="store_true",
        help="store the valid rows and set aside rows with errors",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=cmd_import_db)
    return parser


class _Usage(Exception):
    """The command line itself is wrong (exit 2, like `import`'s usage errors)."""


def source_spec(args: argparse.Namespace) -> SourceSpec:
    """The source named on the command line: a URL with --table/--query, or a configured name."""
    from regiondash.sources import SourceProblem, SourceSpec, load_sources, sources_file

    source = args.source_url
    if "://" in source or source.startswith("sqlite:"):
        if not (args.table or args.query):
            raise _Usage("give the table to read (--table NAME) or a query (--query SQL)")
        return SourceSpec(source, table=args.table, query=args.query)
    try:
        configured = load_sources()
    except SourceProblem as problem:
        raise _Usage(problem.message) from None
    if source not in configured:
        # Echo only a plain name: a mistyped URL may hold a password.
        shown = f'"{source}"' if _PLAIN_NAME.fullmatch(source) else "SOURCE_URL"
        names = ", ".join(sorted(configured)) or "none"
        raise _Usage(
            f"{shown} is neither a database URL nor a source in {sources_file()} "
            f"(configured: {names})"
        )
    spec = configured[source]
    if args.table or args.query:
        spec = dataclasses.replace(spec, table=args.table, query=args.query)
    return spec


def cmd_import_db(args: argparse.Namespace) -> int:
    """regiondash import-db: store a source's rows as an upload, or say exactly why not."""
    from regiondash import store
    from regiondash.importing import UNREADABLE, ImportOutcome
    from regiondash.ingest import MappingProblem, parse_mapping_options
    from regiondash.sources import SourceProblem, pull_source

    try:
        spec = source_spec(args)
        mapping = parse_mapping_options(args.map) if args.map else None
    except (_Usage, MappingProblem) as problem:
        return usage_error(args, str(problem))
    except SourceProblem as problem:
        return usage_error(args, problem.message)
    engine = store.connect(args.db)
    try:
        outcome = pull_source(
            engine,
            spec,
            reference_data(),
            uploaded_by=args.uploaded_by or getpass.getuser(),
            uploaded_at=dt.datetime.now(dt.UTC),
            as_at=args.as_at or dt.date.today(),
            mapping=mapping,
            accept_valid_rows=args.accept_valid_rows,
        )
    except SourceProblem as problem:  # e.g. a table name that is no name
        outcome = ImportOutcome(UNREADABLE, None, None, problem.message)
    finally:
        engine.dispose()
    return report_outcome(args, outcome)
