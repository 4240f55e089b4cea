#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module authentication policy (CONFIG_MODULE_HASHES, CONFIG_MODULE_SIG,
# module.sig_enforce, lockdown), tested with the running kernel's own
# modules.
#
# The test takes an in-tree module that is not loaded (test_module, from
# CONFIG_TEST_LKM=m, and rust_minimal, from CONFIG_SAMPLE_RUST_MINIMAL=m;
# without test_module, a module of kernel/lib or kernel/crypto that loads
# on its own) from /lib/modules/$(uname -r), decompresses it and drops an
# appended signature, and makes variants of it: one byte flipped, a
# malformed signature trailer, truncated, empty, compressed, and, with a
# signing key, signed copies (without one, the module as installed if it
# was signed at install).  It loads each through init_module(2) and
# finit_module(2) (with the modload helper, which never falls back from one
# to the other), and checks the outcome, the errno and the module's taint
# against the column of module_auth.table for this kernel's configuration
# and boot mode, and, for a module that loads, how the kernel says it
# authenticated it (/sys/module/NAME/authentication: "hash" for a module
# whose digest is known, "signature", or "none" with the taint E; no such
# file on a kernel that authenticates nothing).  Every module that loads
# is unloaded.
#
# On a CONFIG_MODULE_HASHES kernel it also checks that a known module loads
# without tainting the kernel, that a copy with a byte appended is not
# known (rejected when enforcing, else loaded with taint E) and that the
# kernel logs its file, its digest, why and what became of it, and emits an
# audit record for it (CONFIG_AUDIT; read with ausearch when auditd runs),
# that a forced load is never accepted by its hash (and is logged so), and
# that /sys/kernel/module_hashes, root only, lists the digests sorted
# with the known module's (and does not exist without it).
#
# The column of the table is the boot mode that was asked for, not the one
# the kernel reports: -e, or module_auth.expect= on the kernel command line
# (d, e, i or c as below).  The first result fails, naming both, when the
# kernel reports another mode: a kernel that ignored module.sig_enforce=1 or
# lockdown= must not be graded as if it had not been asked.  With neither,
# the test says so and takes the mode the kernel reports.
#
# Usage: module_auth.sh [-c CONFIG] [-d DIR] [-e MODE] [-m MODULE] [-t TABLE]
#                       [-s SIGN_FILE] [-k KEY[:CERT]] [-K KEY[:CERT]]
#   -c  the running kernel's .config (default: /proc/config.gz,
#       /boot/config-$(uname -r), /lib/modules/$(uname -r)/build/.config)
#   -e  the boot mode asked for: d (default), e (module.sig_enforce=1 or
#       CONFIG_MODULE_SIG_FORCE), i or c (lockdown integrity or
#       confidentiality); default: module_auth.expect= on the command line
#   -d  a directory with more module files for rows of the table that this
#       test cannot make itself (an out-of-tree module built with make M=,
#       copies signed elsewhere); rows whose file is missing are skipped
#   -m  the module to use instead of test_module
#   -t  the table of expected outcomes (default: module_auth.table here)
#   -s  scripts/sign-file (default: sign-file in PATH, or the one of
#       /lib/modules/$(uname -r)/build)
#   -k  a key (PEM, and its certificate, by default in the same file) that
#       the kernel trusts: sign copies of the module with it
#   -K  a key that the kernel does not trust, for a copy signed with it
# The same, in the environment: MODULE_AUTH_CONFIG, MODULE_AUTH_DIR,
# MODULE_AUTH_EXPECT, MODULE_AUTH_MODULE, MODULE_AUTH_TABLE, MODULE_AUTH_SIGN_FILE,
# MODULE_AUTH_KEY, MODULE_AUTH_OTHER_KEY; MODLOAD (the modload helper,
# default: next to this script, or in PATH).
#
# Output: KTAP.  Exit status: 0 pass, 1 fail, 4 (skip) when the test cannot
# run: not root, no modules for the running kernel, no modload, no
# configuration.  POSIX sh: busybox is enough (sha256sum, od, dd; xz, zstd
# or gzip to compress, in the format the kernel decompresses).

DIR=$(dirname "$(readlink -f "$0")")
KTAP_HELPERS=$DIR/../kselftest/ktap_helpers.sh
if [ -e "$KTAP_HELPERS" ]; then
	. "$KTAP_HELPERS"
else
	echo "$KTAP_HELPERS file not found [SKIP]"
	exit 4
fi

config=${MODULE_AUTH_CONFIG:-}
extra=${MODULE_AUTH_DIR:-}
expect=${MODULE_AUTH_EXPECT:-}
want_module=${MODULE_AUTH_MODULE:-}
table=${MODULE_AUTH_TABLE:-$DIR/module_auth.table}
sign_file=${MODULE_AUTH_SIGN_FILE:-}
key=${MODULE_AUTH_KEY:-}
other_key=${MODULE_AUTH_OTHER_KEY:-}
while getopts c:d:e:m:t:s:k:K: opt; do
	case $opt in
	c) config=$OPTARG ;;
	d) extra=$OPTARG ;;
	e) expect=$OPTARG ;;
	m) want_module=$OPTARG ;;
	t) table=$OPTARG ;;
	s) sign_file=$OPTARG ;;
	k) key=$OPTARG ;;
	K) other_key=$OPTARG ;;
	*) echo "usage: $0 [-c CONFIG] [-d DIR] [-e MODE] [-m MODULE] [-t TABLE]" >&2
	   echo "       [-s SIGN_FILE] [-k KEY[:CERT]] [-K KEY[:CERT]]" >&2
	   exit "$KSFT_FAIL" ;;
	esac
