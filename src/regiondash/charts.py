"""Plotly figure builders: DataFrames and an as-at date in, Figures out. A handful of traces each
(by phase, system, sub-ICB or RAG), never one trace per practice."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from regiondash import spread
from regiondash.asat import judged_at
from regiondash.calendar import busy_periods
from regiondash.phases import PHASE_BY_KEY, PHASE_KEYS, PHASES
from regiondash.statuses import CANCELLED, ON_HOLD, STATUS_LABELS
from regiondash.style import (
    BUSY_COLOURS,
    FONT,
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_PALE_GREY,
    PHASE_COLOURS,
    RAG_RED,
    SEQUENCE,
    SYSTEM_COLOURS,
    name_case_series,
)
from regiondash.text import for_plotly

DAY_MS = 86_400_000
MAX_STACKS = spread.MAX_STACKS  # stacked series before the rest fold into "Others"
MAX_BARS = 15  # bars in a count chart before the smallest are left to the CSV
POINTS_PER_PHASE = 300  # duration points drawn per phase
BUSY_LEGEND = spread.BUSY_NAMES
MILESTONE_MARKERS = {
    "initial_data_production": ("IDP", "diamond"),
    "final_data_production": ("FDP", "square"),
    "go_live": ("Go live", "star"),
}


def _layout(fig: go.Figure, title: str, as_at: dt.date, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": f"{title}<br><sup>as at {as_at:%-d %b %Y}</sup>", "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 13, "color": "#212B32"},
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 30, "t": 70, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0},
        hoverlabel={"font_family": FONT},
    )
    return fig


def _as_at_line(fig: go.Figure, as_at: dt.date) -> None:
    fig.add_vline(x=pd.Timestamp(as_at), line_width=2, line_dash="dash", line_color=NHS_DARK_GREY)
    # the label sits just above the plot area, where it cannot cover a bar
    fig.add_annotation(
        x=pd.Timestamp(as_at),
        y=1,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=f"As at {as_at:%-d %b}",
        font={"size": 11, "color": NHS_DARK_GREY},
    )


def phase_label(key: str) -> str:
    """The guide's name for a phase key, or a readable label for a status word."""
    if key in PHASE_BY_KEY:
        return PHASE_BY_KEY[key].name
    return {"not_started": "Not started", "completed": "Completed"}.get(key, key)


def migration_label(frame: pd.DataFrame) -> pd.Series:
    """A short row label for a migration: practice name (ODS code), with the target system added
    where a practice has more than one migration, so each migration keeps its own row."""
    names = name_case_series(frame["practice_name"].fillna(""))
    names = names.where(names.str.len() <= 32, names.str.slice(0, 31) + "…")
    labels = names + " (" + frame["ods_code"] + ")"
    repeated = frame["ods_code"].duplicated(keep=False)
    labels = labels.where(~repeated, labels + " → " + frame["target_system"].fillna("?"))
    still = labels.duplicated(keep=False)
    return labels.where(~still, labels + " #" + (labels.groupby(labels).cumcount() + 1).astype(str))


