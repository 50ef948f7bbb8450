"""Where sources are configured: a small TOML file and/or Streamlit secrets."""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from regiondash.ingest.columns import MappingProblem, parse_mapping_options
from regiondash.sources.base import (
    SourceProblem,
    _dialect,
)
from regiondash.sources.query import check_select
from regiondash.sources.spec import (
    DEFAULT_SOURCES_FILE,
    SOURCES_FILE_ENV,
    SourceSpec,
)

log = logging.getLogger(__name__)


_SETTINGS = {"url", "table", "query", "map"}


def _specs(section: object, where: str) -> dict[str, SourceSpec]:
    if not isinstance(section, Mapping):
        raise SourceProblem(f"{where}: [sources] must be a table of named sources", "config")
    specs = {}
    for name, entry in section.items():
        if not isinstance(entry, Mapping):
            raise SourceProblem(
                f"{where}: [sources.{name}] must be a table with url and a table or query", "config"
            )
        unknown = sorted(set(entry) - _SETTINGS)
        if unknown or not isinstance(entry.get("url"), str):
            raise SourceProblem(
                f'{where}: source "{name}" needs url = "..." and table or query'
                + (f"; unknown settings {', '.join(unknown)}" if unknown else ""),
                "config",
            )
        column_map = entry.get("map") or {}
        try:
            if not isinstance(column_map, Mapping):
                raise MappingProblem('map must be a table of "COLUMN" = "field"')
            hand = parse_mapping_options([f"{k}={v}" for k, v in column_map.items()])
            spec = SourceSpec(
                entry["url"], entry.get("table"), entry.get("query"), str(name), tuple(hand.items())
            )
            if spec.query:
                check_select(spec.query, _dialect(spec.url))
        except (MappingProblem, SourceProblem) as problem:
            raise SourceProblem(f'{where}: source "{name}": {problem}', "config") from None
        specs[str(name)] = spec
    return specs


def sources_file(path: Path | None = None) -> Path:
    """The sources file: path, else $REGIONDASH_SOURCES_FILE, else ./regiondash-sources.toml."""
    return Path(path or os.environ.get(SOURCES_FILE_ENV, "").strip() or DEFAULT_SOURCES_FILE)


def load_sources(path: Path | None = None, secrets: Mapping | None = None) -> dict[str, SourceSpec]:
    """Configured sources by name: [sources.NAME] in the sources file, then in Streamlit secrets
    (which win). A missing default file is no sources; a missing named file is a SourceProblem."""
    file = sources_file(path)
    named = path is not None or bool(os.environ.get(SOURCES_FILE_ENV, "").strip())
    specs: dict[str, SourceSpec] = {}
    if file.is_file():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as problem:
            raise SourceProblem(f"{file} is not valid TOML: {problem}", "config") from None
        specs.update(_specs(data.get("sources", {}), str(file)))
    elif named:
        raise SourceProblem(f"the sources file {file} does not exist", "config")
    if secrets is not None:
        try:
            section = secrets.get("sources")
        except FileNotFoundError:  # Streamlit raises this when there is no secrets.toml
            section = None
        if section:
            specs.update(_specs(section, "Streamlit secrets"))
    return specs
