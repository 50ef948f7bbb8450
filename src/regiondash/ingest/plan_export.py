"""Project-plan exports (Smartsheet, MS Project "Export to Excel") read as long trackers.

A plan has one parent task per practice, whose name holds the ODS code ("P81001 Riverside
Surgery (EMIS Web to SystmOne)"), with its phases as the tasks beneath it. The hierarchy is the
plan's Outline Level column, else Excel's row grouping, else the task cell's indent, else
leading spaces in the task name. Each phase task becomes one long-tracker row (the phase, its
plan from Baseline Start/Finish or else Start/Finish, its actuals from Start/Finish by
% Complete or Status), keeping its Excel row number, and the long tracker checks do the rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TypedDict

import pandas as pd

from regiondash.fields import (
    EVENT_FIELDS,
    IDENTITY_FIELDS,
    SYSTEM_BY_ALIAS,
    canonical_system,
    normalise_header,
    phase_for_name,
)
from regiondash.ingest.columns import HEADER_SCAN_ROWS, HeaderMatch, _map_row
from regiondash.ingest.dates import DateProblem, parse_date_cell
from regiondash.ingest.validate import Problem, TrackerRows, _shown, check_rows
from regiondash.ingest.worker import SheetGrid
from regiondash.reference import Reference

LAYOUT = "plan_export"

# Plan columns by role, as normalise_header folds them ("% Complete" -> "complete").
ROLE_HEADERS: dict[str, frozenset[str]] = {
    "task": frozenset({"task name", "name", "task", "task title", "activity", "activity name"}),
    "start": frozenset({"start", "start date", "scheduled start", "start time"}),
    "finish": frozenset(
        {"finish", "finish date", "end", "end date", "scheduled finish", "due date"}
    ),
    "baseline_start": frozenset({"baseline start", "baseline start date", "baseline1 start"}),
    "baseline_finish": frozenset(
        {
            "baseline finish",
            "baseline finish date",
            "baseline end",
            "baseline end date",
            "baseline1 finish",
        }
    ),
    "complete": frozenset(
        {
            "complete",
            "percent complete",
            "pct complete",
            "complete pct",
            "percent done",
            "done",
            "progress",
        }
    ),
    "status": frozenset({"status", "task status", "state"}),
    "outline": frozenset({"outline level", "level"}),
}
# Fields a practice's parent task row may supply from its other columns.
PARENT_FIELDS = frozenset(f.key for f in IDENTITY_FIELDS + EVENT_FIELDS) - {"ods_code"}

_ODS_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][0-9]{5})(?![A-Za-z0-9])")
# "EMIS Web to SystmOne", "from Vision to EMIS", "SystmOne > EMIS Web", "S1 -> EMIS", "A → B"
_SYSTEM_SEPARATOR = re.compile(r"->|→|=>|>|\bto\b|\binto\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9]+")
_NUMBERING = re.compile(r"^\s*(?:(?:phase|stage|step)\s*)?\d+(?:\.\d+)*\s*[.):\-–]?\s*", re.I)
_TRAILING_BRACKET = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*$")
_DONE = frozenset({"complete", "completed", "done", "closed", "finished", "achieved"})
_IN_PROGRESS = frozenset(
    {"in progress", "inprogress", "started", "ongoing", "underway", "under way", "active", "wip"}
)
_KEY_MARK = "\x1f"  # synthesised header = header as written + _KEY_MARK + field key
_PHASE_KEYS = ("phase", "planned_start", "planned_end", "actual_start", "actual_end")
_EXAMPLES = 3


@dataclass
class PlanMatch(HeaderMatch):
    """A plan-export header: the columns' roles besides the fields they show as."""

    roles: dict[str, int] = field(default_factory=dict)  # role -> column index
    parent_columns: dict[int, str] = field(default_factory=dict)  # parent-row fields


