"""`regiondash import`, `summary`, `changes`, `demo` and `db`: trackers in, the picture out and
the database's schema, for people and schedulers."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path
from typing import cast

from regiondash.cli.common import (
    BY_DATE,
    DB_HELP,
    SINGLE_DATE_MODES,
    STALE_AFTER_DAYS,
    iso_date,
    print_problems,
    reference_data,
    report_outcome,
    usage_error,
)


def cmd_import(args: argparse.Namespace) -> int:
    """regiondash import: store a tracker file, or say exactly why not."""
    # The file is read in its child first, while this process loads pandas, the database and
    # the practice mapping (worker.py needs none of them), so the read costs little extra.
    from regiondash.ingest.errors import UnreadableFile
    from regiondash.ingest.worker import start_reading

    path = Path(args.path)
    try:
        content = path.read_bytes()
    except OSError as problem:
        return usage_error(args, f"cannot read {path}: {problem.strerror}")
    try:
        reading = start_reading(content, path.name)
    except UnreadableFile as problem:
        reading, refusal = None, problem
    from regiondash import store
    from regiondash.importing import UNREADABLE, ImportOutcome, import_tracker
    from regiondash.ingest import MappingProblem, parse_mapping_options

    try:
        mapping = parse_mapping_options(args.map) if args.map else None
    except MappingProblem as problem:
        if reading is not None:
            reading.cancel()
        return usage_error(args, str(problem))
    engine = store.connect(args.db)
    try:
        if reading is None:
            raise refusal
        outcome = import_tracker(
            engine,
            content,
            path.name,
            reference_data(),
            uploaded_by=args.uploaded_by or getpass.getuser(),
            uploaded_at=dt.datetime.now(dt.UTC),
            as_at=args.as_at,
            default_as_at=dt.date.today(),
            sheet=args.sheet,
            mapping=mapping,
            accept_valid_rows=args.accept_valid_rows,
            single_dates=args.single_dates,
            tracker=args.tracker,
            allow_unknown_practices=args.allow_unknown_practices,
            reading=reading,
        )
    except UnreadableFile as problem:
        outcome = ImportOutcome(UNREADABLE, None, None, problem.message)
    except MappingProblem as problem:
        return usage_error(args, f"{path.name}: {problem}")
    return report_outcome(args, outcome)


def cmd_summary(args: argparse.Namespace) -> int:
    """regiondash summary: headline counts as at a date, by the definitions in design.md §4."""
    from regiondash import freshness, metrics, risks, store

    engine = store.connect(args.db)
    as_at = args.as_at or store.latest_as_at(engine)
    if as_at is None:
        print(
            "regiondash: no uploads stored yet; run `regiondash import` or `regiondash demo`",
            file=sys.stderr,
        )
        return 1
    migrations, phases = store.current_picture(engine, as_at)
    migrations = metrics.in_scope(migrations, args.region, args.icb, args.sub_icb)
    phases = phases[phases["migration_id"].isin(migrations["migration_id"])]
    history = store.phase_history(engine, "go_live", as_at)
    result = metrics.summary(migrations, phases, as_at, history)
    overview = metrics.migration_overview(migrations, phases, as_at, history)
    flags, computed, _ = risks.assess(overview, phases, as_at)
    result["risks"] = risks.counts_by_rule(flags)
    result["risks_not_assessed"] = risks.not_assessed(overview)
    result["rag"] = risks.rag_counts(computed)
    # Ages are measured to the date asked for, else to today: how old the data is now.
    ages = freshness.tracker_ages(
        store.picture_uploads(engine, as_at),
        migrations,
        phases,
        args.as_at or dt.date.today(),
        args.stale_days,
    )
    result["ages_measured_to"] = (args.as_at or dt.date.today()).isoformat()
    result["trackers"] = freshness.tracker_ages_json(ages[ages["migrations"] > 0])
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    # metrics.summary types its values as object; these are counts, and counts by value.
    overrunning, total = cast(int, result["overrunning"]), cast(int, result["migrations"])
    share = overrunning / total if total else 0
    print(
        f"As at {as_at:%d %b %Y}: {result['migrations']} migrations, "
        f"{result['overrunning']} overrunning ({share:.0%})"
    )
    for name, counts in cast(dict[str, dict[str, int]], result["migrations_by"]).items():
        print(f"  by {name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for _, row in ages[ages["migrations"] > 0].iterrows():
        print("  " + freshness.age_words(row, args.stale_days))
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    """regiondash changes: what changed between two uploads."""
    import pandas as pd

    from regiondash import changes, store

    engine = store.connect(args.db)
    uploads = store.list_uploads(engine).set_index("upload_id")
    missing = [str(u) for u in (args.from_upload, args.to_upload) if u not in uploads.index]
    if missing:
        return usage_error(args, f"no upload with id {', '.join(missing)}; see the Upload page")
    before, after = uploads.loc[args.from_upload], uploads.loc[args.to_upload]
    result = changes.compare_uploads(
        *store.upload_rows(engine, args.from_upload),
        pd.Timestamp(before["as_at"]).date(),
        *store.upload_rows(engine, args.to_upload),
        pd.Timestamp(after["as_at"]).date(),
        same_tracker=before["tracker"] == after["tracker"],
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"Upload {args.from_upload} ({before['file_name']}) -> upload {args.to_upload} "
        f"({after['file_name']})"
    )
    for kind, items in result.items():
        print(f"  {kind.replace('_', ' ')}: {len(items)}")
        for item in items:
            print("    " + ", ".join(f"{k} {v}" for k, v in item.items() if k != "migration_id"))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """regiondash demo: load the fictional demo region (four uploads of one tracker)."""
    from regiondash import store
    from regiondash.importing import load_demo

    engine = store.connect(args.db)
    if args.if_empty and store.latest_as_at(engine) is not None:
        print("The database already holds uploads; demo not loaded.")
        return 0
    for outcome in load_demo(engine, reference_data()):
        as_at = outcome.parsed.as_at if outcome.parsed else None
        print(f"{as_at}: {outcome.message}")
        if outcome.exit_code:
            print_problems(outcome)
            return outcome.exit_code
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """regiondash db upgrade | current: the database's schema revision, brought up to date."""
    from regiondash.store import engine, migrate

    where = engine.describe_url(args.db)
    head = migrate.head_revision()

    def shown(revision: str | None) -> str:
        if revision is None:
            return "none (an empty database)"
        return f"{revision} (head)" if revision == head else revision

    if args.db_command == "upgrade":
        before, after = engine.upgrade_database(args.db)
        print(f"database: {where}")
        print(f"revision before: {shown(before)}")
        print(f"revision after: {shown(after)}")
        return 0
    connected = engine.connect(args.db, upgrade=False)
    try:
        with engine.read_transaction(connected) as conn:
            revision, legacy = migrate.stored_revision(conn)
    finally:
        connected.dispose()
    print(f"{where}: revision {shown(revision)}")
    if legacy:
        print("  a database from before Alembic (its schema_version table says so)")
    if revision is not None and not migrate.known_revision(revision):
        print(f"  newer than this regiondash, which knows up to {head}: upgrade regiondash")
    elif revision != head or legacy:
        print(f"  behind this regiondash's head, {head}: `regiondash db upgrade` brings it up")
    return 0


