"""The shared filters: the sidebar's widgets, the link (URL) they are shared by, and what a
link asked for that is not shown."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from regiondash import store
from regiondash.metrics import STATUS_LABELS
from regiondash.scope import (
    FILTER_COLUMNS,
    FILTER_LABELS,
    FILTER_NOUNS,
    NOT_A_DATE,
    NOT_A_STATUS,
    NOT_WITHIN,
    Filters,
    LinkProblem,
    check_against_data,
    filter_options,
    option_labels,
    parse_query,
)
from regiondash.statuses import STATUSES
from regiondash.ui.data import (
    AS_AT_KEY,
    WIDGET_KEY,
    Context,
    database_url,
    empty_context,
    engine_for,
    follow_new_uploads,
    latest_as_at,
    make_context,
    picture,
    quiet_context,
)
from regiondash.ui.widgets import image_format_choice


def _init_from_url() -> None:
    """On a session's first run, take the filters from the link it was opened with. What the
    link asks for that is not well formed is left out now; values the data lacks are left out
    (and said so) by _filter_widgets, once the data as at the chosen date is loaded."""
    if st.session_state.get("_filters_from_url"):
        return
    st.session_state["_filters_from_url"] = True
    shared, problems = parse_query(st.query_params.to_dict())
    for name, values in shared.selections().items():
        if values:
            st.session_state[WIDGET_KEY.format(name)] = list(values)
    if shared.as_at is not None:
        st.session_state[WIDGET_KEY.format("as_at")] = shared.as_at
    st.session_state[_LINK_CHECK] = (shared, problems)


def reset_filters() -> None:
    """Clear every filter and the chosen as-at date (a button callback).

    Each widget's value is set, not deleted: a widget whose key is deleted is drawn again with
    its default, but the browser keeps showing its old choice and sends it back on the next run
    (so a cleared Status came back on the next page, and into the link)."""
    for name in FILTER_COLUMNS:
        st.session_state[WIDGET_KEY.format(name)] = []
    key = WIDGET_KEY.format("as_at")
    uploads = store.list_uploads(engine_for(database_url()))
    if uploads.empty:
        st.session_state.pop(key, None)
    else:
        st.session_state[key] = pd.Timestamp(uploads["as_at"].max()).date()
    st.session_state.pop(_LINK_CHECK, None)
    st.session_state.pop(_LINK_PROBLEMS, None)
    st.query_params.clear()


def _labelled_by(labels: dict[str, str]) -> Callable[[str], str]:
    """A format_func: a value's label, else the value itself."""
    return lambda value: labels.get(value, value)


def _filter_widgets(overview: pd.DataFrame, as_at: dt.date | None) -> Filters:
    pending = st.session_state.pop(_LINK_CHECK, None)
    if pending is not None:
        _check_link(overview, *pending)
    chosen: dict[str, tuple[str, ...]] = {}
    for name in FILTER_COLUMNS:
        partial = Filters(**chosen, as_at=None)  # as_at named: chosen holds only the filters
        options = filter_options(overview, partial, name)
        key = WIDGET_KEY.format(name)
        if key in st.session_state:
            # a narrower parent filter may leave values no longer on offer (a link's values are
            # checked, and any left out said so, by _check_link)
            st.session_state[key] = [v for v in st.session_state[key] if v in options]
        labels = option_labels(overview, name)
        if name == "status":
            labels = STATUS_LABELS
        values = st.sidebar.multiselect(
            FILTER_LABELS[name],
            options,
            key=key,
            placeholder="All",
            format_func=_labelled_by(labels),
        )
        chosen[name] = tuple(values)
    filters = Filters(**chosen, as_at=as_at)
    _link_warnings(filters)
    return filters


_LINK_CHECK = "_link_to_check"  # (filters, problems) from the link, until the data is loaded
_LINK_PROBLEMS = "_link_problems"  # (messages, the filters shown then)
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+!|~$:.])")


