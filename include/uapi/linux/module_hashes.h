/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The .module_hashes section of vmlinux: the SHA-256 digests of the modules
 * built together with the kernel (CONFIG_MODULE_HASHES).
 *
 * This header is the one definition of the layout.  The kernel reads it in
 * kernel/module/hashes.rs; the build writes it with the host tool in
 * scripts/module-hashes/, whose tests check their constants against this
 * file.
 *
 * Layout (all integers little-endian, whatever the target's byte order):
 *
 *	struct module_hashes_header	header;
 *	__u8				digests[count][entry_size];
 *	(zero padding up to the end of the section)
 *
 * The digests are sorted in ascending memcmp() order without duplicates, so
 * that a lookup is a binary search.  A digest is the SHA-256 of a module's
 * ELF file as built, without an appended module signature (see
 * <linux/module_signature.h>): the marker, struct module_signature and the
 * signature bytes are not hashed, so a module may be both hashed and signed.
 *
 * The linker reserves the section with room for one digest per line of
 * modules.order and fills it with zeros; a section whose header is not
 * valid (such as that all-zero placeholder) means no module is known.
 */
#ifndef _UAPI_LINUX_MODULE_HASHES_H
#define _UAPI_LINUX_MODULE_HASHES_H

#include <linux/types.h>

#define MODULE_HASHES_MAGIC		"MODHASH"	/* 8 bytes with the NUL */
#define MODULE_HASHES_VERSION		1
#define MODULE_HASHES_ALGO_SHA256	1
#define MODULE_HASHES_SHA256_SIZE	32

struct module_hashes_header {
	__u8	magic[8];	/* MODULE_HASHES_MAGIC, NUL-terminated */
	__le32	version;	/* MODULE_HASHES_VERSION */
	__le32	algo;		/* MODULE_HASHES_ALGO_SHA256 */
	__le32	count;		/* number of digests that follow */
	__le32	entry_size;	/* bytes per digest: MODULE_HASHES_SHA256_SIZE */
};

#endif /* _UAPI_LINUX_MODULE_HASHES_H */
