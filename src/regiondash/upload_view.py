"""Tables the upload page shows: the column mapping, counts, the report and upload history; and
an upload's original file to download."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import cast

import pandas as pd

from regiondash import exports
from regiondash.fields import FIELD_BY_KEY, FIELDS
from regiondash.ingest import AS_AT_DEFAULT, AS_AT_TITLE, ParsedTracker
from regiondash.ingest.columns import IGNORE
from regiondash.sources.base import FILE_KIND
from regiondash.uploading import EXPLICIT, NEW_TRACKER, TrackerChoice, tracker_name

NOT_USED = "(not used)"
FIELD_CHOICES = [NOT_USED, *(f"{f.label} [{f.key}]" for f in FIELDS)]
_CHOICE_KEY = {f"{f.label} [{f.key}]": f.key for f in FIELDS}


def _choice(key: str | None) -> str:
    if key is None or key == IGNORE or key not in FIELD_BY_KEY:
        return NOT_USED
    return f"{FIELD_BY_KEY[key].label} [{key}]"


def mapping_table(parsed: ParsedTracker) -> pd.DataFrame:
    """Every header of the found header row (or the first sheet's first row) with its field."""
    if parsed.match is not None:
        headers = parsed.match.headers
        mapped = parsed.match.columns
        rows = [(text, _choice(mapped.get(index))) for index, text in sorted(headers.items())]
    else:
        first = next((s for s in parsed.workbook.sheets if s.visible), None)
        cells = first.rows[0] if first and first.rows else []
        rows = [(str(c).strip(), NOT_USED) for c in cells if c is not None and str(c).strip()]
    return pd.DataFrame(rows, columns=["Column in your file", "Maps to"])


def mapping_from_table(table: pd.DataFrame) -> dict[str, str]:
    """The hand mapping a user set in the mapping table (unused columns are ignored)."""
    mapping = {}
    for header, choice in table[["Column in your file", "Maps to"]].itertuples(index=False):
        mapping[str(header)] = _CHOICE_KEY.get(choice, IGNORE) if choice else IGNORE
    return mapping


def counts(parsed: ParsedTracker) -> dict[str, int]:
    """Rows read, valid migrations, errors and warnings of a checked tracker."""
    rows = parsed.rows
    return {
        "rows_read": rows.rows_read if rows else 0,
        "valid": len(rows.migrations) if rows else 0,
        "set_aside": len(rows.set_aside) if rows else 0,
        "errors": len(parsed.errors),
        "warnings": len(parsed.warnings),
    }


def report_table(problems: pd.DataFrame) -> pd.DataFrame:
    """Problems with people's column names, errors first, in sheet and row order."""
    order = problems.assign(_rank=problems["severity"].map({"error": 0, "warning": 1}))
    order = order.sort_values(["_rank", "sheet", "row"], na_position="first")
    names = {
        "severity": "Severity",
        "sheet": "Sheet",
        "row": "Row",
        "column": "Column",
        "value": "Value",
        "message": "Problem",
    }
    return order.drop(columns="_rank").rename(columns=names).reset_index(drop=True)


def history_table(uploads: pd.DataFrame) -> pd.DataFrame:
    """Upload history for people: who, when, file, as at, counts and status."""
    table = pd.DataFrame(
        {
            "Upload": uploads["upload_id"],
            "Uploaded": pd.to_datetime(uploads["uploaded_at"], utc=True)
            .dt.tz_convert("Europe/London")
            .dt.strftime("%d/%m/%Y %H:%M"),
            "By": uploads["uploaded_by"],
            "File": uploads["file_name"],
            "As at": pd.to_datetime(uploads["as_at"]),
            "Rows read": uploads["rows_read"],
            "Migrations": uploads["migrations"],
            "Set aside": uploads["rows_set_aside"],
            "Warnings": uploads["warnings"],
            "Status": uploads["status"].map(
                {"stored": "Stored", "stored_valid_rows": "Stored (valid rows only)"}
            ),
        }
    )
    return table.reset_index(drop=True)


def upload_label(uploads: pd.DataFrame) -> Callable[[int], str]:
    """A selectbox label function: 'Upload 3 — SW tracker: file.xlsx, as at 20/11/2026'."""
    by_id = uploads.set_index("upload_id")

    def label(upload_id: int) -> str:
        tracker = f"{by_id.at[upload_id, 'tracker']!s}: " if "tracker" in by_id.columns else ""
        # The stubs type .at as any scalar (bytes too); as_at holds a date, the others text.
        as_at = cast("dt.date", by_id.at[upload_id, "as_at"])
        return (
            f"Upload {upload_id} — {tracker}{by_id.at[upload_id, 'file_name']!s}, as at "
            f"{pd.Timestamp(as_at):%d/%m/%Y}"
        )

    return label


def comparison_pair(uploads: pd.DataFrame) -> tuple[int, int] | None:
    """The two uploads to compare first: the newest upload and the one before it of the same
    tracker (uploads newest first), or None when no tracker has two uploads."""
    for tracker in uploads["tracker"]:
        same = uploads[uploads["tracker"] == tracker]["upload_id"].tolist()
        if len(same) >= 2:
            return same[1], same[0]
    return None


def set_aside_table(aside: pd.DataFrame) -> pd.DataFrame:
    """Set-aside rows: sheet, row, reasons, then the row's cells as written."""
    cells = pd.DataFrame(list(aside["values"])) if len(aside) else pd.DataFrame()
    head = pd.DataFrame(
        {"Sheet": aside["sheet"], "Row": aside["row"], "Reasons": aside["reasons"]}
    ).reset_index(drop=True)
    return pd.concat([head, cells.reset_index(drop=True)], axis=1)


def as_at_words(parsed: ParsedTracker) -> str:
    """Where the tracker's as-at date came from, in words for the date box's caption."""
    if parsed.as_at_from == AS_AT_TITLE:
        return "Found in the file's title rows. Change it if the tracker is as at another date."
    if parsed.as_at_from == AS_AT_DEFAULT:
        return "The file's title rows give no date, so today is used. Set the tracker's own date."
    return "The date you chose."


def tracker_options(
    choice: TrackerChoice, known: pd.DataFrame, file_name: str
) -> tuple[list[str], dict[str, str]]:
    """The trackers an upload can replace, the suggested one first, and their labels: every
    stored tracker, and always a new tracker named after the file."""
    stored = sorted({str(t) for t in known["tracker"].dropna()})
    options = [choice.name, *[t for t in stored if t != choice.name]]
    labels = {t: f'Replaces tracker "{t}"' for t in stored}
    if choice.matched_by in (NEW_TRACKER, EXPLICIT) and choice.name not in stored:
        labels[choice.name] = f'A new tracker, "{choice.name}"'
    else:
        labels[choice.name] = choice.describe()
        new = tracker_name(file_name)
        while new in stored:
            new = f"{new} (new)"
        options.append(new)
        labels[new] = f'A new tracker, "{new}"'
    return options, labels


def replacement_words(tracker: str, migrations: pd.DataFrame, known: pd.DataFrame) -> str | None:
    """What replacing a stored tracker does to its migrations, in words (None for a new one)."""
    theirs = known[known["tracker"] == tracker]
    if theirs.empty:
        return None
    leaving = set(theirs["migration_id"]) - set(migrations["migration_id"])
    text = f'"{tracker}" holds {len(theirs):,} migrations in its latest upload'
    if not leaving:
        return text + "; this file holds every one of them."
    return (
        text + f"; **{len(leaving):,} of them are not in this file and will leave the picture** "
        "(listed on Slippage and changes)."
    )


def suggestions(parsed: ParsedTracker) -> list[tuple[str, str, str]]:
    """(header, field key, field label) for each column not used that looks like a field."""
    match = parsed.match
    if match is None:
        return []
    return [
        (header, key, FIELD_BY_KEY[key].label)
        for header, key in getattr(match, "suggestions", {}).items()
        if key in FIELD_BY_KEY
    ]


_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class _Verbatim:
    """A cell written as it is: a plain number, which no spreadsheet runs as a formula."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def original_file(content: bytes, file_kind: str) -> bytes:
    """An upload's original file for download. A file someone uploaded is given back byte for
    byte; a tracking database's rows were kept as CSV just as the source held them, so text a
    spreadsheet would run as a formula (=HYPERLINK(..), +cmd|.., @SUM(..)) is written as plain
    text, as in every CSV regiondash writes (exports.csv_bytes), header included."""
    if file_kind != FILE_KIND or not content:
        return content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    width = max((len(row) for row in rows), default=0)
    cells = [
        [_Verbatim(v) if _PLAIN_NUMBER.fullmatch(v) else v for v in row] + [""] * (width - len(row))
        for row in rows
    ]
    written = exports.csv_bytes(pd.DataFrame(cells, columns=range(width), dtype=object))
    # csv_bytes writes a header of its own (0,1,2..) after its byte order mark: the source's
    # header is the first of the rows
    return "\ufeff".encode() + written[written.index(b"\r\n") + 2 :]