def gantt(
    overview: pd.DataFrame,
    phases: pd.DataFrame,
    as_at: dt.date,
    title: str = "Migration timeline",
    risk_counts: pd.Series | None = None,
) -> go.Figure:
    """A tracking Gantt: actual phase bars over a thin planned baseline, milestone markers, the
    as-at line, and overruns flagged in words as well as colour. One row per migration in the
    order given (callers page through so a chart holds ~60 rows)."""
    # practice names come from trackers: Plotly renders a subset of HTML in labels and hovers
    labels = migration_label(overview).map(for_plotly)
    label_of = dict(zip(overview["migration_id"], labels, strict=True))
    rows = phases[phases["migration_id"].isin(label_of)].copy()
    rows["label"] = rows["migration_id"].map(label_of)
    fig = go.Figure()
    planned = rows.dropna(subset=["planned_start", "planned_end"])
    fig.add_trace(
        go.Bar(
            name="Plan (baseline)",
            orientation="h",
            y=planned["label"],
            base=planned["planned_start"],
            x=((planned["planned_end"] - planned["planned_start"]).dt.days + 1) * DAY_MS,
            width=0.22,
            offset=0.12,
            marker={"color": "rgba(66,85,99,0.35)"},
            customdata=planned[["phase"]].assign(
                name=planned["phase"].map(phase_label),
                start=planned["planned_start"].dt.strftime("%d/%m/%Y"),
                end=planned["planned_end"].dt.strftime("%d/%m/%Y"),
            )[["name", "start", "end"]],
            hovertemplate="%{y}<br>%{customdata[0]} (plan)<br>%{customdata[1]} – %{customdata[2]}"
            "<extra></extra>",
        )
    )
    at = pd.Timestamp(as_at)
    # a running phase is drawn to the date its tracker is judged at, not past it; a cancelled
    # migration's phases stopped when it did, and overrun nothing
    rows["judged_at"] = judged_at(rows, as_at)
    if "status" in overview.columns:
        stopped = rows["migration_id"].isin(
            overview.loc[overview["status"] == CANCELLED, "migration_id"]
        )
        rows.loc[stopped, "judged_at"] = rows.loc[stopped, "actual_start"]
        if "overrun" in rows.columns:
            rows.loc[stopped, "overrun"] = False
    actual = rows.dropna(subset=["actual_start"]).copy()
    actual["end"] = actual["actual_end"].fillna(actual["judged_at"])
    actual = actual[actual["end"] >= actual["actual_start"]]
    for key in PHASE_KEYS:
        part = actual[actual["phase"] == key]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                name=PHASE_BY_KEY[key].name,
                orientation="h",
                y=part["label"],
                base=part["actual_start"],
                x=((part["end"] - part["actual_start"]).dt.days + 1) * DAY_MS,
                width=0.5,
                offset=-0.42,
                marker={"color": PHASE_COLOURS[key], "line": {"color": "white", "width": 0.5}},
                customdata=pd.DataFrame(
                    {
                        "start": part["actual_start"].dt.strftime("%d/%m/%Y"),
                        "end": part["actual_end"].dt.strftime("%d/%m/%Y").fillna("not finished"),
                    }
                ),
                hovertemplate=f"%{{y}}<br>{PHASE_BY_KEY[key].name} (actual)<br>"
                "%{customdata[0]} – %{customdata[1]}<extra></extra>",
            )
        )
    if "overrun" in rows:
        # one trace outlines every overrun phase, so the legend names the red outline
        late_rows = rows[rows["overrun"]].copy()
        late_rows["start"] = late_rows["actual_start"].fillna(late_rows["planned_start"])
        late_rows["end"] = late_rows["actual_end"].fillna(late_rows["judged_at"])
        late_rows = late_rows.dropna(subset=["start"])
        late_rows = late_rows[late_rows["end"] >= late_rows["start"]]
        fig.add_trace(
            go.Bar(
                name="Phase over plan",
                orientation="h",
                y=late_rows["label"],
                base=late_rows["start"],
                x=((late_rows["end"] - late_rows["start"]).dt.days + 1) * DAY_MS,
                width=0.5,
                offset=-0.42,
                hoverinfo="skip",
                marker={"color": "rgba(0,0,0,0)", "line": {"color": RAG_RED, "width": 2.5}},
            )
        )
    for key, (name, symbol) in MILESTONE_MARKERS.items():
        part = rows[rows["phase"] == key].copy()
        part["when"] = part["actual_start"].fillna(part["planned_start"])
        part = part.dropna(subset=["when"])
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                name=name,
                mode="markers",
                y=part["label"],
                x=part["when"],
                marker={
                    "symbol": symbol,
                    "size": 11,
                    "color": "white" if key != "go_live" else PHASE_COLOURS["go_live"],
                    "line": {"color": "#212B32", "width": 1.5},
                },
                customdata=part["actual_start"].notna().map({True: "actual", False: "planned"}),
                hovertemplate=f"%{{y}}<br>{name} %{{x|%d/%m/%Y}} (%{{customdata}})<extra></extra>",
            )
        )
    risky = (
        risk_counts.reindex(overview["migration_id"]).fillna(0).astype(int).to_numpy()
        if risk_counts is not None
        else np.zeros(len(overview), dtype=int)
    )
    noted = overview.assign(risks=risky)
    clash = noted.get("practice_clash", pd.Series(False, index=noted.index)).astype(bool)
    halted = noted.get("status", pd.Series("", index=noted.index)).isin([CANCELLED, ON_HOLD])
    noted = noted[noted["overrunning"] | (noted["risks"] > 0) | clash | halted.fillna(False)]
    if not noted.empty:
        # the note sits just after the row's last bar: its last date, or the as-at date while
        # a phase is still running
        running = rows["actual_start"].notna() & rows["actual_end"].isna()
        ends = rows.assign(last=rows[["planned_end", "actual_end"]].max(axis=1))
        ends.loc[running, "last"] = rows.loc[running, "judged_at"]
        last = ends.groupby("migration_id")["last"].max().reindex(noted["migration_id"])
        fig.add_trace(
            go.Scatter(
                name="Overrunning (⚠) / risk flags (⚑)",
                mode="text",
                y=noted["migration_id"].map(label_of),
                x=last.fillna(at).to_numpy(),
                text=[_row_note(r) for r in noted.itertuples()],
                textposition="middle right",
                textfont={
                    "size": 12,
                    "color": [
                        RAG_RED if r.overrunning else NHS_DARK_GREY for r in noted.itertuples()
                    ],
                },
                hoverinfo="skip",
            )
        )
    _as_at_line(fig, as_at)
    # the date axis sits on top of a Gantt, so its as-at label goes below the rows instead
    fig.layout.annotations[-1].update(y=0, yanchor="top")
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(labels), autorange="reversed", title=None
    )
    dates = pd.concat(
        [rows[c] for c in ("planned_start", "planned_end", "actual_start", "actual_end")]
    ).dropna()
    if not dates.empty:
        # room on the right for the overrun labels
        span = max(dates.max(), at) - dates.min()
        fig.update_xaxes(range=[dates.min() - span * 0.02, max(dates.max(), at) + span * 0.3])
    fig.update_xaxes(type="date", title=None, showgrid=True, gridcolor=NHS_PALE_GREY, side="top")
    fig.update_layout(barmode="overlay", bargap=0.2)
    _layout(fig, title, as_at, height=max(360, 140 + 24 * len(overview)))
    fig.update_layout(
        legend={
            "orientation": "v",
            "yanchor": "top",
            "y": 1,
            "xanchor": "left",
            "x": 1.01,
            "font": {"size": 11},
        },
        margin={"t": 110},
    )
    return fig


