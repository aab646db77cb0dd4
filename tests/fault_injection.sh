#!/usr/bin/env bash
# Host test (label host): kill the harness with SIGKILL at 32 points spread
# over a run that pauses tasks in OOM, mounts a private tmpfs, holds a shm
# segment and a temporary swap file; after each, `memcg-lab clean` must leave
# nothing behind: the memory cgroup tree, SysV shm, mounts, swaps and the
# harness's own files match the snapshot taken before.
#   fault_injection.sh MEMCG_LAB_BIN
set -uo pipefail
bin=$1
((EUID == 0)) || { echo "SKIP: needs root"; exit 77; }
"$bin" info >/dev/null 2>&1 || { echo "SKIP: no memory controller"; exit 77; }
memroot=$("$bin" info | awk '/^v1 memory/ {print $3} /^cgroup2/ && !v1 {print $2}' | head -n 1)
[[ $("$bin" info | awk '/^memory on/ {print $NF}') == v2 ]] &&
	memroot=$("$bin" info | awk '/^cgroup2/ {print $2}')

tmp=$(mktemp -d /tmp/memcg-lab-faults.XXXXXX)
export MEMCG_LAB_STATE_DIR=$tmp/state
trap 'rm -rf "$tmp"' EXIT

# What memcg-lab could ever leave: its groups, its mounts (source tag or its
# state dir), its swap files, its shm keys (0x6d......), its scratch files.
snapshot() {
	{
		echo "## groups"
		(cd "$memroot" && find . -type d -path '*memcg-lab*' | sort)
		echo "## mounts"
		awk '$1 == "memcg-lab" || $2 ~ /memcg-lab/' /proc/self/mounts | sort
		echo "## swaps"
		grep memcg-lab /proc/swaps
		echo "## shm"
		awk 'NR > 1 && $1 >= 1828716544 && $1 < 1845493760 {print $1, $2}' /proc/sysvipc/shm | sort
		echo "## files"
		ls -A "$MEMCG_LAB_STATE_DIR" 2>/dev/null
		ls /var/tmp /dev/shm | grep memcg-lab
	} 2>/dev/null
}

scenarios=(oom-disable-pauses kmem-charged shm-unreclaimable limit-below-usage-swaps
	oom-kill-at-limit tmpfs-unreclaimable)
snapshot >"$tmp/before"
# the kill points are spread over the run as long as it takes here: one
# whole run first, timed
t0=$(date +%s.%N)
"$bin" run --swap 64M --format ktap --results "$tmp/results" "${scenarios[@]}" >"$tmp/run.out" 2>&1 ||
	{ echo "the run itself fails:"; cat "$tmp/run.out"; exit 1; }
span=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
echo "a whole run: $span s"
leaks=0 killed=0
for i in $(seq 1 32); do
	# kill points from 0.05 s to nine tenths of the run: group creation, the
	# swap file being written, workloads filling, paused tasks, mounted tmpfs
	delay=$(awk -v i="$i" -v s="$span" 'BEGIN {printf "%.2f", 0.05 + (i - 1) * (0.9 * s - 0.05) / 31}')
	"$bin" run --swap 64M --format ktap --results "$tmp/results" "${scenarios[@]}" \
		>"$tmp/run.out" 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -KILL "$pid" 2>/dev/null; then
		killed=$((killed + 1))
	fi
	wait "$pid" 2>/dev/null
	# its children die with it (PDEATHSIG); everything else waits for clean
	if ! "$bin" clean >"$tmp/clean.out" 2>&1; then
		echo "kill at ${delay}s: clean failed: $(cat "$tmp/clean.out")"
		leaks=$((leaks + 1))
	fi
	snapshot >"$tmp/after"
	if ! diff -u "$tmp/before" "$tmp/after" >"$tmp/diff"; then
		echo "kill at ${delay}s leaked:"
		cat "$tmp/diff"
		leaks=$((leaks + 1))
	fi
done
echo "fault injection: $killed kills during the run (of 32), $leaks leaks"
((killed >= 30)) || { echo "the run ended before most kill points: the test proves too little"; exit 1; }
((leaks == 0))
