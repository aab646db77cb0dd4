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

Nothing is written but the page and its PNG files, in the page's directory.
Exit status: 0 ok, 1 bad input (missing directory, unreadable or malformed
file), 2 usage error.
"""

import argparse
import base64
import csv
import html
import io
import json
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")  # no display: render straight to PNG
import matplotlib.pyplot as plt  # noqa: E402 (must follow use())
from matplotlib import ticker  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

PROG = "report.py"
MIB = 1 << 20
VERDICTS = ("pass", "fail", "error", "skip")

# One colour per counter on every plot, so that "green" always means file.
COUNTERS = ("usage", "anon", "file", "shmem", "swap")
COUNTER_COLOUR = {
    "usage": "#3a3a3a",
    "anon": "#1f77b4",
    "file": "#2ca02c",
    "shmem": "#9467bd",
    "swap": "#ff7f0e",
}
# Counters often coincide (usage = anon, file = shmem): the wider line is
# drawn first, so the one on top leaves a visible border of the other.
DRAW_ORDER = ("usage", "file", "anon", "swap", "shmem")
COUNTER_WIDTH = {"usage": 4.2, "file": 2.8, "anon": 1.4, "swap": 1.4, "shmem": 1.8}
# shmem is part of file and often all of it: dashed, so the file line shows
# through the gaps
COUNTER_DASH = {"shmem": (0, (2.5, 1.5))}
LIMIT_COLOUR = "#d62728"
PAUSE_COLOUR = "#d62728"
TIMELINE_COLUMNS = ("t_s", "group", "usage", "limit", "anon", "file", "shmem",
                    "swap", "failcnt", "oom_kill", "under_oom")

# Event kinds in the order their rows appear in the event strip (roughly
# the order they happen in: start, pressure, OOM, end), with a colour and
# marker each. Unknown kinds (a newer harness) get a grey dot.
EVENT_STYLE = {
    "start": ("#2ca02c", ">"),
    "threshold": ("#17becf", "D"),
    "high": ("#bcbd22", "D"),
    "max": ("#e377c2", "D"),
    "low": ("#e6b800", "D"),
    "pressure-low": ("#e6b800", "|"),
    "pressure-medium": ("#f28e2b", "|"),
    "pressure-critical": ("#c0392b", "|"),
    "oom": ("#67001f", "v"),
    "oom_kill": ("#67001f", "X"),
    "killed": ("#c51b7d", "X"),
    "exit": ("#7f7f7f", "s"),
}
UNKNOWN_EVENT_STYLE = ("#999999", "o")
# A group/kind with more events than this is only shown in the event strip:
# hundreds of pressure notifications as vertical lines would hide the data.
MAX_EVENT_LINES = 20

WORKLOAD_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                    "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")

# The latency test: below this many steps on either side the normal
# approximation of the Mann-Whitney U statistic is poor, so no test.
MIN_TEST_STEPS = 8

# Kernel-log lines worth a look when comparing runs. "Not tainted" is in
# every OOM report and says nothing, so taint is not a pattern.
WARNING_RE = re.compile(
    r"deprecat|WARNING|will be removed|Call Trace|BUG:|Oops|"
    r"blocked for more than|soft lockup|hard LOCKUP|rcu.*stall",
    re.IGNORECASE)

# bench.json: the figures' units as shown, and the allocation-latency figures
# (lat-<kind>-<stat>) plotted as grouped bars, one colour per statistic.
BENCH_UNIT_LABEL = {"us": "µs"}
BENCH_LAT_RE = re.compile(r"^lat-(.+)-(p50|p99|max)$")
BENCH_LAT_STATS = (("p50", "#c6dbef"), ("p99", "#6baed6"), ("max", "#2b7bba"))
BENCH_LAT_KIND_LABEL = {
    "unlimited": "unlimited",
    "clean-cache": "reclaiming\nclean cache",
    "dirty-cache": "reclaiming\ndirty cache",
    "swapping": "swapping",
    "above-high": "above\nmemory.high",
}
# A target: an operator and a number, perhaps followed by the unit ("<= 5 ms")
TARGET_RE = re.compile(r"^\s*(>=|<=|==|=|>|<|≥|≤)\s*"
                       r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\s+\S.*)?\s*$")
TARGET_OPS = {
    ">=": lambda v, t: v >= t, "≥": lambda v, t: v >= t,
    "<=": lambda v, t: v <= t, "≤": lambda v, t: v <= t,
    ">": lambda v, t: v > t, "<": lambda v, t: v < t,
    "==": lambda v, t: v == t, "=": lambda v, t: v == t,
}
# The harness prints figures with %.6g, which writes inf and nan bare
NONFINITE_RE = re.compile(r"(?<=[\[,:])(\s*)(-?)(inf|nan)\b", re.IGNORECASE)

# Figures are laid out in inches: plot area, then a fixed strip on the right
# for the legend, so every plot of the page has the same width and scale.
FIG_WIDTH = 10.0
MARGIN_LEFT = 0.85
MARGIN_RIGHT = 2.3  # the legend
MARGIN_TOP = 0.35
MARGIN_BOTTOM = 0.65

plt.rcParams.update({
    "font.size": 11,
    "axes.titlesize": 11.5,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.8,
    "savefig.dpi": 100,
})


class ReportError(Exception):
    """Bad input: the message names the file and what is wrong with it."""


# ---- reading a results directory ----

def load_json(path):
    """The parsed JSON of @path; ReportError naming the file otherwise."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportError(f"{path}: missing (is {os.path.dirname(path)} "
                          "a memcg-lab results directory?)") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not valid JSON: {e}") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None


def expect(cond, path, where, what):
    """Raise a ReportError for @path at @where unless @cond holds."""
    if not cond:
        raise ReportError(f"{path}: {where}: {what}")


def check_latency(lat, path, where):
    """A latency object (or null) has the fields the plots and tests use."""
    if lat is None:
        return
    expect(isinstance(lat, dict), path, where, "expected an object or null")
    for k in ("count", "p50_us", "p90_us", "p99_us", "max_us", "buckets"):
        expect(k in lat, path, where, f"no field '{k}'")
    expect(isinstance(lat["buckets"], list), path, where + ".buckets",
           "expected a list")
    for i, b in enumerate(lat["buckets"]):
        expect(isinstance(b, list) and len(b) == 3
               and all(isinstance(x, int) and x >= 0 for x in b),
               path, f"{where}.buckets[{i}]",
               "expected [lo_ns, hi_ns, count], non-negative integers")


def check_scenario(s, path, where):
    """One scenario entry has the fields and types the report uses."""
    expect(isinstance(s, dict), path, where, "expected an object")
    for k, t in (("name", str), ("verdict", str), ("expectations", list),
                 ("events", list), ("workloads", list), ("kernel_log", list)):
        expect(isinstance(s.get(k), t), path, f"{where}.{k}",
               f"missing or not a {t.__name__}")
    expect(s["verdict"] in VERDICTS, path, f"{where}.verdict",
           f"expected one of {', '.join(VERDICTS)}, got {s['verdict']!r}")
    expect(s.get("timeline") is None or isinstance(s["timeline"], str),
           path, f"{where}.timeline", "expected a file name or null")
    for i, e in enumerate(s["events"]):
        expect(isinstance(e, dict) and isinstance(e.get("t_s"), (int, float))
               and isinstance(e.get("kind"), str), path,
               f"{where}.events[{i}]", "expected t_s, group and kind")
    for i, w in enumerate(s["workloads"]):
        expect(isinstance(w, dict) and isinstance(w.get("id"), str), path,
               f"{where}.workloads[{i}]", "expected an object with an id")
        check_latency(w.get("latency"), path, f"{where}.workloads[{i}].latency")


def check_results(res, path):
    """results.json has a summary and a list of valid scenarios."""
    expect(isinstance(res, dict), path, "top level", "expected an object")
    expect(isinstance(res.get("summary"), dict), path, "summary",
           "missing or not an object")
    expect(isinstance(res.get("scenarios"), list), path, "scenarios",
           "missing or not a list")
    for i, s in enumerate(res["scenarios"]):
        check_scenario(s, path, f"scenarios[{i}]")


