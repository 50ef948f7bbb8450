"""Changes: slippage across uploads, what changed between two uploads, and a forecast go live."""

import streamlit as st

from regiondash import changes, scope, store, tables, ui
from regiondash.ui import sections

ctx = ui.context()
st.title("Slippage and changes")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()

st.subheader("Go live across uploads")
history = ui.go_live_history(ctx.url, ctx.version, ctx.as_at)
table = ctx.memo(
    "slippage-table",
    lambda: tables.slippage_table(changes.go_live_slippage(history, ctx.as_at), ctx.overview),
)
moved = table[table["Moves"] > 0]
st.markdown(
    f"**{len(moved):,}** of {len(table):,} migrations in view have had their planned go "
    f"live moved; **{int((moved['Moves'] >= 3).sum())}** three times or more."
)
ui.show_table(moved, height=sections.fitted_height(len(moved), 400))
ui.download_table(table, "Go-live slippage", "Download go-live slippage", key="slippage")

st.subheader("Left the picture")
left = ctx.memo(
    "left-the-picture",
    lambda: changes.left_the_picture(
        store.departed(ctx.engine, ctx.as_at), ctx.all_overview["migration_id"]
    ),
)
scoped = scope.apply_filters(left.assign(status="left"), ctx.filters)
were = "migration was" if len(scoped) == 1 else "migrations were"
st.markdown(
    f"**{len(scoped):,}** {were} in an earlier upload of their tracker and "
    f"{'is' if len(scoped) == 1 else 'are'} not in its latest: no longer counted anywhere."
)
if not scoped.empty:
    ui.show_table(tables.left_table(scoped), height=sections.fitted_height(len(scoped), 300))
    ui.download_table(tables.left_table(scoped), "Left the picture", "Download", key="left")

st.subheader("What changed between two uploads")
sections.compare_two_uploads(ctx)

st.subheader("Forecast go live")
st.caption(
    "For migrations not yet live: the region's own completed migrations give how long it took from "
    "the milestone this one has reached to go live (median and an 80% range; the same "
    "source→target pair where there are at least 5 examples). See Definitions."
)
outlook = sections.forecast_of(ctx)
table = ctx.memo("forecast-table", lambda: tables.forecast_table(outlook, ctx.overview))
optimistic = int((table["Plan"] != "").sum())
st.markdown(
    f"**{optimistic}** planned go-lives look optimistic: earlier than the forecast's 80% range."
)
ui.show_table(table, height=sections.fitted_height(len(table), 420))
ui.download_table(table, "Forecast go live", "Download the forecast", key="forecast")
