# SPDX-License-Identifier: GPL-2.0
# The lint gates fail on a deliberately introduced problem and pass without
# it, on small files made here.  checkpatch needs a kernel tree: its cases
# are skipped until build/src exists (make tree).
. "$(dirname "$0")/lib.sh"
lint() { "$harness/lint.sh" "$@"; }

# rustfmt, with a stand-in kernel tree that has only .rustfmt.toml.
mkdir -p ksrc
printf 'edition = "2021"\nnewline_style = "Unix"\n' > ksrc/.rustfmt.toml
cat > good.rs <<'EOF'
// SPDX-License-Identifier: GPL-2.0

//! A module.

/// Adds one.
pub fn add_one(x: u32) -> u32 {
    x + 1
}
EOF
sed 's/    x + 1/    x+1/' good.rs > bad.rs
expect_ok "rustfmt passes a formatted file" lint --src ksrc --rust good.rs rustfmt
expect_fail "rustfmt fails on a difference and names the file" "Diff in .*bad\.rs:[0-9]+:" \
	lint --src ksrc --rust good.rs --rust bad.rs rustfmt

# cargo fmt and cargo clippy, on a tiny crate.
mkdir -p crate/src
printf '[package]\nname = "lint-test"\nversion = "0.1.0"\nedition = "2021"\n' > crate/Cargo.toml
cat > crate/src/main.rs <<'EOF'
fn main() {
    let verbose = std::env::args().count() > 1;
    if verbose {
        println!("verbose");
    }
}
EOF
export CARGO_TARGET_DIR=$PWD/target
expect_ok "cargo fmt and cargo clippy pass a clean crate" \
	lint --manifest crate/Cargo.toml cargo-fmt cargo-clippy
sed -i 's/if verbose {/if verbose == true {/' crate/src/main.rs
expect_fail "cargo clippy fails on a warning" "equality checks against true are unnecessary" \
	lint --manifest crate/Cargo.toml cargo-clippy
sed -i 's/if verbose == true {/if verbose == true{/' crate/src/main.rs
expect_fail "cargo fmt fails on a difference" "Diff in .*main\.rs" \
	lint --manifest crate/Cargo.toml cargo-fmt

# Which kernel build diagnostics count: those located in the series' files.
cat > build.log <<'EOF'
  CLIPPY L rust/kernel.o
warning: this `if` has identical blocks
  --> /k/src/kernel/module/hashes.rs:10:5
   |
10 |     if a { 1 } else { 1 }
   |

warning: 1 warning emitted

  CLIPPY L rust/other.o
warning: unused variable: `x`
  --> /k/src/rust/kernel/other.rs:3:9

/k/src/kernel/module/auth.c:4:1: warning: no previous prototype [-Wmissing-prototypes]
EOF
filter() { awk -v files="$1" -v strip="/k/src/ /k/obj/" -f "$harness/warnings-in.awk" build.log; }
expect_fail "a warning in a series file counts" "^1 in the files, 2 elsewhere" \
	filter "kernel/module/hashes.rs"
expect_fail "a C warning in a series file counts" "^1 in the files, 2 elsewhere" \
	filter "kernel/module/auth.c"
expect_ok "warnings elsewhere do not count" filter "rust/kernel/crypto.rs"

# Sphinx, on a minimal project.
printf '.. SPDX-License-Identifier: GPL-2.0\n\n=====\nTitle\n=====\n\nText with ``code``.\n' > good.rst
printf '.. SPDX-License-Identifier: GPL-2.0\n\n====\nTitle\n====\n\nText.\n' > bad.rst
expect_ok "sphinx passes a clean document" lint --src ksrc --rst good.rst sphinx
expect_fail "sphinx fails on a warning and names the file" "bad\.rst:3: WARNING: Title overline too short" \
	lint --src ksrc --rst good.rst --rst bad.rst sphinx

# checkpatch, with the real kernel tree's checkpatch.pl.
cat > good.patch <<'EOF'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Dev <dev@example.org>
Date: Thu, 1 Jan 2026 00:00:00 +0000
Subject: [PATCH] module: count the calls

Count the calls, for the statistics.

Signed-off-by: Dev <dev@example.org>
---
 kernel/module/stats.c | 2 ++
 1 file changed, 2 insertions(+)

diff --git a/kernel/module/stats.c b/kernel/module/stats.c
index 1111111..2222222 100644
--- a/kernel/module/stats.c
+++ b/kernel/module/stats.c
@@ -10,5 +10,7 @@ static int f(int a)
 {
 	int b = 0;
 
+	if (a)
+		b++;
 	return b;
 }
EOF
sed 's/^+\tif (a)$/+\tif(a)/' good.patch > bad.patch
printf '# Why: a test.\n--ignore SPACING\n' > ignore
printf -- '--ignore spacing\n' > ignore-bad
ksrc=${LINT_TEST_SRC:-${BUILD:-$harness/../build}/src}
if [ -x "$ksrc/scripts/checkpatch.pl" ]; then
	expect_ok "checkpatch passes a clean patch" lint --src "$ksrc" --patches good.patch checkpatch
	expect_fail "checkpatch fails on an error" "ERROR:SPACING: space required before the open parenthesis" \
		lint --src "$ksrc" --patches good.patch --patches bad.patch checkpatch
	expect_ok "an exception in the ignore file suppresses its type" \
		lint --src "$ksrc" --patches bad.patch --checkpatch-ignore ignore checkpatch
	expect_fail "a malformed ignore file is an error" "is not an '--ignore TYPE' line" \
		lint --src "$ksrc" --patches bad.patch --checkpatch-ignore ignore-bad checkpatch

	# Without options, lint checks the series of tree.sh series: a fake
	# project whose kernel tree has checkpatch.pl and what it looks for to
	# recognise a kernel tree.
	make_project
	mkdir -p fake-linux/scripts
	cp "$ksrc"/scripts/{checkpatch.pl,spelling.txt,const_structs.checkpatch} fake-linux/scripts/
	for d in Documentation arch drivers fs init ipc lib include; do
		mkdir -p "fake-linux/$d" && touch "fake-linux/$d/.keep"
	done
	touch fake-linux/{COPYING,CREDITS,Kbuild,MAINTAINERS,README}
	tree sync >/dev/null 2>&1
	printf 'int main_c;\n\nint f(int a)\n{\n\tif(a)\n\t\treturn 1;\n\treturn 0;\n}\n' \
		> build/src/kernel/main.c
	git -C build/src add -A
	git -C build/src -c user.name=Dev -c user.email=dev@example.org commit -qm "kernel: add f" \
		-m "Add f, for the test." -m "Signed-off-by: Dev <dev@example.org>"
	tree export >/dev/null 2>&1
	expect_fail "lint checks the patches of tree.sh series" \
		"0001-kernel-add-f.patch total: 1 errors" lint checkpatch
else
	tap_ok "checkpatch cases # skip no kernel tree at $ksrc (make tree)"
fi

expect_fail "an unknown gate is an error" "unknown gate 'frobnicate'" lint frobnicate
tap_end
