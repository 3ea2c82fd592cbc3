#!/usr/bin/env bash
# kernels.sh dist|debug: a kernel with other config choices than the
# project's, each the project config plus config/kernels/KIND.config:
#   dist     the distribution's VFIO choices (VFIO, VFIO_PCI, type1 as
#            modules, VFIO's own container): bzImage, modules (modpost
#            checks the symbols VFIO takes from the IOMMU core), an
#            initramfs with the project's kselftests, in $WORK/dist/, for
#            the vtd VM's "dist" job. Built
#            in $BUILD, from its objects: only what its options change is
#            compiled; build.sh then brings $BUILD back the same way.
#   debug    KASAN, UBSAN, lockdep: bzImage and initramfs in
#            work/build-debug, a build of its own (every object changes)
. "$(dirname "$0")/lib.sh"

kind=${1:?usage: kernels.sh dist|debug}
frag=$ROOT/config/kernels/$kind.config
[ -f "$frag" ] || die "no $frag"

# configure DIR: the project config, then the fragment, every one of its
# options as written
configure() {
	local o=$1 line bad=0
	make_config "$o"
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$frag"
	kmake "$o" olddefconfig
	while read -r line; do
		grep -qxF "$line" "$o/.config" && continue
		say "config: '$line' did not survive"
		bad=1
	done < <(grep -E '^(# )?CONFIG_[A-Z0-9_]+( is not set|=)' "$frag")
	return "$bad"
}

case $kind in
dist)
	out=$WORK/dist
	configure "$BUILD"
	kmake "$BUILD" bzImage modules
	rm -rf "$out"
	mkdir -p "$out"
	kmake "$BUILD" INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 modules_install
	cp "$BUILD/arch/x86/boot/bzImage" "$out/bzImage"
	# the initramfs of $out: its modules, the project's kselftests
	HARNESS_BUILD=$out KSELFTESTS=$BUILD/kselftest "$ROOT/scripts/initramfs.sh"
	for m in vfio vfio_iommu_type1 vfio-pci vfio-pci-core nested_kunit; do
		find "$out/modroot" -name "$m.ko" | grep -q . || die "no $m.ko"
	done
	;;
debug)
	o=$WORK/build-debug
	mkdir -p "$o"
	configure "$o"
	kmake "$o" bzImage modules headers
	install_modules "$o"
	build_kselftests "$o"
	HARNESS_BUILD=$o "$ROOT/scripts/initramfs.sh"
	;;
*)
	die "unknown kernel '$kind'"
	;;
esac
