"""What a board pack or an export reads from the store, for a scope and an as-at date: one
loader for the command line and the page, so both print the same numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from regiondash import metrics, store
from regiondash.scope import short_org_name

SCOPE_LEVELS = {"region": "region", "icb": "ICB", "sub_icb": "sub-ICB location"}
_COLUMNS = {"region": "region_code", "icb": "icb_code", "sub_icb": "sub_icb_code"}


class NothingToReport(LookupError):
    """No uploads are stored, or nothing is in the chosen scope as at the date."""


@dataclass(frozen=True)
class Scope:
    """A region, ICB or sub-ICB location by code; no level means everything stored."""

    level: str | None = None  # "region" | "icb" | "sub_icb"
    code: str | None = None

    def __post_init__(self) -> None:
        if (self.level is None) != (self.code is None):
            raise ValueError("a scope needs both a level and a code, or neither")
        if self.level is not None and self.level not in SCOPE_LEVELS:
            raise ValueError(f"scope level must be one of {', '.join(SCOPE_LEVELS)}")

    def codes(self) -> dict[str, str | None]:
        """Keyword arguments for metrics.in_scope."""
        return {name: self.code if name == self.level else None for name in SCOPE_LEVELS}


@dataclass(frozen=True)
class PackInputs:
    """The rows a pack or an export is made from, and what they cover."""

    migrations: pd.DataFrame  # store.current_picture rows in scope
    phases: pd.DataFrame
    history: pd.DataFrame  # store.phase_history(engine, "go_live", as_at)
    uploads: pd.DataFrame  # store.list_uploads
    previous: tuple[pd.DataFrame, pd.DataFrame, dt.date] | None  # the picture one upload back
    as_at: dt.date
    scope_label: str


def scope_label(migrations: pd.DataFrame, scope: Scope) -> str:
    """'ICB QJK – Devon' for a chosen scope; the one region's name, or 'All regions', for none."""
    if scope.level is None:
        regions = migrations[["region_code", "region_name"]].dropna().drop_duplicates()
        if len(regions) == 1:
            code, name = regions.iloc[0]
            return f"Region {code} – {short_org_name(str(name), str(code)).title()}"
        return "All regions"
    column = _COLUMNS[scope.level]
    names = migrations[[column, column.replace("_code", "_name")]].dropna().drop_duplicates()
    code = str(scope.code).strip().upper()
    name = names[names[column].str.upper() == code]
    label = SCOPE_LEVELS[scope.level]
    if name.empty:
        return f"{label[0].upper()}{label[1:]} {code}"
    full = short_org_name(str(name.iloc[0, 1]), code)
    full = full.title() if full.isupper() else full
    return f"{label[0].upper()}{label[1:]} {code} – {full}"


def _in_scope(
    migrations: pd.DataFrame, phases: pd.DataFrame, scope: Scope
) -> tuple[pd.DataFrame, pd.DataFrame]:
    chosen = metrics.in_scope(migrations, **scope.codes())
    return chosen, phases[phases["migration_id"].isin(chosen["migration_id"])]


def load_inputs(
    engine: Engine, as_at: dt.date | None = None, scope: Scope | None = None
) -> PackInputs:
    """Everything a pack needs as at a date (default: the latest upload's) for a scope.
    Raises NothingToReport with a plain message when there is nothing to report."""
    scope = scope or Scope()
    uploads = store.list_uploads(engine)
    if uploads.empty:
        raise NothingToReport("no uploads stored yet; run `regiondash import` or `regiondash demo`")
    as_at = as_at or store.latest_as_at(engine)
    assert as_at is not None  # uploads are stored, each with an as-at date
    upload_days = sorted({pd.Timestamp(d).date() for d in uploads["as_at"]})
    if not upload_days or upload_days[0] > as_at:
        raise NothingToReport(
            f"no upload is as at or before {as_at:%d %b %Y}; the first is {upload_days[0]:%d %b %Y}"
        )
    migrations, phases = _in_scope(*store.current_picture(engine, as_at), scope)
    if migrations.empty:
        where = f"{SCOPE_LEVELS[scope.level]} {scope.code}" if scope.level else "the store"
        raise NothingToReport(f"no migrations in {where} as at {as_at:%d %b %Y}")
    earlier = [d for d in upload_days if d <= as_at]
    previous = None
    if len(earlier) > 1:
        # the picture as at the upload before the latest one this date draws on
        before_as_at = earlier[-2]
        before_m, before_p = _in_scope(*store.current_picture(engine, before_as_at), scope)
        previous = (before_m, before_p, before_as_at)
    history = store.phase_history(engine, "go_live", as_at)
    return PackInputs(
        migrations, phases, history, uploads, previous, as_at, scope_label(migrations, scope)
    )
