"""Risks: the migration guide's lessons learnt, checked against every migration."""

import pandas as pd
import streamlit as st

from regiondash import charts, risks, tables, ui
from regiondash.style import RAG_AMBER, RAG_RED

config = risks.DEFAULT_CONFIG
ctx = ui.context()
st.title("Risks from the guide's lessons learnt")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

flags, computed, differs = ctx.memo("risk-flags", lambda: ui.risk_flags(ctx))
rules = ctx.memo("risk-rules", lambda: risks.rule_summary(flags, ctx.overview, config))
rag = risks.rag_counts(computed)
done, cancelled = int((computed == risks.DONE).sum()), int((computed == risks.CANCELLED_RAG).sum())
cols = st.columns(4)
cols[0].metric("Red", rag["red"], help="An open migration where at least one red rule fires.")
cols[1].metric("Amber", rag["amber"], help="An open migration where only amber rules fire.")
cols[2].metric("Green", rag["green"], help="An open migration where no red or amber rule fires.")
differ_help = "The tracker gives a RAG for an open migration and it is not the computed one."
cols[3].metric("Tracker RAG differs", int(differs.sum()), help=differ_help)


def many(n: int, one: str, more: str) -> str:
    return f"{n:,} {one if n == 1 else more}"


st.caption(
    f"The computed RAG rates the {many(sum(rag.values()), 'open migration', 'open migrations')} "
    f"(planned, in progress or on hold); {many(done, 'live one shows', 'live ones show')} "
    f"*Done* and {many(cancelled, 'cancelled one', 'cancelled ones')} *Cancelled*. "
    "Forward-looking rules check open migrations only; rules that look back check live ones "
    "too. Go-lives in busy periods are notes: they never change the RAG."
)
missing = rules[rules["not_assessed"] > 0]
if not missing.empty:
    st.info(
        "**Not assessed** — "
        + "; ".join(
            f"{row.rule}: {row.not_assessed:,} migrations ({row.why_not_assessed})"
            for row in missing.itertuples()
        )
        + ". These rules do not fire for those migrations.",
        icon=":material/help:",
    )

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
is_open = table["Computed RAG"].isin(["Red", "Amber", "Green"])


def section(title: str, rows: pd.DataFrame, caption: str, empty: str, drop: list[str]) -> None:
    st.subheader(title)
    st.caption(caption)
    if rows.empty:
        st.markdown(empty)
        return
    ui.show_table(rows.drop(columns=drop), height=min(420, 38 + 35 * len(rows)))


section(
    "Open migrations at risk",
    table[is_open & table["Computed RAG"].isin(["Red", "Amber"])],
    "Red first, then by the number of red rules, then amber ones. Computed RAG is always written "
    "in words; '≠ differs' marks a tracker whose own RAG disagrees with the computed one.",
    "No open migration breaks a red or amber rule.",
    [],
)
section(
    "Notes: go-lives in busy periods",
    table[is_open & (table["Notes"] != "")],
    "The guide advises avoiding go-live in flu season, at QOF year end and in holiday periods. "
    "Worth planning around; a note never changes the RAG.",
    "No open migration goes live in a busy period.",
    ["Tracker RAG", "Differs", "Risks", "Why"],
)
section(
    "Looking back: live migrations",
    table[table["Computed RAG"] == risks.DONE],
    "Rules that look back (phases over the guide, over 16 weeks, tracking record not updated) "
    "still count for migrations that have gone live. They are not rated.",
    "No live migration breaks a rule that looks back.",
    ["Tracker RAG", "Differs", "Notes"],
)
ui.download_table(table, "Risk flags", "Download every flagged migration", key="risks")

st.subheader("The rules")
names = {"rule": "Rule", "counts_as": "Counts as", "kind": "Kind", "flagged": "Flagged"}
names |= {"not_assessed": "Not assessed", "why_not_assessed": "Why not assessed"}
shown = rules.rename(columns=names).reset_index(drop=True)
ui.show_table(shown)
for key, rule in risks.RULES.items():
    row = rules.loc[key]
    with st.expander(f"{rule.title} — `{key}` — counts as {row['counts_as']}, {rule.kind}"):
        st.markdown(rule.explanation)
        if row["not_assessed"]:
            st.markdown(
                f"**Not assessed** for {row['not_assessed']:,} migrations: "
                f"{row['why_not_assessed']}."
            )
