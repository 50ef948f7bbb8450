"""Changes: slippage across uploads, what changed between two uploads, and a forecast go live."""

import pandas as pd
import streamlit as st

from regiondash import changes, forecast, scope, store, tables, ui, upload_view

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
st.markdown(f"**{len(moved):,}** of {len(table):,} migrations in view have had their planned go "
            f"live moved; **{int((moved['Moves'] >= 3).sum())}** three times or more.")  # fmt: skip
ui.show_table(moved, height=min(400, 38 + 35 * max(len(moved), 1)))
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
st.markdown(f"**{len(scoped):,}** {were} in an earlier upload of their tracker and "
            f"{'is' if len(scoped) == 1 else 'are'} not in its latest: no longer counted "
            "anywhere.")  # fmt: skip
if not scoped.empty:
    ui.show_table(tables.left_table(scoped), height=min(300, 38 + 35 * len(scoped)))
    ui.download_table(tables.left_table(scoped), "Left the picture", "Download", key="left")

st.subheader("What changed between two uploads")
uploads = ctx.uploads
pair = upload_view.comparison_pair(uploads)
if pair is None:
    st.info("No tracker has two uploads yet: changes appear once a tracker is uploaded again.")
else:
    label = upload_view.upload_label(uploads)
    ids = uploads["upload_id"].tolist()
    left, right = st.columns(2)
    before_id = left.selectbox("From upload", ids, index=ids.index(pair[0]), format_func=label)
    after_id = right.selectbox("To upload", ids, index=ids.index(pair[1]), format_func=label)
    if (
        uploads.set_index("upload_id").at[before_id, "tracker"]
        != (uploads.set_index("upload_id").at[after_id, "tracker"])
    ):
        st.caption("These uploads are of different trackers, so nothing is counted as removed.")
    before = uploads.set_index("upload_id").loc[before_id]
    after = uploads.set_index("upload_id").loc[after_id]

    def compared() -> dict[str, list]:
        # Of two uploads of one tracker, only the migrations whose rows or dates differ.
        before_rows, after_rows = store.rows_to_compare(ctx.engine, before_id, after_id)
        return changes.compare_uploads(
            *before_rows,
            pd.Timestamp(before["as_at"]).date(),
            *after_rows,
            pd.Timestamp(after["as_at"]).date(),
            same_tracker=before["tracker"] == after["tracker"],
        )

    result = ctx.memo("compare", compared, before_id, after_id)
    titles = {
        "added": "Migrations added",
        "removed": "Migrations removed (absent from the later upload of the same tracker)",
        "go_live_moved": "Go live moved",
        "phases_completed": "Phases completed",
        "status_changed": "Status changed",
    }
    frames = ctx.memo("change-tables", lambda: tables.change_tables(result), before_id, after_id)
    for kind, frame in frames.items():
        with st.expander(f"{titles[kind]}: {len(frame)}", expanded=kind == "go_live_moved"):
            if frame.empty:
                st.caption("None.")
            else:
                ui.show_table(frame)

st.subheader("Forecast go live")
st.caption(
    "For migrations not yet live: the region's own completed migrations give how long it took from "
    "the milestone this one has reached to go live (median and an 80% range; the same "
    "source→target pair where there are at least 5 examples). See Definitions."
)
outlook = ctx.memo(
    "forecast", lambda: forecast.forecast_go_live(ctx.overview, ctx.phases, ctx.as_at)
)
table = ctx.memo("forecast-table", lambda: tables.forecast_table(outlook, ctx.overview))
optimistic = int((table["Plan"] != "").sum())
st.markdown(f"**{optimistic}** planned go-lives look optimistic: earlier than the forecast's "
            "80% range.")  # fmt: skip
ui.show_table(table, height=min(420, 38 + 35 * max(len(table), 1)))
ui.download_table(table, "Forecast go live", "Download the forecast", key="forecast")
