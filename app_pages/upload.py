"""Upload: a CSU lead adds a tracker, sees exactly what is wrong, and stores it or not."""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from regiondash import exports, importing, sources, store, ui, upload_view
from regiondash.ingest import MappingProblem, UnreadableFile, parse_tracker
from regiondash.ingest.milestones import BY_DATE, SINGLE_DATE_MODE_LABELS
from regiondash.template import template_workbook
from regiondash.text import for_markdown

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example-tracker.xlsx"


def as_at_picker(parsed, choices: dict, key: str) -> dt.date:
    """The tracker's as-at date: from its title rows, else today, unless the user sets it."""
    picked = st.date_input(
        "Tracker as at",
        value=parsed.as_at,
        format="DD/MM/YYYY",
        key=key,
        help="The date the tracker's contents are true on.",
    )
    st.caption(upload_view.as_at_words(parsed))
    if picked != parsed.as_at:
        choices["as_at"] = picked
        st.rerun()  # the single-date milestones and status checks depend on it
    return picked


def single_dates_picker(parsed, choices: dict, key: str) -> None:
    """How milestones with one date column are read, when the tracker has any."""
    reading = parsed.rows.reading if parsed.rows is not None else None
    if reading is None or not reading.milestones:
        return
    st.info(reading.describe(), icon=":material/event:")
    modes = list(SINGLE_DATE_MODE_LABELS)
    mode = st.radio(
        "Read one-date milestones",
        modes,
        index=modes.index(reading.mode),
        key=key,
        format_func=SINGLE_DATE_MODE_LABELS.get,
        horizontal=True,
    )
    if mode != reading.mode:
        choices["single_dates"] = mode
        st.rerun()


def tracker_picker(parsed, key: str) -> str | None:
    """Which stored tracker this upload replaces: suggested, and the user's to change."""
    if parsed.rows is None or parsed.rows.migrations.empty:
        return None
    known = store.tracker_practices(ctx.engine)
    choice = importing.choose_tracker(parsed.file_name, parsed.rows.migrations, known)
    options, labels = upload_view.tracker_options(choice, known, parsed.file_name)
    picked = st.selectbox(
        "This upload",
        options,
        format_func=labels.get,
        key=key,
        help="Migrations missing from a tracker's newest upload leave the "
        "picture, so say which tracker this file replaces.",
    )
    words = upload_view.replacement_words(picked, parsed.rows.migrations, known)
    if words:
        # the tracker's name is as its file was named: shown as typed
        st.caption(words.replace(f'"{picked}"', f'"{for_markdown(picked)}"', 1))
    return picked


def suggestion_buttons(parsed, mapping: dict, file_name: str) -> None:
    """One click to use a column the header matching did not, as the field it looks like."""
    for header, field_key, label in upload_view.suggestions(parsed):
        left, right = st.columns([3, 1])
        left.markdown(f"Column **{for_markdown(header)}** is not used — did you mean *{label}*?")
        if right.button(f"Use it as {label}", key=f"suggest-{file_name}-{header}"):
            chosen = {**(mapping or {}), header: field_key}
            st.session_state.setdefault("hand_mapping", {})[file_name] = chosen
            st.rerun()


