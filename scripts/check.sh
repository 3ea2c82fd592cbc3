#!/usr/bin/env bash
# make check: every gate and every test, one line each, then one line
# "N passed, N failed[, N skipped]". Exits non-zero on any failure. A gate
# that could not run (because one it needs failed) counts as failed.
. "$(dirname "$0")/lib.sh"
. "$ROOT/scripts/gates.sh"
set +e

PASSED=0 FAILED=0 SKIPPED=0
S=$ROOT/scripts

# gate NAME LOG CMD...: one counted check.
gate() {
	if stage "$@"; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
		return 1
	fi
}
not_run() {
	printf '==> %-34s FAIL  (not run: %s)\n' "$1" "$2"
	FAILED=$((FAILED + 1))
}
# tests LOG SECTION...: count every TAP result of a VM run.
tests() {
	local out
	out=$("$S/results.sh" "$@")
	printf '%s\n' "$out" | grep -v '^TALLY'
	set -- $(printf '%s\n' "$out" | sed -n 's/^TALLY //p')
	# no tally (no log, say): one failure, not a dead make check
	[ $# = 3 ] || set -- 0 1 0
	PASSED=$((PASSED + $1)) FAILED=$((FAILED + $2)) SKIPPED=$((SKIPPED + $3))
}

# Two exceptions, argued in the cover letter: FILE_PATH_CHANGES asks whether
# MAINTAINERS needs an update for every added file; the MAINTAINERS gate
# checks that an entry covers each one. UNKNOWN_COMMIT_ID looks a Fixes:
# tag's commit up in the tree's history, and the tree is the base's
# tarball in one commit: it knows no upstream commit. Debian's python3
# first, for the SPDX check (python3-ply).
checkpatch() {
	local p rc=0
	for p in $(series_files); do
		PATH=/usr/bin:$PATH "$TREE/scripts/checkpatch.pl" --strict --no-summary \
			--terse --show-types --ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID \
			"$PATCHES/$p" || rc=1
	done
	return "$rc"
}

# The VM gate must fail on a kernel splat: provoke one and expect vm.sh to
# fail for that reason, with the job itself finished.
splat_fails_run() {
	if "$S/vm.sh" mock splat; then
		say "vm.sh passed a run in which the kernel printed a WARNING"
		return 1
	fi
	grep -q '^\[init\] done' "$LOGS/vm-mock-splat.results.log" &&
		find_splats "$LOGS/vm-mock-splat.console.log"
}

# QEMU 11.1 as the VMM in the vtd VM: on KERNEL, or the series'
vmm_vm() {
	VM_NAME=vmm-$1 KERNEL=${2:-$BUILD/arch/x86/boot/bzImage} "$S/vm.sh" vtd vmm
}
# ... and the same lines on 7.3.4 as on the series, but the kernel's name
vmm_same() {
	local a=$LOGS/vm-vmm-base.results.log b=$LOGS/vm-vmm-tip.results.log
	[ -s "$a" ] && [ -s "$b" ] || { say "no QEMU 11.1 run to compare"; return 1; }
	diff <(tr -d '\r' <"$a" | grep -v '# job vmm on') \
		<(tr -d '\r' <"$b" | grep -v '# job vmm on')
}

dist_vm() {
	VM_NAME=dist KERNEL=$WORK/dist/bzImage INITRD=$WORK/dist/initramfs.cpio.gz \
		"$S/vm.sh" vtd dist
}

# gate_join ID: join_job ID, counted as one gate.
gate_join() {
	if join_job "$1"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); return 1; fi
}

