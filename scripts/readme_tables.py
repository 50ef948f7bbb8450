"""Print the README's generated tables (header aliases and the milestone-to-phase rule).

    .venv/bin/python scripts/readme_tables.py

tests/test_readme.py checks that README.md holds exactly these tables, so they never go stale.
"""

from regiondash.fields import alias_rows
from regiondash.phases import span_rule_rows


def alias_table() -> str:
    """The header alias table as Markdown."""
    lines = [
        "| field | template header | also accepted (any case, spacing, punctuation) |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{r['field']}` | {r['template header']} | {r['also accepted']} |" for r in alias_rows()
    ]
    return "\n".join(lines)


def span_rule_table() -> str:
    """The milestone-to-phase rule as Markdown."""
    lines = ["| phase | starts on | ends on |", "|---|---|---|"]
    lines += [f"| {r['phase']} | {r['starts on']} | {r['ends on']} |" for r in span_rule_rows()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(alias_table(), end="\n\n")
    print(span_rule_table())
