"""Chart images rendered on the server: a shared slide-sized export style, and PNG/SVG bytes
drawn by kaleido in Chromium (Debian's package is found by itself)."""

from __future__ import annotations

import asyncio
import datetime as dt
import queue
import threading
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go

from regiondash.style import FONT, NHS_DARK_GREY

WIDTH, HEIGHT = 1600, 900  # 16:9, the slide's shape
BASE_FONT = 22
TITLE_FONT = 34
MIN_FONT = 18  # nothing smaller: the image is read across a boardroom at slide size
TICK_FONT = 22
SOURCE_GAP = 12  # px between the source line and the bottom edge
UNAVAILABLE_MESSAGE = (
    "Chart images need Chromium on the server (Debian: apt-get install chromium); the chart's own "
    "camera button and the CSV still work."
)


class ImageExportUnavailable(RuntimeError):
    """Raised when kaleido cannot find or start a browser to draw chart images."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(UNAVAILABLE_MESSAGE)
        self.detail = detail


def browser_path() -> str | None:
    """The Chromium kaleido will use ($BROWSER_PATH, then chromium/chrome on the PATH), or None."""
    from choreographer.browsers import Chromium

    return Chromium.find_browser(skip_local=False)


def chromium_available() -> bool:
    """True when a Chromium-based browser is installed for kaleido to draw with."""
    try:
        return browser_path() is not None
    except Exception:  # a broken browser lookup means no images, never a crashed page
        return False


def as_at_text(as_at: dt.date) -> str:
    """A date as people read it on a slide: 20 Nov 2026."""
    return f"{as_at.day} {as_at:%b %Y}"


def source_line(uploads: pd.DataFrame | Iterable[str], as_at: dt.date) -> str:
    """'Source: regiondash — uploads by X, Y; data as at 20 Nov 2026' (uploaders in the order
    they first uploaded, only uploads as at or before the date when given a list_uploads frame)."""
    if isinstance(uploads, pd.DataFrame):
        rows = uploads
        if "as_at" in rows and not rows.empty:
            rows = rows[pd.to_datetime(rows["as_at"]) <= pd.Timestamp(as_at)]
        order = [c for c in ("as_at", "uploaded_at", "upload_id") if c in rows]
        if order and not rows.empty:
            rows = rows.sort_values(order, kind="stable")
        names = [str(n) for n in rows.get("uploaded_by", pd.Series(dtype=str)).dropna()]
    else:
        names = [str(n) for n in uploads]
    unique = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    who = ", ".join(unique) if unique else "no uploads"
    return f"Source: regiondash — uploads by {who}; data as at {as_at_text(as_at)}"


def _at_least(size: float | None, floor: int = MIN_FONT) -> int:
    return int(max(size or 0, floor))


def _legend_items(fig: go.Figure) -> int:
    """How many entries the figure's legend shows (0 when plotly would hide it)."""
    if fig.layout.showlegend is False:
        return 0
    traces = sum(1 for t in fig.data if t.showlegend is not False)
    shapes = sum(1 for s in fig.layout.shapes if s.showlegend)
    if fig.layout.showlegend is None and traces <= 1 and not shapes:
        return 0
    return traces + shapes


def _category_label_width(fig: go.Figure, size: int) -> int:
    """Pixels the longest category label on the y axis needs (0 for numbers and dates)."""
    longest = 0
    for trace in fig.data:
        values = trace.y if trace.y is not None else ()
        labels = [v for v in values if isinstance(v, str)]
        if labels:
            longest = max(longest, *(len(v) for v in labels))
    # Arial averages just over half an em per character; a little spare beats a clipped label
    return int(longest * size * 0.5) + 16 if longest else 0


