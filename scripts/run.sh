#!/usr/bin/env bash
# make run: build (or reuse) the patched kernel, boot the vtd VM and show
# what the series does from user space, then the kselftests in the mock VM.
. "$(dirname "$0")/lib.sh"
S=$ROOT/scripts

stage "install packages" "$LOGS/deps.log" "$S/deps.sh"
stage "tree: base + patches/" "$LOGS/tree.log" "$S/tree.sh"
"$S/build.sh"

show() { sed -n "s/^\[$1\] //p" "$LOGS/vm-$2.results.log" | sed 's/^/    /'; }

say ""
say "== vtd VM: q35 + emulated VT-d + edu, kernel $(cat "$BUILD/include/config/kernel.release")"
"$S/vm.sh" vtd || true
show vtd vtd
say "  VFIO on edu: argsz through the table, GET_INFO capability, no nesting"
"$S/results.sh" "$LOGS/vm-vtd.results.log" iommu_uapi_vfio | grep -v '^TALLY'

say ""
say "== mock VM: KUnit, and the iommu kselftests on iommufd's selftest mock driver"
"$S/vm.sh" mock || true
"$S/results.sh" "$LOGS/vm-mock.results.log" $MOCK_SECTIONS | grep -v '^TALLY'