def is_number(x):
    """An int or float from JSON (not a bool)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def check_bench(bench, path):
    """bench.json has a list of figures with the fields the report uses."""
    expect(isinstance(bench, dict), path, "top level", "expected an object")
    for k in ("run_id", "kernel"):
        expect(isinstance(bench.get(k, ""), str), path, k, "expected a string")
    expect(is_number(bench.get("runs", 0)), path, "runs", "expected a number")
    expect(isinstance(bench.get("figures"), list), path, "figures",
           "missing or not a list")
    for i, f in enumerate(bench["figures"]):
        where = f"figures[{i}]"
        expect(isinstance(f, dict), path, where, "expected an object")
        for k in ("name", "unit", "target"):
            expect(isinstance(f.get(k), str), path, f"{where}.{k}",
                   "missing or not a string")
        for k in ("median", "min", "max"):
            expect(is_number(f.get(k)), path, f"{where}.{k}",
                   "missing or not a number")
        expect(isinstance(f.get("note", ""), str), path, f"{where}.note",
               "expected a string")
        values = f.get("values", [])
        expect(isinstance(values, list) and all(is_number(v) for v in values),
               path, f"{where}.values", "expected a list of numbers")


def load_bench(path):
    """The checked bench.json at @path. The harness writes non-finite
    figures as bare inf/nan, which JSON has no word for: read as such."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None
    try:
        bench = json.loads(text)
    except json.JSONDecodeError as e:
        fixed = NONFINITE_RE.sub(
            lambda m: m.group(1) + ("NaN" if m.group(3).lower() == "nan"
                                    else m.group(2) + "Infinity"), text)
        try:
            bench = json.loads(fixed)
        except json.JSONDecodeError:
            raise ReportError(f"{path}: not valid JSON: {e}") from None
    check_bench(bench, path)
    return bench


def parse_int(text, path, lineno, column):
    """A CSV counter: an integer, or None for an empty field."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise ReportError(f"{path}:{lineno}: {column}: not an integer: "
                          f"{text!r}") from None


def load_timeline(path):
    """{group: {column: [values]}} of a timeline CSV, in file order."""
    try:
        f = open(path, newline="", encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise ReportError(f"{path}: named by results.json but missing") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None
    groups = {}
    with f:
        rows = csv.reader(f)
        header = next(rows, None)
        missing = [c for c in TIMELINE_COLUMNS if header is None or c not in header]
        if missing:
            raise ReportError(f"{path}: header lacks {', '.join(missing)}")
        col = {name: header.index(name) for name in TIMELINE_COLUMNS}
        for lineno, row in enumerate(rows, start=2):
            if len(row) != len(header):
                raise ReportError(f"{path}:{lineno}: {len(row)} fields, "
                                  f"header has {len(header)}")
            try:
                t = float(row[col["t_s"]])
            except ValueError:
                raise ReportError(f"{path}:{lineno}: t_s: not a number: "
                                  f"{row[col['t_s']]!r}") from None
            g = groups.setdefault(row[col["group"]],
                                  {c: [] for c in TIMELINE_COLUMNS[2:] + ("t_s",)})
            g["t_s"].append(t)
            for c in TIMELINE_COLUMNS[2:]:
                g[c].append(parse_int(row[col[c]], path, lineno, c))
    return groups


def load_run(directory):
    """A run: its directory, meta.json, results.json, timelines and
    bench.json (or None). A directory of `memcg-lab bench` alone has only
    bench.json: then results is None and meta holds the bench's run id and
    kernel."""
    if not os.path.isdir(directory):
        raise ReportError(f"{directory}: no such directory")
    meta_path = os.path.join(directory, "meta.json")
    res_path = os.path.join(directory, "results.json")
    bench_path = os.path.join(directory, "bench.json")
    bench = load_bench(bench_path) if os.path.lexists(bench_path) else None
    if (bench is not None and not os.path.lexists(meta_path)
            and not os.path.lexists(res_path)):
        meta = {"run_id": bench.get("run_id")
                or os.path.basename(os.path.normpath(directory)),
                "kernel": bench.get("kernel") or "?"}
        return {"dir": directory, "meta": meta, "results": None, "timelines": {},
                "bench": bench}
    meta = load_json(meta_path)
    expect(isinstance(meta, dict), meta_path, "top level", "expected an object")
    res = load_json(res_path)
    check_results(res, res_path)
    timelines = {}
    for s in res["scenarios"]:
        name = s.get("timeline")
        if name:
            # a file name, never a path: results.json must not point elsewhere
            expect(os.path.basename(name) == name, res_path,
                   f"scenario {s['name']}", f"timeline {name!r} is not a file name")
            timelines[name] = load_timeline(os.path.join(directory, name))
    return {"dir": directory, "meta": meta, "results": res,
            "timelines": timelines, "bench": bench}


def scenario_keys(scenarios):
    """(name, repetition) of each scenario: with --repeat a name recurs."""
    seen = {}
    keys = []
    for s in scenarios:
        seen[s["name"]] = seen.get(s["name"], 0) + 1
        keys.append((s["name"], seen[s["name"]]))
    return keys


def key_label(key):
    """'name', or 'name #2' for a repetition."""
    name, rep = key
    return name if rep == 1 else f"{name} #{rep}"


# ---- formatting ----

def esc(x):
    """HTML-escaped text of anything; '' for None."""
    return "" if x is None else html.escape(str(x), quote=True)


def fmt_bytes(n):
    """1.5 GiB, 256 MiB, 12 KiB, 100 B; '?' for None."""
    if n is None:
        return "?"
    for unit, size in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1 << 10)):
        if abs(n) >= size:
            v = n / size
            return f"{v:.0f} {unit}" if v == int(v) or v >= 100 else f"{v:.1f} {unit}"
    return f"{n} B"


def fmt_us(us):
    """A latency in µs as '917 µs', '1.32 ms' or '1.5 s'."""
    if us is None:
        return "–"
    if us >= 1e6:
        return f"{us / 1e6:.3g} s"
    if us >= 1e3:
        return f"{us / 1e3:.3g} ms"
    return f"{us:.3g} µs"


def fmt_p(p):
    """A p-value: 0.42, 0.0104, 3.1e-05 (enough digits to tell 0.0104
    from a threshold of 0.01)."""
    if p is None:
        return "–"
    return f"{p:.3g}" if p >= 0.001 else f"{p:.1e}"


def fmt_num(v):
    """A benchmark figure in its own unit: 3 significant digits, no
    exponent above 1000 (37634, 983, 15.1, 0.962, 0.00771)."""
    if v is None:
        return "–"
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:.0f}"
    return f"{v:.3g}" if abs(v) >= 1e-4 else f"{v:.2e}"


def unit_label(unit):
    """A bench.json unit as shown: µs for us."""
    return BENCH_UNIT_LABEL.get(unit, unit)


def parse_target(text):
    """(operator, number) of a target such as '>= 0.90'; None for no target
    (''); ValueError for one that is not understood."""
    if not text.strip():
        return None
    m = TARGET_RE.match(text)
    if not m:
        raise ValueError(text)
    return m.group(1), float(m.group(2))


def target_status(f):
    """'met' or 'missed' by the figure's median, None without a target,
    '?' for a target that is not understood."""
    try:
        t = parse_target(f["target"])
    except ValueError:
        return "?"
    if t is None:
        return None
    return "met" if TARGET_OPS[t[0]](f["median"], t[1]) else "missed"


def status_html(status):
    """met / missed as a badge, — for no target."""
    if status is None:
        return '<span class="meta">—</span>'
    if status == "?":
        return '<span class="badge skip" title="target not understood">?</span>'
    return f'<span class="badge {"pass" if status == "met" else "fail"}">{status}</span>'


def safe_name(name):
    """A scenario name as the harness makes it safe for file names."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def verdict_badge(verdict):
    """A coloured pass/fail/skip/error label."""
    return f'<span class="badge {esc(verdict)}">{esc(verdict)}</span>'


def warning_lines(lines):
    """Indices of the kernel-log lines that match WARNING_RE."""
    return [i for i, line in enumerate(lines) if WARNING_RE.search(line)]


# ---- plots ----

