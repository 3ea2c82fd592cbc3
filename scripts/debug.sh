#!/usr/bin/env bash
# make debug: the debug kernel (config/kernels/debug.config: KASAN, UBSAN,
# lockdep over the project config) in work/build-debug, and the mock and
# vtd jobs on it, each failing on any report in the console. A build of
# its own: about 30 minutes cold on 2 cores. Not part of make check yet.
. "$(dirname "$0")/lib.sh"
S=$ROOT/scripts
D=$WORK/build-debug

stage "debug kernel" "$LOGS/kernel-debug.log" "$S/kernels.sh" debug || exit 1
rc=0
for p in mock vtd; do
	ICOUNT=1 VM_NAME=debug-$p KERNEL=$D/arch/x86/boot/bzImage INITRD=$D/initramfs.cpio.gz \
		VM_TIMEOUT=1800 stage "$p VM on the debug kernel" "$LOGS/vm-debug-$p.log" \
		"$S/vm.sh" "$p" || rc=1
done
"$S/results.sh" "$LOGS/vm-debug-mock.results.log" $MOCK_SECTIONS | grep -v '^TALLY'
"$S/results.sh" "$LOGS/vm-debug-vtd.results.log" $VTD_SECTIONS | grep -v '^TALLY'
exit "$rc"
