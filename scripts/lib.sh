# Shared settings and helpers, sourced by every script in scripts/.
# shellcheck shell=bash

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The base: a Debian kernel source package, pinned, fetched from the suite
# BASE_SUITE of the Debian archive the machine's apt sources name, through
# an apt state of the harness's own (scripts/deps.sh): nothing of the
# machine's own suites changes. BASE names it in logs and paths (the old
# kernel's work directory, abi/changes-from-$BASE, config/$BASE/); a base
# has a work directory of its own, so that the next one can be built
# beside it.
# shellcheck disable=SC2034 # used by the scripts that source this file
BASE=7.3
BASE_PKG=linux-source-7.3
BASE_VERSION=7.3.4-1~bpo13+1
BASE_SUITE=trixie-backports
WORK=${WORK:-$ROOT/work/7.3}
BASE_TARBALL=$WORK/base/usr/src/linux-source-7.3.tar.xz
PATCHES=$ROOT/patches
COVER_LETTER=$ROOT/cover-letter.txt
SERIES_VERSION=v4
# The vtd VM carries QEMU 11.1 (scripts/qemu-root.sh) for its vmm job
QEMU_PAYLOAD=${QEMU_PAYLOAD:-$ROOT/work/qemu-11.1/payload}
TREE=$WORK/linux		# the kernel git tree: base commit + patches/
BUILD=${HARNESS_BUILD:-$WORK/build}	# O= build directory of the project config
LOGS=${LOGS:-$WORK/logs}	# every stage's full output

JOBS=${JOBS:-$(nproc)}
export LC_ALL=C

# kmake DIR ARGS...: make in the kernel tree with objects in DIR, ccache when
# installed, and no "+" on the release string (the tree is a git repo, but
# its version is the base's).
# CCACHE_BASEDIR: paths under the clone are hashed relative to the build
# directory, so that a clone elsewhere (CI's) reuses what another built.
CCACHE=()
if command -v ccache >/dev/null 2>&1; then
	CCACHE=(CC="ccache gcc" HOSTCC="ccache gcc")
	export CCACHE_BASEDIR=$ROOT
fi
kmake() {
	local o=$1 gcov
	shift
	mapfile -t gcov < <(gcov_args)
	make -C "$TREE" O="$o" -j"$JOBS" LOCALVERSION= "${CCACHE[@]}" "${gcov[@]}" \
		"${SANITIZE[@]}" "$@"
}
# The debug kernel's compile-time checks (config/debug.config: KASAN, UBSAN)
# instrument the code under test, drivers/iommu and drivers/vfio: their
# loads and stores (to any object, with the allocators' redzones and
# quarantine), their copies from user space, bounds and shifts are
# checked. The rest of the kernel is not instrumented: KASAN sees only its
# bad frees. Instrumenting every object tripled the kernel's cold build
# here (README.md, "The kernels"). A make
# expression, expanded in each directory's build; without CONFIG_KASAN or
# CONFIG_UBSAN it does nothing.
SANITIZE_DIRS="drivers/iommu drivers/iommu/% drivers/vfio drivers/vfio/%"
SANITIZE=("KASAN_SANITIZE=\$(if \$(filter $SANITIZE_DIRS,\$(obj)),y,n)"
	"UBSAN_SANITIZE=\$(if \$(filter $SANITIZE_DIRS,\$(obj)),y,n)")

# The C files in drivers/ that the series changes, tests aside: the files
# whose added lines the coverage gate counts (scripts/coverage.py).
covered_files() {
	[ -d "$TREE/.git" ] || return 0
	python3 "$ROOT/scripts/coverage.py" files "$TREE" 2>/dev/null || true
}
# With CONFIG_GCOV_KERNEL (config/iommu.config), kbuild profiles an object
# whose GCOV_PROFILE_<name>.o is y. The name has no directory (main.o is
# also arch/x86/boot's, which cannot link gcov), so the value is y only in
# the covered files' directories: a make expression, expanded in each
# directory's build. Given on every make call, the same every time, so that
# a later call does not rebuild these objects.
gcov_args() {
	covered_files | awk -F/ '{
		stem = $NF; sub(/\.c$/, "", stem)
		dir = $0; sub("/[^/]*$", "", dir)
		dirs[stem] = dirs[stem] " " dir
	} END {
		for (s in dirs)
			printf "GCOV_PROFILE_%s.o=$(if $(filter%s,$(obj)),y)\n", s, dirs[s]
	}' | sort
}

