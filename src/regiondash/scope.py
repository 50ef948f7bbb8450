"""The shared filters: which migrations are in view. Plain data, so pages, links and tests agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

import pandas as pd

from regiondash.statuses import STATUSES

# filter name -> the overview column it selects on
FILTER_COLUMNS: dict[str, str] = {
    "region": "region_code",
    "icb": "icb_code",
    "sub_icb": "sub_icb_code",
    "csu": "csu",
    "source": "source_system",
    "target": "target_system",
    "status": "status",
}
FILTER_LABELS: dict[str, str] = {
    "region": "Region",
    "icb": "ICB",
    "sub_icb": "Sub-ICB location (former CCG)",
    "csu": "CSU",
    "source": "Source system",
    "target": "Target system",
    "status": "Status",
}
# how a message names a filter: (one value, several values)
FILTER_NOUNS: dict[str, tuple[str, str]] = {
    "region": ("region", "regions"),
    "icb": ("ICB", "ICBs"),
    "sub_icb": ("sub-ICB location", "sub-ICB locations"),
    "csu": ("CSU", "CSUs"),
    "source": ("source system", "source systems"),
    "target": ("target system", "target systems"),
    "status": ("status", "statuses"),
    "as_at": ("as-at date", "as-at dates"),
}
UNKNOWN = "(not recorded)"
# organisation filters, each narrowing the lists below it
ORG_ORDER = ("region", "icb", "sub_icb")


@dataclass(frozen=True)
class Filters:
    """Selected values for each filter (empty means all) and an optional as-at date."""

    region: tuple[str, ...] = ()
    icb: tuple[str, ...] = ()
    sub_icb: tuple[str, ...] = ()
    csu: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    as_at: dt.date | None = field(default=None)

    def selections(self) -> dict[str, tuple[str, ...]]:
        """Each filter's selected values (the as-at date left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "as_at"}

    def is_default(self) -> bool:
        """True when nothing is filtered and the as-at date is the default."""
        return not any(self.selections().values()) and self.as_at is None

    def to_query(self) -> dict[str, str]:
        """URL query parameters for this view, so it can be shared as a link."""
        query = {name: ",".join(values) for name, values in self.selections().items() if values}
        if self.as_at is not None:
            query["as_at"] = self.as_at.isoformat()
        return query

    @classmethod
    def from_query(cls, query: dict[str, str]) -> Filters:
        """Filters from URL query parameters; unknown keys and bad dates are ignored (see
        parse_query for what was left out and why)."""
        return parse_query(query)[0]


# why a link's value was left out
NOT_A_DATE = "not_a_date"  # as_at is not a YYYY-MM-DD date
NOT_A_STATUS = "not_a_status"  # status is not one of statuses.STATUSES
NOT_IN_DATA = "not_in_data"  # no migration in the data has this value
NOT_WITHIN = "not_within"  # in the data, but not within the organisations chosen above it


@dataclass(frozen=True)
class LinkProblem:
    """Values a link asked for that the view cannot show, so they were left out."""

    name: str  # filter name, or "as_at"
    values: tuple[str, ...]  # the values left out, as the link gave them
    reason: str  # NOT_A_DATE, NOT_A_STATUS, NOT_IN_DATA or NOT_WITHIN
    kept: tuple[str, ...] = ()  # the filter's values still applied (empty: showing all)
    within: tuple[tuple[str, tuple[str, ...]], ...] = ()  # NOT_WITHIN: (filter, values) above


def _split(raw: object) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in str(raw).split(",") if p.strip())
    return tuple(dict.fromkeys(parts))  # each value once, in the link's order


def parse_query(query: dict[str, str]) -> tuple[Filters, list[LinkProblem]]:
    """Filters from URL query parameters, and what the link asked for that is not well formed:
    an as-at date that is not YYYY-MM-DD, a status that is not a migration status. Unknown keys
    and empty values are ignored; problems are left out of the filters, never guessed at."""
    values: dict[str, tuple[str, ...]] = {}
    as_at: dt.date | None = None
    problems: list[LinkProblem] = []
    for name in FILTER_COLUMNS:
        parts = _split(query.get(name, ""))
        if name == "status":
            wrong = tuple(p for p in parts if p not in STATUSES)
            parts = tuple(p for p in parts if p in STATUSES)
            if wrong:
                problems.append(LinkProblem(name, wrong, NOT_A_STATUS, kept=parts))
        if parts:
            values[name] = parts
    raw_date = str(query.get("as_at", "")).strip()
    if raw_date:
        try:
            as_at = dt.date.fromisoformat(raw_date)
        except ValueError:
            problems.append(LinkProblem("as_at", (raw_date,), NOT_A_DATE))
    return Filters(**values, as_at=as_at), problems


