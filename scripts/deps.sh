#!/usr/bin/env bash
# Install the Debian packages the harness needs, when missing, and the pinned
# kernel source package (fetched into $WORK/base, not installed).
# Idempotent: a second run installs nothing.
. "$(dirname "$0")/lib.sh"

PKGS=(
	# build the kernel and the selftests
	gcc g++ make flex bison bc libelf-dev libssl-dev cpio xz-utils perl git
	ccache libc6-dev kmod
	# 7.3's iommu kselftests
	libcap-dev
	# the VMs; debootstrap makes the root QEMU 11.1 runs in
	qemu-system-x86 busybox-static debootstrap
	# maintainer gates
	sparse coccinelle ocaml-nox python3-sphinx python3-sphinx-rtd-theme python3-yaml
	python3-ply python3-git
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

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

# suite_apt CMD ARGS...: apt-get or apt-cache with a state of the harness's own, under
# $WORK/apt, whose one source is $BASE_SUITE of the Debian archive that the
# machine's own sources name. The machine's suites, lists and installed
# packages are left as they are: nothing of it is installed, only fetched.
suite_apt() {
	local a=$WORK/apt cmd=$1
	shift
	"$cmd" -q -o Dir::Etc::SourceList="$a/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache" \
		-o Dir::State::status="$a/status" -o APT::Sandbox::User=root "$@"
}

# fetch_base: $BASE_PKG (pinned, else the newest) and its linux-config
# package from $BASE_SUITE, unpacked under $WORK/base. Prints the version.
fetch_base() {
	local site a=$WORK/apt ver cfg d
	site=$(archive_site)
	[ -n "$site" ] || die "no Debian archive in the machine's apt sources"
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
	: >"$a/status"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$site" "$BASE_SUITE" >"$a/sources.list"
	suite_apt apt-get update -qq >&2 || die "apt-get update of $BASE_SUITE failed"
	ver=$BASE_VERSION
	suite_apt apt-cache madison "$BASE_PKG" | awk '{print $3}' | grep -qxF "$ver" ||
		ver=$(suite_apt apt-cache madison "$BASE_PKG" | awk '{print $3; exit}')
	[ -n "$ver" ] || die "$BASE_SUITE has no $BASE_PKG"
	cfg=${BASE_PKG/source/config}
	rm -rf "$WORK/base" "$a/debs"
	mkdir -p "$a/debs"
	(cd "$a/debs" && suite_apt apt-get download "$BASE_PKG=$ver" "$cfg=$ver") >&2 ||
		die "download of $BASE_PKG $ver failed"
	for d in "$a"/debs/*.deb; do dpkg-deb -x "$d" "$WORK/base"; done
	rm -rf "$a/debs"
	printf '%s\n' "$ver"
}

got=$(cat "$WORK/base/version" 2>/dev/null || true)
if [ "$got" != "$BASE_VERSION" ] || [ ! -f "$BASE_TARBALL" ]; then
	got=$(fetch_base)
	printf '%s\n' "$got" >"$WORK/base/version"
fi

[ -n "$got" ] || die "$BASE_PKG could not be installed"
if [ "$got" != "$BASE_VERSION" ]; then
	cat >&2 <<EOF
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!! WARNING: the base is NOT the pinned kernel.
!!   pinned:    $BASE_PKG $BASE_VERSION
!!   installed: $BASE_PKG $got (the archive no longer has the pin)
!! ${PATCHES#"$ROOT"/}/ were made on the pinned base and may not apply to this one.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
EOF
fi
printf '%s\n' "$got" >"$WORK/base-version"