def add_tracker_parsers(subparsers) -> None:
    """Register `import`, `summary` and `changes` on the regiondash subparsers."""
    imp = subparsers.add_parser("import", help="import a tracker spreadsheet (.xlsx or .csv)")
    imp.add_argument("path")
    imp.add_argument("--db", help=DB_HELP)
    imp.add_argument(
        "--as-at",
        type=iso_date,
        help="the date the tracker is as at (default: the date its title rows give, "
        "e.g. 'Last updated: 03/11/2026', else today)",
    )
    imp.add_argument(
        "--tracker",
        metavar="NAME",
        help="the tracker this file replaces (default: by file name, else by practices)",
    )
    imp.add_argument(
        "--single-dates",
        choices=SINGLE_DATE_MODES,
        default=BY_DATE,
        help="how milestones with one date column are read: by-date (dates up to "
        "the as-at date are done, later ones plans), plans or actuals",
    )
    imp.add_argument("--uploaded-by", help="who is uploading (default: your user name)")
    imp.add_argument("--sheet", help="read this sheet (default: the first with a tracker header)")
    imp.add_argument(
        "--map", action="append", metavar="HEADER=field", help="map a header to a field; repeatable"
    )
    imp.add_argument(
        "--accept-valid-rows",
        action="store_true",
        help="store the valid rows and set aside rows with errors",
    )
    imp.add_argument(
        "--allow-unknown-practices",
        action="store_true",
        help="import even if most practice codes are not in the practice mapping (for "
        "practices newer than the mapping file)",
    )
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(func=cmd_import)

    summ = subparsers.add_parser("summary", help="headline counts as at a date")
    summ.add_argument("--db", help=DB_HELP)
    summ.add_argument("--as-at", type=iso_date, help="default: the latest upload's as-at date")
    summ.add_argument("--region", help="region code, e.g. Y58")
    summ.add_argument("--icb", help="ICB code, e.g. QJK")
    summ.add_argument("--sub-icb", help="sub-ICB location code, e.g. 15N")
    summ.add_argument(
        "--stale-days",
        type=int,
        default=STALE_AFTER_DAYS,
        help="a tracker older than this many days is stale (default: %(default)s)",
    )
    summ.add_argument("--json", action="store_true", help="print one JSON object")
    summ.set_defaults(func=cmd_summary)

    chg = subparsers.add_parser("changes", help="what changed between two uploads")
    chg.add_argument("--from", dest="from_upload", type=int, required=True, metavar="UPLOAD_ID")
    chg.add_argument("--to", dest="to_upload", type=int, required=True, metavar="UPLOAD_ID")
    chg.add_argument("--db", help=DB_HELP)
    chg.add_argument("--json", action="store_true", help="print one JSON object")
    chg.set_defaults(func=cmd_changes)


def add_database_parsers(subparsers) -> None:
    """Register `demo` and `db` on the regiondash subparsers."""
    demo = subparsers.add_parser("demo", help="load the fictional demo region")
    demo.add_argument("--db", help=DB_HELP)
    demo.add_argument("--if-empty", action="store_true", help="only when nothing is stored yet")
    demo.set_defaults(func=cmd_demo)

    db = subparsers.add_parser("db", help="the database's schema revision (Alembic)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="bring the database's schema up to date in place")
    upgrade.add_argument("--db", help=DB_HELP)
    upgrade.set_defaults(func=cmd_db)
    current = db_sub.add_parser("current", help="print the database's schema revision")
    current.add_argument("--db", help=DB_HELP)
    current.set_defaults(func=cmd_db)
