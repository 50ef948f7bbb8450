"""The board pack's content, by the same definitions as the pages (charts faked: see
test_pptx and test_pdf for the real drawing)."""

import datetime as dt

import pandas as pd
import pytest

from regiondash import metrics, risks, store
from regiondash.report import data, images
from regiondash.report.model import MAX_TABLE_ROWS, table_rows
from regiondash.report.pack import build_board_pack
from tests.report import demo_inputs, demo_url, fake_render

TITLES = [
    "GP practice clinical system migrations",
    "Summary",
    "Go-live spread",
    "Overruns",
    "Top risks",
    "Next go-lives",
    "Changes since the previous upload",
    "Appendix: definitions (1 of 3)",
    "Appendix: definitions (2 of 3)",
    "Appendix: definitions (3 of 3)",
    "Appendix: the guide's phases",
    "Appendix: risk rules (1 of 2)",
    "Appendix: risk rules (2 of 2)",
]


def build(inputs, previous="same", progress=None):
    return build_board_pack(
        inputs.migrations,
        inputs.phases,
        inputs.history,
        inputs.uploads,
        inputs.previous if previous == "same" else previous,
        inputs.as_at,
        inputs.scope_label,
        progress=progress,
    )


@pytest.fixture
def region(tmp_path_factory):
    return demo_inputs(tmp_path_factory)


@pytest.fixture
def pack(region, monkeypatch):
    fake_render(monkeypatch)
    return build(region)


def slide(pack, title):
    return next(s for s in pack.slides if s.title == title)


def test_load_inputs_for_the_demo_region(region):
    assert region.as_at == dt.date(2026, 11, 20)
    assert region.scope_label == "Region Y58 – South West"
    assert region.migrations["region_code"].eq("Y58").all()
    before_m, before_p, before_as_at = region.previous
    assert before_as_at == dt.date(2026, 9, 30)
    assert set(before_p["migration_id"]) <= set(before_m["migration_id"])


