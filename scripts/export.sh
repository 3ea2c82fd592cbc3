#!/usr/bin/env bash
# Regenerate $PATCHES (patches/) from the tree's commits on base: format-patch output,
# a cover letter (subject and text from $COVER_LETTER, shortlog and
# diffstat from git) and the series file.
. "$(dirname "$0")/lib.sh"

cd "$TREE"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "$TREE has uncommitted changes: commit them first"
n=$(git rev-list --count base..HEAD)
[ "$n" -gt 0 ] || die "no commits on base to export"

# The cover letter's first line is its subject, the rest its body.
git config branch.series.description "$(cat "$COVER_LETTER")"
rm -f "$PATCHES"/*.patch
git format-patch -q --cover-letter --cover-from-description=subject \
	--subject-prefix="PATCH $SERIES_VERSION" \
	--zero-commit --base=base --no-signature -o "$PATCHES" base..HEAD
(cd "$PATCHES" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-') >"$PATCHES/series"

printf '%s %s\n' "$(patches_stamp)" "$(git rev-parse HEAD)" >"$WORK/tree.applied"
say "exported $n patches and a cover letter to ${PATCHES#"$ROOT"/}/"
