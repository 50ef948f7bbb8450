"""Parts of pages that take more than a call to draw: the Risks page's tiles, notes and rules,
the comparison of two uploads, one migration in detail, the go-live capacity what-if, and the
Overview's status tiles."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regiondash import changes, forecast, metrics, risks, store, tables, upload_view
from regiondash.fields import SYSTEMS
from regiondash.statuses import (
    CANCELLED,
    IN_PROGRESS,
    LIVE,
    ON_HOLD,
    PLANNED,
    STATUS_LABELS,
    STATUSES,
)
from regiondash.text import for_markdown
from regiondash.ui.data import Context, go_live_history, risk_flags
from regiondash.ui.widgets import definitions_link, show_table


def fitted_height(rows: int, most: int) -> int:
    """A table's height in pixels: its rows (at least one), up to `most`."""
    return min(most, 38 + 35 * max(rows, 1))


# Overview -----------------------------------------------------------------------------------

STATUS_HELP = {
    PLANNED: "Not started yet.",
    IN_PROGRESS: "Started, not yet live.",
    LIVE: "Gone live on the new system (post go live support included).",
    ON_HOLD: "Paused on the tracker.",
    CANCELLED: "Cancelled on the tracker; left out of overrunning and go-live counts.",
}


def headline_tiles(numbers: dict) -> None:
    """The Overview's tiles: in scope and each status, then overruns and go-lives to come."""
    cols = st.columns(len(STATUSES) + 1)
    cols[0].metric(
        "Migrations in scope",
        f"{numbers['in_scope']:,}",
        help="Every migration in the filters, whatever its status: the five status "
        "tiles add up to this.",
    )
    for col, status in zip(cols[1:], STATUSES, strict=True):
        col.metric(STATUS_LABELS[status], f"{numbers[status]:,}", help=STATUS_HELP[status])
    lower = st.columns(4)
    lower[0].metric(
        "Overrunning",
        f"{numbers['overrunning']:,} ({numbers['overrunning_share']:.0%})",
        help="A migration with at least one phase that overran or is overrunning its plan, or "
        "whose go live is later than its first recorded planned go live. Share of migrations "
        "not cancelled.",
    )
    lower[1].metric("Go-lives in the next 30 days", numbers["go_lives_next_30"])
    lower[2].metric("Go-lives in the next 90 days", numbers["go_lives_next_90"])
    with lower[3]:
        definitions_link("How each number is defined")


MOST_OVERRUN_COLUMNS = [
    "practice_name",
    "ods_code",
    "sub_icb_code",
    "target_system",
    "status",
    "current_phase",
    "days_late",
    "go_live_date",
]


def most_overrun_table(overview: pd.DataFrame) -> pd.DataFrame:
    """The ten most overrun migrations in view, as the Overview lists them."""
    return tables.migration_table(metrics.most_overrun(overview, 10), MOST_OVERRUN_COLUMNS)


# Risks --------------------------------------------------------------------------------------


def _many(n: int, one: str, more: str) -> str:
    return f"{n:,} {one if n == 1 else more}"


def rag_tiles(computed: pd.Series, differs: pd.Series) -> None:
    """The computed RAG's counts, the trackers' RAGs that differ, and what is rated."""
    rag = risks.rag_counts(computed)
    done = int((computed == risks.DONE).sum())
    cancelled = int((computed == risks.CANCELLED_RAG).sum())
    cols = st.columns(4)
    cols[0].metric("Red", rag["red"], help="An open migration where at least one red rule fires.")
    cols[1].metric("Amber", rag["amber"], help="An open migration where only amber rules fire.")
    cols[2].metric(
        "Green", rag["green"], help="An open migration where no red or amber rule fires."
    )
    differ_help = "The tracker gives a RAG for an open migration and it is not the computed one."
    cols[3].metric("Tracker RAG differs", int(differs.sum()), help=differ_help)
    st.caption(
        f"The computed RAG rates the "
        f"{_many(sum(rag.values()), 'open migration', 'open migrations')} "
        f"(planned, in progress or on hold); {_many(done, 'live one shows', 'live ones show')} "
        f"*Done* and {_many(cancelled, 'cancelled one', 'cancelled ones')} *Cancelled*. "
        "Forward-looking rules check open migrations only; rules that look back check live ones "
        "too. Go-lives in busy periods are notes: they never change the RAG."
    )


def not_assessed_note(rules: pd.DataFrame) -> None:
    """Which rules could not be checked for some migrations, and why."""
    missing = rules[rules["not_assessed"] > 0]
    if missing.empty:
        return
    st.info(
        "**Not assessed** — "
        + "; ".join(
            f"{row.rule}: {row.not_assessed:,} migrations ({row.why_not_assessed})"
            for row in missing.itertuples()
        )
        + ". These rules do not fire for those migrations.",
        icon=":material/help:",
    )


