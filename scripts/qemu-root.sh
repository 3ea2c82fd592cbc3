#!/usr/bin/env bash
# qemu-root.sh: QEMU 11.1, the VMM that make check drives inside the vtd VM,
# in a Debian trixie root at $QEMU_ROOT: debootstrap of trixie from the
# Debian archive the machine's apt sources name, then qemu-system-x86 from
# trixie-backports, pinned, into it. QEMU 11.1 needs trixie's libraries; the
# machine's own QEMU and suites are left as they are.
#
# The VM carries QEMU as $QEMU_PAYLOAD, a tree to unpack over the
# initramfs: the binary, the libraries it links (from the root's ldd, at
# their paths) and the firmware q35 boots. The project kernel has no 9p, so
# the VM cannot mount the root.
#
# Cached: a root whose stamp names the pinned version is kept as it is, so a
# warm run builds nothing. Prints the root's QEMU version.
. "$(dirname "$0")/lib.sh"

QEMU_PKG=qemu-system-x86
QEMU_VERSION=1:11.1.3+ds-2~bpo13+1
QEMU_ROOT=${QEMU_ROOT:-$ROOT/work/qemu-11.1/root}
QEMU_PAYLOAD=${QEMU_PAYLOAD:-$ROOT/work/qemu-11.1/payload}
stamp=$QEMU_ROOT/.harness-qemu

# payload: $QEMU_PAYLOAD from $QEMU_ROOT, made aside and moved into place
payload() {
	local p=$QEMU_PAYLOAD.tmp f
	rm -rf "$QEMU_PAYLOAD" "$p"
	mkdir -p "$p/usr/bin" "$p/usr/share/qemu"
	cp "$QEMU_ROOT/usr/bin/qemu-system-x86_64" "$p/usr/bin/"
	for f in $(chroot "$QEMU_ROOT" ldd /usr/bin/qemu-system-x86_64 |
		awk '$(NF-1) ~ /^\// { print $(NF-1) }'); do
		mkdir -p "$p$(dirname "$f")"
		cp -L "$QEMU_ROOT$f" "$p$f"
	done
	cp -a "$QEMU_ROOT/usr/share/seabios" "$p/usr/share/"
	for f in kvmvapic.bin linuxboot_dma.bin; do
		cp "$QEMU_ROOT/usr/share/qemu/$f" "$p/usr/share/qemu/"
	done
	cp "$stamp" "$p/.harness-qemu"
	mv "$p" "$QEMU_PAYLOAD"
}

if [ "$(cat "$stamp" 2>/dev/null)" = "$QEMU_VERSION" ]; then
	cmp -s "$stamp" "$QEMU_PAYLOAD/.harness-qemu" || payload
	chroot "$QEMU_ROOT" qemu-system-x86_64 --version | head -n 1
	exit 0
fi

site=$(archive_site)
[ -n "$site" ] || die "no Debian archive in the machine's apt sources"
command -v debootstrap >/dev/null || die "debootstrap is not installed (make deps)"

rm -rf "$QEMU_ROOT" "$QEMU_ROOT.tmp"
mkdir -p "$(dirname "$QEMU_ROOT")"
say "debootstrap trixie into $QEMU_ROOT"
debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
	trixie "$QEMU_ROOT.tmp" "$site"

r=$QEMU_ROOT.tmp
printf 'deb %s trixie main\ndeb %s trixie-backports main\n' "$site" "$site" \
	>"$r/etc/apt/sources.list"
mount -t proc proc "$r/proc"
trap 'umount "$r/proc" 2>/dev/null || true' EXIT
chroot "$r" apt-get -q update
ver=$QEMU_VERSION
chroot "$r" apt-cache madison "$QEMU_PKG" | awk '{print $3}' | grep -qxF "$ver" || {
	ver=$(chroot "$r" apt-cache madison "$QEMU_PKG" | awk '{print $3; exit}')
	say "!! WARNING: $QEMU_PKG $QEMU_VERSION is gone from trixie-backports; taking $ver"
}
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get -q install -y -t trixie-backports \
	--no-install-recommends "$QEMU_PKG=$ver"
chroot "$r" apt-get clean
umount "$r/proc"
trap - EXIT
printf '%s\n' "$ver" >"$r/.harness-qemu"
mv "$r" "$QEMU_ROOT"
payload
chroot "$QEMU_ROOT" qemu-system-x86_64 --version | head -n 1
