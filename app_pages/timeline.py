"""Timeline: a tracking Gantt, plan beneath actual, a page of migrations at a time."""

import streamlit as st

from regiondash import charts, scope, ui
from regiondash.ui import sections

PAGE_SIZE = 50

ctx = ui.context()
st.title("Migration timeline")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

left, middle, right = st.columns([2, 2, 1])
query = left.text_input("Search by ODS code or practice name", placeholder="e.g. J81002 or Orchid")
order = middle.selectbox("Sort by", list(scope.SORTS), format_func=scope.SORTS.get)
only_late = right.toggle("Overrunning only", help="Show only overrunning migrations.")

chosen = scope.search(ctx.overview, query)
if only_late:
    chosen = chosen[chosen["overrunning"]]
chosen = scope.sort_migrations(chosen, order)
if chosen.empty:
    st.warning("No migration matches that search.", icon=":material/search_off:")
    st.stop()
pages = scope.page_count(len(chosen), PAGE_SIZE)
page = 1
if pages > 1:
    page = st.number_input(f"Page (of {pages}, {PAGE_SIZE} migrations each)", 1, pages, 1)
shown = scope.page_of(chosen, page, PAGE_SIZE)
st.caption(
    f"Showing {len(shown)} of {len(chosen):,} migrations. Thick bars: actual phases; thin "
    "grey bars beneath: the plan. A red outline and ⚠ mark an overrun."
)

flag_counts = ctx.memo("risk-flags", lambda: ui.risk_flags(ctx))[0].sum(axis=1)
title = "Migration timeline: plan and actual"
in_view = (query, order, only_late, page)  # what picks the migrations shown
fig = ctx.memo(
    "gantt",
    lambda: charts.gantt(shown, ctx.phases, ctx.as_at, title=title, risk_counts=flag_counts),
    *in_view,
)
phase_data = ctx.memo(
    "gantt-data",
    lambda: ctx.phases[ctx.phases["migration_id"].isin(shown["migration_id"])],
    *in_view,
)
ui.show_chart(fig, phase_data.drop(columns=["phase_order"]), "migration-timeline", key="gantt")

st.subheader("One migration in detail")
labels = dict(zip(shown["migration_id"], charts.migration_label(shown), strict=True))
# a label the browser sends back formats as itself (labels.get alone would make it None)
picked = st.selectbox("Migration", list(labels), format_func=lambda m: labels.get(m, m))
sections.migration_detail(ctx, shown[shown["migration_id"] == picked].iloc[0], labels[picked])