def _roles(row: list[object]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, cell in enumerate(row):
        folded = normalise_header(cell) if cell is not None else ""
        for role, words in ROLE_HEADERS.items():
            if folded in words and role not in roles:
                roles[role] = index
    return roles


def _cell(cells: list[object], index: int | None) -> object:
    return cells[index] if index is not None and index < len(cells) else None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def find_plan_header(sheet: SheetGrid, hand: dict[str, str]) -> PlanMatch | None:
    """A plan export's header: a task-name, a start and a finish column, no ODS code column,
    and at least one task below naming an ODS code."""
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        roles = _roles(row)
        if not {"task", "start", "finish"} <= roles.keys():
            continue
        columns, headers, _unmapped, duplicates = _map_row(row, None, hand)
        if "ods_code" in columns.values():
            return None
        task = roles["task"]
        if not any(
            _ODS_IN_TEXT.search(_text(_cell(cells, task))) for cells in sheet.rows[index + 1 :]
        ):
            return None
        role_columns = set(roles.values())
        parent = {
            i: key
            for i, key in columns.items()
            if key in PARENT_FIELDS and (i not in role_columns or i == roles.get("status"))
        }
        shown = {task: "phase"}
        has_baseline = "baseline_start" in roles or "baseline_finish" in roles
        for role, key in (("baseline_start", "planned_start"), ("baseline_finish", "planned_end")):
            if role in roles:
                shown[roles[role]] = key
        for role, actual, planned in (
            ("start", "actual_start", "planned_start"),
            ("finish", "actual_end", "planned_end"),
        ):
            shown[roles[role]] = actual if has_baseline else planned
        shown.update(parent)
        used = role_columns | parent.keys()
        unmapped = [text for i, text in sorted(headers.items()) if i not in used]
        duplicates = [(text, key) for text, key in duplicates if key in PARENT_FIELDS]
        return PlanMatch(
            sheet,
            index,
            shown,
            headers,
            unmapped,
            duplicates,
            LAYOUT,
            roles=roles,
            parent_columns=parent,
        )
    return None


# --------------------------------------------------------------------------------------------
# The task hierarchy


@dataclass
class _Task:
    number: int  # Excel row number
    cells: list[object]
    name: str  # task name as written, stripped
    level: int
    ods: str | None  # the ODS code the name holds


def _levels(match: PlanMatch, index_range: range) -> tuple[list[int] | None, str]:
    """Each data row's level and where it came from; None when the plan has no hierarchy."""
    sheet, roles = match.sheet, match.roles
    candidates: list[tuple[str, list[int] | None]] = []
    if "outline" in roles:
        column = [_cell(sheet.rows[i], roles["outline"]) for i in index_range]
        levels = []
        for value in column:
            try:
                levels.append(int(float(_text(value).strip() or 0)))
            except ValueError:
                levels.append(0)
        candidates.append((f'the "{match.headers[roles["outline"]]}" column', levels))
    grouping = getattr(sheet, "outline_levels", None)
    candidates.append(
        ("Excel row grouping", [grouping[i] for i in index_range] if grouping else None)
    )
    indents = getattr(sheet, "indents", None)
    candidates.append(("cell indent", [indents[i] for i in index_range] if indents else None))
    spaces = []
    for i in index_range:
        name = _text(_cell(sheet.rows[i], roles["task"]))
        spaces.append(len(name) - len(name.lstrip(" \t\u00a0\u3000")))
    candidates.append(("leading spaces in the task name", spaces))
    for source, found in candidates:
        if found is not None and len(set(found)) > 1:
            return found, source
    return None, ""


def _phase_text(name: str) -> str | None:
    """The text of a task name that names a guide phase ("3. Technical survey" -> "Technical
    survey"), or None when it names none."""
    tries = [name, _NUMBERING.sub("", name)]
    tries += [_TRAILING_BRACKET.sub("", t) for t in tries]
    for text in tries:
        if text.strip() and phase_for_name(text) is not None:
            return text.strip()
    return None


@dataclass
class _Practice:
    task: _Task
    members: list[_Task]  # every task beneath it


@dataclass
class _Structure:
    practices: list[_Practice] = field(default_factory=list)
    no_code: list[_Practice] = field(default_factory=list)  # parents without an ODS code
    summaries: list[_Task] = field(default_factory=list)
    outside: list[_Task] = field(default_factory=list)  # not beneath any practice
    childless: list[_Task] = field(default_factory=list)  # practice tasks with no tasks beneath


def _structure(tasks: list[_Task], hierarchical: bool) -> _Structure:
    found = _Structure()
    n = len(tasks)
    if not hierarchical:
        # No hierarchy: each task naming an ODS code starts a practice.
        starts = [i for i, t in enumerate(tasks) if t.ods]
        found.summaries = tasks[: starts[0]] if starts else tasks
        for k, i in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else n
            if end == i + 1:
                found.childless.append(tasks[i])
            else:
                found.practices.append(_Practice(tasks[i], tasks[i + 1 : end]))
        return found
    ends = []
    for i, task in enumerate(tasks):
        j = i + 1
        while j < n and tasks[j].level > task.level:
            j += 1
        ends.append(j)
    i = 0
    while i < n:
        task, end = tasks[i], ends[i]
        beneath = tasks[i + 1 : end]
        if task.ods and beneath:
            found.practices.append(_Practice(task, beneath))
            i = end
        elif beneath and any(t.ods for t in beneath):
            found.summaries.append(task)  # holds practices: a project or group summary
            i += 1
        elif beneath and any(_phase_text(t.name) for t in beneath):
            found.no_code.append(_Practice(task, beneath))
            i = end
        else:
            (found.childless if task.ods else found.outside).append(task)
            i += 1
    return found


# --------------------------------------------------------------------------------------------
# Parent rows: ODS code, practice name and systems from the task name


def _exact_system(words: list[str]) -> str | None:
    return SYSTEM_BY_ALIAS.get(normalise_header(" ".join(words))) if words else None


def _systems_in_name(name: str) -> tuple[str | None, str | None, str]:
    """(source, target, the name without the systems phrase): "EMIS Web to SystmOne",
    "from Vision to EMIS", "SystmOne > EMIS Web", "S1 -> EMIS"; a lone "to X" gives the target."""
    for sep in _SYSTEM_SEPARATOR.finditer(name):
        before = list(_WORD.finditer(name[: sep.start()]))
        after = list(_WORD.finditer(name, sep.end()))
        target, end = None, None
        for k in (3, 2, 1):
            target = _exact_system([w.group() for w in after[:k]]) if len(after) >= k else None
            if target:
                end = after[k - 1].end()
                break
        if target is None:
            continue
        for k in (3, 2, 1):
            source = _exact_system([w.group() for w in before[-k:]]) if len(before) >= k else None
            if source:
                begin = before[-k].start()
                if len(before) > k and before[-k - 1].group().lower() == "from":
                    begin = before[-k - 1].start()
                return source, target, name[:begin] + " " + name[end:]
        begin = sep.start()
        return None, target, name[:begin] + " " + name[end:]
    return None, None, name


def parent_identity(name: str) -> dict[str, str | None]:
    """ODS code, practice name and systems a practice's task name gives."""
    ods = _ODS_IN_TEXT.search(name)
    rest = name.replace(ods.group(1), " ") if ods else name
    source, target, rest = _systems_in_name(rest)
    practice = re.sub(r"[()\[\]]", " ", rest)
    practice = " ".join(practice.split()).strip(" -–—|:,;")
    return {
        "ods_code": ods.group(1).upper() if ods else None,
        "practice_name": practice or None,
        "source_system": source,
        "target_system": target,
    }


# --------------------------------------------------------------------------------------------
# Phase rows: plan and actuals


def _percent_scale(match: PlanMatch, index_range: range) -> float:
    """100 when the % column's numbers are fractions (1.0 = done), 1 when whole percentages."""
    column = match.roles.get("complete")
    numbers = [
        v for i in index_range if isinstance(v := _cell(match.sheet.rows[i], column), int | float)
    ]
    return 1.0 if any(v > 1 for v in numbers) else 100.0


def _percent(value: object, scale: float) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) * scale
    text = str(value).strip().replace(" ", "")
    if not text:
        return None
    if text.endswith("%"):
        return float(text[:-1])
    return float(text) * scale