done

kver=$(uname -r)
moddir=/lib/modules/$kver

skip_all() {
	ktap_print_header
	ktap_skip_all "$*"
	exit "$KSFT_SKIP"
}

have() { command -v "$1" > /dev/null 2>&1; }

# What the test needs before it can run at all.
[ "$(id -u)" = 0 ] || skip_all "must be run as root"
[ -e /proc/modules ] || skip_all "the kernel does not support modules"
[ -d "$moddir" ] || skip_all "no modules for the running kernel: no $moddir"
modload=${MODLOAD:-}
if [ -z "$modload" ]; then
	if [ -x "$DIR/modload" ]; then
		modload=$DIR/modload
	else
		modload=$(command -v modload) ||
			skip_all "no modload helper (make -C tools/testing/selftests/module)"
	fi
fi
[ -x "$modload" ] || skip_all "no modload helper at $modload"

work=$(mktemp -d "${TMPDIR:-/tmp}/module_auth.XXXXXX") ||
	skip_all "cannot make a temporary directory"
trap 'rm -rf "$work"' EXIT

if [ -z "$config" ]; then
	if [ -r /proc/config.gz ] && have zcat; then
		zcat /proc/config.gz > "$work/config" && config=$work/config
	fi
	for f in "/boot/config-$kver" "$moddir/build/.config"; do
		[ -z "$config" ] && [ -r "$f" ] && config=$f
	done
fi
[ -n "$config" ] && [ -r "$config" ] ||
	skip_all "cannot find the running kernel's configuration" \
		 "(/proc/config.gz, /boot/config-$kver): give it with -c"
[ -r "$table" ] || { ktap_print_header; ktap_exit_fail_msg "no table $table"; }

# The column of the table: the configuration and the boot mode.
has() { grep -qx "CONFIG_$1=y" "$config"; }
if has MODULE_HASHES && has MODULE_SIG; then class=HS
elif has MODULE_HASHES; then class=H
elif has MODULE_SIG; then class=S
else class=N
fi
# The mode the kernel reports.  module.sig_enforce (or
# CONFIG_MODULE_SIG_FORCE) is checked before lockdown: when both apply, a
# module is rejected with EKEYREJECTED.  Without module authentication
# there is neither sig_enforce nor lockdown to read.
lockdown=$(cat /sys/kernel/security/lockdown 2>/dev/null) ||
	lockdown=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^lockdown=\(.*\)/[\1]/p')
reported=d
case $lockdown in
*"[integrity]"*) reported=i ;;
*"[confidentiality]"*) reported=c ;;
esac
if [ -e /sys/module/module/parameters/sig_enforce ]; then
	[ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ] && reported=e
else
	grep -qw 'module.sig_enforce=1' /proc/cmdline && reported=e
fi
# The mode asked for: the column.
[ -n "$expect" ] ||
	expect=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^module_auth\.expect=//p' | tail -n 1)
case $expect in
d|e|i|c) mode=$expect ;;
"") mode=$reported ;;
*) ktap_print_header
   ktap_exit_fail_msg "boot mode '$expect' (-e, module_auth.expect=): d, e, i or c" ;;
esac
column=$class:$mode
col=$(grep '^# file ' "$table" | tr -s ' ' '\n' | grep -n -x "$column" | cut -d: -f1)
[ -n "$col" ] || { ktap_print_header; ktap_exit_fail_msg "no column $column in $table"; }
col=$((col - 1))	# the leading '#' is a field of the header only
# The hashes-only default column says which modules are known by hash: in
# a kernel with hashes and signatures, a module that loads untainted there
# is authenticated by its hash, any other by its signature.
col_hd=$(grep '^# file ' "$table" | tr -s ' ' '\n' | grep -n -x "H:d" | cut -d: -f1)
[ -n "$col_hd" ] || { ktap_print_header; ktap_exit_fail_msg "no column H:d in $table"; }
col_hd=$((col_hd - 1))
case $mode in
e) rejected=KEY ;;
i|c) rejected=PERM ;;
*) rejected= ;;
esac

# Helpers for module files.

# name_of FILE: the name of the module in FILE (dashes become underscores).
name_of() {
	basename "$1" | sed 's/\.ko.*$//; s/-/_/g'
}

is_loaded() {
	[ -d "/sys/module/$1" ]
}

size_of() {
	wc -c < "$1" | tr -d ' '
}

# uint FILE OFFSET SIZE [BIG]: the unsigned integer at OFFSET, little-endian,
# or big-endian when BIG is 1 (the ELF files of a big-endian architecture).
uint() {
	od -An -tu1 -v -j "$2" -N "$3" "$1" | awk -v big="${4:-0}" '
		{ for (i = 1; i <= NF; i++) b[n++] = $i }
		END {
			for (i = 0; i < n; i++)
				v = v * 256 + b[big ? i : n - 1 - i]
			printf "%d\n", v
		}'
}

# flip_byte FILE OFFSET: invert one byte of FILE in place.
flip_byte() {
	fb=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((fb ^ 255)))" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}

MARKER="~Module signature appended~"

