"""HTML reports of memcg-lab results directories (scripts/report.py is the
command; its docstring and --help describe it).

The modules, in the order the data flows through them:
  results        reading and checking a results directory
  stats          latency percentiles and the Mann-Whitney U test
  formatting     numbers, sizes and times as shown
  plots          matplotlib setup, latency CDFs, benchmark bars
  timeline_plot  the counters-over-time plot of a scenario
  html_parts     the page frame, contents, badges, a run's facts
  style          the pages' CSS
  bench          bench.json: targets, its sections on both pages
  run_page       the page of one run
  compare_page   the page comparing runs
  matrix_page    scenarios x runs: verdicts and variants, what changed marked
  output         writing the page and its PNGs
  cli            arguments and exit statuses
  errors         ReportError: bad input, its message for the user
  __main__       python3 -m memcg_report, the same as report.py
"""

from .cli import main
from .stats import mann_whitney

__all__ = ["main", "mann_whitney"]