def _date(value: object, date1904: bool) -> tuple[dt.date | None, bool]:
    """(date, unreadable)."""
    try:
        return parse_date_cell(value, date1904), False
    except DateProblem:
        return None, True


# --------------------------------------------------------------------------------------------
# The plan as a long tracker


@dataclass
class _Long:
    header: list[str]
    keys: list[str]
    rows: list[list[object]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    parent_of: dict[int, int] = field(default_factory=dict)  # phase row -> parent row
    problems: list[Problem] = field(default_factory=list)
    non_guide: list[_Task] = field(default_factory=list)
    future_starts: list[_Task] = field(default_factory=list)


def _header_or(match: PlanMatch, role: str, default: str) -> str:
    """The header of the column with this role as written, or `default` when there is none."""
    index = match.roles.get(role)
    return default if index is None else match.headers.get(index, default)


def _long_columns(match: PlanMatch) -> tuple[list[str], list[str]]:
    """Synthesised columns: (header as written + mark + key, key) per long-tracker field."""
    headers, roles = match.headers, match.roles
    task = headers[roles["task"]]
    by_key = {key: headers[i] for i, key in match.parent_columns.items()}
    start, finish = headers[roles["start"]], headers[roles["finish"]]
    columns = [
        (task, "ods_code"),
        (by_key.pop("practice_name", task), "practice_name"),
        (by_key.pop("source_system", task), "source_system"),
        (by_key.pop("target_system", task), "target_system"),
        *((text, key) for key, text in by_key.items()),
        (task, "phase"),
        (_header_or(match, "baseline_start", start), "planned_start"),
        (_header_or(match, "baseline_finish", finish), "planned_end"),
        (start, "actual_start"),
        (finish, "actual_end"),
    ]
    return [f"{text}{_KEY_MARK}{key}" for text, key in columns], [key for _, key in columns]


def _parent_values(match: PlanMatch, practice: _Practice, long: _Long) -> dict[str, object]:
    """A practice's identity: from its task name, and from its other mapped cells (a column
    wins over the name, with a warning when they name different systems)."""
    task = practice.task
    named = parent_identity(task.name)
    values: dict[str, object] = dict(named)
    for index, key in match.parent_columns.items():
        raw = _cell(task.cells, index)
        if _shown(raw) == "":
            continue
        values[key] = raw
        said = named.get(key)
        if key in ("source_system", "target_system") and said:
            given = canonical_system(raw)
            if given is not None and given != said:
                long.problems.append(
                    Problem(
                        "warning",
                        match.sheet.name,
                        task.number,
                        match.headers[index],
                        _shown(raw),
                        f"the task name says {said} but this column says {given}; "
                        "the column is used",
                    )
                )
    return values


def _phase_values(
    match: PlanMatch, task: _Task, phase: str, scale: float, date1904: bool, as_at, long: _Long
) -> dict[str, object]:
    roles, cells = match.roles, task.cells
    start_raw, finish_raw = _cell(cells, roles["start"]), _cell(cells, roles["finish"])
    start, bad_start = _date(start_raw, date1904)
    finish, bad_finish = _date(finish_raw, date1904)
    values: dict[str, object] = {"phase": phase}
    # The plan: the baseline where it has a date, else Start/Finish. A cell that is not a date
    # goes to one field only, so the checks report it once, under its own header.
    for role, key, fallback in (
        ("baseline_start", "planned_start", start),
        ("baseline_finish", "planned_end", finish),
    ):
        raw = _cell(cells, roles.get(role))
        day, bad = _date(raw, date1904)
        values[key] = raw if bad else (day if day is not None else fallback)
    complete_raw = _cell(cells, roles.get("complete"))
    try:
        percent = _percent(complete_raw, scale)
    except ValueError:
        percent = None
        long.problems.append(
            Problem(
                "warning",
                match.sheet.name,
                task.number,
                match.headers[roles["complete"]],
                _shown(complete_raw),
                "not a percentage; the phase is read by its status, else as not started",
            )
        )
    status = normalise_header(_cell(cells, roles.get("status")) or "")
    done = (percent is not None and percent >= 100) or status in _DONE
    started = done or (percent is not None and percent > 0) or status in _IN_PROGRESS
    actual_start = start if started else None
    if started and not done and start is not None and as_at is not None and start > as_at:
        actual_start = None
        long.future_starts.append(task)
    values["actual_start"] = start_raw if bad_start else actual_start
    values["actual_end"] = finish_raw if bad_finish else (finish if done else None)
    return values


def to_long(match: PlanMatch, date1904: bool, as_at: dt.date | None) -> tuple[HeaderMatch, dict]:
    """The plan as a long-tracker match (synthesised rows keeping their Excel row numbers),
    with what the checks cannot see: parents without codes, unused tasks, notes."""
    sheet = match.sheet
    first = match.header_index + 1
    index_range = range(first, len(sheet.rows))
    levels, level_source = _levels(match, index_range)
    tasks = []
    for position, i in enumerate(index_range):
        cells = sheet.rows[i]
        if all(_shown(c) == "" for c in cells):
            continue
        name = _shown(_cell(cells, match.roles["task"]))
        ods = _ODS_IN_TEXT.search(name)
        level = levels[position] if levels else 0
        tasks.append(_Task(sheet.row_numbers[i], cells, name, level, ods and ods.group(1).upper()))
    structure = _structure(tasks, levels is not None)
    headers, keys = _long_columns(match)
    long = _Long(headers, keys)
    scale = _percent_scale(match, index_range)
    guideless: list[_Task] = []
    for practice in structure.practices:
        parent = _parent_values(match, practice, long)
        used = 0
        for task in practice.members:
            phase = _phase_text(task.name) if not task.ods else None
            if phase is None:
                long.non_guide.append(task)
                continue
            values = parent | _phase_values(match, task, phase, scale, date1904, as_at, long)
            long.rows.append([values.get(key) for key in keys])
            long.numbers.append(task.number)
            long.parent_of[task.number] = practice.task.number
            used += 1
        if not used:
            guideless.append(practice.task)
    task_header = match.headers[match.roles["task"]]
    for practice in structure.no_code:
        long.problems.append(
            Problem(
                "error",
                sheet.name,
                practice.task.number,
                task_header,
                practice.task.name,
                f"no ODS practice code found in the task name '{practice.task.name}' (one "
                "letter and five digits, e.g. P81001); the tasks beneath it were set aside "
                "with it",
            )
        )
    for task in structure.childless + guideless:
        long.problems.append(
            Problem(
                "warning",
                sheet.name,
                task.number,
                task_header,
                task.name,
                "no guide phase among the tasks beneath this practice task, so the practice "
                "was not imported",
            )
        )
    header_row: list[object] = [*headers]
    grid = SheetGrid(
        sheet.name, sheet.visible, [header_row, *long.rows], [match.header_row, *long.numbers]
    )
    long_match = HeaderMatch(
        grid, 0, dict(enumerate(keys)), dict(enumerate(headers)), [], [], "long"
    )
    extra = {
        "long": long,
        "structure": structure,
        "level_source": level_source,
        "rows_read": len(tasks),
    }
    return long_match, extra


def _examples(tasks: list[_Task]) -> str:
    shown = ", ".join(f"'{t.name}' (row {t.number})" for t in tasks[:_EXAMPLES])
    more = len(tasks) - _EXAMPLES
    return shown + (f" and {more} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _notes(extra: dict) -> list[str]:
    long, structure = extra["long"], extra["structure"]
    notes = []
    if extra["level_source"]:
        notes.append(f"Tasks grouped under their practice by {extra['level_source']}")
    else:
        notes.append(
            "No outline levels or indentation found: each task naming an ODS code starts a "
            "practice, and the tasks after it are its phases"
        )
    for task in structure.summaries:
        notes.append(
            f"Row {task.number} ('{task.name}') names no ODS code and is above the practices: "
            "read as a project summary row and skipped"
        )
    if long.non_guide:
        n = len(long.non_guide)
        notes.append(
            f"{_plural(n, 'task row')} "
            + (
                "are not guide phases and were not used: "
                if n != 1
                else "is not a guide phase and was not used: "
            )
            + _examples(long.non_guide)
        )
    if structure.outside:
        notes.append(
            f"{_plural(len(structure.outside), 'task row')} not beneath a practice task "
            "were not used: " + _examples(structure.outside)
        )
    if long.future_starts:
        notes.append(
            f"{_plural(len(long.future_starts), 'phase')} in progress but starting after the "
            "as-at date: actual start left blank: " + _examples(long.future_starts)
        )
    return notes


def _display(text: str | None) -> str | None:
    return text.split(_KEY_MARK, 1)[0] if isinstance(text, str) else text


class _SetAside(TypedDict):
    """A plan row set aside, as TrackerRows.set_aside holds it."""

    sheet: str
    row: int
    values: dict[str, str]
    reasons: str


def check_plan(
    match: PlanMatch,
    date1904: bool,
    reference: Reference,
    as_at: dt.date | None = None,
    allow_unknown_practices: bool = False,
) -> TrackerRows:
    """Check a plan export as the long tracker it describes, every problem on the plan's own
    rows and columns: practice-level problems on the practice's task row, once."""
    long_match, extra = to_long(match, date1904, as_at)
    long: _Long = extra["long"]
    rows = check_rows(
        long_match, date1904, reference, as_at, allow_unknown_practices=allow_unknown_practices
    )
    identity = {h for h, k in zip(long.header, long.keys, strict=True) if k not in _PHASE_KEYS}
    problems: list[Problem] = []
    for problem in [*rows.problems, *long.problems]:
        if problem.column in identity and problem.row in long.parent_of:
            problem = dataclasses.replace(problem, row=long.parent_of[problem.row])
        problem = dataclasses.replace(problem, column=_display(problem.column))
        if problem not in problems:
            problems.append(problem)
    problems.sort(key=lambda p: p.row or 0)
    by_number = {t.number: t for p in extra["structure"].practices for t in [p.task, *p.members]}
    aside = rows.set_aside
    set_aside: list[_SetAside] = [
        {
            "sheet": sheet_name,
            "row": number,
            "values": _original_values(match, by_number[number].cells)
            | {"Practice task": by_number[long.parent_of[number]].name},
            "reasons": re.sub(f"{_KEY_MARK}\\w+", "", reasons),
        }
        for sheet_name, number, reasons in zip(
            aside["sheet"], aside["row"], aside["reasons"], strict=True
        )
    ]
    task_header = match.headers[match.roles["task"]]
    for practice in extra["structure"].no_code:
        for task in [practice.task, *practice.members]:
            reason = (
                f"{task_header}: no ODS practice code found in the task name '{task.name}'"
                if task is practice.task
                else f"row: its practice task (row {practice.task.number}) names no ODS code"
            )
            set_aside.append(
                {
                    "sheet": match.sheet.name,
                    "row": task.number,
                    "values": _original_values(match, task.cells),
                    "reasons": reason,
                }
            )
    set_aside.sort(key=lambda r: r["row"])
    migrations = rows.migrations
    migrations["source_row"] = (
        migrations["source_row"].map(lambda n: long.parent_of.get(n, n)).astype("int64")
    )
    return dataclasses.replace(
        rows,
        migrations=migrations,
        set_aside=pd.DataFrame(set_aside, columns=["sheet", "row", "values", "reasons"]),
        problems=problems,
        rows_read=extra["rows_read"],
        notes=_notes(extra) + rows.notes,
    )


def _original_values(match: PlanMatch, cells: list[object]) -> dict[str, str]:
    return {text: _shown(_cell(cells, i)) for i, text in match.headers.items()}


__all__ = ["LAYOUT", "PlanMatch", "check_plan", "find_plan_header", "parent_identity", "to_long"]
