# SPDX-License-Identifier: GPL-2.0
# tap-verdict.sh on canned TAP streams: a verdict from the parsed results.
. "$(dirname "$0")/lib.sh"
t() { "$harness/tap-verdict.sh" "$@"; }

printf '# a comment\r\nok 1 - a\nok 2 - b # SKIP not here\nnoise\n1..2\n' > pass.tap
expect_ok "a complete passing stream passes (SKIP counts as passed)" t pass.tap
[ "$(t pass.tap | head -n 1)" = "pass.tap: 2 passed, 0 failed of 2" ] &&
	ok "the counts are reported" || not_ok "the counts are reported"
printf '1..2\nok 1 - a\nnot ok 2 - b broke\n' > fail.tap
expect_fail "a failed result fails and is named" "not ok 2 - b broke" t fail.tap
printf 'ok 1 - a\nok 2 - b\n1..3\n' > short.tap
expect_fail "fewer results than planned fail" "2 results for a plan of 3" t short.tap
printf 'ok 1 - a\n' > noplan.tap
expect_fail "a stream without a plan fails" "0 plans, not one" t noplan.tap
printf '1..1\nok 1 - a\n1..1\nok 1 - a\n' > twoplans.tap
expect_fail "two concatenated streams fail" "2 plans, not one" t twoplans.tap
printf 'ok 1 - a\nok 3 - b\n1..2\n' > numbers.tap
expect_fail "misnumbered results fail" "result 2 is numbered 3" t numbers.tap
printf 'ok 1 - a\nBail out! no disk\n1..1\n' > bail.tap
expect_fail "a bail out fails" "Bail out! no disk" t bail.tap
printf 'not ok 1 - a # TODO later\n1..1\n' > todo.tap
expect_fail "a TODO result is not accepted" "TODO" t todo.tap
: > empty.tap
expect_fail "an empty stream fails" "0 plans" t empty.tap
echo "1..$n"
