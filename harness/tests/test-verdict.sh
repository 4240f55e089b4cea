# SPDX-License-Identifier: GPL-2.0
# The guest verdict plumbing, on canned serial logs.
. "$(dirname "$0")/lib.sh"
v() { "$harness/verdict.sh" guest "$@"; }

printf 'ok 1 - a\r\nok 2 - b\r\nHARNESS-RESULT: pass\r\n' > pass.log
expect_ok "a passing guest passes" v pass.log 0 300
[ "$(v pass.log 0 300)" = "guest guest: 2 passed, 0 failed" ] && ok "counts are reported" || not_ok "counts are reported"
printf 'ok 1 - a\nnot ok 2 - b broke\nHARNESS-RESULT: fail 1\n' > fail.log
expect_fail "a failing guest fails and names the test" "not ok 2 - b broke" v fail.log 0 300
printf 'not ok 1 - a\nHARNESS-RESULT: pass\n' > liar.log
expect_fail "a 'not ok' line fails even with a pass verdict" "failed" v liar.log 0 300
printf 'ok 1 - a\nKernel panic - not syncing: Attempted to kill init!\n' > panic.log
expect_fail "a panic is reported as a panic" "panicked: Kernel panic - not syncing: Attempted to kill init" v panic.log 0 300
printf 'ok 1 - a\n' > hang.log
expect_fail "a timeout is reported as a timeout" "timed out after 300s" v hang.log 124 300
expect_fail "a guest that stops without a verdict is a failure" "without a verdict" v hang.log 0 300
echo "1..$n"
