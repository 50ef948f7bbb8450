"""The upload page's widgets: the template downloads, the tracking databases, the checks of a
file before it is stored, the choice to store it, and the upload history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Literal, cast

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from regiondash import exports, sources, store, upload_view, uploading
from regiondash.ingest import MappingProblem, UnreadableFile
from regiondash.ingest.milestones import BY_DATE, SINGLE_DATE_MODE_LABELS
from regiondash.template import template_workbook
from regiondash.text import for_markdown
from regiondash.ui.data import configured_sources, go_live_history, picture, reference_data
from regiondash.ui.widgets import file_stem, show_table


def template_downloads(example: Path) -> None:
    """The tracker template and, when it is there, the example tracker."""
    left, right = st.columns(2)
    left.download_button(
        "Download the tracker template (.xlsx)",
        template_workbook(),
        "regiondash-tracker-template.xlsx",
        icon=":material/table_view:",
    )
    if example.exists():
        right.download_button(
            "Download an example tracker (.xlsx)",
            example.read_bytes(),
            example.name,
            icon=":material/description:",
        )


def _stored() -> None:
    """Forget the cached pictures: an upload was stored."""
    picture.clear()
    go_live_history.clear()


def tracking_databases(engine: sa.Engine) -> None:
    """Each configured source with its last pull and a button to refresh it."""
    configured, config_problem = configured_sources()
    if config_problem:
        st.error(config_problem, icon=":material/database:")
    if not configured:
        return
    st.subheader("Tracking databases")
    st.caption(
        "Sources configured for this dashboard. A refresh reads the source read-only and "
        "stores its rows as an upload; an unchanged source stores nothing."
    )
    for name, spec in configured.items():
        last = sources.last_pull(engine, spec)
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
                    engine,
                    spec,
                    reference_data(),
                    uploaded_by="source refresh",
                    uploaded_at=dt.datetime.now(dt.UTC),
                    as_at=dt.date.today(),
                    accept_valid_rows=accept,
                )
            if outcome.exit_code == 0:
                _stored()
                st.success(for_markdown(outcome.message), icon=":material/check_circle:")
            else:
                st.error(for_markdown(outcome.message), icon=":material/block:")
                if outcome.parsed is not None and outcome.parsed.problems:
                    show_table(upload_view.report_table(outcome.parsed.problems_frame()))
                    st.checkbox("Store the valid rows next time", key=f"accept-{name}")
    st.divider()


def read_upload(engine: sa.Engine, file) -> tuple[uploading.PreparedUpload, dict]:
    """The uploaded file read and checked with the user's choices so far (its hand mapping, as-at
    date and reading of one-date milestones); a file that cannot be read stops the page."""
    mapping = st.session_state.get("hand_mapping", {}).get(file.name)
    choices = st.session_state.setdefault("upload_choices", {}).setdefault(file.name, {})
    try:
        with st.spinner(f"Reading {for_markdown(file.name)} safely and checking every row…"):
            prepared = uploading.prepare_file(
                engine,
                file.getvalue(),
                file.name,
                reference_data(),
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
    return prepared, choices


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


def tracker_picker(prepared: uploading.PreparedUpload, key: str) -> str | None:
    """Which stored tracker this upload replaces: suggested, and the user's to change."""
    parsed, choice, known = prepared.parsed, prepared.tracker, prepared.known
    if choice is None or parsed.rows is None:
        return None
    options, labels = upload_view.tracker_options(choice, known, parsed.file_name)
    picked = st.selectbox(
        "This upload",
        options,
        # every option has a label; .get (not [ ]) lets a stale choice in the session fall away
        format_func=cast("Callable[[str], str]", labels.get),
        key=key,
        help="Migrations missing from a tracker's newest upload leave the "
        "picture, so say which tracker this file replaces.",
    )
    words = upload_view.replacement_words(picked, parsed.rows.migrations, known)
    if words:
        # the tracker's name is as its file was named: shown as typed
        st.caption(words.replace(f'"{picked}"', f'"{for_markdown(picked)}"', 1))
    return picked


def _remember_mapping(file_name: str, mapping: dict[str, str]) -> None:
    st.session_state.setdefault("hand_mapping", {})[file_name] = mapping
    st.rerun()


def suggestion_buttons(parsed, mapping: dict, file_name: str) -> None:
    """One click to use a column the header matching did not, as the field it looks like."""
    for header, field_key, label in upload_view.suggestions(parsed):
        left, right = st.columns([3, 1])
        left.markdown(f"Column **{for_markdown(header)}** is not used — did you mean *{label}*?")
        if right.button(f"Use it as {label}", key=f"suggest-{file_name}-{header}"):
            _remember_mapping(file_name, {**(mapping or {}), header: field_key})


