"""The one domain-side module that imports Streamlit: caching, the shared filters, the data line
and the chart/download helpers every page uses."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from regiondash import exports, freshness, metrics, risks, sources, store
from regiondash.metrics import STATUS_LABELS
from regiondash.reference import Reference, load_reference
from regiondash.report import exports as report_exports
from regiondash.report import images
from regiondash.scope import (
    FILTER_COLUMNS,
    FILTER_LABELS,
    FILTER_NOUNS,
    NOT_A_DATE,
    NOT_A_STATUS,
    NOT_WITHIN,
    Filters,
    LinkProblem,
    apply_filters,
    check_against_data,
    filter_options,
    option_labels,
    parse_query,
)
from regiondash.statuses import STATUSES
from regiondash.text import for_markdown, for_plotly

SECRET_KEY = "database_url"
STALE_ENV = "REGIONDASH_STALE_AFTER_DAYS"
_LATEST_SEEN = "_latest_upload_seen"
REFERENCE_ENV = "REGIONDASH_REFERENCE_CSV"
_WIDGET = "filter_{}"
_CONTEXT = "_regiondash_context"


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
        lambda: risks.assess(*picture(ctx.url, ctx.version, ctx.as_at), ctx.as_at),
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
        reference_date = self.as_at if self.picked_as_at or self.as_at is None else today()
        reference_date = max(reference_date, self.as_at) if self.as_at else reference_date
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
        st.session_state[_CONTEXT] = build_context(render_filters=False)
    return st.session_state[_CONTEXT]


def _empty_overview() -> pd.DataFrame:
    return pd.DataFrame(columns=["migration_id", *FILTER_COLUMNS.values(), "overrunning"])


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
            st.session_state[_WIDGET.format(name)] = list(values)
    if shared.as_at is not None:
        st.session_state[_WIDGET.format("as_at")] = shared.as_at
    st.session_state[_LINK_CHECK] = (shared, problems)


def reset_filters() -> None:
    """Clear every filter and the chosen as-at date (a button callback).

    Each widget's value is set, not deleted: a widget whose key is deleted is drawn again with
    its default, but the browser keeps showing its old choice and sends it back on the next run
    (so a cleared Status came back on the next page, and into the link)."""
    for name in FILTER_COLUMNS:
        st.session_state[_WIDGET.format(name)] = []
    key = _WIDGET.format("as_at")
    uploads = store.list_uploads(engine_for(database_url()))
    if uploads.empty:
        st.session_state.pop(key, None)
    else:
        st.session_state[key] = pd.Timestamp(uploads["as_at"].max()).date()
    st.session_state.pop(_LINK_CHECK, None)
    st.session_state.pop(_LINK_PROBLEMS, None)
    st.query_params.clear()


def _filter_widgets(overview: pd.DataFrame, as_at: dt.date | None) -> Filters:
    pending = st.session_state.pop(_LINK_CHECK, None)
    if pending is not None:
        _check_link(overview, *pending)
    chosen: dict[str, tuple[str, ...]] = {}
    for name in FILTER_COLUMNS:
        partial = Filters(**chosen)
        options = filter_options(overview, partial, name)
        key = _WIDGET.format(name)
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
            format_func=lambda v, labels=labels: labels.get(v, v),
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
            st.session_state[_WIDGET.format(name)] = list(getattr(kept, name))
    as_at = st.session_state.get(_WIDGET.format("as_at"))
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
    url = database_url()
    engine = engine_for(url)
    uploads = store.list_uploads(engine)
    if uploads.empty:
        empty = _empty_overview()
        ctx = Context(url, engine, uploads, None, Filters(), empty, pd.DataFrame(), empty)
        st.session_state[_CONTEXT] = ctx
        return ctx
    latest = pd.Timestamp(uploads["as_at"].max()).date()
    key = _WIDGET.format("as_at")
    _follow_new_uploads(key, latest)
    chosen_as_at = latest
    if render_filters:
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
    else:
        chosen_as_at = st.session_state.get(key, latest)
    version = (len(uploads), int(uploads["upload_id"].max()))
    all_overview, _ = picture(url, version, chosen_as_at)
    if render_filters:
        filters = _filter_widgets(all_overview, None if chosen_as_at == latest else chosen_as_at)
        st.sidebar.button("Reset filters", on_click=reset_filters, width="stretch")
        st.sidebar.divider()
        image_format_choice()
        st.query_params.from_dict(filters.to_query())
    else:
        filters = Filters()
    overview, phases = view(url, version, chosen_as_at, filters)
    in_picture = trackers_in_picture(url, version, chosen_as_at)
    ctx = Context(
        url,
        engine,
        uploads,
        chosen_as_at,
        filters,
        overview,
        phases,
        all_overview,
        in_picture,
        chosen_as_at != latest,
    )
    st.session_state[_CONTEXT] = ctx
    return ctx


def _follow_new_uploads(key: str, latest: dt.date) -> None:
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
        source = for_plotly(images.source_line(ctx.uploads, ctx.as_at))
        slide = images.slide_figure(fig, name, ctx.as_at, source)
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
    as_at, source = ctx.as_at, images.source_line(ctx.uploads, ctx.as_at)
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
        lambda: report_exports.table_xlsx(table, name, as_at, source=source),
        f"{stem}.xlsx",
        key=f"xlsx-{key}",
        icon=":material/table_view:",
    )


def show_table(table: pd.DataFrame, height: int | str = "auto") -> None:
    """A table with dates shown as dd/mm/yyyy and empty cells left empty."""
    config: dict[str, object] = {
        column: st.column_config.DateColumn(column, format="DD/MM/YYYY")
        for column in table.columns
        if pd.api.types.is_datetime64_any_dtype(table[column])
    }
    for column in ("Problem", "Reasons"):  # the sentences people need to read whole
        if column in table.columns:
            config[column] = st.column_config.TextColumn(column, width="large")
    st.dataframe(table, hide_index=True, width="stretch", column_config=config, height=height)


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


def definitions_link(text: str = "What does this mean?") -> None:
    """A link to the definitions page."""
    st.page_link("app_pages/definitions.py", label=text, icon=":material/help:")


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
