#!/usr/bin/env bash
# Report test (ctest label report): scripts/report.py on the fixture results
# directory, a comparison of the fixture with itself and with a copy that has
# one verdict and one benchmark median changed, a directory of memcg-lab bench
# alone (the fixture's bench.json) by itself and against the fixture; the
# pages rendered in headless Chromium and the screenshots checked (size, not
# blank); the HTML checked for every scenario, the summary counts, a plot per
# scenario that ran, a row per benchmark figure with its target met or missed
# and the benchmark comparison; the Mann-Whitney test checked against known
# cases; bad input must fail with a clear message.
#   report_screenshot.sh SOURCE_DIR
# Exits 77 (skipped) without chromium (Debian package chromium).
# REPORT_SCREENSHOT_DIR=DIR keeps a copy of the screenshots there.
set -uo pipefail
src=$1
report=$src/scripts/report.py
fixture=$src/tests/fixtures/results/20261123-173207-14372
py=/usr/bin/python3 # the interpreter that has Debian's python3-matplotlib

command -v chromium >/dev/null || {
	echo "SKIP: chromium is not installed (apt-get install chromium)"
	exit 77
}
"$py" -c 'import matplotlib' 2>/dev/null || {
	echo "FAIL: $py has no matplotlib (scripts/setup installs python3-matplotlib)"
	exit 1
}

shopt -s nullglob
tmp=$(mktemp -d /tmp/memcg-lab-report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...: run it, report FAIL and go on
	local what=$1
	shift
	if ! "$@"; then
		echo "FAIL: $what"
		fail=1
	fi
}

# 1. the pages: the fixture alone, against itself, against a changed copy;
# its bench.json alone, and against the fixture
fixture_files=$(cd "$fixture" && find . | sort)
mkdir -p "$tmp/run" "$tmp/self" "$tmp/changed" "$tmp/bench/run" "$tmp/mixed"
check "report of the fixture" "$report" "$fixture" -o "$tmp/run/report.html"
check "comparison with itself" "$report" "$fixture" "$fixture" -o "$tmp/self/compare.html"
cp -r "$fixture" "$tmp/changed/run"
"$py" - "$tmp/changed/run/results.json" <<'EOF'
import json, sys
path = sys.argv[1]
res = json.load(open(path))
s = next(s for s in res["scenarios"] if s["name"] == "oom-kill-at-limit")
s["verdict"], s["reason"] = "fail", "line 14: a killed-by SIGKILL: exited 0"
res["summary"]["passed"] -= 1
res["summary"]["failed"] += 1
json.dump(res, open(path, "w"), indent=2)
EOF
# the copy's alloc figure at half the fixture's: below its target ">= 0.90"
"$py" - "$tmp/changed/run/bench.json" <<'EOF'
import json, sys
path = sys.argv[1]
bench = json.load(open(path))
f = next(f for f in bench["figures"] if f["name"] == "alloc")
f["values"] = [v / 2 for v in f["values"]]
f["median"], f["min"], f["max"] = f["median"] / 2, f["min"] / 2, f["max"] / 2
json.dump(bench, open(path, "w"), indent=2)
EOF
check "comparison with a changed copy" "$report" "$fixture" "$tmp/changed/run" \
	-o "$tmp/changed/compare.html"
cp "$fixture/bench.json" "$tmp/bench/run/"
check "report of a bench directory alone" "$report" "$tmp/bench/run" -o "$tmp/bench/report.html"
check "comparison with a bench directory alone" "$report" "$fixture" "$tmp/bench/run" \
	-o "$tmp/mixed/compare.html"
for png in "$tmp/run/report-bench-alloc-latency.png" "$tmp/bench/report-bench-alloc-latency.png"; do
	[[ -s $png ]] || { echo "FAIL: no ${png#"$tmp/"}"; fail=1; }
