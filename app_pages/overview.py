"""Overview: the numbers a commissioner asks first."""

import streamlit as st

from regiondash import charts, metrics, spread, ui
from regiondash.ui import sections

ctx = ui.context()
st.title("GP system migrations — overview")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

numbers = metrics.headline(ctx.overview, ctx.as_at)
sections.headline_tiles(numbers)

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
table = sections.most_overrun_table(ctx.overview)
if table.empty:
    st.success("No migration in view is overrunning.", icon=":material/check_circle:")
else:
    ui.show_table(table)
    ui.download_table(table, "Most overrun migrations", "Download this table", key="most-overrun")
