"""NHS England's practice mapping: ODS practice -> sub-ICB location -> ICB -> region."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import cast

import pandas as pd

from regiondash.fields import canonical_system, normalise_header

BUNDLED_MAPPING = "gp-reg-pat-prac-map_2026-01.csv"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: NHS England, Patients Registered at a GP Practice, January 2026."
)
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# NHS England's column names -> ours. A newer monthly file with the same columns loads as it is.
_COLUMNS = {
    "PRACTICE_CODE": "ods_code",
    "PRACTICE_NAME": "practice_name",
    "SUB_ICB_LOCATION_CODE": "sub_icb_code",
    "SUB_ICB_LOCATION_NAME": "sub_icb_name",
    "ICB_CODE": "icb_code",
    "ICB_NAME": "icb_name",
    "COMM_REGION_CODE": "region_code",
    "COMM_REGION_NAME": "region_name",
    "SUPPLIER_NAME": "supplier",
    "EXTRACT_DATE": "extract_date",
}
ORG_COLUMNS = [
    "sub_icb_code",
    "sub_icb_name",
    "icb_code",
    "icb_name",
    "region_code",
    "region_name",
]


@dataclass(frozen=True)
class Reference:
    """The practice mapping, indexed by ODS code, plus the organisation hierarchy it implies."""

    practices: pd.DataFrame  # index ods_code
    source: str

    @property
    def sub_icbs(self) -> pd.DataFrame:
        """One row per sub-ICB location with its ICB and region."""
        return (
            self.practices[ORG_COLUMNS]
            .drop_duplicates("sub_icb_code")
            .sort_values("sub_icb_code")
            .reset_index(drop=True)
        )

    @cached_property
    def practice_lookup(self) -> dict[str, dict[str, object]]:
        """ODS code -> the practice's name, organisations and system, for filling rows fast."""
        # Column by column: DataFrame.to_dict boxes every cell through pandas, ten times slower.
        frame = self.practices
        names = [str(name) for name in frame.columns]
        columns = [
            frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in names
        ]
        return {
            ods: dict(zip(names, row, strict=True))
            for ods, row in zip(frame.index, zip(*columns, strict=True), strict=True)
        }

    @cached_property
    def sub_icb_lookup(self) -> dict[str, dict[str, object]]:
        """Sub-ICB code or full name (folded) -> that sub-ICB's organisation columns."""
        lookup: dict[str, dict[str, object]] = {}
        # the column labels are text: pandas-stubs types a record's keys as any Hashable
        records = cast(list[dict[str, object]], self.sub_icbs.astype(object).to_dict("records"))
        for record in records:
            lookup[normalise_header(record["sub_icb_code"])] = record
            lookup[normalise_header(record["sub_icb_name"])] = record
        return lookup

    @property
    def extract_date(self) -> str:
        """The publication's extract date as written in the file (e.g. 01Jan2026)."""
        values = self.practices["extract_date"].dropna().unique()
        return str(values[0]) if len(values) else "unknown"


def bundled_mapping_path() -> Path:
    """Path of the practice mapping shipped inside the package."""
    return Path(str(resources.files("regiondash") / "reference_data" / BUNDLED_MAPPING))


def parse_reference(frame: pd.DataFrame, source: str = "") -> Reference:
    """Build a Reference from a DataFrame shaped like NHS England's gp-reg-pat-prac-map file."""
    missing = [c for c in _COLUMNS if c not in frame.columns and c != "EXTRACT_DATE"]
    if missing:
        raise ValueError(f"reference file {source or ''} lacks columns: {', '.join(missing)}")
    practices = frame[[c for c in _COLUMNS if c in frame.columns]].rename(columns=_COLUMNS)
    practices = practices.astype("string")
    practices["ods_code"] = practices["ods_code"].str.strip().str.upper()
    practices["source_system"] = practices["supplier"].map(canonical_system).astype("string")
    if "extract_date" not in practices:
        practices["extract_date"] = pd.NA
    practices = practices.drop_duplicates("ods_code").set_index("ods_code").sort_index()
    return Reference(practices=practices, source=source)


def load_reference(path: str | Path | None = None) -> Reference:
    """Load the practice mapping from a CSV (the bundled January 2026 file by default)."""
    csv_path = Path(path) if path else bundled_mapping_path()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return parse_reference(frame, source=csv_path.name)