def _row_note(row) -> str:
    """The words after a Gantt row: overrun first, then how many risk flags."""
    parts = []
    if row.overrunning:
        days = max(int(row.days_overrun), 0)
        parts.append(f"⚠ overrunning ({days} d)" if days else "⚠ overrunning (go live moved)")
    if row.risks:
        parts.append(f"⚑ {row.risks} risk{'s' if row.risks != 1 else ''}")
    if getattr(row, "status", None) in (CANCELLED, ON_HOLD):
        parts.append(STATUS_LABELS[row.status].lower())
    if getattr(row, "practice_clash", False):
        parts.append("⇄ another migration in another tracker")
    return "  " + " · ".join(parts)


def count_bar(
    counts: pd.Series, title: str, as_at: dt.date, axis_title: str, colour: str = NHS_BLUE
) -> go.Figure:
    """A horizontal bar chart of counts, largest first, with the number on each bar; the 15
    largest when there are more (the title says so; the CSV has them all)."""
    if len(counts) > MAX_BARS:
        title = f"{title} (largest {MAX_BARS} of {len(counts)})"
        counts = counts.sort_values(ascending=False).head(MAX_BARS)
    counts = counts.sort_values(ascending=True)
    fig = go.Figure(
        go.Bar(
            x=counts.to_numpy(),
            y=[for_plotly(i) for i in counts.index],
            orientation="h",
            marker_color=colour,
            text=counts.to_numpy(),
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_xaxes(title=axis_title, rangemode="tozero")
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, title, as_at, height=max(260, 90 + 24 * len(counts)))


def phase_counts(current_phase: pd.Series, as_at: dt.date, title: str) -> go.Figure:
    """How many migrations sit in each phase now, in the guide's order, coloured by phase."""
    order = ["not_started", *PHASE_KEYS, "completed"]
    counts = current_phase.value_counts().reindex(order, fill_value=0)
    colours = [PHASE_COLOURS.get(k, "#AEB7BD") for k in order]
    fig = go.Figure(
        go.Bar(
            x=counts.to_numpy(),
            y=[phase_label(k) for k in order],
            orientation="h",
            marker_color=colours,
            text=counts.to_numpy(),
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x} migrations<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title=None, automargin=True)
    fig.update_xaxes(title="Migrations", rangemode="tozero")
    return _layout(fig, title, as_at, height=500)


def busy_shapes(periods, start: dt.date, end: dt.date, legend: bool = True) -> list[dict]:
    """The vrects shading busy periods between start and end, as layout shapes. Built as a list
    and set once: fig.add_vrect copies every shape already on the figure, so adding hundreds of
    periods (go-lives decades apart) one at a time took a minute."""
    seen: set[str] = set()
    shapes = []
    for period in periods:
        # a legend entry per kind of period, drawn once, so shading is named as well as coloured
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y domain",
                "y0": 0,
                "y1": 1,
                "x0": pd.Timestamp(max(period.start, start)),
                "x1": pd.Timestamp(min(period.end, end)) + pd.Timedelta(days=1),
                "fillcolor": BUSY_COLOURS[period.kind],
                "line": {"width": 0},
                "layer": "below",
                "name": BUSY_LEGEND.get(period.kind, period.label),
                "showlegend": legend and period.kind not in seen,
                "legendgroup": period.kind,
            }
        )
        seen.add(period.kind)
    return shapes


