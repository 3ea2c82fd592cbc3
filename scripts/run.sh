#!/usr/bin/env bash
# make run: build (or reuse) the patched kernel, then show what the series
# gives a VMM: guest SVA bring-up on the mock driver, step by step, and the
# vtd VM's real (emulated) device through VFIO. make check runs the rest.
. "$(dirname "$0")/lib.sh"
S=$ROOT/scripts

stage "install packages" "$LOGS/deps.log" "$S/deps.sh"
stage "tree: base + patches/" "$LOGS/tree.log" "$S/tree.sh"
"$S/build.sh"

# show SECTION VM: a section of a VM's results; steps SECTION VM: only its
# TAP lines, one step each
show() { sed -n "s/^\[$1\] //p" "$LOGS/vm-$2.results.log" | sed 's/^/    /'; }
steps() {
	sed -n "s/^\[$1\] \(\(not \)\{0,1\}ok [0-9]*\) /    \1  /p" \
		"$LOGS/vm-$2.results.log"
}

say ""
say "== mock VM: guest SVA bring-up as a VMM drives it, on iommufd's selftest mock driver"
say "   (no QEMU nests: the mock stands in for a nesting IOMMU), kernel $(cat "$BUILD/include/config/kernel.release")"
"$S/vm.sh" mock story || true
steps story mock-story
"$S/results.sh" "$LOGS/vm-mock-story.results.log" story | grep -v '^TALLY'

say ""
say "== vtd VM: q35 + emulated VT-d + edu, a real device through VFIO"
"$S/vm.sh" vtd || true
show vtd vtd
"$S/results.sh" "$LOGS/vm-vtd.results.log" vtd iommu_uapi_vfio | grep -v '^TALLY'
