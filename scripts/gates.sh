# The maintainer gates of make check, sourced by check.sh.
#
# Gates that compare against the base collect their findings in two passes:
# "collect_tip" with the tree at the series' tip, "collect_base" with the
# tree at base (check.sh walks the tree: tip, base, every patch, tip). The
# gate functions then compare: a finding is new when the tip has it more
# often than the base, line numbers aside (patches move lines).
# shellcheck shell=bash

GBUILD=$WORK/build-gates	# project config + UAPI_HEADER_TEST; sparse, W=1
NBUILD=$WORK/build-noiommu	# allnoconfig + 64BIT + PCI: IOMMU_API off
DBUILD=$WORK/build-docs		# htmldocs
BISECT=$WORK/build-bisect	# each patch in turn, config/kernels/bisect.config
FIND=$WORK/findings		# findings per pass: $FIND/{base,tip}/*

# The source files the series changes or adds, and the kbuild directories
# to check: those holding changed C files, plus drivers/iommu and
# drivers/vfio (the series' subject); a directory below another listed one
# is covered by kbuild's recursion.
changed_files() { git -C "$TREE" diff --name-only --diff-filter=AM base series; }
gate_dirs() {
	{
		printf '%s\n' drivers/iommu drivers/vfio
		changed_files | grep -E '\.c$' | grep -vE '^(tools|Documentation|samples|scripts)/' |
			xargs -r -n1 dirname
	} | sort -u | awk 'NR > 1 && index($0, prev "/") == 1 { next } { print; prev = $0 }'
}
kdoc_files() { changed_files | grep -E '\.[ch]$' | grep -vE '^(tools|samples|scripts)/'; }

# Warnings and errors, line and column numbers stripped, sorted.
norm() {
	grep -hE ':[0-9]+(:[0-9]+)?: (warning|error|WARNING|ERROR)' "$@" 2>/dev/null |
		sed -E 's/:[0-9]+(:[0-9]+)?: /: /' | sort
}
# new_findings NAME: what the tip has over the base, and a summary line.
new_findings() {
	local name=$1 new
	new=$(comm -13 <(norm "$FIND/base/$name") <(norm "$FIND/tip/$name"))
	say "$name: base $(norm "$FIND/base/$name" | wc -l), tip $(norm "$FIND/tip/$name" | wc -l), new $(printf '%s' "$new" | grep -c .)"
	[ -z "$new" ] || { say "new over base:"; printf '%s\n' "$new"; return 1; }
}

# The second config: the project's, with every UAPI header compiled alone and
# VFIO's native container, so that vfio_iommu_type1.c (which iommufd's
# container replaces in the VMs) is built and checked too.
gbuild_config() {
	mkdir -p "$GBUILD"
	cp "$BUILD/.config" "$GBUILD/.config"
	# WERROR off: W=1 must list every warning, not stop at the first.
	# SUSPEND: the VMs' kernel has none, VT-d's suspend code is checked
	"$TREE/scripts/config" --file "$GBUILD/.config" -e HEADERS_INSTALL -e UAPI_HEADER_TEST \
		-d WERROR -d IOMMUFD_VFIO_CONTAINER -e VFIO_CONTAINER -e VFIO_IOMMU_TYPE1 -e SUSPEND
	kmake "$GBUILD" olddefconfig
	grep -qx CONFIG_SUSPEND=y "$GBUILD/.config" &&
		grep -qx CONFIG_UAPI_HEADER_TEST=y "$GBUILD/.config" &&
		grep -qx CONFIG_VFIO_IOMMU_TYPE1=y "$GBUILD/.config" &&
		! grep -qx CONFIG_WERROR=y "$GBUILD/.config"
}

