# SPDX-License-Identifier: GPL-2.0
# Pin verification and corrupt tarballs, without the network.
. "$(dirname "$0")/lib.sh"
. "$harness/linux.pin"

mkdir dl
printf 'not a deb' > "dl/${PIN_PACKAGE}_${PIN_VERSION}_all.deb"
# A corrupt .deb is downloaded again (from nowhere here), never used.
expect_fail "a corrupt download is not used" "failed|does not match" \
	env DEBIAN_MIRROR=http://127.0.0.1:9/debian timeout 60 "$harness/fetch-linux.sh" dl
[ ! -e dl/linux-source-7.3.tar.xz ] && tap_ok "no tarball was produced" || tap_not_ok "no tarball was produced"

# A real .deb (when one was downloaded already) with a wrong tarball pin.
real=$harness/../build/dl/${PIN_PACKAGE}_${PIN_VERSION}_all.deb
if [ -f "$real" ]; then
	mkdir dl2 && ln -s "$real" "dl2/$(basename "$real")"
	sed "s/^PIN_TARBALL_SHA256=.*/PIN_TARBALL_SHA256=$(printf 0%.0s {1..64})/" "$harness/linux.pin" > bad.pin
	expect_fail "a tarball that does not match the pin is refused" "does not match the pinned sha256" \
		env LINUX_PIN=$PWD/bad.pin "$harness/fetch-linux.sh" dl2
	[ ! -e dl2/linux-source-7.3.tar.xz ] && tap_ok "the refused tarball is not kept" || tap_not_ok "the refused tarball is not kept"
fi

# A corrupt local tarball stops the import with a clear message.
head -c 100000 /dev/urandom > corrupt.tar.xz
make_project
unset LINUX_SRC
expect_fail "a corrupt LINUX_TARBALL stops the build" "cannot extract .*corrupt" \
	env LINUX_TARBALL=$PWD/corrupt.tar.xz "$harness/tree.sh" sync
expect_fail "a missing LINUX_TARBALL is named" "no such file" \
	env LINUX_TARBALL=$PWD/nope.tar.xz "$harness/tree.sh" sync
expect_fail "a LINUX_SRC that is not a kernel is refused" "does not look like a kernel" \
	env LINUX_SRC=$PWD "$harness/tree.sh" sync
tap_end
