#!/usr/bin/env bash
# make bench: what the series costs on its hot paths, beside the base
# kernel ($BASE). Not part of make check.
#
# Two kernels with the same config (config/kernels/bench.config: the
# project config without its debug options): the series' tip, in
# $WORK/build-bench, and the base (old_commit in lib.sh: 7.3.4), in
# $WORK/build-bench-73, seeded from the tip's objects.
# Each boots in the mock VM with bench/iommu_bench_floor.c's module and
# bench/iommu_bench.c, job "bench" of guest/init, with KUnit off: the
# same boot on both kernels (the tip's KUnit suites at boot left its
# allocators in another state, and a 64-fault round trip 1.4 % dearer).
# The kernels are booted in turn, the base first, BOOTS times each, under
# -icount (guest time counts instructions: no host noise) and then on the
# wall clock. Each -icount round adds a boot of the tip that runs only
# the KUnit suite iommu-uapi-bench: the batch copy alone, and VT-d's copy
# loop, 7.3's and the series', which no VM reaches (no QEMU nests).
# scripts/bench-report.py prints the table, also in $LOGS/bench.txt.
. "$(dirname "$0")/lib.sh"
S=$ROOT/scripts

BOOTS=${BOOTS:-3}
FRAG=$ROOT/config/kernels/bench.config
TIPB=$WORK/build-bench
B=${BASE//./}			# 73: the base kernel's name in logs
BASEB=$WORK/build-bench-$B

# bench_kernel DIR: the kernel of the tree's checkout in DIR, with the
# bench config, the floor module, and an initramfs with the bench program
# (built against the tip's headers, $TIPB/bench)
bench_kernel() {
	local o=$1
	mkdir -p "$o"
	make_config "$o" &&
		"$TREE/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$FRAG" &&
		kmake "$o" olddefconfig &&
		config_survived "$o" "$FRAG" &&
		kmake "$o" bzImage modules headers &&
		install_modules "$o" || return 1
	# the floor module, built where kbuild puts an external module's
	# objects: in its own directory
	rm -rf "$o/bench-floor"
	mkdir -p "$o/bench-floor"
	cp "$ROOT/bench/Kbuild" "$ROOT/bench/iommu_bench_floor.c" "$o/bench-floor/"
	kmake "$o" M="$o/bench-floor" modules &&
		kmake "$o" M="$o/bench-floor" INSTALL_MOD_PATH="$o/modroot" \
			INSTALL_MOD_STRIP=1 modules_install &&
		HARNESS_BUILD=$o KSELFTESTS=$TIPB/bench "$S/initramfs.sh"
}

build_tip() {
	seed_build "$TIPB" "$BUILD" || return 1
	mkdir -p "$TIPB/bench/bench"
	gcc -O2 -Wall -Werror -static -isystem "$BUILD/usr/include" \
		-I "$TREE/drivers/iommu/iommufd" -o "$TIPB/bench/bench/iommu_bench" \
		"$ROOT/bench/iommu_bench.c" &&
		bench_kernel "$TIPB"
}

# The base, as scripts/oldabi.sh builds it; the options its .config lacks
# beside the tip's are those the series adds
build_base() {
	local c sym rc
	c=$(old_commit) || return 1
	(
		trap 'git -C "$TREE" checkout -q series' EXIT
		git -C "$TREE" checkout -q "$c" || exit 1
		seed_build "$BASEB" "$TIPB" || exit 1
		bench_kernel "$BASEB"
	) || return 1
	say "config options of the tip's bench kernel that $BASE's lacks:"
	for sym in $(diff <(grep '^CONFIG_' "$BASEB/.config") <(grep '^CONFIG_' "$TIPB/.config") |
		sed -n 's/^[<>] \(CONFIG_[A-Z0-9_]*\)=.*/\1/p' | sort -u); do
		say "  $sym"
		rc=0
		git -C "$TREE" grep -qE "^(menu)?config ${sym#CONFIG_}\b" base -- '*Kconfig*' || rc=$?
		if [ "$rc" = 0 ]; then
			say "  ... which $BASE has: the configs differ"
			return 1
		elif [ "$rc" != 1 ]; then
			say "  git grep failed ($rc)"
			return 1
		fi
	done
}

# What a run measured, for the table's head: when, on what, which commits
bench_meta() {
	local dirty=
	git -C "$ROOT" diff --quiet HEAD -- || dirty=" (with changes not committed)"
	say "make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), BOOTS=$BOOTS"
	say "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
		"$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
		"$(qemu-system-x86_64 --version | head -1), TCG, one vCPU"
	say "config: the project config with config/kernels/bench.config, both kernels"
	say "kernels: $BASE_PKG $BASE_VERSION ($(git -C "$TREE" rev-parse --short base))" \
		"and the series' tip ($(git -C "$TREE" rev-parse --short series))," \
		"patches/ of $(git -C "$ROOT" rev-parse --short HEAD)$dirty"
}

# A VM run that fails leaves its rows out of the table; make bench then
# fails too, after the table.
failed=0
if [ "${1:-}" != --report ]; then
	stage "install packages" "$LOGS/deps.log" "$S/deps.sh"
	stage "tree: base + patches/" "$LOGS/tree.log" "$S/tree.sh"
	bench_meta >"$LOGS/bench-meta.txt"
	"$S/build.sh"
	stage "bench kernel: the series" "$LOGS/bench-build-tip.log" build_tip
	stage "bench kernel: $BASE" "$LOGS/bench-build-$B.log" build_base
	for clock in icount wall; do
		icount=$([ "$clock" = icount ] && echo 1 || echo 0)
		for i in $(seq "$BOOTS"); do
			for k in "$B" tip; do
				b=$TIPB
				[ "$k" = tip ] || b=$BASEB
				stage "bench $clock $k, boot $i" "$LOGS/bench-vm-$clock-$k-$i.log" \
					env VM_NAME="bench-$clock-$k-$i" ICOUNT="$icount" \
					VM_ARGS=kunit.enable=0 \
					KERNEL="$b/arch/x86/boot/bzImage" INITRD="$b/initramfs.cpio.gz" \
					"$S/vm.sh" mock bench || failed=1
			done
			[ "$clock" = icount ] || continue
			stage "bench KUnit, tip, boot $i" "$LOGS/bench-vm-kunit-$i.log" \
				env VM_NAME="bench-kunit-$i" ICOUNT=1 \
				VM_ARGS=kunit.filter_glob=iommu-uapi-bench \
				KERNEL="$TIPB/arch/x86/boot/bzImage" INITRD="$TIPB/initramfs.cpio.gz" \
				"$S/vm.sh" mock bench_kunit || failed=1
		done
	done
fi
BASE=$BASE python3 "$S/bench-report.py" "$LOGS" "$BOOTS" | tee "$LOGS/bench.txt"
exit "$failed"
