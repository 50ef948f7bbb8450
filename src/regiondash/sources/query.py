"""The one check on a configured query: a single SELECT (or WITH ... SELECT) that calls only
functions known to read and nothing else.

The query is split into tokens the way the database itself splits it (comments, quoted names
including U&"..." ones, string literals, dollar quotes), and every name followed by "(" is a
function call unless the grammar says otherwise (IN (, VALUES (, a CTE's column list, a type's
length...). A call is allowed only if its name is on PURE_FUNCTIONS, unqualified or in
pg_catalog: an allow-list, so a function nobody thought of is refused rather than run.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from regiondash.sources.base import SourceProblem

log = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Functions that only compute a value from their arguments (or read the clock): the only ones a
# source query may call. The same list serves PostgreSQL and SQLite; a name one of them lacks is
# simply an error there.
PURE_FUNCTIONS = _words(
    # text
    "lower upper initcap trim btrim ltrim rtrim length char_length character_length "
    "octet_length substring substr left right replace translate concat concat_ws position "
    "strpos instr split_part lpad rpad reverse repeat starts_with overlay regexp_replace "
    "regexp_match regexp_matches regexp_like regexp_substr printf format to_char to_number "
    "to_date to_timestamp char unicode hex quote typeof "
    # nulls and choices
    "coalesce nullif greatest least ifnull iif "
    # dates and times
    "date_trunc date_part extract make_date make_time make_timestamp make_interval age "
    "justify_days justify_interval now current_date current_time current_timestamp localtime "
    "localtimestamp date time datetime julianday strftime unixepoch isfinite "
    # numbers
    "round trunc floor ceil ceiling abs sign mod power pow sqrt div "
    # aggregates and windows
    "count sum min max avg total string_agg array_agg group_concat bool_and bool_or every "
    "grouping row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value "
    "last_value nth_value "
    # set-returning readers, JSON and arrays
    "unnest generate_series array_length array_to_string string_to_array cardinality "
    "json_extract json_extract_path_text jsonb_extract_path_text to_json to_jsonb "
    "json_build_object jsonb_build_object row_to_json "
    # type names written like calls: date('2026-01-01'), numeric(10, 2), varchar(20)
    "numeric decimal varchar character varying int integer int2 int4 int8 smallint bigint "
    "text timestamp timestamptz interval float float4 float8 real bit bool boolean cube rollup"
)
# Words that are always grammar before "(": PostgreSQL reserves them or keeps them from being
# function names, so EXISTS (...), VALUES (...), ROW (...) can never call anything.
_GRAMMAR = _words(
    "select from where and or not in exists values any all some array row as on using union "
    "intersect except then else when case between distinct with group having limit offset "
    "fetch cast table only lateral window order returning to for"
)
# Words that can also name a function, so grammar only where one follows what it must follow:
# f(x) OVER (...), count(*) FILTER (...), x LIKE (...), a JOIN (...), AS MATERIALIZED (...).
_AFTER_CLOSE = frozenset(("over", "filter"))
_AFTER_OPERAND = frozenset(("like", "ilike", "similar", "overlaps", "escape", "join"))
_AFTER_WORD = {
    "by": {"order", "group", "partition"},
    "materialized": {"as", "not"},
    "sets": {"grouping"},
}
_JOIN_KINDS = frozenset(("left", "right", "full", "inner", "outer", "cross", "natural"))
_WRITES = re.compile(
    r"\b(insert|update|delete|merge|upsert|create|drop|alter|grant|revoke|truncate|copy|call|do"
    r"|execute|exec|vacuum|reindex|cluster|attach|detach|pragma|into|lock)\b"
    r"|\bfor\s+(?:no\s+key\s+|key\s+)?share\b|\bcomment\s+on\b|\brefresh\s+materialized\b"
)
_FIRST_WORD = re.compile(r"[\s(]*([a-z_]+)")
_NAME = re.compile(r"[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*")
_NUMBER = re.compile(
    r"0[xXoObB][0-9A-Fa-f_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?"
)
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*)?\$")
_PARAMETER = re.compile(r"[$:@?][A-Za-z0-9_]*")
_UNICODE_ESCAPE = re.compile(r"\+([0-9A-Fa-f]{6})|([0-9A-Fa-f]{4})")
_NOT_SELECT = (
    "The source query was refused: {why}. Only one SELECT (or WITH … SELECT) statement is run "
    "against a source database; nothing was read or stored."
)
_NOT_ALLOWED = (
    "The source query was refused: it calls {name}, which regiondash does not allow in a source "
    "query; only functions that just read, such as lower, coalesce and to_date, are allowed. "
    "Nothing was read or stored."
)


def _refused(why: str) -> SourceProblem:
    return SourceProblem(_NOT_SELECT.format(why=why), "not_select")


@dataclass
class Token:
    kind: str  # word (unquoted name or keyword), name (quoted name), string, number, param, op
    value: str  # a word in lower case, a quoted name unquoted; otherwise the text itself
    start: int


def _end_of_quoted(sql: str, start: int, mark: str, backslashes: bool, close: str = "") -> int:
    """The index after the quote closing the literal or name opened at start."""
    close = close or mark
    i = start + 1
    while i < len(sql):
        if backslashes and sql[i] == "\\":
            i += 2
        elif sql[i] == close:
            if sql[i + 1 : i + 2] != close or close == "]":
                return i + 1
            i += 2  # a doubled quote stands for itself
        else:
            i += 1
    raise _refused(f"a {mark} quote is never closed")


def _unicode_name(body: str, escape: str) -> str:
    """A U&"..." name's text: \\XXXX and \\+XXXXXX are characters, \\\\ a backslash."""
    out, i = [], 0
    while i < len(body):
        if body[i] == escape:
            if body[i + 1 : i + 2] == escape:
                out.append(escape)
                i += 2
                continue
            found = _UNICODE_ESCAPE.match(body, i + 1)
            if found is None:
                raise _refused('a U&"..." name holds an escape the database would reject')
            out.append(chr(int(found.group(1) or found.group(2), 16)))
            i = found.end()
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _block_comment_end(sql: str, i: int, nested: bool) -> int:
    depth = 0
    while i < len(sql):
        if sql.startswith("/*", i) and (nested or depth == 0):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    raise _refused("a /* comment is never closed")


