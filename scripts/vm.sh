#!/usr/bin/env bash
# vm.sh PROFILE [JOB]: boot the built kernel and initramfs in QEMU and run
# JOB (default: the profile's own; guest/init lists them). Keeps the kernel
# console in $LOGS/vm-NAME.console.log, the job's output in
# $LOGS/vm-NAME.results.log and the kernel's coverage counters in
# $LOGS/vm-NAME.gcov, NAME being PROFILE or PROFILE-JOB, or $VM_NAME.
# KERNEL and INITRD boot another kernel or initramfs than $BUILD's; VM_ARGS
# adds to the kernel command line.
#
# Profiles:
#   mock  q35, no vIOMMU: the iommufd selftest mock driver owns the tests
#   vtd   q35 + emulated VT-d (intel-iommu) + QEMU's edu device for VFIO
#   virtio  q35 + virtio-iommu + edu: an IOMMU driver without uapi_caps
#   noiommu q35 + edu, no IOMMU: edu on VFIO's no-IOMMU mode
#
# Fails when QEMU times out, the job did not finish, or the kernel printed a
# splat (WARNING, BUG, Oops, KASAN/UBSAN, lockdep, hung task), even if every
# test passed. TCG, one vCPU: see README.md for why. KVM=1 asks for KVM.
. "$(dirname "$0")/lib.sh"

profile=${1:?usage: vm.sh mock|vtd|virtio|noiommu [JOB]}
job=${2:-}
name=${VM_NAME:-$profile${job:+-$job}}
kernel=${KERNEL:-$BUILD/arch/x86/boot/bzImage}
initrd=${INITRD:-$BUILD/initramfs.cpio.gz}
console=$LOGS/vm-$name.console.log
results=$LOGS/vm-$name.results.log
gcov=$LOGS/vm-$name.gcov

# no_timer_check: under TCG on a busy host, the early check that the timer
# IRQ arrives through the (remapped) IO-APIC timed out in 2 of 20 vtd
# boots, a panic; the check is for broken real hardware. no5lvl: KASAN
# under TCG -cpu max with 5-level paging reports a false wild-memory-access
# in early boot.
cmdline="console=ttyS0 panic=-1 oops=panic hung_task_timeout_secs=60 no_timer_check no5lvl"
cmdline+=${VM_ARGS:+ $VM_ARGS}
# The mock job runs every kselftest on a debug kernel (265 s in session 5,
# beside a kernel build): it may take 30 minutes, the others 10
timeout=${VM_TIMEOUT:-600}
case $profile in
mock)
	timeout=${VM_TIMEOUT:-1800}
	machine=(-machine q35)
	devices=()
	cmdline+=" hugepages=160 job=${job:-kselftest}"
	;;
vtd)
	machine=(-machine q35,kernel-irqchip=split)
	devices=(-device intel-iommu,intremap=on,caching-mode=on -device edu)
	cmdline+=" intel_iommu=on job=${job:-vtd}"
	;;
virtio)
	# no interrupt remapping behind virtio-iommu on x86: iommufd binds
	# the device only when told that unisolated MSIs are acceptable
	machine=(-machine q35)
	devices=(-device virtio-iommu-pci -device edu)
	cmdline+=" iommufd.allow_unsafe_interrupts=1 job=${job:-virtio}"
	;;
noiommu)
	machine=(-machine q35)
	devices=(-device edu)
	cmdline+=" vfio.enable_unsafe_noiommu_mode=1 job=${job:-noiommu}"
	;;
*) die "unknown VM profile '$profile'" ;;
esac

if [ "${KVM:-0}" = 1 ]; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel tcg -cpu max)
	# Guest time counts instructions (1 ns each), not the host's clock:
	# the kselftests' 30 s limits then measure work, the same on a busy
	# host as on an idle one, and a debug kernel under TCG is slow.
	# sleep=off hung 1 of 5 boots; the default (sleep on) is used.
	# ICOUNT=0 turns it off.
	[ "${ICOUNT:-1}" = 0 ] || accel+=(-icount shift=0)
fi

rm -f "$console" "$results" "$gcov"
rc=0
timeout -k 10 "$timeout" qemu-system-x86_64 "${accel[@]}" "${machine[@]}" \
	-smp 1 -m 2G -nodefaults -display none -no-reboot -nic none \
	"${devices[@]}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "$cmdline" \
	-serial "file:$console" -serial "file:$results" -serial "file:$gcov" || rc=$?

fail=0
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	say "vm $name: timed out after ${timeout}s"
	fail=1
elif [ "$rc" != 0 ]; then
	say "vm $name: qemu exited $rc"
	fail=1
fi
if ! grep -q '^\[init\] done' "$results" 2>/dev/null; then
	say "vm $name: the job did not finish"
	fail=1
fi
if splat_report "$console"; then
	say "vm $name: kernel splat in $console (lines above)"
	fail=1
fi
say "vm $name: console $console"
say "vm $name: results $results"
exit "$fail"
