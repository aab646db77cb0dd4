#!/usr/bin/env bash
# Unit test (label unit): the JUnit check (tests/junit.xsd, written from
# what the Jenkins xunit plugin's junit-10.xsd allows and requires) accepts
# the good fixture and refuses every bad one (so it can fail), and
# memcg-lab's junit.xml passes it (a run that skips every scenario: no root
# needed; the host catalogue checks a real run's junit.xml too).
#   junit_test.sh MEMCG_LAB_BIN
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
xsd=$here/junit.xsd
command -v xmllint >/dev/null || { echo "SKIP: no xmllint (libxml2-utils; scripts/setup --test installs it)"; exit 77; }
tmp=$(mktemp -d /tmp/memcg-lab-junit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0

xmllint --noout --schema "$xsd" "$here/fixtures/junit/good.xml" 2>"$tmp/err" ||
	{ echo "FAIL: the good fixture is refused: $(cat "$tmp/err")"; fail=1; }
for f in "$here"/fixtures/junit/bad-*.xml; do
	if xmllint --noout --schema "$xsd" "$f" 2>/dev/null; then
		echo "FAIL: $(basename "$f") is accepted"
		fail=1
	fi
done
"$bin" run --skip-all "no memory controller & <nothing>" --format ktap \
	--results "$tmp/results" >/dev/null 2>&1
xmllint --noout --schema "$xsd" "$tmp"/results/*/junit.xml 2>"$tmp/err" ||
	{ echo "FAIL: memcg-lab's junit.xml: $(cat "$tmp/err")"; fail=1; }
((fail)) || echo "junit: the check refuses $(ls "$here"/fixtures/junit/bad-*.xml | wc -l) bad files; memcg-lab's junit.xml passes it"
exit $fail
