"""Cell grids: what a reader makes of a spreadsheet, a CSV or a database pull."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SheetGrid:
    """One sheet's cells; rows[i][0] is column A and row_numbers[i] the row the user sees."""

    name: str
    visible: bool
    rows: list[list[object]]
    row_numbers: list[int]
    # xlsx only, per row, None when the sheet has none: Excel row grouping (outline) level, and
    # the largest cell alignment indent. Project-plan exports mark their task hierarchy so.
    outline_levels: list[int] | None = None
    indents: list[int] | None = None
    # Cells whose text the reader cut to Limits.max_cell_chars: (row index, column index, the
    # text's length before the cut), so the warning can name the cell and say how long it was.
    cut_cells: list[tuple[int, int, int]] = field(default_factory=list)


@dataclass
class WorkbookGrid:
    """Every sheet of a workbook (or the one sheet of a CSV) as plain Python values."""

    file_kind: str  # "xlsx" | "xlsb" | "xls" | "ods" | "csv"
    sheets: list[SheetGrid]
    date1904: bool
    encoding: str | None  # csv: "utf-8", "utf-8-sig" or "cp1252"; None for workbooks
    reader: str  # "calamine", "openpyxl" or "csv"


def column_letters(index: int) -> str:
    """A 0-based column index as the spreadsheet's letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