# collect_coverage NAME...: each VM run's line counts, to
# $LOGS/coverage-NAME.json, against the .gcno files of the build it booted
# (the paths of its .gcda files name them).
collect_coverage() {
	local n rc=0
	for n in "$@"; do
		python3 "$S/coverage.py" collect "$TREE" "$LOGS/coverage-$n.json" \
			"$LOGS/vm-$n.gcov" || rc=1
	done
	return "$rc"
}
# The lines the series adds to drivers/, against what ran in every VM that
# booted a kernel of this tree's tip: mock, vtd, virtio, noiommu (the project
# kernel), dist (the distribution-shaped one). Every line ran, or is listed
# in config/coverage-unreachable with the reason no VM here can run it.
coverage_report() {
	python3 "$S/coverage.py" report "$TREE" "$ROOT/config/coverage-unreachable" \
		"$LOGS/coverage-mock.json" "$LOGS/coverage-vtd.json" \
		"$LOGS/coverage-virtio.json" "$LOGS/coverage-noiommu.json" \
		"$LOGS/coverage-dist.json"
}

start=$(date +%s)
gate "harness self-test" "$LOGS/harness-test.log" "$S/harness-test.sh"
have_tree=1
if gate "install packages" "$LOGS/deps.log" "$S/deps.sh"; then
	gate "tree: base + patches/" "$LOGS/tree.log" "$S/tree.sh" && have_tree=0
else
	not_run "tree: base + patches/" "no packages"
fi

built=1
if [ "$have_tree" = 0 ]; then
	gate "checkpatch --strict, $(series_files | wc -l) patches" "$LOGS/checkpatch.log" checkpatch
	# build.sh prints a line per stage; the build counts as one gate.
	if "$S/build.sh"; then PASSED=$((PASSED + 1)) built=0; else FAILED=$((FAILED + 1)); fi
else
	not_run "checkpatch" "no tree"
	not_run "build" "no tree"
fi

if [ "$built" = 0 ]; then
	# The mock job is the long one (all the kselftests on a debug kernel):
	# it runs beside the other VMs and the dist kernel's build.
	spawn mock stage "mock VM: KUnit, kselftests, clean" "$LOGS/vm-mock.log" "$S/vm.sh" mock
	gate "vtd VM: VT-d + VFIO, clean console" "$LOGS/vm-vtd.log" "$S/vm.sh" vtd
	tests "$LOGS/vm-vtd.results.log" $VTD_SECTIONS
	gate "vtd VM: QEMU 11.1 takes edu, series" "$LOGS/vm-vmm-tip.log" vmm_vm tip
	tests "$LOGS/vm-vmm-tip.results.log" vmm
	gate "virtio VM: virtio-iommu, clean" "$LOGS/vm-virtio.log" "$S/vm.sh" virtio
	tests "$LOGS/vm-virtio.results.log" $VIRTIO_SECTIONS
	gate "noiommu VM: edu with no IOMMU, clean" "$LOGS/vm-noiommu.log" "$S/vm.sh" noiommu
	tests "$LOGS/vm-noiommu.results.log" $NOIOMMU_SECTIONS
	gate "a provoked WARNING fails a VM run" "$LOGS/vm-mock-splat.log" splat_fails_run
	# The distribution's shape, VFIO as modules: built from a copy of
	# $BUILD's objects
	if gate "dist kernel: VFIO=m, type1, no iommufd" "$LOGS/kernel-dist.log" \
		"$S/kernels.sh" dist; then
		gate "dist VM: edu on VFIO's type1, clean" "$LOGS/vm-dist.log" dist_vm
		tests "$LOGS/vm-dist.results.log" $DIST_SECTIONS
		stage "coverage of the dist run" "$LOGS/coverage-collect-dist.log" collect_coverage dist
	else
		not_run "dist VM" "no dist kernel"
	fi
	gate_join mock
	tests "$LOGS/vm-mock.results.log" $MOCK_SECTIONS
	gate "errno table: every row's tests passed" "$LOGS/errno-table.log" errno_table
	stage "coverage of the project kernel's runs" "$LOGS/coverage-collect.log" \
		collect_coverage mock vtd virtio noiommu
	gate "coverage: every added line ran or is listed" "$LOGS/coverage.log" coverage_report
	grep -E '^  [a-z]|did not run|listed' "$LOGS/coverage.log" | sed 's/^/  /'
