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

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="",
            default=True),
    st.Page("app_pages/timeline.py", title="Timeline", icon=":material/view_timeline:",
            url_path="timeline"),
    st.Page("app_pages/overruns.py", title="Overruns", icon=":material/running_with_errors:",
            url_path="overruns"),
    st.Page("app_pages/go_live.py", title="Go-live spread", icon=":material/calendar_month:",
            url_path="go-live"),
    st.Page("app_pages/risks.py", title="Risks", icon=":material/warning:", url_path="risks"),
    st.Page("app_pages/changes.py", title="Slippage and changes", icon=":material/history:",
            url_path="changes"),
    st.Page("app_pages/board_pack.py", title="Board pack", icon=":material/slideshow:",
            url_path="board-pack"),
    st.Page("app_pages/upload.py", title="Upload", icon=":material/upload_file:",
            url_path="upload"),
    st.Page("app_pages/definitions.py", title="Definitions", icon=":material/menu_book:",
            url_path="definitions"),
]  # fmt: skip

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
