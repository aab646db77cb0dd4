"""The page comparing two or more runs, the first the baseline: the runs'
facts side by side, the benchmark medians, the verdict matrix, the step
latencies with the shift test, and the kernel-log warnings per run."""

import os
import re

from .bench import bench_compare
from .formatting import fmt_p, fmt_us
from .html_parts import (bench_fact, counts_line, esc, img_html, page,
                         run_facts, toc, verdict_badge)
from .output import PlotWriter
from .plots import shift_figure
from .results import WARNING_RE, key_label, scenario_keys
from .stats import MIN_TEST_STEPS, latency_stats, pooled_latency, shift_test


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


def latency_table_head(labels):
    """The two header rows of the latency table: the runs' percentiles,
    then each later run's test against the first."""
    head1 = "".join(f'<th colspan="5" class="run">{l}</th>' for l in labels)
    head1 += "".join(f'<th colspan="3" class="run">{l} vs {labels[0]}</th>'
                     for l in labels[1:])
    head2 = "".join('<th class="num run">n</th><th class="num">p50</th><th class="num">p90</th>'
                    '<th class="num">p99</th><th class="num">max</th>' for _ in labels)
    head2 += "".join('<th class="num run">Δp50</th><th class="num">p</th><th>shift</th>'
                     for _ in labels[1:])
    return f'<tr><th rowspan="2">workload</th>{head1}</tr><tr>{head2}</tr>'


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
    table = (f'<div class="scroll"><table class="lat">{latency_table_head(labels)}'
             f'{"".join(rows)}</table></div>')
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


def shift_plots(flagged, labels, plots):
    """The CDF plots of the flagged workloads, one per workload."""
    parts = []
    for key, hists in flagged:
        png = shift_figure(key, hists, labels)
        plots.write((f"{key[0]}-{key[1]}", 1), "latency", png)
        parts.append(img_html(png, f"{key[0]} {key[1]}: step latency by run"))
    return "".join(parts)


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
    with_results = [(l, r) for l, r in zip(labels, runs) if r["results"] is not None]
    alone = ""
    if len(with_results) < 2:
        who = f"Only {with_results[0][0]} has" if with_results else "None has"
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
    if len(with_results) >= 2:
        body += scenario_sections([r for _, r in with_results], [l for l, _ in with_results],
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
