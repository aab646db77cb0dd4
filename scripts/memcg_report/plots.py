"""The plots (matplotlib, rendered to PNG bytes): the shared figure layout,
the step-latency CDFs of the run page and of the comparison, and the bars of
the benchmarks' allocation latencies. The counter timeline is in
timeline_plot.

Importing this module selects the Agg backend and sets the plot style, so it
must come before any other import of matplotlib.pyplot."""

import io
import math

import matplotlib

matplotlib.use("Agg")  # no display: render straight to PNG
import matplotlib.pyplot as plt  # noqa: E402 (must follow use())
from matplotlib import ticker  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .formatting import fmt_us  # noqa: E402
from .stats import latency_stats  # noqa: E402

WORKLOAD_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                    "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")

# The benchmarks' allocation-latency figures (lat-<kind>-<stat>) as grouped
# bars, one colour per statistic, and the kinds' labels under the groups.
BENCH_LAT_STATS = (("p50", "#c6dbef"), ("p99", "#6baed6"), ("max", "#2b7bba"))
BENCH_LAT_KIND_LABEL = {
    "unlimited": "unlimited",
    "clean-cache": "reclaiming\nclean cache",
    "dirty-cache": "reclaiming\ndirty cache",
    "swapping": "swapping",
    "above-high": "above\nmemory.high",
}

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


def bench_bars(kinds, stat, stat_index, width, floor):
    """(x, height, whisker below, whisker above) lists of the bars of one
    statistic, a bar per kind that has it: at the median, whiskers to the
    least and the largest, nothing below @floor (a log axis has no 0)."""
    xs, med, lo, hi = [], [], [], []
    for i, st in enumerate(kinds.values()):
        f = st.get(stat)
        if f is None or not math.isfinite(f["median"]):
            continue
        xs.append(i + (stat_index - (len(BENCH_LAT_STATS) - 1) / 2) * width)
        m = max(f["median"], floor)
        least = f["min"] if math.isfinite(f["min"]) else m
        largest = f["max"] if math.isfinite(f["max"]) else m
        med.append(m)
        lo.append(max(m - max(least, floor), 0))
        hi.append(max(max(largest, floor) - m, 0))
    return xs, med, lo, hi


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
        xs, med, lo, hi = bench_bars(kinds, stat, j, width, floor)
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
