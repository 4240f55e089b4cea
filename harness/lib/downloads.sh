# SPDX-License-Identifier: GPL-2.0
# Every download of the harness: Debian packages through a private apt
# configuration (apt_download), pinned by version and sha256 where the
# result must not change (debian_package, pinned_member); Debian's modules
# and DKMS module sources on top of them; Python programs from PyPI, pinned
# by version (pypi_program).  Sourced by lib.sh, not run.

# check_sha256 FILE SUM: succeed when FILE's sha256 is SUM.
check_sha256() {
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || { info "$1: sha256 $got, expected $2"; return 1; }
}

# debian_mirror: DEBIAN_MIRROR, or the mirror of Debian's main archive in
# the system's apt configuration.
debian_mirror() {
	local mirror=${DEBIAN_MIRROR:-}
	[ -n "$mirror" ] || mirror=$(apt-get indextargets --format '$(REPO_URI) $(ORIGIN) $(LABEL)' 2>/dev/null |
		awk '$2 == "Debian" && $3 == "Debian" { print $1; exit }')
	[ -n "$mirror" ] || die "cannot find a Debian mirror in the system's apt configuration;" \
		"set DEBIAN_MIRROR=<url of a Debian archive>"
	echo "$mirror"
}

# debian_package DIR SUITE PACKAGE VERSION [SHA256]: the .deb of PACKAGE
# VERSION in DIR, downloaded once (apt_download); its path.  With SHA256
# it is pinned: a file in DIR that does not match is downloaded again, and
# a download that does not match is refused.
debian_package() {
	local dir=$1 suite=$2 package=$3 version=$4 sum=${5:-} deb
	deb=$(ls "$dir/${package}_${version//:/%3a}_"*.deb 2>/dev/null | head -n 1) || true
	if [ -n "$deb" ] && [ -n "$sum" ] && ! check_sha256 "$deb" "$sum" 2> /dev/null; then
		rm -f "$deb"
		deb=
	fi
	if [ -z "$deb" ]; then
		apt_download "$dir" "$suite" "$package=$version"
		deb=$(ls "$dir/${package}_${version//:/%3a}_"*.deb 2>/dev/null | head -n 1) ||
			die "apt-get did not produce a .deb of $package $version in $dir"
		[ -z "$sum" ] || check_sha256 "$deb" "$sum" ||
			die "$deb does not match the pinned sha256 $sum; refusing it"
	fi
	echo "$deb"
}

# pinned_member DEB MEMBER OUT SHA256: the file MEMBER of the package DEB
# into OUT, refused unless its sha256 is SHA256.
pinned_member() {
	dpkg-deb --fsys-tarfile "$1" | tar -xO "./$2" > "$3.tmp" ||
		{ rm -f "$3.tmp"; die "cannot extract $2 from $1"; }
	check_sha256 "$3.tmp" "$4" ||
		{ rm -f "$3.tmp"; die "$2 does not match the pinned sha256 $4; refusing it"; }
	mv "$3.tmp" "$3"
}

# apt_download DIR SUITE PACKAGE[=VERSION]...: download Debian packages
# (of APT_ARCH, default amd64) into DIR through a private apt configuration
# in DIR/apt (sources list naming SUITE, lists, cache, status; the system's
# Debian keyring): the system's apt sources are never touched.  The mirror
# is DEBIAN_MIRROR or the one the system uses for Debian's main archive.
apt_download() {
	local dir=$1 suite=$2 package=${*:3} apt=$1/apt mirror opts
	command -v apt-get >/dev/null || die "apt-get is needed to download $package"
	mirror=$(debian_mirror) || exit 1
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

# debian_modules DIR: the modules of Debian's 7.3.4 kernel for $arch_deb
# (amd64: 4,225; arm64: 4,486), decompressed into DIR/modules once
# (DIR/modules/.done holds their count), from its modules package
# downloaded into DIR (apt_download: the system's apt sources are never
# touched; DEBIAN_MIRROR overrides the mirror); that directory.
debian_modules() {
	local dir=$1 suite=trixie-backports package=linux-modules-7.3.4+deb13-$arch_deb
	local version=7.3.4-1~bpo13+1 modules=$1/modules deb count expected
	case $arch_deb in
	amd64) expected=4225 ;;
	arm64) expected=4486 ;;
	*) die "no Debian modules for $arch_deb here: amd64 and arm64 only" ;;
	esac
	if ! [ -s "$modules/.done" ]; then
		deb=$(APT_ARCH=$arch_deb debian_package "$dir" "$suite" "$package" "$version")
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
		echo "$count" > "$modules/.done"
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
		if ! deb=$(debian_package "$dl" "$1" "$2" "$3"); then
			info "warning: cannot download $2 $3 from $1 (see above): trying its current version"
			(apt_download "$dl" "$1" "$2") || return 1
			deb=$(ls "$dl/$2_"*.deb 2>/dev/null | sort -V | tail -n 1)
			[ -n "$deb" ] || return 1
		fi
		rm -rf "$dir" && mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir/deb" || return 1
		echo "${deb##*/}" > "$dir/.done"
	fi
	ls -d "$dir"/deb/usr/src/*/
}

# pypi_program PACKAGE VERSION PROGRAM: PROGRAM of PyPI's PACKAGE VERSION,
# installed once into a virtual environment under $BUILD/tools; its path.
pypi_program() {
	local venv=$BUILD/tools/$1-$2
	if ! [ -x "$venv/bin/$3" ]; then
		rm -rf "$venv"
		python3 -m venv "$venv" >&2 &&
		"$venv/bin/pip" install -q "$1==$2" >&2 && [ -x "$venv/bin/$3" ] ||
			{ rm -rf "$venv"; die "cannot install $1 $2 from PyPI (or it has no $3)"; }
	fi
	echo "$venv/bin/$3"
}
