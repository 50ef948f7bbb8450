"""Risks: the migration guide's lessons learnt, checked against every migration."""

import pandas as pd
import streamlit as st

from regiondash import charts, risks, tables, ui
from regiondash.style import RAG_AMBER, RAG_RED

ctx = ui.context()
st.title("Risks from the guide's lessons learnt")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

flags, computed, differs = ctx.memo("risk-flags", lambda: ui.risk_flags(ctx))
rag = risks.rag_counts(computed)
cols = st.columns(4)
cols[0].metric("Red", rag["red"], help="At least one rule configured as red fires.")
cols[1].metric("Amber", rag["amber"], help="Only rules configured as amber fire.")
cols[2].metric("Green", rag["green"], help="No rule fires.")
cols[3].metric("Tracker RAG differs", int(differs.sum()),
               help="The tracker gives a RAG and it is not the computed one.")  # fmt: skip

left, right = st.columns(2)
by_rule = pd.Series(risks.counts_by_rule(flags)).rename(index=lambda k: risks.RULES[k].title)
with left:
    fig = charts.count_bar(by_rule, "Migrations flagged by each rule", ctx.as_at, "Migrations",
                           RAG_AMBER)  # fmt: skip
    ui.show_chart(fig, by_rule.rename_axis("rule").reset_index(name="migrations"),
                  "risks-by-rule", key="by-rule")  # fmt: skip
with right:
    flagged_ids = flags.index[flags.any(axis=1)]
    flagged = ctx.overview[ctx.overview["migration_id"].isin(flagged_ids)]
    by_sub_icb = tables.labelled_counts(flagged, "sub_icb_code", ctx.all_overview)
    fig = charts.count_bar(by_sub_icb, "Migrations with a risk flag, by sub-ICB", ctx.as_at,
                           "Migrations", RAG_RED)  # fmt: skip
    ui.show_chart(fig, by_sub_icb.rename_axis("sub_icb").reset_index(name="migrations"),
                  "risks-by-sub-icb", key="by-sub-icb")  # fmt: skip

st.subheader("Flagged migrations")
st.caption("Computed RAG is always written in words. '≠ differs' marks a tracker whose own RAG "
           "disagrees with the computed one.")  # fmt: skip
table = tables.risk_table(ctx.overview, flags, computed, differs)
ui.show_table(table, height=min(420, 38 + 35 * len(table)))
ui.download_table(table, "Risk flags", "Download this table", key="risks")

st.subheader("The rules")
config = risks.DEFAULT_CONFIG
for key, rule in risks.RULES.items():
    level = "red" if key in config.red_rules else "amber"
    with st.expander(f"{rule.title} — `{key}` — counts as {level}"):
        st.markdown(rule.explanation)
