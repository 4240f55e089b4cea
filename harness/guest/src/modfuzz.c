// SPDX-License-Identifier: GPL-2.0
/*
 * modfuzz - feed mutated modules to the module loader, and check each
 * outcome against an oracle that does not ask the kernel.
 *
 * Usage: modfuzz SEED COUNT TABLE SIGNATURES INPUT...
 *   SEED        the run's seed: the same SEED and COUNT replay the same cases
 *   COUNT       how many cases
 *   TABLE       the .module_hashes section as the host dumped it from vmlinux
 *   SIGNATURES  1 where the kernel checks signatures (MODULE_SIG)
 *   INPUT       NAME:KIND:FILE, KIND known (in the table), signed (validly
 *               signed, and not in the table) or unknown; a FILE not named
 *               .ko is compressed (xz or zstd) and is loaded with
 *               MODULE_INIT_COMPRESSED_FILE
 *
 * Each case takes an input and one mutation: bit flips, a truncation,
 * appended bytes, a forged signature trailer whose length fits the image or
 * does not, a signed image with its trailer moved to the front, or none;
 * and loads it through init_module(2) or finit_module(2) (compressed ones
 * through finit_module only).  Run under enforcement (module.sig_enforce
 * or lockdown): a case that loads must be known by its hash (the SHA-256
 * of its image, decompressed, with or without what reads as a signature
 * trailer, is in TABLE) or be a validly signed input unchanged; an input
 * unchanged that is known, or validly signed where the kernel checks
 * signatures, must load.  A module that loads is unloaded.
 *
 * Prints each case that breaks the oracle ("wrong: ..."), and a last line
 * "cases=N loaded=L wrong=W" with the count of each outcome; exits 1 when
 * any case was wrong.
 */
#include "modtest.h"
#include <sys/wait.h>

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

/*
 * A number below n (n < 2^32), by a multiplication rather than a division,
 * which 32-bit ARM does not have without the C library's helpers.
 */
static size_t below(size_t n)
{
	return ((next() >> 32) * (uint32_t)n) >> 32;
}

enum mutation { FLIP, TRUNCATE, APPEND, TRAILER_FITS, TRAILER_TOO_LONG, TRAILER_MOVED, NONE, MUTATIONS };

static const char *const mutation_names[] = {
	"bit flips", "truncation", "appended bytes", "forged trailer (length fits)",
	"forged trailer (length too long)", "trailer moved to the front", "none",
};

/* Append a struct module_signature for PKCS#7 claiming sig_len, and the marker. */
static size_t forge_trailer(unsigned char *p, size_t len, uint32_t sig_len)
{
	unsigned char info[SIG_INFO_LEN] = { 0, 0, 2 };	/* id_type PKEY_ID_PKCS7 */
	size_t i, garbage = below(64);

	for (i = 0; i < garbage; i++)
		p[len++] = next();
	info[8] = sig_len >> 24, info[9] = sig_len >> 16, info[10] = sig_len >> 8, info[11] = sig_len;
	memcpy(p + len, info, SIG_INFO_LEN);
	memcpy(p + len + SIG_INFO_LEN, MARKER, MARKER_LEN);
	return len + SIG_INFO_LEN + MARKER_LEN;
}

static size_t mutate(enum mutation m, unsigned char *p, size_t len, const struct input *in)
{
	size_t i, n, tail;

	switch (m) {
	case FLIP:
		for (n = 1 + below(4); n; n--) {
			i = below(len);
			p[i] ^= 1 << below(8);
		}
		return len;
	case TRUNCATE:
		return below(len);
	case APPEND:
		for (n = 1 + below(64); n; n--)
			p[len++] = next();
		return len;
	case TRAILER_FITS:
		return forge_trailer(p, len, 1 + below(len / 2));
	case TRAILER_TOO_LONG:
		return forge_trailer(p, len, len + below(0x7fffffff));
	case TRAILER_MOVED:
		/* The signature, its struct and the marker, moved to the front. */
		tail = in->image.len - unsigned_len(in->image.p, in->image.len);
		memcpy(p, in->image.p + len - tail, tail);
		memcpy(p + tail, in->image.p, len - tail);
		return len;
	default:
		return len;
	}
}

