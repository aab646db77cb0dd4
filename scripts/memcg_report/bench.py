"""The benchmarks (bench.json of memcg-lab bench): each figure's median
against its target, the Benchmarks section of the run page with its plot,
and the medians side by side on the comparison page."""

import re

from .formatting import fmt_num, unit_label
from .html_parts import esc, img_html
from .plots import bench_latency_figure

# The allocation-latency figures, lat-<kind>-<stat>: plotted as bars
BENCH_LAT_RE = re.compile(r"^lat-(.+)-(p50|p99|max)$")

# A target: an operator and a number, perhaps followed by the unit ("<= 5 ms")
TARGET_RE = re.compile(r"^\s*(>=|<=|==|=|>|<|≥|≤)\s*"
                       r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\s+\S.*)?\s*$")
TARGET_OPS = {
    ">=": lambda v, t: v >= t, "≥": lambda v, t: v >= t,
    "<=": lambda v, t: v <= t, "≤": lambda v, t: v <= t,
    ">": lambda v, t: v > t, "<": lambda v, t: v < t,
    "==": lambda v, t: v == t, "=": lambda v, t: v == t,
}


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


def bench_latency(figures):
    """{kind: {stat: figure}} of the lat-<kind>-<stat> figures, kinds in
    the order the bench wrote them."""
    kinds = {}
    for f in figures:
        m = BENCH_LAT_RE.match(f["name"])
        if m:
            kinds.setdefault(m.group(1), {})[m.group(2)] = f
    return kinds


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


def bench_ratio_cell(f, base):
    """The ratio of a figure's median to the baseline's, or –."""
    if f is None or base is None or not base["median"]:
        return '<td class="num run">–</td>'
    return f'<td class="num run">{f["median"] / base["median"]:.2f}×</td>'


def bench_compare_row(name, figures_by_run):
    """(html, differs) of figure @name in each run ({name: figure} each, the
    first the baseline): median and met/missed per run, then the ratio of
    each later run to the baseline; differs when a later run's met/missed
    is not the baseline's."""
    # unit and target from the first run that measured it
    first_measured = next(figs[name] for figs in figures_by_run if name in figs)
    base = figures_by_run[0].get(name)
    cells, ratios, differs = [], [], False
    for i, figs in enumerate(figures_by_run):
        f = figs.get(name)
        if f is None:
            cells.append('<td class="num notrun run" colspan="2">not measured</td>')
        else:
            status = target_status(f)
            changed = i > 0 and base is not None and status != target_status(base)
            differs |= changed
            mark = " <b>≠</b>" if changed else ""
            cells.append(
                f'<td class="num run{" changed" if changed else ""}" '
                f'title="least {fmt_num(f["min"])}, largest {fmt_num(f["max"])}, '
                f'{esc(f.get("n", "?"))} run(s)">{fmt_num(f["median"])}{mark}</td>'
                f'<td>{status_html(status) if status else ""}</td>')
        if i > 0:
            ratios.append(bench_ratio_cell(f, base))
    row = (f'<tr data-figure="{esc(name)}"><td class="name"><code>{esc(name)}</code></td>'
           f'<td>{esc(unit_label(first_measured["unit"]))}</td>'
           f'<td class="num"><code>{esc(first_measured["target"])}</code></td>'
           + "".join(cells) + "".join(ratios) + "</tr>")
    return row, differs


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
    base_label = benched[0][0]
    rows, differing = [], 0
    for name in names:
        row, differs = bench_compare_row(name, [figs for _, figs in benched])
        rows.append(row)
        differing += differs
    head = "".join(f'<th class="run" colspan="2">{l}</th>' for l, _ in benched)
    head += "".join(f'<th class="num run">{l} / {base_label}</th>' for l, _ in benched[1:])
    table = (f'<div class="scroll"><table class="lat bench-cmp"><tr><th>figure</th><th>unit</th>'
             f'<th class="num">target</th>{head}</tr>{"".join(rows)}</table></div>')
    return table, differing
