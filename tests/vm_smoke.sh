#!/usr/bin/env bash
# VM test (ctest label vm): boot the newest Debian cloud kernel in QEMU with
# cgroup v2 and with v1 and run a handful of scenarios in each.
#   vm_smoke.sh MEMCG_LAB_BIN
# Exits 77 (skipped) without qemu-system-x86_64, busybox-static or a way to
# get the kernel package (apt-get download, cached in ~/.cache/memcg-lab).
set -uo pipefail
bin=$1
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
[[ -x /bin/busybox ]] || { echo "SKIP: no /bin/busybox (busybox-static)"; exit 77; }
((EUID == 0)) || { echo "SKIP: needs root (apt-get download, the kernel cache)"; exit 77; }

tmp=$(mktemp -d /tmp/memcg-lab-vmtest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
scenarios=(oom-kill-at-limit oom-event-notify tmpfs-unreclaimable first-touch-charge
	high-throttles oom-disable-pauses subtree-control events-local oom-group)
start=$(date +%s)
"$bin" vm --kernel debian:cloud-amd64 --cgroup both --timeout 240s --results "$tmp" \
	-- "${scenarios[@]}" 2>&1 | tee "$tmp/vm.log"
rc=${PIPESTATUS[0]}
echo "vm: exit $rc after $(($(date +%s) - start)) s"
((rc == 0)) || exit 1

fail=0
for v in 1 2; do
	dir=$(ls -d "$tmp"/*-vm-v$v 2>/dev/null | head -n 1)
	if [[ -z $dir ]]; then
		echo "no results for cgroup v$v"
		fail=1
		continue
	fi
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$dir/console.log" | tail -n 1)
	echo "cgroup v$v: $summary"
	grep -q "\"cgroup_version\": $v" "$dir/meta.json" || { echo "meta.json is not v$v"; fail=1; }
	grep -q '"where": "vm"' "$dir/meta.json" || { echo "meta.json does not say vm"; fail=1; }
	# where the time went: each phase the guest marked, in order
	jq -e '.phases_s | .to_first_scenario > .kernel_boot and .kernel_boot > 0 and
		.scenarios > 0 and .results > 0 and .outside_guest > 0' "$dir/vm.json" >/dev/null ||
		{ echo "v$v: vm.json phases_s: $(jq -c .phases_s "$dir/vm.json")"; fail=1; }
	[[ $summary == *" 0 failed,"* ]] || { grep -E '^(not ok|  not ok|# reason)' "$dir/console.log"; fail=1; }
	# every scenario ran or was skipped for its version, none vanished
	n=$(grep -cE '^(ok|not ok) [0-9]+ ' "$dir/console.log")
	((n == ${#scenarios[@]})) || { echo "v$v: $n of ${#scenarios[@]} scenarios reported"; fail=1; }
	# the console is what a lab reads: its KTAP conforms, with no progress
	# line (escape sequences) or kernel message in it
	sed -n '/^KTAP version 1/,/^[0-9]* passed, [0-9]* failed, [0-9]* skipped/p' "$dir/console.log" \
		>"$tmp/console-v$v.ktap"
	"$(dirname "$0")/ktap_check.sh" "$tmp/console-v$v.ktap" || fail=1
	if grep -q $'\e' "$tmp/console-v$v.ktap"; then
		echo "v$v: the console's KTAP holds escape sequences (a progress line)"
		fail=1
	fi
done
exit $fail
