"""The one check on a configured query: a single SELECT (or WITH ... SELECT), nothing else."""

from __future__ import annotations

import logging
import re

from regiondash.sources.spec import SourceProblem

log = logging.getLogger(__name__)


_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$]")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
_FIRST_WORD = re.compile(r"[\s(]*([a-z_]+)")
_WRITES = re.compile(
    r"\b(insert|update|delete|merge|upsert|create|drop|alter|grant|revoke|truncate|copy|call|do"
    r"|execute|exec|vacuum|reindex|cluster|attach|detach|pragma|into|lock)\b"
    r"|\bfor\s+(?:no\s+key\s+|key\s+)?share\b|\bcomment\s+on\b|\brefresh\s+materialized\b"
)
# Functions with side effects a READ ONLY transaction does not stop.
_FUNCTIONS = re.compile(
    r"\b(set_config|dblink\w*|pg_terminate_backend|pg_cancel_backend|pg_reload_conf"
    r"|pg_rotate_logfile|pg_notify|pg_switch_wal|pg_promote|pg_create_restore_point|lo_export"
    r"|lo_import|pg_read_file|pg_read_binary_file|pg_ls_dir|pg_file_write|load_extension)\s*\("
)
_NOT_SELECT = (
    "The source query was refused: {why}. Only one SELECT (or WITH … SELECT) statement is run "
    "against a source database; nothing was read or stored."
)


def _refused(why: str) -> SourceProblem:
    return SourceProblem(_NOT_SELECT.format(why=why), "not_select")


def _end_of_quoted(sql: str, start: int, mark: str, backslashes: bool) -> int:
    """The index after the quote closing the literal or name opened at start."""
    i = start + 1
    while i < len(sql):
        if backslashes and sql[i] == "\\":
            i += 2
        elif sql[i] == mark:
            if sql[i + 1 : i + 2] != mark:
                return i + 1
            i += 2  # a doubled quote stands for itself
        else:
            i += 1
    raise _refused(f"a {mark} quote is never closed")


def _skeleton(sql: str) -> tuple[str, int | None]:
    """(sql with comments blanked and quoted text emptied, index in sql of the first ;)."""
    out: list[str] = []
    semicolon = None
    i, n = 0, len(sql)
    while i < n:
        ch, pair = sql[i], sql[i : i + 2]
        if pair == "--":
            end = sql.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
        elif pair == "/*":
            depth = 0  # PostgreSQL block comments nest
            while i < n:
                if sql.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif sql.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                    if depth == 0:
                        break
                else:
                    i += 1
            if depth:
                raise _refused("a /* comment is never closed")
            out.append(" ")
        elif ch == "'":
            # E'...' strings take backslash escapes, so \' does not end them.
            escapes = i > 0 and sql[i - 1] in "eE" and (i < 2 or not _IDENT_CHAR.match(sql[i - 2]))
            i = _end_of_quoted(sql, i, "'", escapes)
            out.append("''")
        elif ch in '"`':
            i = _end_of_quoted(sql, i, ch, False)
            out.append('""')  # a quoted name such as "Last update" is not a keyword
        elif (
            ch == "$"
            and (i == 0 or not _IDENT_CHAR.match(sql[i - 1]))
            and (tag := _DOLLAR_TAG.match(sql, i))
        ):
            end = sql.find(tag.group(), tag.end())
            if end < 0:
                raise _refused(f"a {tag.group()} quote is never closed")
            i = end + len(tag.group())
            out.append("''")
        else:
            if ch == ";" and semicolon is None:
                semicolon = i
            out.append(ch)
            i += 1
    return "".join(out), semicolon


def check_select(sql: str) -> str:
    """The query without a trailing ;, if it is one SELECT that writes nothing; else SourceProblem.

    A careful first guard only: the read-only transaction the query then runs in is the real one.
    """
    skeleton, semicolon = _skeleton(sql or "")
    body, _, rest = skeleton.partition(";")
    words = body.lower()
    if rest.strip():
        raise _refused("it holds more than one statement (a ; followed by more SQL)")
    first = _FIRST_WORD.match(words)
    if first is None:
        raise _refused("it is empty")
    if first.group(1) not in ("select", "with"):
        raise _refused(f"it starts with {first.group(1).upper()}, not SELECT")
    if found := _WRITES.search(words):
        word = " ".join(found.group().upper().split())
        if word == "INTO":
            raise _refused("SELECT … INTO would create a table")
        if word == "LOCK" or word.startswith("FOR "):
            raise _refused(f"{word} would lock rows in the source")
        raise _refused(f"it contains {word}, which can change the source")
    if found := _FUNCTIONS.search(words):
        raise _refused(f"it calls {found.group(1)}(), which is not allowed against a source")
    return (sql[:semicolon] if semicolon is not None else sql).strip()