def tokens(sql: str, dialect: str = "postgresql") -> list[Token]:
    """The query split into tokens as the database splits it; comments dropped.

    PostgreSQL: block comments nest, E'...' takes backslash escapes, $tag$...$tag$ quotes,
    U&"..." names (with UESCAPE). SQLite: comments do not nest, no backslash escapes, and
    `name` and [name] are quoted names too.
    """
    pg = dialect != "sqlite"
    out: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        ch, pair = sql[i], sql[i : i + 2]
        if ch in " \t\n\r\f\v":  # the databases' only spaces: others are name characters
            i += 1
        elif pair == "--":
            end = sql.find("\n", i)
            i = n if end < 0 else end
        elif pair == "/*":
            i = _block_comment_end(sql, i, nested=pg)
        elif ch == "'":
            prefix = out[-1] if out and out[-1].start + len(out[-1].value) == i else None
            escapes = pg and prefix is not None and prefix.kind == "word" and prefix.value == "e"
            if (
                pg
                and prefix is not None
                and prefix.kind == "word"
                and prefix.value in ("e", "b", "x", "n")
            ):
                out.pop()  # E'...', B'...', X'...', N'...': one literal
            end = _end_of_quoted(sql, i, "'", escapes)
            out.append(Token("string", sql[i:end], i))
            i = end
        elif ch == '"' or (not pg and ch in "`["):
            end = _end_of_quoted(sql, i, ch, False, "]" if ch == "[" else ch)
            value = sql[i + 1 : end - 1].replace(ch * 2, ch) if ch != "[" else sql[i + 1 : end - 1]
            if (
                pg
                and len(out) >= 2
                and out[-1].value == "&"
                and out[-2].value == "u"
                and out[-1].start == i - 1
                and out[-2].start == i - 2
            ):
                del out[-2:]  # U&"...": a name written with Unicode escapes
                start, escape = i - 2, "\\"
                rest = re.compile(r"\s*uescape\s*'(.)'", re.I).match(sql, end)
                if rest:
                    escape, end = rest.group(1), rest.end()
                out.append(Token("name", _unicode_name(value, escape), start))
            else:
                out.append(Token("name", value if pg else value.lower(), i))
            i = end
        elif pg and ch == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
            end = sql.find(tag.group(), tag.end())
            if end < 0:
                raise _refused(f"a {tag.group()} quote is never closed")
            end += len(tag.group())
            out.append(Token("string", sql[i:end], i))
            i = end
        elif name_match := _NAME.match(sql, i):
            word = name_match.group()
            out.append(Token("word", word.lower(), i))
            i += len(word)
        elif number := _NUMBER.match(sql, i):
            out.append(Token("number", number.group(), i))
            i = number.end()
        elif (
            ch in "$:@?"
            and pair != "::"
            and (param := _PARAMETER.match(sql, i))
            and param.end() > i + 1
        ):
            out.append(Token("param", param.group(), i))
            i = param.end()
        else:
            width = 2 if pair == "::" else 1
            out.append(Token("op", sql[i : i + width], i))
            i += width
    return out


