"""The timeline plot of a scenario: each group's counters over time against
its limit, one panel per group, with the events marked on the panels and in
a strip below them."""

import math

from matplotlib import ticker
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .formatting import MIB
# pyplot as plots set it up (the Agg backend, the style)
from .plots import (FIG_WIDTH, MARGIN_BOTTOM, MARGIN_TOP, figure_png,
                    fixed_layout, plt)

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


def plot_group_panel(ax, name, group, counters, events):
    """One group's panel: its counters, its limit, the spans its tasks were
    paused, its sparse events. Returns (limit drawn, pause drawn), for the
    legend."""
    for c in sorted(counters, key=DRAW_ORDER.index):
        ax.plot(group["t_s"], mib(group[c]), color=COUNTER_COLOUR[c],
                linewidth=COUNTER_WIDTH[c], linestyle=COUNTER_DASH.get(c, "-"),
                zorder=2, drawstyle="steps-post")
    has_limit = plot_limit(ax, group["t_s"], group["limit"])
    has_pause = False
    for a, b in pause_spans(group["t_s"], group["under_oom"]):
        ax.axvspan(a, b, color=PAUSE_COLOUR, alpha=0.15, linewidth=0)
        has_pause = True
    plot_event_lines(ax, events, name)
    ax.set_title(f"group {name}", loc="left")
    ax.set_ylabel("MiB")
    # a group that stayed empty gets 0..1 MiB, not 0..0.05 MiB
    ax.set_ylim(0, max(ax.get_ylim()[1], 1.0))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=5, steps=[1, 2, 4, 5, 10]))
    return has_limit, has_pause


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
        limit_drawn, pause_drawn = plot_group_panel(ax, name, groups[name], counters, events)
        has_limit |= limit_drawn
        has_pause |= pause_drawn
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
