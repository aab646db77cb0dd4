"""Shared parts of both pages: the document around the body, the table of
contents, escaping, badges, inline images, and the facts of a run."""

import base64
import html
import os

from .formatting import fmt_bytes
from .style import CSS


def esc(x):
    """HTML-escaped text of anything; '' for None."""
    return "" if x is None else html.escape(str(x), quote=True)


def page(title, nav, body):
    """A complete HTML document with the style sheet inline."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
            f"<body>\n<nav class=\"toc\">{nav}</nav>\n<main>\n{body}\n</main>\n"
            f"</body></html>\n")


def toc(entries):
    """The side table of contents: [(anchor, label, verdict or None)]."""
    items = "".join(
        f'<li><a href="#{a}">'
        + (f'<span class="dot {esc(v)}"></span>' if v else "")
        + f"{esc(label)}</a></li>" for a, label, v in entries)
    return f"<h2>Contents</h2><ol>{items}</ol>"


def img_html(png, alt):
    """An <img> with the PNG inline, so the page needs no other file."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="plot" alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def verdict_badge(verdict):
    """A coloured pass/fail/skip/error label."""
    return f'<span class="badge {esc(verdict)}">{esc(verdict)}</span>'


def counts_line(summary):
    """'30 passed, 1 failed, 2 skipped', as the harness prints it."""
    return (f"{summary.get('passed', '?')} passed, {summary.get('failed', '?')} "
            f"failed, {summary.get('skipped', '?')} skipped")


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
    how = [m["swap_kind"]] if m.get("swap_kind") not in (None, "none") else []
    if m.get("swap_mode"):
        how.append(f"--swap {m['swap_mode']}")
    if how:
        swap += f" ({', '.join(how)})"
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
    ] + dimension_facts(m) + ([("bench", bench_fact(run["bench"]))] if run.get("bench") else [])


# the run dimensions of meta.json's kernel_facts, as a reviewer reads them
DIMENSIONS = [("mglru", "multi-gen LRU", True), ("recursiveprot", "memory_recursiveprot", True),
              ("localevents", "memory_localevents", True), ("zswap", "zswap", True),
              ("cpus", "CPUs", False)]


def dimension_facts(m):
    """[(label, text)] of the run dimensions a run recorded (older runs
    recorded none)."""
    facts = m.get("kernel_facts") or {}
    return [(label, ("on" if facts[key] else "off") if switch else facts[key])
            for key, label, switch in DIMENSIONS if key in facts]
