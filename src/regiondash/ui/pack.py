"""The Board pack page's parts: its scope, the build with a progress bar, and the downloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import cast

import streamlit as st

from regiondash import scope
from regiondash.report import data, images, pack, pdf_writer, pptx_writer
from regiondash.text import for_markdown
from regiondash.ui.data import Context, today

PACK_LEVELS = {
    "": "Everything stored",
    "region": "Region",
    "icb": "ICB",
    "sub_icb": "Sub-ICB location",
}


def pack_scope(ctx: Context) -> tuple[data.Scope, dt.date]:
    """The pack's scope (to begin with the sidebar's one chosen organisation) and as-at date."""
    levels = PACK_LEVELS
    left, middle, right = st.columns([1, 2, 1])
    start_level, start_code = scope.single_organisation(ctx.filters)
    level = left.selectbox(
        "Scope",
        list(levels),
        index=list(levels).index(start_level),
        # every option is a key, so .get gives its label (the stubs see str | None)
        format_func=cast("Callable[[str], str]", levels.get),
    )
    code = None
    if level:
        labels = scope.option_labels(ctx.all_overview, level)
        codes = sorted(labels)
        first = codes.index(start_code) if start_code in codes else 0
        code = middle.selectbox(
            levels[level],
            codes,
            index=first,
            format_func=cast("Callable[[str], str]", labels.get),  # codes are its keys, as above
        )
    as_at = right.date_input("As at", value=ctx.as_at_date, format="DD/MM/YYYY")
    return data.Scope(level or None, code), as_at


def build_pack(ctx: Context, chosen: data.Scope, as_at: dt.date) -> None:
    """Build the deck and the PDF with a progress bar, kept in the session for download; what
    stops it is said and stops the page."""
    bar = st.progress(0.0, text="Gathering the data…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(fraction, 1.0) * 0.8, message)

    try:
        inputs = data.load_inputs(ctx.engine, as_at, chosen)
        board = pack.build_board_pack(
            inputs.migrations,
            inputs.phases,
            inputs.history,
            inputs.uploads,
            inputs.previous,
            inputs.as_at,
            inputs.scope_label,
            progress=progress,
            ages_to=as_at if as_at != ctx.as_at or ctx.picked_as_at else today(),
        )
        bar.progress(0.85, text="Writing the PowerPoint deck…")
        deck = pptx_writer.pack_to_pptx(board)
        bar.progress(0.95, text="Writing the PDF…")
        document = pdf_writer.pack_to_pdf(board)
    except data.NothingToReport as problem:
        bar.empty()
        st.warning(f"Nothing to report: {for_markdown(problem)}", icon=":material/info:")
        st.stop()
    except images.ImageExportUnavailable:
        bar.empty()
        st.error(images.UNAVAILABLE_MESSAGE, icon=":material/block:")
        st.stop()
    bar.progress(1.0, text=f"Built {len(board.slides)} slides.")
    st.session_state["board_pack"] = (board.file_stem, deck, document, len(board.slides))


def pack_downloads() -> None:
    """The deck and the PDF built in this session, if there are any."""
    built = st.session_state.get("board_pack")
    if not built:
        return
    stem, deck, document, slides = built
    st.success(f"The board pack is ready: {slides} slides.", icon=":material/check_circle:")
    a, b = st.columns(2)
    a.download_button(
        "Download the deck (PowerPoint)",
        deck,
        f"{stem}.pptx",
        icon=":material/slideshow:",
        type="primary",
    )
    b.download_button(
        "Download the PDF",
        document,
        f"{stem}.pdf",
        "application/pdf",
        icon=":material/picture_as_pdf:",
    )
