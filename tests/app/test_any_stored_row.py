"""Every page, and every migration's detail on the Timeline, survives any row an import can store.

Hypothesis builds a fresh SQLite store per example from rows that pass import: any practice,
known to NHS England's mapping or not; any identity field missing; any milestone date missing or
present in any order (go live before kickoff, actuals without plans, dates centuries away); every
Status a tracker writes; names with markdown, HTML, unicode or thousands of characters. The rows
are saved through the real store API, then every page is run under AppTest and must raise
nothing and show no error but the ones a page means to show.

Bounded for CI: a handful of examples (derandomized, so every run explores the same ones), 1-6
migrations each, one AppTest per example switched from page to page.
"""

import datetime as dt
import hashlib
import logging
import os
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from regiondash import store
from regiondash.fields import EVENT_DATE_FIELDS, PROBLEM_COLUMNS, SYSTEMS, WIDE_DATE_FIELDS
from regiondash.ingest.validate import migration_id, phase_spans
from regiondash.reference import load_reference
from regiondash.report import images
from regiondash.statuses import _STATUS_WORDS, STATUS_LABELS
from tests.app.conftest import APP
from tests.frames import migrations_frame, phases_frame

# Every page in app_pages/ (the app opens on the overview), so a page added later is covered too.
PAGES = sorted(path.stem for path in (Path(APP).parent / "app_pages").glob("*.py"))
assert "overview" in PAGES
# Error lines a page means to show: the board pack without Chromium to draw its chart images.
EXPECTED_ERRORS = (images.UNAVAILABLE_MESSAGE,)

APP_LOGGER = "regiondash.app"
_REFERENCE = load_reference()
KNOWN_CODES = sorted(_REFERENCE.practices.index)[:: max(1, len(_REFERENCE.practices) // 40)]

odd_text = st.one_of(
    st.sampled_from(
        [
            "",
            "   ",
            "**bold** _it_ `code` $x$ :material/home:",
            "[link](http://example.com) ![img](http://example.com/x.png)",
            '<a href="http://example.com">x</a> <span style="color:red">y</span> <img src=x>',
            "<script>alert(1)</script> & &amp; </div>",
            "# heading\n- list\n> quote\r\n\ttab",
            "=SUM(A1:A2)",
            'St Mary\'s "Riverside" Surgery — Ærø ✓ 🙂 مرحبا 中文 \u200b\u2060',
            "x" * 3000,
            "None",
            "nan",
            "NA",
        ]
    ),
    st.text(max_size=40),
)
maybe_text = st.one_of(st.none(), odd_text)
status_text = st.one_of(
    st.none(),
    st.sampled_from([w for _, words in _STATUS_WORDS for w in words]),
    st.sampled_from(list(STATUS_LABELS.values()) + list(STATUS_LABELS)),
    st.sampled_from(["Not live", "not yet started", "In progress - on hold", "LIVE!!", "??"]),
    odd_text,
)
# dates near the as-at dates, and far either side of them
any_date = st.one_of(
    st.dates(dt.date(2025, 6, 1), dt.date(2027, 6, 30)),
    st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)),
)
maybe_date = st.one_of(st.none(), any_date)
ods_code = st.one_of(
    st.sampled_from(KNOWN_CODES),
    st.from_regex(r"[A-Z][0-9]{5}", fullmatch=True),  # mostly not in the mapping
)


@st.composite
def migration(draw) -> tuple[dict, list[dict]]:
    """One stored migration row (the fields an import fills) and its phase rows."""
    code = draw(ods_code)
    source = draw(st.one_of(st.none(), st.sampled_from(SYSTEMS)))
    target = draw(st.sampled_from(SYSTEMS))  # an import refuses a row without one
    mapped = _REFERENCE.practice_lookup.get(code, {})
    record = {
        "migration_id": migration_id(code, source, target),
        "ods_code": code,
        "source_system": source,
        "source_system_inferred": source is not None and draw(st.booleans()),
        "target_system": target,
        "reported_status": draw(status_text),
        "reported_rag": draw(st.one_of(st.none(), st.sampled_from(["Red", "Amber", "Green"]))),
        "notes": draw(maybe_text),
        "ordering_party": draw(maybe_text),
        "csu": draw(maybe_text),
        "sheet": draw(st.sampled_from(["Sheet1", "<b>Tracker</b>"])),
        "source_row": draw(st.integers(2, 10_000)),
    }
    # a tracker's own value, the mapping's (for a known practice) or nothing at all
    for field in (
        "practice_name",
        "sub_icb_code",
        "sub_icb_name",
        "icb_code",
        "icb_name",
        "region_code",
        "region_name",
    ):
        choices = [st.none(), odd_text]
        if mapped.get(field) is not None:
            choices.append(st.just(mapped[field]))
        record[field] = draw(st.one_of(*choices))
    for field in EVENT_DATE_FIELDS:
        record[field] = draw(maybe_date)
    return record, draw(phase_rows(record["migration_id"]))


@st.composite
def phase_rows(draw, migration_id: str) -> list[dict]:
    """Phase rows from milestones as a wide tracker gives them: each date present or not, in
    any order (go live before kickoff, an actual without its plan)."""
    milestones = {field: draw(maybe_date) for field in WIDE_DATE_FIELDS}
    return [{"migration_id": migration_id, **span} for span in phase_spans(milestones)]


