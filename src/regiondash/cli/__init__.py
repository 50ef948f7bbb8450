"""The regiondash command line: the same functions the pages call, for people and schedulers.

One module per group of subcommands (commands: import, summary, changes, demo, db; sources:
import-db; reports: report, export), all built on common. Nothing heavy is imported to build the
parser: each subcommand imports what it needs when it runs, so `regiondash --help` starts fast."""

from __future__ import annotations

import argparse

from regiondash.cli.commands import add_database_parsers, add_tracker_parsers
from regiondash.cli.common import usage_error
from regiondash.cli.reports import add_report_parsers
from regiondash.cli.sources import add_import_db_parser

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="regiondash", description="Regional oversight of GP practice system migrations."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add_tracker_parsers(sub)
    add_import_db_parser(sub)
    add_report_parsers(sub)
    add_database_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `regiondash` console script."""
    args = build_parser().parse_args(argv)
    from regiondash.store.engine import DATABASE_ERRORS, database_problem

    try:
        return args.func(args)
    except DATABASE_ERRORS as problem:
        # No traceback and no password: say which database and why, in one line.
        return usage_error(args, database_problem(problem, getattr(args, "db", None)))