def figure_png(fig):
    """The figure as PNG bytes; the figure is closed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def fixed_layout(fig, height):
    """Margins in inches for a figure @height inches tall (no "tight" bbox:
    it costs a second rendering and makes widths differ between plots)."""
    fig.subplots_adjust(left=MARGIN_LEFT / FIG_WIDTH,
                        right=1 - MARGIN_RIGHT / FIG_WIDTH,
                        top=1 - MARGIN_TOP / height,
                        bottom=MARGIN_BOTTOM / height)


def mib(values):
    """Byte counters in MiB, NaN where not available (a gap in the line)."""
    return [math.nan if v is None else v / MIB for v in values]


def shown_counters(groups):
    """Counters worth a line: available and non-zero somewhere, and always
    usage (so that a group that stayed empty still shows a flat line)."""
    shown = []
    for c in COUNTERS:
        values = [v for g in groups.values() for v in g[c] if v is not None]
        if c == "usage" or any(values):
            shown.append(c)
    return shown


def quiet_counters(groups):
    """(always zero, not available) counters, for the note under the plot."""
    zero, missing = [], []
    for c in COUNTERS + ("under_oom",):
        values = [v for g in groups.values() for v in g[c]]
        if all(v is None for v in values):
            missing.append(c)
        elif c != "usage" and not any(v for v in values if v is not None):
            zero.append(c)
    return zero, missing


def pause_spans(t, under_oom):
    """(start, end) times where under_oom was 1: the group's tasks paused.
    A pause seen in the last sample only lasts one sample interval, so that
    it is not drawn zero wide."""
    spans = []
    start = None
    for i, v in enumerate(under_oom):
        if v == 1 and start is None:
            start = t[i]
        elif v != 1 and start is not None:
            spans.append((start, t[i]))
            start = None
    if start is not None:
        step = (t[-1] - t[0]) / (len(t) - 1) if len(t) > 1 else 0.02
        spans.append((start, max(t[-1], start + step)))
    return spans


def plot_limit(ax, t, limit):
    """The limit as a dashed step line where finite (empty = unlimited)."""
    if all(v is None for v in limit):
        return False
    ax.plot(t, mib(limit), color=LIMIT_COLOUR, linestyle="--", linewidth=1.3,
            drawstyle="steps-post")
    return True


def event_rows(events, multi_group):
    """Event strip rows: [(label, kind, [times])] in EVENT_STYLE order."""
    order = list(EVENT_STYLE)
    rows = {}
    for e in events:
        rows.setdefault((str(e.get("group")), e["kind"]), []).append(e["t_s"])
    keys = sorted(rows, key=lambda k: (order.index(k[1]) if k[1] in order
                                       else len(order), k[0]))
    return [(f"{g} {k}" if multi_group else k, k, rows[(g, k)])
            for g, k in keys]


def plot_event_lines(ax, events, group):
    """Vertical lines for the sparse events of @group in its panel, and
    each threshold crossed at its level: usage can cross and fall back
    between two samples."""
    by_kind = {}
    for e in events:
        if str(e.get("group")) == group:
            by_kind.setdefault(e["kind"], []).append(e["t_s"])
            if e["kind"] == "threshold" and isinstance(e.get("value"), int):
                colour, marker = EVENT_STYLE["threshold"]
                ax.scatter([e["t_s"]], [e["value"] / MIB], color=colour,
                           marker=marker, s=40, zorder=4)
    for kind, times in by_kind.items():
        if len(times) > MAX_EVENT_LINES:
            continue
        colour = EVENT_STYLE.get(kind, UNKNOWN_EVENT_STYLE)[0]
        quiet = kind in ("start", "exit")
        for t in times:
            ax.axvline(t, color=colour, linewidth=0.9 if quiet else 1.4,
                       linestyle=":" if quiet else "-", alpha=0.9, zorder=1)


def plot_event_strip(ax, rows):
    """One row per group/kind with a marker per event."""
    for y, (label, kind, times) in enumerate(rows):
        colour, marker = EVENT_STYLE.get(kind, UNKNOWN_EVENT_STYLE)
        ax.scatter(times, [y] * len(times), color=colour, marker=marker,
                   s=42 if marker != "|" else 70, linewidths=1.2, zorder=3)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r[0] for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_title("events", loc="left")


def timeline_legend(ax, counters, has_limit, has_pause, event_kinds):
    """The legend, right of the top panel, outside the data."""
    handles = [Line2D([], [], color=COUNTER_COLOUR[c], linewidth=2.5,
                      linestyle=COUNTER_DASH.get(c, "-"), label=c)
               for c in counters]
    if has_limit:
        handles.append(Line2D([], [], color=LIMIT_COLOUR, linestyle="--",
                              linewidth=1.3, label="limit"))
    if has_pause:
        handles.append(Patch(color=PAUSE_COLOUR, alpha=0.15,
                             label="paused (under_oom)"))
    for kind in event_kinds:
        colour = EVENT_STYLE.get(kind, UNKNOWN_EVENT_STYLE)[0]
        quiet = kind in ("start", "exit")
        handles.append(Line2D([], [], color=colour, linestyle=":" if quiet else "-",
                              label=f"event: {kind}"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False, borderaxespad=0)


def line_kinds(events):
    """Event kinds drawn as vertical lines somewhere (sparse enough)."""
    counts = {}
    for e in events:
        k = (str(e.get("group")), e["kind"])
        counts[k] = counts.get(k, 0) + 1
    kinds = {k for (_, k), n in counts.items() if n <= MAX_EVENT_LINES}
    return [k for k in EVENT_STYLE if k in kinds] + sorted(kinds - set(EVENT_STYLE))


def timeline_figure(scenario, groups):
    """PNG of the group counters over time, one panel per group, and the
    events below them."""
    events = scenario["events"]
    names = list(groups)
    rows = event_rows(events, len({str(e.get("group")) for e in events}) > 1)
    panel_h = 2.2 if len(names) <= 2 else 1.7
    heights = [panel_h] * len(names) + ([0.3 + 0.3 * len(rows)] if rows else [])
    gap = 0.55  # between panels, for the group titles
    height = sum(heights) + gap * (len(heights) - 1) + MARGIN_TOP + MARGIN_BOTTOM
    fig, axes = plt.subplots(len(heights), 1, sharex=True,
                             figsize=(FIG_WIDTH, height),
                             gridspec_kw={"height_ratios": heights,
                                          "hspace": gap / (sum(heights) / len(heights))},
                             squeeze=False)
    fixed_layout(fig, height)
    axes = axes[:, 0]
    counters = shown_counters(groups)
    has_limit = has_pause = False
    for ax, name in zip(axes, names):
        g = groups[name]
        for c in sorted(counters, key=DRAW_ORDER.index):
            ax.plot(g["t_s"], mib(g[c]), color=COUNTER_COLOUR[c],
                    linewidth=COUNTER_WIDTH[c], linestyle=COUNTER_DASH.get(c, "-"),
                    zorder=2, drawstyle="steps-post")
        has_limit |= plot_limit(ax, g["t_s"], g["limit"])
        for a, b in pause_spans(g["t_s"], g["under_oom"]):
            ax.axvspan(a, b, color=PAUSE_COLOUR, alpha=0.15, linewidth=0)
            has_pause = True
        plot_event_lines(ax, events, name)
        ax.set_title(f"group {name}", loc="left")
        ax.set_ylabel("MiB")
        # a group that stayed empty gets 0..1 MiB, not 0..0.05 MiB
        ax.set_ylim(0, max(ax.get_ylim()[1], 1.0))
        ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 4, 5, 10]))
    if rows:
        plot_event_strip(axes[-1], rows)
    end = max([scenario.get("duration_s") or 0]
              + [t for g in groups.values() for t in g["t_s"]]
              + [e["t_s"] for e in events])
    end = end if end > 0 else 0.001
    # a little room left of 0, so that a marker at t = 0 is not cut in half
    axes[-1].set_xlim(-end * 0.01, end * 1.02)
    axes[-1].set_xlabel("seconds since the scenario started")
    timeline_legend(axes[0], counters, has_limit, has_pause, line_kinds(events))
    return figure_png(fig)


def cdf_points(buckets):
    """(x_us, y) of a CDF through the buckets: a straight line across each
    bucket from its lower bound at the fraction below it to its upper bound
    at the fraction up to it (steps are spread over the bucket)."""
    total = sum(b[2] for b in buckets)
    xs, ys = [], []
    seen = 0
    for lo, hi, n in sorted(buckets):
        xs.append(max(lo, 1) / 1e3)
        ys.append(seen / total)
        seen += n
        xs.append(max(hi, 1) / 1e3)
        ys.append(seen / total)
    return xs, ys


def steps_of(lat):
    """How many steps a latency object's buckets hold (0 for null)."""
    return sum(b[2] for b in lat["buckets"]) if lat else 0


def workload_label(w):
    """'a (alloc in G)'."""
    return f"{w['id']} ({w.get('type', '?')} in {w.get('group', '?')})"


def latency_figure(workloads):
    """PNG of the step-latency CDF of each workload that has steps."""
    # tall enough for the legend: three lines per workload
    height = max(3.6, 0.6 * len(workloads) + 1.0)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, height))
    fixed_layout(fig, height)
    for i, w in enumerate(workloads):
        lat = w["latency"]
        xs, ys = cdf_points(lat["buckets"])
        ax.plot(xs, ys, color=WORKLOAD_COLOURS[i % len(WORKLOAD_COLOURS)],
                linewidth=1.8,
                label=f"{workload_label(w)}\nn={lat['count']}, "
                      f"p50 {fmt_us(lat['p50_us'])}\np99 {fmt_us(lat['p99_us'])}")
    latency_axes(ax)
    ax.set_title("step latency, cumulative", loc="left")
    return figure_png(fig)


def latency_axes(ax):
    """Log time axis in µs/ms/s, fraction of steps, legend on the right."""
    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    # 1-2-5 ticks over a few decades, only powers of ten over many
    subs = (1.0, 2.0, 5.0) if hi / lo < 1e4 else (1.0,)
    ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: fmt_us(v)))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_xlabel("step latency (log scale)")
    ax.set_ylabel("fraction of steps")
    ax.set_ylim(0, 1.02)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 0.9, 1.0])
    ax.grid(True, which="major")
    ax.grid(True, which="minor", axis="x", color="#f2f2f2", linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              borderaxespad=0, labelspacing=0.8)


