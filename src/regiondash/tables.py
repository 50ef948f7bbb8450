"""Readable tables for pages and downloads: canonical columns renamed and formatted for people,
and each export table with its Definitions sheet (regiondash.exports writes the files)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from regiondash import exports, metrics, risks
from regiondash.calendar import busy_kinds_on
from regiondash.charts import phase_label
from regiondash.definitions import TERMS
from regiondash.metrics import STATUS_LABELS, overrunning_counts
from regiondash.phases import MILESTONES as MILESTONE_NAMES
from regiondash.scope import option_labels
from regiondash.style import name_case_series

MIGRATION_TABLE_COLUMNS = {
    "practice_name": "Practice",
    "ods_code": "ODS code",
    "sub_icb_code": "Sub-ICB",
    "icb_code": "ICB",
    "source_system": "From",
    "target_system": "To",
    "status": "Status",
    "current_phase": "Current phase",
    "go_live_date": "Go-live date",
    "first_planned_go_live": "First planned go live",
    "go_live_moved_days": "Go live moved (days)",
    "days_overrun": "Days over plan",
    "days_late": "Days late",
    "phases_overrun": "Phases overrun",
    "reported_rag": "Tracker RAG",
    "csu": "CSU",
}


def migration_table(overview: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Migrations as a people-facing table (names, labels, dates without times)."""
    chosen = columns or list(MIGRATION_TABLE_COLUMNS)
    table = overview[chosen].copy()
    if "status" in table:
        table["status"] = table["status"].map(STATUS_LABELS).fillna(table["status"])
    if "current_phase" in table:
        table["current_phase"] = table["current_phase"].map(phase_label, na_action="ignore")
    if "practice_name" in table:
        table["practice_name"] = name_case_series(table["practice_name"])
    for column in ("go_live_date", "first_planned_go_live"):
        if column in table:
            table[column] = table[column].dt.normalize()
    return table.rename(columns=MIGRATION_TABLE_COLUMNS).reset_index(drop=True)


def counts_frame(counts: dict[str, int], key: str, value: str) -> pd.DataFrame:
    """A {label: count} dict as a two-column table."""
    return pd.DataFrame({key: list(counts), value: list(counts.values())})


def phase_detail(phase_table: pd.DataFrame) -> pd.DataFrame:
    """One migration's phases: planned and actual dates, days, variance and over the guide."""
    rows = phase_table.sort_values("phase_order")
    detail = pd.DataFrame(
        {
            "Phase": rows["phase"].map(phase_label),
            "Planned start": rows["planned_start"],
            "Planned end": rows["planned_end"],
            "Actual start": rows["actual_start"],
            "Actual end": rows["actual_end"],
            "Planned days": rows["planned_days"].astype("Int64"),
            "Actual days": rows["actual_days"].astype("Int64"),
            "Variance (days)": rows["variance_days"].astype("Int64"),
            "Overrun": rows["overrun"].map({True: "Yes", False: ""}),
            "Over the guide": rows["over_guide"].map({True: "Yes", False: ""}),
            "Guide's maximum (days)": rows["guide_max_days"],
        }
    )
    return detail.reset_index(drop=True)


def go_live_across_uploads(history: pd.DataFrame, migration_id: str) -> pd.DataFrame:
    """One migration's planned and actual go live as its uploads recorded them: a row for each
    upload that changed them, with how many uploads held those dates."""
    rows = history[history["migration_id"] == migration_id].sort_values(["as_at", "upload_id"])
    table = pd.DataFrame(
        {
            "Upload": rows["upload_id"],
            "Upload as at": rows["as_at"],
            "Planned go live": rows["planned_start"],
            "Actual go live": rows["actual_start"],
            "Uploads holding it": rows["uploads"],
        }
    )
    moved = rows["planned_start"].diff().dt.days
    table["Moved (days)"] = moved.astype("Int64").where(moved != 0)
    return table.reset_index(drop=True)


OVERRUN_REASONS = {
    "overran": "Finished late",
    "overrunning": "Past its planned end",
    "go live moved": "Go live moved",
}


def overrun_table(rows: pd.DataFrame) -> pd.DataFrame:
    """metrics.overrun_rows for people: names, labels, reasons in words, dates without times."""
    table = pd.DataFrame(
        {
            "Practice": name_case_series(rows["practice_name"]),
            "ODS code": rows["ods_code"],
            "Sub-ICB": rows["sub_icb_code"],
            "To": rows["target_system"],
            "Status": rows["status"].map(STATUS_LABELS),
            "Phase": rows["phase"].map(phase_label, na_action="ignore"),
            "What happened": rows["reason"].map(OVERRUN_REASONS),
            "Planned (first plan for go live)": pd.to_datetime(rows["planned_end"]),
            "Actual (or current plan)": pd.to_datetime(rows["actual_end"]),
            "Days over": rows["days_over"].astype("Int64"),
        }
    )
    return table.reset_index(drop=True)