def table_section(title: str, rows: pd.DataFrame, caption: str, empty: str, drop: list[str]):
    """A titled table of some rows, or the words saying there are none."""
    st.subheader(title)
    st.caption(caption)
    if rows.empty:
        st.markdown(empty)
        return
    show_table(rows.drop(columns=drop), height=fitted_height(len(rows), 420))


RISK_SECTIONS = [
    (
        "Open migrations at risk",
        "Red first, then by the number of red rules, then amber ones. Computed RAG is always "
        "written in words; '≠ differs' marks a tracker whose own RAG disagrees with the computed "
        "one.",
        "No open migration breaks a red or amber rule.",
        [],
    ),
    (
        "Notes: go-lives in busy periods",
        "The guide advises avoiding go-live in flu season, at QOF year end and in holiday "
        "periods. Worth planning around; a note never changes the RAG.",
        "No open migration goes live in a busy period.",
        ["Tracker RAG", "Differs", "Risks", "Why"],
    ),
    (
        "Looking back: live migrations",
        "Rules that look back (phases over the guide, over 16 weeks, tracking record not "
        "updated) still count for migrations that have gone live. They are not rated.",
        "No live migration breaks a rule that looks back.",
        ["Tracker RAG", "Differs", "Notes"],
    ),
]


def risk_sections(table: pd.DataFrame) -> None:
    """The open migrations at risk, the busy-period notes and the live ones looking back."""
    is_open = table["Computed RAG"].isin(["Red", "Amber", "Green"])
    picks = [
        is_open & table["Computed RAG"].isin(["Red", "Amber"]),
        is_open & (table["Notes"] != ""),
        table["Computed RAG"] == risks.DONE,
    ]
    for (title, caption, empty, drop), pick in zip(RISK_SECTIONS, picks, strict=True):
        table_section(title, table[pick], caption, empty, drop)


RULE_HEADINGS = {
    "rule": "Rule",
    "counts_as": "Counts as",
    "kind": "Kind",
    "flagged": "Flagged",
    "not_assessed": "Not assessed",
    "why_not_assessed": "Why not assessed",
}


def rule_explanations(rules: pd.DataFrame) -> None:
    """The rules: a table of what each flagged, then each one explained."""
    st.subheader("The rules")
    show_table(rules.rename(columns=RULE_HEADINGS).reset_index(drop=True))
    for key, rule in risks.RULES.items():
        row = rules.loc[key]
        with st.expander(f"{rule.title} — `{key}` — counts as {row['counts_as']}, {rule.kind}"):
            st.markdown(rule.explanation)
            if row["not_assessed"]:
                st.markdown(
                    f"**Not assessed** for {row['not_assessed']:,} migrations: "
                    f"{row['why_not_assessed']}."
                )


# Slippage and changes -----------------------------------------------------------------------

CHANGE_TITLES = {
    "added": "Migrations added",
    "removed": "Migrations removed (absent from the later upload of the same tracker)",
    "go_live_moved": "Go live moved",
    "phases_completed": "Phases completed",
    "status_changed": "Status changed",
}


def compare_two_uploads(ctx: Context) -> None:
    """Pick two uploads (two of one tracker to begin with) and list what changed between them."""
    uploads = ctx.uploads
    pair = upload_view.comparison_pair(uploads)
    if pair is None:
        st.info("No tracker has two uploads yet: changes appear once a tracker is uploaded again.")
        return
    label = upload_view.upload_label(uploads)
    ids = uploads["upload_id"].tolist()
    left, right = st.columns(2)
    before_id = left.selectbox("From upload", ids, index=ids.index(pair[0]), format_func=label)
    after_id = right.selectbox("To upload", ids, index=ids.index(pair[1]), format_func=label)
    before = uploads.set_index("upload_id").loc[before_id]
    after = uploads.set_index("upload_id").loc[after_id]
    if before["tracker"] != after["tracker"]:
        st.caption("These uploads are of different trackers, so nothing is counted as removed.")

    def compared() -> dict[str, list]:
        # Of two uploads of one tracker, only the migrations whose rows or dates differ.
        before_rows, after_rows = store.rows_to_compare(ctx.engine, before_id, after_id)
        return changes.compare_uploads(
            *before_rows,
            pd.Timestamp(before["as_at"]).date(),
            *after_rows,
            pd.Timestamp(after["as_at"]).date(),
            same_tracker=before["tracker"] == after["tracker"],
        )

    result = ctx.memo("compare", compared, before_id, after_id)
    frames = ctx.memo("change-tables", lambda: tables.change_tables(result), before_id, after_id)
    for kind, frame in frames.items():
        with st.expander(f"{CHANGE_TITLES[kind]}: {len(frame)}", expanded=kind == "go_live_moved"):
            if frame.empty:
                st.caption("None.")
            else:
                show_table(frame)


