"""Chart images: the shared export style, PNG and SVG drawn by kaleido, and a plain message
when there is no Chromium to draw with."""

import datetime as dt
import struct
import xml.etree.ElementTree as ET

import pandas as pd
import plotly.graph_objects as go
import pytest

from regiondash import charts
from regiondash.report import images
from tests.report import require_chromium

AS_AT = dt.date(2026, 11, 20)
SOURCE = "Source: regiondash — uploads by SCW CSU migration team; data as at 20 Nov 2026"


def spread_figure() -> go.Figure:
    go_lives = pd.DataFrame(
        {
            "go_live_date": pd.to_datetime(["2026-10-05", "2026-10-19", "2026-12-07", None]),
            "target_system": ["EMIS Web", "SystmOne", "EMIS Web", "EMIS Web"],
        }
    )
    return charts.go_live_spread(go_lives, AS_AT, "month", title="Go-lives by month")


def sizes(fig: go.Figure) -> list[float]:
    """Every font size the figure sets, wherever it sets one."""
    layout = fig.layout
    found = [layout.font.size, layout.title.font.size, layout.legend.font.size]
    for axis in (layout.xaxis, layout.yaxis):
        found += [axis.tickfont.size, axis.title.font.size]
    found += [a.font.size for a in layout.annotations]
    for trace in fig.data:
        if "textfont" in trace and trace.textfont.size is not None:
            size = trace.textfont.size
            found += list(size) if isinstance(size, tuple | list) else [size]
    return found


def test_source_line_names_the_uploaders_in_order_and_the_date():
    uploads = pd.DataFrame(
        {
            "upload_id": [3, 1, 2, 4],
            "as_at": pd.to_datetime(["2026-09-30", "2026-06-30", "2026-08-28", "2026-12-01"]),
            "uploaded_by": ["Arden CSU", "SCW CSU", "SCW CSU", "Later CSU"],
        }
    )
    assert images.source_line(uploads, AS_AT) == (
        "Source: regiondash — uploads by SCW CSU, Arden CSU; data as at 20 Nov 2026"
    )
    assert images.source_line(["A", " ", "B", "A"], dt.date(2026, 3, 1)) == (
        "Source: regiondash — uploads by A, B; data as at 1 Mar 2026"
    )


def test_slide_figure_is_a_styled_copy_at_slide_size():
    original = spread_figure()
    before = original.to_json()
    fig = images.slide_figure(original, "Go-lives by month", AS_AT, SOURCE)
    assert original.to_json() == before  # the page's figure is left alone
    assert (fig.layout.width, fig.layout.height) == (1600, 900)
    assert fig.layout.title.text == "<b>Go-lives by month</b> — as at 20 Nov 2026"
    assert min(s for s in sizes(fig) if s is not None) >= 18
    source = [a for a in fig.layout.annotations if a.text == SOURCE]
    assert len(source) == 1
    assert (source[0].x, source[0].xanchor, source[0].y, source[0].yanchor) == (
        0,
        "left",
        0,
        "bottom",
    )
    assert source[0].yshift < 0 and source[0].xshift < 0  # below the axes, at the left edge


def test_slide_figure_keeps_long_category_labels_on_the_figure():
    counts = pd.Series({"15C – Bristol, North Somerset and South Gloucestershire": 5, "11J": 2})
    fig = images.slide_figure(
        charts.count_bar(counts, "Overrunning", AS_AT, "Migrations"), "Overrunning", AS_AT, SOURCE
    )
    # the left margin is made for the longest label at the tick font's size
    assert fig.layout.margin.l >= 0.45 * images.TICK_FONT * len(counts.index[0])
    assert min(s for s in sizes(fig) if s is not None) >= 18


def test_no_chromium_means_a_plain_message(monkeypatch):
    monkeypatch.setattr(images, "browser_path", lambda: None)
    assert images.chromium_available() is False
    with pytest.raises(images.ImageExportUnavailable) as raised:
        images.figure_png(spread_figure())
    assert str(raised.value) == (
        "Chart images need Chromium on the server (Debian: apt-get install chromium); the "
        "chart's own camera button and the CSV still work."
    )


def test_render_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="png' or 'svg"):
        images.render([spread_figure()], "gif")


@pytest.fixture(scope="module")
def drawn():
    require_chromium()
    fig = images.slide_figure(spread_figure(), "Go-lives by month", AS_AT, SOURCE)
    return images.figure_png(fig), images.figure_svg(fig)


def test_png_is_3200_by_1800_at_scale_2(drawn):
    png, _ = drawn
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (3200, 1800)


def test_svg_is_xml_with_the_title_and_source_line(drawn):
    _, svg = drawn
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height")) == ("1600", "900")
    text = "".join(root.itertext())
    assert "Go-lives by month" in text
    assert SOURCE in text


def test_progress_is_told_on_the_callers_thread():
    require_chromium()
    import threading

    seen = []
    figures = [images.slide_figure(spread_figure(), "Go-lives", AS_AT, SOURCE)] * 2
    pngs = images.render(
        figures,
        "png",
        1,
        progress=lambda n, total: seen.append(
            (n, total, threading.current_thread() is threading.main_thread())
        ),
    )
    assert len(pngs) == 2
    assert seen == [(1, 2, True), (2, 2, True)]  # a Streamlit progress bar needs its own thread
