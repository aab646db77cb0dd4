"""The command line: arguments, where the page goes, exit statuses."""

import argparse
import os
import sys

from .compare_page import compare_page, run_labels
from .errors import ReportError
from .output import write_file
from .results import load_run
from .matrix_page import matrix_page
from .run_page import run_page

# The name in usage and error messages: the command, however it was started
# (scripts/report.py, or python3 -m memcg_report).
PROG = "report.py"


def parse_args(argv):
    """The checked arguments; a usage error exits 2 (argparse)."""
    p = argparse.ArgumentParser(
        prog=PROG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="HTML report of one memcg-lab results directory, or a "
                    "comparison page of several.",
        epilog="examples:\n"
               "  scripts/report.py results/20261123-173207-14372\n"
               "      -> results/20261123-173207-14372/report.html and its PNGs\n"
               "  scripts/report.py results/RUN1 results/RUN2 -o /tmp/cmp.html\n"
               "      -> /tmp/cmp.html, RUN2 compared with RUN1\n"
               "  scripts/report.py --matrix results/*-vm-v2 results/*-vm-v1\n"
               "      -> ./matrix.html, every scenario's verdict and variant in each run\n\n"
               "exit status: 0 ok, 1 bad input, 2 usage error")
    p.add_argument("dirs", nargs="+", metavar="RESULTS_DIR",
                   help="a results/<run-id> directory (meta.json, results.json, "
                        "timeline-*.csv, perhaps bench.json; or bench.json alone, "
                        "from memcg-lab bench); with several, the first is the baseline")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="the page to write (default: RESULTS_DIR/report.html for "
                        "one run, ./compare.html for several); PNGs go beside it")
    p.add_argument("--matrix", action="store_true",
                   help="one table of every scenario's verdict and variant in each run "
                        "(kernels x cgroup versions x run dimensions), marking what "
                        "changed from one run to the next of the same cgroup version")
    p.add_argument("--alpha", type=float, default=0.01, metavar="P",
                   help="comparison: significance level of the test (default 0.01)")
    p.add_argument("--min-shift", type=float, default=10.0, metavar="PERCENT",
                   help="comparison: smallest change of the median step latency "
                        "worth flagging, in percent (default 10)")
    args = p.parse_args(argv)
    if not 0 < args.alpha < 1:
        p.error("--alpha must be between 0 and 1")
    if args.min_shift < 0:
        p.error("--min-shift must not be negative")
    return args


def output_path(args):
    """Where the page goes; its directory must exist."""
    if args.output:
        out = args.output
    elif args.matrix:
        out = "matrix.html"
    elif len(args.dirs) == 1:
        out = os.path.join(args.dirs[0], "report.html")
    else:
        out = "compare.html"
    if os.path.isdir(out):
        raise ReportError(f"{out}: is a directory; -o names the page, e.g. {out}/report.html")
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        raise ReportError(f"{parent}: no such directory (for {out})")
    return out


def main(argv):
    """Write the page of one run or the comparison of several; the exit
    status: 0 ok, 1 bad input (said on stderr)."""
    args = parse_args(argv)
    try:
        runs = [load_run(d) for d in args.dirs]
        out = output_path(args)
        if args.matrix:
            bench_alone = [r["dir"] for r in runs if r["results"] is None]
            if bench_alone:
                raise ReportError(f"{bench_alone[0]}: has no scenario results (bench.json "
                                  "alone), nothing for the matrix")
            text = matrix_page(runs, run_labels(runs))
        elif len(runs) == 1:
            text = run_page(runs[0], out)
        else:
            text = compare_page(runs, args.alpha, args.min_shift / 100, out)
        write_file(out, text)
    except ReportError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    print(out)
    return 0
