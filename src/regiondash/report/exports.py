"""Old home of the export tables, kept importable only until its importers move: the tables and
their Definitions sheet are in regiondash.tables, file writing and names in regiondash.exports.

Still imported from here by cli_reports.py, ui.py, tests/app/test_pages.py and
tests/report/test_cli_reports.py; delete this module when they import from those two."""

from regiondash.exports import MEANING_WIDTH, export_file_name
from regiondash.tables import (
    DEFINITIONS_SHEET,
    DESCRIPTIONS,
    TABLES,
    definitions_frame,
    export_table,
    table_csv,
    table_xlsx,
)

__all__ = [
    "DEFINITIONS_SHEET",
    "DESCRIPTIONS",
    "MEANING_WIDTH",
    "TABLES",
    "definitions_frame",
    "export_file_name",
    "export_table",
    "table_csv",
    "table_xlsx",
]
