#!/usr/bin/env bash
# results.sh LOG SECTION...: count the TAP results of each SECTION in a VM's
# results log (lines "[SECTION] ..."; guest/init writes them).
#
# Prints a line per section and per failed test, then "TALLY pass fail skip".
# A test the plan ("1..N") announced but that never reported, a non-zero exit
# with no failed test, and a missing section each count as one failure.
. "$(dirname "$0")/lib.sh"

log=${1:?usage: results.sh LOG SECTION...}
shift
awk -v want="$*" '
function strip(s) { sub(/^\[[^]]*\] /, "", s); return s }
{ sub(/\r$/, "") }
match($0, /^\[[^]]*\] /) {
	sec = substr($0, 2, RLENGTH - 3)
	line = strip($0)
	seen[sec] = 1
	if (line ~ /^ok [0-9]+/) {
		if (line ~ /# [Ss][Kk][Ii][Pp]/) skip[sec]++; else pass[sec]++
	} else if (line ~ /^not ok [0-9]+/) {
		fail[sec]++
		failed[sec] = failed[sec] "\n    not ok: " substr(line, index(line, " ok ") + 4)
	} else if (line ~ /^1\.\.[0-9]+$/) {
		plan[sec] = substr(line, 4) + 0
	} else if (line ~ /^exit=[0-9]+$/) {
		status[sec] = substr(line, 6) + 0
	}
}
END {
	n = split(want, names, " ")
	for (i = 1; i <= n; i++) {
		s = names[i]
		p = pass[s] + 0; f = fail[s] + 0; k = skip[s] + 0
		extra = ""
		if (!seen[s]) { f++; extra = " (section missing)" }
		else if (!(s in plan)) { f++; extra = " (no TAP plan)" }
		else if (plan[s] > p + f + k) {
			m = plan[s] - (p + f + k)
			f += m
			extra = sprintf(" (%d planned tests never reported)", m)
		}
		if ((s in status) && status[s] != 0 && fail[s] + 0 == 0 && extra == "") {
			f++; extra = sprintf(" (exit status %d)", status[s])
		}
		printf "  %-20s %3d passed, %d failed, %d skipped%s%s\n", s, p, f, k, extra, failed[s]
		tp += p; tf += f; tk += k
	}
	printf "TALLY %d %d %d\n", tp, tf, tk
}' "$log"
