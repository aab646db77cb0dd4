#!/usr/bin/env bash
# A KTAP version 1 conformance check of our own, written from the kernel's
# Documentation/dev-tools/ktap.rst:
#   - a test (top level, or a subtest indented two spaces more) starts with
#     "KTAP version 1", then its plan "1..N" (diagnostic lines may come
#     between; N may be 0; the plan may be left out), then its result lines;
#   - a result line is "ok N DESC" or "not ok N DESC", optionally followed by
#     " # " and a directive (SKIP, TODO, XFAIL, TIMEOUT, ERROR) or other
#     diagnostic text; N counts 1, 2, ... and ends at the plan's N;
#   - the description holds no '#' (that would start the directive), and
#     neither does the text after the directive (a reader that takes the
#     last '#' would find another directive there);
#   - TIMEOUT and ERROR go with "not ok" only;
#   - a subtest block comes right before its parent's result line;
#   - "# Subtest: NAME" and other "# ..." lines are diagnostics; any other
#     line is not KTAP.
# Trailing lines that are not KTAP (our totals line "N passed, ...") are
# allowed only after the top-level test has ended. A CR before the line
# feed (a serial console's) is not part of the line.
#   ktap_check.sh FILE...   exit 0 when every file conforms; else each
#                           problem as FILE:LINE: message, exit 1
set -uo pipefail
status=0
for f in "$@"; do
	awk -v F="$f" '
	function err(m) { printf "%s:%d: %s\n", F, NR, m; bad = 1 }
	function indent_of(s,   n) { n = match(s, /[^ ]/) - 1; return n < 0 ? length(s) : n }
	BEGIN { depth = -1; bad = 0; done = 0 }
	{
		line = $0
		sub(/\r$/, "", line) # a serial console ends its lines with CR LF
		if (done) {
			if (line ~ /^ / || line ~ /^(ok|not ok) / || line ~ /^KTAP version/)
				err("KTAP after the top-level test ended")
			next
		}
		ind = indent_of(line)
		body = substr(line, ind + 1)
		if (ind % 2) { err("odd indentation"); next }
		lvl = ind / 2
		if (body == "KTAP version 1") {
			if (lvl != depth + 1) { err("version line at the wrong level"); next }
			depth = lvl; planned[lvl] = -1; seen[lvl] = 0
			next
		}
		if (depth < 0) { err("no \"KTAP version 1\" first"); next }
		if (body ~ /^#/) {
			if (lvl > depth) err("diagnostic deeper than the open test")
			next
		}
		if (body ~ /^[0-9]+\.\.[0-9]+$/) {
			if (lvl != depth) { err("plan at the wrong level"); next }
			if (planned[lvl] >= 0 || seen[lvl]) { err("a second plan, or a plan after results"); next }
			split(body, p, /\.\./)
			if (p[1] != 1) err("plan does not start at 1")
			planned[lvl] = p[2] + 0
			if (lvl == 0 && planned[0] == 0) done = 1
			next
		}
		if (body ~ /^(ok|not ok) [0-9]+( |$)/) {
			# a result closes every deeper test: each must have met its plan
			while (depth > lvl) {
				if (planned[depth] >= 0 && seen[depth] != planned[depth])
					err(sprintf("level %d: %d results for a plan of %d", depth, seen[depth], planned[depth]))
				depth--
			}
			if (lvl != depth) { err("result line at the wrong level"); next }
			notok = body ~ /^not ok /
			rest = body; sub(/^(not )?ok /, "", rest)
			n = rest; sub(/ .*/, "", n)
			if (n + 0 != seen[lvl] + 1) err(sprintf("test number %d, expected %d", n, seen[lvl] + 1))
			seen[lvl] = n + 0
			desc = rest; sub(/^[0-9]+ ?/, "", desc)
			dir = ""
			if ((k = index(desc, " # ")) > 0) { dir = substr(desc, k + 3); desc = substr(desc, 1, k - 1) }
			else if (desc ~ /^# /) { dir = substr(desc, 3); desc = "" }
			if (index(desc, "#")) err("a # in the description")
			if (index(dir, "#")) err("a # after the directive")
			word = dir; sub(/[ \t].*/, "", word)
			if ((word == "TIMEOUT" || word == "ERROR") && !notok) err(word " on an ok line")
			if (lvl == 0 && planned[0] >= 0 && seen[0] == planned[0]) done = 1
			next
		}
		err("not a KTAP line: " substr(line, 1, 60))
	}
	END {
		if (depth < 0) err("empty")
		else if (!done && planned[0] >= 0)
			err(sprintf("the top-level test has %d of its %d results", seen[0], planned[0]))
		exit bad
	}' "$f" || status=1
done
exit $status
