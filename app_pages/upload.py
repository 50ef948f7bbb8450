"""Upload: a CSU lead adds a tracker, sees exactly what is wrong, and stores it or not."""

from pathlib import Path

import streamlit as st

from regiondash import ui
from regiondash.ui import upload

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example-tracker.xlsx"

ctx = ui.context()
st.title("Upload a tracker")
ui.data_line(ctx)
st.markdown(
    "Drop in your migration tracking spreadsheet (**.xlsx**, **.xls**, **.ods** or **.csv**). "
    "regiondash finds the "
    "header row, maps your column names, and checks every cell before anything is stored. By "
    "default an upload with any error is refused whole; you can choose to store the valid rows "
    "and keep the rest set aside with their reasons."
)
upload.template_downloads(EXAMPLE)
upload.tracking_databases(ctx.engine)

uploaded_by = st.text_input(
    "Your name or team", key="uploaded_by", placeholder="e.g. SCW CSU migration team"
)
flash = st.session_state.pop("upload_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")
# a new key after each stored upload clears the file box for the next tracker
round_number = st.session_state.setdefault("upload_round", 0)
file = st.file_uploader(
    "Tracker file", type=["xlsx", "xls", "xlsb", "ods", "csv"], key=f"tracker_file_{round_number}"
)

if file is not None:
    prepared, choices = upload.read_upload(ctx.engine, file)
    as_at = upload.as_at_picker(prepared.parsed, choices, key=f"as-at-{file.name}")
    upload.single_dates_picker(prepared.parsed, choices, key=f"single-{file.name}")
    tracker = upload.tracker_picker(prepared, key=f"tracker-{file.name}")
    upload.what_was_found(prepared, file.name)
    counts = upload.checks(prepared.parsed, file.name)
    choice = upload.store_choice(prepared, counts)
    if choice:
        upload.store_upload(
            ctx.engine, prepared, choice, uploaded_by=uploaded_by, as_at=as_at, tracker=tracker
        )

upload.upload_history(ctx.engine)
