"""What a database source is: its settings and its name (its error type and URL helpers are in
base, which the limited child that reads the source can import without pandas)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from regiondash.sources.base import SourceProblem, _safe_url, _table_parts, describe_url
from regiondash.uploading import tracker_name as _tracker_name

log = logging.getLogger(__name__)


SOURCES_FILE_ENV = "REGIONDASH_SOURCES_FILE"
DEFAULT_SOURCES_FILE = Path("regiondash-sources.toml")


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
        url = _safe_url(spec.url)
        database = url.database if url is not None else None
        label = f"{Path(database).stem} query" if database else "query"
    return re.sub(r"[\\/\x00-\x1f]+", " ", label).strip() or "source"


def tracker_of(source: SourceSpec | str) -> str:
    """The tracker name uploads from this source are stored under."""
    label = source if isinstance(source, str) else source_label(source)
    return _tracker_name(f"{label}.csv")