mkdir -p "$WORK" "$LOGS"

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# stage NAME LOGFILE CMD...: run CMD with its output in LOGFILE, print one
# line with the result and the wall time, then the log's "!! " lines (the
# harness's warnings), and return CMD's status.
stage() {
	local name=$1 log=$2 start rc=0
	shift 2
	start=$(date +%s)
	printf '==> %-34s ' "$name"
	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		printf 'ok    (%ss)\n' "$(($(date +%s) - start))"
	else
		printf 'FAIL  (%ss, exit %s)\n    log: %s\n' \
			"$(($(date +%s) - start))" "$rc" "$log"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
	# The harness's own warnings ("!! " lines) show whatever the result
	grep '^!! ' "$log" | sed 's/^/    /' || true
	return "$rc"
}

# spawn ID CMD...: CMD in the background, its output and exit status held
# for join_job. The VMs run on one core each (TCG), so a long VM job runs
# beside other work. The status goes to a file, not to wait: by the join,
# the bisect builds may have wrapped the pids (pid_max 32768), and bash
# forgets a finished job whose pid a later child reuses.
declare -A BG
spawn() {
	local id=$1
	shift
	rm -f "$LOGS/bg-$id.rc"
	{
		local rc=0
		"$@" || rc=$?
		echo "$rc" >"$LOGS/bg-$id.rc"
	} >"$LOGS/bg-$id.out" 2>&1 &
	BG[$id]=$!
}
# join_job ID: wait for spawn ID, print what it printed, return its status.
join_job() {
	local rc
	wait "${BG[$1]}" 2>/dev/null
	cat "$LOGS/bg-$1.out"
	# no status (the job died before it wrote one): a failure
	rc=$(cat "$LOGS/bg-$1.rc" 2>/dev/null)
	return "${rc:-1}"
}

