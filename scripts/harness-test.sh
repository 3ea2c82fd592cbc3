#!/usr/bin/env bash
# The harness's own failure paths, on synthetic logs and a synthetic tree:
# what results.sh counts, what find_splats matches, what the findings
# gates call new, the old-userspace comparison, the coverage report and
# the status join_job hands back.
# Each case is one line; exits non-zero when a case does not hold.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0

# tally CASE SECTIONS -- EXPECTED: results.sh on the log in $tmp/log must
# print "TALLY EXPECTED".
tally() {
	local desc=$1 got
	shift
	n=$((n + 1))
	got=$("$ROOT/scripts/results.sh" "$tmp/log" "$@" | sed -n 's/^TALLY //p')
	if [ "$got" = "$want" ]; then
		say "ok $n results: $desc"
	else
		say "not ok $n results: $desc (got '$got', want '$want')"
		bad=1
	fi
}
splat() {
	local desc=$1 expect=$2
	n=$((n + 1))
	if splat_report "$tmp/console" >/dev/null; then got=found; else got=none; fi
	if [ "$got" = "$expect" ]; then
		say "ok $n splats: $desc"
	else
		say "not ok $n splats: $desc (got $got, want $expect)"
		bad=1
	fi
}

printf '[a] 1..3\r\n[a] ok 1 x\r\n[a] ok 2 y # SKIP no device\r\n[a] not ok 3 z\r\n[a] exit=1\n' >"$tmp/log"
want="1 1 1" tally "pass, skip and fail counted, CRLF line ends" a
printf '[a] 1..4\n[a] ok 1 x\n[a] ok 2 y\n[a] exit=0\n' >"$tmp/log"
want="2 2 0" tally "planned tests that never reported are failures" a
printf '[a] 1..1\n[a] ok 1 x\n[a] exit=139\n' >"$tmp/log"
want="1 1 0" tally "a non-zero exit without a failed test is a failure" a
printf '[a] 1..1\n[a] ok 1 x\n[a] exit=0\n' >"$tmp/log"
want="1 1 0" tally "a missing section is a failure" a b
printf '[a] ok 1 x\n[a] exit=0\n' >"$tmp/log"
want="1 1 0" tally "a section without a TAP plan is a failure" a
printf '[a] 1..1\n[b] 1..1\n[b] ok 1 x\n[a] ok 1 x\n' >"$tmp/log"
want="2 0 0" tally "sections are counted apart" a b

printf '[    1.0] Linux version 7.3.4\n[    9.0] reboot: Power down\n' >"$tmp/console"
splat "a clean boot has none" none
printf '[ 2.0] FAULT_INJECTION: forcing a failure.\n[ 2.0] Call Trace:\n[ 2.1] iommufd_fail_nth: page allocation failure: order:0\n' >"$tmp/console"
splat "fault injection reports are not splats" none
for s in "WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:1 f+0x1/0x2" \
	"BUG: kernel NULL pointer dereference, address: 0000000000000000" \
	"Oops: general protection fault, probably for non-canonical address" \
	"BUG: KASAN: slab-out-of-bounds in iommu_f+0x1/0x2" \
	"UBSAN: array-index-out-of-bounds in drivers/iommu/iommu.c:1:2" \
	"WARNING: possible circular locking dependency detected" \
	"INFO: task init:1 blocked for more than 60 seconds." \
	"rcu: INFO: rcu_preempt self-detected stall on CPU"; do
	printf '[ 3.0] %s\n' "$s" >"$tmp/console"
	splat "found: ${s%% in *}" found
done

# stage: a harness warning in a stage's log shows on the terminal
n=$((n + 1))
if stage "warn" "$tmp/stage.log" printf '%s\n' "built" "!! WARNING: not the pin" |
	grep -q '^    !! WARNING: not the pin$'; then
	say "ok $n stage: a warning in the log is shown"
else
	say "not ok $n stage: a warning in the log is shown"
	bad=1
fi

