"""The matrix page: scenarios x runs (kernels, cgroup versions, run
dimensions), each cell the verdict and variant, with what changed marked.

What a kernel-upgrade reviewer looks for first: a scenario whose outcome
differs between runs of the same cgroup version. The runs are taken in the
order given (old kernel first), so a cell is marked when it differs from the
previous run of its cgroup version; a row with any such cell is marked too,
and listed at the top. A scenario that a cgroup version skips for its
version is not a difference between versions: only runs of one version are
compared with each other."""

from collections import Counter

from .html_parts import dimension_facts, esc, page, toc, verdict_badge


def outcomes(run):
    """{scenario: Counter of (verdict, variant)} of a run, repetitions
    (--repeat) together."""
    by_name = {}
    for s in run["results"]["scenarios"]:
        by_name.setdefault(s["name"], Counter())[(s["verdict"], s.get("variant"))] += 1
    return by_name


def column_head(label, run, varying):
    """A run's column heading: its label, kernel, cgroup version, where it
    ran, and the run dimensions in which the runs differ."""
    m = run["meta"]
    dims = [f"{k} {v}" for k, v in dimension_facts(m) if k in varying]
    lines = [f"<b>{esc(label)}</b>", esc(m.get("kernel", "?")),
             f"cgroup v{esc(m.get('cgroup_version', '?'))}, {esc(m.get('where', '?'))}"]
    lines += [esc(d) for d in dims]
    return f'<th class="run">{"<br>".join(lines)}</th>'


def varying_dimensions(runs):
    """The dimension labels with more than one value among the runs that
    recorded them (an older run recorded none: unknown, not different)."""
    seen = {}
    for r in runs:
        for k, v in dimension_facts(r["meta"]):
            seen.setdefault(k, set()).add(v)
    return {k for k, vals in seen.items() if len(vals) > 1}


def cell_text(counts):
    """A cell: the outcome, or each outcome with its count when repetitions
    disagreed."""
    parts = []
    for (verdict, variant), n in counts.most_common():
        text = verdict_badge(verdict)
        if variant:
            text += f' <span class="meta">{esc(variant)}</span>'
        if len(counts) > 1:
            text += f' <span class="meta">×{n}</span>'
        parts.append(text)
    return "<br>".join(parts)


def matrix_rows(runs, by_run):
    """([row html], [changed scenario]) in first-seen order."""
    names = []
    for m in by_run:
        names += [n for n in m if n not in names]
    rows, changed = [], []
    for name in names:
        cells, row_changed, last = [], False, {}
        for r, m in zip(runs, by_run):
            counts = m.get(name)
            version = r["meta"].get("cgroup_version")
            if counts is None:
                cells.append('<td class="notrun">not run</td>')
                continue
            before = last.get(version)
            differs = before is not None and set(counts) != set(before)
            last[version] = counts
            row_changed |= differs
            mark = " <b>≠</b>" if differs else ""
            cls = ' class="changed"' if differs else ""
            cells.append(f"<td{cls}>{cell_text(counts)}{mark}</td>")
        if row_changed:
            changed.append(name)
        cls = ' class="differs"' if row_changed else ""
        rows.append(f'<tr{cls} id="m-{esc(name)}"><td class="name">{esc(name)}</td>'
                    f'{"".join(cells)}</tr>')
    return rows, changed


def matrix_page(runs, labels):
    """The HTML of the matrix of @runs (each with results)."""
    by_run = [outcomes(r) for r in runs]
    varying = varying_dimensions(runs)
    rows, changed = matrix_rows(runs, by_run)
    head = "".join(column_head(l, r, varying) for l, r in zip(labels, runs))
    if changed:
        listed = ", ".join(f'<a href="#m-{esc(n)}">{esc(n)}</a>' for n in changed)
        summary = (f'<p class="reason">{len(changed)} scenario(s) changed between runs of '
                   f'the same cgroup version: {listed}.</p>')
    else:
        summary = ('<p class="note">No scenario changed between runs of the same cgroup '
                   'version.</p>')
    dims = (f'<p class="note">The runs differ in: {esc(", ".join(sorted(varying)))}.</p>'
            if varying else "")
    body = [f"<h1>memcg-lab: {len(runs)} runs, scenario by scenario</h1>",
            '<section class="card" id="matrix"><h2>Verdicts and variants</h2>',
            summary, dims,
            '<p class="note">Runs in the order given; a cell marked ≠ differs from the '
            'previous run of its cgroup version, and its row is marked.</p>',
            f'<table class="matrix"><tr><th>scenario</th>{head}</tr>{"".join(rows)}</table>',
            "</section>"]
    nav = toc([("matrix", "Verdicts and variants", None)]
              + [(f"m-{n}", n, None) for n in changed])
    return page(f"memcg-lab: {len(runs)} runs, scenario by scenario", nav, "\n".join(body))
