"""What every side of a pull shares: the one error type, the URL shown without its password and
a table's name parts. Light on purpose: the limited child that reads a source imports this, so
it must never pull in pandas or streamlit (spec.py does, through regiondash.uploading)."""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url

FILE_KIND = "database"
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
        # credentials, role, no_table, permission, read_only, timeout, too_many_rows,
        # too_much_text, memory, reply_too_large, reader_crashed, query_failed

    def __str__(self) -> str:
        return self.message


def describe_url(url: str) -> str:
    """The URL as it may be shown: password hidden (or nothing, if it cannot even be parsed)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the source database"  # an unparsable string may hold a password anywhere


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
