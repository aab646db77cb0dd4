#!/usr/bin/env bash
# Report test (ctest label report): scripts/report.py on the fixture results
# directory, a comparison of the fixture with itself and with a copy that has
# one verdict changed, the pages rendered in headless Chromium and the
# screenshots checked (size, not blank); the HTML checked for every scenario,
# the summary counts and a plot per scenario that ran; the Mann-Whitney test
# checked against known cases; bad input must fail with a clear message.
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

# 1. the pages: the fixture alone, against itself, against a changed copy
fixture_files=$(cd "$fixture" && find . | sort)
mkdir -p "$tmp/run" "$tmp/self" "$tmp/changed"
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
check "comparison with a changed copy" "$report" "$fixture" "$tmp/changed/run" \
	-o "$tmp/changed/compare.html"
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
for page in run/report.html changed/compare.html; do
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
print(f"  {sys.argv[1].rsplit('/', 1)[-1]}: {w}x{h}, {colours} colours, {ink:.1%} not white")
sys.exit(0 if (w, h) == (1280, 2000) and colours > 100 and 0.02 < ink < 0.7 else 1)
EOF
	# REPORT_SCREENSHOT_DIR=DIR keeps the screenshots, to look at them
	if [[ -n ${REPORT_SCREENSHOT_DIR:-} ]]; then
		cp "$png" "$REPORT_SCREENSHOT_DIR/report_screenshot-${page%%/*}.png"
	fi
done

((fail == 0)) && echo "report: all checks passed"
exit $fail
