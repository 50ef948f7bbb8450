"""Figures made for the board pack: a plain timeline of the next go-lives (a Gantt's phase legend
is too much to read across a boardroom), built in the same style as regiondash.charts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from regiondash.calendar import busy_periods
from regiondash.charts import busy_shapes, migration_label
from regiondash.style import (
    FONT,
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_PALE_GREY,
    RAG_RED,
    SYSTEM_COLOURS,
)

# busy periods in words are the tables' (the go-lives table says them too); busy_words stays
# importable from here, as before, for report/pack.py
from regiondash.tables import busy_kinds
from regiondash.tables import busy_words as busy_words
from regiondash.text import for_plotly

SYSTEM_SYMBOLS = {
    "EMIS Web": "star",
    "SystmOne": "diamond",
    "Vision": "square",
    "Evolution": "circle",
}
# the same periods as words after a date: "Tue 29 Dec · at Christmas"
BUSY_PHRASES = {
    "flu_season": "in flu season",
    "qof_year_end": "at QOF year end",
    "christmas": "at Christmas",
    "summer": "in the summer holidays",
    "bank_holiday": "on a bank holiday",
}
_WAITING = ("planned", "in_progress", "on_hold")
PLOT_PX = 850  # about the plot's width in the pack's 1280 px chart, for room after the markers
CHAR_PX = 11  # about one character of a 22 px label


def next_go_lives(overview: pd.DataFrame, as_at: dt.date, limit: int = 15) -> pd.DataFrame:
    """The migrations due to go live after the as-at date, soonest first (then by ODS code)."""
    due = overview[
        overview["status"].isin(_WAITING) & (overview["go_live_date"] > pd.Timestamp(as_at))
    ]
    return due.sort_values(["go_live_date", "ods_code"], kind="stable").head(limit)


def shared_busy_kinds(days: pd.Series) -> frozenset[str]:
    """The busy periods every one of the days falls in (said once, not on every row)."""
    kinds = [set(busy_kinds(day)) for day in days]
    return frozenset(set.intersection(*kinds)) if kinds else frozenset()


def _note(row, leave_out: frozenset[str]) -> str:
    parts = [
        f"{row.go_live_date:%a} {row.go_live_date.day} {row.go_live_date:%b}",
        str(row.target_system or "?"),
    ]
    parts += [BUSY_PHRASES[k] for k in busy_kinds(row.go_live_date) if k not in leave_out]
    if row.go_live_moved_days > 0:
        parts.append(f"⚠ moved +{row.go_live_moved_days} d")
    return "  " + " · ".join(parts)


def _right_edge(days: pd.Series, notes: list[str], left: pd.Timestamp) -> pd.Timestamp:
    """The axis end that leaves room for every marker's words after it (plotly cannot be asked
    to make room for text, so the room is worked out from the words' length)."""
    needed = left + pd.Timedelta(days=14)
    for day, note in zip(days, notes, strict=True):
        share = min(len(note) * CHAR_PX / PLOT_PX, 0.75)  # of the plot's width, after the day
        needed = max(needed, left + (day - left) / (1 - share))
    return needed + pd.Timedelta(days=1)


def next_go_lives_figure(due: pd.DataFrame, as_at: dt.date, title: str) -> go.Figure:
    """Each coming go-live as a marker on its date (symbol and colour by target system, named in
    words beside it), with busy periods shaded and the as-at line. No legend: the words beside
    each marker say what it is, and the page around the chart names the shading."""
    fig = go.Figure()
    # practice names and systems come from trackers: Plotly renders a subset of HTML in labels,
    # hovers and marker text, so each is escaped to show as typed
    labels = migration_label(due).map(for_plotly)
    at = pd.Timestamp(as_at)
    shared = shared_busy_kinds(due["go_live_date"])
    if not due.empty:
        notes = pd.Series([_note(r, shared) for r in due.itertuples()], index=due.index)
        span = max((due["go_live_date"].max() - at).days, 14)
        left = at - pd.Timedelta(days=max(3, span // 15))
        right = _right_edge(due["go_live_date"], notes.tolist(), left)
        periods = busy_periods(left.date(), right.date())
        fig.update_layout(shapes=busy_shapes(periods, left.date(), right.date(), legend=False))
        for system, part in due.groupby(due["target_system"].fillna("Unknown"), sort=True):
            fig.add_trace(
                go.Scatter(
                    name=for_plotly(f"Go live to {system}"),
                    mode="markers+text",
                    x=part["go_live_date"],
                    y=labels.loc[part.index],
                    text=notes.loc[part.index].map(for_plotly).tolist(),
                    textposition="middle right",
                    cliponaxis=False,
                    marker={
                        "symbol": SYSTEM_SYMBOLS.get(system, "circle"),
                        "size": 18,
                        "color": SYSTEM_COLOURS.get(system, NHS_BLUE),
                        "line": {"color": "#212B32", "width": 1},
                    },
                    textfont={
                        "size": 13,
                        "color": [
                            RAG_RED if moved > 0 else "#212B32"
                            for moved in part["go_live_moved_days"]
                        ],
                    },
                    hovertemplate="%{y}<br>go live %{x|%d/%m/%Y}<extra></extra>",
                )
            )
        fig.update_xaxes(range=[left, right])
    fig.add_vline(x=at, line_width=2, line_dash="dash", line_color=NHS_DARK_GREY)
    fig.add_annotation(
        x=at,
        y=1,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=f"As at {as_at.day} {as_at:%b}",
        font={"size": 11, "color": NHS_DARK_GREY},
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(labels),
        autorange="reversed",
        title=None,
        showgrid=True,
        gridcolor=NHS_PALE_GREY,
    )
    # level ticks, a handful of them: slanted dates ran into the source line below
    fig.update_xaxes(
        type="date",
        title=None,
        showgrid=True,
        gridcolor=NHS_PALE_GREY,
        tickformat="%-d %b %Y",
        tickangle=0,
        nticks=6,
    )
    fig.update_layout(
        title={"text": f"{title}<br><sup>as at {as_at.day} {as_at:%b %Y}</sup>", "x": 0},
        font={"family": FONT, "size": 13, "color": "#212B32"},
        template="plotly_white",
        height=max(360, 140 + 28 * len(due)),
        margin={"l": 10, "r": 30, "t": 70, "b": 10},
        # each marker names its system in words, and the slide's note names the shading
        showlegend=False,
    )
    return fig