# unsigned_len FILE: the length of FILE without its appended signature
# (struct module_signature, whose last field is the signature's length,
# big-endian, and the marker), or nothing if it is not signed.
unsigned_len() {
	ul_size=$(size_of "$1")
	[ "$ul_size" -gt 40 ] || return 0
	[ "$(tail -c 28 "$1" | head -c 27)" = "$MARKER" ] || return 0
	ul_sig=$(od -An -tu1 -j $((ul_size - 32)) -N 4 "$1" |
		 awk '{ for (i = 1; i <= NF; i++) v = v * 256 + $i } END { printf "%d\n", v }')
	[ $((ul_size - 40 - ul_sig)) -gt 0 ] && echo $((ul_size - 40 - ul_sig))
}

# unpack FILE OUT: the module FILE as ELF, decompressed and without an
# appended signature, in OUT, and when it was signed, decompressed with its
# signature in OUT.signed.  Fails, with the reason in $why, when a tool is
# missing or FILE is not a module.
unpack() {
	if ! [ -f "$1" ] || ! [ -r "$1" ]; then
		why="cannot read $1"
		return 1
	fi
	case $1 in
	*.ko) un_tool=cat ;;
	*.ko.xz) un_tool=xz ;;
	*.ko.zst) un_tool=zstd ;;
	*.ko.gz) un_tool=gzip ;;
	*) why="$1 is not a module file"; return 1 ;;
	esac
	if ! have $un_tool; then
		why="no $un_tool to decompress $1"
		return 1
	fi
	if [ $un_tool = cat ]; then
		cp "$1" "$2.tmp"
	else
		$un_tool -dc "$1" > "$2.tmp"
	fi || { why="cannot decompress $1"; rm -f "$2.tmp"; return 1; }
	if [ "$(od -An -c -N 4 "$2.tmp" | tr -d ' ')" != '177ELF' ]; then
		why="$1 is not an ELF module"
		rm -f "$2.tmp"
		return 1
	fi
	rm -f "$2.signed"
	un_len=$(unsigned_len "$2.tmp")
	if [ -n "$un_len" ]; then
		head -c "$un_len" "$2.tmp" > "$2"
		mv "$2.tmp" "$2.signed"
	else
		mv "$2.tmp" "$2"
	fi
}

# section_middle FILE NAME: the offset of the middle of the ELF section
# NAME of FILE (ELF of either class and byte order), where a flipped byte
# changes the file but not what the loader does with it.
section_middle() {
	# e_ident: the class (1: 32-bit, 2: 64-bit), the byte order (1:
	# little-endian, 2: big-endian).
	sm_class=$(uint "$1" 4 1)
	sm_big=$(($(uint "$1" 5 1) - 1))
	case $sm_class$sm_big in
	10) sm_shoff=$(uint "$1" 32 4) sm_at=46 sm_w=4 ;;
	20) sm_shoff=$(uint "$1" 40 8) sm_at=58 sm_w=8 ;;
	11) sm_shoff=$(uint "$1" 32 4 1) sm_at=46 sm_w=4 ;;
	21) sm_shoff=$(uint "$1" 40 8 1) sm_at=58 sm_w=8 ;;
	*) return 1 ;;
	esac
	sm_es=$(uint "$1" $sm_at 2 $sm_big)
	sm_num=$(uint "$1" $((sm_at + 2)) 2 $sm_big)
	sm_strndx=$(uint "$1" $((sm_at + 4)) 2 $sm_big)
	[ "$sm_num" -gt 0 ] && [ "$sm_strndx" -lt "$sm_num" ] || return 1
	# One line per section: name offset, file offset, size (sh_offset
	# and sh_size: words, from byte 16 or 24 of the section header).
	od -An -tu1 -v -j "$sm_shoff" -N $((sm_num * sm_es)) "$1" |
	awk -v es="$sm_es" -v w="$sm_w" -v big="$sm_big" '
		function uint(o, n,   v, i) {
			for (i = 0; i < n; i++)
				v = v * 256 + b[big ? o + i : o + n - 1 - i]
			return v
		}
		{ for (i = 1; i <= NF; i++) b[nb++] = $i }
		END {
			for (o = 0; o + es <= nb; o += es)
				printf "%d %d %d\n", uint(o, 4),
					uint(o + 8 + 2 * w, w), uint(o + 8 + 3 * w, w)
		}' > "$work/sections"
	set -- "$1" "$2" $(sed -n "$((sm_strndx + 1))p" "$work/sections")
	[ $# = 5 ] || return 1
	sm_name=$(dd if="$1" bs=1 skip="$4" count="$5" 2>/dev/null | tr '\0' '\n' |
		  awk -v want="$2" '$0 == want { print off; exit } { off += length($0) + 1 }')
	[ -n "$sm_name" ] || return 1
	awk -v n="$sm_name" '$1 == n && $3 > 0 { printf "%d\n", $2 + int($3 / 2); exit }' \
		"$work/sections" | grep .
}

# The modules to test with: an in-tree C module and an in-tree Rust module
# of the running kernel, not loaded.

# find_module NAME: the file of module NAME in $moddir, which may be a
# symbolic link (virtme-ng links it to a tree of links to a build tree).
find_module() {
	find "$moddir/" -name "$1.ko" -o -name "$1.ko.*" | head -n 1
}

# Candidates when test_module is not there: modules of kernel/lib and
# kernel/crypto that need no other module (modules.dep).
fallback_modules() {
	[ -r "$moddir/modules.dep" ] || return 0
	sed -n -e 's|^\(kernel/lib/[^:]*\.ko[^:]*\): *$|\1|p' \
	       -e 's|^\(kernel/crypto/[^:]*\.ko[^:]*\): *$|\1|p' "$moddir/modules.dep" |
		while read -r m; do
			[ ! -f "$moddir/$m" ] || echo "$moddir/$m"
		done
}

