#!/usr/bin/env bash
# Host test (ctest label host): the whole catalogue on this machine, then a
# sample of the mutation test (tests/mutation.sh): copies of the scenarios
# with one executed expectation or pick made false, each of which must FAIL.
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
"$(dirname "$0")/ktap_check.sh" "$tmp/suite.ktap" || fail=1
if command -v xmllint >/dev/null; then
	xmllint --noout --schema "$(dirname "$0")/junit.xsd" "$tmp"/results/*/junit.xml || fail=1
fi
# 2. a sample of the mutation test (the first mutant of each scenario: its
#    first expectation or pick) on this run's results; the full one is
#    ctest -L mutation
"$(dirname "$0")/mutation.sh" --sample 1000 --base "$(ls -d "$tmp"/results/*/ | head -n 1)" \
	"$bin" "$src" || fail=1
exit $fail
