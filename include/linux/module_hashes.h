/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The .module_hashes section of vmlinux (CONFIG_MODULE_HASHES): the SHA-256
 * digests of the modules built together with the kernel.
 *
 * Layout, all integers little-endian whatever the target's byte order:
 *
 *	struct module_hashes_header	header;
 *	u8				digests[count][entry_size];
 *	zero padding up to the end of the section
 *
 * The digests are sorted in ascending memcmp() order without duplicates.
 * A digest is the SHA-256 of a module's ELF file without an appended module
 * signature (<linux/module_signature.h>).  The build's writer of the table,
 * scripts/module-hashes, has its own copy of this layout and checks it
 * against the header that the build puts into the section from this file.
 */
#ifndef _LINUX_MODULE_HASHES_H
#define _LINUX_MODULE_HASHES_H

#define MODULE_HASHES_MAGIC		"MODHASH"	/* 8 bytes with the NUL */
#define MODULE_HASHES_VERSION		1
#define MODULE_HASHES_ALGO_SHA256	1
#define MODULE_HASHES_SHA256_SIZE	32

#ifndef __ASSEMBLER__

#include <linux/types.h>

struct module_hashes_header {
	u8	magic[8];	/* MODULE_HASHES_MAGIC, NUL-terminated */
	__le32	version;	/* MODULE_HASHES_VERSION */
	__le32	algo;		/* MODULE_HASHES_ALGO_SHA256 */
	__le32	count;		/* number of digests that follow */
	__le32	entry_size;	/* bytes per digest: MODULE_HASHES_SHA256_SIZE */
};

/* Bounds of the .module_hashes section, from the linker script. */
extern const u8 __start_module_hashes[];
extern const u8 __stop_module_hashes[];

/* Implemented in Rust: kernel/module/hashes.rs. */
bool module_hashes_known(const u8 *image, size_t len, u8 *digest);
size_t module_hashes_digests(const u8 **digests);

#endif /* !__ASSEMBLER__ */
#endif /* _LINUX_MODULE_HASHES_H */