def bench_latency(figures):
    """{kind: {stat: figure}} of the lat-<kind>-<stat> figures, kinds in
    the order the bench wrote them."""
    kinds = {}
    for f in figures:
        m = BENCH_LAT_RE.match(f["name"])
        if m:
            kinds.setdefault(m.group(1), {})[m.group(2)] = f
    return kinds


def bench_latency_figure(kinds, runs):
    """PNG of the allocation latencies: per kind a bar for each of p50, p99
    and max at the median of the runs, whiskers from the least to the
    largest; log scale."""
    height = 3.8
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, height))
    fixed_layout(fig, height)
    width = 0.8 / len(BENCH_LAT_STATS)
    spread = None  # an errorbar container, for the legend
    positive = [v for st in kinds.values() for f in st.values()
                for v in (f["min"], f["median"], f["max"]) if math.isfinite(v) and v > 0]
    floor = min(positive) / 2 if positive else 1.0  # 0 has no place on a log axis
    for j, (stat, colour) in enumerate(BENCH_LAT_STATS):
        xs, med, lo, hi = [], [], [], []
        for i, st in enumerate(kinds.values()):
            f = st.get(stat)
            if f is None or not math.isfinite(f["median"]):
                continue
            xs.append(i + (j - (len(BENCH_LAT_STATS) - 1) / 2) * width)
            m = max(f["median"], floor)
            least = f["min"] if math.isfinite(f["min"]) else m
            largest = f["max"] if math.isfinite(f["max"]) else m
            med.append(m)
            lo.append(max(m - max(least, floor), 0))
            hi.append(max(max(largest, floor) - m, 0))
        ax.bar(xs, med, width * 0.92, color=colour, zorder=2)
        if any(lo) or any(hi):
            spread = ax.errorbar(xs, med, yerr=[lo, hi], fmt="none", ecolor="#1f2328",
                                 elinewidth=1.1, capsize=3, zorder=3)
    ax.set_yscale("log")
    lo_lim, hi_lim = ax.get_ylim()
    ax.set_ylim(floor / 1.5, hi_lim * 1.3)
    subs = (1.0, 2.0, 5.0) if hi_lim / floor < 1e4 else (1.0,)
    ax.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=subs))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: fmt_us(v)))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_xticks(range(len(kinds)))
    ax.set_xticklabels([BENCH_LAT_KIND_LABEL.get(k, k) for k in kinds])
    ax.set_xlim(-0.6, len(kinds) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("per 1 MiB step (log)")
    ax.set_title(f"allocation latency, median of {runs} run{'s' if runs != 1 else ''}",
                 loc="left")
    handles = [Patch(color=c, label=st) for st, c in BENCH_LAT_STATS]
    if spread:
        spread.set_label("least – largest\nof the runs")
        handles.append(spread)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False, borderaxespad=0, labelspacing=0.8)
    return figure_png(fig)


# ---- the single-run page ----

CSS = """
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: #1f2328;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
nav.toc { position: fixed; top: 0; left: 0; bottom: 0; width: 240px;
  overflow-y: auto; background: #fff; border-right: 1px solid #d0d7de;
  padding: 18px 14px; font-size: 13px; }
nav.toc h2 { font-size: 14px; margin: 0 0 8px; }
nav.toc ol { list-style: none; margin: 0; padding: 0; }
nav.toc li { margin: 2px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
nav.toc a { color: #0969da; text-decoration: none; }
nav.toc .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%;
  margin-right: 6px; vertical-align: 0; }
main { margin-left: 240px; padding: 20px 32px 40px; max-width: 1080px; }
h1 { font-size: 24px; margin: 4px 0 4px; }
h2 { font-size: 19px; margin: 0 0 8px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.sub { color: #59636e; margin: 0 0 12px; }
section.card { background: #fff; border: 1px solid #d0d7de; border-radius: 8px;
  padding: 16px 22px; margin: 18px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eaeef2; text-align: left;
  vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts { width: auto; }
table.facts th { background: none; color: #59636e; font-weight: 500; padding-right: 24px; }
.badge { display: inline-block; min-width: 44px; text-align: center; padding: 0 8px;
  border-radius: 10px; font-weight: 650; font-size: 12px; text-transform: uppercase;
  letter-spacing: .03em; }
.pass { background: #dafbe1; color: #116329; }
.fail { background: #ffebe9; color: #a40e26; }
.skip { background: #fff1c2; color: #7d4e00; }
.error { background: #f3e8ff; color: #6e40c9; }
.dot.pass { background: #2da44e; } .dot.fail { background: #cf222e; }
.dot.skip { background: #d4a72c; } .dot.error { background: #8250df; }
tr.row-fail td:first-child, tr.row-error td:first-child { box-shadow: inset 3px 0 #cf222e; }
.counts { display: flex; gap: 10px; margin: 8px 0 14px; flex-wrap: wrap; }
.counts span { padding: 4px 12px; border-radius: 6px; font-weight: 600; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.reason { color: #a40e26; }
.reason.skip-reason { color: #59636e; background: none; }
td.name, td.variant { white-space: nowrap; }
th.expect { min-width: 240px; }
tr.row-fail td, tr.row-error td { background: #fff8f7; }
.facts-grid { display: grid; grid-template-columns: max-content 1fr max-content 1fr;
  gap: 5px 18px; font-size: 14px; }
.facts-grid dt { color: #59636e; }
.facts-grid dd { margin: 0; }
td.notrun { color: #8c959f; font-style: italic; }
table.matrix { width: auto; min-width: 60%; }
table.matrix td, table.matrix th { padding-right: 28px; }
table.lat { font-size: 13px; }
div.scroll { overflow-x: auto; }
table.lat th, table.lat td { padding: 3px 6px; }
table.lat tr.scn td { background: #f6f8fa; font-weight: 600; padding-top: 7px; }
table.lat th.run, table.lat td.run { border-left: 2px solid #d0d7de; }
.doc { margin: 4px 0 8px; }
.meta { color: #59636e; font-size: 13px; }
img.plot { display: block; max-width: 100%; height: auto; margin: 8px 0; }
.note { color: #59636e; font-size: 13px; margin: 0 0 6px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: #0969da; }
pre.klog { background: #f6f8fa; border: 1px solid #eaeef2; border-radius: 6px;
  padding: 8px 10px; max-height: 340px; overflow: auto; white-space: pre-wrap;
  word-break: break-all; margin: 6px 0; }
mark { background: #fff1c2; }
p.skipline { margin: 10px 0; padding: 8px 14px; background: #fff; border: 1px solid #d0d7de;
  border-radius: 8px; }
td.changed { background: #fff1c2; outline: 2px solid #d4a72c; outline-offset: -2px; }
tr.flag-slower td { background: #ffebe9; }
tr.flag-faster td { background: #dafbe1; }
.only { font-weight: 600; color: #a40e26; }
.counts span.none { background: #eaeef2; color: #59636e; }
table.bench td.note { color: #59636e; font-size: 13px; }
table.bench td.name code { font-size: 13px; }
"""


def page(title, nav, body):
    """A complete HTML document with the style sheet inline."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
            f"<body>\n<nav class=\"toc\">{nav}</nav>\n<main>\n{body}\n</main>\n"
            f"</body></html>\n")


def bench_fact(bench):
    """'19 figures, 5 runs' of a bench.json."""
    n, runs = len(bench["figures"]), bench.get("runs", "?")
    return f"{n} figure{'s' if n != 1 else ''}, {runs} run{'s' if runs != 1 else ''}"


def run_facts(run):
    """[(label, text)] of a run's machine and settings, from meta.json (of
    a bench directory alone: its run id and kernel), and its bench.json."""
    m = run["meta"]
    if run["results"] is None:
        return [("run", m["run_id"]), ("kernel", m["kernel"]),
                ("bench", bench_fact(run["bench"]))]
    layout = m.get("cgroup_layout")
    cg = f"v{m.get('cgroup_version', '?')}" + (f" ({layout} layout)" if layout else "")
    swap = fmt_bytes(m.get("swap_total_bytes"))
    if m.get("swap_mode"):
        swap += f" (--swap {m['swap_mode']})"
    return [
        ("run", m.get("run_id", os.path.basename(os.path.normpath(run["dir"])))),
        ("kernel", m.get("kernel", "?")),
        ("cgroup", cg),
        ("memory", fmt_bytes(m.get("mem_total_bytes"))),
        ("swap", swap),
        ("where", m.get("where", "?")),
        ("started", (m.get("start_time") or "?").replace("T", " ").replace("Z", " UTC")),
        ("harness", f"memcg-lab {m.get('harness_version', '?')}"),
        ("repeat", m.get("repeat", 1)),
    ] + ([("bench", bench_fact(run["bench"]))] if run.get("bench") else [])


def counts_line(summary):
    """'30 passed, 1 failed, 2 skipped', as the harness prints it."""
    return (f"{summary.get('passed', '?')} passed, {summary.get('failed', '?')} "
            f"failed, {summary.get('skipped', '?')} skipped")


def counts_html(scenarios, summary):
    """The totals, coloured, with errors apart (the summary counts them as
    failures)."""
    n = {v: sum(1 for s in scenarios if s["verdict"] == v) for v in VERDICTS}
    chips = [f'<span class="{v}">{n[v]} {v}</span>' for v in VERDICTS
             if n[v] or v != "error"]
    return (f'<p><b>{esc(counts_line(summary))}</b> of '
            f'{summary.get("total", len(scenarios))} scenarios</p>'
            f'<div class="counts">{"".join(chips)}</div>')


def reason_class(verdict):
    """A skip's reason is a fact about the machine, not an alarm."""
    return "reason skip-reason" if verdict == "skip" else "reason"


