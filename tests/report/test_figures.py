"""The board pack's own figures: practice names from trackers are shown as typed, never as HTML."""

import dataclasses
import datetime as dt

from regiondash import metrics
from regiondash.calendar import busy_periods
from regiondash.report import images
from regiondash.report.figures import next_go_lives, next_go_lives_figure
from regiondash.report.pack import build_board_pack
from tests.frames import migrations_frame, phases_frame
from tests.report import demo_inputs

AS_AT = dt.date(2026, 3, 10)
HOSTILE = '<a href="http://x.example">Evil</a> <span style="color:red">Red</span> <img src=x> & Co'


def _due():
    migrations = migrations_frame(
        [
            {
                "migration_id": "A81001:EMIS Web>SystmOne",
                "practice_name": HOSTILE,
                "source_system": "EMIS Web",
                "target_system": "SystmOne",
                "source_system_inferred": False,
            },
            {
                "migration_id": "A81002:EMIS Web>SystmOne",
                "practice_name": "Riverside Surgery",
                "source_system": "EMIS Web",
                "target_system": "SystmOne",
                "source_system_inferred": False,
            },
        ]
    )
    phases = phases_frame(
        [
            ("A81001:EMIS Web>SystmOne", "go_live", "2026-04-14", "2026-04-14", None, None),
            ("A81002:EMIS Web>SystmOne", "go_live", "2026-05-05", "2026-05-05", None, None),
        ]
    )
    return next_go_lives(metrics.migration_overview(migrations, phases, AS_AT), AS_AT)


def test_hostile_practice_names_are_escaped_on_labels_and_hovers():
    due = _due()
    fig = next_go_lives_figure(due, AS_AT, "The next 2 go-lives")
    (trace,) = fig.data
    labels = list(trace.y)
    # the label is the name cased and cut to 32 characters, then the ODS code; escaped after
    assert labels[0] == '&lt;a Href="http://x.example"&gt;evil… (A81001)'
    assert labels[1] == "Riverside Surgery (A81002)"
    for text in [*labels, *fig.layout.yaxis.categoryarray, trace.name, *trace.text]:
        assert "<" not in text.replace("<br>", ""), text
    assert list(fig.layout.yaxis.categoryarray) == labels
    # the hover shows the (escaped) label, and only the template's own markup
    assert trace.hovertemplate == "%{y}<br>go live %{x|%d/%m/%Y}<extra></extra>"
    assert trace.text == ("  Tue 14 Apr · SystmOne · at QOF year end", "  Tue 5 May · SystmOne")


def test_names_that_are_only_text_are_unchanged():
    fig = next_go_lives_figure(_due().tail(1), AS_AT, "The next go-live")
    assert list(fig.data[0].y) == ["Riverside Surgery (A81002)"]


def test_busy_periods_are_shaded_once_each_without_a_legend():
    fig = next_go_lives_figure(_due(), AS_AT, "The next 2 go-lives")
    left, right = fig.layout.xaxis.range
    periods = busy_periods(left.date(), right.date())
    assert len(fig.layout.shapes) == len(periods) + 1  # and the as-at line
    assert not any(s.showlegend for s in fig.layout.shapes)


def test_go_lives_decades_apart_draw_quickly():
    due = _due()
    due.loc[due.index[-1], "go_live_date"] = due["go_live_date"].max() + dt.timedelta(days=40 * 365)
    fig = next_go_lives_figure(due, AS_AT, "The next 2 go-lives")
    assert len(fig.layout.shapes) > 400  # forty years of busy periods, set in one go


def test_the_pack_charts_source_line_escapes_uploader_names(tmp_path_factory, monkeypatch):
    inputs = demo_inputs(tmp_path_factory)
    uploads = inputs.uploads.copy()
    uploads["uploaded_by"] = '<a href="http://x.example">CSU</a> & <b>lead</b>'
    inputs = dataclasses.replace(inputs, uploads=uploads)
    drawn = []

    def render(figures, fmt="png", scale=2, progress=None):
        drawn.extend(figures)
        from tests.report import tiny_png

        return [tiny_png() for _ in figures]

    monkeypatch.setattr(images, "render", render)
    pack = build_board_pack(
        inputs.migrations,
        inputs.phases,
        inputs.history,
        inputs.uploads,
        inputs.previous,
        inputs.as_at,
        inputs.scope_label,
    )
    assert drawn
    for fig in drawn:
        source = fig.layout.annotations[-1].text
        assert source.startswith(
            'Source: regiondash — uploads by &lt;a href="http://x.example"&gt;CSU&lt;/a&gt; '
            "&amp; &lt;b&gt;lead&lt;/b&gt;; data as at "
        ), source
    # the slides' own text is not HTML: it keeps the name as typed
    assert '<a href="http://x.example">CSU</a> & <b>lead</b>' in pack.source_line
