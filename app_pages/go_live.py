"""Go-live spread: when go-lives fall, against busy periods and weekly capacity."""

import streamlit as st

from regiondash import charts, spread, ui
from regiondash.risks import DEFAULT_CONFIG
from regiondash.ui import sections

ctx = ui.context()
st.title("Go-live spread")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

RULE_CAPACITY = DEFAULT_CONFIG.weekly_capacity_per_system
going = spread.counted_go_lives(ctx.overview)  # cancelled migrations are left out throughout
left, middle = st.columns(2)
period = (
    left.segmented_control("Count by", ["week", "month"], default="week", format_func=str.title)
    or "week"
)
stack = (
    middle.segmented_control(
        "Stack by",
        ["target_system", "sub_icb_code"],
        default="target_system",
        format_func={"target_system": "Target system", "sub_icb_code": "Sub-ICB location"}.get,
    )
    or "target_system"
)
st.caption(
    f"Weekly go-live capacity: **{RULE_CAPACITY} go-lives a week to each target system**, the "
    "same number the Risks page's *Go-live capacity clash* rule uses. A week (Monday to Sunday) "
    "with more go-lives than that to one system is flagged on the chart and listed below."
)
capacity = sections.capacity_what_if(RULE_CAPACITY)

# the chart and its CSV are the same frame
extra = (period, stack, tuple(sorted(capacity.items())))
counts = ctx.memo(
    "go-live-counts", lambda: spread.go_live_counts(ctx.overview, period, stack, capacity), *extra
)
fig = ctx.memo(
    "go-live-spread",
    lambda: charts.go_live_spread_chart(
        counts, ctx.as_at, period, title=f"Go-lives per {period}, busy periods shaded"
    ),
    *extra,
)
ui.show_chart(fig, counts, f"go-lives-per-{period}", key="spread")

flagged = spread.over_capacity_weeks(going, capacity)
sections.over_capacity(flagged)

daily = ctx.memo("daily-go-lives", lambda: spread.daily_go_lives(ctx.overview))
fig = ctx.memo(
    "heatmap", lambda: charts.calendar_heatmap_chart(daily, ctx.as_at, "Go-lives by day")
)
ui.show_chart(fig, daily, "go-lives-by-day", key="heatmap")
