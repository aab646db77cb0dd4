#!/usr/bin/env bash
# Host test (label host): state memcg-lab did not create survives a suite run
# and `memcg-lab clean`: a memory cgroup with a limit and a task in it, a
# SysV segment, a tmpfs mount with a file, and a stale-looking file in the
# state directory that is not a state file.
#   foreign_state.sh MEMCG_LAB_BIN
set -uo pipefail
bin=$1
((EUID == 0)) || { echo "SKIP: needs root"; exit 77; }
"$bin" info >/dev/null 2>&1 || { echo "SKIP: no memory controller"; exit 77; }
ver=$("$bin" info | awk '/^memory on/ {print $NF}')
if [[ $ver == v1 ]]; then
	memroot=$("$bin" info | awk '/^v1 memory/ {print $3}')
	limitfile=memory.limit_in_bytes
else
	memroot=$("$bin" info | awk '/^cgroup2/ {print $2}')
	limitfile=memory.max
fi

tmp=$(mktemp -d /tmp/memcg-lab-foreign.XXXXXX)
export MEMCG_LAB_STATE_DIR=$tmp/state
grp=$memroot/memcg-lab-foreign-$$
mnt=$tmp/mnt
sleeper=
shmid=
cleanup() {
	[[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null && wait "$sleeper" 2>/dev/null
	rmdir "$grp" 2>/dev/null
	[[ -n $shmid ]] && ipcrm -m "$shmid" 2>/dev/null
	umount "$mnt" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# the foreign things, made here without memcg-lab
mkdir "$grp" && echo 64M >"$grp/$limitfile" || { echo "cannot create $grp"; exit 1; }
sleep 600 &
sleeper=$!
echo "$sleeper" >"$grp/cgroup.procs"
shmid=$(python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(libc.shmget(0x1badcafe, 1 << 20, 0o1600))')
((shmid >= 0)) || { echo "cannot create a shm segment"; exit 1; }
mkdir -p "$mnt" "$MEMCG_LAB_STATE_DIR"
mount -t tmpfs -o size=4M foreign "$mnt" && echo keep >"$mnt/file"
echo "not a state file" >"$MEMCG_LAB_STATE_DIR/notes.txt"

state() {
	echo "group: $(cat "$grp/$limitfile") $(cat "$grp/cgroup.procs")"
	echo "task: $(kill -0 "$sleeper" 2>&1 && echo alive)"
	echo "shm: $(awk -v id="$shmid" '$2 == id {print $1, $2, $4}' /proc/sysvipc/shm)"
	echo "mount: $(awk -v m="$mnt" '$2 == m {print $1, $3}' /proc/self/mounts) $(cat "$mnt/file")"
	echo "state dir: $(cat "$MEMCG_LAB_STATE_DIR/notes.txt")"
}
state >"$tmp/before"
"$bin" run --swap auto --format ktap --results "$tmp/results" oom-kill-at-limit \
	shm-unreclaimable tmpfs-unreclaimable kmem-charged >"$tmp/run.out" 2>&1
echo "suite: $(grep -E "^[0-9]+ passed" "$tmp/run.out")"
"$bin" clean
state >"$tmp/after"
if diff -u "$tmp/before" "$tmp/after"; then
	echo "foreign state untouched:"
	cat "$tmp/after"
	exit 0
fi
echo "FAIL: foreign state changed"
exit 1