# take KIND FILE [probe]: prepare FILE as the KIND (c or rust) module of the
# test, in $work/KIND.ko; sets ${KIND}_name.  With probe, only a module
# that loads (or is refused by the authentication policy) and unloads.
take() {
	tk_name=$(name_of "$2")
	if is_loaded "$tk_name"; then
		why="$tk_name is loaded"
		return 1
	fi
	unpack "$2" "$work/$1.ko" || return 1
	if [ "${3:-}" = probe ]; then
		tk_flags=4	# MODULE_INIT_COMPRESSED_FILE
		case $2 in *.ko) tk_flags=0 ;; esac
		tk_res=$("$modload" finit "$2" $tk_flags 2>&1)
		case $tk_res in
		loaded)
			if ! rmmod "$tk_name" 2>/dev/null; then
				why="$tk_name does not unload"
				return 1
			fi ;;
		"error EKEYREJECTED"|"error EPERM") ;;
		*) why="$tk_name does not load: $tk_res"; return 1 ;;
		esac
	fi
	eval "${1}_name=\$tk_name ${1}_file=\$2"
}

c_name= rust_name= c_why= rust_why=
if [ -n "$want_module" ]; then
	f=$(find_module "$want_module")
	if [ -z "$f" ]; then
		c_why="no module $want_module in $moddir"
	elif ! take c "$f"; then
		c_why=$why
	fi
else
	f=$(find_module test_module)
	if [ -z "$f" ] || ! take c "$f"; then
		c_why=${f:+$why}
		c_why="${c_why:-"no test_module (CONFIG_TEST_LKM=m)"}, and no other"
		c_why="$c_why module of kernel/lib or kernel/crypto loads on its own"
		for f in $(fallback_modules); do
			take c "$f" probe && break
		done
	fi
fi
[ -n "$c_name" ] || skip_all "no module of $kver to test with: $c_why"
f=$(find_module rust_minimal)
if [ -z "$f" ]; then
	rust_why="no rust_minimal (CONFIG_SAMPLE_RUST_MINIMAL=m)"
elif ! take rust "$f"; then
	rust_why=$why
fi

# The module variants, in $work: a variant that cannot be made gets a
# file VARIANT.why that says why.

unavailable() { # unavailable VARIANT REASON
	echo "$2" > "$work/$1.why"
	rm -f "$work/$1"
}

for kind in c rust; do
	ko=$work/$kind.ko
	if ! [ -f "$ko" ]; then
		for v in "" -flip-start -flip-middle -flip-end; do
			unavailable "$kind$v.ko" "$rust_why"
		done
		continue
	fi
	cp "$ko" "$work/$kind-flip-start.ko"
	flip_byte "$work/$kind-flip-start.ko" 9		# e_ident[EI_PAD]
	if off=$(section_middle "$ko" .comment); then
		cp "$ko" "$work/$kind-flip-middle.ko"
		flip_byte "$work/$kind-flip-middle.ko" "$off"
	else
		unavailable "$kind-flip-middle.ko" "no .comment section in the module"
	fi
	cp "$ko" "$work/$kind-flip-end.ko"
	flip_byte "$work/$kind-flip-end.ko" $(($(size_of "$ko") - 1))
done

c=$work/c.ko
# A signature trailer that claims more signature than the file holds:
# struct module_signature with id_type PKEY_ID_PKCS7 and sig_len 0xffffff00.
{ cat "$c"; printf '\0\0\2\0\0\0\0\0\377\377\377\0%s\n' "$MARKER"; } > "$work/c-garbage-trailer.ko"
head -c $(($(size_of "$c") / 2)) "$c" > "$work/c-truncated.ko"
: > "$work/empty.ko"
# Loaded with MODULE_INIT_IGNORE_MODVERSIONS and _VERMAGIC.
cp "$c" "$work/c-force-modver.ko"
cp "$c" "$work/c-force-vermagic.ko"

# Compressed in the format the kernel decompresses, for
# MODULE_INIT_COMPRESSED_FILE, with the first TOOL in PATH that compresses
# (busybox's xz only decompresses).
compress_with() { # compress_with IN VARIANT TOOL ARGS...
	cw_in=$1 cw_out=$2 cw_tool=$3
	shift 3
	cw_ifs=$IFS
	IFS=:
	for cw_dir in $PATH; do
		IFS=$cw_ifs
		[ -x "$cw_dir/$cw_tool" ] || continue
		"$cw_dir/$cw_tool" "$@" < "$cw_in" > "$work/$cw_out" 2>/dev/null &&
			[ -s "$work/$cw_out" ] && return 0
	done
	IFS=$cw_ifs
	unavailable "$cw_out" "no $cw_tool in PATH that compresses"
}
compress_into() { # compress_into IN VARIANT
	if ! has MODULE_DECOMPRESS; then
		# Refused before the kernel looks at it.
		compress_with "$1" "$2" gzip -n -c
	elif has MODULE_COMPRESS_ZSTD; then
		compress_with "$1" "$2" zstd -q -c
	elif has MODULE_COMPRESS_XZ; then
		compress_with "$1" "$2" xz -q -c --check=crc32 --lzma2=dict=1MiB
	elif has MODULE_COMPRESS_GZIP; then
		compress_with "$1" "$2" gzip -n -c
	else
		unavailable "$2" "no module compression in $config"
	fi
}
compress_into "$c" c-compressed.ko
# And an unknown one, for its report (below).
compress_into "$work/c-flip-end.ko" c-flip-end-compressed.ko

