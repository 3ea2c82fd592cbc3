#!/usr/bin/env bash
# The old-userspace gate: does a program built against the base's headers
# get the answers it got on the base ($BASE)?
#
# Builds the base kernel with the project config and the iommu kselftests
# against the base's exported headers, from the tree at its tag "base".
# Runs those
# kselftests and abi/probe.c in the mock VM on the base kernel and on the
# series' kernel ($BUILD, built by build.sh), then compares them test by
# test: every difference must match a "test:" line of
# abi/changes-from-$BASE, and every "test:" line must match a difference.
# Both runs must finish with a clean console. A test that fails on the base
# (7.3.4 fails dmabuf_simple and dmabuf_revoke) is compared like any other:
# it passes on the series only as a listed difference.
#
# The tree is left at the tip ("series") whatever happens.
. "$(dirname "$0")/lib.sh"
S=$ROOT/scripts
B=${BASE//./}			# 73: the old kernel's name in paths
OBUILD=$WORK/build-$B
LIST=${ABI_LIST:-$ROOT/abi/changes-from-$BASE}
BASE_LOG=${BASE_LOG:-$LOGS/vm-oldabi-$B.results.log}
TIP_LOG=${TIP_LOG:-$LOGS/vm-oldabi-tip.results.log}

# abi/probe.c, against the base's headers and its selftest mock driver's
build_probe() {
	mkdir -p "$OBUILD/kselftest/abi"
	gcc -Wall -Werror -static -isystem "$OBUILD/usr/include" \
		-I "$TREE/drivers/iommu/iommufd" -o "$OBUILD/kselftest/abi/iommu_abi_probe" \
		"$ROOT/abi/probe.c"
}

build_old() {
	local c
	c=$(old_commit) || return 1
	(
		trap 'git -C "$TREE" checkout -q series' EXIT
		git -C "$TREE" checkout -q "$c" || exit 1
		say "$BASE kernel and kselftests from $(git -C "$TREE" log -1 --format='%h %s' "$c")"
		# from a copy of $BUILD's objects: only what the series
		# changes is compiled again
		seed_build "$OBUILD" "$BUILD" || exit 1
		mkdir -p "$OBUILD"
		make_config "$OBUILD" &&
			kmake "$OBUILD" bzImage headers &&
			build_kselftests "$OBUILD" &&
			build_probe
	) && HARNESS_BUILD=$OBUILD "$S/initramfs.sh"
}

# results LOG: "name status" for every TAP result of the oldabi job, and
# "probe:name answer" for every answer of the probe
results() {
	tr -d '\r' <"$1" | sed -n 's/^\[\(iommufd\|iommufd_fail_nth\)\] //p' |
		awk '/^ok [0-9]+ / { s = ($0 ~ /# [Ss][Kk][Ii][Pp]/) ? "skip" : "ok" }
		     /^not ok [0-9]+ / { s = "fail" }
		     /^(not )?ok [0-9]+ / { sub(/^(not )?ok [0-9]+ /, ""); sub(/ #.*/, "");
					    print $0, s }'
	tr -d '\r' <"$1" | sed -n 's/^\[abi_probe\] \([^ ]*\) = \(.*\)/probe:\1 \2/p' |
		awk '{ n = $1; $1 = ""; sub(/^ /, ""); gsub(/ /, "_"); print n, $0 }'
}

# The "test:" patterns of the list
patterns() { sed -n 's/^test:[[:space:]]*//p' "$LIST" | grep -vx none; }

compare() {
	local base=$BASE_LOG tip=$TIP_LOG
	local diffs p t b s hit rc=0 n
	set -f	# the list's patterns are for [[ == ]], not for file names
	# The base's kselftests on the base, each planned test reported
	"$S/results.sh" "$base" iommufd iommufd_fail_nth | grep -v '^TALLY'
	set -- $("$S/results.sh" "$base" iommufd iommufd_fail_nth | sed -n 's/^TALLY //p')
	[ -n "${1:-}" ] || { say "no results from the $BASE run"; rc=1; }
	for t in "$base" "$tip"; do
		tr -d '\r' <"$t" | grep -qx '\[abi_probe\] exit=0' ||
			{ say "the probe did not finish in $t"; rc=1; }
	done
	"$S/results.sh" "$tip" iommufd iommufd_fail_nth | grep -v '^TALLY' | sed 's/$/ (series kernel)/'
	results "$base" | sort >"$LOGS/oldabi-$B.answers"
	results "$tip" | sort >"$LOGS/oldabi-tip.answers"
	n=$(wc -l <"$LOGS/oldabi-$B.answers")
	[ "$n" -gt 0 ] || { say "no test results from the $BASE run"; return 1; }
	# name, the base's result, the series' ("missing" when not reported)
	diffs=$(join -a1 -a2 -e missing -o 0,1.2,2.2 "$LOGS/oldabi-$B.answers" "$LOGS/oldabi-tip.answers" |
		awk '$2 != $3')
	say "compared $n results of $BASE's kselftests and the probe: $(printf '%s' "$diffs" | grep -c .) differ"
	while read -r t b s; do
		[ -n "$t" ] || continue
		for p in $(patterns); do
			# shellcheck disable=SC2053
			if [[ $t == $p ]]; then
				say "  listed:   $t: $BASE $b, series $s (test: $p)"
				continue 2
			fi
		done
		say "  UNLISTED: $t: $BASE $b, series $s"
		rc=1
	done <<<"$diffs"
	for p in $(patterns); do
		hit=
		while read -r t _; do
			# shellcheck disable=SC2053
			[[ -n $t && $t == $p ]] && { hit=1; break; }
		done <<<"$diffs"
		if [ -n "$hit" ]; then
			say "  list:     'test: $p' matches $(while read -r t _; do
				[[ -n $t && $t == $p ]] && echo; done <<<"$diffs" | wc -l)"
			continue
		fi
		say "  STALE:    the list's 'test: $p' matches no difference"
		rc=1
	done
	return "$rc"
}

# The two runs at once, a core each
run_vms() {
	local p rc=0
	stage "$BASE kselftests on $BASE" "$LOGS/oldabi-vm-$B.log" env VM_NAME=oldabi-$B \
		KERNEL="$OBUILD/arch/x86/boot/bzImage" INITRD="$OBUILD/initramfs.cpio.gz" \
		"$S/vm.sh" mock oldabi >"$LOGS/oldabi-vm-$B.stage" &
	p=$!
	stage "$BASE kselftests on the series" "$LOGS/oldabi-vm-tip.log" env VM_NAME=oldabi-tip \
		INITRD="$OBUILD/initramfs.cpio.gz" "$S/vm.sh" mock oldabi >"$LOGS/oldabi-vm-tip.stage" ||
		rc=1
	wait "$p" || rc=1
	cat "$LOGS/oldabi-vm-$B.stage" "$LOGS/oldabi-vm-tip.stage"
	return "$rc"
}

case ${1:-all} in
build) build_old ;;
run) run_vms && compare ;;
compare) compare ;;
all)
	stage "$BASE kernel + $BASE kselftests" "$LOGS/oldabi-build.log" build_old || exit 1
	run_vms && compare
	;;
*) die "usage: oldabi.sh [build|run|compare|all]" ;;
esac
