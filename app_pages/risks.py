"""Risks: the migration guide's lessons learnt, checked against every migration."""

import streamlit as st

from regiondash import charts, risks, tables, ui
from regiondash.style import RAG_AMBER, RAG_RED
from regiondash.ui import sections

config = risks.DEFAULT_CONFIG
ctx = ui.context()
st.title("Risks from the guide's lessons learnt")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

flags, computed, differs = ctx.memo("risk-flags", lambda: ui.risk_flags(ctx))
rules = ctx.memo("risk-rules", lambda: risks.rule_summary(flags, ctx.overview, config))
sections.rag_tiles(computed, differs)
sections.not_assessed_note(rules)

left, right = st.columns(2)
labels = {key: f"{row.rule} ({row.counts_as}, {row.kind})" for key, row in rules.iterrows()}
by_rule = rules["flagged"].rename(index=labels)
with left:
    title = "Migrations flagged by each rule"
    fig = charts.count_bar(by_rule, title, ctx.as_at, "Migrations", RAG_AMBER)
    rule_data = by_rule.rename_axis("rule").reset_index(name="migrations")
    ui.show_chart(fig, rule_data, "risks-by-rule", key="by-rule")
with right:
    at_risk_ids = computed.index[computed.isin(["Red", "Amber"])]
    at_risk = ctx.overview[ctx.overview["migration_id"].isin(at_risk_ids)]
    by_sub_icb = tables.labelled_counts(at_risk, "sub_icb_code", ctx.all_overview)
    title = "Open migrations rated Red or Amber, by sub-ICB"
    fig = charts.count_bar(by_sub_icb, title, ctx.as_at, "Migrations", RAG_RED)
    sub_icb_data = by_sub_icb.rename_axis("sub_icb").reset_index(name="migrations")
    ui.show_chart(fig, sub_icb_data, "risks-by-sub-icb", key="by-sub-icb")

table = tables.risk_table(ctx.overview, flags, computed, differs, config)
sections.risk_sections(table)
ui.download_table(table, "Risk flags", "Download every flagged migration", key="risks")

sections.rule_explanations(rules)
