"""The README's generated tables match the code they describe."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("readme_tables", ROOT / "scripts/readme_tables.py")
readme_tables = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readme_tables)


def test_readme_holds_the_current_alias_table():
    assert readme_tables.alias_table() in (ROOT / "README.md").read_text()


def test_readme_holds_the_current_span_rule():
    assert readme_tables.span_rule_table() in (ROOT / "README.md").read_text()


def test_readme_names_the_two_commands_and_the_licence():
    text = (ROOT / "README.md").read_text()
    assert "make run" in text and "make test" in text
    assert "Open Government Licence v3.0" in text