def labelled_counts(frame: pd.DataFrame, column: str, everyone: pd.DataFrame) -> pd.Series:
    """Migrations counted by an organisation column, indexed by 'QVV – Dorset' style labels."""
    counts = frame[column].astype("string").fillna("unknown").value_counts()
    names = option_labels(everyone, column.removesuffix("_code"))
    return counts.rename(index=lambda code: names.get(code, code))


def labelled_overrun_counts(
    overview: pd.DataFrame, phase_table: pd.DataFrame, column: str, everyone: pd.DataFrame
) -> pd.Series:
    """Overrunning migrations counted by a column, indexed by readable labels (phase names,
    'QVV – Dorset' for organisations); `everyone` supplies the organisation names."""
    counts = overrunning_counts(overview, phase_table, column)
    if column == "phase":
        return counts.rename(index=phase_label)
    if column in ("sub_icb_code", "icb_code"):
        names = option_labels(everyone, column.removesuffix("_code"))
        return counts.rename(index=lambda code: names.get(code, code))
    return counts


# Computed RAG in the order people act on it: open migrations first, worst first.
_RAG_ORDER = {"Red": 0, "Amber": 1, "Green": 2, risks.DONE: 3, risks.CANCELLED_RAG: 4}


def risk_table(
    overview: pd.DataFrame,
    flags: pd.DataFrame,
    computed: pd.Series,
    differs: pd.Series,
    config: risks.RiskConfig = risks.DEFAULT_CONFIG,
) -> pd.DataFrame:
    """Flagged migrations for people: who, go live, computed and tracker RAG, and why. Open
    migrations first (Red, Amber, then Green ones with notes only), each ranked by its red rules,
    then its amber ones; then live migrations ("Done") flagged by rules that look back. "Risks"
    counts red and amber rules, "Why" names them and "Notes" names the notes apart."""
    flagged = flags.any(axis=1)
    ids = flagged[flagged].index
    rows = overview.set_index("migration_id").loc[ids]
    chosen = flags.loc[ids]

    def present(level: str) -> list[str]:
        return [k for k in config.keys_at(level) if k in chosen.columns]

    red, amber = chosen[present("red")].sum(axis=1), chosen[present("amber")].sum(axis=1)
    table = pd.DataFrame(
        {
            "Practice": name_case_series(rows["practice_name"]),
            "ODS code": rows["ods_code"],
            "Sub-ICB": rows["sub_icb_code"],
            "To": rows["target_system"],
            "Go-live date": rows["go_live_date"],
            "Computed RAG": computed.loc[ids],
            "Tracker RAG": rows["reported_rag"].fillna(""),
            "Differs": differs.loc[ids].map({True: "≠ differs", False: ""}),
            "Risks": (red + amber).astype(int),
            "Why": risks.reasons(chosen, present("red") + present("amber")),
            "Notes": risks.reasons(chosen, present("note")),
        }
    )
    ranked = table.assign(
        _order=table["Computed RAG"].map(_RAG_ORDER).fillna(len(_RAG_ORDER)),
        _red=red.astype(int),
        _amber=amber.astype(int),
    ).sort_values(["_order", "_red", "_amber", "ODS code"], ascending=[True, False, False, True])
    return ranked.drop(columns=["_order", "_red", "_amber"]).reset_index(drop=True)


def slippage_table(slippage: pd.DataFrame, overview: pd.DataFrame) -> pd.DataFrame:
    """Go live across uploads for people: first and latest plan, moves and days moved."""
    names = overview.set_index("migration_id")
    rows = slippage[slippage["migration_id"].isin(names.index)]
    info = names.loc[rows["migration_id"]]
    return pd.DataFrame(
        {
            "Practice": name_case_series(info["practice_name"]).to_numpy(),
            "ODS code": info["ods_code"].to_numpy(),
            "To": info["target_system"].to_numpy(),
            "Uploads": rows["uploads"].to_numpy(),
            "First planned go live": rows["first_planned"].to_numpy(),
            "Latest planned go live": rows["latest_planned"].to_numpy(),
            "Moves": rows["moves"].to_numpy(),
            "Days moved": rows["days_moved"].to_numpy(),
            "Actual go live": rows["actual"].to_numpy(),
        }
    )