# The project config's fragments: config/*.config, then config/$BASE/*.config.
config_fragments() {
	local f
	for f in "$ROOT"/config/*.config "$ROOT/config/$BASE"/*.config; do
		[ ! -f "$f" ] || printf '%s\n' "$f"
	done
}
# make_config [DIR]: the project config in DIR (default $BUILD):
# x86_64_defconfig + kvm_guest.config + the fragments above.
make_config() {
	local o=${1:-$BUILD} frags
	mapfile -t frags < <(config_fragments)
	kmake "$o" x86_64_defconfig
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" \
		"$TREE/kernel/configs/kvm_guest.config" "${frags[@]}"
	kmake "$o" olddefconfig
}

# seed_build DIR FROM: a build directory that does not exist yet starts
# as a copy of FROM's objects, without FROM's modules, tests and
# initramfs. Kbuild's objects name the source tree by its absolute path
# and their own directory as "./": in the copy, make compiles again only
# what the new config or the tree's changes touch, and objtool (its build
# names its directory in full). Copied aside, then moved into place: a
# copy cut short is not taken for a build directory.
seed_build() {
	local o=$1 from=$2
	[ ! -f "$o/.config" ] && [ -f "$from/.config" ] || return 0
	rm -rf "$o" "$o.tmp"
	cp -a "$from" "$o.tmp" &&
		rm -rf "$o.tmp/modroot" "$o.tmp/initramfs" "$o.tmp/initramfs.cpio.gz" \
			"$o.tmp/kselftest" &&
		mv "$o.tmp" "$o" || return 1
	say "$o: seeded from $from"
}

# config_survived DIR FRAGMENT...: merge_config drops silently what a
# dependency forbids; every option the fragments set must be in DIR's
# .config as written, and every option they unset must not be set there
# (an option no prompt shows is absent from .config when off: it passes
# if the tree's Kconfig defines it, so a misspelt name still fails).
config_survived() {
	local o=$1 line sym bad=0
	shift
	[ -f "$o/.config" ] || die "config_survived: no $o/.config"
	while read -r line; do
		grep -qxF "$line" "$o/.config" && continue
		sym=${line#\# }
		sym=${sym%%[= ]*}
		[[ $line == "# "* ]] && ! grep -qE "^$sym=" "$o/.config" &&
			git -C "$TREE" grep -qE "^(menu)?config ${sym#CONFIG_}\$" \
				-- '*Kconfig*' && continue
		say "config: '$line' did not survive, .config has: $(grep -E "^(# )?$sym[= ]" "$o/.config" || echo nothing)"
		bad=1
	done < <(grep -hE '^(# )?CONFIG_[A-Z0-9_]+( is not set|=)' "$@")
	return "$bad"
}

# config_fragments_survived: config_survived for $BUILD and its fragments
config_fragments_survived() {
	local frags
	mapfile -t frags < <(config_fragments)
	config_survived "$BUILD" "${frags[@]}"
}

# install_modules [DIR]: the modules of the build in DIR (default $BUILD),
# stripped, with modules.dep, under DIR/modroot, for the initramfs.
install_modules() {
	local o=${1:-$BUILD}
	rm -rf "$o/modroot"
	kmake "$o" INSTALL_MOD_PATH="$o/modroot" INSTALL_MOD_STRIP=1 modules_install
}

# up_to_date FILE PATH...: FILE exists and nothing under PATH... is newer
up_to_date() {
	local f=$1
	shift
	[ -f "$f" ] && [ -z "$(find "$@" -newer "$f" -print -quit)" ]
}

# build_kselftests [DIR]: the iommu kselftests of the tree, static, against
# the uapi headers of the build in DIR (default $BUILD), into DIR/kselftest.
# Skipped when no source, header or this file (the command) is newer than
# the last build's stamp, which is taken before the build starts.
build_kselftests() {
	local o=${1:-$BUILD} stamp=${1:-$BUILD}/kselftest/.stamp
	if up_to_date "$stamp" "$TREE/tools/testing/selftests/iommu" \
		"$TREE"/tools/testing/selftests/{kselftest*.h,lib.mk} \
		"$TREE/drivers/iommu/iommufd/iommufd_test.h" "$o/usr/include" \
		"$ROOT/scripts/lib.sh"; then
		echo "kselftests: up to date"
		return 0
	fi
	mkdir -p "$o/kselftest/iommu"
	touch "$stamp.new"
	# -B: the selftest Makefile does not track iommufd_utils.h
	make -B -C "$TREE/tools/testing/selftests/iommu" OUTPUT="$o/kselftest/iommu" \
		KHDR_INCLUDES="-isystem $o/usr/include" LDFLAGS=-static &&
		mv "$stamp.new" "$stamp"
}

# build_story: make run's story, guest SVA bring-up on the mock driver
# (guest/sva_story.c), against the build's uapi headers and the selftest's
# iommufd_test.h, into the kselftests' directory so the initramfs takes it.
build_story() {
	local bin=$BUILD/kselftest/story/sva_story
	if up_to_date "$bin" "$ROOT/guest/sva_story.c" \
		"$TREE/drivers/iommu/iommufd/iommufd_test.h" "$BUILD/usr/include" \
		"$ROOT/scripts/lib.sh"; then
		echo "story: up to date"
		return 0
	fi
	mkdir -p "$BUILD/kselftest/story"
	gcc -O2 -Wall -Werror -static -isystem "$BUILD/usr/include" \
		-I "$TREE/drivers/iommu/iommufd" -o "$bin" "$ROOT/guest/sva_story.c"
}

# The result sections of the mock VM's job (guest/init, job kselftest)
MOCK_SECTIONS="kunit iommufd iommufd_fail_nth iommu_uapi iommu_uapi_hostile story"
# ... and of the vtd VM's (job vtd)
VTD_SECTIONS="vtd iommu_uapi_vfio"
# ... and of the distribution-shaped kernel's, in the vtd VM (job dist)
DIST_SECTIONS="dist type1"
# ... and of the virtio VM's (job virtio)
VIRTIO_SECTIONS="virtio iommu_uapi_vfio"
# ... and of the noiommu VM's (job noiommu)
NOIOMMU_SECTIONS="noiommu"

# The site of the machine's Debian archive, the one serving its release, as
# the machine's apt sources name it: other suites of the same archive are
# reached through it, and no host is written down.
archive_site() {
	local codename
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	# shellcheck disable=SC2016 # apt's format, not the shell's
	apt-get indextargets --format '$(SITE) $(RELEASE)' 'Created-By: Packages' |
		awk -v r="$codename" '$2 == r { print $1; exit }'
}

# The patch files listed in patches/series, in order.
series_files() { grep -v -e '^#' -e '^[[:space:]]*$' "$PATCHES/series"; }
# A short hash of the series: what "make tree" has applied, and when to redo it.
patches_stamp() { (cd "$PATCHES" && cat series $(series_files)) | sha256sum | cut -c1-16; }

# Print the kernel splats in a console log; return 0 when there is one.
# Fault injection's stack dumps and allocation-failure reports are expected
# under iommufd_fail_nth and are not matched.
SPLAT_RE='WARNING:|BUG:|kernel BUG at|Oops|general protection fault|KASAN:|UBSAN:'
SPLAT_RE+='|possible circular locking|possible recursive locking|inconsistent lock state'
SPLAT_RE+='|suspicious RCU usage|INFO: task .* blocked for more than|soft lockup|hard LOCKUP'
SPLAT_RE+='|rcu_.* detected stalls|rcu_.* self-detected stall|Kernel panic|kernel stack overflow'
find_splats() { grep -nE "$SPLAT_RE" "$1"; }
# splat_report CONSOLE: print its first 20 splat lines; return 0 when there
# is one. Read whole before it is cut: under pipefail, a head that closed a
# pipe from grep early would fail the pipeline and hide a console full of
# splats.
splat_report() {
	local s
	s=$(find_splats "$1" || true)
	[ -n "$s" ] || return 1
	head -n 20 <<<"$s" | sed 's/^/    /'
}

# The commit the base kernel of the old-userspace gate and of make bench is
# built from: the tree's tag "base".
old_commit() { git -C "$TREE" rev-parse base; }