def what_was_found(prepared: uploading.PreparedUpload, file_name: str) -> None:
    """The reader's notes, the mapping in use with suggestions, and the mapping to edit."""
    parsed, mapping = prepared.parsed, prepared.mapping
    st.subheader("What was found")
    for note in parsed.notes:
        st.markdown(f"- {for_markdown(note)}")
    if mapping:
        st.caption(
            "Using your column mapping for this tracker: "
            + ", ".join(f"{for_markdown(h)} → {k}" for h, k in mapping.items())
        )
    suggestion_buttons(parsed, mapping, file_name)
    with st.expander(
        "Column mapping", expanded=parsed.match is None or bool(parsed.match.unmapped)
    ):
        st.caption(
            "Each column in your file and the field it feeds. Change any of them; the "
            "mapping is remembered for this tracker's next upload."
        )
        edited = st.data_editor(
            upload_view.mapping_table(parsed),
            hide_index=True,
            width="stretch",
            disabled=["Column in your file"],
            column_config={
                "Maps to": st.column_config.SelectboxColumn(
                    "Maps to", options=upload_view.FIELD_CHOICES, required=False
                )
            },
            key=f"mapping-{file_name}",
        )
        if st.button("Apply this mapping", icon=":material/sync_alt:"):
            _remember_mapping(file_name, upload_view.mapping_from_table(edited))


def checks(parsed, file_name: str) -> dict[str, int]:
    """The counts, and the validation report with its downloads; the counts are returned."""
    counts = upload_view.counts(parsed)
    cols = st.columns(4)
    cols[0].metric("Rows read", counts["rows_read"])
    cols[1].metric("Valid migrations", counts["valid"])
    cols[2].metric("Errors", counts["errors"], help="Rows with errors cannot be trusted.")
    cols[3].metric("Warnings", counts["warnings"], help="Stored, but worth a look.")
    report = parsed.problems_frame()
    if report.empty:
        st.success("Every row passed the checks.", icon=":material/check_circle:")
        return counts
    st.markdown(
        "**Validation report** — the sheet, the row as numbered in Excel, and the "
        "column as headed in your file."
    )
    show_table(upload_view.report_table(report))
    stem = file_stem(Path(file_name).stem + " validation report")
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
    return counts


def store_choice(prepared: uploading.PreparedUpload, counts: dict[str, int]) -> str | None:
    """The buttons to store the upload, its valid rows only, or discard it: "all", "valid" or
    None. A file already stored says so."""
    stored_as = prepared.identical_to
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
    file_name = prepared.parsed.file_name
    if discard.button("Refuse and discard", icon=":material/delete:"):
        st.info(
            f"{for_markdown(file_name)} was not stored. Fix the cells listed and upload it again."
        )
    return choice


def store_upload(
    engine: sa.Engine,
    prepared: uploading.PreparedUpload,
    choice: str,
    *,
    uploaded_by: str,
    as_at: dt.date,
    tracker: str | None,
) -> None:
    """Store the upload as chosen; once stored, the file box is cleared for the next tracker."""
    file_name = prepared.parsed.file_name
    with st.status(f"Storing {for_markdown(file_name)}…", expanded=True) as status:
        st.write("Writing the upload and its rows in one transaction…")
        outcome = uploading.commit(
            engine,
            prepared,
            uploaded_by=uploaded_by.strip() or "unnamed",
            uploaded_at=dt.datetime.now(dt.UTC),
            as_at=as_at,
            accept_valid_rows=choice == "valid",
            tracker=tracker,
        )
        state: Literal["complete", "error"] = "complete" if outcome.exit_code == 0 else "error"
        status.update(label=for_markdown(outcome.message), state=state)
    if outcome.exit_code == 0:
        _stored()
        st.session_state["upload_flash"] = for_markdown(outcome.message)
        # a new key after each stored upload clears the file box for the next tracker
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
        st.rerun()  # redraw the data line, banner and history with the new upload
    else:
        st.error(for_markdown(outcome.message))


def upload_history(engine: sa.Engine) -> None:
    """Every upload, and one picked: its original file, rows set aside and problems recorded."""
    st.divider()
    st.subheader("Upload history")
    uploads = store.list_uploads(engine)
    if uploads.empty:
        st.caption("Nothing uploaded yet.")
        return
    show_table(upload_view.history_table(uploads))
    picked = st.selectbox(
        "Look at an upload",
        uploads["upload_id"].tolist(),
        format_func=upload_view.upload_label(uploads),
    )
    name, original = store.upload_content(engine, picked)
    # .at is any scalar to the stubs; file_kind is text
    kind = cast(str, uploads.set_index("upload_id").at[picked, "file_kind"])
    st.download_button(
        f"Download the original file ({for_markdown(name)})",
        upload_view.original_file(original, kind),
        name,
        icon=":material/download:",
        key="original",
    )
    aside = store.set_aside_rows(engine, picked)
    if aside.empty:
        st.caption("No rows were set aside from this upload.")
    else:
        st.markdown(f"**{len(aside)} row(s) set aside** from this upload, with their reasons:")
        show_table(upload_view.set_aside_table(aside))
    problems = store.upload_problems(engine, picked)
    if not problems.empty:
        with st.expander(f"Problems recorded with this upload ({len(problems)})"):
            show_table(upload_view.report_table(problems))