# collect PASS: the findings of one tree state into $FIND/PASS. Each
# collector writes its own file; a tool that fails leaves a "FAILED"
# marker, which the gate reports.
collect() {
	local pass=$1 d out=$FIND/$1 dirs
	rm -rf "$out"
	mkdir -p "$out"
	dirs=$(gate_dirs)
	# W=1: rebuild the directories from scratch so every file reports.
	for d in $dirs; do rm -rf "${GBUILD:?}/$d"; done
	kmake "$GBUILD" -k W=1 $(printf '%s/ ' $dirs) >"$out/w1" 2>&1 || echo FAILED >>"$out/w1.status"
	# sparse on every file (C=2), the objects are up to date
	kmake "$GBUILD" -k W=1 C=2 $(printf '%s/ ' $dirs) >"$out/sparse" 2>&1 ||
		echo FAILED >>"$out/sparse.status"
	# coccicheck on the files the series changes that this pass has
	# (88 s; drivers/iommu alone took 235 s): spatch takes the last of its
	# options, so SPFLAGS' --file-groups replaces coccicheck's --dir. 54 of
	# the 73 scripts read no includes, so the files the series leaves alone
	# report the same at both passes; what the others could find in an
	# unchanged file through a changed header is not looked for.
	for f in $(changed_files | grep -E '\.[ch]$' | grep -vE '^(tools|samples|scripts)/'); do
		[ ! -f "$TREE/$f" ] || printf '%s\n\n' "$TREE/$f"
	done >"$out/cocci.files"
	make -C "$TREE" O="$GBUILD" coccicheck MODE=report J="$JOBS" \
		SPFLAGS="--file-groups $out/cocci.files" >"$out/cocci.raw" 2>&1 ||
		echo FAILED >>"$out/cocci.status"
	# coccicheck reports "file:line:col-col: message"; give it the
	# warning shape norm() reads.
	sed -nE 's/^([^ :]+\.[ch]):([0-9]+):([0-9]+)(-[0-9]+)?: (.*)/\1:\2:\3: warning: \5/p' \
		"$out/cocci.raw" >"$out/cocci"
	for f in $(kdoc_files); do
		[ -f "$TREE/$f" ] || continue
		(cd "$TREE" && scripts/kernel-doc -none -Wall "$f") >>"$out/kdoc" 2>&1 ||
			echo FAILED >>"$out/kdoc.status"
	done
	[ -x "$TREE/scripts/kernel-doc" ] || echo FAILED >>"$out/kdoc.status"
	touch "$out/kdoc"
	# from scratch: Sphinx re-reads, and so warns about, changed files only
	rm -rf "$DBUILD"
	kmake "$DBUILD" SPHINXDIRS=userspace-api htmldocs >"$out/htmldocs.raw" 2>&1 ||
		echo FAILED >>"$out/htmldocs.status"
	sed -E "s#$TREE/##g" "$out/htmldocs.raw" >"$out/htmldocs"
}

# compare NAME: a gate over both passes' findings.
compare() {
	local name=$1 p
	for p in base tip; do
		if [ -f "$FIND/$p/$name.status" ]; then
			say "$name did not run at $p:"
			tail -n 30 "$FIND/$p/$name" 2>/dev/null || tail -n 30 "$FIND/$p/$name.raw"
			return 1
		fi
		[ -f "$FIND/$p/$name" ] || { say "$name was not collected at $p"; return 1; }
	done
	new_findings "$name"
}