def slide_figure(
    fig: go.Figure,
    title: str,
    as_at: dt.date,
    source_line: str,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> go.Figure:
    """A copy of the figure in the export style: 1600x900 px, fonts of 18 px and more, the title
    'what — as at D Mon YYYY', the source line bottom left, and a legend that can be read.
    A smaller `size` (same 16:9 shape) makes the text larger relative to the chart."""
    out = go.Figure(fig)
    vertical = out.layout.legend.orientation == "v"
    items = _legend_items(out)
    tick = TICK_FONT
    # The left margin is worked out here rather than by plotly's automargin, so that the source
    # line can be placed at the figure's left edge (annotations are placed relative to the plot).
    left = max(_category_label_width(out, tick), 70) + 30
    bottom = 190 if items and not vertical else 130
    out.update_layout(
        width=size[0],
        height=size[1],
        autosize=False,
        font={"family": FONT, "size": BASE_FONT, "color": "#212B32"},
        title={
            "text": f"<b>{title}</b> — as at {as_at_text(as_at)}",
            "x": 0.02,
            "xanchor": "left",
            "xref": "container",
            "y": 0.96,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": TITLE_FONT, "color": "#212B32"},
        },
        margin={"l": left, "r": 50, "t": 110, "b": bottom},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    if vertical:
        # a tall legend stays on the right, beside the rows it names
        out.update_layout(legend={"font": {"size": MIN_FONT}, "x": 1.01, "y": 1})
    else:
        # fixed to the figure, not the plot, so it sits just above the source line
        out.update_layout(
            legend={
                "orientation": "h",
                "font": {"size": tick},
                "x": 0,
                "xanchor": "left",
                "xref": "paper",
                "y": 0.075,
                "yref": "container",
                "yanchor": "bottom",
            }
        )
    out.update_xaxes(tickfont={"size": tick}, title_font={"size": BASE_FONT + 2})
    out.update_yaxes(tickfont={"size": tick}, title_font={"size": BASE_FONT + 2}, automargin=False)
    for annotation in out.layout.annotations:
        annotation.font.size = _at_least(annotation.font.size, MIN_FONT + 2)
    for trace in out.data:
        if "textfont" in trace:
            size = trace.textfont.size
            trace.textfont.size = (
                [_at_least(s, tick) for s in size]
                if isinstance(size, tuple | list)
                else _at_least(size, tick)
            )
        if isinstance(trace, go.Scatter) and isinstance(trace.marker.size, int | float):
            trace.marker.size = max(trace.marker.size, 16)
    out.add_annotation(
        text=source_line,
        xref="paper",
        x=0,
        xanchor="left",
        xshift=-(left - 36),
        yref="paper",
        y=0,
        yanchor="bottom",
        yshift=-(bottom - SOURCE_GAP),
        showarrow=False,
        align="left",
        font={"size": MIN_FONT + 2, "color": NHS_DARK_GREY},
    )
    return out


_T = TypeVar("_T")


def _run(
    coroutine_factory: Callable[[], Coroutine[Any, Any, _T]],
    events: queue.Queue,
    on_event: Callable[[int, int], None] | None,
) -> _T:
    """Run a coroutine on a thread of its own (Streamlit and Jupyter may already run a loop
    here), passing its progress events to `on_event` on the caller's thread: a Streamlit
    progress bar can only be updated from the script's own thread."""
    values: list[_T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            values.append(asyncio.run(coroutine_factory()))
        except BaseException as problem:  # carried back to the caller's thread
            errors.append(problem)

    thread = threading.Thread(target=target, name="regiondash-kaleido", daemon=True)
    thread.start()
    while thread.is_alive() or not events.empty():
        try:
            event = events.get(timeout=0.1)
        except queue.Empty:
            continue
        if on_event is not None:
            on_event(*event)
    thread.join()
    if errors:
        raise errors[0]
    return values[0]


def render(
    figures: Sequence[go.Figure],
    fmt: str = "png",
    scale: float = 2,
    progress: Callable[[int, int], None] | None = None,
) -> list[bytes]:
    """Each figure as PNG or SVG bytes, drawn in one Chromium session (starting the browser is
    the slow part); ImageExportUnavailable when there is no browser to draw with."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"format must be 'png' or 'svg', not {fmt!r}")
    if not figures:
        return []
    if not chromium_available():
        raise ImageExportUnavailable("no Chromium found")
    import kaleido
    from kaleido.errors import BrowserFailedError, ChromeNotFoundError

    dicts = [f.to_dict() for f in figures]
    events: queue.Queue = queue.Queue()

    async def draw() -> list[bytes]:
        images = []
        # mathjax off: charts use no LaTeX, and a server may have no route to its CDN
        async with kaleido.Kaleido(n=1, mathjax=False) as k:
            for number, fig in enumerate(dicts, start=1):
                layout = fig.get("layout", {})
                opts = {
                    "format": fmt,
                    "width": layout.get("width") or WIDTH,
                    "height": layout.get("height") or HEIGHT,
                    "scale": scale if fmt == "png" else 1,
                }
                images.append(bytes(await k.calc_fig(fig, opts=opts)))
                events.put((number, len(dicts)))
        return images

    try:
        return _run(draw, events, progress)
    except (ChromeNotFoundError, BrowserFailedError, FileNotFoundError, PermissionError) as error:
        raise ImageExportUnavailable(str(error)) from error


def figure_png(fig: go.Figure, scale: float = 2) -> bytes:
    """The figure as PNG bytes (at 1600x900 layout pixels, `scale` times that in pixels)."""
    return render([fig], "png", scale)[0]


def figure_svg(fig: go.Figure) -> bytes:
    """The figure as SVG bytes."""
    return render([fig], "svg")[0]
