#!/usr/bin/env bash
# Mutation test: every expectation a run executed (expect, write ... fails)
# and every pick it evaluated is made false in a copy of its scenario, one
# at a time; each copy (a mutant) must FAIL. A mutant that passes is a
# survivor: an assertion that did not notice the opposite behaviour. Each
# survivor must be listed, with the reason it cannot be killed, in
# tests/mutation-survivors.txt; any other fails the test.
#
#   mutation.sh [--sample N] [--vm KERNEL [--cgroup v1|v2] [--vm-args "ARGS"]] [--keep DIR] [--base DIR] MEMCG_LAB_BIN SCENARIO_DIR [NAME ...]
#
#   --sample N   only every Nth mutant of each scenario (its first always):
#                the fast run in scripts/test (host_catalogue.sh uses 4)
#   --vm KERNEL  run in a guest of KERNEL (memcg-lab vm) instead
#   --cgroup V   the guest's cgroup version (default v2)
#   --vm-args A  more options for memcg-lab vm, one string ("--zswap on --swap disk")
#   --keep DIR   leave the mutants and the results in DIR
#   --base DIR   a results directory of the catalogue on this host to take
#                as the baseline instead of running it first
# Prints a score per scenario (killed/mutants) and the survivors. Exits 77
# without root or a memory controller (host) or without QEMU (vm).
set -uo pipefail
sample=1 vm="" cgroup=v2 keep="" base="" vm_args=""
while (($#)); do
	case $1 in
	--sample) sample=$2; shift 2 ;;
	--vm) vm=$2; shift 2 ;;
	--cgroup) cgroup=$2; shift 2 ;;
	--vm-args) vm_args=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--base) base=$2; shift 2 ;;
	-h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