# Each patch applied in turn builds: kernel, modules, uapi headers and
# kselftests, incremental, in its own directory with the small config of
# config/kernels/bisect.config (iommufd and VFIO as modules). The config is
# merged anew at patch 1 and whenever a Kconfig file changed since the
# commit it was last merged at (a stamp, removed until a merge succeeds),
# so that the options a patch adds are on when it is built; at the tip,
# each of the fragment's options must be on. The kselftests read only
# their sources and the uapi headers: they are built again when a patch
# changes either.
build_patch() {
	local frag=$BISECT/bisect.config first= stamp=$BISECT/config.commit
	# Without ccache: it has served the bisect a compile of a later tree
	# (a dependency file naming a header the patch does not have yet),
	# and each patch's build is incremental anyway.
	local CCACHE=()
	mkdir -p "$BISECT"
	# the fragment, and the base's own additions to it (config/kernels/7.3/)
	cat "$ROOT/config/kernels/bisect.config" \
		$(ls "$ROOT/config/kernels/$BASE/bisect.config" 2>/dev/null) >"$frag.new"
	cmp -s "$frag.new" "$frag" || { mv "$frag.new" "$frag"; rm -f "$stamp"; }
	rm -f "$frag.new"
	[ "$(git -C "$TREE" rev-parse HEAD~1)" != "$(git -C "$TREE" rev-parse base)" ] || first=1
	mkdir -p "$BISECT"
	if [ -n "$first" ] || [ ! -f "$stamp" ] || [ ! -f "$BISECT/.config" ] ||
		! git -C "$TREE" diff --quiet "$(cat "$stamp")" HEAD -- '*Kconfig*'; then
		rm -f "$stamp"
		kmake "$BISECT" allnoconfig &&
			"$TREE/scripts/kconfig/merge_config.sh" -m -O "$BISECT" "$BISECT/.config" "$frag" &&
			kmake "$BISECT" olddefconfig || return 1
		git -C "$TREE" rev-parse HEAD >"$stamp"
	else
		say "config: no Kconfig change since $(cut -c1-12 "$stamp"), the config as before"
	fi
	if [ "$(git -C "$TREE" rev-parse HEAD)" = "$(git -C "$TREE" rev-parse series)" ]; then
		config_survived "$BISECT" "$frag" || return 1
	fi
	kmake "$BISECT" bzImage modules headers || return 1
	# skipped when the patch changed none of their sources or headers
	build_kselftests "$BISECT"
}

# IOMMU_API off: what the series adds to shared headers needs its stubs.
# (A copy of the bisect's objects does not help here: iommufd off changes
# include/config/IOMMUFD, on which most objects depend.)
build_noiommu() {
	mkdir -p "$NBUILD"
	kmake "$NBUILD" allnoconfig
	"$TREE/scripts/config" --file "$NBUILD/.config" -e 64BIT -e PCI
	kmake "$NBUILD" olddefconfig
	if grep -q '^CONFIG_IOMMU_API=y' "$NBUILD/.config"; then
		say "IOMMU_API is on in the no-IOMMU config"
		return 1
	fi
	kmake "$NBUILD" bzImage
}

# CONFIG_UAPI_HEADER_TEST compiles every exported header on its own; then
# the installed headers the series touches compile in C and in C++.
uapi_headers() {
	local h tu=$WORK/uapi-tu
	grep -qx CONFIG_UAPI_HEADER_TEST=y "$GBUILD/.config" ||
		{ say "CONFIG_UAPI_HEADER_TEST is off in $GBUILD"; return 1; }
	kmake "$GBUILD" headers usr/ || return 1
	: >"$tu.h"
	for h in $(changed_files | sed -n 's#^include/uapi/##p' | grep '\.h$') \
		linux/iommufd.h linux/vfio.h; do
		# kbuild leaves a .hdrtest stamp for each header it compiled alone
		[ -f "$GBUILD/usr/include/${h%.h}.hdrtest" ] ||
			{ say "$h was not compiled standalone"; return 1; }
		printf '#include <%s>\n' "$h" >>"$tu.h"
	done
	cat "$tu.h"
	gcc -std=gnu11 -Wall -Werror -isystem "$GBUILD/usr/include" -x c -c "$tu.h" -o /dev/null &&
		g++ -std=c++17 -Wall -Werror -isystem "$GBUILD/usr/include" -x c++ -c "$tu.h" -o /dev/null
}

