"""Board pack: one click to a PowerPoint deck and a PDF for a region, ICB or sub-ICB."""

import streamlit as st

from regiondash import ui
from regiondash.report import images
from regiondash.ui import pack

ctx = ui.context()
st.title("Board pack")
ui.data_line(ctx)
if ui.empty_state(ctx):
    st.stop()
st.markdown(
    "A deck for a board paper: a title slide, the summary numbers as editable text and tables, "
    "the go-live spread, overrun counts, the top risks, the next go-lives, changes since the "
    "previous upload, and a definitions appendix. Charts are images with alt text. The same "
    "pack comes as a PDF."
)
if not images.chromium_available():
    st.warning(images.UNAVAILABLE_MESSAGE, icon=":material/warning:")

chosen, as_at = pack.pack_scope(ctx)
if st.button("Build the board pack", type="primary", icon=":material/slideshow:"):
    pack.build_pack(ctx, chosen, as_at)
pack.pack_downloads()
st.caption("Scheduled runs: `regiondash report --format pptx --out pack.pptx [--icb CODE]`.")
