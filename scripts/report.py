#!/usr/bin/python3
# /usr/bin/python3, not "env python3": matplotlib comes from Debian's
# python3-matplotlib, which only the system interpreter sees (a pyenv or
# venv python3 earlier in PATH would not have it).
"""HTML reports of memcg-lab results directories.

One RESULTS_DIR: a self-contained page of that run (default
RESULTS_DIR/report.html): the machine, a summary of the verdicts, and per
scenario its expectations, a timeline of the group counters with the events,
the step-latency CDF of each workload and the kernel log; with a
bench.json (memcg-lab bench), the benchmark figures against their targets and
a plot of the allocation latencies. A directory of `memcg-lab bench` alone
(bench.json, no meta.json or results.json) gets a page of its figures. Plots
are embedded as base64 PNG and also written beside the page as
<page>-<scenario>-*.png (<page>-bench-alloc-latency.png for the benchmarks).

Two or more RESULTS_DIRs: one comparison page (default ./compare.html): the
runs' machines side by side, the verdict matrix, step-latency percentiles
per workload with a Mann-Whitney U test of every run against the first, the
kernel-log warnings of each run, and the benchmark medians side by side when
two or more of the directories have a bench.json.

--matrix and any number of RESULTS_DIRs (kernels x cgroup versions x run
dimensions; older kernel first): one table (default ./matrix.html) of every
scenario's verdict and variant in each run, each run headed by its kernel,
cgroup version and the run dimensions in which the runs differ; a cell that
differs from the previous run of its cgroup version is marked, with its row,
and those scenarios are listed at the top.

Nothing is written but the page and its PNG files, in the page's directory.
Exit status: 0 ok, 1 bad input (missing directory, unreadable or malformed
file), 2 usage error.
"""

import os
import sys

if __name__ == "__main__":
    # The page and its PNGs are all a run writes (above): importing the
    # package must not leave a __pycache__ in the source tree.
    sys.dont_write_bytecode = True
# The code is the package memcg_report beside this file (its __init__ lists
# the modules); symlinks resolved, so that it is found from anywhere.
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from memcg_report import main, mann_whitney  # noqa: E402

# tests/report_screenshot.sh imports mann_whitney from here
__all__ = ["main", "mann_whitney"]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