# Signed copies, with the keys given (-k, -K).
hash_algo=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$config")
hash_algo=${hash_algo:-sha512}
if [ -z "$sign_file" ]; then
	sign_file=$(command -v sign-file) || sign_file=$moddir/build/scripts/sign-file
fi
# sign KEY[:CERT] VARIANT
sign() {
	if [ -z "$1" ]; then
		unavailable "$2" "no key given (-k, -K)"
	elif ! [ -x "$sign_file" ]; then
		unavailable "$2" "no sign-file program (-s)"
	elif ! "$sign_file" "$hash_algo" "${1%%:*}" "${1#*:}" "$c" "$work/$2"; then
		unavailable "$2" "sign-file failed with ${1%%:*}"
	fi
}
if [ -z "$key" ] && [ -f "$c.signed" ]; then
	# Signed when it was installed (CONFIG_MODULE_SIG_ALL): by the
	# build's key, which the kernel trusts.
	mv "$c.signed" "$work/c-signed.ko"
	signed_note="c-signed.ko: the installed module with its own signature"
else
	sign "$key" c-signed.ko
fi
sign "$other_key" c-otherkey.ko

# path_of VARIANT: the file of a variant, made here or in the directory
# given with -d.
path_of() {
	if [ -f "$work/$1" ]; then
		echo "$work/$1"
	elif [ -n "$extra" ] && [ -f "$extra/$1" ]; then
		echo "$extra/$1"
	fi
}

# Signed copies with one byte of their PKCS#7 blob flipped, 40 bytes
# before the struct module_signature and the marker: c-badsig from
# c-signed, oot-badsig from oot-signed (-d).
for badsig in c oot; do
	signed=$(path_of $badsig-signed.ko)
	if [ -n "$signed" ]; then
		cp "$signed" "$work/$badsig-badsig.ko"
		flip_byte "$work/$badsig-badsig.ko" $(($(size_of "$signed") - 28 - 12 - 40))
	else
		unavailable $badsig-badsig.ko "no $badsig-signed.ko"
	fi
done

# why_not VARIANT: why a variant is not there.
why_not() {
	if [ -f "$work/$1.why" ]; then
		cat "$work/$1.why"
	else
		echo "not made by this test, and not in ${extra:-a directory given with -d}"
	fi
}

tainted() {
	cat /proc/sys/kernel/tainted
}

TAINT_UNSIGNED_MODULE=8192	# 'E'

# load CALL FILE [FLAGS]: load FILE through CALL (init or finit); $res is
# "loaded", "error ERRNO" or modload's complaint.
load() {
	if [ "$1" = init ]; then
		res=$("$modload" init "$2" 2>&1)
	else
		res=$("$modload" finit "$2" "${3:-0}" 2>&1)
	fi
}

# outcome MODULE: the word of the table for $res, after load: ok or E (the
# module's taint) for a module that loaded, which is then unloaded, or the
# errno.  $oc_auth is then what the module's authentication attribute said
# ("absent" without one).
outcome() {
	oc_auth=
	case $res in
	loaded)
		oc_taint=$(cat "/sys/module/$1/taint" 2>/dev/null)
		oc_auth=$(cat "/sys/module/$1/authentication" 2>/dev/null) || oc_auth=absent
		echo "$oc_auth" > "$work/auth"
		rmmod "$1" || echo "# could not unload $1" >&2
		case $oc_taint in
		*E*) echo E ;;
		*) echo ok ;;
		esac ;;
	"error EKEYREJECTED") echo KEY ;;
	"error EPERM") echo PERM ;;
	"error EBADMSG") echo BADMSG ;;
	"error ENOEXEC") echo NOEXEC ;;
	"error EINVAL") echo INVAL ;;
	"error EOPNOTSUPP") echo NOTSUP ;;
	"error "*) echo "${res#error }" ;;
	*) echo "modload failed: $res" ;;
	esac
}

# expected_auth WORD [H:d WORD]: the authentication attribute of a module
# whose outcome is WORD (ok or E), given its outcome in the hashes-only
# default column.
expected_auth() {
	case $class:$1 in
	N:*) echo absent ;;
	*:E) echo none ;;
	H:ok) echo hash ;;
	S:ok) echo signature ;;
	HS:ok) if [ "${2:-ok}" = ok ]; then echo hash; else echo signature; fi ;;
	esac
}

# auth_matches WORD [H:d WORD]: after outcome, whether the attribute of a
# module that loaded is the expected one; if not, $auth_why says why.
auth_matches() {
	auth_why=
	case $1 in ok|E) ;; *) return 0 ;; esac
	am_got=$(cat "$work/auth" 2>/dev/null)
	am_want=$(expected_auth "$1" "${2:-}")
	[ "$am_got" = "$am_want" ] && return 0
	auth_why="authentication '$am_got', expected '$am_want'"
	return 1
}

# The plan: the checks of a known and a tampered module (10 for each
# module), two of /sys/kernel/module_hashes, one at the end, and one for
# each call of each row of the table.
rows=$(grep -v '^#' "$table" | awk 'NF { n += ($3 == "both") ? 2 : 1 } END { print n + 0 }')
ktap_print_header
ktap_set_plan $((1 + 10 * 2 + 2 + 5 + 1 + rows))
ktap_print_msg "kernel $kver, configuration $class, boot mode $mode (column $column)"

desc="the kernel enforces the boot mode asked for"
if [ -z "$expect" ]; then
	desc="$desc: none asked (-e, module_auth.expect=): column of the mode it reports"
	ktap_test_skip "$desc, $reported"
