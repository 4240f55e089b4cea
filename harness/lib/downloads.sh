# SPDX-License-Identifier: GPL-2.0
# Downloads from Debian's archive, pinned or checked: packages through a
# private apt configuration, Debian's modules, DKMS module sources.  Sourced by lib.sh, not run.

# check_sha256 FILE SUM: succeed when FILE's sha256 is SUM.
check_sha256() {
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || { info "$1: sha256 $got, expected $2"; return 1; }
}

# apt_download DIR SUITE PACKAGE[=VERSION]...: download Debian packages
# (of APT_ARCH, default amd64) into DIR through a private apt configuration
# in DIR/apt (sources list naming SUITE, lists, cache, status; the system's
# Debian keyring): the system's apt sources are never touched.  The mirror
# is DEBIAN_MIRROR or the one the system uses for Debian's main archive.
apt_download() {
	local dir=$1 suite=$2 package=${*:3} apt=$1/apt mirror=${DEBIAN_MIRROR:-} opts
	command -v apt-get >/dev/null || die "apt-get is needed to download $package"
	[ -n "$mirror" ] || mirror=$(apt-get indextargets --format '$(REPO_URI) $(ORIGIN) $(LABEL)' 2>/dev/null |
		awk '$2 == "Debian" && $3 == "Debian" { print $1; exit }')
	[ -n "$mirror" ] || die "cannot find a Debian mirror in the system's apt configuration;" \
		"set DEBIAN_MIRROR=<url of a Debian archive>"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/preferences.d"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" > "$apt/sources.list"
	: > "$apt/status"
	opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/sources.list.d"
	      -o Dir::Etc::Preferences="$apt/preferences" -o Dir::Etc::PreferencesParts="$apt/preferences.d"
	      -o Dir::State::Lists="$apt/lists" -o Dir::State::status="$apt/status" -o Dir::Cache="$apt/cache"
	      -o APT::Architecture="${APT_ARCH:-amd64}" -o Acquire::Languages=none -o APT::Sandbox::User=root)
	info "updating private apt lists for $suite from $mirror"
	apt-get -q "${opts[@]}" update >&2 || die "apt-get update of $suite failed (see above)"
	info "downloading $package"
	(cd "$dir" && apt-get -q "${opts[@]}" download "${@:3}") >&2 ||
		die "apt-get download $package failed (see above)"
}

# debian_modules DIR: Debian's 7.3.4 amd64 kernel's modules (4,225),
# decompressed into DIR/modules once (DIR/modules/.done), from its modules
# package downloaded into DIR (apt_download: the system's apt sources are
# never touched; DEBIAN_MIRROR overrides the mirror); that directory.
debian_modules() {
	local dir=$1 suite=trixie-backports package=linux-modules-7.3.4+deb13-amd64
	local version=7.3.4-1~bpo13+1 expected=4225 modules=$1/modules deb count
	if ! [ -f "$modules/.done" ]; then
		deb=$(ls "$dir/${package}"_*_amd64.deb 2>/dev/null | head -n1) || true
		if [ -z "$deb" ]; then
			apt_download "$dir" "$suite" "$package=$version"
			deb=$(ls "$dir/${package}"_*_amd64.deb 2>/dev/null | head -n1) ||
				die "apt-get did not produce a $package .deb in $dir"
		fi
		info "extracting $(basename "$deb")"
		rm -rf "$modules" "$dir/extract"
		mkdir -p "$dir/extract" "$modules"
		dpkg-deb -x "$deb" "$dir/extract" || die "cannot extract $deb"
		info "decompressing the modules into $modules"
		(cd "$dir/extract" && find . -name '*.ko.xz' -print0) |
			xargs -0 -n 64 -P "$(nproc)" sh -c '
				dest=$0 src=$1
				shift
				for f; do
					out=$dest/${f%.xz}
					mkdir -p "${out%/*}" && xz -dc "$src/$f" > "$out" || exit 255
				done' "$modules" "$dir/extract" ||
			die "decompressing the modules failed"
		rm -rf "$dir/extract"
		count=$(find "$modules" -name '*.ko' | wc -l)
		[ "$count" -eq "$expected" ] || info "warning: $count modules, expected $expected"
		touch "$modules/.done"
	fi
	echo "$modules"
}

# The real external module of the tests: Debian's DKMS package of
# v4l2loopback, from testing (trixie's 0.15.0 does not build against 7.3).
v4l2loopback_deb=(forky v4l2loopback-dkms 0.15.4-2)

# dkms_source SUITE PACKAGE VERSION: the module source that Debian's PACKAGE
# ships in /usr/src, downloaded once into $BUILD/dl.  VERSION, or the
# suite's newest one once VERSION has left the archive.  Fails (run it as
# "x=$(dkms_source ...) || die") when there is neither.
dkms_source() {
	local dl=$BUILD/dl dir=$BUILD/dl/dkms/$2-$3 deb
	if ! [ -f "$dir/.done" ]; then
		deb=$(ls "$dl/$2_$3_"*.deb 2>/dev/null | head -n 1)
		if [ -z "$deb" ]; then
			if ! (apt_download "$dl" "$1" "$2=$3"); then
				info "warning: cannot download $2 $3 from $1 (see above): trying its current version"
				(apt_download "$dl" "$1" "$2") || return 1
			fi
			deb=$(ls "$dl/$2_"*.deb 2>/dev/null | sort -V | tail -n 1)
			[ -n "$deb" ] || return 1
		fi
		rm -rf "$dir" && mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir/deb" || return 1
		echo "${deb##*/}" > "$dir/.done"
	fi
	ls -d "$dir"/deb/usr/src/*/
}
