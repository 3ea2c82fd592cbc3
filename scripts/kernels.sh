#!/usr/bin/env bash
# kernels.sh dist: the distribution-shaped kernel, the project config plus
# config/kernels/dist.config (VFIO, VFIO_PCI, type1 as modules, VFIO's own
# container, iommufd off): bzImage, modules, and an initramfs with the
# project's kselftests, in $WORK/dist/, for the vtd VM's "dist" job.
# Built in $WORK/build-dist, which starts as a copy of $BUILD: only what
# its options change is compiled.
. "$(dirname "$0")/lib.sh"

kind=${1:?usage: kernels.sh dist}
[ "$kind" = dist ] || die "unknown kernel '$kind'"
frag=$ROOT/config/kernels/dist.config
o=$WORK/build-dist
out=$WORK/dist

# Each choice of the fragment is Debian's own, as linux-config-7.3 (fetched
# with the source, scripts/deps.sh) has it for amd64
debian=$WORK/base/usr/src/linux-config-$BASE/config.amd64_none_amd64.xz
[ -f "$debian" ] || die "no $debian"
debian_config=$(xzcat "$debian")
while read -r line; do
	sym=$(grep -oE 'CONFIG_[A-Z0-9_]+' <<<"$line")
	grep -qxF "$line" <<<"$debian_config" ||
		die "dist.config has '$line', Debian's config '$(grep -E \
			"^$sym=|^# $sym is not set" <<<"$debian_config" || true)'"
done < <(grep -E '^(CONFIG_|# CONFIG_)' "$frag")
say "dist.config: each choice is Debian's ($(basename "$debian" .xz))"

seed_build "$o" "$BUILD"
make_config "$o"
"$TREE/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$frag"
kmake "$o" olddefconfig
config_survived "$o" "$frag"
kmake "$o" bzImage modules
rm -rf "$out"
mkdir -p "$out"
kmake "$o" INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 modules_install
cp "$o/arch/x86/boot/bzImage" "$out/bzImage"
# the initramfs of $out: its modules, the project's kselftests
HARNESS_BUILD=$out KSELFTESTS=$BUILD/kselftest "$ROOT/scripts/initramfs.sh"
mods="vfio vfio_iommu_type1 vfio-pci vfio-pci-core"
for m in $mods; do
	find "$out/modroot" -name "$m.ko" | grep -q . || die "no $m.ko"
done
