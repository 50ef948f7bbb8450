"""Data loading and caching for the pages: the database, the reference, the cached picture
and views of it, and the Context every page reads."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from regiondash import freshness, metrics, risks, sources, store
from regiondash.reference import Reference, load_reference
from regiondash.scope import (
    FILTER_COLUMNS,
    Filters,
    apply_filters,
)

SECRET_KEY = "database_url"
STALE_ENV = "REGIONDASH_STALE_AFTER_DAYS"
_LATEST_SEEN = "_latest_upload_seen"
REFERENCE_ENV = "REGIONDASH_REFERENCE_CSV"
WIDGET_KEY = "filter_{}"
_CONTEXT = "_regiondash_context"
AS_AT_KEY = WIDGET_KEY.format("as_at")  # the sidebar's As at widget


def database_url() -> str:
    """Streamlit secret `database_url`, else $REGIONDASH_DATABASE_URL, else the embedded file."""
    try:
        secret = st.secrets.get(SECRET_KEY)
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        secret = None
    return store.database_url(secret or None)


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> sa.Engine:
    """One engine per database URL for the whole server."""
    return store.connect(url)


@st.cache_resource(show_spinner=False)
def reference_data() -> Reference:
    """The practice mapping ($REGIONDASH_REFERENCE_CSV, else the bundled January 2026 file)."""
    return load_reference(os.environ.get(REFERENCE_ENV) or None)


# cache_resource, not cache_data: the frames are shared read-only (pages never assign into them),
# which spares unpickling ~100,000 rows on every rerun at national scale.
@st.cache_resource(show_spinner="Working out the regional picture…", max_entries=16)
def picture(
    url: str, version: tuple[int, int], as_at: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(overview, phase table) as at a date; cached until an upload changes `version`."""
    engine = engine_for(url)
    migrations, phases = store.current_picture(engine, as_at)
    history = go_live_history(url, version, as_at)
    overview = metrics.migration_overview(migrations, phases, as_at, history)
    table = metrics.phase_status(phases, as_at)
    return overview, table


@st.cache_resource(show_spinner=False, max_entries=8)
def go_live_history(url: str, version: tuple[int, int], as_at: dt.date | None) -> pd.DataFrame:
    """The go-live dates as each upload up to the date recorded them, for slippage; cached
    until an upload changes `version`."""
    return store.phase_history(engine_for(url), "go_live", as_at)


def risk_flags(ctx: Context) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(flags, computed RAG, tracker RAG differs) for the migrations in view.

    The rules are checked on the whole picture, then the migrations in view are taken: a rule
    such as the go-live capacity clash counts every go-live that week, so a practice's RAG does
    not change with the sidebar's filters."""
    whole = _memo_store().get(
        (ctx.url, ctx.version, ctx.as_at, "risk-flags-whole-picture"),
        lambda: risks.assess(*picture(ctx.url, ctx.version, ctx.as_at_date), ctx.as_at_date),
    )
    ids = ctx.overview["migration_id"].tolist()
    flags, computed, differs = whole
    return flags.loc[ids], computed.loc[ids], differs.loc[ids]


# Up to this many upload dates the trend is drawn with the page; past it, on request: each date
# is a whole picture to work out (about half a second at national scale), cached once made.
TREND_AT_ONCE = 4


def trend_dates(ctx: Context) -> list[dt.date]:
    """The upload dates the overrunning trend has a point for: each on or before the view's."""
    dates = sorted({pd.Timestamp(d).date() for d in ctx.uploads["as_at"]})
    return [d for d in dates if ctx.as_at is None or d <= ctx.as_at]


def overrunning_over_time(ctx: Context) -> pd.DataFrame:
    """Overrunning migrations (with the current filters) as at each upload's as-at date, with a
    progress bar while it is worked out; the counts are kept (shared by every session), the
    pictures behind them are not: a year of them would fill the memory."""
    dates = tuple(trend_dates(ctx))
    key = (ctx.url, ctx.version, ctx.as_at, ctx.filters, dates, "overrunning-trend")
    return _memo_store().get(key, lambda: _trend(ctx.engine, ctx.filters, dates))


