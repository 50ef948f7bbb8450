"""Overview: the numbers a commissioner asks first."""

import streamlit as st

from regiondash import charts, metrics, tables, ui

ctx = ui.context()
st.title("GP system migrations — overview")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

numbers = metrics.headline(ctx.overview, ctx.as_at)
cols = st.columns(4)
cols[0].metric("Migrations in scope", f"{numbers['in_scope']:,}",
               help="Every migration in the filters, whatever its status.")  # fmt: skip
cols[1].metric("Planned (not started)", f"{numbers['planned']:,}")
cols[2].metric("In progress", f"{numbers['in_progress']:,}",
               help=f"Started, not yet live. Also on hold: {numbers['on_hold']}; "
               f"cancelled: {numbers['cancelled']}.")  # fmt: skip
cols[3].metric("Live", f"{numbers['live']:,}",
               help=f"Gone live on the new system; {numbers['completed']} of them have finished "
               "post go live.")  # fmt: skip
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
    ui.show_chart(fig, counts.rename_axis("phase").reset_index(name="migrations"),
                  "migrations-by-phase", key="phase-counts")  # fmt: skip
with right:
    fig = ctx.memo("go-lives-by-month", lambda: charts.go_live_spread(
        ctx.overview, ctx.as_at, "month", "target_system", title="Go-lives by month"))  # fmt: skip
    spread = metrics.go_lives_by_period(ctx.overview, "month")
    ui.show_chart(fig, tables.counts_frame(spread, "month", "go_lives"), "go-lives-by-month",
                  key="go-live-month")  # fmt: skip

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