done
(($# >= 2)) || { echo "usage: mutation.sh [--sample N] [--vm KERNEL [--cgroup v1|v2] [--vm-args \"ARGS\"]] [--keep DIR] [--base DIR] BIN SCENARIO_DIR [NAME ...]" >&2; exit 2; }
bin=$1 src=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
known=$here/mutation-survivors.txt
((EUID == 0)) || { echo "SKIP: needs root"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: needs jq"; exit 77; }
if [[ -n $vm ]]; then
	command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
else
	"$bin" info >/dev/null 2>&1 || { echo "SKIP: no memory controller"; exit 77; }
fi

if [[ -n $keep ]]; then
	tmp=$keep
	mkdir -p "$tmp"
else
	tmp=$(mktemp -d /tmp/memcg-lab-mutation.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
fi
export MEMCG_LAB_STATE_DIR=$tmp/state

# run DIR RESULTS [NAME ...]: the scenarios of DIR here or in the guest;
# prints the results directory
run() {
	local dir=$1 out=$2
	shift 2
	mkdir -p "$out"
	if [[ -n $vm ]]; then
		# every mutant in one boot: far more than one catalogue's time
		# shellcheck disable=SC2086 # --vm-args is meant to be split into words
		MEMCG_LAB_SCENARIOS=$dir "$bin" vm --kernel "$vm" --cgroup "$cgroup" $vm_args --timeout 3600 \
			--results "$out" -- "$@" >"$out.log" 2>&1
	else
		MEMCG_LAB_SCENARIOS=$dir "$bin" run --swap auto --format ktap --results "$out" \
			"$@" >"$out.log" 2>&1
	fi
	ls -d "$out"/*/ 2>/dev/null | head -n 1
}

# 1. what runs here, and what each run executed
[[ -n $base ]] || base=$(run "$src" "$tmp/base" "$@")
[[ -n $base && -f $base/results.json ]] || { echo "the baseline run left no results"; cat "$tmp/base.log"; exit 1; }
ver=$(jq -r .cgroup_version "$base/meta.json")
bad=$(jq -r '.scenarios[] | select(.verdict != "pass" and .verdict != "skip") | .name' "$base/results.json")
[[ -z $bad ]] || { echo "the baseline run did not pass: $bad"; exit 1; }

# flip FILE LINE: the line made false (empty when there is no rule for it)
flip() {
	awk -v at="$2" 'NR == at {
		line = $0
		sub(/[ \t]#.*$/, "", line)
		gsub(/[ \t]+/, " ", line)
		sub(/ $/, "", line)
		if (match(line, / tol=[0-9]+[KMG]?%?$/)) { tol = substr(line, RSTART + 5); line = substr(line, 1, RSTART - 1) } else tol = ""
		if (line ~ / ~= /) {
			# out of any tolerance: the right side three times over (or,
			# for an absolute tolerance, moved by three of it)
			split(line, lr, / ~= /)
			if (tol ~ /%$/) m = lr[1] " ~= " lr[2] " + " lr[2] " + " lr[2] " tol=" tol
			else m = lr[1] " ~= " lr[2] " + " tol " + " tol " + " tol " tol=" tol
			print m; exit
		}
		t = tol != "" ? " tol=" tol : ""
		if (sub(/ killed-by SIGKILL$/, " killed-by SIGTERM", line)) { print line; exit }
		if (sub(/ killed-by SIG[A-Z0-9]+$/, " killed-by SIGKILL", line)) { print line; exit }
		if (match(line, / exited [0-9]+$/)) { n = substr(line, RSTART + 8) + 3; print substr(line, 1, RSTART) "exited " n; exit }
		if (sub(/ exited$/, " killed-by SIGKILL", line)) { print line; exit }
		if (sub(/ ended$/, " running", line)) { print line; exit }
		if (sub(/ failed-with ENOMEM$/, " failed-with ENOSPC", line) || sub(/ failed-with [A-Z0-9]+$/, " failed-with ENOMEM", line)) { print line; exit }
		if (sub(/ paused$/, " running", line) || sub(/ running$/, " paused", line) || sub(/ holding$/, " paused", line)) { print line; exit }
		if (match(line, / has [^ ]+$/)) { print substr(line, 1, RSTART) "lacks " substr(line, RSTART + 5); exit }
		if (match(line, / lacks [^ ]+$/)) { print substr(line, 1, RSTART) "has " substr(line, RSTART + 7); exit }
		if (sub(/ exists$/, " absent", line) || sub(/ absent$/, " exists", line)) { print line; exit }
		if (sub(/ boot-kmsg /, " no-boot-kmsg ", line) || sub(/ no-boot-kmsg /, " boot-kmsg ", line)) { print line; exit }
		if (sub(/ kmsg /, " no-kmsg ", line) || sub(/ no-kmsg /, " kmsg ", line)) { print line; exit }
		if (sub(/ fails EINVAL$/, " fails EBUSY", line) || sub(/ fails [A-Z0-9]+$/, " fails EINVAL", line)) { print line; exit }
		if (match(line, / within [0-9.]+[a-z]+ of /)) { print substr(line, 1, RSTART) "within 1us of " substr(line, RSTART + RLENGTH); exit }
		if (match(line, / event [^ ]+ [^ ]+ before [^ ]+$/)) {
			split(substr(line, RSTART + 1), w, " ")
			print substr(line, 1, RSTART) "event " w[2] " " w[5] " before " w[3]; exit
		}
		if (match(line, / event [^ ]+ [^ ]+$/)) { print line " count == 0"; exit }
		if (sub(/ == /, " != ", line) || sub(/ != /, " == ", line) || sub(/ <= /, " > ", line) ||
		    sub(/ >= /, " < ", line) || sub(/ < /, " >= ", line) || sub(/ > /, " <= ", line)) { print line t; exit }
		exit
	}' "$1"
}

# the lines to mutate in scenario NAME of FILE: its executed expectations,
# and the picks evaluated (version guard open, up to the one that matched)
targets() {
	local name=$1 file=$2 variant
	jq -r --arg n "$name" '.scenarios[] | select(.name == $n) | .expectations[] |
		select(.verdict == "pass") | .line' "$base/results.json"
	variant=$(jq -r --arg n "$name" '.scenarios[] | select(.name == $n) | .variant' "$base/results.json" | head -n 1)
	[[ -n $variant && $variant != null ]] || return 0
	awk -v v="$ver" -v want="$variant" '
	{ t = $0; sub(/^[ \t]+/, "", t); g = "" }
	t ~ /^@/ { g = t; sub(/ .*/, "", g); sub(/^@[^ ]+[ \t]+/, "", t) }
	t ~ /^pick / && (g == "" || g == "@v" v) {
		print NR
		split(t, w, /[ \t]+/)
		if (w[2] == want) exit
	}' "$file"
}

# 2. the mutants: one file each, the scenario renamed NAME-mLINE
mkdir -p "$tmp/mutants"
: >"$tmp/index"
for f in "$src"/*.scn; do
	name=$(awk '$1 == "scenario" {print $2; exit}' "$f")
	(($# == 0)) || [[ " $* " == *" $name "* ]] || continue
	v=$(jq -r --arg n "$name" '[.scenarios[] | select(.name == $n) | .verdict][0] // "absent"' "$base/results.json")
	[[ $v == pass ]] || continue
	i=0
	for line in $(targets "$name" "$f" | sort -n | uniq); do
		i=$((i + 1))
		(((i - 1) % sample == 0)) || continue
		m=$(flip "$f" "$line")
		if [[ -z $m ]]; then
			echo "$name:$line: no rule to make this false: $(sed -n "${line}p" "$f")"
			echo "$name $line norule" >>"$tmp/index"
			continue
		fi
		out=$tmp/mutants/$(basename "$f" .scn)-m$line.scn
		awk -v at="$line" -v m="$m" -v name="$name-m$line" '
		NR == at { print m; next }
		$1 == "scenario" && !done { print "scenario " name; done = 1; next }
		{ print }' "$f" >"$out"
		echo "$name $line $m" >>"$tmp/index"
	done
done
total=$(grep -vc ' norule$' "$tmp/index")
((total > 0)) || { echo "no mutants"; exit 1; }

# 3. run them all, then score
res=$(run "$tmp/mutants" "$tmp/mut")
[[ -n $res && -f $res/results.json ]] || { echo "the mutant run left no results"; tail -n 30 "$tmp/mut.log"; exit 1; }
fail=0
declare -A killed all
while read -r name line rest; do
	all[$name]=$((${all[$name]:-0} + 1))
	if [[ $rest == norule ]]; then
		survivor=1
		verdict="no rule"
	else
		verdict=$(jq -r --arg n "$name-m$line" '[.scenarios[] | select(.name == $n) | .verdict][0] // "absent"' "$res/results.json")
		[[ $verdict == fail || $verdict == error ]] && survivor=0 || survivor=1
	fi
	if ((survivor == 0)); then
		killed[$name]=$((${killed[$name]:-0} + 1))
		continue
	fi
	why=$(awk -v n="$name" -v l="$line" '$1 == n && $2 == l { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' "$known" 2>/dev/null)
	if [[ -n $why ]]; then
		echo "survivor (listed) $name:$line [$verdict]: $rest -- $why"
	else
		echo "SURVIVOR $name:$line [$verdict]: $rest"
		fail=1
	fi
done <"$tmp/index"
nk=0
for name in $(printf '%s\n' "${!all[@]}" | sort); do
	printf '%-32s %3d/%-3d killed\n' "$name" "${killed[$name]:-0}" "${all[$name]}"
	nk=$((nk + ${killed[$name]:-0}))
done
echo "mutation score: $nk of $(wc -l <"$tmp/index") mutants killed (cgroup v$ver${vm:+, $vm guest})"
exit $fail