# Timeline -----------------------------------------------------------------------------------


def _known(value, fallback: str) -> str:
    """A tracker's value, or the fallback words where it is empty or missing (NA included)."""
    return fallback if pd.isna(value) or not str(value).strip() else str(value)


def forecast_of(ctx: Context) -> pd.DataFrame:
    """The forecast go live of the migrations in view (forecast.forecast_go_live), kept."""
    return ctx.memo(
        "forecast", lambda: forecast.forecast_go_live(ctx.overview, ctx.phases, ctx.as_at_date)
    )


def migration_detail(ctx: Context, row: pd.Series, label: str) -> None:
    """One migration: its systems and go live, phases, risk flags, forecast and go live across
    uploads."""
    picked = row["migration_id"]
    # names, systems and codes come from the tracker: shown as typed, never as markdown
    name = for_markdown(label)
    if row["go_live_date"] == row["go_live_date"]:
        source = for_markdown(_known(row["source_system"], "unknown"))
        target = for_markdown(_known(row["target_system"], "unknown"))
        sub_icb = for_markdown(_known(row["sub_icb_code"], "sub-ICB unknown"))
        go_live = f"{row['go_live_date']:%-d %b %Y}"
        st.markdown(f"**{name}** — {source} → {target}, {sub_icb}. Go live {go_live}.")
    else:
        st.markdown(f"**{name}** — no go-live date recorded.")
    show_table(tables.phase_detail(ctx.phases[ctx.phases["migration_id"] == picked]))
    flags, computed, _ = ctx.memo("risk-flags", lambda: risk_flags(ctx))
    raised = [risks.RULES[k].title for k in flags.columns if flags.loc[picked, k]]
    if raised:
        st.markdown(
            f"**Risk flags** (computed RAG {computed.loc[picked]}): " + "; ".join(raised) + "."
        )
    else:
        st.markdown("**Risk flags**: none.")
    outlook = forecast_of(ctx)
    if picked in outlook.index and pd.notna(outlook.loc[picked, "forecast_median"]):
        f = outlook.loc[picked]
        verdict = " — **plan looks optimistic**" if f["optimistic"] else ""
        st.markdown(
            f"**Forecast go live** {f['forecast_median']:%-d %b %Y} (80% range "
            f"{f['forecast_low']:%-d %b} – {f['forecast_high']:%-d %b %Y}; "
            f"{for_markdown(f['basis'])}){verdict}."
        )
    st.markdown("**Go live across uploads**")
    history = go_live_history(ctx.url, ctx.version, ctx.as_at)
    show_table(tables.go_live_across_uploads(history, picked))


# Go-live spread -----------------------------------------------------------------------------


def capacity_what_if(rule_capacity: int) -> dict[str, int]:
    """Each target system's weekly capacity for this page (0: no limit, left out), with a note
    when it is not the rule's."""
    with st.expander("Try another weekly capacity", icon=":material/speed:"):
        st.caption(
            f"A what-if for this page only: the Risks page keeps {rule_capacity} a week. "
            "0 means no limit."
        )
        cols = st.columns(len(SYSTEMS))
        capacity = {
            system: cols[i].number_input(system, 0, 100, rule_capacity, key=f"capacity-{system}")
            for i, system in enumerate(SYSTEMS)
        }
    capacity = {k: v for k, v in capacity.items() if v}
    changed = {k: v for k, v in capacity.items() if v != rule_capacity}
    if changed or len(capacity) < len(SYSTEMS):
        st.info(
            f"Capacity changed on this page from the rule's {rule_capacity} a week: the flags "
            "below are a what-if.",
            icon=":material/tune:",
        )
    return capacity


WEEK_HEADINGS = {
    "week_start": "Week starting",
    "target_system": "Target system",
    "go_lives": "Go-lives",
    "capacity": "Capacity",
}


def over_capacity(flagged: pd.DataFrame) -> None:
    """The weeks over capacity, or the words saying there are none."""
    if flagged.empty:
        st.success(
            "No week goes over the capacity set for its target system.",
            icon=":material/check_circle:",
        )
        return
    st.warning(f"{len(flagged)} week(s) over capacity.", icon=":material/warning:")
    weeks = flagged.assign(week_start=flagged["week_start"].dt.date).rename(columns=WEEK_HEADINGS)
    st.dataframe(weeks, hide_index=True)
