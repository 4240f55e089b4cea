# SPDX-License-Identifier: GPL-2.0
# ktap.py on canned TAP streams and console logs: a verdict from the
# parsed results, nested ones included.
. "$(dirname "$0")/lib.sh"
k() { "$harness/ktap.py" "$@"; }

# Flat TAP streams.
printf '# a comment\r\nok 1 - a\nok 2 - b # SKIP not here\nnoise\n1..2\n' > pass.tap
expect_ok "a complete passing stream passes (SKIP counts as passed)" k pass.tap
[ "$(k pass.tap | head -n 1)" = "pass.tap: document 1: 1 passed, 0 failed, 1 skipped of 2" ] &&
	tap_ok "the counts are reported" || tap_not_ok "the counts are reported"
printf '1..2\nok 1 - a\nnot ok 2 - b broke\n' > fail.tap
expect_fail "a failed result fails and is named" "^  not ok 2 - b broke$" k fail.tap
printf 'ok 1 - a\nok 2 - b\n1..3\n' > short.tap
expect_fail "fewer results than planned fail" "^  2 results for a plan of 3$" k short.tap
printf 'ok 1 - a\n' > noplan.tap
expect_fail "a stream without a plan fails" "^  no plan$" k noplan.tap
printf '1..1\nok 1 - a\n1..1\nok 1 - a\n' > twoplans.tap
expect_fail "two plans in one stream fail" "^  2 plans, not one$" k twoplans.tap
printf 'ok 1 - a\nok 3 - b\n1..2\n' > numbers.tap
expect_fail "misnumbered results fail" "^  result 2 is numbered 3$" k numbers.tap
printf 'ok 1 - a\nBail out! no disk\n1..1\n' > bail.tap
expect_fail "a bail out fails" "^  Bail out! no disk$" k bail.tap
printf 'not ok 1 - a # TODO later\n1..1\n' > todo.tap
expect_fail "a TODO result is not accepted" "TODO result: not ok 1 - a # TODO later" k todo.tap
: > empty.tap
expect_fail "an empty file fails" "empty.tap: no KTAP or TAP document" k empty.tap
printf 'KTAP version 1\n1..0 # SKIP no hardware\n' > skipall.tap
expect_ok "a wholly skipped stream (1..0, SKIP) passes" k skipall.tap

# KUnit: suites nested by four spaces, behind printk timestamps.
cat > kunit.log <<'EOF'
[    0.000000] Linux version 7.0.0 (gcc) #1 SMP
[    1.100000] KTAP version 1
[    1.100001] 1..2
[    1.100002]     KTAP version 1
[    1.100003]     # Subtest: module_hashes
[    1.100004]     # module_hashes: pass:2 fail:0 skip:0 total:2
[    1.100005]     1..2
[    1.100006]     ok 1 hash_known
[    1.100007]     ok 2 hash_rejects_bad
[    1.100008] # module_hashes: pass:2 fail:0 skip:0 total:2
[    1.100009] ok 1 module_hashes
[    1.100010]     KTAP version 1
[    1.100011]     # Subtest: other
[    1.100012]     1..1
[    1.100013]     ok 1 x # SKIP not built
[    1.100014] ok 2 other # SKIP not built
[    1.200000] Freeing unused kernel image memory: 1024K
EOF
expect_ok "passing KUnit suites pass" k kunit.log
[ "$(k kunit.log | head -n 1)" = "kunit.log: document 1: 1 passed, 0 failed, 1 skipped of 2" ] &&
	tap_ok "printk timestamps are stripped" || tap_not_ok "printk timestamps are stripped"
sed -e 's/    ok 2 hash_rejects_bad/    not ok 2 hash_rejects_bad/' \
	-e 's/^\(\[[^]]*\]\) ok 1 module_hashes/\1 not ok 1 module_hashes/' kunit.log > kunit-fail.log
expect_fail "a failed KUnit case fails and is named with its path" \
	"^  not ok 1 module_hashes / not ok 2 hash_rejects_bad$" k kunit-fail.log

# The kselftest runner: a script's own KTAP nested behind "# ".
cat > runner.tap <<'EOF'
TAP version 13
1..3
# selftests: module-hashes: 10-load
# TAP version 13
# 1..2
# ok 1 load a.ko
# # a comment
# ok 2 load b.ko
# # Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
ok 1 selftests: module-hashes: 10-load
# selftests: module-hashes: 30-module-auth
# TAP version 13
# 1..2
# ok 1 a.ko
# ok 2 c.ko
ok 2 selftests: module-hashes: 30-module-auth
# selftests: module-hashes: 40-installed-modules
# 1..0 # SKIP no modules installed
ok 3 selftests: module-hashes: 40-installed-modules # SKIP
EOF
expect_ok "a passing runner stream passes" k runner.tap
sed 's/^# ok 2 c.ko/# not ok 2 c.ko expect INVAL, got 0/' runner.tap > runner-fail.tap
expect_fail "a nested failure under an ok parent fails" \
	"^  ok 2 selftests: module-hashes: 30-module-auth / not ok 2 c.ko expect INVAL, got 0$" \
	k runner-fail.tap
