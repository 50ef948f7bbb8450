"""The widgets every page uses: the data line, the empty state, charts and tables with their
downloads, and the link to the definitions."""

from __future__ import annotations

import re
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from regiondash import exports, freshness, tables
from regiondash.report import images
from regiondash.text import for_markdown, for_plotly
from regiondash.ui.data import Context, context, stale_after_days


def data_line(ctx: Context) -> None:
    """Say what data the page shows and as at when; flag the fictional demo."""
    if ctx.is_demo:
        st.info(
            "**Demo data.** The practices are real South West practices from NHS England's "
            "mapping; every migration, date and status is fictional.",
            icon=":material/science:",
        )
    if ctx.uploads.empty:
        return
    latest = ctx.uploads.iloc[0]
    when = pd.Timestamp(latest["uploaded_at"])
    filtered = any(ctx.filters.selections().values())
    scope = f" of {len(ctx.all_overview):,} (filtered)" if filtered else ""
    ages = ctx.tracker_ages()
    ages = ages[ages["migrations"] > 0]
    # the newest date of the trackers in view: a view of one tracker is as at that tracker's date
    shown_as_at = pd.Timestamp(ages["as_at"].max()).date() if len(ages) else ctx.as_at
    picked = (
        f" (each tracker's latest upload on or before {ctx.as_at:%-d %b %Y})"
        if shown_as_at != ctx.as_at and ctx.picked_as_at
        else ""
    )
    # tracker and file names are as typed by whoever named the file: never markdown
    ages = ages.assign(tracker=ages["tracker"].map(for_markdown))
    shown = [freshness.age_words(row) for _, row in ages.assign(stale=False).head(4).iterrows()]
    if len(ages) > 4:
        shown.append(f"and {len(ages) - 4} more trackers (listed on Upload)")
    st.caption(
        f"Data as at **{shown_as_at:%-d %b %Y}**{picked} — {len(ctx.overview):,} "
        f"migrations{scope}, each "
        "judged as at its own tracker's date. " + "; ".join(shown) + ". Latest upload: "
        f"{for_markdown(latest['file_name'])} by {for_markdown(latest['uploaded_by'])} "
        f"on {when:%-d %b %Y}."
    )
    stale = ages[ages["stale"]]
    if not stale.empty:
        days = stale_after_days()
        st.warning(
            "**Stale data.** "
            + "; ".join(freshness.age_words(row, days) for _, row in stale.head(6).iterrows())
            + ". Their figures are as at their own date; the milestones fallen due since are "
            "counted apart, not as overruns.",
            icon=":material/update:",
        )


def empty_state(ctx: Context) -> bool:
    """Show a helpful message when there is nothing to show; True if the page should stop."""
    if ctx.uploads.empty:
        st.info(
            "No tracker has been uploaded yet. Go to **Upload** to add a CSU tracking spreadsheet "
            "(.xlsx or .csv), or load the demo region with `regiondash demo`.",
            icon=":material/upload_file:",
        )
        st.page_link("app_pages/upload.py", label="Upload a tracker", icon=":material/upload:")
        return True
    if ctx.overview.empty:
        st.warning(
            "No migrations match these filters as at this date. Widen the filters or press "
            "**Reset filters** in the sidebar.",
            icon=":material/filter_alt_off:",
        )
        return True
    return False


def file_stem(text: str) -> str:
    """A safe, readable file name stem."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "regiondash"


IMAGE_FORMATS = {"png": "PNG (2x)", "svg": "SVG"}
_IMAGE_FORMAT = "chart_image_format"


def image_format_choice() -> None:
    """The sidebar setting for what the charts' camera button downloads."""
    st.sidebar.radio(
        "Chart image downloads",
        list(IMAGE_FORMATS),
        format_func=IMAGE_FORMATS.get,
        key=_IMAGE_FORMAT,
        horizontal=True,
        help="The camera button on each chart's toolbar saves the chart in this format.",
    )


