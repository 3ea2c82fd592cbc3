#!/usr/bin/env bash
# Build the patched kernel (bzImage, modules, uapi headers), the iommu
# kselftests as static binaries, and the initramfs the VMs boot, with the
# modules in it. Incremental.
. "$(dirname "$0")/lib.sh"

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

# Always: the bisect gate builds older patches, and kconfig drops from
# .config the options they do not know yet. Unchanged, it costs seconds
# and rebuilds nothing.
mkdir -p "$BUILD"
stage "configure" "$LOGS/config.log" make_config
stage "verify config options" "$LOGS/config-verify.log" verify_config
stage "build kernel (bzImage, modules, headers)" "$LOGS/build.log" kmake "$BUILD" bzImage modules headers
stage "install modules" "$LOGS/modules.log" install_modules
stage "build kselftests (static)" "$LOGS/kselftest-build.log" build_kselftests
stage "build initramfs" "$LOGS/initramfs.log" "$ROOT/scripts/initramfs.sh"
