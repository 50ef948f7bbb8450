"""Overview: the numbers a commissioner asks first."""

import streamlit as st

from regiondash import charts, metrics, spread, tables, ui
from regiondash.statuses import (
    CANCELLED,
    IN_PROGRESS,
    LIVE,
    ON_HOLD,
    PLANNED,
    STATUS_LABELS,
    STATUSES,
)

ctx = ui.context()
st.title("GP system migrations — overview")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

numbers = metrics.headline(ctx.overview, ctx.as_at)
STATUS_HELP = {
    PLANNED: "Not started yet.",
    IN_PROGRESS: "Started, not yet live.",
    LIVE: "Gone live on the new system (post go live support included).",
    ON_HOLD: "Paused on the tracker.",
    CANCELLED: "Cancelled on the tracker; left out of overrunning and go-live counts.",
}
cols = st.columns(len(STATUSES) + 1)
cols[0].metric(
    "Migrations in scope",
    f"{numbers['in_scope']:,}",
    help="Every migration in the filters, whatever its status: the five status "
    "tiles add up to this.",
)
for col, status in zip(cols[1:], STATUSES, strict=True):
    col.metric(STATUS_LABELS[status], f"{numbers[status]:,}", help=STATUS_HELP[status])
cols = st.columns(4)
cols[0].metric(
    "Overrunning",
    f"{numbers['overrunning']:,} ({numbers['overrunning_share']:.0%})",
    help="A migration with at least one phase that overran or is overrunning its plan, or whose "
    "go live is later than its first recorded planned go live. Share of migrations not cancelled.",
)
cols[1].metric("Go-lives in the next 30 days", numbers["go_lives_next_30"])
cols[2].metric("Go-lives in the next 90 days", numbers["go_lives_next_90"])
with cols[3]:
    ui.definitions_link("How each number is defined")

left, right = st.columns([1, 1])
with left:
    title = "Migrations in each phase now"
    fig = ctx.memo(
        "phase-counts",
        lambda: charts.phase_counts(ctx.overview["current_phase"].dropna(), ctx.as_at, title),
    )
    counts = ctx.overview["current_phase"].dropna().map(charts.phase_label).value_counts()
    phase_data = counts.rename_axis("phase").reset_index(name="migrations")
    ui.show_chart(fig, phase_data, "migrations-by-phase", key="phase-counts")
with right:
    # the chart and its CSV are the same frame
    months = ctx.memo("go-live-months", lambda: spread.go_live_counts(ctx.overview, "month"))
    fig = ctx.memo(
        "go-lives-by-month",
        lambda: charts.go_live_spread_chart(months, ctx.as_at, "month", title="Go-lives by month"),
    )
    ui.show_chart(fig, months, "go-lives-by-month", key="go-live-month")

st.subheader("Most overrun migrations")
late = metrics.most_overrun(ctx.overview, 10)
if late.empty:
    st.success("No migration in view is overrunning.", icon=":material/check_circle:")
else:
    columns = [
        "practice_name",
        "ods_code",
        "sub_icb_code",
        "target_system",
        "status",
        "current_phase",
        "days_late",
        "go_live_date",
    ]
    table = tables.migration_table(late, columns)
    ui.show_table(table)
    ui.download_table(table, "Most overrun migrations", "Download this table", key="most-overrun")