else
	not_run "mock VM" "no build"
	not_run "vtd VM" "no build"
	not_run "virtio VM" "no build"
	not_run "noiommu VM" "no build"
	not_run "splat detection" "no build"
	not_run "dist kernel and VM" "no build"
	not_run "errno table" "no build"
	not_run "coverage" "no build"
fi

# The maintainer gates. Findings are collected at the tip, then at base;
# then each patch is built in turn, the last one being the tip again. The
# old-userspace VMs run meanwhile. The tree returns to the tip whatever
# happens.
if [ "$built" = 0 ]; then
	trap 'git -C "$TREE" checkout -q series' EXIT
	gate "gates config (UAPI_HEADER_TEST, VFIO type1)" "$LOGS/gates-config.log" gbuild_config
	gate "UAPI headers: standalone, C, C++" "$LOGS/uapi-headers.log" uapi_headers
	gate "build with IOMMU_API off" "$LOGS/build-noiommu.log" build_noiommu
	gate "MAINTAINERS covers every file" "$LOGS/maintainers.log" maintainers
	gate "cover letter" "$LOGS/cover-letter.log" cover_letter
	# The base kernel (7.3.4); then its kselftests on
	# it and on the series' kernel, in two VMs beside the builds below
	oldabi=1
	if stage "$BASE kernel and kselftests" "$LOGS/oldabi-build.log" "$S/oldabi.sh" build; then
		spawn oldabi stage "old userspace: $BASE kselftests, $BASE vs series" \
			"$LOGS/oldabi.log" "$S/oldabi.sh" run
		oldabi=0
		gate "vtd VM: QEMU 11.1 takes edu, $BASE" "$LOGS/vm-vmm-base.log" \
			vmm_vm base "$WORK/build-${BASE//./}/arch/x86/boot/bzImage"
		gate "QEMU 11.1: the same on $BASE and the series" "$LOGS/vmm-same.log" vmm_same
	else
		not_run "QEMU 11.1 on $BASE, the same" "no $BASE kernel"
	fi
	stage "collect findings at tip" "$LOGS/collect-tip.log" collect tip
	if git -C "$TREE" checkout -q base; then
		stage "collect findings at base" "$LOGS/collect-base.log" collect base
	else
		rm -rf "$FIND/base"	# so that no earlier run's findings are compared
		not_run "collect findings at base" "no checkout of base"
	fi
	n=$(git -C "$TREE" rev-list --count base..series) k=0
	for c in $(git -C "$TREE" rev-list --reverse base..series); do
		k=$((k + 1))
		if git -C "$TREE" checkout -q "$c"; then
			gate "bisect: patch $k/$n builds (modular)" "$LOGS/bisect-$k.log" build_patch
		else
			not_run "bisect: patch $k/$n" "no checkout of $c"
		fi
	done
	git -C "$TREE" checkout -q series
	trap - EXIT
	for g in sparse w1 cocci kdoc htmldocs; do
		gate "$g: nothing new over base" "$LOGS/gate-$g.log" compare "$g"
	done
	if [ "$oldabi" = 0 ]; then
		gate_join oldabi
		grep -E '^(==>|compared|  (list:|UNLISTED|STALE))' "$LOGS/oldabi.log" | sed 's/^/    /'
	else
		not_run "old userspace" "no $BASE kernel"
	fi
else
	not_run "maintainer gates" "no build"
fi

say "logs: $LOGS (make check took $(($(date +%s) - start))s)"
summary="$PASSED passed, $FAILED failed"
[ "$SKIPPED" = 0 ] || summary+=", $SKIPPED skipped"
# The cover letter quotes a run's summary: say when it is not this one's.
stated=$(sed -n 's/^make check summary: //p' "$COVER_LETTER")
[ "$stated" = "$summary" ] ||
	say "note: the cover letter states \"$stated\", not this run's summary"
say "$summary"
[ "$FAILED" = 0 ]