elif [ "$reported" = "$expect" ]; then
	ktap_test_pass "$desc ($expect)"
else
	desc="$desc: asked for $expect, the kernel reports $reported (sig_enforce"
	desc="$desc $(cat /sys/module/module/parameters/sig_enforce 2>/dev/null || echo absent),"
	ktap_test_fail "$desc lockdown ${lockdown:-absent})"
fi
ktap_print_msg "modules: $c_name ($c_file)${rust_name:+, $rust_name ($rust_file)}"
[ -z "${signed_note:-}" ] || ktap_print_msg "$signed_note"
e_at_start=$(($(tainted) & TAINT_UNSIGNED_MODULE))

# Known and tampered modules (CONFIG_MODULE_HASHES).
hash_checks() { # hash_checks KIND
	hc_name=$(eval echo "\$${1}_name")
	hc_ko=$work/$1.ko
	if ! has MODULE_HASHES; then
		hc_why="no CONFIG_MODULE_HASHES"
	elif [ -z "$hc_name" ]; then
		hc_why=$(why_not "$1.ko")
	else
		hc_why=
	fi
	for call in init finit; do
		desc="$1: a known module ($hc_name) loads through ${call}_module"
		desc="$desc without tainting the kernel"
		if [ -n "$hc_why" ]; then
			ktap_test_skip "$desc: $hc_why"
			continue
		fi
		t0=$(tainted)
		load $call "$hc_ko"
		got=$(outcome "$hc_name")
		if [ "$got" = ok ] && [ "$(tainted)" = "$t0" ] && auth_matches ok; then
			ktap_test_pass "$desc"
		else
			desc="$desc: got $got, taint $t0 then $(tainted)"
			ktap_test_fail "$desc${auth_why:+, $auth_why}"
		fi
	done

	# Not in .module_hashes: a byte appended, which the loader ignores.
	bad=$work/$1-appended.ko
	if [ -z "$hc_why" ]; then
		cp "$hc_ko" "$bad"
		printf '\0' >> "$bad"
		digest=$(sha256sum "$bad" | cut -d' ' -f1)
	fi
	for call in init finit; do
		if [ -n "$rejected" ]; then
			desc="$1: a copy with a byte appended is rejected through ${call}_module"
		else
			desc="$1: a copy with a byte appended loads through ${call}_module"
			desc="$desc and taints the kernel (E)"
		fi
		desc2="$1: the log names the file and digest of that copy, why and what"
		desc2="$desc2 became of it (${call}_module)"
		desc3="$1: an audit record names the file and digest of that copy"
		desc3="$desc3 (${call}_module)"
		if [ -n "$hc_why" ]; then
			ktap_test_skip "$desc: $hc_why"
			ktap_test_skip "$desc2: $hc_why"
			ktap_test_skip "$desc3: $hc_why"
			continue
		fi
		line=$(auth_line $call "$bad" "$digest" "is not in .module_hashes")
		record=$(audit_record $call "$bad" "$digest" unsigned)
		before=$(dmesg | grep -c "$line")
		audit_before=$(audit_count "$record")
		load $call "$bad"
		got=$(outcome "$hc_name")
		if [ -n "$rejected" ] && [ "$got" = "$rejected" ]; then
			ktap_test_pass "$desc"
		elif [ -z "$rejected" ] && [ "$got" = E ] &&
		     [ $(($(tainted) & TAINT_UNSIGNED_MODULE)) != 0 ] && auth_matches E; then
			ktap_test_pass "$desc"
		else
			ktap_test_fail "$desc: got $got, taint $(tainted)${auth_why:+, $auth_why}"
		fi
		log_check "$desc2" "$line" "$before"
		audit_check "$desc3" "$record" "$audit_before"
	done

	desc="$1: a forced load (MODULE_INIT_IGNORE_MODVERSIONS) is not accepted by its hash"
	desc2="$1: the log says that the forced load's digest is known but its version"
	desc2="$desc2 checks were ignored"
	if [ -n "$hc_why" ]; then
		ktap_test_skip "$desc: $hc_why"
		ktap_test_skip "$desc2: $hc_why"
		return
	fi
	line=$(auth_line finit "$hc_ko" "$(sha256sum "$hc_ko" | cut -d' ' -f1)" \
		"is in .module_hashes but its version checks were ignored")
	before=$(dmesg | grep -c "$line")
	load finit "$hc_ko" 1
	got=$(outcome "$hc_name")
	if [ "$got" = "${rejected:-E}" ] && auth_matches "$got"; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc: expected ${rejected:-E}, got $got${auth_why:+, $auth_why}"
	fi
	log_check "$desc2" "$line" "$before"
}

log_check() { # log_check DESC LINE COUNT-BEFORE: the load logged LINE once
	lc_after=$(dmesg | grep -c "$2")
	if [ "$lc_after" = $(($3 + 1)) ]; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1: $((lc_after - $3)) lines say: $2"
	fi
}

# auth_line CALL FILE DIGEST TABLE: the line the kernel logs for an unsigned
# module that is not authenticated by its digest (TABLE says why): the file
# for finit_module, its digest, and what became of it in this boot mode.
auth_line() {
	case $1 in
	init) al_line="module from init_module" ;;
	*) al_line="module $(basename "$2")" ;;
	esac
	al_line="$al_line: sha256 $3 $4, "
	if has MODULE_SIG; then
		al_line="${al_line}unsigned: "
	else
		al_line="${al_line}and this kernel checks no signatures: "
	fi
	case $rejected in
	KEY) echo "${al_line}rejected, module.sig_enforce requires authentication" ;;
	PERM) echo "${al_line}rejected, lockdown requires authentication" ;;
	*) echo "${al_line}loaded unauthenticated, the kernel is tainted" ;;
	esac
}