def summary_table(scenarios, anchors):
    """Every scenario with verdict, variant, duration and reason."""
    rows = []
    for i, s in enumerate(scenarios):
        rows.append(
            f'<tr class="row-{esc(s["verdict"])}"><td class="num">{i + 1}</td>'
            f'<td class="name"><a href="#{anchors[i]}">{esc(s["name"])}</a></td>'
            f'<td>{verdict_badge(s["verdict"])}</td>'
            f'<td class="variant">{esc(s.get("variant") or "")}</td>'
            f'<td class="num">{(s.get("duration_s") or 0):.3f} s</td>'
            f'<td class="{reason_class(s["verdict"])}">{esc(s.get("reason") or "")}</td></tr>')
    return ('<table class="summary"><tr><th class="num">#</th><th>scenario</th>'
            '<th>verdict</th><th>variant</th><th class="num">duration</th>'
            '<th>reason</th></tr>' + "".join(rows) + "</table>")


def expectations_table(s):
    """Each expectation with its line, verdict and what was observed."""
    rows = "".join(
        f'<tr><td class="num">{esc(e.get("line"))}</td>'
        f'<td><code>{esc(e.get("text"))}</code></td>'
        f'<td>{verdict_badge(e.get("verdict", "?"))}</td>'
        f'<td class="mono">{esc(e.get("observed"))}</td></tr>'
        for e in s["expectations"])
    return ('<table><tr><th class="num">line</th><th class="expect">expectation</th>'
            '<th>verdict</th><th>observed</th></tr>' + rows + "</table>")


def workloads_table(s):
    """Each workload: how it ended, what it did, its step latency."""
    rows = []
    for w in s["workloads"]:
        lat = w.get("latency") or {}
        rate = w.get("rate_bps")
        rows.append(
            f'<tr><td><code>{esc(w["id"])}</code></td><td>{esc(w.get("type"))}</td>'
            f'<td>{esc(w.get("group"))}</td><td>{esc(w.get("end"))}</td>'
            f'<td class="num">{fmt_bytes(w.get("bytes"))}</td>'
            f'<td class="num">{esc(w.get("steps"))}</td>'
            f'<td class="num">{fmt_bytes(rate) + "/s" if rate else "–"}</td>'
            f'<td class="num">{fmt_us(lat.get("p50_us"))}</td>'
            f'<td class="num">{fmt_us(lat.get("p99_us"))}</td>'
            f'<td class="num">{fmt_us(lat.get("max_us"))}</td></tr>')
    return ('<table><tr><th>workload</th><th>type</th><th>group</th><th>end</th>'
            '<th class="num">bytes</th><th class="num">steps</th>'
            '<th class="num">rate</th><th class="num">p50</th>'
            '<th class="num">p99</th><th class="num">max</th></tr>'
            + "".join(rows) + "</table>")


def kernel_log_html(lines):
    """The kernel-log lines, warnings marked; folded when long."""
    if not lines:
        return '<p class="note">Nothing logged during the scenario.</p>'
    warn = set(warning_lines(lines))
    body = "\n".join(f"<mark>{esc(line)}</mark>" if i in warn else esc(line)
                     for i, line in enumerate(lines))
    what = f"{len(lines)} line{'s' if len(lines) != 1 else ''}"
    if warn:
        what += f", {len(warn)} marked as warning{'s' if len(warn) != 1 else ''}"
    opened = " open" if len(lines) <= 12 else ""
    return (f"<details{opened}><summary>Kernel log ({what})</summary>"
            f'<pre class="klog">{body}</pre></details>')


