#!/usr/bin/env bash
# Build the patched kernel (bzImage + uapi headers), the iommu kselftests as
# static binaries, and the initramfs the VMs boot. Incremental.
. "$(dirname "$0")/lib.sh"

FRAGMENTS=("$TREE/kernel/configs/kvm_guest.config" "$ROOT"/config/*.config)

# The project config: x86_64_defconfig + kvm_guest.config + config/*.config,
# regenerated only when a fragment or the base changed.
make_config() {
	kmake "$BUILD" x86_64_defconfig
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$BUILD" "$BUILD/.config" "${FRAGMENTS[@]}"
	kmake "$BUILD" olddefconfig
}

# merge_config drops silently what a dependency forbids: every option our
# fragments set must be in .config as written.
verify_config() {
	local line bad=0
	while read -r line; do
		grep -qxF "$line" "$BUILD/.config" && continue
		say "config: '$line' did not survive, .config has: $(grep -E "^(# )?${line#\# }[= ]" "$BUILD/.config" || echo nothing)"
		bad=1
	done < <(grep -hE '^(# )?CONFIG_[A-Z0-9_]+( is not set|=)' "$ROOT"/config/*.config)
	return "$bad"
}

mkdir -p "$BUILD"
stamp=$(cat "$WORK/base-version" "${FRAGMENTS[@]}" | sha256sum | cut -c1-16)
if [ ! -f "$BUILD/.config" ] || [ "$(cat "$BUILD/config.stamp" 2>/dev/null)" != "$stamp" ]; then
	stage "configure" "$LOGS/config.log" make_config
	echo "$stamp" >"$BUILD/config.stamp"
fi
stage "verify config options" "$LOGS/config-verify.log" verify_config
stage "build kernel (bzImage, headers)" "$LOGS/build.log" kmake "$BUILD" bzImage headers
stage "build kselftests (static)" "$LOGS/kselftest-build.log" build_kselftests
stage "build initramfs" "$LOGS/initramfs.log" "$ROOT/scripts/initramfs.sh"