sed '/^# ok 2 c.ko/d' runner.tap > runner-short.tap
expect_fail "a nested stream with a short plan fails" \
	"^  ok 2 selftests: module-hashes: 30-module-auth: 1 results for a plan of 2$" k runner-short.tap
sed 's/^# ok 2 c.ko/# Bail out! no keyring/' runner.tap > runner-bail.tap
expect_fail "a nested bail out fails" \
	"^  ok 2 selftests: module-hashes: 30-module-auth: Bail out! no keyring$" k runner-bail.tap

# Two documents in one log: both are checked.
cat kunit.log runner.tap > two.log
expect_ok "a log with two passing documents passes" k two.log
[ "$(k two.log | grep -c '^two.log: document [12]: ')" = 2 ] &&
	tap_ok "both documents are reported" || tap_not_ok "both documents are reported"
cat kunit.log runner-fail.tap > two-fail.log
expect_fail "a failing second document fails the log" \
	"^two-fail.log: document 2: 1 passed, 1 failed, 1 skipped of 3$" k two-fail.log

# --require and --expect-fail.
expect_ok "--require is satisfied by a passed result" \
	k --require 10-load --require module_hashes two.log
expect_fail "--require fails on a missing result and names it" \
	"^runner.tap: --require 50-nothing: no such result$" k --require 50-nothing runner.tap
expect_fail "--require fails on a skipped result" \
	"^runner.tap: --require 40-installed-modules: not passed: ok 3 .* # SKIP$" \
	k --require 40-installed-modules runner.tap
sed 's/^ok 2 selftests: module-hashes: 30-module-auth$/not ok 2 selftests: module-hashes: 30-module-auth # exit=1/' \
	runner-fail.tap > expected.tap
expect_ok "--expect-fail accepts the named failure" k --expect-fail 30-module-auth expected.tap
expect_fail "--expect-fail fails when the result passes" \
	"^runner.tap: --expect-fail 10-load: not failed: ok 1 selftests: module-hashes: 10-load$" \
	k --expect-fail 10-load runner.tap
sed 's/^ok 1 selftests: module-hashes: 10-load/not ok 1 selftests: module-hashes: 10-load # exit=1/' \
	expected.tap > expected-other.tap
expect_fail "--expect-fail accepts no other failure" \
	"^  not ok 1 selftests: module-hashes: 10-load # exit=1$" \
	k --expect-fail 30-module-auth expected-other.tap

# Usage errors.
k missing.tap > out 2> err
rc=$?
[ "$rc" = 2 ] && grep -q "missing.tap" err &&
	tap_ok "a missing file is a usage error (exit 2)" ||
	tap_not_ok "a missing file is a usage error (exit $rc: $(cat err))"
# --nested: a result whose subtests went missing fails.
printf 'TAP version 13\n1..2\n# # ok 1 - x\n# 1..1\nok 1 a\nok 2 b\n' > flat.log
expect_fail "--nested: a top-level result without nested results fails" "ok 2 b: no nested results" \
	k --nested flat.log
printf 'TAP version 13\n1..1\n# 1..0 # SKIP none here\nok 1 a # SKIP\n' > skipnested.log
expect_ok "--nested: a skipped script's 1..0 plan is its nested stream" k --nested skipnested.log
# KUnit's parameterised cases: a nested stream with a version line and no plan.
printf 'KTAP version 1\n1..1\n    KTAP version 1\n    ok 1 p1\n    ok 2 p2\nok 1 case\n' > param.log
expect_ok "a nested versioned stream without a plan passes" k param.log
printf '1..1\n# ok 1 - x\n# ok 2 - y\nok 1 script\n' > noplan-nested.log
expect_fail "a nested stream without a version line needs its plan" "^  ok 1 script: no plan$" k noplan-nested.log
printf 'TAP version 13\n1..1\nok 1 a\nKernel panic - not syncing: Attempted to kill init!\n' > panic.log
expect_fail "a kernel panic fails and is named" "the kernel panicked: Kernel panic - not syncing: Attempted to kill init" \
	k panic.log
tap_end
