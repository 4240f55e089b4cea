// SPDX-License-Identifier: GPL-2.0
/* An out-of-tree module for the loading-policy tests (built with make M=). */
#include <linux/init.h>
#include <linux/module.h>

static int __init hello_oot_init(void)
{
	pr_info("hello_oot: loaded\n");
	return 0;
}

static void __exit hello_oot_exit(void)
{
}

module_init(hello_oot_init);
module_exit(hello_oot_exit);
MODULE_DESCRIPTION("Out-of-tree module for the module-hashes policy tests");
MODULE_LICENSE("GPL");
MODULE_INFO(build, HELLO_OOT_BUILD);