def _trend(engine: sa.Engine, filters: Filters, dates: tuple[dt.date, ...]) -> pd.DataFrame:
    rows = []
    bar = st.progress(0.0, text="Working out the picture as at each upload date…")
    for number, day in enumerate(dates, start=1):
        migrations, phases = store.current_picture(engine, day)
        history = store.phase_history(engine, "go_live", day)
        overview = metrics.migration_overview(migrations, phases, day, history)
        scoped = apply_filters(overview, filters)
        overrunning = int(scoped["overrunning"].sum())
        moment = pd.Timestamp(day)
        rows.append({"as_at": moment, "series": "Overrunning migrations", "value": overrunning})
        rows.append({"as_at": moment, "series": "Migrations in scope", "value": len(scoped)})
        bar.progress(number / len(dates), text=f"As at {day:%-d %b %Y} ({number} of {len(dates)})")
    bar.empty()
    return pd.DataFrame(rows, columns=["as_at", "series", "value"])


@st.cache_resource(show_spinner=False, max_entries=32)
def view(
    url: str, version: tuple[int, int], as_at: dt.date, filters: Filters
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(overview, phases) of the migrations the filters keep; cached per filter choice."""
    overview, table = picture(url, version, as_at)
    if filters.is_default():
        return overview, table
    chosen = apply_filters(overview, filters)
    return chosen, table[table["migration_id"].isin(chosen["migration_id"])]


class _Memo:
    """A small least-recently-used store of page results, shared by every session."""

    def __init__(self, size: int = 128):
        self.size = size
        self.items: OrderedDict[tuple, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, compute):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = compute()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


@st.cache_resource(show_spinner=False)
def _memo_store() -> _Memo:
    return _Memo()


@dataclass
class Context:
    """What every page needs: the data in view, as at when, and where it came from."""

    url: str
    engine: sa.Engine
    uploads: pd.DataFrame
    as_at: dt.date | None
    filters: Filters
    overview: pd.DataFrame  # migrations in view, with status and overrun columns
    phases: pd.DataFrame  # their phase rows with overrun flags
    all_overview: pd.DataFrame  # every migration as at the date, before filters
    in_picture: pd.DataFrame = field(default_factory=pd.DataFrame)  # store.picture_uploads
    picked_as_at: bool = False  # the user chose the as-at date (else the latest upload's)

    @property
    def version(self) -> tuple[int, int]:
        """Changes whenever an upload is stored, so caches keyed on it refresh."""
        if self.uploads.empty:
            return (0, 0)
        return (len(self.uploads), int(self.uploads["upload_id"].max()))

    @property
    def as_at_date(self) -> dt.date:
        """as_at, for a page past empty_state: only the empty context (no uploads) has none."""
        if self.as_at is None:
            raise ValueError("no uploads, so no as-at date: the page should stop at empty_state")
        return self.as_at

    @property
    def key(self) -> tuple:
        """Identifies the data in view: database, uploads, as-at date and filters."""
        return (self.url, self.version, self.as_at, self.filters)

    def memo(self, label: str, compute, *extra):
        """compute() once per data in view (and extra arguments), then reuse the result: page
        figures and tables are pure functions of the data, so reruns need not rebuild them."""
        return _memo_store().get((*self.key, label, *extra), compute)

    @property
    def is_demo(self) -> bool:
        """True when the data shown is the fictional demo region (its uploads carry the flag)."""
        shown = self.in_picture
        return not shown.empty and bool(shown["is_demo"].all())

    def tracker_ages(self) -> pd.DataFrame:
        """Each tracker in view with its as-at date and age (freshness.tracker_ages): to the
        picked as-at date, else to today, so a tracker not updated for weeks says so."""
        as_at = self.as_at
        if as_at is None:  # the empty context: no uploads, so no trackers (the date goes unused)
            reference_date = today()
        else:
            reference_date = as_at if self.picked_as_at else max(today(), as_at)
        return self.memo(
            "tracker-ages",
            lambda: freshness.tracker_ages(
                self.in_picture, self.overview, self.phases, reference_date, stale_after_days()
            ),
            reference_date,
        )

    @property
    def empty(self) -> bool:
        """True when there is nothing in view."""
        return self.overview.empty


def context() -> Context:
    """The context app.py built for this run (pages call this)."""
    if _CONTEXT not in st.session_state:
        st.session_state[_CONTEXT] = quiet_context()
    return st.session_state[_CONTEXT]


def _empty_overview() -> pd.DataFrame:
    return pd.DataFrame(columns=["migration_id", *FILTER_COLUMNS.values(), "overrunning"])


def empty_context(url: str, engine: sa.Engine, uploads: pd.DataFrame) -> Context:
    """The context of a database with no uploads yet."""
    empty = _empty_overview()
    ctx = Context(url, engine, uploads, None, Filters(), empty, pd.DataFrame(), empty)
    st.session_state[_CONTEXT] = ctx
    return ctx


def latest_as_at(uploads: pd.DataFrame) -> dt.date:
    """The latest upload's as-at date: what the picture is as at unless a date is picked."""
    return pd.Timestamp(uploads["as_at"].max()).date()


def make_context(
    url: str,
    engine: sa.Engine,
    uploads: pd.DataFrame,
    as_at: dt.date,
    latest: dt.date,
    filters: Filters,
) -> Context:
    """The data in view as at a date with the filters, kept as this run's context."""
    version = (len(uploads), int(uploads["upload_id"].max()))
    all_overview, _ = picture(url, version, as_at)
    overview, phases = view(url, version, as_at, filters)
    in_picture = trackers_in_picture(url, version, as_at)
    ctx = Context(
        url,
        engine,
        uploads,
        as_at,
        filters,
        overview,
        phases,
        all_overview,
        in_picture,
        as_at != latest,
    )
    st.session_state[_CONTEXT] = ctx
    return ctx


def quiet_context() -> Context:
    """The context without drawing the sidebar: the date the session picked, no filters."""
    url = database_url()
    engine = engine_for(url)
    uploads = store.list_uploads(engine)
    if uploads.empty:
        return empty_context(url, engine, uploads)
    latest = latest_as_at(uploads)
    follow_new_uploads(AS_AT_KEY, latest)
    as_at = st.session_state.get(AS_AT_KEY, latest)
    return make_context(url, engine, uploads, as_at, latest, Filters())


def follow_new_uploads(key: str, latest: dt.date) -> None:
    """A session showing the latest data moves to a newer upload's date on its next run; a date
    the user picked stays picked."""
    seen = st.session_state.get(_LATEST_SEEN)
    if seen is not None and seen != latest and st.session_state.get(key) in (seen, None):
        st.session_state[key] = latest
    st.session_state[_LATEST_SEEN] = latest


@st.cache_resource(show_spinner=False, max_entries=16)
def trackers_in_picture(url: str, version: tuple[int, int], as_at: dt.date) -> pd.DataFrame:
    """The uploads that make the picture as at the date: each tracker's latest."""
    return store.picture_uploads(engine_for(url), as_at)


def today() -> dt.date:
    """Today's date in England: what "days old" is measured to when no date is picked."""
    return dt.datetime.now(ZoneInfo("Europe/London")).date()


def stale_after_days() -> int:
    """Streamlit secret `stale_after_days`, else $REGIONDASH_STALE_AFTER_DAYS, else 14."""
    try:
        secret = st.secrets.get("stale_after_days")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        secret = None
    value = secret or os.environ.get(STALE_ENV) or freshness.STALE_AFTER_DAYS
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return freshness.STALE_AFTER_DAYS


def configured_sources() -> tuple[dict, str | None]:
    """Tracking databases configured in regiondash-sources.toml or Streamlit secrets, and the
    configuration problem if there is one (shown on the page, never raised)."""
    try:
        secrets = st.secrets.to_dict() if st.secrets else None
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        secrets = None
    try:
        return sources.load_sources(secrets=secrets), None
    except sources.SourceProblem as problem:
        return {}, problem.message


def database_problem(error: BaseException) -> str:
    """The one plain message every visitor sees when the database cannot be opened or used:
    where (password masked), why in one line, and who can fix it."""
    from regiondash.store.engine import describe_url, failure_reason

    url = database_url()
    reason = failure_reason(error, url).rstrip(".")
    if reason.startswith("the database is read-only"):
        return (
            f"The dashboard can read its database ({describe_url(url)}) but not store into it: "
            f"{reason}. Ask whoever runs regiondash for a writable database_url to upload."
        )
    return (
        f"The dashboard cannot reach its database ({describe_url(url)}): {reason}. "
        "Ask whoever runs regiondash to check its database_url."
    )