# Audit records (CONFIG_AUDIT): from the audit daemon if one runs, else
# from the kernel log, where the kernel prints them without a daemon.
audit_why=
if ! has AUDIT; then
	audit_why="no CONFIG_AUDIT"
elif grep -qw 'audit=0' /proc/cmdline; then
	audit_why="audit=0"
elif pidof auditd > /dev/null 2>&1 && ! have ausearch; then
	audit_why="auditd runs, but there is no ausearch to read its log"
fi
audit_records() {
	if pidof auditd > /dev/null 2>&1; then
		ausearch --raw -m INTEGRITY_DATA 2>/dev/null
	else
		dmesg
	fi
}

# audit_record CALL FILE DIGEST CAUSE: the pattern of the record of one
# module that is not authenticated, with its result in this boot mode.
audit_record() {
	ar_name=
	[ "$1" = finit ] && ar_name=" name=\"$(readlink -f "$2")\" dev=[^ ]* ino=[0-9]*"
	printf 'op=module_auth cause=%s comm="[^"]*"%s hash="sha256:%s" res=%s\n' \
		"$4" "$ar_name" "$3" "$([ -n "$rejected" ] && echo 0 || echo 1)"
}

audit_count() { # audit_count PATTERN
	[ -n "$audit_why" ] && { echo 0; return; }
	audit_records | grep -c "$1"
}

audit_check() { # audit_check DESC PATTERN COUNT-BEFORE
	if [ -n "$audit_why" ]; then
		ktap_test_skip "$1: $audit_why"
		return
	fi
	ac_after=$(audit_count "$2")
	if [ "$ac_after" = $(($3 + 1)) ]; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1: $((ac_after - $3)) records say: $2"
	fi
}

# The kernel logs an unknown digest at most 10 times in 5 seconds: let the
# lines of earlier loads age.
has MODULE_HASHES && sleep 6
hash_checks c
hash_checks rust

# The table.
try() { # try FILE MODULE CALL FLAGS WANT H:d-WANT
	desc="$1 via ${3}_module (flags $4): expect $5"
	if [ "$5" = - ]; then
		ktap_test_skip "$desc: not applicable"
		return
	fi
	tr_path=$(path_of "$1")
	if [ -z "$tr_path" ]; then
		ktap_test_skip "$desc: $(why_not "$1")"
		return
	fi
	rm -f "$work/auth"
	load "$3" "$tr_path" "$4"
	got=$(outcome "$2")
	if [ "$got" != "$5" ]; then
		ktap_test_fail "$desc, got $got"
	elif ! auth_matches "$got" "$6"; then
		ktap_test_fail "$desc, got $got but $auth_why"
	else
		ktap_test_pass "$desc"
	fi
}

# /sys/kernel/module_hashes: the digests the kernel accepts, root only, on
# a CONFIG_MODULE_HASHES kernel only: one lowercase hex SHA-256 per line,
# sorted without duplicates, the known C module's among them.
view=/sys/kernel/module_hashes
desc="$view: readable by root only, on a CONFIG_MODULE_HASHES kernel only"
if has MODULE_HASHES; then
	want="400 0" got=$(stat -c '%a %u' "$view" 2>&1)
else
	want=absent got=$([ -e "$view" ] && echo present || echo absent)
fi
if [ "$got" = "$want" ]; then
	ktap_test_pass "$desc"
else
	ktap_test_fail "$desc: got '$got', expected '$want'"
fi
desc="$view: sorted digests, one per line, with the digest of $c_name"
if ! has MODULE_HASHES; then
	ktap_test_skip "$desc: no CONFIG_MODULE_HASHES"
else
	cat "$view" > "$work/view"
	known=$(sha256sum "$work/c.ko" | cut -d' ' -f1)
	if grep -qv '^[0-9a-f]\{64\}$' "$work/view"; then
		line=$(grep -v -m 1 '^[0-9a-f]\{64\}$' "$work/view")
		ktap_test_fail "$desc: a line that is no digest: $line"
	elif ! LC_ALL=C sort -u "$work/view" | cmp -s - "$work/view"; then
		ktap_test_fail "$desc: not sorted, or a digest twice"
	elif ! grep -qx "$known" "$work/view"; then
		ktap_test_fail "$desc: no $known"
	else
		ktap_test_pass "$desc"
	fi
fi

grep -v '^#' "$table" > "$work/rows"
while read -r file module call flags rest; do
	[ -n "$file" ] || continue
	set -- $file $module $call $flags $rest
	eval "want=\${$col}"
	eval "want_hd=\${$col_hd}"
	# Without CONFIG_MODULE_DECOMPRESS, MODULE_INIT_COMPRESSED_FILE is
	# refused whatever the file.
	[ "$want" = - ] || [ $((flags & 4)) = 0 ] || has MODULE_DECOMPRESS || want=NOTSUP
	case $module in
	c|rust) eval "module=\$${module}_name" ;;
	esac
	[ -n "$(path_of "$file")" ] || [ "$want" = - ] || [ -f "$work/$file.reported" ] || {
		ktap_print_msg "$file: not available: $(why_not "$file")"
		: > "$work/$file.reported"
	}
	case $call in
	both) try "$file" "$module" init "$flags" "$want" "$want_hd"
	      try "$file" "$module" finit "$flags" "$want" "$want_hd" ;;
	*) try "$file" "$module" "$call" "$flags" "$want" "$want_hd" ;;
	esac
