#!/usr/bin/env bash
# Unit test (label unit): the KTAP check (ktap_check.sh) accepts the good
# fixture and refuses every bad one (so it can fail), and memcg-lab's own
# KTAP conforms (a run that skips every scenario: no root needed; the host
# catalogue checks a real run's KTAP too).
#   ktap_test.sh MEMCG_LAB_BIN
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
check=$here/ktap_check.sh
tmp=$(mktemp -d /tmp/memcg-lab-ktap.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0

for f in "$here"/fixtures/ktap/good*.ktap; do
	"$check" "$f" || { echo "FAIL: $(basename "$f") is refused"; fail=1; }
done
for f in "$here"/fixtures/ktap/bad-*.ktap; do
	if "$check" "$f" >"$tmp/out"; then
		echo "FAIL: $(basename "$f") is accepted"
		fail=1
	fi
done
# a reason with a directive in it must not become one
"$bin" run --skip-all "no memory controller # TODO later" --format ktap \
	--results "$tmp/results" >"$tmp/skip.ktap" 2>/dev/null
"$check" "$tmp/skip.ktap" || fail=1
grep -q "# TODO" "$tmp/skip.ktap" && { echo "FAIL: a '#' of the reason was kept"; fail=1; }
((fail)) || echo "ktap: the check refuses $(ls "$here"/fixtures/ktap/bad-*.ktap | wc -l) bad files; memcg-lab's KTAP conforms"
exit $fail