def img_html(png, alt):
    """An <img> with the PNG inline, so the page needs no other file."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="plot" alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def counters_note(groups):
    """Which counters are left out of the plot, and why."""
    zero, missing = quiet_counters(groups)
    parts = []
    if zero:
        parts.append("always 0: " + ", ".join(zero))
    if missing:
        parts.append("not available here: " + ", ".join(missing))
    return f'<p class="note">{esc("; ".join(parts))}.</p>' if parts else ""


class PlotWriter:
    """Writes each plot beside the page as <stem>-<scenario>-<kind>.png."""

    def __init__(self, out):
        self.dir = os.path.dirname(os.path.abspath(out))
        self.stem = os.path.splitext(os.path.basename(out))[0]

    def write(self, key, kind, png):
        name, rep = key
        suffix = "" if rep == 1 else f"-{rep}"
        path = os.path.join(self.dir, f"{self.stem}-{safe_name(name)}{suffix}-{kind}.png")
        write_file(path, png)
        return path


def scenario_section(s, key, anchor, run, plots):
    """The section of one scenario that ran: doc, expectations, plots, log."""
    title = key_label(key)
    head = (f'<section class="card" id="{anchor}" data-scenario="{esc(s["name"])}" '
            f'data-verdict="{esc(s["verdict"])}">'
            f'<h2>{esc(title)} {verdict_badge(s["verdict"])}</h2>'
            f'<p class="doc">{esc(s.get("doc") or "")}</p>'
            f'<p class="meta"><code>{esc(os.path.basename(s.get("file") or ""))}</code>'
            f' · {(s.get("duration_s") or 0):.3f} s')
    if s.get("variant"):
        head += (f' · variant <b>{esc(s["variant"])}</b>: '
                 f'{esc(s.get("variant_doc") or "")}')
    parts = [head + "</p>"]
    if s.get("reason"):
        parts.append(f'<p class="reason"><b>{esc(s["verdict"])}:</b> {esc(s["reason"])}</p>')
    if s["expectations"]:
        parts.append("<h3>Expectations</h3>" + expectations_table(s))
    groups = run["timelines"].get(s.get("timeline")) if s.get("timeline") else None
    if groups:
        png = timeline_figure(s, groups)
        plots.write(key, "timeline", png)
        parts.append("<h3>Timeline</h3>" + img_html(png, f"{title}: counters over time")
                     + counters_note(groups))
    timed = [w for w in s["workloads"] if steps_of(w.get("latency"))]
    if timed:
        png = latency_figure(timed)
        plots.write(key, "latency", png)
        parts.append("<h3>Step latency</h3>" + img_html(png, f"{title}: step latency CDF"))
    if s["workloads"]:
        parts.append("<h3>Workloads</h3>" + workloads_table(s))
    parts.append("<h3>Kernel log</h3>" + kernel_log_html(s["kernel_log"]))
    return "\n".join(parts) + "</section>"


def bench_counts(figures):
    """How many figures met and missed their target, and how many have
    none, as coloured chips."""
    st = [target_status(f) for f in figures]
    chips = [f'<span class="pass">{st.count("met")} met</span>',
             f'<span class="fail">{st.count("missed")} missed</span>']
    if st.count("?"):
        chips.append(f'<span class="skip">{st.count("?")} target not understood</span>')
    if st.count(None):
        chips.append(f'<span class="none">{st.count(None)} without a target</span>')
    return f'<div class="counts">{"".join(chips)}</div>'


def bench_table(figures):
    """Each figure: median, range, unit, runs, target, met or not, note."""
    rows = []
    for f in figures:
        status = target_status(f)
        rows.append(
            f'<tr data-figure="{esc(f["name"])}" data-status="{esc(status or "none")}">'
            f'<td class="name"><code>{esc(f["name"])}</code></td>'
            f'<td class="num"><b>{fmt_num(f["median"])}</b></td>'
            f'<td class="num">{fmt_num(f["min"])} – {fmt_num(f["max"])}</td>'
            f'<td>{esc(unit_label(f["unit"]))}</td>'
            f'<td class="num">{esc(f.get("n", len(f.get("values", []))))}</td>'
            f'<td class="num"><code>{esc(f["target"])}</code></td>'
            f'<td>{status_html(status)}</td>'
            f'<td class="note">{esc(f.get("note") or "")}</td></tr>')
    return ('<table class="bench"><tr><th>figure</th><th class="num">median</th>'
            '<th class="num">least – largest</th><th>unit</th><th class="num">runs</th>'
            '<th class="num">target</th><th>met?</th><th>note</th></tr>'
            + "".join(rows) + "</table>")


def bench_section(run, plots):
    """The benchmark figures of a bench.json against their targets, and
    the plot of the allocation latencies."""
    bench = run["bench"]
    figures = bench["figures"]
    runs = bench.get("runs", "?")
    where = f'run <code>{esc(bench.get("run_id") or "?")}</code>'
    if bench.get("kernel") and bench["kernel"] != run["meta"].get("kernel"):
        where += f' on kernel {esc(bench["kernel"])}'
    parts = [f'<section class="card" id="bench"><h2>Benchmarks</h2>'
             f'<p class="note">memcg-lab bench {where}, {esc(runs)} run(s). Each '
             f'figure is the median of its runs, with the least and largest. A '
             f'<i>ratio</i> is the harness&#39;s throughput over a baseline measured '
             f'in the same run (above 1: the harness is faster); the bench passes or '
             f'fails nothing: <i>met?</i> tells whether the median meets '
             f'the target.</p>']
    if not figures:
        parts.append('<p class="note">No figures: every measurement was left out.</p>')
    else:
        parts.append(bench_counts(figures) + bench_table(figures))
    kinds = bench_latency(figures)
    if kinds:
        png = bench_latency_figure(kinds, runs)
        plots.write(("bench", 1), "alloc-latency", png)
        parts.append(
            "<h3>Allocation latency</h3>"
            + img_html(png, "benchmarks: allocation latency per kind")
            + '<p class="note">p50, p99 and max of the time per 1 MiB step of an '
              'allocating workload: with no limit, reclaiming clean or dirty page '
              'cache at its limit, swapping, above memory.high (cgroup v2). Bars at '
              'the median of the runs, whiskers from the least to the largest.</p>')
    return "\n".join(parts) + "</section>"


def bench_page(run, out):
    """The page of a bench directory alone: the kernel and the figures."""
    m = run["meta"]
    facts = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in run_facts(run))
    body = [f"<h1>memcg-lab bench {esc(m['run_id'])}</h1>",
            f'<p class="sub">{esc(run["dir"])}</p>',
            f'<section class="card" id="run"><h2>Machine and run</h2>'
            f'<dl class="facts-grid">{facts}</dl></section>',
            bench_section(run, PlotWriter(out))]
    nav = toc([("run", "Machine and run", None), ("bench", "Benchmarks", None)])
    return page(f"memcg-lab bench {m['run_id']}", nav, "\n".join(body))


def skip_line(s, key, anchor):
    """A skipped scenario: one line, nothing to plot."""
    return (f'<p class="skipline" id="{anchor}" data-scenario="{esc(s["name"])}" '
            f'data-verdict="skip">{verdict_badge("skip")} <b>{esc(key_label(key))}</b>'
            f' — {esc(s.get("reason") or "")}</p>')


def toc(entries):
    """The side table of contents: [(anchor, label, verdict or None)]."""
    items = "".join(
        f'<li><a href="#{a}">'
        + (f'<span class="dot {esc(v)}"></span>' if v else "")
        + f"{esc(label)}</a></li>" for a, label, v in entries)
    return f"<h2>Contents</h2><ol>{items}</ol>"


def run_page(run, out):
    """The HTML of the single-run report; plots are written beside @out."""
    if run["results"] is None:
        return bench_page(run, out)
    res = run["results"]
    scenarios = res["scenarios"]
    keys = scenario_keys(scenarios)
    anchors = [f"s{i + 1}-{safe_name(s['name'])}" for i, s in enumerate(scenarios)]
    plots = PlotWriter(out)
    facts = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in run_facts(run))
    body = [f"<h1>memcg-lab run {esc(run['meta'].get('run_id', ''))}</h1>",
            f'<p class="sub">{esc(run["dir"])}</p>',
            f'<section class="card" id="run"><h2>Machine and run</h2>'
            f'<dl class="facts-grid">{facts}</dl></section>',
            f'<section class="card" id="summary"><h2>Summary</h2>'
            f'{counts_html(scenarios, res["summary"])}'
            f'{summary_table(scenarios, anchors)}</section>']
    if run["bench"]:
        body.append(bench_section(run, plots))
    for s, key, anchor in zip(scenarios, keys, anchors):
        if s["verdict"] == "skip":
            body.append(skip_line(s, key, anchor))
        else:
            body.append(scenario_section(s, key, anchor, run, plots))
    nav = toc([("run", "Machine and run", None), ("summary", "Summary", None)]
              + ([("bench", "Benchmarks", None)] if run["bench"] else [])
              + [(a, key_label(k), s["verdict"]) for s, k, a in zip(scenarios, keys, anchors)])
    return page(f"memcg-lab run {run['meta'].get('run_id', '')}", nav, "\n".join(body))


# ---- statistics ----

def bucket_samples(buckets):
    """{value_ns: count}: each step at its bucket's midpoint (the histogram
    keeps no more than that)."""
    samples = {}
    for lo, hi, n in buckets:
        if n:
            mid = (lo + hi) / 2
            samples[mid] = samples.get(mid, 0) + n
    return samples


def mann_whitney(a, b):
    """Two-sided Mann-Whitney U test of grouped samples {value: count}.

    Normal approximation with tie correction and continuity correction.
    Returns (U of b, z, p); z > 0 when b tends to be larger. Works on
    counts, so 20000 steps in 100 buckets cost 100 steps of work."""
    n1, n2 = sum(a.values()), sum(b.values())
    if not n1 or not n2:
        return None
    n = n1 + n2
    rank_base = 0  # ranks below the current tie group
    rank_sum_b = 0.0
    ties = 0  # sum of t^3 - t over tie groups
    for v in sorted(set(a) | set(b)):
        t = a.get(v, 0) + b.get(v, 0)
        mid_rank = rank_base + (t + 1) / 2
        rank_sum_b += b.get(v, 0) * mid_rank
        ties += t ** 3 - t
        rank_base += t
    u_b = rank_sum_b - n2 * (n2 + 1) / 2
    mean = n1 * n2 / 2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:  # every step in one bucket: nothing to tell apart
        return u_b, 0.0, 1.0
    diff = u_b - mean
    z = math.copysign(max(abs(diff) - 0.5, 0) / math.sqrt(var), diff)
    return u_b, z, math.erfc(abs(z) / math.sqrt(2))


def percentile_us(buckets, count, max_us, p):
    """The harness's percentile: the upper bound of the bucket holding the
    p-th step (rank rounded up), never above max."""
    rank = max(1, math.ceil(p / 100 * count))
    seen = 0
    for lo, hi, n in sorted(buckets):
        seen += n
        if seen >= rank:
            return min(hi / 1e3, max_us)
    return max_us


def pooled_latency(scenarios):
    """{(scenario, workload id): (workload, buckets, max_us)}, repetitions
    of a scenario pooled: one histogram per workload and run."""
    pooled = {}
    for s in scenarios:
        for w in s["workloads"]:
            lat = w.get("latency")
            if not steps_of(lat):
                continue
            k = (s["name"], w["id"])
            _, buckets, mx = pooled.get(k, (w, [], 0.0))
            # max_us is exact; null (too large) falls back to the buckets
            top = lat["max_us"] or max(b[1] for b in lat["buckets"]) / 1e3
            pooled[k] = (w, buckets + lat["buckets"], max(mx, top))
    return pooled


def latency_stats(buckets, max_us):
    """n, p50, p90, p99, max of a (pooled) histogram."""
    n = sum(b[2] for b in buckets)
    return {"n": n, "max": max_us,
            **{f"p{p}": percentile_us(buckets, n, max_us, p) for p in (50, 90, 99)}}


def shift_test(base, other, alpha, min_shift):
    """The test of @other against @base: (shift of p50, p, flag) where flag
    is 'slower', 'faster' or '' (not significant or too few steps)."""
    if base[1] is None or other[1] is None:
        return None
    sb, so = latency_stats(*base), latency_stats(*other)
    shift = so["p50"] / sb["p50"] - 1 if sb["p50"] else 0.0
    if min(sb["n"], so["n"]) < MIN_TEST_STEPS:
        return shift, None, ""
    _, z, p = mann_whitney(bucket_samples(base[0]), bucket_samples(other[0]))
    flag = ""
    if p < alpha and abs(shift) >= min_shift:
        flag = "slower" if shift > 0 else "faster"
    return shift, p, flag



# ---- the comparison page ----

def run_labels(runs):
    """A, B, C ... for the columns; the first run is the baseline."""
    return [chr(ord("A") + i) if i < 26 else f"R{i + 1}" for i in range(len(runs))]


def facts_table(runs, labels):
    """The runs' facts side by side; a fact that differs is marked (one
    that a run does not have, as a bench directory alone has no meta.json,
    is shown as – and not compared)."""
    facts = [dict(run_facts(r)) for r in runs]
    names = []
    for f in facts:
        names += [n for n in f if n not in names]
    rows = []
    for name in names:
        vals = [f.get(name) for f in facts]
        known = {str(v) for v in vals if v is not None}
        differs = name not in ("run", "started") and len(known) > 1
        cells = "".join(f'<td class="{"changed" if differs and v is not None else ""}">'
                        f'{"–" if v is None else esc(v)}</td>' for v in vals)
        rows.append(f"<tr><th>{esc(name)}</th>{cells}</tr>")
    head = "".join(f"<th>{l}: {esc(os.path.normpath(r['dir']))}</th>"
                   for l, r in zip(labels, runs))
    return f'<table class="facts"><tr><th></th>{head}</tr>{"".join(rows)}</table>'


def all_keys(runs):
    """Every (scenario, repetition) of any run, in first-seen order."""
    keys = []
    for r in runs:
        for k in scenario_keys(r["results"]["scenarios"]):
            if k not in keys:
                keys.append(k)
    return keys


def outcome(s):
    """(verdict, variant) of a scenario entry; None when it did not run."""
    return None if s is None else (s["verdict"], s.get("variant"))


def verdict_cell(s, base, compared):
    """(cell html, differs): a run's verdict and variant for one scenario,
    marked when it differs from the baseline's (@compared: not the baseline
    itself, and the baseline ran it)."""
    if s is None:
        return '<td class="notrun">not run</td>', False
    text = verdict_badge(s["verdict"])
    if s.get("variant"):
        text += f' <span class="meta">{esc(s["variant"])}</span>'
    title = f' title="{esc(s["reason"])}"' if s.get("reason") else ""
    differs = compared and outcome(s) != outcome(base)
    if differs:
        text += " <b>≠</b>"
    if s["verdict"] in ("fail", "error") and s.get("reason"):
        text += f'<div class="meta">{esc(s["reason"])}</div>'
    cls = ' class="changed"' if differs else ""
    return f"<td{cls}{title}>{text}</td>", differs


def verdict_matrix(runs, labels):
    """(html, changed, partial): scenario x run, verdict and variant, with
    the cells that differ from the baseline marked; changed counts those
    scenarios, partial those that some run did not run."""
    by_run = [dict(zip(scenario_keys(r["results"]["scenarios"]),
                       r["results"]["scenarios"])) for r in runs]
    rows, changed, partial = [], 0, 0
    for key in all_keys(runs):
        base = by_run[0].get(key)
        cells = [verdict_cell(m.get(key), base, i > 0 and base is not None)
                 for i, m in enumerate(by_run)]
        changed += any(d for _, d in cells)
        partial += any(key not in m for m in by_run)
        rows.append(f'<tr><td class="name">{esc(key_label(key))}</td>'
                    f'{"".join(c for c, _ in cells)}</tr>')
    head = "".join(f"<th>{l}</th>" for l in labels)
    return (f'<table class="matrix"><tr><th>scenario</th>{head}</tr>{"".join(rows)}</table>',
            changed, partial)


def stats_cells(hist):
    """n, p50, p90, p99, max of one run's histogram, or 'not run'."""
    if hist is None:
        return '<td class="num notrun run" colspan="5">not run</td>'
    st = latency_stats(*hist)
    return (f'<td class="num run">{st["n"]}</td>'
            + "".join(f'<td class="num">{fmt_us(st[q])}</td>'
                      for q in ("p50", "p90", "p99", "max")))


