"""Reading a source: the pull runs in a fresh limited child (fetch.py), as a file's reading
does, and its rows come back as a grid; content_of makes them the upload's canonical CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import signal

from regiondash.ingest.child import ChildRun, run_child
from regiondash.ingest.errors import size_text
from regiondash.ingest.grid import SheetGrid, WorkbookGrid
from regiondash.ingest.limits import DEFAULT_LIMITS, Limits
from regiondash.ingest.worker import _MEMORY_WORDS
from regiondash.sources.base import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_SECONDS,
    FILE_KIND,
    SourceProblem,
    _dialect,
    _table_parts,
    describe_url,
)
from regiondash.sources.fetch import ENTRY, _scrubbed, _source_url
from regiondash.sources.query import check_select
from regiondash.sources.spec import SourceSpec

log = logging.getLogger(__name__)


def read_source(
    spec: SourceSpec,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    max_rows: int = DEFAULT_MAX_ROWS,
    limits: Limits = DEFAULT_LIMITS,
) -> WorkbookGrid:
    """The source's rows as a one-sheet grid: column names on row 0, result rows 1..n.

    The query is checked here, before anything is started; the pull itself (connect, role and
    shadowing checks, the read-only SELECT, each statement stopped after timeout_seconds) runs
    in a child limited to limits.worker_memory_bytes and limits.worker_seconds in all, which
    sends back at most limits.max_reply_bytes: each text cell cut to limits.max_cell_chars,
    and a source with more than limits.max_text_chars of text or max_rows rows refused."""
    query = check_select(spec.query, _dialect(spec.url)) if spec.query else None
    if spec.table:
        _table_parts(spec.table)
    _source_url(spec.url)  # not a database URL, or no SQLite file there: no child needed
    request = {
        "url": spec.url,
        "table": spec.table,
        "query": query,
        "timeout_seconds": timeout_seconds,
        "max_rows": max_rows,
    }
    run = run_child(ENTRY, request, limits, limits.worker_seconds)
    reply = run.reply if run.status == "ok" else None
    if reply is None or reply["status"] != "ok":
        problem = _problem(run, describe_url(spec.url), spec.url, limits)
        log.warning("source pull failed (%s): %s", problem.reason, problem.message)
        raise problem
    sheet = SheetGrid(*reply["sheet"])
    for i, j, offset in reply["aware"]:
        zone = dt.timezone(dt.timedelta(microseconds=offset))
        sheet.rows[i][j] = sheet.rows[i][j].replace(tzinfo=zone)
    return WorkbookGrid(FILE_KIND, [sheet], False, None, reply["backend"])


def _problem(run: ChildRun, where: str, raw_url: str, limits: Limits) -> SourceProblem:
    """A pull that did not bring rows back, in words: the child's own refusal (a SourceProblem
    sent as data), or how the child ended."""
    status = run.status if run.reply is None else run.reply["status"]
    if status == "refused":
        return SourceProblem(run.reply["message"], run.reply["reason"])  # type: ignore[index]
    if status == "died":
        code = run.code
        detail = (
            "did not start" if code is None else f"exit {code}" if code >= 0 else f"signal {-code}"
        )
        err = _scrubbed(run.stderr[:1000].decode("utf-8", "replace"), raw_url)
        log.error("source pull child died (%s): %s", detail, err)
        # SIGKILL that we did not send is the kernel's out-of-memory killer.
        memory = any(word in run.stderr for word in _MEMORY_WORDS) or code == -signal.SIGKILL
        status = "memory" if memory else "crashed"
    if status == "timeout":
        seconds = limits.worker_seconds
        return SourceProblem(
            f"Reading the source {where} took longer than {seconds:g} second"
            f"{'' if seconds == 1 else 's'} in all, so it was stopped; nothing was stored. "
            "Narrow the query or ask the source's owner for an index.",
            "timeout",
        )
    if status == "memory":
        return SourceProblem(
            f"Reading the source {where} needed more than the "
            f"{size_text(limits.worker_memory_bytes)} of memory allowed for one pull, so it was "
            "stopped; nothing was stored. Leave long text or binary columns out of the query.",
            "memory",
        )
    if status == "reply_too_large":
        return SourceProblem(
            f"The rows from the source {where} hold more than the "
            f"{size_text(limits.max_reply_bytes)} of cell data one upload may hold, so reading "
            "was stopped; nothing was stored. Narrow the query.",
            "reply_too_large",
        )
    return SourceProblem(
        f"The process reading the source {where} stopped unexpectedly, so nothing was read or "
        "stored. Try again; if it happens again, tell the dashboard support team (the source's "
        "name, never its password).",
        "reader_crashed",
    )


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def content_of(grid: WorkbookGrid) -> bytes:
    """The rows as canonical CSV (ISO dates): hashed to recognise an unchanged source, and kept
    as the upload's original file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in grid.sheets[0].rows:
        writer.writerow([_csv_text(v) for v in row])
    return out.getvalue().encode("utf-8")
