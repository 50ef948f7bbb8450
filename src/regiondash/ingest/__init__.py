"""Untrusted tracker bytes -> canonical migration rows and located problems.

The names below load on first use: the reader (worker.py) is started before pandas is imported
(the command line reads while it loads the rest), so importing this package must stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regiondash.ingest.columns import MappingProblem, parse_mapping_options
    from regiondash.ingest.errors import UnreadableFile
    from regiondash.ingest.tracker import (
        AS_AT_DEFAULT,
        AS_AT_GIVEN,
        AS_AT_TITLE,
        ParsedTracker,
        parse_tracker,
    )
    from regiondash.ingest.validate import Problem

_HOMES = {
    "AS_AT_DEFAULT": "tracker",
    "AS_AT_GIVEN": "tracker",
    "AS_AT_TITLE": "tracker",
    "MappingProblem": "columns",
    "ParsedTracker": "tracker",
    "Problem": "validate",
    "UnreadableFile": "errors",
    "parse_mapping_options": "columns",
    "parse_tracker": "tracker",
}

__all__ = [
    "AS_AT_DEFAULT",
    "AS_AT_GIVEN",
    "AS_AT_TITLE",
    "MappingProblem",
    "ParsedTracker",
    "Problem",
    "UnreadableFile",
    "parse_mapping_options",
    "parse_tracker",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
