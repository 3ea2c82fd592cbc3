#!/usr/bin/env bash
# Make $TREE: the pristine base as the first commit (tag "base"), then
# $PATCHES (patches/) applied in order with git am on branch "series".
#
# Cheap and idempotent: nothing is done when the tree already holds exactly
# patches/. The tree is never reset while it has commits or changes that
# patches/ does not hold (run "make export" first), unless FORCE=1.
. "$(dirname "$0")/lib.sh"

# Git needs an identity to commit; CI may have none.
git config --global user.email >/dev/null 2>&1 || export \
	GIT_AUTHOR_NAME="iommu-uapi harness" GIT_AUTHOR_EMAIL="harness@localhost" \
	GIT_COMMITTER_NAME="iommu-uapi harness" GIT_COMMITTER_EMAIL="harness@localhost"

base_version=$(cat "$WORK/base-version" 2>/dev/null || echo unknown)

# unexported: the tree has changes or commits that patches/ does not hold
unexported() {
	local _stamp head
	[ -n "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] && return 0
	[ -f "$WORK/tree.applied" ] || return 1
	read -r _stamp head <"$WORK/tree.applied"
	[ "$head" != "$(git -C "$TREE" rev-parse HEAD)" ]
}

if [ ! -d "$TREE/.git" ] || [ "$(cat "$WORK/tree.base" 2>/dev/null)" != "$base_version" ]; then
	if [ -d "$TREE/.git" ] && [ "${FORCE:-0}" != 1 ] && unexported; then
		die "the base is now $base_version, and $TREE holds work not exported to patches/; 'make export', or FORCE=1 to discard"
	fi
	say "extracting $BASE_TARBALL ($BASE_PKG $base_version) into $TREE"
	rm -rf "$TREE" "$WORK/tree.applied"
	mkdir -p "$TREE"
	tar -xf "$BASE_TARBALL" -C "$TREE" --strip-components=1
	cd "$TREE"
	git init -q -b series .
	# Debian's top-level .gitignore ends in "/*": force-add the pristine
	# source. Fixed identity and dates make the base commit id the same
	# on every machine, so patches' base-commit lines can be checked.
	git add -f -A .
	GIT_AUTHOR_NAME="Debian $BASE_PKG" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_COMMITTER_NAME="Debian $BASE_PKG" GIT_COMMITTER_EMAIL="debian-kernel@lists.debian.org" \
	GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
		git commit -q -m "Debian $BASE_PKG $base_version, pristine"
	git tag base
	# Locally, let git see new files: drop Debian's "/*" rule from the
	# work copy of .gitignore and tell git to ignore that edit.
	git update-index --skip-worktree .gitignore
	sed -i -e '\#^/\*$#d' -e '\#^!/debian/$#d' .gitignore
	printf '%s\n' "$base_version" >"$WORK/tree.base"
fi

cd "$TREE"
want=$(patches_stamp)
have_stamp= have_head=
[ ! -f "$WORK/tree.applied" ] || read -r have_stamp have_head <"$WORK/tree.applied"
head=$(git rev-parse HEAD)

if [ "$have_stamp" = "$want" ] && [ "$have_head" = "$head" ] &&
   [ -z "$(git status --porcelain --untracked-files=no)" ]; then
	say "tree is up to date with ${PATCHES#"$ROOT"/}/ ($(git rev-list --count base..HEAD) patches on base)"
	exit 0
fi

if [ "${FORCE:-0}" != 1 ]; then
	if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
		die "$TREE has uncommitted changes; commit and 'make export', or FORCE=1 to discard"
	fi
	if [ -n "$have_head" ] && [ "$have_head" != "$head" ]; then
		die "$TREE has commits not exported to patches/; 'make export', or FORCE=1 to discard"
	fi
fi

say "applying ${PATCHES#"$ROOT"/}/ to base"
git am --abort >/dev/null 2>&1 || true
git checkout -q -f -B series base
for p in $(series_files); do
	git am -q --keep-cr "$PATCHES/$p" || { git am --abort; die "patch $p does not apply"; }
done
printf '%s %s\n' "$want" "$(git rev-parse HEAD)" >"$WORK/tree.applied"
say "tree: $(git rev-list --count base..HEAD) patches on base"
