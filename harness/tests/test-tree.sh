# SPDX-License-Identifier: GPL-2.0
# Patch application, overlay collisions, export and series, on a fake tree.
. "$(dirname "$0")/lib.sh"
make_project
# holds DESC: ok when the command before it succeeded.
holds() { if [ $? = 0 ]; then tap_ok "$1"; else tap_not_ok "$1"; fi; }
# dev_commit ARGS...: git commit in build/src as a developer.
dev_commit() { git -C build/src -c user.name=Dev -c user.email=dev@example.org commit -q "$@"; }

expect_ok "an empty series materialises the base" tree sync
[ "$(cat build/src/kernel/main.c)" = "int main_c;" ]; holds "base content checked out"

# A developer commits an edit and a new file in build/src, then exports.
sed -i 's/main_c/main_c = 1/' build/src/kernel/main.c
mkdir -p build/src/kernel/module
printf 'obj-y += hashes.o\n' > build/src/kernel/module/Makefile
git -C build/src add -A
dev_commit -m "module: add hashes" -m "Because." -m "Signed-off-by: Dev <dev@example.org>"
expect_fail "sync refuses to drop unexported commits" "not in patches/ and the overlay" tree sync
expect_ok "export writes the patches and the overlay" tree export
[ -f proj/patches/module-add-hashes.patch ] && grep -qx module-add-hashes.patch proj/patches/series
holds "the patch is in the series"
[ -f proj/kernel/module/Makefile ] && grep -q "^kernel/module/Makefile module-add-hashes.patch" proj/patches/overlay.map
holds "the new file is in the overlay and the map"
grep -q '^+int main_c = 1;' proj/patches/module-add-hashes.patch && ! grep -q 'kernel/module/Makefile' proj/patches/module-add-hashes.patch
holds "the patch holds the edit and not the new file"
expect_ok "sync after export is accepted" tree sync

# Editing an overlay file rewrites only that file in build/src.
touch -d '2000-01-01' build/src/kernel/main.c
printf 'obj-y += hashes.o other.o\n' > proj/kernel/module/Makefile
expect_ok "sync picks up an overlay edit" tree sync
grep -q other.o build/src/kernel/module/Makefile; holds "the overlay edit is in build/src"
[ "$(stat -c %Y build/src/kernel/main.c)" = "$(date -d 2000-01-01 +%s)" ]; holds "unchanged files keep their mtime"

# Export never overwrites an unsynced overlay edit: kept when build/src did
# not change the file, a conflict when it did.
printf 'obj-y += hashes.o root-edit.o\n' > proj/kernel/module/Makefile
git -C build/src commit -q --allow-empty -m "module: empty"
expect_ok "export keeps an unsynced overlay edit of a file build/src did not change" tree export
grep -q root-edit.o proj/kernel/module/Makefile; holds "the overlay edit survives"
git -C build/src reset -q --hard HEAD~1
printf 'obj-y += hashes.o src-edit.o\n' > build/src/kernel/module/Makefile
git -C build/src commit -q -a --amend --no-edit
expect_fail "export refuses when both sides changed a file" "changed both at the repo root and in" tree export
printf 'obj-y += hashes.o other.o\n' > proj/kernel/module/Makefile
expect_ok "export after the conflict is resolved" tree export
grep -q src-edit.o proj/kernel/module/Makefile; holds "the build/src edit is exported"

# A later commit changes a new file: the overlay has the file as the series
# ends, the later patch has the change, sync gives the same commits.
printf 'obj-y += hashes.o other.o later.o\n' > build/src/kernel/module/Makefile
dev_commit -a -m "module: later" -m "Signed-off-by: Dev <dev@example.org>"
expect_ok "export of a change to a file an earlier commit created" tree export
grep -q later.o proj/kernel/module/Makefile && grep -q '^+obj-y += hashes.o other.o later.o' proj/patches/module-later.patch
holds "the overlay has the end state, the later patch the change"
tree_before=$(git -C build/src rev-parse 'HEAD^{tree}')
first_before=$(git -C build/src rev-parse 'HEAD~1:kernel/module/Makefile')
expect_ok "sync of a series that changes an overlay file" tree sync
[ "$(git -C build/src rev-parse 'HEAD^{tree}')" = "$tree_before" ]; holds "sync gives the same tree"
[ "$(git -C build/src rev-parse 'HEAD~1:kernel/module/Makefile')" = "$first_before" ]
holds "the commit that adds the file has the file without the later change"
expect_ok "make series: git am gives the overlay's files" tree series
# The check fails when the overlay and the series disagree.
sed -i 's/ later.o//' proj/kernel/module/Makefile
expect_fail "an overlay without a later patch's change is refused" "do not have those changes" tree series
sed -i 's/other.o/other.o later.o/' proj/kernel/module/Makefile
git -C build/src reset -q --hard HEAD~1
expect_ok "export after dropping the later commit" tree export
! grep -q later.o proj/kernel/module/Makefile; holds "the overlay loses the dropped change"

expect_ok "make series writes a series that git am applies" tree series
[ "$(ls build/series | wc -l)" = 1 ] && grep -q '^Subject: \[PATCH\] module: add hashes' build/series/*.patch
holds "the series has the commit"

# Bad inputs stop the build with a clear message.
cp -r proj proj.good
# good: back to the good project.
good() { rm -rf proj && cp -r proj.good proj; }
sed -i 's/^-int main_c;/-int not_there;/' proj/patches/module-add-hashes.patch
expect_fail "a patch that does not apply stops sync" "module-add-hashes.patch does not apply" tree sync
good && printf 'x\n' > proj/kernel/main.c
expect_fail "an overlay file that exists in the base is refused" "kernel/main.c already exists in the base tree" tree sync
good && printf 'x\n' > proj/kernel/stray.c
expect_fail "an overlay file without a patch is refused" "kernel/stray.c is not assigned to a patch" tree sync
good && echo "missing.patch" >> proj/patches/series
expect_fail "a series entry without a file is refused" "missing.patch does not exist" tree sync
good && printf 'From: Dev <dev@example.org>\nSubject: y\n\nnot a diff\n' > proj/patches/module-add-hashes.patch
expect_ok "a patch without a diff adds only its overlay files" tree sync
good
expect_ok "the good project syncs again" tree sync
tap_end