def test_load_inputs_says_plainly_when_there_is_nothing(tmp_path_factory, tmp_path):
    engine = store.connect(demo_url(tmp_path_factory))
    try:
        with pytest.raises(data.NothingToReport, match="no migrations in ICB XXX as at 20 Nov"):
            data.load_inputs(engine, None, data.Scope("icb", "XXX"))
        with pytest.raises(data.NothingToReport, match="no upload is as at or before"):
            data.load_inputs(engine, dt.date(2026, 1, 1))
        first = data.load_inputs(engine, dt.date(2026, 7, 1), data.Scope("sub_icb", "15N"))
        assert first.previous is None
        assert first.scope_label == "Sub-ICB location 15N – Devon"
    finally:
        engine.dispose()
    empty = store.connect(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(data.NothingToReport, match="no uploads stored yet"):
        data.load_inputs(empty)
    empty.dispose()


def test_slides_in_order(pack):
    assert [s.title for s in pack.slides] == TITLES
    assert pack.slides[0].kind == "title"
    assert pack.scope_label == "Region Y58 – South West"
    assert pack.file_stem == "board-pack-region-y58-south-west-2026-11-20"


def test_title_slide_says_what_when_and_from_how_many_uploads(pack):
    title = pack.slides[0]
    assert title.note == "Region Y58 – South West"
    assert "Data as at 20 Nov 2026, each migration as at its own tracker's date" in title.bullets
    # ages are measured to the pack's date unless the page or command line says otherwise
    assert "SW GP migrations tracker: as at 20 Nov 2026, 0 days old" in title.bullets
    assert (
        "Prepared from 4 uploads by SCW CSU migration team: the latest of 1 tracker and the "
        "earlier uploads their slippage is measured from"
    ) in title.bullets
    assert any(b.startswith("DEMO DATA") for b in title.bullets)  # the demo never passes as real
    assert pack.source_line == images.source_line(["SCW CSU migration team"], pack.as_at)


def test_summary_numbers_are_the_headline(pack, region):
    overview = metrics.migration_overview(
        region.migrations, region.phases, region.as_at, region.history
    )
    h = metrics.headline(overview, region.as_at)
    summary = slide(pack, "Summary")
    assert [f.value for f in summary.numbers] == [
        str(h["in_scope"]),
        str(h["live"]),
        str(h["overrunning"]),
        f"{h['overrunning_share']:.0%}",
        str(h["go_lives_next_30"]),
        str(h["go_lives_next_90"]),
    ]
    # the demo's documented figures (demo.py): 40 of the 118 not cancelled overrunning
    assert (h["overrunning"], h["in_scope"] - h["cancelled"]) == (40, 118)
    flags = risks.evaluate(
        overview, metrics.phase_status(region.phases, region.as_at), region.as_at
    )
    rag = risks.rag_counts(risks.computed_rag(flags, overview.set_index("migration_id")["status"]))
    numbers = dict(zip(summary.table["Migrations"], summary.table["Number"], strict=True))
    assert numbers["Planned (not started)"] == str(h["planned"])
    assert numbers["In progress"] == str(h["in_progress"])
    assert numbers["Computed RAG: Red"] == str(rag["red"])
    assert numbers["Computed RAG: Green"] == str(rag["green"])
    # only open migrations are rated: the demo's 71 live and 1 cancelled are not
    open_ = int(overview["status"].isin(["planned", "in_progress", "on_hold"]).sum())
    assert sum(rag.values()) == open_
    assert f"Computed RAG of the {open_} open migrations: " in summary.bullets[-1]


def test_every_chart_has_alt_text_and_every_table_fits(pack):
    pictures = [s for s in pack.slides if s.image is not None]
    assert [s.title for s in pictures] == ["Go-live spread", "Overruns", "Next go-lives"]
    for each in pictures:
        assert len(each.image.alt_text) > 40
        assert (each.image.width_px, each.image.height_px) == (3200, 1800)
    assert "busiest month is Nov 2026 with 22 go-lives" in pictures[0].image.alt_text
    for each in pack.slides:
        assert each.table is None or len(each.table) <= MAX_TABLE_ROWS
        assert each.title and (
            each.numbers or each.bullets or each.table is not None or each.image is not None
        )


def test_top_risks_are_open_migrations_red_first_then_by_red_and_amber_rules(pack, region):
    table = slide(pack, "Top risks").table
    assert list(table.columns) == ["Practice", "ODS code", "Go live", "RAG", "Flags", "Why"]
    rows = metrics.migration_overview(
        region.migrations, region.phases, region.as_at, region.history
    )
    phase_table = metrics.phase_status(region.phases, region.as_at)
    flags = risks.evaluate(rows, phase_table, region.as_at)
    overview = rows.set_index("migration_id")
    ids = rows.set_index("ods_code").loc[table["ODS code"], "migration_id"]
    # never a live or cancelled migration, never one with notes only
    assert overview.loc[ids, "status"].isin(["planned", "in_progress", "on_hold"]).all()
    assert set(table["RAG"]) <= {"Red", "Amber"}
    assert len(table) == 10  # the demo has more than ten open Red or Amber migrations
    order = table["RAG"].map({"Red": 0, "Amber": 1})
    assert order.is_monotonic_increasing
    config = risks.DEFAULT_CONFIG
    red = flags.loc[ids, config.keys_at("red")].sum(axis=1).to_numpy()
    amber = flags.loc[ids, config.keys_at("amber")].sum(axis=1).to_numpy()
    ranks = list(zip(-red, -amber, strict=True))
    assert ranks == sorted(ranks)  # by red rules, then amber ones
    assert (table["Flags"].to_numpy() == red + amber).all()  # notes are not flags here
    assert table["Why"].str.len().gt(0).all()
    assert not table["Why"].str.contains("flu season|QOF year end|holiday period").any()
    assert "open migrations" in slide(pack, "Top risks").note


def test_changes_since_the_previous_upload(pack):
    changes = slide(pack, "Changes since the previous upload")
    assert changes.note.startswith("From the picture as at 30 Sep 2026 to 20 Nov 2026")
    assert "1 migration added" in changes.bullets
    assert list(changes.table.columns) == [
        "Practice",
        "ODS code",
        "Go live was",
        "Now",
        "Days moved",
    ]
    moved = changes.table["Days moved"].str.lstrip("+").astype(int).abs()
    assert moved.is_monotonic_decreasing


def test_first_upload_has_nothing_to_compare(region, monkeypatch):
    fake_render(monkeypatch)
    first = build(region, previous=None)
    changes = slide(first, "Changes since the previous upload")
    assert changes.bullets == ["First upload: there is no earlier upload to compare with yet."]
    assert changes.table is None


def test_an_icb_pack_counts_overruns_by_phase(tmp_path_factory, monkeypatch):
    drawn = fake_render(monkeypatch)
    icb = demo_inputs(tmp_path_factory, icb="QJK")  # Devon: one sub-ICB location, 15N
    pack = build(icb)
    assert pack.scope_label == "ICB QJK – Devon"
    assert pack.slides[0].note == "ICB QJK – Devon"
    overruns = slide(pack, "Overruns")
    assert "overrunning migrations by phase overrun" in overruns.image.alt_text.lower()
    assert drawn == [3]  # the three charts drawn in one browser session


def test_progress_runs_from_start_to_done(region, monkeypatch):
    fake_render(monkeypatch)
    steps = []
    build(region, progress=lambda fraction, message: steps.append((fraction, message)))
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions)
    assert fractions[0] > 0 and steps[-1] == (1.0, "Done")
    assert all(message for _, message in steps)


def test_appendix_holds_every_definition_phase_and_rule(pack):
    from regiondash.definitions import TERMS
    from regiondash.phases import PHASES
    from regiondash.risks import RULES

    appendix = [s for s in pack.slides if s.kind == "appendix"]
    terms = pd.concat([s.table for s in appendix if "definitions" in s.title])
    assert list(terms["Term"]) == [t for t, _ in TERMS]
    assert not terms["Meaning"].str.contains(r"\*|sidebar|table below").any()
    phases = slide(pack, "Appendix: the guide's phases").table
    assert list(phases["Phase"]) == [p.name for p in PHASES]
    rules = pd.concat([s.table for s in appendix if "risk rules" in s.title])
    assert list(rules["Rule"]) == [r.title for r in RULES.values()]
    assert rules["Flagged when"].str.contains("Flagged when").all()
    assert table_rows(rules)[0] == ["Rule", "Counts as", "Kind", "Flagged when", "Flagged now"]
    assert list(rules["Counts as"][:3]) == ["Note"] * 3  # the busy periods
    assert set(rules["Kind"]) == {"Forward-looking", "Looks back"}
    assert not rules["Flagged when"].str.contains("Counts as|A note:").any()
