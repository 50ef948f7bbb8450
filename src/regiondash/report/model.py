"""The board pack as plain data: slides with a title, key figures, bullets, a table and an image.
The PowerPoint and PDF writers draw the same pack, so the two never disagree."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

MAX_TABLE_ROWS = 13  # more rows than this do not fit a slide at a readable size


@dataclass(frozen=True)
class KeyFigure:
    """One headline number shown large, with what it counts underneath."""

    value: str
    label: str


@dataclass(frozen=True)
class SlideImage:
    """A chart drawn as PNG, with the alt text a screen reader says instead."""

    png: bytes
    alt_text: str
    width_px: int
    height_px: int


@dataclass
class Slide:
    """One slide (and one PDF page): any of key figures, a table, an image and bullets."""

    title: str
    kind: str = "content"  # "title" | "content" | "appendix"
    note: str = ""  # one line under the title: what the slide shows, or how to read it
    numbers: list[KeyFigure] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    column_widths: tuple[float, ...] | None = None  # relative widths of the table's columns
    image: SlideImage | None = None

    def __post_init__(self) -> None:
        if self.table is not None and len(self.table) > MAX_TABLE_ROWS:
            raise ValueError(f"{self.title}: {len(self.table)} rows do not fit one slide")
        widths, table = self.column_widths, self.table
        if widths is not None and table is not None and len(widths) != len(table.columns):
            raise ValueError(f"{self.title}: one width per column, please")


@dataclass
class BoardPack:
    """The whole pack: what it covers, as at when, where the data came from, and its slides."""

    title: str
    scope_label: str
    as_at: dt.date
    source_line: str
    slides: list[Slide]

    @property
    def file_stem(self) -> str:
        """A file name without extension: board-pack-<scope>-<as-at>."""
        scope = re.sub(r"[^a-z0-9]+", "-", self.scope_label.lower()).strip("-")[:40]
        return f"board-pack-{scope}-{self.as_at.isoformat()}".replace("--", "-")


def cell_text(value: object) -> str:
    """A table cell as people read it: dates as 20 Nov 2026, missing as blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return f"{value.day} {value:%b %Y}"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def table_rows(frame: pd.DataFrame) -> list[list[str]]:
    """The table's header and rows as text, ready to draw."""
    header = [str(c) for c in frame.columns]
    rows = [[cell_text(v) for v in record] for record in frame.itertuples(index=False)]
    return [header, *rows]


_NUMBER = re.compile(r"^[+\-−]?[\d,]+(\.\d+)?%?$")


def numeric_columns(rows: list[list[str]]) -> set[int]:
    """The columns (by position) whose every filled body cell is a number: drawn right-aligned,
    so units line up under units."""
    body = rows[1:]
    return {
        index
        for index in range(len(rows[0]))
        if any(row[index] for row in body)
        and all(_NUMBER.match(row[index]) for row in body if row[index])
    }