/* The output of TOOL -dc FILE (xz, zstd), for the oracle of a compressed case. */
static struct buf decompress(const char *tool, const char *file)
{
	struct buf b = { 0 };
	size_t cap = 0;
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(fds) < 0)
		die("pipe", tool);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)tool, "-dc", (char *)file, NULL };
		char *envp[] = { "PATH=/usr/bin:/bin", NULL };

		dup2(fds[1], 1);
		close(fds[0]);
		execve(tool, argv, envp);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		if (b.len == cap) {
			cap = cap ? 2 * cap : 1 << 20;
			b.p = realloc(b.p, cap);
			if (!b.p)
				die("realloc", tool);
		}
		n = read(fds[0], b.p + b.len, cap - b.len);
		if (n <= 0)
			break;
		b.len += n;
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	return b;
}

int main(int argc, char **argv)
{
	static const char case_file[] = "/tmp/modfuzz-case.ko", case_xz[] = "/tmp/modfuzz-case.ko.xz",
			  case_zst[] = "/tmp/modfuzz-case.ko.zst";
	unsigned long count, counts[16] = { 0 }, wrong = 0, loaded = 0;
	const char *names[16] = { 0 };
	unsigned long long seed;
	struct input *inputs;
	int signatures, ninputs, i;
	unsigned char *p;
	size_t cap = 0;

	if (argc < 6) {
		fprintf(stderr, "usage: modfuzz SEED COUNT TABLE SIGNATURES NAME:KIND:FILE...\n");
		return 2;
	}
	seed = strtoull(argv[1], NULL, 0);
	count = strtoul(argv[2], NULL, 0);
	load_table(argv[3]);
	signatures = atoi(argv[4]);
	ninputs = argc - 5;
	inputs = calloc(ninputs, sizeof(*inputs));
	for (i = 0; i < ninputs; i++) {
		parse_input(&inputs[i], argv[5 + i]);
		if (inputs[i].image.len + 4096 > cap)
			cap = inputs[i].image.len + 4096;
	}
	p = malloc(cap);
	if (!inputs || !p)
		die("malloc", "cases");

	for (unsigned long c = 0; c < count; c++) {
		const struct input *in;
		enum mutation m;
		const char *path = case_file, *call;
		int res, ok, expect_load;
		size_t len;

		rng = seed ^ (c + 1) * 0x9e3779b97f4a7c15ULL;
		next();
		in = &inputs[below(ninputs)];
		m = below(MUTATIONS);
		if (m == TRAILER_MOVED && (strcmp(in->kind, "signed") || in->compressed))
			m = FLIP;
		if (in->compressed && (m == TRAILER_FITS || m == TRAILER_TOO_LONG))
			m = APPEND;
		memcpy(p, in->image.p, in->image.len);
		len = mutate(m, p, in->image.len, in);
		if (in->compressed) {
			path = strstr(in->path, ".xz") ? case_xz : case_zst;
			call = "finit";
			write_file(path, p, len);
			res = load_finit(path, COMPRESSED_FILE);
		} else if (below(2)) {
			call = "init";
			res = load_init(p, len);
		} else {
			call = "finit";
			write_file(path, p, len);
			res = load_finit(path, 0);
		}
		for (i = 0; res && i < 15 && names[i] && strcmp(names[i], errname(res)); i++)
			;
		if (res) {
			names[i] = errname(res);
			counts[i]++;
		}
		expect_load = m == NONE && (!strcmp(in->kind, "known") ||
					    (!strcmp(in->kind, "signed") && signatures));
		if (res == 0) {
			loaded++;
			if (in->compressed) {
				struct buf image = decompress(strstr(path, ".xz") ? "/usr/bin/xz" : "/usr/bin/zstd", path);

				ok = known_by_hash(image.p, image.len);
				free(image.p);
			} else {
				ok = known_by_hash(p, len);
			}
			ok = ok || (signatures && !strcmp(in->kind, "signed") && m == NONE);
			if (!ok) {
				wrong++;
				printf("wrong: case %lu of seed %llu: %s (%s), %s, %s: loaded, but neither in the table nor validly signed\n",
				       c, seed, in->name, in->path, mutation_names[m], call);
			}
			if (unload(in->name)) {
				printf("wrong: case %lu of seed %llu: %s does not unload\n", c, seed, in->name);
				wrong++;
			}
		} else if (expect_load) {
			wrong++;
			printf("wrong: case %lu of seed %llu: %s (%s) unchanged, %s: %s, but it is %s\n",
			       c, seed, in->name, in->path, call, errname(res), in->kind);
		}
	}
	printf("cases=%lu loaded=%lu wrong=%lu", count, loaded, wrong);
	for (i = 0; i < 16 && names[i]; i++)
		printf(" %s=%lu", names[i], counts[i]);
	printf("\n");
	return wrong ? 1 : 0;
}
