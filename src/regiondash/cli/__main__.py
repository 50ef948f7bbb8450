"""`python -m regiondash.cli`: the regiondash command, as the console script runs it."""

import sys

from regiondash.cli import main

sys.exit(main())
