"""What every regiondash subcommand shares: the parser's copied constants, the practice mapping,
the date argument and the plain usage-error and problem printers."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regiondash.importing import ImportOutcome
    from regiondash.reference import Reference

# pandas, SQLAlchemy and the domain are imported by the subcommand that runs, never to build the
# parser, so `regiondash --help` starts fast. The parser's few constants are copied here; a test
# checks them against ingest.milestones.SINGLE_DATE_MODES and freshness.STALE_AFTER_DAYS.
BY_DATE = "by-date"
SINGLE_DATE_MODES = (BY_DATE, "plans", "actuals")
STALE_AFTER_DAYS = 14
REFERENCE_ENV = "REGIONDASH_REFERENCE_CSV"
DB_HELP = "database URL (default: $REGIONDASH_DATABASE_URL, else data/regiondash.db)"


def reference_data() -> Reference:
    """The practice mapping: $REGIONDASH_REFERENCE_CSV (a newer NHS England file), else bundled."""
    from regiondash.reference import load_reference

    return load_reference(os.environ.get(REFERENCE_ENV) or None)


def iso_date(text: str) -> dt.date:
    """An argparse type: a date given as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def print_problems(outcome: ImportOutcome) -> None:
    """An import's notes, errors and warnings, one a line, each saying where."""
    parsed = outcome.parsed
    if parsed is None:
        return
    for note in parsed.notes:
        print(f"  note: {note}")
    for problem in parsed.problems:
        where = ", ".join(
            part
            for part in (
                f"sheet {problem.sheet}" if problem.sheet else "",
                f"row {problem.row}" if problem.row is not None else "",
                f"column {problem.column}" if problem.column else "",
            )
            if part
        )
        value = f" [{problem.value}]" if problem.value else ""
        print(f"  {problem.severity}: {where}{value}: {problem.message}")


def report_outcome(args: argparse.Namespace, outcome: ImportOutcome) -> int:
    """Print an import's outcome (one JSON object with --json, else its message and problems)
    and return its exit code: the same for a file and for a database source."""
    from regiondash.importing import UNREADABLE

    if args.json:
        result = outcome.as_json()
        if outcome.status == UNREADABLE:
            result["errors"] = [file_error(outcome.message)]
        print(json.dumps(result, indent=2, default=str))
    else:
        print(outcome.message)
        print_problems(outcome)
    return outcome.exit_code


def file_error(message: str) -> dict[str, object]:
    """A --json error about the whole file (no sheet, row or column)."""
    return {"sheet": None, "row": None, "column": None, "value": None, "message": message}


def usage_error(args: argparse.Namespace, message: str) -> int:
    """Say what is wrong on stderr (and as one JSON object with --json); exit code 2."""
    from regiondash.importing import UNREADABLE

    if getattr(args, "json", False):
        payload = {
            "status": UNREADABLE,
            "upload_id": None,
            "migrations": 0,
            "rows_read": 0,
            "rows_set_aside": 0,
            "errors": [file_error(message)],
            "warnings": [],
        }
        print(json.dumps(payload, indent=2))
    print(f"regiondash: {message}", file=sys.stderr)
    return 2
