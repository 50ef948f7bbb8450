"""Helpers that build in-memory sheets, so column and row rules are tested without files."""

import pytest

from regiondash.ingest.worker import SheetGrid, WorkbookGrid
from regiondash.reference import load_reference


def sheet(rows, name="Tracker", first_row=1, visible=True):
    """A SheetGrid whose first row is Excel row first_row."""
    return SheetGrid(
        name=name,
        visible=visible,
        rows=[list(r) for r in rows],
        row_numbers=list(range(first_row, first_row + len(rows))),
    )


def workbook(*sheets, date1904=False):
    """A WorkbookGrid of the given sheets."""
    return WorkbookGrid(
        file_kind="xlsx", sheets=list(sheets), date1904=date1904, encoding=None, reader="test"
    )


@pytest.fixture(scope="session")
def reference():
    """The bundled NHS England practice mapping."""
    return load_reference()