# new_findings: the base/tip comparison of the maintainer gates
findings() {
	local desc=$1 expect=$2 got
	n=$((n + 1))
	if FIND=$tmp/find new_findings x >/dev/null; then got=none; else got=new; fi
	if [ "$got" = "$expect" ]; then
		say "ok $n findings: $desc"
	else
		say "not ok $n findings: $desc (got $got, want $expect)"
		bad=1
	fi
}
. "$ROOT/scripts/gates.sh"
mkdir -p "$tmp/find/base" "$tmp/find/tip"
printf 'a.c:10:5: warning: w1\na.c:20:1: warning: w2\n' >"$tmp/find/base/x"
printf 'a.c:12:5: warning: w1\na.c:22:1: warning: w2\n' >"$tmp/find/tip/x"
findings "a warning that only moved is not new" none
printf 'a.c:12:5: warning: w1\na.c:22:1: warning: w2\na.c:40:1: warning: w2\n' >"$tmp/find/tip/x"
findings "one more of the same warning is new" new

for i in $(seq 5000); do printf '[ 2.0] WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:%s f\n' "$i"; done >"$tmp/console"
splat "a console full of splats (more than the 20 printed)" found

# oldabi.sh compare: the base's kselftests on the base and on the series
oldabi() {
	local desc=$1 expect=$2 got
	n=$((n + 1))
	if LOGS=$tmp ABI_LIST=$tmp/list BASE_LOG=$tmp/base TIP_LOG=$tmp/tip \
		"$ROOT/scripts/oldabi.sh" compare >"$tmp/oldabi.out" 2>&1; then
		got=pass
	else
		got=fail
	fi
	if [ "$got" = "$expect" ]; then
		say "ok $n oldabi: $desc"
	else
		say "not ok $n oldabi: $desc (got $got, want $expect)"
		sed 's/^/# /' "$tmp/oldabi.out"
		bad=1
	fi
}
printf '[iommufd] 1..3\n[iommufd] ok 1 x\n[iommufd] ok 2 f.v.y\n[iommufd] ok 3 f.w.y\n[iommufd] exit=0\n[iommufd_fail_nth] 1..1\n[iommufd_fail_nth] ok 1 z\n[iommufd_fail_nth] exit=0\n[abi_probe] p.q = -EINVAL, n 1\n[abi_probe] exit=0\n' >"$tmp/base"
cp "$tmp/base" "$tmp/tip"
printf 'change: c\ntest:   none\n' >"$tmp/list"
oldabi "the same results, nothing listed" pass
sed 's/ok 2 f.v.y/not ok 2 f.v.y/' "$tmp/base" >"$tmp/tip"
oldabi "a difference the list lacks" fail
printf 'change: c\ntest:   f.*.y\n' >"$tmp/list"
oldabi "a difference the list has, by pattern" pass
sed -i 's/$/\r/' "$tmp/base" "$tmp/tip"
oldabi "the same, CRLF line ends" pass
sed -i 's/\r$//' "$tmp/base" "$tmp/tip"
sed 's/ok 1 x/not ok 1 x/; s/ok 2 f.v.y/not ok 2 f.v.y/' "$tmp/base" >"$tmp/tip"
printf 'change: c\ntest:   x\ntest:   f.*.y\n' >"$tmp/list"
oldabi "two differences, each listed" pass
printf 'change: c\ntest:   f.*.y\n' >"$tmp/list"
cp "$tmp/base" "$tmp/tip"
oldabi "a listed test that no longer differs" fail
grep -v 'ok 3 f.w.y' "$tmp/base" >"$tmp/tip"
printf 'change: c\ntest:   none\n' >"$tmp/list"
oldabi "a test missing from the series' run" fail
sed 's/= -EINVAL, n 1/= 0, n 1/' "$tmp/base" >"$tmp/tip"
oldabi "a probe's answer that the list lacks" fail
printf 'change: c\ntest:   probe:p.q\n' >"$tmp/list"
oldabi "a probe's answer the list has" pass
printf 'change: c\ntest:   none\n' >"$tmp/list"
grep -v 'abi_probe. exit' "$tmp/base" >"$tmp/tip"
oldabi "a probe that did not finish" fail
sed 's/ok 1 x/not ok 1 x/' "$tmp/base" >"$tmp/tip"
cp "$tmp/tip" "$tmp/base"
oldabi "a base run that fails a test of its own, as the series does" pass
sed 's/^\[iommufd\] not ok 1 x/[iommufd] ok 1 x/' "$tmp/base" >"$tmp/tip"
oldabi "a test that fails on the base and passes on the series" fail