done
pngs=("$tmp/run"/report-*-timeline.png)
if ((${#pngs[@]} != 7)); then
	echo "FAIL: ${#pngs[@]} timeline PNGs beside the page, expected 7"
	fail=1
fi
if [[ $(cd "$fixture" && find . | sort) != "$fixture_files" ]]; then
	echo "FAIL: something was written into the fixture"
	fail=1
fi

# 2. what the pages say
check "page contents" "$py" - "$fixture" "$tmp" <<'EOF'
import json, re, sys
fixture, tmp = sys.argv[1:]
res = json.load(open(f"{fixture}/results.json"))
page = open(f"{tmp}/run/report.html").read()
ok = True
def need(cond, what):
    global ok
    if not cond:
        print(f"  {what}")
        ok = False
for s in res["scenarios"]:
    need(f'data-scenario="{s["name"]}"' in page, f"report.html: no entry for {s['name']}")
sm = res["summary"]
need(f'{sm["passed"]} passed, {sm["failed"]} failed, {sm["skipped"]} skipped' in page,
     "report.html: no summary counts")
# each scenario's part of the page: from its anchor to the next one
parts = re.split(r'(?=<(?:section|p) [^>]*data-scenario=")', page)[1:]
need(len(parts) == len(res["scenarios"]), f"report.html: {len(parts)} scenario entries, "
     f"expected {len(res['scenarios'])}")
for s, part in zip(res["scenarios"], parts):
    imgs = len(re.findall(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', part))
    if s["verdict"] == "skip":
        need(imgs == 0, f"report.html: {s['name']} is skipped but has {imgs} plots")
    else:
        want = bool(s["timeline"]) + any(w["latency"] for w in s["workloads"])
        need(imgs == want, f"report.html: {s['name']}: {imgs} plots, expected {want}")
self_cmp = open(f"{tmp}/self/compare.html").read()
need("<b>0 workload(s) flagged" in self_cmp and '<tr class="flag-' not in self_cmp,
     "compare.html: the fixture against itself flags a latency shift")
need('class="changed"' not in self_cmp, "compare.html: the fixture differs from itself")
changed = open(f"{tmp}/changed/compare.html").read()
row = re.search(r"<tr><td class=\"name\">oom-kill-at-limit</td>.*?</tr>", changed)
need(row and 'class="changed"' in row.group(0), "compare.html: changed verdict not marked")
need("1 scenario(s) with a verdict or variant other" in changed,
     "compare.html: not one changed scenario")

# the benchmarks: a row per figure, met or missed as the target says
# (parsed here on its own: operator, space, number)
import operator
OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
bench = json.load(open(f"{fixture}/bench.json"))
def status(f):
    if not f["target"]:
        return "none"
    op, num = f["target"].split()[:2]
    return "met" if OPS[op](f["median"], float(num)) else "missed"
def bench_part(text, name):
    m = re.search(r'<section class="card" id="bench">.*?</section>', text, re.S)
    need(m, f"{name}: no Benchmarks section")
    return m.group(0) if m else ""
bench_only = open(f"{tmp}/bench/report.html").read()
for name, text in (("report.html", page), ("bench/report.html", bench_only)):
    part = bench_part(text, name)
    for f in bench["figures"]:
        row = re.search(rf'<tr data-figure="{re.escape(f["name"])}" data-status="(\w+)">', part)
        need(row, f"{name}: no row for figure {f['name']}")
        need(not row or row.group(1) == status(f),
             f"{name}: {f['name']} {row and row.group(1)}, expected {status(f)}")
    imgs = len(re.findall(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', part))
    need(imgs == 1, f"{name}: {imgs} plots in the Benchmarks section, expected 1")
    st = [status(f) for f in bench["figures"]]
    need(f'{st.count("met")} met</span>' in part and f'{st.count("missed")} missed</span>' in part,
         f"{name}: no met/missed counts")
need('href="#bench"' in page, "report.html: no Benchmarks entry in the contents")
# the bench directory alone: its run id and kernel, and no scenario part
need(f"memcg-lab bench {bench['run_id']}</h1>" in bench_only, "bench/report.html: no title")
need(f"<dd>{bench['kernel']}</dd>" in bench_only, "bench/report.html: no kernel")
need('id="summary"' not in bench_only and "data-scenario=" not in bench_only,
     "bench/report.html: a scenario part without results.json")
# the comparisons: the medians side by side with the ratio to A
part = bench_part(self_cmp, "self/compare.html")
ratios = re.findall(r'<td class="num run">([^<]*)</td></tr>', part)
need(len(ratios) == len(bench["figures"]) and set(ratios) == {"1.00×"},
     f"self/compare.html: ratios to A {sorted(set(ratios))}, expected 1.00× for each figure")
need("0 figure(s) met or missed" in part, "self/compare.html: a figure differs from itself")
part = bench_part(changed, "changed/compare.html")
row = re.search(r'<tr data-figure="alloc">.*?</tr>', part)
need(row and 'class="num run changed"' in row.group(0) and "≠" in row.group(0)
     and "0.50×</td></tr>" in row.group(0),
     "changed/compare.html: alloc at half: not marked, or its ratio is not 0.50×")
need("1 figure(s) met or missed" in part, "changed/compare.html: not one changed figure")
mixed = open(f"{tmp}/mixed/compare.html").read()
bench_part(mixed, "mixed/compare.html")
need('id="verdicts"' not in mixed and "Only A has scenario results" in mixed,
     "mixed/compare.html: compares scenarios with a bench directory alone")
sys.exit(0 if ok else 1)
EOF

# 2b. the matrix: the fixture (A: v1, kernel old), a copy on a newer kernel
# with the multi-gen LRU on and one variant changed (B: v1, a change to
# mark), and a copy on cgroup v2 where a scenario is skipped for its version
# (C: not a change, another version)
mkdir -p "$tmp/matrix"
for x in b c; do cp -r "$fixture" "$tmp/matrix/$x"; done
"$py" - "$tmp/matrix" <<'EOF'
import json, os, sys
out = sys.argv[1]
def rewrite(d, meta, scenario):
    for name, fn in (("meta.json", meta), ("results.json", scenario)):
        p = os.path.join(out, d, name)
        doc = json.load(open(p))
        fn(doc)
        json.dump(doc, open(p, "w"), indent=2)
def b_meta(m):
    m["kernel"], m["kernel_facts"] = "6.19.0-new", {"mglru": 1, "cpus": 2}
def b_res(r):
    s = next(s for s in r["scenarios"] if s["name"] == "limit-too-small-kills-all")
    s["variant"] = "kills"
def c_meta(m):
    m["cgroup_version"], m["kernel_facts"] = 2, {"mglru": 0, "cpus": 2}
def c_res(r):
    s = next(s for s in r["scenarios"] if s["name"] == "threshold-notify")
    s["verdict"], s["reason"] = "skip", "needs cgroup v1; this host has v2"
rewrite("b", b_meta, b_res)
rewrite("c", c_meta, c_res)
EOF
check "matrix of three runs" "$report" --matrix "$fixture" "$tmp/matrix/b" "$tmp/matrix/c" \
	-o "$tmp/matrix/matrix.html"
check "the matrix marks the one change, and only it" "$py" - "$tmp/matrix/matrix.html" <<'EOF'
import re, sys
html = open(sys.argv[1]).read()
ok = True
def need(cond, what):
    global ok
    if not cond:
        print(f"  {what}")
        ok = False
rows = re.findall(r'<tr( class="differs")? id="m-([^"]+)">', html)
need(len(rows) == 8, f"{len(rows)} scenario rows, not 8")
marked = [name for cls, name in rows if cls]
need(marked == ["limit-too-small-kills-all"], f"rows marked: {marked}")
need(html.count('<td class="changed">') == 1, "not exactly one changed cell")
need("6.19.0-new" in html and "cgroup v2" in html, "run headings lack kernel or version")
need("The runs differ in: multi-gen LRU." in html, "the differing dimension is not named")
need("1 scenario(s) changed between runs of the same cgroup version" in html, "no summary")
sys.exit(0 if ok else 1)
EOF

# 3. the statistical test against known cases
# -B: importing report.py must not leave a __pycache__ in the source tree
check "Mann-Whitney U test" "$py" -B - "$src/scripts" <<'EOF'
import itertools, math, random, sys
sys.path.insert(0, sys.argv[1])
from report import mann_whitney
ok = True
def need(cond, what):
    global ok
    if not cond:
        print(f"  {what}")
        ok = False
# identical distributions: p = 1
a = {100: 5, 200: 10, 300: 5}
need(mann_whitney(a, dict(a))[2] > 0.99, f"identical: p = {mann_whitney(a, a)[2]}")
# all in one bucket (every value tied): p = 1, no division by zero
need(mann_whitney({7: 20}, {7: 30})[2] == 1.0, "all tied: p != 1")
# a clear shift: p ~ 0, z > 0 because the second is slower
u, z, p = mann_whitney({100 + i: 1 for i in range(50)}, {130 + i: 1 for i in range(50)})
need(p < 1e-6 and z > 0, f"shift of +30 over 50 steps: p = {p}, z = {z}")
# textbook value without ties: x = 1..10 vs 11..20 gives U = 100 for the
# second sample, z = (100 - 50 - 0.5) / sqrt(10 * 10 * 21 / 12) = 3.742
u, z, p = mann_whitney({i: 1 for i in range(1, 11)}, {i: 1 for i in range(11, 21)})
need(u == 100 and abs(z - 3.7418) < 1e-3 and abs(p - 1.827e-4) < 2e-6,
     f"1..10 vs 11..20: U = {u}, z = {z}, p = {p}")
# against the exact permutation p-value, with ties, on samples of 8 and 9
def exact_p(a, b):
    pool = [v for v, n in a.items() for _ in range(n)] + [v for v, n in b.items() for _ in range(n)]
    n1 = sum(a.values())
    def u_of(first):
        rest = [pool[i] for i in range(len(pool)) if i not in first]
        x = [pool[i] for i in first]
        return sum((y > v) + 0.5 * (y == v) for y in rest for v in x)
    ref = abs(u_of(range(n1)) - n1 * (len(pool) - n1) / 2)
    combos = list(itertools.combinations(range(len(pool)), n1))
    return sum(abs(u_of(c) - n1 * (len(pool) - n1) / 2) >= ref - 1e-9 for c in combos) / len(combos)
random.seed(1)
for _ in range(5):
    a, b = {}, {}
    for _ in range(7):
        v = random.choice((1, 2, 3, 4, 5, 6)); a[v] = a.get(v, 0) + 1
    for _ in range(8):
        v = random.choice((3, 4, 5, 6, 7, 8)); b[v] = b.get(v, 0) + 1
    p, e = mann_whitney(a, b)[2], exact_p(a, b)
    need(abs(p - e) < 0.02, f"{a} vs {b}: normal approximation {p:.4f}, exact {e:.4f}")
sys.exit(0 if ok else 1)
EOF

# 4. bad input: non-zero exit and a message that names the file
"$report" "$tmp/nonexistent" -o "$tmp/x.html" 2>"$tmp/err"
rc=$?
if ((rc != 1)) || ! grep -q "nonexistent: no such directory" "$tmp/err"; then
	echo "FAIL: missing directory: exit $rc, $(cat "$tmp/err")"
	fail=1
fi
mkdir -p "$tmp/broken"
cp -r "$fixture" "$tmp/broken/run"
echo '{"summary": {' >"$tmp/broken/run/results.json"
"$report" "$tmp/broken/run" -o "$tmp/x.html" 2>"$tmp/err"
rc=$?
if ((rc != 1)) || ! grep -q "results.json: not valid JSON" "$tmp/err"; then
	echo "FAIL: broken results.json: exit $rc, $(cat "$tmp/err")"
	fail=1
fi
cp -r "$fixture" "$tmp/broken/newer"
sed -i '0,/{/s/{/{"format": 99, /' "$tmp/broken/newer/meta.json"
"$report" "$tmp/broken/newer" -o "$tmp/x.html" 2>"$tmp/err"
rc=$?
if ((rc != 1)) || ! grep -q "meta.json: format 99, and this report reads format 1" "$tmp/err"; then
	echo "FAIL: an unknown format: exit $rc, $(cat "$tmp/err")"
	fail=1
fi
mkdir -p "$tmp/broken/median" "$tmp/broken/bench"
echo '{"figures": [{"name": "alloc", "unit": "ratio", "target": "", "min": 1, "max": 1}]}' \
	>"$tmp/broken/median/bench.json"
"$report" "$tmp/bench/run" "$tmp/broken/median" -o "$tmp/x.html" 2>"$tmp/err"
rc=$?
if ((rc != 1)) || ! grep -q "bench.json: figures\[0\].median: missing" "$tmp/err"; then
	echo "FAIL: bench.json without a median: exit $rc, $(cat "$tmp/err")"
	fail=1
fi
echo '{"figures": [' >"$tmp/broken/bench/bench.json"
"$report" "$tmp/broken/bench" -o "$tmp/x.html" 2>"$tmp/err"
rc=$?
if ((rc != 1)) || ! grep -q "bench.json: not valid JSON" "$tmp/err"; then
	echo "FAIL: broken bench.json: exit $rc, $(cat "$tmp/err")"
	fail=1
fi
[[ ! -e $tmp/x.html ]] || { echo "FAIL: a page was written for bad input"; fail=1; }

# 5. the pages rendered: the screenshot has the window's size and is not blank
shoot() { # shoot PAGE PNG
	local profile
	profile=$(mktemp -d "$tmp/chromium.XXXXXX")
	# --no-sandbox: Chromium's sandbox refuses to run as root (and needs user
	# namespaces a container may not have); the page is our own local file.
	# Its home and caches are in the profile: nothing of it outlives the test.
	HOME=$profile XDG_CONFIG_HOME=$profile XDG_CACHE_HOME=$profile \
		timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" --screenshot="$2" \
		--window-size=1280,2000 "file://$1" >"$tmp/chromium.log" 2>&1
}
for page in run/report.html changed/compare.html bench/report.html matrix/matrix.html; do
	png=$tmp/${page%.html}.png
	if ! shoot "$tmp/$page" "$png" || [[ ! -s $png ]]; then
		echo "FAIL: no screenshot of $page"
		tail -5 "$tmp/chromium.log"
		fail=1
		continue
	fi
	check "screenshot of $page" "$py" - "$png" <<'EOF'
import sys
import matplotlib.image as mpimg
import numpy as np
img = mpimg.imread(sys.argv[1])[:, :, :3]
h, w = img.shape[:2]
colours = len(np.unique((img * 255).astype(np.uint32).reshape(-1, 3) @ [65536, 256, 1]))
ink = float(np.mean(np.any(img < 0.94, axis=2)))  # not white or near-white
print(f"  {'/'.join(sys.argv[1].rsplit('/', 2)[-2:])}: {w}x{h}, {colours} colours, {ink:.1%} not white")
sys.exit(0 if (w, h) == (1280, 2000) and colours > 100 and 0.02 < ink < 0.7 else 1)
EOF
	# REPORT_SCREENSHOT_DIR=DIR keeps the screenshots, to look at them
	if [[ -n ${REPORT_SCREENSHOT_DIR:-} ]]; then
		cp "$png" "$REPORT_SCREENSHOT_DIR/report_screenshot-${page%%/*}.png"
	fi
done

((fail == 0)) && echo "report: all checks passed"
exit $fail
