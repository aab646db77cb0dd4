#!/usr/bin/env bash
# LAVA (ctest label lava): one job written by scripts/lava/memcg-lab-lava for
# the newest Debian cloud kernel with cgroup v2, run here with lava-run
# (LAVA's dispatcher, no server) from a Debian 12 chroot; LAVA's recorded
# test cases must match memcg-lab's own verdicts, scenario by scenario, and
# the results must come back in memcg-lab's format. The scenarios: four of
# the catalogue (pass, and a skip on v2) and two made to fail and to error.
#   lava_test.sh MEMCG_LAB_BIN
# Exits 77 (skipped) without root or QEMU, or when the chroot with
# lava-dispatcher cannot be made (no network, no debootstrap).
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
lava=$here/../scripts/lava/memcg-lab-lava
((EUID == 0)) || { echo "SKIP: needs root (chroot, apt-get)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
if ! out=$("$lava" chroot 2>&1); then
	echo "SKIP: lava-dispatcher cannot be installed: $out"
	exit 77
fi
tmp=$(mktemp -d /tmp/memcg-lab-lavatest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# the scenarios: some of the catalogue, a copy of one that must fail, and
# one that cannot be judged (its file does not exist: an error)
mkdir "$tmp/scn"
for s in a3-oom-kill-at-limit a5-swappiness-zero f1-subtree-control f7-events-local; do
	cp "$here/../scenarios/$s.scn" "$tmp/scn/"
done
sed -e 's/^scenario .*/scenario made-to-fail/' -e 's/^expect   a.progress == 4M/expect   a.progress == 5M/' \
	"$here/../scenarios/a3-oom-kill-at-limit.scn" >"$tmp/scn/z1-made-to-fail.scn"
printf 'scenario made-to-error\ndoc      reads a file no kernel has\nneeds    root\nneeds    cgroup v2\ngroup    G\nexpect   G.memory.no_such_file == 0\n' \
	>"$tmp/scn/z2-made-to-error.scn"

MEMCG_LAB=$bin MEMCG_LAB_SCENARIOS=$tmp/scn "$lava" jobs --kernel debian:cloud-amd64 --cgroup v2 \
	--out "$tmp/jobs" --minutes 10 >"$tmp/jobs.out" || { cat "$tmp/jobs.out"; exit 1; }
job=$(head -n 1 "$tmp/jobs.out")
[[ -f $job ]] || { echo "FAIL: no job written ($(cat "$tmp/jobs.out"))"; exit 1; }
# for a lab's workers: every file from --url/<release>/
MEMCG_LAB=$bin "$lava" jobs --kernel debian:cloud-amd64 --out "$tmp/urljobs" --url https://lab.example/j/ \
	>/dev/null 2>&1 || bad "jobs --url failed"
release=$(basename "$(dirname "$job")")
for f in bzImage initramfs.cpio disk.qcow2; do
	grep -qx "        url: https://lab.example/j/$release/$f" "$tmp/urljobs/$release/job-v2.yaml" ||
		bad "jobs --url: no url of $f: $(grep url: "$tmp/urljobs/$release/job-v2.yaml" | head -n 1)"
done
MEMCG_LAB=$bin "$lava" local --results "$tmp/results" "$tmp/jobs" || bad "memcg-lab-lava local failed"
log=$(ls "$tmp"/jobs/local-*/lava.log 2>/dev/null | head -n 1)
[[ -f $log ]] || { echo "FAIL: no LAVA log"; exit 1; }
res=$(ls -d "$tmp"/results/*-lava-* 2>/dev/null | head -n 1)
[[ -f $res/results.json ]] || { echo "FAIL: no results brought back from the LAVA log"; exit 1; }

# LAVA's test cases of the memcg-lab suite: "case result", its case names
# lower case with each run of non-word characters as '_'
sed -n 's/.*"lvl": "results".*"case": "\([^"]*\)", "definition": "memcg-lab".*"result": "\([a-z]*\)".*/\1 \2/p' \
	"$log" | sort >"$tmp/lava.txt"
# memcg-lab's verdicts as LAVA should have them: error is a failed case
jq -r '.scenarios[] | "\(.name | ascii_downcase | gsub("[^a-z0-9_]+"; "_")) \(.verdict | sub("error"; "fail"))"' \
	"$res/results.json" | sort >"$tmp/mlab.txt"
echo "LAVA:"; sed 's/^/  /' "$tmp/lava.txt"
diff "$tmp/mlab.txt" "$tmp/lava.txt" >"$tmp/diff" || bad "LAVA's cases differ from memcg-lab's verdicts: $(cat "$tmp/diff")"
(($(wc -l <"$tmp/mlab.txt") == 6)) || bad "$(wc -l <"$tmp/mlab.txt") scenarios in memcg-lab's results, not 6"
for want in "oom_kill_at_limit pass" "swappiness_zero skip" "made_to_fail fail" "made_to_error fail"; do
	grep -qx "$want" "$tmp/lava.txt" || bad "LAVA lacks '$want'"
done
jq -e '.scenarios[] | select(.name == "made-to-error") | .verdict == "error"' "$res/results.json" >/dev/null ||
	bad "made-to-error is not an error in memcg-lab's results"
exit $fail
