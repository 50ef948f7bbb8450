"""Go-live spread: when go-lives fall, against busy periods and weekly capacity."""

import streamlit as st

from regiondash import charts, metrics, tables, ui
from regiondash.fields import SYSTEMS

ctx = ui.context()
st.title("Go-live spread")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

going = ctx.overview[ctx.overview["status"] != "cancelled"]
left, middle = st.columns(2)
period = left.segmented_control("Count by", ["week", "month"], default="week",
                                format_func=str.title) or "week"  # fmt: skip
stack = middle.segmented_control(
    "Stack by", ["target_system", "sub_icb_code"], default="target_system",
    format_func={"target_system": "Target system", "sub_icb_code": "Sub-ICB location"}.get,
) or "target_system"  # fmt: skip
with st.expander("Weekly go-live capacity by target system", icon=":material/speed:"):
    st.caption("Weeks where go-lives to a system exceed its capacity are flagged on the chart "
               "and listed below. 0 means no limit.")  # fmt: skip
    cols = st.columns(len(SYSTEMS))
    capacity = {
        system: cols[i].number_input(system, 0, 100, 3, key=f"capacity-{system}")
        for i, system in enumerate(SYSTEMS)
    }
capacity = {k: v for k, v in capacity.items() if v}

fig = ctx.memo(
    "go-live-spread",
    lambda: charts.go_live_spread(going, ctx.as_at, period, stack, capacity,
                                  title=f"Go-lives per {period}, busy periods shaded"),
    period, stack, tuple(sorted(capacity.items())),
)  # fmt: skip
counts = metrics.go_lives_by_period(going, period)
ui.show_chart(fig, tables.counts_frame(counts, period, "go_lives"), f"go-lives-per-{period}",
              key="spread")  # fmt: skip

flagged = charts.over_capacity_weeks(going, capacity)
if flagged.empty:
    st.success("No week goes over the capacity set for its target system.",
               icon=":material/check_circle:")  # fmt: skip
else:
    st.warning(f"{len(flagged)} week(s) over capacity.", icon=":material/warning:")
    st.dataframe(flagged.assign(week_start=flagged["week_start"].dt.date).rename(columns={
        "week_start": "Week starting", "target_system": "Target system",
        "go_lives": "Go-lives", "capacity": "Capacity"}), hide_index=True)  # fmt: skip

fig = ctx.memo("heatmap", lambda: charts.calendar_heatmap(going, ctx.as_at, "Go-lives by day"))
daily = going["go_live_date"].dropna().dt.date.value_counts().sort_index()
ui.show_chart(fig, daily.rename_axis("date").reset_index(name="go_lives"), "go-lives-by-day",
              key="heatmap")  # fmt: skip
