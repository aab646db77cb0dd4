#!/usr/bin/env bash
# Unit test for `memcg-lab compare` on the committed fixture run: a run
# compared with itself is clean (exit 0); a copy where a passing scenario
# fails and an observed value moved is a regression (exit 1) and says so.
#   compare_test.sh MEMCG_LAB_BIN FIXTURE_RESULTS_DIR
set -uo pipefail
bin=$1
run=$2
tmp=$(mktemp -d /tmp/memcg-lab-compare.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" compare "$run" "$run" >"$tmp/same.txt" || fail "a run differs from itself: $(cat "$tmp/same.txt")"
grep -q "0 scenarios changed, 0 regressed, 0 values moved" "$tmp/same.txt" || fail "self-compare not clean"

# the copy: the first passing scenario fails, and its first plain size doubles
cp -r "$run" "$tmp/b"
python3 - "$tmp/b/results.json" >"$tmp/changed" <<'PY'
import json, re, sys
p = sys.argv[1]
d = json.load(open(p))
for s in d["scenarios"]:
    if s["verdict"] != "pass":
        continue
    s["verdict"] = "fail"
    for e in s["expectations"]:
        m = re.fullmatch(r"(\d+) \((.*)\)", e["observed"])
        if m and int(m.group(1)) > 1 << 20:
            e["observed"] = "%d (x)" % (2 * int(m.group(1)))
            print(s["name"], e["text"])
            break
    break
json.dump(d, open(p, "w"))
PY
read -r name text <"$tmp/changed"
[[ -n $name ]] || fail "the fixture has no passing scenario with a size"
"$bin" compare "$run" "$tmp/b" >"$tmp/diff.txt"
rc=$?
((rc == 1)) || fail "a regression exits $rc, not 1"
grep -q "^$name .*<< regressed" "$tmp/diff.txt" || fail "$name not marked regressed"
grep -qF "$name: $text" "$tmp/diff.txt" || fail "moved value of $name not listed"
# run dimensions: a copy with the multi-gen LRU on, the original with it off
cp -r "$run" "$tmp/c"
for d in "$tmp/b" "$tmp/c"; do
	on=$([[ $d == "$tmp/c" ]] && echo 1 || echo 0)
	python3 - "$d/meta.json" "$on" <<'PY'
import json, sys
p, on = sys.argv[1], int(sys.argv[2])
m = json.load(open(p))
m["kernel_facts"] = {"mglru": on, "recursiveprot": 0, "cpus": 2}
json.dump(m, open(p, "w"))
PY
done
"$bin" compare "$tmp/b" "$tmp/c" >"$tmp/dims.txt"
grep -q "^   mglru off, recursiveprot off, cpus 2" "$tmp/dims.txt" || fail "A's dimensions not shown"
grep -q "^the runs differ in: mglru (A off, B on)$" "$tmp/dims.txt" ||
	fail "the differing dimension not named: $(head -5 "$tmp/dims.txt")"
"$bin" compare "$run" "$run" | grep -q "the runs differ in" && fail "a run differs in dimensions from itself"
# a format this memcg-lab does not know is refused, clearly
cp -r "$run" "$tmp/d"
python3 - "$tmp/d/results.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["format"] = 99
json.dump(d, open(p, "w"))
PY
"$bin" compare "$run" "$tmp/d" >/dev/null 2>"$tmp/fmt.txt"
(($? == 2)) || fail "an unknown format is not refused"
grep -q "results.json: format 99, and this memcg-lab reads format 1" "$tmp/fmt.txt" ||
	fail "the refusal does not say why: $(cat "$tmp/fmt.txt")"
"$bin" compare "$run" >/dev/null 2>&1 && fail "one run is accepted"
"$bin" compare "$run" "$tmp/nosuch" >/dev/null 2>&1
(($? == 2)) || fail "a missing run is not a usage error"
# benchmarks: directories of bench.json alone; a figure whose range moved
# wholly to its worse side is a regression (exit 1, marked !); one within
# the baseline's range, or better, is not
mkdir -p "$tmp/bench-a" "$tmp/bench-b"
cp "$run/bench.json" "$tmp/bench-a/"
python3 - "$run/bench.json" "$tmp/bench-b/bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["figures"]:
    if f["name"] == "alloc":       # a ratio, higher is better: worse
        f.update(median=0.5, min=0.4, max=0.6)
    if f["name"] == "oom-verdict": # ms, lower is better: better
        f.update(median=0.02, min=0.01, max=0.03)
    if f["name"] == "kill-exit":   # inside the baseline's range
        f.update(median=f["min"], min=f["min"], max=f["max"])
    if f["name"] == "read-warm":   # worse, but from one run: no range
        f.update(median=0.1, min=0.1, max=0.1, n=1)
    if f["name"] == "suite":       # worse, but not a number
        f.update(median=None, min=None, max=None)
json.dump(d, open(sys.argv[2], "w"))
PY
"$bin" compare "$tmp/bench-a" "$tmp/bench-a" >"$tmp/bsame.txt" || fail "a bench differs from itself: $(cat "$tmp/bsame.txt")"
grep -q "^0 benchmark figures regressed" "$tmp/bsame.txt" || fail "bench self-compare not clean"
"$bin" compare "$tmp/bench-a" "$tmp/bench-b" >"$tmp/bdiff.txt"
(($? == 1)) || fail "a slower bench is not a regression: $(cat "$tmp/bdiff.txt")"
grep -q "^1 benchmark figure regressed" "$tmp/bdiff.txt" || fail "not exactly one figure regressed: $(cat "$tmp/bdiff.txt")"
grep -Eq "^  alloc +ratio .*! 0.5 " "$tmp/bdiff.txt" || fail "the slower alloc is not marked: $(grep alloc "$tmp/bdiff.txt")"
"$bin" compare "$tmp/bench-a" "$run" >/dev/null 2>&1
(($? == 0)) || fail "a bench directory against a run with the same bench.json is not clean"
echo "compare: clean against itself, regression, moved value and differing run dimensions found; benchmarks too"