def _shade_busy_periods(fig: go.Figure, start: dt.date, end: dt.date) -> None:
    fig.update_layout(
        shapes=[*fig.layout.shapes, *busy_shapes(busy_periods(start, end), start, end)]
    )


def go_live_spread(
    go_lives: pd.DataFrame,
    as_at: dt.date,
    period: str = "month",
    stack_by: str = "target_system",
    capacity: dict[str, int] | None = None,
    title: str = "Go-lives",
) -> go.Figure:
    """Go-lives per week or month stacked by a column (cancelled ones left out), drawn from
    spread.go_live_counts: pages that offer the data behind the chart draw it with
    go_live_spread_chart from the frame they offer."""
    counts = spread.go_live_counts(go_lives, period, stack_by, capacity)
    return go_live_spread_chart(counts, as_at, period, title)


def go_live_spread_chart(
    counts: pd.DataFrame, as_at: dt.date, period: str = "month", title: str = "Go-lives"
) -> go.Figure:
    """A stacked bar per group from a spread.go_live_counts frame, busy periods shaded, and
    weeks over capacity flagged in words. Every bar height is a row of the frame."""
    fig = go.Figure()
    for index, (name, part) in enumerate(counts.groupby("group", sort=True)):
        part = part.sort_values("period_start")
        fig.add_trace(
            go.Bar(
                name=for_plotly(name),
                x=part["period_start"],
                y=part["go_lives"].to_numpy(),
                marker_color=SYSTEM_COLOURS.get(str(name), SEQUENCE[index % len(SEQUENCE)]),
                hovertemplate=for_plotly(name) + "<br>%{x|%d %b %Y}: %{y}<extra></extra>",
            )
        )
    span = spread.in_range(counts, period)
    if span is not None:
        _shade_busy_periods(fig, *span)
        totals = counts.groupby("period_start")["go_lives"].sum()
        flagged = counts.loc[counts["over_capacity"], "period_start"].drop_duplicates()
        if not flagged.empty:
            fig.add_trace(
                go.Scatter(
                    name="⚠ Week over capacity",
                    mode="text+markers",
                    x=flagged,
                    y=totals.reindex(flagged).to_numpy() + 0.5,
                    text=["⚠"] * len(flagged),
                    textposition="top center",
                    marker={"symbol": "triangle-down", "color": RAG_RED, "size": 10},
                    textfont={"color": RAG_RED},
                )
            )
    _as_at_line(fig, as_at)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="Week starting" if period == "week" else "Month", type="date")
    small = counts["go_lives"].sum() < 40
    fig.update_yaxes(title="Go-lives", rangemode="tozero", dtick=1 if small else None)
    return _layout(fig, title, as_at)


top_groups = spread.top_groups
over_capacity_weeks = spread.over_capacity_weeks


def calendar_heatmap(go_lives: pd.DataFrame, as_at: dt.date, title: str) -> go.Figure:
    """Go-lives per day laid out as a calendar: weeks across, weekdays down (drawn from
    spread.daily_go_lives; see calendar_heatmap_chart)."""
    return calendar_heatmap_chart(spread.daily_go_lives(go_lives), as_at, title)


