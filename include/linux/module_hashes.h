/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hash-based authentication of in-tree modules (CONFIG_MODULE_HASHES).
 * The section layout is in <uapi/linux/module_hashes.h>.
 */
#ifndef _LINUX_MODULE_HASHES_H
#define _LINUX_MODULE_HASHES_H

#include <linux/types.h>
#include <uapi/linux/module_hashes.h>

/* Bounds of the .module_hashes section, from the linker script. */
extern const u8 __start_module_hashes[];
extern const u8 __stop_module_hashes[];

/* Implemented in Rust: kernel/module/hashes.rs. */
bool module_hashes_known(const u8 *image, size_t len, u8 *digest);

#endif /* _LINUX_MODULE_HASHES_H */
