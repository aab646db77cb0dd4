#!/usr/bin/env bash
# Waits that can no longer succeed end at once: a wait on a killed or ended
# workload's state or progress, or on a removed group's counter or events,
# fails with what was seen well before its 20 s timeout.
#   dead_waits.sh MEMCG_LAB_BIN FIXTURE_DIR
# Exits 77 without root or a memory controller.
set -uo pipefail
bin=$1
dir=$2
((EUID == 0)) || { echo "SKIP: needs root"; exit 77; }
"$bin" info >/dev/null 2>&1 || { echo "SKIP: no memory controller"; exit 77; }
tmp=$(mktemp -d /tmp/memcg-lab-deadwaits.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$bin" run --format ktap --swap none --results "$tmp" "$dir"/*.scn >"$tmp/out" 2>&1
n=0
for f in "$dir"/*.scn; do
	name=$(sed -n 's/^scenario *//p' "$f")
	n=$((n + 1))
	# the scenario's only failure: its last line, the wait, ended within 2 s
	line=$(grep "^  not ok .* wait " "$tmp/out" | sed -n "$n p")
	if ! grep -q "^not ok $n $name\$" "$tmp/out"; then
		echo "FAIL: $name did not fail"
		fail=1
	elif [[ ! $line =~ can\ no\ longer\ hold\ \(after\ ([0-9.]+)\ s\) ]]; then
		echo "FAIL: $name: $line"
		fail=1
	elif ! awk -v t="${BASH_REMATCH[1]}" 'BEGIN { exit !(t < 2) }'; then
		echo "FAIL: $name waited ${BASH_REMATCH[1]} s"
		fail=1
	else
		echo "ok: $name: ${line#*# observed: }"
	fi
done
((fail)) && cat "$tmp/out"
exit $fail
