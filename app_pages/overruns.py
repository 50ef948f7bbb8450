"""Overruns: which migrations run late, where, in which phase, and against the guide."""

import streamlit as st

from regiondash import charts, metrics, tables, ui
from regiondash.style import RAG_RED

ctx = ui.context()
st.title("Overruns")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()
late = ctx.overview[ctx.overview["overrunning"]]
st.markdown(f"**{len(late):,}** of {len(ctx.overview):,} migrations in view are overrunning.")
ui.definitions_link("What counts as overrunning?")

BREAKDOWNS = [
    ("sub_icb_code", "Overrunning migrations by sub-ICB location"),
    ("icb_code", "Overrunning migrations by ICB"),
    ("phase", "Overrunning migrations by phase overrun"),
    ("target_system", "Overrunning migrations by target system"),
]
grid = st.columns(2)
for index, (column, title) in enumerate(BREAKDOWNS):

    def breakdown(column=column, title=title):
        counts = tables.labelled_overrun_counts(ctx.overview, ctx.phases, column, ctx.all_overview)
        if counts.empty:
            return counts, None
        return counts, charts.count_bar(counts, title, ctx.as_at, "Migrations", RAG_RED)

    counts, fig = ctx.memo("overrun-breakdown", breakdown, column)
    with grid[index % 2]:
        if fig is None:
            st.info(f"{title}: none.")
            continue
        ui.show_chart(fig, counts.rename_axis(column).reset_index(), title, key=f"by-{column}")

st.subheader("Over time")
dates = ui.trend_dates(ctx)
if len(dates) < 2:
    st.caption("One upload date so far: the trend appears once a later upload is stored.")
elif len(dates) <= ui.TREND_AT_ONCE or st.session_state.get("show_trend"):
    history = ui.overrunning_over_time(ctx)
    fig = charts.trend(history, ctx.as_at, "Overrunning migrations at each upload", "Migrations")
    ui.show_chart(fig, history, "overrunning-over-time", key="trend")
else:
    st.caption(
        f"The trend needs the picture as at each of {len(dates)} upload dates, about half a "
        "second each for a national picture; once worked out it is kept for this view."
    )
    st.button(
        f"Show the trend across {len(dates)} upload dates",
        key="show_trend_button",
        on_click=lambda: st.session_state.update(show_trend=True),
    )

st.subheader("Overrunning migrations")
table = ctx.memo(
    "overrun-table", lambda: tables.overrun_table(metrics.overrun_rows(ctx.overview, ctx.phases))
)
ui.show_table(table, height=min(400, 38 + 35 * len(table)))
ui.download_table(table, "Overrunning migrations", "Download this table", key="overruns")

st.subheader("Phase durations against the guide")
st.caption(
    "Each point is one finished phase (at most 300 per phase, spread evenly over its range; the "
    "CSV has them all). The shaded band is the guide's estimate; red crosses are over the guide."
)
fig, done = ctx.memo(
    "durations",
    lambda: (
        charts.durations_against_guide(ctx.phases, ctx.as_at, "Phase durations against the guide"),
        ctx.phases.dropna(subset=["actual_start", "actual_end"])[
            ["migration_id", "phase", "actual_days", "guide_max_days", "over_guide"]
        ],
    ),
)
ui.show_chart(fig, done, "phase-durations-vs-guide", key="durations")
