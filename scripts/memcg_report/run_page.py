"""The page of one run: its machine, the summary of verdicts, the
benchmarks, and a section per scenario (expectations, timeline, step
latency, workloads, kernel log); or the page of a bench directory alone."""

import os

from .bench import bench_section
from .formatting import fmt_bytes, fmt_us, safe_name
from .html_parts import (counts_line, esc, img_html, page, run_facts, toc,
                         verdict_badge)
from .output import PlotWriter
from .plots import latency_figure
from .results import VERDICTS, key_label, scenario_keys, warning_lines
from .stats import steps_of
from .timeline_plot import quiet_counters, timeline_figure


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


def counters_note(groups):
    """Which counters are left out of the plot, and why."""
    zero, missing = quiet_counters(groups)
    parts = []
    if zero:
        parts.append("always 0: " + ", ".join(zero))
    if missing:
        parts.append("not available here: " + ", ".join(missing))
    return f'<p class="note">{esc("; ".join(parts))}.</p>' if parts else ""


def figures_table(s):
    """What the scenario's measure steps measured (findings, not verdicts)."""
    rows = "".join(f'<tr><td class="num">{f.get("line", "")}</td><td>{esc(f["name"])}</td>'
                   f'<td class="num">{f["value"]:.3f} {esc(f.get("unit", ""))}</td></tr>'
                   for f in s["figures"])
    return ('<table class="figures"><tr><th class="num">line</th><th>figure</th>'
            f'<th class="num">value</th></tr>{rows}</table>')


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
    if s.get("figures"):
        parts.append("<h3>Figures</h3>" + figures_table(s))
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


def skip_line(s, key, anchor):
    """A skipped scenario: one line, nothing to plot."""
    return (f'<p class="skipline" id="{anchor}" data-scenario="{esc(s["name"])}" '
            f'data-verdict="skip">{verdict_badge("skip")} <b>{esc(key_label(key))}</b>'
            f' — {esc(s.get("reason") or "")}</p>')


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