# The coverage report on a synthetic tree: base adds nothing, series adds
# three lines to drivers/x/a.c, of which gcov calls two executable.
cov() {
	local desc=$1 expect=$2 got
	n=$((n + 1))
	if python3 "$ROOT/scripts/coverage.py" report "$tmp/cov" "$tmp/cov.list" \
		"$tmp/cov.json" >"$tmp/cov.out" 2>&1; then got=pass; else got=fail; fi
	if [ "$got" = "$expect" ]; then
		say "ok $n coverage: $desc"
	else
		say "not ok $n coverage: $desc (got $got, want $expect)"
		sed 's/^/# /' "$tmp/cov.out"
		bad=1
	fi
}
mkdir -p "$tmp/cov/drivers/x"
(
	cd "$tmp/cov"
	git init -q
	printf 'int f(void)\n{\n\treturn 0;\n}\n' >drivers/x/a.c
	printf 'int t[] = {\n\t1,\n};\n\nint g(void)\n{\n\treturn 0;\n}\n' >drivers/x/b.c
	git add drivers/x/a.c drivers/x/b.c
	git -c user.name=t -c user.email=t@t commit -q -m base
	git tag base
	printf 'int f(int a)\n{\n\tif (a)\n\t\treturn 1;\n\t/* none */\n\treturn 0;\n}\n' >drivers/x/a.c
	printf 'int t[] = {\n\t1,\n\t2,\n};\n\nint g(void)\n{\n\treturn 0;\n}\n' >drivers/x/b.c
	git -c user.name=t -c user.email=t@t commit -q -a -m series
	git branch -q series
)
: >"$tmp/cov.list"
printf '{"drivers/x/a.c": {"3": [5, "f"], "4": [2, "f"], "6": [3, "f"]}, "drivers/x/b.c": {"8": [1, "g"]}}' >"$tmp/cov.json"
cov "every added line ran (b.c adds none)" pass
printf '{"drivers/x/a.c": {"3": [5, "f"], "4": [0, "f"], "6": [3, "f"]}, "drivers/x/b.c": {"8": [1, "g"]}}' >"$tmp/cov.json"
cov "an added line that did not run" fail
printf 'drivers/x/a.c | f | return 1; | a reason\n' >"$tmp/cov.list"
cov "... listed, with its reason" pass
printf 'drivers/x/a.c | f | return 1; |\n' >"$tmp/cov.list"
cov "... listed without a reason" fail
printf 'drivers/x/a.c | f | return 1; | a reason\ndrivers/x/a.c | f | return 0; | stale\n' >"$tmp/cov.list"
cov "a listed line that ran" fail
printf '{"drivers/x/a.c": {"3": [5, "f"], "4": [2, "f"], "6": [3, "f"]}}' >"$tmp/cov.json"
: >"$tmp/cov.list"
cov "no coverage data for a file" fail

# spawn/join_job: join_job returns the job's own status, also when bash has
# forgotten the job's pid (as it does when a later child reuses it).
bgcase() {
	local desc=$1 want=$2 got=0
	n=$((n + 1))
	join_job t >/dev/null || got=$?
	if [ "$got" = "$want" ]; then
		say "ok $n join_job: $desc"
	else
		say "not ok $n join_job: $desc (got $got, want $want)"
		bad=1
	fi
}
LOGS=$tmp
spawn t sh -c 'exit 3'
bgcase "a job's status" 3
spawn t sh -c 'exit 3'
wait "${BG[t]}"
BG[t]=$$	# not a child: the pid bash forgot
bgcase "a job's status, its pid forgotten" 3
spawn t true
bgcase "a job that passed" 0
spawn t sh -c 'echo out'
wait "${BG[t]}"
rm "$tmp/bg-t.rc"
bgcase "a job that left no status" 1
n=$((n + 1))
if [ "$(join_job t)" = out ]; then
	say "ok $n join_job: the job's output"
else
	say "not ok $n join_job: the job's output"
	bad=1
fi

say "1..$n"
exit "$bad"
