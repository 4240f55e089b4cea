/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest's fuzzer (modfuzz.c) and fault injector (modfaults.c)
 * share: module files in memory, loading them through either system call,
 * and an oracle that does not ask the kernel: the SHA-256 of an image
 * (computed here), looked up in the .module_hashes table as the host
 * dumped it from vmlinux (fixtures.sh).  Built like modload (lib.sh:
 * guest_program), with the C library of the tree's tools/include/nolibc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define COMPRESSED_FILE 4	/* MODULE_INIT_COMPRESSED_FILE */

struct buf {
	unsigned char *p;
	size_t len;
};

static inline void die(const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s: %s\n", what, arg, strerror(errno));
	exit(2);
}

static inline struct buf read_file(const char *path)
{
	struct buf b = { 0 };
	struct stat st;
	size_t done = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		die("open", path);
	b.len = st.st_size;
	b.p = malloc(b.len + 1);
	if (!b.p)
		die("malloc", path);
	while (done < b.len) {
		ssize_t n = read(fd, b.p + done, b.len - done);

		if (n <= 0)
			die("read", path);
		done += n;
	}
	close(fd);
	return b;
}

static inline void write_file(const char *path, const unsigned char *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t done = 0;

	if (fd < 0)
		die("open", path);
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n <= 0)
			die("write", path);
		done += n;
	}
	close(fd);
}

/* Load through init_module(2): 0 or -errno. */
static inline int load_init(const unsigned char *p, size_t len)
{
	return syscall(__NR_init_module, p, len, "") ? -errno : 0;
}

/* Load the file path through finit_module(2): 0 or -errno. */
static inline int load_finit(const char *path, int flags)
{
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0)
		die("open", path);
	ret = syscall(__NR_finit_module, fd, "", flags) ? -errno : 0;
	close(fd);
	return ret;
}

static inline int unload(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* SHA-256 (FIPS 180-4), for the oracle. */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static inline void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | p[4 * i + 1] << 16 | p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ w[i - 15] >> 3) +
		       w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ w[i - 2] >> 10);
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (i = 0; i < 64; i++) {
		t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static inline void sha256(const unsigned char *p, size_t len, unsigned char out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char last[128] = { 0 };
	size_t i, rest = len % 64, tail = rest < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;

	for (i = 0; i + 64 <= len; i += 64)
		sha256_block(h, p + i);
	memcpy(last, p + i, rest);
	last[rest] = 0x80;
	for (i = 0; i < 8; i++)
		last[tail - 1 - i] = bits >> (8 * i);
	sha256_block(h, last);
	if (tail == 128)
		sha256_block(h, last + 64);
	for (i = 0; i < 32; i++)
		out[i] = h[i / 4] >> (24 - 8 * (i % 4));
}

/* The table: the section of vmlinux as the host dumped it. */
static struct buf table;
static uint32_t table_count;

static inline uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void load_table(const char *path)
{
	table = read_file(path);
	if (table.len < 24 || memcmp(table.p, "MODHASH", 8) || le32(table.p + 20) != 32)
		die("not a .module_hashes table", path);
	table_count = le32(table.p + 16);
	if (table_count > (table.len - 24) / 32)
		die("a table with more digests than it holds", path);
}

static inline int in_table(const unsigned char digest[32])
{
	uint32_t i;

	for (i = 0; i < table_count; i++)
		if (!memcmp(table.p + 24 + 32 * i, digest, 32))
			return 1;
	return 0;
}

#define MARKER "~Module signature appended~\n"
#define MARKER_LEN (sizeof(MARKER) - 1)
#define SIG_INFO_LEN 12		/* struct module_signature */

/*
 * The length of an image without a well-formed signature trailer, as the
 * kernel's module_unsigned_len() reads one (PKCS#7, a length the image
 * holds), or the whole length.
 */
static inline size_t unsigned_len(const unsigned char *p, size_t len)
{
	const unsigned char *info;
	uint32_t sig_len;

	if (len <= MARKER_LEN + SIG_INFO_LEN || memcmp(p + len - MARKER_LEN, MARKER, MARKER_LEN))
		return len;
	info = p + len - MARKER_LEN - SIG_INFO_LEN;
	sig_len = (uint32_t)info[8] << 24 | info[9] << 16 | info[10] << 8 | info[11];
	if (info[2] != 2 || sig_len == 0 || sig_len >= len - MARKER_LEN - SIG_INFO_LEN)
		return len;
	return len - MARKER_LEN - SIG_INFO_LEN - sig_len;
}

/* Is the image known by hash, with or without what reads as a trailer? */
static inline int known_by_hash(const unsigned char *p, size_t len)
{
	unsigned char d[32];

	sha256(p, len, d);
	if (in_table(d))
		return 1;
	sha256(p, unsigned_len(p, len), d);
	return in_table(d);
}

static inline const char *errname(int err)
{
	switch (-err) {
	case 0: return "loaded";
	case EKEYREJECTED: return "EKEYREJECTED";
	case EPERM: return "EPERM";
	case ENOEXEC: return "ENOEXEC";
	case EBADMSG: return "EBADMSG";
	case ENOKEY: return "ENOKEY";
	case ENOPKG: return "ENOPKG";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EFBIG: return "EFBIG";
	case ENODATA: return "ENODATA";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOSPC: return "ENOSPC";
	default: return "other";
	}
}

/* An input: NAME:KIND:FILE, KIND one of known, signed, unknown. */
struct input {
	char *name, *kind, *path;
	struct buf image;
	int compressed;
};

static inline void parse_input(struct input *in, char *arg)
{
	char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	size_t n;

	if (!c2) {
		fprintf(stderr, "input %s: NAME:KIND:FILE\n", arg);
		exit(2);
	}
	*c1 = *c2 = '\0';
	in->name = arg, in->kind = c1 + 1, in->path = c2 + 1;
	in->image = read_file(in->path);
	n = strlen(in->path);
	in->compressed = !(n > 3 && !strcmp(in->path + n - 3, ".ko"));
}
