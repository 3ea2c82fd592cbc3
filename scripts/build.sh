#!/usr/bin/env bash
# Build the patched kernel (bzImage, modules, uapi headers), the iommu
# kselftests and make run's story (guest/sva_story.c) as static binaries,
# and the initramfs the VMs boot, with the modules in it (and with
# QEMU 11.1 for the vtd VM's vmm job). Incremental.
. "$(dirname "$0")/lib.sh"

# The config is merged anew each time, its fragments may have changed:
# unchanged, it costs seconds and rebuilds nothing.
mkdir -p "$BUILD"
stage "configure" "$LOGS/config.log" make_config
stage "verify config options" "$LOGS/config-verify.log" config_fragments_survived
stage "build kernel (bzImage, modules, headers)" "$LOGS/build.log" kmake "$BUILD" bzImage modules headers
stage "install modules" "$LOGS/modules.log" install_modules
stage "build kselftests (static)" "$LOGS/kselftest-build.log" build_kselftests
stage "build make run's story (static)" "$LOGS/story-build.log" build_story
stage "QEMU 11.1 in a trixie root" "$LOGS/qemu-root.log" "$ROOT/scripts/qemu-root.sh"
export QEMU_PAYLOAD
stage "build initramfs" "$LOGS/initramfs.log" "$ROOT/scripts/initramfs.sh"
