"""The command line starts without pandas, SQLAlchemy, Streamlit, plotly or openpyxl: only the
subcommand that runs imports what it needs, so `regiondash --help` answers at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from regiondash import freshness
from regiondash.cli import common
from regiondash.ingest import milestones

HEAVY = ("pandas", "sqlalchemy", "streamlit", "plotly", "openpyxl")
PROBE = f"""
import sys
import regiondash.cli
for argv in {{argv!r}}:
    try:
        regiondash.cli.main(argv)
    except SystemExit:
        pass
print("heavy:", *sorted(name for name in {HEAVY!r} if name in sys.modules))
"""


@pytest.mark.parametrize(
    "argv",
    [[], [["--help"]], [["import", "--help"]], [["db", "--help"]], [["summary", "--help"]]],
    ids=["import-only", "help", "import-help", "db-help", "summary-help"],
)
def test_importing_the_cli_and_asking_for_help_loads_no_heavy_module(argv):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "heavy:"
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert imported.isdisjoint(HEAVY)


def test_the_parsers_copied_constants_are_the_domains():
    assert common.SINGLE_DATE_MODES == milestones.SINGLE_DATE_MODES
    assert common.BY_DATE == milestones.BY_DATE
    assert common.STALE_AFTER_DAYS == freshness.STALE_AFTER_DAYS
