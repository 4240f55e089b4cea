// SPDX-License-Identifier: GPL-2.0
/*
 * What authenticating a module costs, by its digest against by its
 * signature: a KUnit benchmark (CONFIG_MODULE_HASHES_BENCH), its cases
 * marked slow.
 *
 * For each module image, the suite times the two decisions that
 * kernel/module/auth.c can take on the same bytes, interleaved round by
 * round so that both see the same machine:
 *
 * - by hash: module_hashes_known() on the kernel's own table, the SHA-256
 *   of the image and a binary search (a miss, unless the image is one of
 *   the kernel's own modules, which costs the same to within a lookup);
 * - by signature: verify_pkcs7_signature() of a detached PKCS#7 signature
 *   of the image, as mod_verify_sig() does, against a keyring of its own
 *   that holds the certificates given, for each of their key types.
 *
 * The inputs are files that the benchmark's user puts into the initramfs,
 * in MODULE_AUTH_BENCH_DIR:
 *
 *	<size>.ko			an unsigned module image, for each
 *					<size> of bench_sizes[]
 *	<size>.ko.<key>.p7s		its signature made with <key>, for each
 *					<key> of bench_keys[]
 *	<key>.der			the DER X.509 certificate of <key>
 *
 * A missing image skips its case; a missing certificate skips its key
 * type.  A signature that does not verify fails the case.  Each case logs
 * the median and the quartiles of the decision's duration per method, in
 * nanoseconds.
 */

#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/initrd.h>
#include <linux/kernel_read_file.h>
#include <linux/key.h>
#include <linux/ktime.h>
#include <linux/module_hashes.h>
#include <linux/sort.h>
#include <linux/verification.h>
#include <linux/vmalloc.h>
#include <crypto/sha2.h>

#define MODULE_AUTH_BENCH_DIR	"/module_auth_bench"
/* The largest input read: Debian's largest modules are about 10 MB. */
#define MODULE_AUTH_BENCH_MAX	(64 << 20)

/*
 * Rounds: at least MIN_ROUNDS and MIN_NS of them, at most MAX_ROUNDS, so
 * that a median is stable for small images and a run stays short for
 * large ones.
 */
#define MIN_ROUNDS	21
#define MAX_ROUNDS	501
#define MIN_NS		(1000 * NSEC_PER_MSEC)

static const char * const bench_sizes[] = { "16K", "64K", "256K", "1M", "4M" };
static const char * const bench_keys[] = { "rsa-4096", "ecdsa-p384", "ml-dsa-65" };

/* The methods timed: the hash path, then one per key type. */
#define NR_METHODS	(1 + ARRAY_SIZE(bench_keys))

static struct key *bench_keyring;
/* The certificates in bench_keyring; NULL: that key type is not timed. */
static key_ref_t bench_certs[ARRAY_SIZE(bench_keys)];

KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);

static ssize_t bench_read(const char *name, void **buf)
{
	char path[64];
	size_t size;

	snprintf(path, sizeof(path), MODULE_AUTH_BENCH_DIR "/%s", name);
	*buf = NULL;
	/* The initramfs's root: KUnit's threads resolve paths elsewhere. */
	return kernel_read_file_from_path_initns(path, 0, buf,
						 MODULE_AUTH_BENCH_MAX, &size,
						 READING_UNKNOWN);
}

static int bench_suite_init(struct kunit_suite *suite)
{
	unsigned int i;

	/* The suite runs at boot, maybe before the initramfs is unpacked. */
	wait_for_initramfs();
	bench_keyring = keyring_alloc(".module_auth_bench",
				      GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
				      current_cred(),
				      (KEY_POS_ALL & ~KEY_POS_SETATTR) |
				      KEY_USR_VIEW | KEY_USR_READ |
				      KEY_USR_SEARCH,
				      KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(bench_keyring))
		return PTR_ERR(bench_keyring);

	for (i = 0; i < ARRAY_SIZE(bench_keys); i++) {
		char name[32];
		void *cert;
		ssize_t len;
		key_ref_t key;

		snprintf(name, sizeof(name), "%s.der", bench_keys[i]);
		len = bench_read(name, &cert);
		if (len < 0) {
			pr_info("module_auth_bench: %s: not benchmarked (%zd)\n",
				name, len);
			continue;
		}
		key = key_create_or_update(make_key_ref(bench_keyring, true),
					   "asymmetric", NULL, cert, len,
					   (KEY_POS_ALL & ~KEY_POS_SETATTR) |
					   KEY_USR_VIEW | KEY_USR_READ,
					   KEY_ALLOC_NOT_IN_QUOTA |
					   KEY_ALLOC_BYPASS_RESTRICTION);
		vfree(cert);
		/*
		 * A certificate that the kernel cannot take (-ENOPKG: its key
		 * type is not built in) is a configuration error: fail.
		 */
		if (IS_ERR(key)) {
			pr_err("module_auth_bench: %s: cannot load (%ld)\n",
			       name, PTR_ERR(key));
			return PTR_ERR(key);
		}
		bench_certs[i] = key;
	}
	return 0;
}