def _check_link(overview: pd.DataFrame, requested: Filters, problems: list[LinkProblem]) -> None:
    """Leave out what the link asked for that the data as at the chosen date lacks, and keep
    the words saying so for _link_warnings."""
    kept, missing = check_against_data(overview, requested)
    for name, values in requested.selections().items():
        if values:
            st.session_state[WIDGET_KEY.format(name)] = list(getattr(kept, name))
    as_at = st.session_state.get(WIDGET_KEY.format("as_at"))
    order = ["as_at", *FILTER_COLUMNS]  # as the sidebar lists them
    found = sorted([*problems, *missing], key=lambda p: order.index(p.name))
    messages = [link_message(p, as_at) for p in found]
    if messages:
        st.session_state[_LINK_PROBLEMS] = (messages, None)


def _link_warnings(filters: Filters) -> None:
    """Say what the link asked for and is not shown, for as long as the filters are still the
    ones the link gave (a changed filter or Reset filters ends it)."""
    stored = st.session_state.get(_LINK_PROBLEMS)
    if stored is None:
        return
    messages, shown = stored
    if shown is None:
        st.session_state[_LINK_PROBLEMS] = (messages, filters)
    elif shown != filters:
        del st.session_state[_LINK_PROBLEMS]
        return
    for message in messages:
        st.warning(message, icon=":material/link_off:")


def _quoted(values: tuple[str, ...], limit: int = 5) -> str:
    """Values from a link, as plain text (no markdown, links or icons) and at most `limit`."""
    shown = [" ".join(v.split())[:40] for v in values[:limit]]
    shown = [_MARKDOWN_SPECIALS.sub(r"\\\1", v) for v in shown]
    if len(values) > limit:
        shown.append(f"{len(values) - limit} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def link_message(problem: LinkProblem, as_at: dt.date | None) -> str:
    """One sentence saying what a link asked for, why it is not shown, and what is shown."""
    one, many = FILTER_NOUNS[problem.name]
    several = len(problem.values) > 1
    asked = f"{many if several else one} {_quoted(problem.values)}"
    which = "which are" if several else "which is"
    when = f"{as_at:%-d %b %Y}" if as_at else "the latest date"
    if problem.reason == NOT_A_DATE:
        return (
            f"The link asks for data as at {_quoted(problem.values)}, which is not a date "
            f"(links give dates as YYYY-MM-DD); showing the latest data, as at {when}."
        )
    if problem.kept:
        showing = f"showing {many if len(problem.kept) > 1 else one} {_quoted(problem.kept)} only"
    else:
        showing = f"showing all {many}"
    if problem.reason == NOT_A_STATUS:
        statuses = ", ".join(STATUSES)
        why = f"not a migration status ({statuses})"
    elif problem.reason == NOT_WITHIN:
        above = " and ".join(f"{FILTER_NOUNS[n][0]} {_quoted(v)}" for n, v in problem.within)
        why = f"not within {above}"
    else:
        why = f"not in the data as at {when}"
    return f"The link asks for {asked}, {which} {why}; {showing}."


def build_context(render_filters: bool = True) -> Context:
    """Load uploads, draw the shared filters in the sidebar, and compute the data in view."""
    if not render_filters:
        return quiet_context()
    url = database_url()
    engine = engine_for(url)
    uploads = store.list_uploads(engine)
    if uploads.empty:
        return empty_context(url, engine, uploads)
    latest = latest_as_at(uploads)
    key = AS_AT_KEY
    follow_new_uploads(key, latest)
    _init_from_url()
    st.sidebar.markdown("### Filters")
    st.session_state.setdefault(key, latest)
    chosen_as_at = st.sidebar.date_input(
        "As at",
        key=key,
        format="DD/MM/YYYY",
        help="Figures are computed as at this date, from the uploads made as at or before it."
        " Default: the latest upload's as-at date.",
    )
    version = (len(uploads), int(uploads["upload_id"].max()))
    all_overview, _ = picture(url, version, chosen_as_at)
    filters = _filter_widgets(all_overview, None if chosen_as_at == latest else chosen_as_at)
    st.sidebar.button("Reset filters", on_click=reset_filters, width="stretch")
    st.sidebar.divider()
    image_format_choice()
    st.query_params.from_dict(filters.to_query())
    return make_context(url, engine, uploads, chosen_as_at, latest, filters)
