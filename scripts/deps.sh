#!/usr/bin/env bash
# Install the Debian packages the harness needs, when missing, and the pinned
# kernel source package. Idempotent: a second run installs nothing.
. "$(dirname "$0")/lib.sh"

PKGS=(
	# build the kernel and the selftests
	gcc g++ make flex bison bc libelf-dev libssl-dev cpio xz-utils perl git
	ccache libc6-dev kmod
	# the VMs
	qemu-system-x86 busybox-static
	# maintainer gates
	sparse coccinelle ocaml-nox python3-sphinx python3-sphinx-rtd-theme python3-yaml
	python3-ply python3-git
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

updated=
apt_install() {
	[ -n "$updated" ] || { apt-get update -qq; updated=1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

missing=()
for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
	say "installing: ${missing[*]}"
	apt_install "${missing[@]}"
fi

if [ "$(pkg_version "$BASE_PKG")" != "$BASE_VERSION" ]; then
	[ -n "$updated" ] || { apt-get update -qq; updated=1; }
	if apt-cache madison "$BASE_PKG" | awk '{print $3}' | grep -qxF "$BASE_VERSION"; then
		apt_install "$BASE_PKG=$BASE_VERSION"
	else
		apt_install "$BASE_PKG"
	fi
fi

got=$(pkg_version "$BASE_PKG")
[ -n "$got" ] || die "$BASE_PKG could not be installed"
if [ "$got" != "$BASE_VERSION" ]; then
	cat >&2 <<EOF
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!! WARNING: the base is NOT the pinned kernel.
!!   pinned:    $BASE_PKG $BASE_VERSION
!!   installed: $BASE_PKG $got (the mirror no longer has the pin)
!! patches/ were made on the pinned base and may not apply to this one.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
EOF
fi
printf '%s\n' "$got" >"$WORK/base-version"
