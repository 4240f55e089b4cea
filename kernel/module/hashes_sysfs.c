// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/module_hashes: the kernel's .module_hashes section, byte for
 * byte as the build wrote it (include/linux/module_hashes.h), so that a
 * running system can be audited against a package's modules.hashes
 * without its vmlinux file.  The digests are those of the modules shipped
 * with the kernel, files that anyone with the package can hash: showing
 * them gives nothing away.  The file is still readable by root only, as
 * the kernel's other images of itself are.
 */

#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/module_hashes.h>
#include <linux/sysfs.h>

static __ro_after_init BIN_ATTR_SIMPLE_ADMIN_RO(module_hashes);

static int __init module_hashes_sysfs_init(void)
{
	bin_attr_module_hashes.private = (void *)__start_module_hashes;
	bin_attr_module_hashes.size = __stop_module_hashes - __start_module_hashes;
	return sysfs_create_bin_file(kernel_kobj, &bin_attr_module_hashes);
}
late_initcall(module_hashes_sysfs_init);
