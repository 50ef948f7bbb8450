"""The board pack's content: data in, BoardPack out (plain data; see pptx_writer and pdf_writer).

Every number comes from the same domain functions the pages call (metrics, risks, changes), as at
the pack's date, so a figure in the pack matches the dashboard for the same scope and date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from regiondash import changes, charts, freshness, metrics, risks, tables
from regiondash.reference import ATTRIBUTION
from regiondash.report import appendix, images
from regiondash.report.figures import (
    BUSY_PHRASES,
    busy_words,
    next_go_lives,
    next_go_lives_figure,
    shared_busy_kinds,
)
from regiondash.report.model import BoardPack, KeyFigure, Slide, SlideImage
from regiondash.style import RAG_RED, name_case, name_case_series
from regiondash.text import for_plotly

__all__ = ["BoardPack", "KeyFigure", "Slide", "SlideImage", "build_board_pack"]

PACK_TITLE = "GP practice clinical system migrations"
PACK_CHART = (1280, 720)  # layout pixels of a chart on a slide
PACK_SCALE = 2.5
Progress = Callable[[float, str], None]
PreviousRows = tuple[pd.DataFrame, pd.DataFrame, dt.date]


def _day(value) -> str:
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def _upload_ids(migrations: pd.DataFrame, history: pd.DataFrame, as_at: dt.date) -> set[int]:
    """The uploads the pack draws on: each that holds a migration in scope, up to the date."""
    ids = set(migrations.get("upload_id", pd.Series(dtype="int64")).dropna().astype(int))
    if not history.empty:
        held = history[
            history["migration_id"].isin(migrations["migration_id"])
            & (history["as_at"] <= pd.Timestamp(as_at))
        ]
        ids |= set(held["upload_id"].astype(int))
    return ids


def _title_slide(
    pack_uploads: pd.DataFrame, scope_label: str, as_at: dt.date, ages: pd.DataFrame
) -> Slide:
    who = list(dict.fromkeys(pack_uploads.sort_values("as_at")["uploaded_by"].astype(str)))
    bullets = [
        f"Data as at {_day(as_at)}, each migration as at its own tracker's date",
        f"Prepared from {_plural(len(pack_uploads), 'upload')}"
        + (f" by {', '.join(who)}" if who else "")
        + (
            f": the latest of {_plural(len(ages), 'tracker')} and the earlier uploads their "
            "slippage is measured from"
            if len(pack_uploads) > len(ages) > 0
            else ""
        ),
    ]
    bullets += [freshness.age_words(row) for _, row in ages.head(3).iterrows()]
    if len(ages) > 3:
        bullets.append(f"and {_plural(len(ages) - 3, 'more tracker')}")
    if "is_demo" in pack_uploads and len(pack_uploads) and pack_uploads["is_demo"].all():
        bullets.append(
            "DEMO DATA: real South West practices, fictional migrations. Not for decisions."
        )
    bullets.append(ATTRIBUTION)
    return Slide(title=PACK_TITLE, kind="title", note=scope_label, bullets=bullets)


def _summary_slide(overview: pd.DataFrame, as_at: dt.date, rag: dict[str, int]) -> Slide:
    h = metrics.headline(overview, as_at)
    share = f"{h['overrunning_share']:.0%}"
    numbers = [
        KeyFigure(str(h["in_scope"]), "migrations in scope"),
        KeyFigure(str(h["live"]), "live or completed"),
        KeyFigure(str(h["overrunning"]), "overrunning"),
        KeyFigure(share, "overrunning share (not cancelled)"),
        KeyFigure(str(h["go_lives_next_30"]), "go-lives in the next 30 days"),
        KeyFigure(str(h["go_lives_next_90"]), "go-lives in the next 90 days"),
    ]
    # the tiles carry the headline; the table breaks the migrations down by status and by RAG
    rows = [
        ("Planned (not started)", h["planned"]),
        ("In progress", h["in_progress"]),
        ("Live or completed", h["live"]),
        ("On hold", h["on_hold"]),
        ("Cancelled", h["cancelled"]),
        ("Computed RAG: Red", rag["red"]),
        ("Computed RAG: Amber", rag["amber"]),
        ("Computed RAG: Green", rag["green"]),
    ]
    table = pd.DataFrame(rows, columns=["Migrations", "Number"]).astype({"Number": str})
    bullets = [
        f"{h['overrunning']:,} of {h['in_scope'] - h['cancelled']:,} migrations not cancelled "
        f"are overrunning ({share}).",
        f"{h['go_lives_next_90']:,} go-lives are due in the next 90 days, "
        f"{h['go_lives_next_30']:,} of them in the next 30.",
        f"Computed RAG of the {_plural(sum(rag.values()), 'open migration')}: {rag['red']:,} "
        f"Red, {rag['amber']:,} Amber, {rag['green']:,} Green.",
    ]
    return Slide(
        title="Summary",
        note=f"As at {_day(as_at)}, by the definitions in the appendix",
        numbers=numbers,
        table=table,
        column_widths=(3, 1),
        bullets=bullets,
    )


def _busy_sentence(busy: int, due: int) -> str:
    if busy == due and due > 1:
        return f"All {due} fall in a busy period the guide advises avoiding (shaded)."
    return f"{busy:,} of them fall in a busy period the guide advises avoiding (shaded)."


def _spread_slide(overview: pd.DataFrame, as_at: dt.date) -> tuple[Slide, go.Figure | None, str]:
    title = "Go-lives by month"
    slide_title = "Go-live spread"
    counted = overview[overview["status"] != "cancelled"].dropna(subset=["go_live_date"])
    if counted.empty:
        return Slide(title=slide_title, bullets=["No go-live dates are recorded."]), None, ""
    months = metrics.go_lives_by_period(counted, "month")
    busiest = max(months, key=lambda k: (months[k], k))
    busiest_label = f"{pd.Timestamp(busiest + '-01'):%b %Y}"
    due = next_go_lives(overview, as_at, limit=len(overview))
    busy = due["go_live_date"].map(busy_words)
    fig = charts.go_live_spread(counted, as_at, "month", "target_system", title=title)
    systems = ", ".join(sorted(counted["target_system"].dropna().unique()))
    first, last = counted["go_live_date"].min(), counted["go_live_date"].max()
    alt = (
        f"Stacked bar chart of go-lives per month from {first:%b %Y} to {last:%b %Y}, by target "
        f"system ({systems}). The busiest month is {busiest_label} with {months[busiest]} "
        f"go-lives. Busy periods (flu season, QOF year end, holidays) are shaded and a dashed "
        f"line marks the as-at date, {_day(as_at)}."
    )
    bullets = [
        f"{_plural(len(due), 'go-live')} still to come after {_day(as_at)}.",
        f"Busiest month: {busiest_label} ({months[busiest]} go-lives).",
        _busy_sentence(int((busy != "").sum()), len(due)),
    ]
    slide = Slide(
        title=slide_title,
        note="Actual go-live date, else planned; cancelled migrations left out",
        bullets=bullets,
    )
    return slide, fig, alt


def _overrun_slide(
    overview: pd.DataFrame, phase_table: pd.DataFrame, as_at: dt.date
) -> tuple[Slide, go.Figure | None, str]:
    active = overview[overview["status"] != "cancelled"]
    late = active[active["overrunning"]]
    by_sub_icb = overview["sub_icb_code"].nunique() > 1
    column = "sub_icb_code" if by_sub_icb else "phase"
    what = "sub-ICB location" if by_sub_icb else "phase overrun"
    title = f"Overrunning migrations by {what}"
    if late.empty:
        return Slide(title="Overruns", bullets=["No migration is overrunning."]), None, ""
    counts = tables.labelled_overrun_counts(overview, phase_table, column, overview)
    fig = charts.count_bar(counts, title, as_at, "Migrations", RAG_RED)
    # whole migrations only: no 0.5 ticks on a small count
    fig.update_xaxes(dtick=max(1, -(-int(counts.max()) // 8)))
    worst = metrics.most_overrun(overview, 1).iloc[0]
    by_phase = tables.labelled_overrun_counts(overview, phase_table, "phase", overview)
    listed = "; ".join(f"{k} {v}" for k, v in counts.sort_values(ascending=False).items())
    alt = f"Bar chart of overrunning migrations by {what}: {listed}."
    bullets = [
        f"{len(late):,} of {len(active):,} migrations not cancelled are overrunning "
        f"({len(late) / len(active):.0%}).",
    ]
    if not by_phase.empty:
        bullets.append(_busiest_phase(by_phase))
    bullets.append(
        f"Furthest behind: {name_case(worst['practice_name'])} ({worst['ods_code']}), "
        f"{int(worst['days_late'])} days late."
    )
    note = "A phase past its planned end, or a go live later than first planned"
    return Slide(title="Overruns", note=note, bullets=bullets), fig, alt


def _busiest_phase(by_phase: pd.Series) -> str:
    """Which phase most migrations overran in, naming every phase that ties."""
    most = int(by_phase.max())
    tied = [str(name) for name, count in by_phase.items() if count == most]
    if len(tied) == 1:
        return f"Most overruns are in {tied[0]} ({most})."
    if len(tied) == 2:
        return f"Most overruns are in {tied[0]} and {tied[1]} ({most} each)."
    return f"{len(tied)} phases share the most overruns, {most} each."


TOP_RISKS = 10


def _risk_slide(overview: pd.DataFrame, flags: pd.DataFrame, computed: pd.Series) -> Slide:
    """The open migrations most at risk: Red and Amber only (never live or cancelled ones, and a
    busy-period note alone makes no top risk), ranked by red rules, then amber ones."""
    reported = overview.set_index("migration_id")["reported_rag"]
    differs = risks.rag_disagreements(computed, reported)
    table = tables.risk_table(overview, flags, computed, differs)
    rag = risks.rag_counts(computed)
    rated = sum(rag.values())
    note = (
        f"Computed RAG of the {_plural(rated, 'open migration')}: {rag['red']} Red, "
        f"{rag['amber']} Amber, {rag['green']} Green. The top {TOP_RISKS}, by red rules, then "
        "amber; live and cancelled migrations are not rated, busy periods are notes"
    )
    at_risk = table[table["Computed RAG"].isin(["Red", "Amber"])]
    if at_risk.empty:
        return Slide(
            title="Top risks", note=note, bullets=["No open migration breaks a red or amber rule."]
        )
    top = at_risk.head(TOP_RISKS)
    shown = pd.DataFrame(
        {
            "Practice": top["Practice"],
            "ODS code": top["ODS code"],
            "Go live": top["Go-live date"],
            "RAG": top["Computed RAG"],
            "Flags": top["Risks"],
            "Why": top["Why"],
        }
    )
    widths = (2.6, 1.1, 1.3, 0.9, 0.7, 5.4)
    return Slide(title="Top risks", note=note, table=shown, column_widths=widths)


def _next_slide(overview: pd.DataFrame, as_at: dt.date) -> tuple[Slide, go.Figure | None, str]:
    due = next_go_lives(overview, as_at, 15)
    title = f"The next {len(due)} go-lives" if len(due) > 1 else "The next go-live"
    if due.empty:
        empty = Slide(title="Next go-lives", bullets=[f"No go-lives due after {_day(as_at)}."])
        return empty, None, ""
    fig = next_go_lives_figure(due, as_at, title)
    listed = "; ".join(
        f"{name_case(r.practice_name)} ({r.ods_code}) {_day(r.go_live_date)} to "
        f"{r.target_system}" + (f", moved {days} days" if days > 0 else "")
        for r, days in zip(due.itertuples(), due["go_live_moved_days"], strict=True)
    )
    alt = f"Timeline of the next go-lives after {_day(as_at)}, soonest first: {listed}."
    note = "Planned go-live dates, soonest first; busy periods are shaded"
    first = due.iloc[0]
    moved = int((due["go_live_moved_days"] > 0).sum())
    last = due["go_live_date"].max()
    bullets = [
        f"Next: {name_case(first['practice_name'])} on {_day(first['go_live_date'])}.",
        f"These {len(due)} run to {_day(last)}." if len(due) > 1 else "",
        f"{moved} of them (⚠) go live later than first planned."
        if moved
        else "None has moved from its first planned go live.",
    ]
    shared = shared_busy_kinds(due["go_live_date"])
    if shared:
        every = " and ".join(words for kind, words in BUSY_PHRASES.items() if kind in shared)
        bullets.append(f"All fall {every}." if len(due) > 1 else f"It falls {every}.")
    slide = Slide(title="Next go-lives", note=note, bullets=[b for b in bullets if b])
    return slide, fig, alt


def _changes_slide(
    migrations: pd.DataFrame, phases: pd.DataFrame, as_at: dt.date, previous: PreviousRows | None
) -> Slide:
    title = "Changes since the previous upload"
    if previous is None:
        return Slide(
            title=title,
            bullets=["First upload: there is no earlier upload to compare with yet."],
        )
    before_m, before_p, before_as_at = previous
    result = changes.compare_uploads(
        before_m, before_p, before_as_at, migrations, phases, as_at, same_tracker=True
    )
    moved = result["go_live_moved"]
    later = sum(1 for m in moved if m["days"] > 0)
    bullets = [
        f"{_plural(len(result['added']), 'migration')} added",
        f"{_plural(len(result['removed']), 'migration')} no longer in the trackers",
        f"{_plural(len(moved), 'go-live')} moved: {later} later, {len(moved) - later} earlier",
        f"{_plural(len(result['phases_completed']), 'phase')} completed",
        f"{_plural(len(result['status_changed']), 'migration')} changed status",
    ]
    note = f"From the picture as at {_day(before_as_at)} to {_day(as_at)}"
    if not moved:
        return Slide(title=title, note=note, bullets=bullets)
    names = name_case_series(migrations.set_index("migration_id")["practice_name"].astype("string"))
    top = sorted(moved, key=lambda m: (-abs(m["days"]), m["ods_code"] or ""))[:10]
    table = pd.DataFrame(
        {
            "Practice": [names.get(m["migration_id"], "") for m in top],
            "ODS code": [m["ods_code"] for m in top],
            "Go live was": [pd.Timestamp(m["from"]) for m in top],
            "Now": [pd.Timestamp(m["to"]) for m in top],
            "Days moved": [f"{m['days']:+d}" for m in top],
        }
    )
    note += f"; the {len(top)} largest go-live moves"
    return Slide(
        title=title, note=note, bullets=bullets, table=table, column_widths=(3, 1.2, 1.5, 1.5, 1.1)
    )


def build_board_pack(
    migrations: pd.DataFrame,
    phases: pd.DataFrame,
    history: pd.DataFrame,
    uploads: pd.DataFrame,
    previous_upload_rows: PreviousRows | None,
    as_at: dt.date,
    scope_label: str,
    progress: Progress | None = None,
    ages_to: dt.date | None = None,
) -> BoardPack:
    """The board pack for migrations and phases in scope (store.current_picture rows) as at a
    date. `history` is store.phase_history(engine, "go_live"), `uploads` store.list_uploads,
    `previous_upload_rows` (migrations, phases, as_at) of the picture at the upload before, or
    None. `progress(fraction, message)` is told how far it has got; each tracker's age is
    measured to `ages_to` (default: the as-at date). Raises
    images.ImageExportUnavailable when Chromium is missing (charts cannot be drawn)."""

    def step(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    step(0.02, "Working out the figures")
    overview = metrics.migration_overview(migrations, phases, as_at, history)
    phase_table = metrics.phase_status(phases, as_at)
    flags, computed, _ = risks.assess(overview, phase_table, as_at)
    ids = _upload_ids(migrations, history, as_at)
    pack_uploads = uploads[uploads["upload_id"].isin(ids)] if not uploads.empty else uploads
    source = images.source_line(pack_uploads, as_at)

    step(0.15, "Summary and risks")
    in_picture = uploads[uploads["upload_id"].isin(migrations.get("upload_id", []))]
    ages = freshness.tracker_ages(in_picture, migrations, phases, max(ages_to or as_at, as_at))
    title = _title_slide(pack_uploads, scope_label, as_at, ages[ages["migrations"] > 0])
    summary = _summary_slide(overview, as_at, risks.rag_counts(computed))
    spread, spread_fig, spread_alt = _spread_slide(overview, as_at)
    overruns, overrun_fig, overrun_alt = _overrun_slide(overview, phase_table, as_at)
    top_risks = _risk_slide(overview, flags, computed)
    upcoming, next_fig, next_alt = _next_slide(overview, as_at)
    step(0.3, "Changes since the previous upload")
    changed = _changes_slide(migrations, phases, as_at, previous_upload_rows)

    drawn = [
        (slide, fig, alt)
        for slide, fig, alt in (
            (spread, spread_fig, spread_alt),
            (overruns, overrun_fig, overrun_alt),
            (upcoming, next_fig, next_alt),
        )
        if fig is not None
    ]
    # drawn at 1280x720 and scale 2.5 (3200x1800 pixels): the chart shares its slide with a
    # column of bullets, so its text is drawn larger than a full-width download's
    # the source line names uploaders: escaped for Plotly, kept as typed on the slide's own text
    shown_source = for_plotly(source)
    styled = [
        images.slide_figure(fig, _chart_title(slide, fig), as_at, shown_source, PACK_CHART)
        for slide, fig, _ in drawn
    ]
    step(0.4, "Drawing the charts")
    pngs = images.render(
        styled,
        "png",
        PACK_SCALE,
        progress=lambda n, total: step(0.4 + 0.5 * n / total, f"Drew chart {n} of {total}"),
    )
    for (slide, _, alt), png in zip(drawn, pngs, strict=True):
        slide.image = SlideImage(png, alt, *(int(side * PACK_SCALE) for side in PACK_CHART))

    step(0.95, "Definitions appendix")
    slides = [title, summary, spread, overruns, top_risks, upcoming, changed]
    slides += appendix.appendix_slides(flags)
    step(1.0, "Done")
    return BoardPack(PACK_TITLE, scope_label, as_at, source, slides)


def _chart_title(slide: Slide, fig: go.Figure) -> str:
    """The chart's own title without the as-at line charts add (slide_figure adds its own)."""
    return (fig.layout.title.text or slide.title).split("<br>")[0]
