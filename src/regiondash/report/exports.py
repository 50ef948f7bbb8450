"""Every table as a people-facing DataFrame and as XLSX or CSV: readable column names, real
dates, a Definitions sheet with the as-at date, and no text a spreadsheet would run as a formula
(regiondash.exports does the writing)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font

from regiondash import exports, metrics, risks, tables
from regiondash.definitions import TERMS
from regiondash.metrics import STATUS_LABELS
from regiondash.report.figures import busy_words
from regiondash.report.model import plain
from regiondash.style import name_case_series

TABLES = {
    "migrations": "Migrations",
    "overruns": "Overrunning migrations",
    "risks": "Risks",
    "go_lives": "Go-lives",
}
DESCRIPTIONS = {
    "migrations": "Every migration in scope, with its status, current phase and go-live date.",
    "overruns": "One row per overrunning migration and reason: each phase that overran or is "
    "overrunning, and a go live later than first planned.",
    "risks": "Migrations that break at least one of the guide's lessons learnt, with the computed "
    "RAG beside the tracker's own and the reasons.",
    "go_lives": "Each migration's go-live date (actual, else planned), oldest first, with any "
    "busy period it falls in. Cancelled migrations are left out.",
}
DEFINITIONS_SHEET = "Definitions"
MEANING_WIDTH = 100  # characters


def _go_live_table(overview: pd.DataFrame) -> pd.DataFrame:
    rows = overview[(overview["status"] != "cancelled") & overview["go_live_date"].notna()]
    rows = rows.sort_values(["go_live_date", "ods_code"], kind="stable")
    actual = rows["status"].isin(["live", "completed"])
    table = pd.DataFrame(
        {
            "Practice": name_case_series(rows["practice_name"]),
            "ODS code": rows["ods_code"],
            "Sub-ICB": rows["sub_icb_code"],
            "ICB": rows["icb_code"],
            "From": rows["source_system"],
            "To": rows["target_system"],
            "Status": rows["status"].map(STATUS_LABELS).fillna(rows["status"]),
            "Go-live date": rows["go_live_date"].dt.normalize(),
            "Actual or planned": actual.map({True: "Actual", False: "Planned"}),
            "First planned go live": rows["first_planned_go_live"].dt.normalize(),
            "Go live moved (days)": rows["go_live_moved_days"].astype("Int64"),
            "Busy period": rows["go_live_date"].map(busy_words),
        }
    )
    return table.reset_index(drop=True)


def export_table(
    name: str,
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    history: pd.DataFrame,
    as_at: dt.date,
) -> pd.DataFrame:
    """One of TABLES (migrations, overruns, risks, go_lives) for people: readable column names,
    dates as dates, computed as at the date from store.current_picture rows in scope."""
    if name not in TABLES:
        raise ValueError(f"table must be one of {', '.join(TABLES)}, not {name!r}")
    overview = metrics.migration_overview(migrations, phases, as_at, history)
    if name == "migrations":
        return tables.migration_table(overview)
    phase_table = metrics.phase_status(phases, as_at)
    if name == "overruns":
        return tables.overrun_table(metrics.overrun_rows(overview, phase_table))
    if name == "risks":
        return tables.risk_table(overview, *risks.assess(overview, phase_table, as_at))
    return _go_live_table(overview)


def definitions_frame(
    name: str,
    as_at: dt.date,
    definitions: list[tuple[str, str]] | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """The Definitions sheet: which table, as at when (a real date), where from, then each term."""
    rows: list[tuple[str, object]] = [
        ("Table", TABLES.get(name, name)),
        ("What it holds", DESCRIPTIONS.get(name, "")),
        ("Data as at", as_at),
    ]
    if source:
        rows.append(("Source", source))
    rows += [(term, plain(text)) for term, text in (definitions or TERMS)]
    return pd.DataFrame(rows, columns=["Term", "Meaning"])


def table_xlsx(
    frame: pd.DataFrame,
    name: str,
    as_at: dt.date,
    definitions: list[tuple[str, str]] | None = None,
    source: str | None = None,
) -> bytes:
    """The table as an .xlsx workbook: its own sheet, then a Definitions sheet with the as-at
    date and the definitions (definitions.TERMS unless given)."""
    sheet = TABLES.get(name, name)[:31]
    book_bytes = exports.xlsx_bytes(
        {sheet: frame, DEFINITIONS_SHEET: definitions_frame(name, as_at, definitions, source)}
    )
    # long definitions wrap in a wide column, so they read without widening it by hand
    book = openpyxl.load_workbook(io.BytesIO(book_bytes))
    notes = book[DEFINITIONS_SHEET]
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = MEANING_WIDTH
    for term, meaning in notes.iter_rows(min_row=2):
        term.font = Font(name="Calibri", size=11, bold=True)
        term.alignment = Alignment(vertical="top")
        meaning.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        # office suites do not grow a row to fit wrapped text on opening, so it is sized here
        lines = -(-len(str(meaning.value or "")) // (MEANING_WIDTH - 8))
        notes.row_dimensions[term.row].height = 15 * max(lines, 1)
    for each in book.worksheets:
        # printed, each sheet is one page wide in landscape, its header repeated on every page
        each.page_setup.orientation = "landscape"
        each.page_setup.paperSize = each.PAPERSIZE_A4
        each.sheet_properties.pageSetUpPr.fitToPage = True
        each.page_setup.fitToWidth = 1
        each.page_setup.fitToHeight = 0
        each.print_title_rows = "1:1"
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_csv(frame: pd.DataFrame) -> bytes:
    """The table as CSV (UTF-8 with a BOM, formula-like text neutralised)."""
    return exports.csv_bytes(frame)


def export_file_name(name: str, scope: str, as_at: dt.date, extension: str) -> str:
    """e.g. overruns-icb-qjk-2026-11-20.xlsx"""
    stem = "-".join(part for part in (name.replace("_", "-"), scope) if part)
    safe = "".join(c if c.isalnum() or c == "-" else "-" for c in stem.lower())
    return f"{'-'.join(p for p in safe.split('-') if p)}-{as_at.isoformat()}.{extension}"
