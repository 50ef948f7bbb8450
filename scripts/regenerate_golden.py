"""Rewrite the golden demo counts in tests/golden/ from the demo region as the code now sees it.

    .venv/bin/python scripts/regenerate_golden.py

Run it only after a deliberate change to the demo or to a rule, then read `git diff tests/golden`
before committing: every changed number should be one the change explains. The hand-worked
tables in the tests say whether a rule is right; these files only say that the demo changed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.golden computes the figures, for the tests and for this


def main() -> int:
    from regiondash import store
    from regiondash.importing import load_demo
    from regiondash.reference import load_reference
    from tests.golden import FIGURES, write_golden

    with tempfile.TemporaryDirectory() as folder:
        engine = store.connect(f"sqlite:///{Path(folder) / 'demo.db'}")
        try:
            for outcome in load_demo(engine, load_reference()):
                if outcome.status != "stored":
                    print(f"the demo did not load: {outcome.message}", file=sys.stderr)
                    return 1
            paths = [write_golden(name, compute(engine)) for name, compute in FIGURES.items()]
        finally:
            engine.dispose()
    for path in paths:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