def show_chart(fig: go.Figure, data: pd.DataFrame, name: str, key: str | None = None) -> None:
    """Draw a figure whose toolbar saves a 2x PNG (or SVG) named after it, plus its data as CSV."""
    image = st.session_state.get(_IMAGE_FORMAT, "png")
    st.plotly_chart(
        fig,
        width="stretch",
        key=key,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": image, "filename": file_stem(name), "scale": 2},
        },
    )
    stem = file_stem(name)
    left, right = st.columns([1, 1])
    left.download_button(
        "Download the data behind this chart (CSV)",
        lambda: exports.csv_bytes(data),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"csv-{key or stem}",
        icon=":material/download:",
    )
    with right.popover("Slide images (PNG, SVG)", icon=":material/image:"):
        slide_images(fig, name, key or stem)


def slide_images(fig: go.Figure, name: str, key: str) -> None:
    """Server-drawn 16:9 images of a chart in the export style, made on request (Chromium takes
    a second or two), with plain words when the server has no Chromium."""
    if not images.chromium_available():
        st.info(images.UNAVAILABLE_MESSAGE, icon=":material/info:")
        return
    ctx = context()
    made_key = ("slide-images", ctx.key, key)
    made = st.session_state.get("_slide_images", {}).get(made_key)
    if made is None:
        if not st.button("Make the images", key=f"make-{key}", icon=":material/image:"):
            st.caption("16:9 slide size, NHS palette, with a title and a source line.")
            return
        # the source line names the uploaders: Plotly draws it, so their names are escaped
        source = for_plotly(images.source_line(ctx.uploads, ctx.as_at_date))
        slide = images.slide_figure(fig, name, ctx.as_at_date, source)
        with st.spinner("Drawing the images…"):
            try:
                made = (images.render([slide], "png")[0], images.render([slide], "svg")[0])
            except images.ImageExportUnavailable:
                st.info(images.UNAVAILABLE_MESSAGE, icon=":material/info:")
                return
        st.session_state.setdefault("_slide_images", {})[made_key] = made
    stem = file_stem(name)
    st.download_button("PNG (3200×1800)", made[0], f"{stem}.png", "image/png", key=f"png-{key}")
    st.download_button("SVG", made[1], f"{stem}.svg", "image/svg+xml", key=f"svg-{key}")


def download_table(table: pd.DataFrame, name: str, label: str, key: str) -> None:
    """CSV and XLSX downloads of a page table; the XLSX has real dates and a Definitions sheet
    with the as-at date. Text that a spreadsheet would run as a formula is kept as text."""
    ctx = context()
    stem = file_stem(f"{name} {ctx.as_at:%Y-%m-%d}")
    as_at, source = ctx.as_at_date, images.source_line(ctx.uploads, ctx.as_at_date)
    left, right = st.columns([1, 1])
    # the files are made only when someone clicks: a national table takes seconds to write
    left.download_button(
        f"{label} (CSV)",
        lambda: exports.csv_bytes(table),
        f"{stem}.csv",
        "text/csv",
        key=f"csv-{key}",
        icon=":material/download:",
    )
    right.download_button(
        f"{label} (XLSX)",
        lambda: tables.table_xlsx(table, name, as_at, source=source),
        f"{stem}.xlsx",
        key=f"xlsx-{key}",
        icon=":material/table_view:",
    )


def show_table(
    table: pd.DataFrame, height: int | Literal["auto", "stretch", "content"] = "auto"
) -> None:
    """A table with dates shown as dd/mm/yyyy and empty cells left empty."""
    config = {
        column: st.column_config.DateColumn(column, format="DD/MM/YYYY")
        for column in table.columns
        if pd.api.types.is_datetime64_any_dtype(table[column])
    }
    for column in ("Problem", "Reasons"):  # the sentences people need to read whole
        if column in table.columns:
            config[column] = st.column_config.TextColumn(column, width="large")
    st.dataframe(table, hide_index=True, width="stretch", column_config=config, height=height)


def definitions_link(text: str = "What does this mean?") -> None:
    """A link to the definitions page."""
    st.page_link("app_pages/definitions.py", label=text, icon=":material/help:")
