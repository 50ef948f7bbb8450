"""Find a tracker's sheet and header row, and map its headers to canonical fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from regiondash.fields import FIELD_BY_KEY, field_for_header, normalise_header, suggest_field
from regiondash.ingest.worker import SheetGrid, WorkbookGrid

HEADER_SCAN_ROWS = 30
IGNORE = "ignore"  # a hand mapping to this drops the column
_ORDER_EXPORT_MARKERS = {"service recipient id", "m1 planned delivery date", "actual m1 date"}
_LONG_DATE_FIELDS = {"planned_start", "planned_end", "actual_start", "actual_end"}


class MappingProblem(ValueError):
    """A hand mapping that names no field, or a sheet name the workbook lacks (a usage error)."""


@dataclass
class HeaderMatch:
    """Where a tracker's header is and what each column means."""

    sheet: SheetGrid
    header_index: int  # index into sheet.rows
    columns: dict[int, str]  # column index -> field key
    headers: dict[int, str]  # column index -> header text as written
    unmapped: list[str]  # headers that name no field (kept with set-aside rows, otherwise unused)
    duplicates: list[tuple[str, str]]  # (header, field) ignored because an earlier column has it
    layout: str  # "wide", "long", "order_export" or "plan_export" (ingest.plan_export)
    ignored_sheets: list[tuple[str, str]] = field(default_factory=list)
    # unmapped header as written -> the field it most likely means ("did you mean ...?"), never
    # a field another column already has
    suggestions: dict[str, str] = field(default_factory=dict)

    @property
    def header_row(self) -> int:
        """The header's row number as the user sees it in Excel (line number for CSV)."""
        return self.sheet.row_numbers[self.header_index]

    @property
    def mapping(self) -> dict[str, str]:
        """Header as written -> field key, for the columns in use."""
        return {self.headers[i]: key for i, key in self.columns.items()}

    @property
    def suggestion_labels(self) -> dict[str, str]:
        """Unmapped header as written -> the template label of the field suggested for it."""
        return {header: FIELD_BY_KEY[key].label for header, key in self.suggestions.items()}


def parse_mapping_options(options: list[str]) -> dict[str, str]:
    """Turn ["HEADER=field", ...] into a mapping, refusing fields the vocabulary lacks."""
    mapping: dict[str, str] = {}
    for option in options:
        header, sep, key = option.rpartition("=")
        key = key.strip()
        if not sep or not header.strip():
            raise MappingProblem(f'--map "{option}" should look like "HEADER=field"')
        if key != IGNORE and key not in FIELD_BY_KEY:
            raise MappingProblem(
                f'--map "{option}": "{key}" is not a field; fields are '
                + ", ".join(FIELD_BY_KEY)
                + f', or "{IGNORE}"'
            )
        mapping[header.strip()] = key
    return mapping


def _header_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _map_row(
    row: list[object], above: list[object] | None, hand: dict[str, str]
) -> tuple[dict[int, str], dict[int, str], list[str], list[tuple[str, str]]]:
    """Map one candidate header row; the row above supplies group labels of two-row headers."""
    columns: dict[int, str] = {}
    headers: dict[int, str] = {}
    unmapped: list[str] = []
    duplicates: list[tuple[str, str]] = []
    taken: set[str] = set()
    group = ""
    for index, cell in enumerate(row):
        if above is not None and index < len(above) and _header_text(above[index]):
            group = _header_text(above[index])  # merged group labels sit in their first column
        text = _header_text(cell)
        if not text:
            continue
        key = hand.get(normalise_header(text))
        if key is None:
            key = field_for_header(text)
        if key is None and group:
            key = field_for_header(f"{group} {text}")
            if key is not None:
                text = f"{group} {text}"
        headers[index] = text
        if key is None:
            unmapped.append(text)
        elif key == IGNORE:
            continue
        elif key in taken:
            duplicates.append((text, key))
        else:
            taken.add(key)
            columns[index] = key
    return columns, headers, unmapped, duplicates


def _layout(columns: dict[int, str], headers: dict[int, str]) -> str:
    keys = set(columns.values())
    if "phase" in keys and keys & _LONG_DATE_FIELDS:
        return "long"
    if {normalise_header(h) for h in headers.values()} & _ORDER_EXPORT_MARKERS:
        return "order_export"
    return "wide"


def _suggestions(unmapped: list[str], taken: set[str]) -> dict[str, str]:
    """Unmapped header -> the field it most likely means, each field offered once at most."""
    suggestions: dict[str, str] = {}
    for header in unmapped:
        key = suggest_field(header)
        if key is not None and key not in taken:
            suggestions[header] = key
            taken.add(key)
    return suggestions


def _find_in_sheet(sheet: SheetGrid, hand: dict[str, str]) -> HeaderMatch | None:
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        above = sheet.rows[index - 1] if index else None
        columns, headers, unmapped, duplicates = _map_row(row, above, hand)
        keys = set(columns.values())
        if "ods_code" in keys and len(keys) >= 2:
            layout = _layout(columns, headers)
            if layout == "order_export" and "target_system" not in keys:
                # In an order export the supplier ordered from is the new system's supplier.
                for col, text in headers.items():
                    if normalise_header(text) == "supplier name" and col not in columns:
                        columns[col] = "target_system"
                        unmapped.remove(text)
            match = HeaderMatch(sheet, index, columns, headers, unmapped, duplicates, layout)
            match.suggestions = _suggestions(unmapped, set(columns.values()))
            return match
    return None


def find_header(
    workbook: WorkbookGrid, sheet_name: str | None = None, hand: dict[str, str] | None = None
) -> HeaderMatch | None:
    """The named sheet's header, else the first visible sheet's with a recognisable header."""
    folded_hand = {normalise_header(h): key for h, key in (hand or {}).items()}
    if sheet_name is not None:
        by_name = {s.name: s for s in workbook.sheets}
        if sheet_name not in by_name:
            names = ", ".join(f'"{s.name}"' for s in workbook.sheets)
            raise MappingProblem(f'there is no sheet "{sheet_name}"; the sheets are {names}')
        candidates = [by_name[sheet_name]]
    else:
        candidates = workbook.sheets
    ignored: list[tuple[str, str]] = []
    for sheet in candidates:
        if not sheet.visible and sheet_name is None:
            ignored.append((sheet.name, "hidden"))
            continue
        match = _find_in_sheet(sheet, folded_hand)
        if match is None:
            from regiondash.ingest.plan_export import find_plan_header  # it imports this module

            match = find_plan_header(sheet, folded_hand)
        if match is not None:
            chosen = {sheet.name}
            for other in workbook.sheets:
                if other.name in chosen or any(other.name == name for name, _ in ignored):
                    continue
                reason = "hidden" if not other.visible else "not the tracker sheet"
                ignored.append((other.name, reason))
            match.ignored_sheets = ignored
            return match
        ignored.append((sheet.name, "no tracker header found"))
    return None