def test_cells(base, hist, alpha, min_shift):
    """(cells, flag) of the test of one run against the baseline."""
    t = shift_test(base, hist, alpha, min_shift) if base and hist else None
    if t is None:
        return '<td class="num run" colspan="3">–</td>', ""
    shift, p, flag = t
    note = flag or (f"n < {MIN_TEST_STEPS}" if p is None else "")
    return (f'<td class="num run">{shift * 100:+.1f} %</td>'
            f'<td class="num">{fmt_p(p)}</td><td class="name">{esc(note)}</td>', flag)


def latency_table(runs, labels, alpha, min_shift):
    """(html, flagged, left out): percentiles of each workload that ran in
    at least two runs, side by side, and the test of each later run against
    the first; grouped by scenario. flagged: [(key, [histogram or None per
    run])] of the workloads with a significant shift."""
    pooled = [pooled_latency(r["results"]["scenarios"]) for r in runs]
    keys = []
    for p in pooled:
        keys += [k for k in p if k not in keys]
    shared = [k for k in keys if sum(k in p for p in pooled) >= 2]
    head1 = "".join(f'<th colspan="5" class="run">{l}</th>' for l in labels)
    head1 += "".join(f'<th colspan="3" class="run">{l} vs {labels[0]}</th>'
                     for l in labels[1:])
    head2 = "".join('<th class="num run">n</th><th class="num">p50</th><th class="num">p90</th>'
                    '<th class="num">p99</th><th class="num">max</th>' for _ in labels)
    head2 += "".join('<th class="num run">Δp50</th><th class="num">p</th><th>shift</th>'
                     for _ in labels[1:])
    width = 1 + 5 * len(labels) + 3 * (len(labels) - 1)
    rows, flagged, scenario = [], [], None
    for k in shared:
        if k[0] != scenario:
            scenario = k[0]
            rows.append(f'<tr class="scn"><td colspan="{width}">{esc(scenario)}</td></tr>')
        hists = [(p[k][1], p[k][2]) if k in p else None for p in pooled]
        w = next(p[k][0] for p in pooled if k in p)
        tests = [test_cells(hists[0], h, alpha, min_shift) for h in hists[1:]]
        flags = [f for _, f in tests]
        flag = "slower" if "slower" in flags else "faster" if "faster" in flags else ""
        if flag:
            flagged.append((k, hists))
        cls = f' class="flag-{flag}"' if flag else ""
        rows.append(f'<tr{cls}><td class="name"><code>{esc(k[1])}</code> '
                    f'<span class="meta">{esc(w.get("type"))} in {esc(w.get("group"))}</span></td>'
                    + "".join(stats_cells(h) for h in hists)
                    + "".join(c for c, _ in tests) + "</tr>")
    if not rows:
        return '<p class="note">No workload ran in more than one run.</p>', [], len(keys)
    # eight columns a run: beyond two or three runs it scrolls sideways
    table = (f'<div class="scroll"><table class="lat"><tr><th rowspan="2">workload</th>'
             f'{head1}</tr><tr>{head2}</tr>{"".join(rows)}</table></div>')
    return table, flagged, len(keys) - len(shared)


def normalise_log_line(line):
    """A kernel-log line with pids, addresses and numbers blanked, so that
    the same message from two runs compares equal."""
    line = re.sub(r"0x[0-9a-fA-F]+|\b[0-9a-fA-F]{8,}\b", "#", line)
    return re.sub(r"\d+", "#", line).strip()


def run_warnings(run):
    """{(scenario, normalised line): (first line as logged, count)}."""
    found = {}
    for s in run["results"]["scenarios"]:
        for line in s["kernel_log"]:
            if WARNING_RE.search(line):
                k = (s["name"], normalise_log_line(line))
                first, n = found.get(k, (line, 0))
                found[k] = (first, n + 1)
    return found


def warnings_table(runs, labels):
    """(html, count of warnings not in every run): each warning line with
    how often each run logged it."""
    per_run = [run_warnings(r) for r in runs]
    keys = []
    for w in per_run:
        keys += [k for k in w if k not in keys]
    if not keys:
        return '<p class="note">No kernel-log line matched.</p>', 0
    rows, uneven = [], 0
    for k in keys:
        present = [k in w for w in per_run]
        line = next(w[k][0] for w in per_run if k in w)
        cells = "".join(f'<td class="num{" changed" if not all(present) else ""}">'
                        f'{w[k][1] if k in w else "–"}</td>' for w in per_run)
        only = ""
        if not all(present):
            uneven += 1
            who = ", ".join(l for l, p in zip(labels, present) if p)
            only = f'<span class="only">only in {esc(who)}</span>'
        rows.append(f'<tr><td>{esc(k[0])}</td><td class="mono">{esc(line)}</td>'
                    f'{cells}<td>{only}</td></tr>')
    head = "".join(f'<th class="num">{l}</th>' for l in labels)
    return (f"<table><tr><th>scenario</th><th>line</th>{head}<th></th></tr>"
            f"{''.join(rows)}</table>", uneven)


def shift_figure(key, hists, labels):
    """PNG of a flagged workload's step-latency CDF in each run."""
    height = 3.2
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, height))
    fixed_layout(fig, height)
    for i, (label, h) in enumerate(zip(labels, hists)):
        if h is None:
            continue
        st = latency_stats(*h)
        xs, ys = cdf_points(h[0])
        ax.plot(xs, ys, color=WORKLOAD_COLOURS[i % len(WORKLOAD_COLOURS)], linewidth=1.8,
                label=f"{label}: n={st['n']}\np50 {fmt_us(st['p50'])}\np99 {fmt_us(st['p99'])}")
    latency_axes(ax)
    ax.set_title(f"{key[0]}: workload {key[1]}, step latency by run", loc="left")
    return figure_png(fig)


