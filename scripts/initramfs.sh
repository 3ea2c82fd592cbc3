#!/usr/bin/env bash
# Pack the VMs' initramfs: static busybox, guest/init, the build's modules
# ($BUILD/modroot), and every static test binary under $BUILD/kselftest
# (or $KSELFTESTS: the distribution-shaped kernel takes the project's), and
# with $QEMU_PAYLOAD, QEMU 11.1 and its libraries (scripts/qemu-root.sh).
. "$(dirname "$0")/lib.sh"

root=$BUILD/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests}
cp /bin/busybox "$root/bin/busybox"
cp "$ROOT/guest/init" "$root/init"
chmod +x "$root/init"
[ ! -d "$BUILD/modroot/lib" ] || cp -a "$BUILD/modroot/lib" "$root/lib"
for t in "${KSELFTESTS:-$BUILD/kselftest}"/*/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	! readelf -l "$t" | grep -q INTERP || die "$t is not linked statically"
	cp "$t" "$root/tests/"
done
[ -z "${QEMU_PAYLOAD:-}" ] || cp -a "$QEMU_PAYLOAD"/. "$root/"
(cd "$root" && find . -print0 | cpio --null -o -H newc --owner 0:0 --quiet) |
	gzip -1 >"$BUILD/initramfs.cpio.gz"
say "initramfs: $(ls "$root/tests" | tr '\n' ' ')"