def forecast_table(forecast: pd.DataFrame, overview: pd.DataFrame) -> pd.DataFrame:
    """Forecast go-lives for people, plans that look optimistic first."""
    info = overview.set_index("migration_id").loc[forecast.index]
    table = pd.DataFrame(
        {
            "Practice": name_case_series(info["practice_name"]),
            "ODS code": info["ods_code"],
            "From → to": info["source_system"].fillna("?") + " → " + info["target_system"],
            "Now at": forecast["anchor"].map(lambda k: MILESTONE_NAMES.get(k, k)),
            "Planned go live": forecast["planned_go_live"],
            "Forecast (median)": forecast["forecast_median"],
            "80% range from": forecast["forecast_low"],
            "80% range to": forecast["forecast_high"],
            "Plan": forecast["optimistic"].map({True: "⚠ plan looks optimistic", False: ""}),
            "Days behind": forecast["days_behind"],
            "Based on": forecast["basis"],
        }
    )
    return table.sort_values(["Plan", "Days behind"], ascending=[False, False]).reset_index(
        drop=True
    )


def change_tables(result: dict[str, list]) -> dict[str, pd.DataFrame]:
    """compare_uploads' lists as tables with people's column names."""
    names = {
        "ods_code": "ODS code",
        "practice_name": "Practice",
        "from": "From",
        "to": "To",
        "days": "Days moved",
        "phase": "Phase",
        "date": "Completed on",
        "left_on": "Left on",
    }
    tables = {}
    for kind, items in result.items():
        frame = pd.DataFrame(items).drop(columns=["migration_id"], errors="ignore")
        if "phase" in frame:
            frame["phase"] = frame["phase"].map(phase_label)
        for column in ("from", "to", "date", "left_on"):
            # ISO dates in the JSON; real dates in the table, shown dd/mm/yyyy like every other
            if column in frame and kind != "status_changed":
                frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
        if kind == "status_changed" and not frame.empty:
            frame = frame.assign(**{c: frame[c].map(STATUS_LABELS) for c in ("from", "to")})
        tables[kind] = frame.rename(columns=names)
    return tables


def left_table(left: pd.DataFrame) -> pd.DataFrame:
    """Migrations that left the picture, for people: practice, tracker, when last seen and left."""
    return pd.DataFrame(
        {
            "Practice": left["practice_name"],
            "ODS code": left["ods_code"],
            "Sub-ICB": left["sub_icb_code"],
            "From": left["source_system"],
            "To": left["target_system"],
            "Tracker": left["tracker"],
            "Last in the upload as at": left["last_seen"],
            "Left the picture on": left["left_on"],
        }
    ).reset_index(drop=True)


# The tables a person can download for a scope as at a date (the CLI's `export`, the pages).
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
BUSY_WORDS = {
    "flu_season": "flu season",
    "qof_year_end": "QOF year end",
    "christmas": "Christmas",
    "summer": "summer holidays",
    "bank_holiday": "bank holiday",
}


def busy_kinds(day: pd.Timestamp) -> list[str]:
    """The kinds of busy period a go-live day falls in (none on a quiet day or no date)."""
    return [] if pd.isna(day) else busy_kinds_on(pd.Timestamp(day).date())


def busy_words(day: pd.Timestamp, leave_out: frozenset[str] = frozenset()) -> str:
    """The busy periods a go-live day falls in, in words ('' on a quiet day)."""
    return ", ".join(BUSY_WORDS[k] for k in busy_kinds(day) if k not in leave_out)


def plain(text: str) -> str:
    """Markdown emphasis and code marks removed: a sheet or slide shows the words, not the
    asterisks."""
    return re.sub(r"\*{1,2}([^*]+)\*{1,2}", r"\1", text).replace("`", "")


def go_live_table(overview: pd.DataFrame) -> pd.DataFrame:
    """Go-live dates (actual, else planned) oldest first, cancelled left out, with busy periods."""
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
        return migration_table(overview)
    phase_table = metrics.phase_status(phases, as_at)
    if name == "overruns":
        return overrun_table(metrics.overrun_rows(overview, phase_table))
    if name == "risks":
        return risk_table(overview, *risks.assess(overview, phase_table, as_at))
    return go_live_table(overview)


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
    date and the definitions (definitions.TERMS unless given), each sheet printable, and cells
    of empty text (e.g. no busy period) left blank."""
    sheets = {
        TABLES.get(name, name)[:31]: frame,
        DEFINITIONS_SHEET: definitions_frame(name, as_at, definitions, source),
    }
    return exports.xlsx_bytes(sheets, notes=DEFINITIONS_SHEET, printable=True, blank_empty=True)


def table_csv(frame: pd.DataFrame) -> bytes:
    """The table as CSV (UTF-8 with a BOM, formula-like text neutralised)."""
    return exports.csv_bytes(frame)
