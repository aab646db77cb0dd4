"""python3 -m memcg_report (from scripts/): the same as scripts/report.py."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
