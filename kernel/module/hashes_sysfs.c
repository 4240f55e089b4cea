// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/module_hashes: the digests of the modules that the module
 * loader accepts by hash, as text, one lowercase hex SHA-256 per line in
 * ascending order, so that a running system can be audited against a
 * package's modules.hashes without its vmlinux file.  The layout of the
 * .module_hashes section stays internal: a table the loader refuses lists
 * nothing.  The digests are those of the modules shipped with the kernel,
 * files that anyone with the package can hash: showing them gives nothing
 * away.  The file is still readable by root only, as the kernel's other
 * images of itself are.
 */

#include <linux/hex.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module_hashes.h>
#include <linux/string.h>
#include <linux/sysfs.h>

/* One line: the digest in hex and a newline. */
#define LINE_SIZE (2 * MODULE_HASHES_SHA256_SIZE + 1)

static ssize_t module_hashes_read(struct file *file, struct kobject *kobj,
				  const struct bin_attribute *attr, char *buf,
				  loff_t off, size_t count)
{
	const u8 *digests;
	size_t entries = module_hashes_digests(&digests);
	u64 size = (u64)entries * LINE_SIZE;
	char line[LINE_SIZE];
	size_t done = 0;

	if (off < 0 || off >= size)
		return 0;
	count = min_t(u64, count, size - off);
	while (done < count) {
		u32 at;
		u64 entry = div_u64_rem(off + done, LINE_SIZE, &at);
		size_t len = min_t(size_t, LINE_SIZE - at, count - done);

		bin2hex(line, digests + entry * MODULE_HASHES_SHA256_SIZE,
			MODULE_HASHES_SHA256_SIZE);
		line[LINE_SIZE - 1] = '\n';
		memcpy(buf + done, line + at, len);
		done += len;
	}
	return done;
}

/*
 * The size is left at 0 (unknown): knowing it means validating the table,
 * which the loader does at the first module load, not at boot.
 */
static __ro_after_init BIN_ATTR_ADMIN_RO(module_hashes, 0);

static int __init module_hashes_sysfs_init(void)
{
	return sysfs_create_bin_file(kernel_kobj, &bin_attr_module_hashes);
}
late_initcall(module_hashes_sysfs_init);