def _unique(pair: tuple[dict, list[dict]]) -> str:
    return pair[0]["migration_id"]


upload_rows = st.lists(migration(), min_size=1, max_size=6, unique_by=_unique)


@st.composite
def region(draw) -> list[tuple[dt.date, list]]:
    """One or two uploads of one tracker: each its as-at date and its migrations."""
    first = draw(upload_rows)
    uploads = [(draw(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))), first)]
    if draw(st.booleans()):
        # the next upload: some of the same migrations again (as before or with new dates),
        # some left out and some new ones
        again = [
            (record, draw(st.one_of(st.just(phases), phase_rows(record["migration_id"]))))
            for record, phases in draw(st.lists(st.sampled_from(first), max_size=len(first)))
        ]
        more = draw(st.lists(migration(), max_size=3))
        rows = list({_unique(p): p for p in again + more}.values()) or first
        later = uploads[0][0] + dt.timedelta(days=draw(st.integers(1, 400)))
        uploads.append((later, rows))
    return uploads


def _store(url: str, uploads: list[tuple[dt.date, list]]) -> None:
    engine = store.connect(url)
    for number, (as_at, rows) in enumerate(uploads):
        migrations = migrations_frame([record for record, _ in rows])
        migrations["source_system_inferred"] = migrations["source_system_inferred"].astype(bool)
        migrations["source_row"] = migrations["source_row"].astype("int64")
        spans = [span for _, phases in rows for span in phases]
        phases = phases_frame(
            [
                (
                    s["migration_id"],
                    s["phase"],
                    s["planned_start"],
                    s["planned_end"],
                    s["actual_start"],
                    s["actual_end"],
                )
                for s in spans
            ]
        )
        content = f"{url} upload {number}".encode()
        upload = store.UploadRecord(
            file_name=f"<i>tracker</i> {number}.csv",
            content=content,
            uploaded_by='<a href="http://example.com">CSU</a> **lead**',
            uploaded_at=dt.datetime.combine(as_at, dt.time(9), dt.UTC),
            as_at=as_at,
            file_kind="csv",
            sheet="Sheet1",
            header_row=1,
            tracker="<span style='color:red'>tracker</span>",
            mapping={"Practice Code": "ods_code"},
            rows_read=len(rows),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        empty_problems = pd.DataFrame({n: pd.Series([], dtype="string") for n in PROBLEM_COLUMNS})
        empty_aside = pd.DataFrame({"sheet": [], "row": [], "values": [], "reasons": []})
        outcome = store.save_upload(engine, upload, migrations, phases, empty_aside, empty_problems)
        assert outcome.status == store.STATUS_STORED
    engine.dispose()


class _Logged(logging.Handler):
    """The app's logged errors (the tracebacks behind "Something went wrong ... reference")."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(logging.Formatter().format(record))


def _check(at: AppTest, where: str, logged: _Logged) -> None:
    raised = [(e.value, e.stack_trace) for e in at.exception]
    assert not raised, (where, raised)
    unexpected = [e.value for e in at.error if not e.value.startswith(EXPECTED_ERRORS)]
    assert not unexpected, (where, unexpected, logged.texts)


def _every_page(at: AppTest, logged: _Logged) -> None:
    at.run()
    _check(at, "overview", logged)
    for page in [p for p in PAGES if p != "overview"]:
        at.switch_page(f"app_pages/{page}.py").run()
        _check(at, page, logged)
        if page == "timeline":
            pickers = [s for s in at.selectbox if s.label == "Migration"]
            assert pickers, "the Timeline has no migration picker"
            # every migration's detail, picked by its label as the browser sends it
            for index in range(1, len(pickers[0].options)):
                picker = next(s for s in at.selectbox if s.label == "Migration")
                picker.select_index(index).run()
                _check(at, f"timeline detail {picker.options[index]!r}", logged)
                picked = next(s for s in at.selectbox if s.label == "Migration")
                assert picked.index == index


_COUNTER = iter(range(10**9))


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    # no shrinking: each example is a dozen app runs, and the failing store is reported whole
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(region())
def test_every_page_survives_any_stored_rows(tmp_path_factory, uploads):
    url = f"sqlite:///{tmp_path_factory.mktemp('any') / f'region{next(_COUNTER)}.db'}"
    _store(url, uploads)
    before = os.environ.get(store.DATABASE_URL_ENV)
    os.environ[store.DATABASE_URL_ENV] = url
    try:
        logging.getLogger(APP_LOGGER).addHandler(logged := _Logged())
        # no wall-clock limit here: AppTest's 60 s a run stops a hung page, and the speed that
        # once failed (busy-period shading over decades) is timed by bench/bench_domain.py
        _every_page(AppTest.from_file(APP, default_timeout=60), logged)
    finally:
        logging.getLogger(APP_LOGGER).removeHandler(logged)
        if before is None:
            os.environ.pop(store.DATABASE_URL_ENV, None)
        else:
            os.environ[store.DATABASE_URL_ENV] = before