def _operand_end(token: Token | None) -> bool:
    """Whether an expression or table can end at this token (so LIKE, JOIN... may follow)."""
    if token is None:
        return False
    if token.kind == "word":
        return token.value not in _GRAMMAR
    return token.kind in ("name", "string", "number", "param") or token.value in (")", "]")


def _is_grammar(found: list[Token], i: int) -> bool:
    """Whether the unquoted word found[i], followed by "(", is grammar rather than a call."""
    word, prev = found[i].value, found[i - 1] if i else None
    if word in _GRAMMAR:
        return True
    if word in _AFTER_CLOSE:
        return prev is not None and prev.value == ")"
    if word in _AFTER_WORD:
        return prev is not None and prev.kind == "word" and prev.value in _AFTER_WORD[word]
    if word in _AFTER_OPERAND:
        if word == "join" and prev is not None and prev.value in _JOIN_KINDS:
            return True
        if prev is not None and prev.kind == "word" and prev.value == "not":
            prev = found[i - 2] if i >= 2 else None
        return _operand_end(prev)
    return False


def called_functions(found: list[Token]) -> list[tuple[str, ...]]:
    """Every function the tokens call, as (schema, ..., name) as written."""
    calls: list[tuple[str, ...]] = []
    depth = 0
    with_lists: set[int] = set()  # depths at which a WITH list of CTEs is open
    for i, token in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        prev = found[i - 1] if i else None
        if token.kind == "op" and token.value in "([":
            depth += 1
        elif token.kind == "op" and token.value in ")]":
            depth -= 1
            with_lists = {d for d in with_lists if d <= depth}
        elif token.kind == "word" and token.value == "with":
            with_lists.add(depth)
        elif token.kind == "word" and token.value in ("select", "values", "table"):
            with_lists.discard(depth)  # the main query after the CTEs
        if token.kind not in ("word", "name") or nxt is None or nxt.value != "(":
            continue
        qualified = prev is not None and prev.value == "." and prev.kind == "op"
        if not qualified:
            if token.kind == "word" and _is_grammar(found, i):
                continue
            if prev is not None and prev.kind in ("word", "op") and prev.value in ("as", "::"):
                continue  # AS alias(a, b), CAST(x AS varchar(20)), x::numeric(10, 2)
            if (
                depth in with_lists
                and prev is not None
                and prev.value in ("with", "recursive", ",")
            ):
                continue  # WITH n(x) AS (...): a CTE's column names
        name, j = [token.value], i
        while j >= 2 and found[j - 1].value == "." and found[j - 2].kind in ("word", "name"):
            name.insert(0, found[j - 2].value)
            j -= 2
        calls.append(tuple(name))
    return calls


def unqualified_calls(sql: str, dialect: str = "postgresql") -> set[str]:
    """The functions a (checked) query calls by bare name, which the search path resolves."""
    return {call[0] for call in called_functions(tokens(sql, dialect)) if len(call) == 1}


def _allowed(call: tuple[str, ...]) -> bool:
    *schema, name = call
    return name in PURE_FUNCTIONS and schema in ([], ["pg_catalog"])


def check_select(sql: str, dialect: str = "postgresql") -> str:
    """The query without a trailing ;, if it is one SELECT that writes nothing and calls only
    PURE_FUNCTIONS; else SourceProblem.

    dialect is the source's ("postgresql" or "sqlite"), so the query is split as it will read
    it. The read-only role and transaction the query then runs in are the second line.
    """
    found = tokens(sql or "", dialect)
    semicolon = next((k for k, t in enumerate(found) if t.kind == "op" and t.value == ";"), None)
    if semicolon is not None and semicolon + 1 < len(found):
        raise _refused("it holds more than one statement (a ; followed by more SQL)")
    body = found[:semicolon]
    skeleton = {"name": '""', "string": "''"}
    words = " ".join(skeleton.get(t.kind, t.value) for t in body)
    first = _FIRST_WORD.match(words)
    if first is None:
        raise _refused("it is empty")
    if first.group(1) not in ("select", "with"):
        raise _refused(f"it starts with {first.group(1).upper()}, not SELECT")
    if found_write := _WRITES.search(words):
        word = " ".join(found_write.group().upper().split())
        if word == "INTO":
            raise _refused("SELECT … INTO would create a table")
        if word == "LOCK" or word.startswith("FOR "):
            raise _refused(f"{word} would lock rows in the source")
        raise _refused(f"it contains {word}, which can change the source")
    for call in called_functions(body):
        if not _allowed(call):
            log.info("source query refused: it calls %s", ".".join(call))
            raise SourceProblem(_NOT_ALLOWED.format(name=".".join(call)), "not_select")
    end = found[semicolon].start if semicolon is not None else len(sql)
    return sql[:end].strip()
