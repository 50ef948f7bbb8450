"""The shared filters: which migrations are in view. Plain data, so pages, links and tests agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

import pandas as pd

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
UNKNOWN = "(not recorded)"


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
        """Filters from URL query parameters; unknown keys and bad dates are ignored."""
        values: dict[str, object] = {}
        for name in FILTER_COLUMNS:
            raw = query.get(name, "")
            parts = tuple(p.strip() for p in str(raw).split(",") if p.strip())
            if parts:
                values[name] = parts
        try:
            values["as_at"] = (
                dt.date.fromisoformat(str(query["as_at"])) if "as_at" in query else None
            )
        except ValueError:
            values["as_at"] = None
        return cls(**values)


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
    order = ["region", "icb", "sub_icb"]
    if name in order:
        for above in order[: order.index(name)]:
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