def shift_plots(flagged, labels, plots):
    """The CDF plots of the flagged workloads, one per workload."""
    parts = []
    for key, hists in flagged:
        png = shift_figure(key, hists, labels)
        plots.write((f"{key[0]}-{key[1]}", 1), "latency", png)
        parts.append(img_html(png, f"{key[0]} {key[1]}: step latency by run"))
    return "".join(parts)


def bench_ratio_cell(f, base):
    """The ratio of a figure's median to the baseline's, or –."""
    if f is None or base is None or not base["median"]:
        return '<td class="num run">–</td>'
    return f'<td class="num run">{f["median"] / base["median"]:.2f}×</td>'


def bench_compare(runs, labels):
    """(html, differing) of the benchmark medians of the runs that have a
    bench.json side by side with the ratio of each to the first, or None
    with fewer than two; differing counts the figures whose met/missed is
    not the first's."""
    benched = [(l, {f["name"]: f for f in r["bench"]["figures"]})
               for l, r in zip(labels, runs) if r.get("bench")]
    if len(benched) < 2:
        return None
    names = []
    for _, figs in benched:
        names += [n for n in figs if n not in names]
    base_label, base_figs = benched[0]
    rows, differing = [], 0
    for name in names:
        any_f = next(figs[name] for _, figs in benched if name in figs)
        base = base_figs.get(name)
        cells, ratios, differs = [], [], False
        for i, (l, figs) in enumerate(benched):
            f = figs.get(name)
            if f is None:
                cells.append('<td class="num notrun run" colspan="2">not measured</td>')
            else:
                st = target_status(f)
                ch = i > 0 and base is not None and st != target_status(base)
                differs |= ch
                mark = " <b>≠</b>" if ch else ""
                cells.append(
                    f'<td class="num run{" changed" if ch else ""}" '
                    f'title="least {fmt_num(f["min"])}, largest {fmt_num(f["max"])}, '
                    f'{esc(f.get("n", "?"))} run(s)">{fmt_num(f["median"])}{mark}</td>'
                    f'<td>{status_html(st) if st else ""}</td>')
            if i > 0:
                ratios.append(bench_ratio_cell(f, base))
        differing += differs
        rows.append(f'<tr data-figure="{esc(name)}"><td class="name"><code>{esc(name)}</code></td>'
                    f'<td>{esc(unit_label(any_f["unit"]))}</td>'
                    f'<td class="num"><code>{esc(any_f["target"])}</code></td>'
                    + "".join(cells) + "".join(ratios) + "</tr>")
    head = "".join(f'<th class="run" colspan="2">{l}</th>' for l, _ in benched)
    head += "".join(f'<th class="num run">{l} / {base_label}</th>' for l, _ in benched[1:])
    table = (f'<div class="scroll"><table class="lat bench-cmp"><tr><th>figure</th><th>unit</th>'
             f'<th class="num">target</th>{head}</tr>{"".join(rows)}</table></div>')
    return table, differing


def compare_summary(label, run):
    """One run's line in the list under the title."""
    parts = []
    if run["results"] is not None:
        parts.append(counts_line(run["results"]["summary"]))
    if run.get("bench"):
        parts.append(("bench: " if parts else "bench only: ") + bench_fact(run["bench"]))
    return (f"<li><b>{label}</b> {esc(run['meta'].get('run_id', ''))}: "
            f"{esc('; '.join(parts))}</li>")


def compare_page(runs, alpha, min_shift, out):
    """The HTML of the comparison of @runs, the first being the baseline;
    the plots of flagged shifts are written beside @out. The scenario
    sections leave out bench directories alone (the first run with results
    is their baseline) and are left out when fewer than two runs have
    results."""
    labels = run_labels(runs)
    summaries = "".join(compare_summary(l, r) for l, r in zip(labels, runs))
    scen = [(l, r) for l, r in zip(labels, runs) if r["results"] is not None]
    alone = ""
    if len(scen) < 2:
        who = f"Only {scen[0][0]} has" if scen else "None has"
        alone = (f'<p class="note">{who} scenario results (the others are '
                 f'directories of memcg-lab bench alone): no verdicts or step '
                 f'latencies to compare.</p>')
    body = [f"<h1>memcg-lab: {len(runs)} runs compared</h1>",
            f'<ul class="sub">{summaries}</ul>',
            f'<section class="card" id="runs"><h2>Runs</h2>{facts_table(runs, labels)}'
            f'{alone}</section>']
    nav = [("runs", "Runs", None)]
    bench = bench_compare(runs, labels)
    if bench:
        table, differing = bench
        first = next(l for l, r in zip(labels, runs) if r.get("bench"))
        body.append(
            f'<section class="card" id="bench"><h2>Benchmarks</h2>'
            f'<p class="note">The median of each figure in each run that has a '
            f'bench.json, met or missed against its target, and its ratio to '
            f'{first}&#39;s median (hover a median for its least, largest and '
            f'runs). For a <i>ratio</i> figure more is better, for times less. '
            f'{differing} figure(s) met or missed their target where {first} did '
            f'not (marked ≠).</p>{table}</section>')
        nav.append(("bench", "Benchmarks", None))
    if len(scen) >= 2:
        body += scenario_sections([r for _, r in scen], [l for l, _ in scen],
                                  alpha, min_shift, out)
        nav += [("verdicts", "Verdicts", None), ("latency", "Step latency", None),
                ("warnings", "Kernel-log warnings", None)]
    return page(f"memcg-lab: {len(runs)} runs compared", toc(nav), "\n".join(body))


def scenario_sections(runs, labels, alpha, min_shift, out):
    """The comparison's sections on the scenarios: verdicts, step latency
    and kernel-log warnings, the first of @runs the baseline."""
    matrix, changed, partial = verdict_matrix(runs, labels)
    lat, flagged, alone = latency_table(runs, labels, alpha, min_shift)
    shifts = shift_plots(flagged, labels, PlotWriter(out))
    warn, uneven = warnings_table(runs, labels)
    base = labels[0]
    method = (
        f"Each step's latency is taken as the midpoint of its histogram bucket "
        f"(buckets are 6.25 % wide). Every run is compared with run {base} by a "
        f"two-sided <b>Mann–Whitney U test</b> (normal approximation with tie "
        f"and continuity correction). A shift is flagged when <b>p &lt; {alpha:g}</b> "
        f"and the median moved by at least <b>{min_shift * 100:g} %</b>; with fewer "
        f"than {MIN_TEST_STEPS} steps on a side there is no test. Repetitions "
        f"of a scenario are pooled. Percentiles are the harness's: the upper "
        f"bound of the bucket holding that step.")
    return [f'<section class="card" id="verdicts"><h2>Verdicts</h2>'
            f'<p class="note">{changed} scenario(s) with a verdict or variant other '
            f'than in {base} (marked ≠); {partial} not run in every run. Hover a '
            f'cell for the reason of a skip or failure.</p>{matrix}</section>',
            f'<section class="card" id="latency"><h2>Step latency</h2>'
            f'<p class="note">{method}</p><p class="note"><b>{len(flagged)} workload(s) '
            f'flagged</b>; {alone} workload(s) that ran in only one run are left '
            f'out.</p>{lat}{shifts}</section>',
            f'<section class="card" id="warnings"><h2>Kernel-log warnings</h2>'
            f'<p class="note">Lines matching <code>{esc(WARNING_RE.pattern)}</code> '
            f'(case-insensitive), counted per run; numbers and addresses are '
            f'ignored when matching lines across runs. {uneven} line(s) are not '
            f'in every run.</p>{warn}</section>']


# ---- main ----

def write_file(path, data):
    """Write @data (str or bytes) under a temporary name and rename it into
    place, as the harness does: a file that exists is complete."""
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp{os.getpid()}")
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        with open(tmp, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ReportError(f"{path}: cannot write: {e.strerror}") from None


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="HTML report of one memcg-lab results directory, or a "
                    "comparison page of several.",
        epilog="examples:\n"
               "  scripts/report.py results/20261123-173207-14372\n"
               "      -> results/20261123-173207-14372/report.html and its PNGs\n"
               "  scripts/report.py results/RUN1 results/RUN2 -o /tmp/cmp.html\n"
               "      -> /tmp/cmp.html, RUN2 compared with RUN1\n\n"
               "exit status: 0 ok, 1 bad input, 2 usage error")
    p.add_argument("dirs", nargs="+", metavar="RESULTS_DIR",
                   help="a results/<run-id> directory (meta.json, results.json, "
                        "timeline-*.csv, perhaps bench.json; or bench.json alone, "
                        "from memcg-lab bench); with several, the first is the baseline")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="the page to write (default: RESULTS_DIR/report.html for "
                        "one run, ./compare.html for several); PNGs go beside it")
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
    args = parse_args(argv)
    try:
        runs = [load_run(d) for d in args.dirs]
        out = output_path(args)
        if len(runs) == 1:
            text = run_page(runs[0], out)
        else:
            text = compare_page(runs, args.alpha, args.min_shift / 100, out)
        write_file(out, text)
    except ReportError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
