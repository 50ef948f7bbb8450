"""regiondash: regional oversight of GP practice clinical-system migrations."""

import logging
import secrets

import streamlit as st
from streamlit.errors import FragmentHandledException

from regiondash import ui
from regiondash.store.engine import DATABASE_ERRORS

st.set_page_config(
    page_title="regiondash — GP system migrations",
    page_icon=":material/swap_horiz:",
    layout="wide",
    initial_sidebar_state="expanded",
)

# (file in app_pages/, title, Material icon, URL path), in menu order; the first is the default
_PAGE_TABLE = [
    ("overview.py", "Overview", "dashboard", ""),
    ("timeline.py", "Timeline", "view_timeline", "timeline"),
    ("overruns.py", "Overruns", "running_with_errors", "overruns"),
    ("go_live.py", "Go-live spread", "calendar_month", "go-live"),
    ("risks.py", "Risks", "warning", "risks"),
    ("changes.py", "Slippage and changes", "history", "changes"),
    ("board_pack.py", "Board pack", "slideshow", "board-pack"),
    ("upload.py", "Upload", "upload_file", "upload"),
    ("definitions.py", "Definitions", "menu_book", "definitions"),
]
PAGES = [
    st.Page(
        f"app_pages/{file}", title=title, icon=f":material/{icon}:", url_path=path, default=i == 0
    )
    for i, (file, title, icon, path) in enumerate(_PAGE_TABLE)
]

LOG = logging.getLogger("regiondash.app")


def unexpected_problem(problem: Exception) -> str:
    """Log the traceback under a short random reference; the one line a visitor sees."""
    reference = secrets.token_hex(4)
    LOG.error("Unexpected error on a page (reference %s)", reference, exc_info=problem)
    return (
        f"Something went wrong on this page (reference {reference}). The details are in the "
        "server's log; give this reference to whoever runs regiondash."
    )


page = st.navigation(PAGES)
st.sidebar.caption("regiondash · GP practice system migrations")
try:
    ui.build_context()
    page.run()
except DATABASE_ERRORS as problem:
    # A wrong password, an unreachable host, a malformed URL or a read-only file: one plain
    # message for every visitor, never a traceback or a credential.
    message = ui.database_problem(problem)
    LOG.error(message)
    st.error(message, icon=":material/error:")
except FragmentHandledException:
    raise  # a fragment's error, already shown by Streamlit where the fragment was
except Exception as problem:
    # st.rerun, st.stop and st.switch_page raise Streamlit's ScriptControlException, a
    # BaseException, so they pass through to Streamlit untouched.
    st.error(unexpected_problem(problem), icon=":material/error:")
