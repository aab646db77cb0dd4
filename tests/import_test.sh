#!/usr/bin/env bash
# memcg-lab import: results a guest printed on its console, found in a plain
# console log, in a LAVA job's raw log (YAML, one console line a record) and
# with CR LF line ends, come back byte for byte; a guest's own error, a log
# without results and a cut one are refused with the reason.
#   import_test.sh MEMCG_LAB_BIN FIXTURE_RESULTS_DIR
set -uo pipefail
bin=$1
fixture=$2
tmp=$(mktemp -d /tmp/memcg-lab-importtest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
run=$(basename "$fixture")

# what the guest prints on its console (vm_guest_init.sh, results=console)
payload() { (cd "$(dirname "$fixture")" && tar c "$run") | gzip -1 | base64 | sed 's/^/MLR:/'; }
console() {
	echo "KTAP version 1"
	echo "1..0"
	echo "0 passed, 0 failed, 0 skipped"
	echo "MEMCG-LAB-RESULTS-BEGIN"
	"$@"
	echo "MEMCG-LAB-RESULTS-END"
	echo "MEMCG-LAB-PHASES init=1.0 start=2.0 end=3.0 sent=3.5"
}
# a LAVA log (lavacli jobs logs --raw): each console line a YAML record
lava() { sed 's/.*/- {"dt": "2026-12-03T14:00:00.123456", "lvl": "target", "msg": "&"}/'; }

console payload >"$tmp/plain.log"
console payload | lava >"$tmp/lava.yaml"
console payload | sed 's/$/\r/' >"$tmp/crlf.log"
for log in plain.log lava.yaml crlf.log; do
	out=$tmp/results-${log%%.*}
	"$bin" import --results "$out" --label lava-v2 "$tmp/$log" 2>"$tmp/err" || {
		bad "$log: exit $?: $(cat "$tmp/err")"
		continue
	}
	dir=$out/$run-lava-v2
	for f in "$fixture"/*; do
		cmp -s "$f" "$dir/$(basename "$f")" || bad "$log: $(basename "$f") differs or is missing"
	done
	cmp -s "$tmp/$log" "$dir/console.log" || bad "$log: console.log is not the log"
	grep -q "results: $dir/" "$tmp/err" || bad "$log: no results line on stderr"
done

# an END line before any BEGIN is some other line; a cut first attempt
# (BEGIN, some lines, a reboot) gives way to the whole one after it
{ echo "MEMCG-LAB-RESULTS-END (a stray one)"; echo "MEMCG-LAB-RESULTS-BEGIN"; payload | head -n 3
	console payload; } >"$tmp/retry.log"
"$bin" import --results "$tmp/results-retry" "$tmp/retry.log" 2>"$tmp/err" || bad "retry.log: $(cat "$tmp/err")"
cmp -s "$fixture/results.json" "$tmp/results-retry/$run-import/results.json" || bad "retry.log: results.json differs"

# refusals: exit 1 and the reason
refused() { # NAME EXPECTED-TEXT: the log $tmp/NAME must be refused saying it
	if "$bin" import --results "$tmp/refused" "$tmp/$1" 2>"$tmp/err"; then
		bad "$1 was accepted"
	elif ! grep -q "$2" "$tmp/err"; then
		bad "$1: expected '$2', got: $(cat "$tmp/err")"
	fi
}
console bash -c 'echo "error: no virtio disk (/dev/vda)" | base64 | sed "s/^/MLR:/"' >"$tmp/guest-error.log"
refused guest-error.log "could not run the scenarios: no virtio disk"
echo "KTAP version 1" >"$tmp/none.log"
refused none.log "never sent its results"
console payload | head -n 8 >"$tmp/cut.log"
refused cut.log "never sent its results"
# a symbolic link where the results directory should be (a guest wrote the tar)
ln -s /etc "$tmp/$run"
(cd "$tmp" && tar c "$run") | gzip -1 | base64 | sed 's/^/MLR:/' >"$tmp/link.payload"
rm "$tmp/$run"
console cat "$tmp/link.payload" >"$tmp/link.log"
refused link.log "is not a directory"
[[ ! -e $tmp/refused ]] || bad "a refused log left $(ls -R "$tmp/refused")"
# the same log twice: the second is refused, the first kept as it was
if "$bin" import --results "$tmp/results-plain" --label lava-v2 "$tmp/plain.log" 2>"$tmp/err"; then
	bad "a second import of the same log was accepted"
fi
grep -q "already exists" "$tmp/err" || bad "second import: $(cat "$tmp/err")"
[[ ! -e $tmp/results-plain/$run-lava-v2/$run ]] || bad "the second import nested inside the first"
"$bin" import "$tmp/missing.log" 2>"$tmp/err" && bad "a missing log was accepted"
grep -q "missing.log: No such file" "$tmp/err" || bad "missing log: $(cat "$tmp/err")"
"$bin" import --label "a/b" "$tmp/plain.log" 2>/dev/null
(($? == 2)) || bad "--label a/b is not a usage error"
"$bin" import 2>/dev/null
(($? == 2)) || bad "no log is not a usage error"
exit $fail
