"""What a database source is: its settings, its name, and the one error type it raises."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from regiondash.importing import tracker_name as _tracker_name

log = logging.getLogger(__name__)


FILE_KIND = "database"
SOURCES_FILE_ENV = "REGIONDASH_SOURCES_FILE"
DEFAULT_SOURCES_FILE = Path("regiondash-sources.toml")
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_ROWS = 200_000
QUERY_SHEET = "query"


class SourceProblem(Exception):
    """A source that cannot be read; `message` is plain English and never holds the password."""

    exit_code = 2

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason  # usage, config, bad_url, not_select, bad_table, unreachable,
        # credentials, role, no_table, permission, read_only, timeout, too_many_rows, query_failed

    def __str__(self) -> str:
        return self.message


def describe_url(url: str) -> str:
    """The URL as it may be shown: password hidden (or nothing, if it cannot even be parsed)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the source database"  # an unparsable string may hold a password anywhere


@dataclass(frozen=True, repr=False)
class SourceSpec:
    """A database source: a SQLAlchemy URL and exactly one of a table (or view) or a query."""

    url: str
    table: str | None = None
    query: str | None = None
    name: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()  # configured hand mapping: (column, field)

    def __post_init__(self) -> None:
        if bool(self.table) == bool(self.query):
            raise SourceProblem(
                f"{self.name or describe_url(self.url)}: give a table (or view) or a query, "
                "one and not both",
                "usage",
            )

    def __repr__(self) -> str:
        # A dataclass repr would print the password wherever a spec is logged or shown.
        shown = self.table if self.table else "query"
        return f"SourceSpec({self.name or shown!r}, {describe_url(self.url)!r}, {shown!r})"


def source_label(spec: SourceSpec) -> str:
    """The source's name in the upload history: its configured name, table, or database's."""
    if spec.name:
        label = spec.name
    elif spec.table:
        try:
            label = ".".join(_table_parts(spec.table))
        except SourceProblem:
            label = spec.table  # read_source refuses it with the reason; a label is still due
    else:
        database = _safe_url(spec.url).database if _safe_url(spec.url) else None
        label = f"{Path(database).stem} query" if database else "query"
    return re.sub(r"[\\/\x00-\x1f]+", " ", label).strip() or "source"


def _safe_url(url: str) -> URL | None:
    try:
        return make_url(url)
    except Exception:
        return None


def _dialect(url: str) -> str:
    """The source's database kind ("sqlite", "postgresql"...), for splitting its query as it
    will; PostgreSQL's rules when the URL cannot be read (check_select is then the stricter)."""
    parsed = _safe_url(url)
    try:
        return parsed.get_backend_name() if parsed is not None else "postgresql"
    except Exception:
        return "postgresql"


def tracker_of(source: SourceSpec | str) -> str:
    """The tracker name uploads from this source are stored under."""
    label = source if isinstance(source, str) else source_label(source)
    return _tracker_name(f"{label}.csv")


# --------------------------------------------------------------------------------------------
# The one statement a source may run


_NAME_PART = r'"(?:[^"\x00-\x1f]|"")+"|[A-Za-z_][A-Za-z0-9_$ \-]*'
_TABLE = re.compile(rf"\s*({_NAME_PART})\s*(?:\.\s*({_NAME_PART})\s*)?")


def _table_parts(table: str) -> tuple[str, ...]:
    """(name,) or (schema, name) from NAME, SCHEMA.NAME or "Quoted"."Names"; else SourceProblem."""
    match = _TABLE.fullmatch(table or "")
    if match is None:
        raise SourceProblem(
            f'"{table}" is not a table name: give NAME or SCHEMA.NAME (letters, digits, _, '
            'spaces or hyphens; put any other name in double quotes, e.g. "Tracker (2026)")',
            "bad_table",
        )
    parts = [p.strip() for p in match.groups() if p is not None]
    return tuple(p[1:-1].replace('""', '"') if p.startswith('"') else p for p in parts)


# --------------------------------------------------------------------------------------------
# Reading