static void bench_suite_exit(struct kunit_suite *suite)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bench_keys); i++) {
		if (bench_certs[i])
			key_ref_put(bench_certs[i]);
		bench_certs[i] = NULL;
	}
	if (!IS_ERR_OR_NULL(bench_keyring))
		key_put(bench_keyring);
	bench_keyring = NULL;
}

static void bench_size_desc(const char * const *size, char *desc)
{
	strscpy(desc, *size, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bench_size, bench_sizes, bench_size_desc);

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct bench_input {
	const void *image;
	size_t len;
	void *sig[ARRAY_SIZE(bench_keys)];
	ssize_t sig_len[ARRAY_SIZE(bench_keys)];
};

/* One decision by METHOD (0: hash, else 1 + key index), as auth.c takes it. */
static int bench_decide(const struct bench_input *in, unsigned int method,
			bool *listed)
{
	u8 digest[SHA256_DIGEST_SIZE];
	unsigned int k = method - 1;

	if (method == 0) {
		*listed = module_hashes_known(in->image, in->len, digest);
		return 0;
	}
	return verify_pkcs7_signature(in->image, in->len,
				      in->sig[k], in->sig_len[k], bench_keyring,
				      VERIFYING_MODULE_SIGNATURE, NULL, NULL);
}

static void module_auth_bench(struct kunit *test)
{
	const char * const *size = test->param_value;
	struct bench_input in = {};
	u64 *samples[NR_METHODS] = {};
	bool active[NR_METHODS] = { true };
	unsigned int m, rounds = 0;
	char name[48];
	void *image;
	ssize_t len;
	bool listed = false;
	u64 start;
	int err;

	snprintf(name, sizeof(name), "%s.ko", *size);
	len = bench_read(name, &image);
	if (len == -ENOENT)
		kunit_skip(test, "no %s in " MODULE_AUTH_BENCH_DIR, name);
	KUNIT_ASSERT_GE_MSG(test, len, 0, "reading %s", name);
	err = kunit_add_action_or_reset(test, vfree_action, image);
	KUNIT_ASSERT_EQ(test, err, 0);
	in.image = image;
	in.len = len;

	for (m = 1; m < NR_METHODS; m++) {
		unsigned int k = m - 1;

		if (!bench_certs[k])
			continue;
		snprintf(name, sizeof(name), "%s.ko.%s.p7s", *size,
			 bench_keys[k]);
		in.sig_len[k] = bench_read(name, &in.sig[k]);
		KUNIT_EXPECT_GE_MSG(test, in.sig_len[k], 0, "reading %s", name);
		if (in.sig_len[k] < 0)
			continue;
		err = kunit_add_action_or_reset(test, vfree_action, in.sig[k]);
		KUNIT_ASSERT_EQ(test, err, 0);
		/* The signature is good, or the comparison means nothing. */
		err = bench_decide(&in, m, &listed);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s does not verify (%d)",
				    name, err);
		active[m] = !err;
	}

	for (m = 0; m < NR_METHODS; m++) {
		if (!active[m])
			continue;
		samples[m] = kunit_kcalloc(test, MAX_ROUNDS, sizeof(u64),
					   GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, samples[m]);
		/* Warm up: the first use of the table validates it. */
		bench_decide(&in, m, &listed);
	}

	start = ktime_get_ns();
	while (rounds < MAX_ROUNDS &&
	       (rounds < MIN_ROUNDS || ktime_get_ns() - start < MIN_NS)) {
		for (m = 0; m < NR_METHODS; m++) {
			u64 t;

			if (!active[m])
				continue;
			t = ktime_get_ns();
			KUNIT_ASSERT_EQ(test, bench_decide(&in, m, &listed), 0);
			samples[m][rounds] = ktime_get_ns() - t;
		}
		rounds++;
		cond_resched();
	}

	for (m = 0; m < NR_METHODS; m++) {
		if (!active[m])
			continue;
		sort(samples[m], rounds, sizeof(u64), cmp_u64, NULL);
		kunit_info(test,
			   "bench: auth size=%s bytes=%zu method=%s listed=%d rounds=%u median_ns=%llu q1_ns=%llu q3_ns=%llu\n",
			   *size, in.len, m ? bench_keys[m - 1] : "hash",
			   m ? 0 : listed, rounds, samples[m][rounds / 2],
			   samples[m][rounds / 4], samples[m][3 * rounds / 4]);
	}
}

static struct kunit_case module_auth_bench_cases[] = {
	KUNIT_CASE_PARAM_ATTR(module_auth_bench, bench_size_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite module_auth_bench_suite = {
	.name = "module_auth_bench",
	.suite_init = bench_suite_init,
	.suite_exit = bench_suite_exit,
	.test_cases = module_auth_bench_cases,
};

kunit_test_suite(module_auth_bench_suite);