def calendar_heatmap_chart(daily: pd.DataFrame, as_at: dt.date, title: str) -> go.Figure:
    """A spread.daily_go_lives frame as a calendar: weeks across, weekdays down."""
    fig = go.Figure()
    if not daily.empty:
        first, last = daily["date"].min(), daily["date"].max()
        days = pd.date_range(first - pd.Timedelta(days=first.weekday()), last, freq="D")
        counts = daily.set_index("date")["go_lives"].reindex(days, fill_value=0)
        week = (days - days[0]).days // 7
        fig.add_trace(
            go.Heatmap(
                x=days[0] + pd.to_timedelta(week * 7, unit="D"),
                y=days.strftime("%a"),
                z=counts.to_numpy(),
                customdata=days.strftime("%a %d %b %Y"),
                colorscale=[[0, "#F0F4F5"], [0.01, "#C8DCEE"], [1, NHS_BLUE]],
                hovertemplate="%{customdata}: %{z} go-lives<extra></extra>",
                xgap=2,
                ygap=2,
                colorbar={"thickness": 12},
            )
        )
    fig.update_yaxes(
        categoryorder="array",
        autorange="reversed",
        categoryarray=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    )
    fig.update_xaxes(title="Week starting", type="date")
    return _layout(fig, title, as_at, height=300)


def spread_sample(values: pd.DataFrame, column: str, limit: int) -> pd.DataFrame:
    """At most `limit` rows, evenly spaced through the sorted column, so a chart keeps the shape
    of the distribution (its minimum and maximum included) without sending every point."""
    if len(values) <= limit:
        return values
    ordered = values.sort_values(column, kind="stable")
    positions = np.linspace(0, len(ordered) - 1, limit).round().astype(int)
    return ordered.iloc[np.unique(positions)]


def durations_against_guide(phase_table: pd.DataFrame, as_at: dt.date, title: str) -> go.Figure:
    """Each phase's actual durations as points over the guide's estimate band (shaded); at most
    POINTS_PER_PHASE points per phase, spread evenly over its distribution."""
    done = phase_table.dropna(subset=["actual_start", "actual_end"])
    done = done.groupby("phase", group_keys=False)[list(done.columns)].apply(
        lambda part: spread_sample(part, "actual_days", POINTS_PER_PHASE)
    )
    fig = go.Figure()
    order = [p for p in PHASES if p.min_days is not None and p.kind == "span"]
    names = [p.name for p in order]
    for position, phase in enumerate(order):
        # a guide phase gives both ends of its estimate or neither
        assert phase.min_days is not None and phase.max_days is not None
        # on a category axis, shapes are placed by category position (0, 1, 2...)
        fig.add_shape(
            type="rect",
            x0=phase.min_days - 0.5,
            x1=phase.max_days + 0.5,
            y0=position - 0.4,
            y1=position + 0.4,
            fillcolor="rgba(0,103,71,0.15)",
            line_width=0,
            layer="below",
        )
    fig.add_trace(
        go.Scatter(
            name="Guide's estimate",
            mode="markers",
            x=[None],
            y=[names[0]],
            marker={"symbol": "square", "size": 14, "color": "rgba(0,103,71,0.3)"},
        )
    )
    for over, colour, label in (
        (False, NHS_BLUE, "Within the guide"),
        (True, RAG_RED, "Over the guide"),
    ):
        part = done[done["phase"].isin([p.key for p in order]) & (done["over_guide"] == over)]
        fig.add_trace(
            go.Box(
                name=label,
                x=part["actual_days"],
                y=part["phase"].map(phase_label),
                orientation="h",
                boxpoints="all",
                jitter=0.5,
                pointpos=0,
                fillcolor="rgba(0,0,0,0)",
                line={"color": "rgba(0,0,0,0)"},
                marker={"color": colour, "size": 6, "symbol": "x" if over else "circle"},
                hoveron="points",
                hovertemplate="%{y}: %{x} days<extra></extra>",
            )
        )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=names,
        autorange="reversed",
        title=None,
    )
    fig.update_xaxes(title="Duration (calendar days, inclusive)", rangemode="tozero")
    fig.update_layout(boxmode="overlay")
    return _layout(fig, title, as_at, height=420)


def trend(series: pd.DataFrame, as_at: dt.date, title: str, y_title: str) -> go.Figure:
    """Lines over upload dates (columns: as_at, series, value), one trace per series."""
    fig = go.Figure()
    for index, (name, part) in enumerate(series.groupby("series", sort=False)):
        fig.add_trace(
            go.Scatter(
                name=for_plotly(name),
                x=part["as_at"],
                y=part["value"],
                mode="lines+markers+text",
                text=part["value"],
                textposition="top center",
                cliponaxis=False,
                line={"color": SEQUENCE[index % len(SEQUENCE)], "width": 3},
            )
        )
    fig.update_xaxes(title="Upload as-at date", type="date")
    top = series["value"].max() if not series.empty else 1
    fig.update_yaxes(title=y_title, range=[0, top * 1.15 + 1])
    return _layout(fig, title, as_at, height=340)