_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class _Verbatim:
    """A cell written as it is: a plain number, which no spreadsheet runs as a formula."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def original_file(content: bytes, file_kind: str) -> bytes:
    """An upload's original file for download. A file someone uploaded is given back byte for
    byte; a tracking database's rows were kept as CSV just as the source held them, so text a
    spreadsheet would run as a formula (=HYPERLINK(..), +cmd|.., @SUM(..)) is written as plain
    text, as in every CSV regiondash writes (exports.csv_bytes), header included."""
    if file_kind != sources.FILE_KIND or not content:
        return content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    width = max((len(row) for row in rows), default=0)
    cells = [
        [_Verbatim(v) if _PLAIN_NUMBER.fullmatch(v) else v for v in row] + [""] * (width - len(row))
        for row in rows
    ]
    written = exports.csv_bytes(pd.DataFrame(cells, columns=range(width), dtype=object))
    # csv_bytes writes a header of its own (0,1,2..) after its byte order mark: the source's
    # header is the first of the rows
    return "\ufeff".encode() + written[written.index(b"\r\n") + 2 :]


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
left, right = st.columns(2)
left.download_button(
    "Download the tracker template (.xlsx)",
    template_workbook(),
    "regiondash-tracker-template.xlsx",
    icon=":material/table_view:",
)
if EXAMPLE.exists():
    right.download_button(
        "Download an example tracker (.xlsx)",
        EXAMPLE.read_bytes(),
        EXAMPLE.name,
        icon=":material/description:",
    )

configured, config_problem = ui.configured_sources()
if config_problem:
    st.error(config_problem, icon=":material/database:")
if configured:
    st.subheader("Tracking databases")
    st.caption(
        "Sources configured for this dashboard. A refresh reads the source read-only and "
        "stores its rows as an upload; an unchanged source stores nothing."
    )
    for name, spec in configured.items():
        last = sources.last_pull(ctx.engine, spec)
        when_pulled = (
            f"last pulled {pd.Timestamp(last['uploaded_at']):%-d %b %Y %H:%M} "
            f"(upload {last['upload_id']})"
            if last
            else "never pulled"
        )
        left, right = st.columns([3, 1])
        left.markdown(
            f"**{sources.source_label(spec)}** — {sources.describe_url(spec.url)}, {when_pulled}"
        )
        accept = st.session_state.get(f"accept-{name}", False)
        if right.button("Refresh from source", key=f"pull-{name}", icon=":material/sync:"):
            with st.spinner(f"Reading {sources.source_label(spec)} read-only…"):
                outcome = sources.pull_source(
                    ctx.engine,
                    spec,
                    ui.reference_data(),
                    uploaded_by="source refresh",
                    uploaded_at=dt.datetime.now(dt.UTC),
                    as_at=dt.date.today(),
                    accept_valid_rows=accept,
                )
            if outcome.exit_code == 0:
                ui.picture.clear()
                ui.go_live_history.clear()
                st.success(for_markdown(outcome.message), icon=":material/check_circle:")
            else:
                st.error(for_markdown(outcome.message), icon=":material/block:")
                if outcome.parsed is not None and outcome.parsed.problems:
                    ui.show_table(upload_view.report_table(outcome.parsed.problems_frame()))
                    st.checkbox("Store the valid rows next time", key=f"accept-{name}")
    st.divider()

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
    content = file.getvalue()
    mapping = st.session_state.get("hand_mapping", {}).get(file.name)
    if mapping is None:
        mapping = store.saved_header_mapping(ctx.engine, importing.tracker_name(file.name))
    choices = st.session_state.setdefault("upload_choices", {}).setdefault(file.name, {})
    try:
        with st.spinner(f"Reading {for_markdown(file.name)} safely and checking every row…"):
            parsed = parse_tracker(
                content,
                file.name,
                ui.reference_data(),
                mapping=mapping,
                as_at=choices.get("as_at"),
                default_as_at=dt.date.today(),
                single_dates=choices.get("single_dates", BY_DATE),
            )
    except UnreadableFile as problem:
        st.error(for_markdown(problem.message), icon=":material/block:")
        st.stop()
    except MappingProblem as problem:
        st.error(for_markdown(problem), icon=":material/block:")
        st.stop()

    as_at = as_at_picker(parsed, choices, key=f"as-at-{file.name}")
    single_dates_picker(parsed, choices, key=f"single-{file.name}")
    tracker = tracker_picker(parsed, key=f"tracker-{file.name}")

    st.subheader("What was found")
    for note in parsed.notes:
        st.markdown(f"- {for_markdown(note)}")
    if mapping:
        st.caption(
            "Using your column mapping for this tracker: "
            + ", ".join(f"{for_markdown(h)} → {k}" for h, k in mapping.items())
        )
    suggestion_buttons(parsed, mapping, file.name)

    with st.expander(
        "Column mapping", expanded=parsed.match is None or bool(parsed.match.unmapped)
    ):
        st.caption(
            "Each column in your file and the field it feeds. Change any of them; the "
            "mapping is remembered for this tracker's next upload."
        )
        editor = upload_view.mapping_table(parsed)
        edited = st.data_editor(
            editor,
            hide_index=True,
            width="stretch",
            disabled=["Column in your file"],
            column_config={
                "Maps to": st.column_config.SelectboxColumn(
                    "Maps to", options=upload_view.FIELD_CHOICES, required=False
                )
            },
            key=f"mapping-{file.name}",
        )
        if st.button("Apply this mapping", icon=":material/sync_alt:"):
            chosen = upload_view.mapping_from_table(edited)
            st.session_state.setdefault("hand_mapping", {})[file.name] = chosen
            st.rerun()

    counts = upload_view.counts(parsed)
    cols = st.columns(4)
    cols[0].metric("Rows read", counts["rows_read"])
    cols[1].metric("Valid migrations", counts["valid"])
    cols[2].metric("Errors", counts["errors"], help="Rows with errors cannot be trusted.")
    cols[3].metric("Warnings", counts["warnings"], help="Stored, but worth a look.")

    report = parsed.problems_frame()
    if report.empty:
        st.success("Every row passed the checks.", icon=":material/check_circle:")
    else:
        st.markdown(
            "**Validation report** — the sheet, the row as numbered in Excel, and the "
            "column as headed in your file."
        )
        ui.show_table(upload_view.report_table(report))
        stem = ui.file_stem(Path(file.name).stem + " validation report")
        a, b = st.columns(2)
        a.download_button(
            "Download report (CSV)",
            exports.csv_bytes(report),
            f"{stem}.csv",
            "text/csv",
            icon=":material/download:",
        )
        b.download_button(
            "Download report (XLSX)",
            exports.xlsx_bytes({"Problems": report}),
            f"{stem}.xlsx",
            icon=":material/download:",
        )

    stored_as = store.upload_with_content(ctx.engine, parsed.sha256)
    if stored_as is not None:
        st.info(
            f"This file is identical to upload {stored_as}, already stored: storing it again "
            "changes nothing.",
            icon=":material/content_copy:",
        )
    has_errors = counts["errors"] > 0
    store_all, store_valid, discard = st.columns(3)
    choice = None
    if store_all.button(
        "Store this upload",
        type="primary",
        disabled=has_errors or not counts["valid"] or stored_as is not None,
        icon=":material/save:",
    ):
        choice = "all"
    if (
        has_errors
        and counts["valid"]
        and store_valid.button(
            f"Store the {counts['valid']} valid rows only",
            disabled=not counts["valid"],
            help="Rows with errors are kept with the upload, with their reasons, and shown below.",
        )
    ):
        choice = "valid"
    if discard.button("Refuse and discard", icon=":material/delete:"):
        st.info(
            f"{for_markdown(file.name)} was not stored. Fix the cells listed and upload it again."
        )
    if choice:
        with st.status(f"Storing {for_markdown(file.name)}…", expanded=True) as status:
            st.write("Writing the upload and its rows in one transaction…")
            outcome = importing.store_parsed(
                ctx.engine,
                parsed,
                content,
                uploaded_by=uploaded_by.strip() or "unnamed",
                uploaded_at=dt.datetime.now(dt.UTC),
                as_at=as_at,
                accept_valid_rows=choice == "valid",
                tracker=tracker,
            )
            if outcome.status == importing.STORED and mapping:
                store.save_header_mapping(ctx.engine, importing.tracker_name(file.name), mapping)
            state = "complete" if outcome.exit_code == 0 else "error"
            status.update(label=for_markdown(outcome.message), state=state)
        if outcome.exit_code == 0:
            ui.picture.clear()
            ui.go_live_history.clear()
            st.session_state["upload_flash"] = for_markdown(outcome.message)
            st.session_state["upload_round"] = round_number + 1
            st.rerun()  # redraw the data line, banner and history with the new upload
        else:
            st.error(for_markdown(outcome.message))

st.divider()
st.subheader("Upload history")
uploads = store.list_uploads(ctx.engine)
if uploads.empty:
    st.caption("Nothing uploaded yet.")
    st.stop()
ui.show_table(upload_view.history_table(uploads))
picked = st.selectbox(
    "Look at an upload",
    uploads["upload_id"].tolist(),
    format_func=upload_view.upload_label(uploads),
)
name, original = store.upload_content(ctx.engine, picked)
kind = uploads.set_index("upload_id").at[picked, "file_kind"]
st.download_button(
    f"Download the original file ({for_markdown(name)})",
    original_file(original, kind),
    name,
    icon=":material/download:",
    key="original",
)
aside = store.set_aside_rows(ctx.engine, picked)
if aside.empty:
    st.caption("No rows were set aside from this upload.")
else:
    st.markdown(f"**{len(aside)} row(s) set aside** from this upload, with their reasons:")
    ui.show_table(upload_view.set_aside_table(aside))
problems = store.upload_problems(ctx.engine, picked)
if not problems.empty:
    with st.expander(f"Problems recorded with this upload ({len(problems)})"):
        ui.show_table(upload_view.report_table(problems))
