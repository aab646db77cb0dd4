#!/usr/bin/env bash
# Host test (ctest label host): the whole catalogue on this machine, then a
# mutated copy of every scenario with one expectation made false, each of
# which must FAIL: the harness has to be able to fail.
#   host_catalogue.sh MEMCG_LAB_BIN SCENARIO_DIR
# Exits 77 (skipped) without root or a memory controller.
set -uo pipefail
bin=$1
src=$2
((EUID == 0)) || { echo "SKIP: needs root"; exit 77; }
"$bin" info >/dev/null 2>&1 || { echo "SKIP: no memory controller"; exit 77; }

tmp=$(mktemp -d /tmp/memcg-lab-catalogue.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export MEMCG_LAB_STATE_DIR=$tmp/state
fail=0

# 1. the catalogue as it is: nothing may fail
"$bin" run --swap auto --format ktap --results "$tmp/results" >"$tmp/suite.ktap" 2>"$tmp/suite.err"
rc=$?
summary=$(tail -n 1 "$tmp/suite.ktap")
echo "catalogue: $summary (exit $rc)"
if ((rc != 0)) || [[ $summary != *" 0 failed,"* ]]; then
	grep -E '^(not ok|  not ok|# reason)' "$tmp/suite.ktap"
	cat "$tmp/suite.err"
	fail=1
fi
# what ran here (not skipped) is what the mutations must turn into failures
mapfile -t ran < <(grep -E '^ok [0-9]+ ' "$tmp/suite.ktap" | grep -v '# SKIP' | awk '{print $3}')

# 2. one expectation made false per scenario: the first expectation that
#    really ran here (the catalogue's KTAP lists them) with a clear opposite.
# executed expectation texts of scenario $1, in order
executed() {
	awk -v name="$1" '
	/^  # Subtest: / { cur = $3 }
	/^  (not )?ok [0-9]+ / && cur == name {
		t = $0
		sub(/^  (not )?ok [0-9]+ /, "", t)
		sub(/ # (observed:|SKIP).*$/, "", t)
		print t
	}' "$tmp/suite.ktap"
}
mkdir -p "$tmp/mutants"
for f in "$src"/*.scn; do
	name=$(awk '$1 == "scenario" {print $2; exit}' "$f")
	[[ " ${ran[*]} " == *" $name "* ]] || continue
	executed "$name" >"$tmp/texts"
	awk -v texts="$tmp/texts" '
	BEGIN { while ((getline t < texts) > 0) want[t] = 1 }
	function flip(line) {
		if (sub(/ killed-by SIG[A-Z0-9]+/, " killed-by SIGTERM", line)) return line
		if (sub(/ exited [0-9]+$/, " exited 3", line)) return line
		if (sub(/ exited$/, " killed-by SIGKILL", line)) return line
		if (sub(/ failed-with ENOMEM/, " failed-with ENOSPC", line)) return line
		if (sub(/ paused$/, " running", line)) return line
		if (sub(/ holding$/, " paused", line)) return line
		if (sub(/ running$/, " paused", line)) return line
		if (sub(/^kmsg /, "no-kmsg ", line)) return line
		if (sub(/ fails EINVAL$/, " fails EBUSY", line)) return line
		if (sub(/ fails EBUSY$/, " fails EINVAL", line)) return line
		if (sub(/ == /, " != ", line)) return line
		if (sub(/ <= /, " > ", line)) return line
		if (sub(/ >= /, " < ", line)) return line
		if (sub(/ < /, " >= ", line)) return line
		if (sub(/ > /, " <= ", line)) return line
		return ""
	}
	{
		# the line as the harness reports it: no guard, no "expect", no
		# quotes, single spaces
		t = $0
		sub(/[ \t]#.*$/, "", t)
		gsub(/[ \t]+/, " ", t)
		sub(/^ /, "", t); sub(/ $/, "", t)
		guard = ""
		if (t ~ /^@/) { guard = t; sub(/ .*$/, "", guard); sub(/^@[^ ]+ /, "", t) }
		body = t
		sub(/^expect /, "", body)
		plain = body
		gsub(/"/, "", plain)
		if (!done && (plain in want) && (m = flip(body)) != "") {
			done = 1
			print FILENAME ":" NR ": " m > "/dev/stderr"
			print (guard != "" ? guard " " : "") (t ~ /^expect / ? "expect " : "") m
			next
		}
		print
	}' "$f" >"$tmp/mutants/$(basename "$f")" 2>>"$tmp/mutations.txt"
	grep -q "^$f:" "$tmp/mutations.txt" || { echo "$name: no expectation to make false"; fail=1; }
done
n=$(ls "$tmp/mutants" | wc -l)
"$bin" run --swap auto --format ktap --results "$tmp/results" "$tmp"/mutants/*.scn >"$tmp/mutants.ktap" 2>"$tmp/mutants.err"
rc=$?
echo "mutants: $(tail -n 1 "$tmp/mutants.ktap") of $n (exit $rc)"
not_failed=$(grep -E '^ok [0-9]+ ' "$tmp/mutants.ktap" | awk '{print $3}')
if [[ -n $not_failed ]] || ((rc != 1)); then
	echo "these mutated scenarios did not fail:"
	for s in $not_failed; do
		grep -F "/$(basename "$(grep -l "^scenario *$s\$" "$tmp"/mutants/*.scn)"):" "$tmp/mutations.txt"
	done
	fail=1
fi
if ((n != ${#ran[@]})); then
	echo "only $n of ${#ran[@]} scenarios could be mutated"
	fail=1
fi
exit $fail