def check_against_data(
    overview: pd.DataFrame, filters: Filters
) -> tuple[Filters, list[LinkProblem]]:
    """The filters with every value the data cannot show left out, and a problem for each filter
    that lost values: not in the data at all, or (organisations) not within the region or ICB
    chosen above it. Checked in the order the sidebar narrows its lists."""
    kept: dict[str, tuple[str, ...]] = {}
    problems: list[LinkProblem] = []
    for name, values in filters.selections().items():
        if not values:
            continue
        options = set(filter_options(overview, Filters(**kept, as_at=None), name))
        good = tuple(v for v in values if v in options)
        wrong = tuple(v for v in values if v not in options)
        anywhere = set(_filter_values(overview, name).unique().tolist())
        absent = tuple(v for v in wrong if v not in anywhere)
        outside = tuple(v for v in wrong if v in anywhere)
        if absent:
            problems.append(LinkProblem(name, absent, NOT_IN_DATA, kept=good))
        if outside:
            above = tuple((a, kept[a]) for a in ORG_ORDER[: ORG_ORDER.index(name)] if kept.get(a))
            problems.append(LinkProblem(name, outside, NOT_WITHIN, kept=good, within=above))
        if good:
            kept[name] = good
    return Filters(**kept, as_at=filters.as_at), problems


def single_organisation(filters: Filters) -> tuple[str, str | None]:
    """The most specific organisation level with exactly one value chosen, and that value
    ("sub_icb", "15N"), or ("", None) when the filters choose no single organisation."""
    for level in ("sub_icb", "icb", "region"):
        values = getattr(filters, level)
        if len(values) == 1:
            return level, values[0]
    return "", None


def apply_filters(overview: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The migrations matching every chosen filter."""
    keep = pd.Series(True, index=overview.index)
    for name, values in filters.selections().items():
        if values:
            keep &= _filter_values(overview, name).isin(values)
    return overview[keep]


def filter_options(overview: pd.DataFrame, filters: Filters, name: str) -> list[str]:
    """The values a filter can take given the organisation filters above it (region -> ICB ->
    sub-ICB), so a list never offers a choice that would show nothing."""
    narrowed = overview
    if name in ORG_ORDER:
        for above in ORG_ORDER[: ORG_ORDER.index(name)]:
            values = getattr(filters, above)
            if values:
                narrowed = narrowed[_filter_values(narrowed, above).isin(values)]
    return sorted(_filter_values(narrowed, name).unique().tolist())


def _filter_values(overview: pd.DataFrame, name: str) -> pd.Series:
    """A filter's column as the filter sees it: text, with missing values named."""
    return overview[FILTER_COLUMNS[name]].astype("string").fillna(UNKNOWN)


def option_labels(overview: pd.DataFrame, name: str) -> dict[str, str]:
    """Readable labels for organisation codes (e.g. 'QVV' -> 'QVV – NHS Dorset ICB')."""
    names = {"region": "region_name", "icb": "icb_name", "sub_icb": "sub_icb_name"}
    if name not in names:
        return {}
    pairs = overview[[FILTER_COLUMNS[name], names[name]]].dropna().drop_duplicates()
    labels = {}
    for code, full in pairs.itertuples(index=False):
        labels[str(code)] = f"{code} – {short_org_name(str(full), str(code))}"
    return labels


def short_org_name(name: str, code: str = "") -> str:
    """An organisation's name without the words every one shares: 'NHS Devon ICB - 15N' and
    'NHS Devon Integrated Care Board' both become 'Devon'."""
    short = name.replace(f" - {code}", "") if code else name
    for suffix in (" Integrated Care Board", " ICB", " CCG"):
        short = short.removesuffix(suffix)
    return short.removeprefix("NHS ").strip() or name


SORTS = {
    "upcoming": "Next go-lives first",
    "go_live": "Go-live date",
    "days_overrun": "Days late (most first)",
    "name": "Practice name",
}


def search(overview: pd.DataFrame, text: str) -> pd.DataFrame:
    """Migrations whose ODS code or practice name contains the text (any case)."""
    needle = text.strip().lower()
    if not needle:
        return overview
    hay = (
        overview["ods_code"].fillna("").str.lower()
        + " "
        + overview["practice_name"].fillna("").str.lower()
    )
    return overview[hay.str.contains(needle, regex=False)]


def sort_migrations(overview: pd.DataFrame, by: str) -> pd.DataFrame:
    """Migrations in the chosen order: next go-lives first, go-live date, days late or name."""
    if by == "days_overrun":
        return overview.sort_values(["days_late", "ods_code"], ascending=[False, True])
    if by == "upcoming":
        # not yet live, soonest first; then those already live, most recent first
        live = overview["status"].isin(["live", "completed"])
        cancelled = overview["status"] == "cancelled"
        ahead = overview[~live & ~cancelled].sort_values(
            ["go_live_date", "ods_code"], na_position="last"
        )
        done = overview[live].sort_values(["go_live_date", "ods_code"], ascending=[False, True])
        return pd.concat([ahead, done, overview[cancelled]])
    if by == "name":
        names = overview["practice_name"].astype("string").str.casefold()
        return overview.assign(_name=names).sort_values(["_name", "ods_code"], na_position="last")[
            overview.columns
        ]
    return overview.sort_values(["go_live_date", "ods_code"], na_position="last")


def page_of(frame: pd.DataFrame, page: int, size: int) -> pd.DataFrame:
    """Rows of one page (pages count from 1), so a chart never draws more than `size` rows."""
    start = (max(page, 1) - 1) * size
    return frame.iloc[start : start + size]


def page_count(rows: int, size: int) -> int:
    """How many pages `rows` rows fill (at least 1)."""
    return max(1, -(-rows // size))
