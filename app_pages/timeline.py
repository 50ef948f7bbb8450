"""Timeline: a tracking Gantt, plan beneath actual, a page of migrations at a time."""

import pandas as pd
import streamlit as st

from regiondash import charts, forecast, risks, scope, tables, ui
from regiondash.text import for_markdown

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
detail = ctx.phases[ctx.phases["migration_id"] == picked]
row = shown[shown["migration_id"] == picked].iloc[0]


def known(value, fallback: str) -> str:
    """A tracker's value, or the fallback words where it is empty or missing (NA included)."""
    return fallback if pd.isna(value) or not str(value).strip() else str(value)


# names, systems and codes come from the tracker: shown as typed, never as markdown
name = for_markdown(labels[picked])
if row["go_live_date"] == row["go_live_date"]:
    source = for_markdown(known(row["source_system"], "unknown"))
    target = for_markdown(known(row["target_system"], "unknown"))
    sub_icb = for_markdown(known(row["sub_icb_code"], "sub-ICB unknown"))
    go_live = f"{row['go_live_date']:%-d %b %Y}"
    st.markdown(f"**{name}** — {source} → {target}, {sub_icb}. Go live {go_live}.")
else:
    st.markdown(f"**{name}** — no go-live date recorded.")
ui.show_table(tables.phase_detail(detail))
flags, computed, _ = ctx.memo("risk-flags", lambda: ui.risk_flags(ctx))
raised = [risks.RULES[k].title for k in flags.columns if flags.loc[picked, k]]
if raised:
    st.markdown(f"**Risk flags** (computed RAG {computed.loc[picked]}): " + "; ".join(raised) + ".")
else:
    st.markdown("**Risk flags**: none.")
outlook = ctx.memo(
    "forecast", lambda: forecast.forecast_go_live(ctx.overview, ctx.phases, ctx.as_at)
)
if picked in outlook.index and pd.notna(outlook.loc[picked, "forecast_median"]):
    f = outlook.loc[picked]
    verdict = " — **plan looks optimistic**" if f["optimistic"] else ""
    st.markdown(
        f"**Forecast go live** {f['forecast_median']:%-d %b %Y} (80% range "
        f"{f['forecast_low']:%-d %b} – {f['forecast_high']:%-d %b %Y}; "
        f"{for_markdown(f['basis'])}){verdict}."
    )
st.markdown("**Go live across uploads**")
history = ui.go_live_history(ctx.url, ctx.version, ctx.as_at)
ui.show_table(tables.go_live_across_uploads(history, picked))
