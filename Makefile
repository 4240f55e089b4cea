# SPDX-License-Identifier: GPL-2.0
#
# module-hashes: the entry point.  Every target is a thin call into harness/.
#
#   make demo                  fetch, build, boot, show modules accepted/rejected
#   make check                 all the tests CI runs
#   make check-full            check plus the slow tests (more configurations,
#                              every commit of the series builds)
#   make lint [GATES="..."]    checkpatch, rustfmt, clippy, rustdoc, Sphinx on the series
#   make check-series          build each commit of the series (bisectability)
#
#   make setup                 install the prerequisites (Debian 12 or newer)
#   make fetch                 download and verify the pinned kernel source
#   make tree                  materialise build/src: base + patches + overlay
#   make export                regenerate patches/ and the overlay from build/src
#   make kernel CONFIG=<name>  build configs/<name>.config into build/<name>/
#   make qemu CONFIG=<name>    boot it and run the guest tests
#                              [APPEND="..."] [INTERACTIVE=1] [QEMU_TIMEOUT=s]
#   make series                write build/series/ (git format-patch, git am-able)
#   make bench-hash            time the host tool against cat, sha256sum and openssl
#                              on Debian's 4,225 modules
#   make clean                 remove build/ (downloads in build/dl are kept)
#
# Variables: LINUX_TARBALL=<tarball> or LINUX_SRC=<tree or git checkout>
# instead of the pinned Debian source; BUILD=<dir> (default build);
# JOBS=<n>; CCACHE=0.

CONFIG ?= hashes
BUILD ?= $(CURDIR)/build
export BUILD LINUX_TARBALL LINUX_SRC APPEND INTERACTIVE QEMU_TIMEOUT JOBS CCACHE
export INSTALL_MOD_STRIP FORCE
# rustup and cargo install put their tools here.
export PATH := $(HOME)/.cargo/bin:$(PATH)

H := harness

.PHONY: all demo check check-full setup fetch tree export kernel qemu series \
	harness-tests lint check-series clean

all:
	@sed -n 's/^#   //p' Makefile

setup:
	$(H)/setup-debian.sh

fetch:
	$(H)/fetch-linux.sh $(BUILD)/dl

tree:
	$(H)/tree.sh sync

export:
	$(H)/tree.sh export

kernel:
	$(H)/build-kernel.sh $(CONFIG)

qemu:
	$(H)/qemu.sh $(CONFIG)

series:
	$(H)/tree.sh series

harness-tests:
	$(H)/tests/run.sh

bench-hash:
	cargo build --release --quiet
	nice -n 19 $(H)/bench-hash.sh $(BUILD)/bench target/release/module-hashes

lint: setup
	$(H)/lint.sh $(GATES)

check-series: setup
	$(H)/check-series.sh

demo: setup
	$(H)/demo.sh

check: setup
	$(H)/check.sh

check-full: setup
	$(H)/check.sh full

clean:
	find $(BUILD) -mindepth 1 -maxdepth 1 ! -name dl ! -name bench -exec rm -rf {} +
