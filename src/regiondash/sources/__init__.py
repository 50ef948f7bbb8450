"""Database sources: a CSU's own tracking database read as a tracker, never written to.

I/O like store. The source is opened read-only where the driver allows (PostgreSQL: a READ ONLY
transaction with a statement timeout; SQLite: the file opened with mode=ro and query_only), only
one checked SELECT (or one table's rows) is run, and every transaction is rolled back. The rows
then take the path a tracker file's rows take: find_header, check_rows, then
uploading.prepare_parsed and uploading.commit.
"""

from regiondash.sources.base import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_SECONDS,
    FILE_KIND,
    QUERY_SHEET,
    SourceProblem,
    describe_url,
)
from regiondash.sources.config import load_sources, sources_file
from regiondash.sources.pull import SourceTracker, last_pull, parse_grid, parse_source, pull_source
from regiondash.sources.query import check_select
from regiondash.sources.read import content_of, read_source
from regiondash.sources.spec import (
    DEFAULT_SOURCES_FILE,
    SOURCES_FILE_ENV,
    SourceSpec,
    source_label,
    tracker_of,
)

__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_SOURCES_FILE",
    "DEFAULT_TIMEOUT_SECONDS",
    "FILE_KIND",
    "QUERY_SHEET",
    "SOURCES_FILE_ENV",
    "SourceProblem",
    "SourceSpec",
    "SourceTracker",
    "check_select",
    "content_of",
    "describe_url",
    "last_pull",
    "load_sources",
    "parse_grid",
    "parse_source",
    "pull_source",
    "read_source",
    "source_label",
    "sources_file",
    "tracker_of",
]