# Every file each patch touches is covered by a MAINTAINERS entry, and the
# files the series adds are listed in MAINTAINERS.
maintainers() {
	local p f rc=0 out
	for p in $(series_files); do
		# MAINTAINERS itself is the list, in no entry of its own
		for f in $(sed -n 's#^+++ b/##p' "$PATCHES/$p" | grep -vx MAINTAINERS); do
			out=$(cd "$TREE" && scripts/get_maintainer.pl --no-git --no-git-fallback \
				--no-tree -f "$f" 2>/dev/null | grep -E '\((maintainer|supporter|reviewer):')
			if [ -z "$out" ]; then
				say "$p: no MAINTAINERS entry covers $f"
				rc=1
			fi
		done
	done
	return "$rc"
}

# The cover letter states the base, the design, a changelog, the diffstat
# and how the series was tested, with a make check summary.
cover_letter() {
	local c=$PATCHES/0000-cover-letter.patch rc=0 what
	[ -f "$c" ] || { say "no $c"; return 1; }
	for what in '^base-commit: [0-9a-f]{40}$' '^Base$' '^Design$' '^Changelog$' \
		'^Testing$' 'files? changed' '[0-9]+ passed, 0 failed'; do
		grep -qE "$what" "$c" || { say "cover letter lacks /$what/"; rc=1; }
	done
	return "$rc"
}

# The errno table of Documentation/userspace-api/iommu.rst is the contract:
# each of its rows names tests (kselftest fixture.test, KUnit case), each
# named test passed in this run's VMs, and every errno the series' tests
# of the user API (the kselftests, the hostile-input one too, and the
# table's KUnit suite and VT-d's, whose cases the table names as the
# ioctls' answers) expect is a row of the table.
errno_table() {
	local doc=$TREE/Documentation/userspace-api/iommu.rst rc=0 t e table passed known
	table=$(awk '/^Errors$/ { f = 1 } /^UAPI definitions$/ { f = 0 } f' "$doc")
	[ -n "$table" ] || { say "no Errors section in $doc"; return 1; }
	passed=$(cat "$LOGS/vm-mock.results.log" "$LOGS/vm-vtd.results.log" | tr -d '\r' |
		sed -n 's/^\[\(kunit\|iommu_uapi\|iommu_uapi_vfio\|iommu_uapi_hostile\)\] ok [0-9]* \([^ ]*\)$/\2/p')
	# A row begins with its errno; its first line names a test
	while read -r e t; do
		case $t in
		*iommu_uapi.* | *uapi_paths.* | *vfio_dev.* | *hostile.* | *iommu_uapi_test_* | *vtd_test_*) ;;
		*) say "row $e names no test"; rc=1 ;;
		esac
	done < <(printf '%s\n' "$table" | grep -E '^-E[A-Z0-9]+ ' |
		awk '{ print $1, $NF }')
	for t in $(printf '%s\n' "$table" |
		grep -oE '\b(iommu_uapi|uapi_paths|vfio_dev|hostile)\.[a-z0-9_]+|\b(iommu_uapi|vtd)_test_[a-z0-9_]+' |
		sort -u); do
		if grep -qxF "$t" <<<"$passed"; then
			say "ok: $t"
		else
			say "$t, named by the errno table, did not pass in this run"
			rc=1
		fi
	done
	known=$(grep -hoE '^#define[[:space:]]+E[A-Z0-9]+' "$TREE"/include/uapi/asm-generic/errno*.h |
		awk '{ print $2 }' | sort -u)
	for e in $(cd "$TREE" && grep -hoE '\bE[A-Z0-9]+\b' tools/testing/selftests/iommu/iommu_uapi.c \
		tools/testing/selftests/iommu/iommu_uapi_vfio.c \
		tools/testing/selftests/iommu/iommu_uapi_hostile.c drivers/iommu/iommu-uapi-kunit.c \
		drivers/iommu/intel/nested_kunit.c |
		sort -u | grep -xF "$known"); do
		printf '%s\n' "$table" | grep -qE "^-$e " && continue
		say "the tests expect $e, which the errno table lacks"
		rc=1
	done
	return "$rc"
}
