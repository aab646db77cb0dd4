#!/usr/bin/env bash
# Build and run the libFuzzer target of the .scn parser (tests/fuzz_scn.c).
#
#   tests/fuzz_run.sh                       10 million runs (the reliability bar)
#   tests/fuzz_run.sh --short               ~15 s: what ctest's fuzz_scn_short runs
#   tests/fuzz_run.sh -- -max_total_time=600 -jobs=2 -workers=2
#                                           any libFuzzer options after --
#   tests/fuzz_run.sh --corpus DIR          keep what it finds in DIR (default:
#                                           a fresh directory, removed at the end)
#   tests/fuzz_run.sh --build-dir DIR       where the binary, logs and crash
#                                           artifacts go (default build/fuzz)
#
# Built here with its own clang invocation, not by CMake, because the main
# build is gcc and libFuzzer needs clang. Exits 77 (ctest: skipped) when no
# clang with libFuzzer is installed (Debian: clang libclang-rt-14-dev).
#
# The seed corpus is made at every run from scenarios/*.scn, so it follows the
# language as it changes, plus tests/fuzz/crashes/*: inputs that once broke
# the parser. Those are also run one by one first, so a regression fails
# with the input named. A new crash lands in BUILD-DIR/artifacts/; minimise
# it (BIN -minimize_crash=1 -runs=100000 FILE) and add it to tests/fuzz/crashes/.
set -euo pipefail

# All in a function, called on the last line: bash reads a script as it runs
# it, and a long run outlives edits (a git pull) to this file, which would
# otherwise resume at a shifted offset. A function is read whole first.
main() {
src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build/fuzz
corpus=
short=0
while (($#)); do
	case $1 in
	--short) short=1 ;;
	--corpus) corpus=$(realpath -m "$2"); shift ;;
	--build-dir) build=$(realpath -m "$2"); shift ;;
	--) shift; break ;;
	*) echo "usage: $0 [--short] [--corpus DIR] [--build-dir DIR] [-- libFuzzer options]" >&2
	   exit 2 ;;
	esac
	shift
done

cc=${FUZZ_CC:-}
if [[ -z $cc ]]; then
	for c in clang clang-14 clang-15 clang-16; do
		command -v "$c" >/dev/null && { cc=$c; break; }
	done
fi
if [[ -z $cc ]]; then
	echo "fuzz_run: SKIP: no clang (install clang and libclang-rt-14-dev)" >&2
	exit 77
fi
mkdir -p "$build/artifacts"

# clang without compiler-rt's libFuzzer (libclang-rt-*-dev) fails to link
probe=$build/probe
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' |
	"$cc" -x c -fsanitize=fuzzer,address -o "$probe" - 2>"$build/probe.log"; then
	echo "fuzz_run: SKIP: $cc cannot link -fsanitize=fuzzer (libclang-rt-14-dev?):" >&2
	sed 's/^/  /' "$build/probe.log" >&2
	exit 77
fi
rm -f "$probe" "$build/probe.log"

# What the parser links against (the workloads' option tables, and the run
# their prepare steps record in), no jansson.
sources=("$src/tests/fuzz_scn.c" "$src/workloads/"*.c)
for f in scn_parse util cg_names lat kfact kmsg run state cg swap; do
	sources+=("$src/harness/$f.c")
done
# -fno-sanitize-recover: UBSan's default is to print and go on, which the
# fuzzer would not count as a failure. -O1: fast enough, stacks still exact.
# -Wno-missing-field-initializers: clang (not gcc) warns on the workloads'
# { NULL } table terminators.
flags=(-std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=all -Wall -Wextra -Wno-missing-field-initializers
	-I"$src/harness" -I"$src/workloads")
bin=$build/fuzz_scn
stamp="$cc ${flags[*]} ${sources[*]}"
# rebuild when a source or header is newer than the binary, or the command changed
if [[ ! -x $bin || $(cat "$bin.cmd" 2>/dev/null) != "$stamp" ||
	-n $(find "${sources[@]}" "$src/harness/"*.h "$src/workloads/"*.h -newer "$bin" |
		head -1) ]]; then
	echo "fuzz_run: building $bin with $cc" >&2
	# one compiler per source, all at once: the instrumented build is most
	# of a cold run's time, and ctest wants the whole test under 30 s
	mkdir -p "$build/obj"
	objs=() pids=()
	for f in "${sources[@]}"; do
		o=$build/obj/$(basename "$(dirname "$f")")_$(basename "$f" .c).o
		"$cc" "${flags[@]}" -c -o "$o" "$f" &
		pids+=($!) objs+=("$o")
	done
	for p in "${pids[@]}"; do
		wait "$p" || { echo "fuzz_run: build failed" >&2; exit 1; }
	done
	"$cc" "${flags[@]}" -o "$bin.tmp" "${objs[@]}"
	mv "$bin.tmp" "$bin"
	echo "$stamp" >"$bin.cmd"
fi

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# libFuzzer exits 77 on a crash by default: ctest would read that as SKIP.
common=(-error_exitcode=1 -timeout_exitcode=1 -timeout=10 -dict="$src/tests/fuzz/scn.dict"
	-artifact_prefix="$build/artifacts/" -print_final_stats=1)

# Regression inputs, one by one: each must go through without a report.
shopt -s nullglob
crashes=("$src/tests/fuzz/crashes/"*)
if ((${#crashes[@]})); then
	echo "fuzz_run: ${#crashes[@]} regression input(s) from tests/fuzz/crashes/" >&2
	rc=0
	"$bin" "${common[@]}" "${crashes[@]}" >"$build/regression.log" 2>&1 || rc=$?
	if ((rc)); then
		cat "$build/regression.log" >&2
		echo "fuzz_run: FAIL: a regression input in tests/fuzz/crashes/ breaks the parser" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d "$build/run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/seed"
cp "$src/scenarios/"*.scn "$tmp/seed/"
((${#crashes[@]})) && cp "${crashes[@]}" "$tmp/seed/"
if [[ -z $corpus ]]; then
	corpus=$tmp/corpus
fi
mkdir -p "$corpus"

if ((short)); then
	# ctest's budget: whichever comes first keeps the test under 30 s
	limits=(-runs=200000 -max_total_time=15)
else
	limits=(-runs=10000000)
fi
# The first directory receives new inputs; the seeds are only read. Later
# options override earlier ones, so the caller's come last. -jobs writes
# fuzz-N.log into the current directory: the build directory.
cd "$build"
rc=0
"$bin" "${common[@]}" "${limits[@]}" "$@" "$corpus" "$tmp/seed" || rc=$?
((rc == 77)) && rc=1
if ((rc)); then
	echo "fuzz_run: FAIL (libFuzzer exit $rc): see the report above and $build/artifacts/" >&2
fi
return "$rc"
}

main "$@"; exit
