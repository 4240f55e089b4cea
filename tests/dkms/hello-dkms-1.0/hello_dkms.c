// SPDX-License-Identifier: GPL-2.0
/*
 * An out-of-tree module that DKMS builds after the kernel: not in the
 * kernel's .module_hashes table, so it loads only with a signature.
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init hello_dkms_init(void)
{
	pr_info("hello_dkms: loaded\n");
	return 0;
}

static void __exit hello_dkms_exit(void)
{
}

module_init(hello_dkms_init);
module_exit(hello_dkms_exit);
MODULE_DESCRIPTION("Out-of-tree DKMS module for the module-hashes tests");
MODULE_LICENSE("GPL");