done < "$work/rows"

# The report of a module that is not authenticated (CONFIG_MODULE_HASHES):
# one line that tells what happened, once it happened, and no other line
# of module authentication (the lockdown LSM logs its own, "Lockdown:
# ...", and without an audit daemon the kernel prints the audit record);
# the file name escaped; the digest of the image as loaded, decompressed
# where the kernel decompressed it.

# new_lines FILE: the kernel log lines of module authentication since
# FILE was taken: the report, the notices that it replaces, and those of
# signature verification.
new_lines() {
	dmesg > "$work/dmesg.after"
	tail -n +$(($(wc -l < "$1") + 1)) "$work/dmesg.after" | grep -v 'audit: type=' |
		grep -e 'sha256 ' -e 'Loading of ' -e 'module verification failed' \
		     -e 'PKCS7' -e 'X\.509' -e 'signature'
}

# report_check DESC FILE MODULE FLAGS LINE: load FILE (module MODULE)
# through finit_module; the load adds one line, and it is LINE (a grep
# pattern).
report_check() {
	if [ -n "$rc_why" ]; then
		ktap_test_skip "$1: $rc_why"
		return
	fi
	dmesg > "$work/dmesg.before"
	load finit "$2" "$4"
	got=$(outcome "$3")
	new_lines "$work/dmesg.before" > "$work/report"
	if [ "$(grep -c . "$work/report")" = 1 ] && grep -q "$5" "$work/report"; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1: $got, the log says: $(tr '\n' '|' < "$work/report")"
	fi
}
# sum FILE: its SHA-256, read from standard input: GNU sha256sum escapes
# a file name with a newline, and then starts the line with a backslash.
sum() {
	sha256sum 2>/dev/null < "$1" | cut -d' ' -f1
}
# unsigned_copy FILE: a copy of FILE without its appended signature.
unsigned_copy() {
	uc_len=$(unsigned_len "$1")
	head -c "${uc_len:-$(size_of "$1")}" "$1" > "$work/unsigned-copy.ko"
	echo "$work/unsigned-copy.ko"
}

rc_why=
has MODULE_HASHES || rc_why="no CONFIG_MODULE_HASHES"
[ -n "$rc_why" ] || sleep 6	# let earlier lines age: 10 in 5 s
case $mode in
e) refused="rejected, module.sig_enforce requires authentication" ;;
i|c) refused="rejected, lockdown requires authentication" ;;
*) refused= ;;
esac
# Let through where nothing is enforced, then refused by the loader: the
# report says so, not "loaded".
for v in c-truncated.ko:0 c-force-vermagic.ko:2; do
	want=${refused:-not loaded, the loader failed}
	report_check "report of ${v%:*}: $want" "$work/${v%:*}" "$c_name" "${v#*:}" \
		": sha256 $(sum "$work/${v%:*}") .*: $want\$"
done
# A signature that does not verify is rejected in every mode, and the
# report does not blame the mode.
f=$(path_of oot-badsig.ko)
if [ -z "$rc_why" ] && ! has MODULE_SIG; then
	rc_why="no CONFIG_MODULE_SIG"
elif [ -z "$rc_why" ] && [ -z "$f" ]; then
	rc_why=$(why_not oot-badsig.ko)
fi
want="its signature is not valid: rejected in every mode"
line=": sha256 $(sum "$(unsigned_copy "${f:-/dev/null}")") is not in \.module_hashes, $want\$"
report_check "report of oot-badsig: $want" "$f" hello_oot 0 "$line"
rc_why=
has MODULE_HASHES || rc_why="no CONFIG_MODULE_HASHES"
want=${refused:-loaded unauthenticated, the kernel is tainted}
# A file name with a newline, escaped: it cannot forge a line.
f="$work/forged
module line.ko"
cp "$work/c-flip-end.ko" "$f"
line="module forged\\\\nmodule line\.ko: sha256 $(sum "$f") is not in \.module_hashes, .*"
report_check "report of a file named with a newline: one line, the name escaped" \
	"$f" "$c_name" 0 "$line: $want\$"
rm -f "$f"
# A compressed module: the digest of the image the kernel decompressed.
f=$(path_of c-flip-end-compressed.ko)
if [ -z "$rc_why" ] && ! has MODULE_DECOMPRESS; then
	rc_why="no CONFIG_MODULE_DECOMPRESS"
elif [ -z "$rc_why" ] && [ -z "$f" ]; then
	rc_why=$(why_not c-flip-end-compressed.ko)
fi
line="module c-flip-end-compressed\.ko (decompressed): sha256 $(sum "$work/c-flip-end.ko")"
line="$line .*: $want\$"
report_check "report of a compressed module: the digest of its decompressed image" \
	"$f" "$c_name" 4 "$line"

desc="no module loaded unauthenticated (taint E) while enforcing"
if [ -z "$rejected" ]; then
	ktap_test_skip "$desc: not enforcing"
elif [ "$e_at_start" != 0 ]; then
	ktap_test_skip "$desc: the kernel was tainted E before the test"
elif [ $(($(tainted) & TAINT_UNSIGNED_MODULE)) = 0 ]; then
	ktap_test_pass "$desc"
else
	ktap_test_fail "$desc: taint $(tainted)"
fi

ktap_finished
