// SPDX-License-Identifier: GPL-2.0
/*
 * modfaults - load modules with one allocation failing, each in turn.
 *
 * Usage: modfaults NAME:KIND:FILE...
 *   KIND  known (in the table), signed (validly signed) or unknown; a FILE
 *         not named .ko is compressed and loaded with
 *         MODULE_INIT_COMPRESSED_FILE through finit_module only
 *
 * For each input and system call, it loads the module again and again with
 * /proc/thread-self/fail-nth set to 1, 2, 3, ...: the Nth fault site that
 * the load reaches fails (failslab and fail_page_alloc, as configured in
 * debugfs; where debugfs restricts them to a range of the stack, the Nth
 * inside it), until a load reaches fewer than N sites.  Run under
 * enforcement: after an injected failure a load may fail or, for a known
 * or signed module, succeed, but an unknown module never loads; the load
 * that no failure hit gives the module's own outcome.  A module that loads
 * is unloaded.  kmemleak (guest/tests/99-debug-reports) finds what the
 * failed loads leaked.
 *
 * Prints a line per input and call, "NAME CALL: injections=N loaded=L
 * ERRNO=COUNT... clean=OUTCOME", lines "wrong: ..." for what breaks the
 * rules, and a last line "injections=N wrong=W"; exits 1 when anything was
 * wrong.  MODFAULTS_LIMIT bounds the injections per input and call.
 */
#include "modtest.h"

/* Injections per input and call at most (MODFAULTS_LIMIT overrides). */
static unsigned long limit = 100000;

static int fail_nth;

/*
 * The file cannot seek, and must not be opened again while a failure is
 * armed (the open would reach fault sites itself): its writes ignore the
 * file position, and it is read with pread() at offset 0.
 */
static void set_fail_nth(unsigned int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%u", n);

	if (write(fail_nth, s, len) != len)
		die("write", "/proc/thread-self/fail-nth");
}

/* Whether the failure was injected: fail-nth counted down to 0. */
static int injected(void)
{
	char s[16] = { 0 };

	if (syscall(__NR_pread64, fail_nth, s, sizeof(s) - 1, 0) < 0)
		die("read", "/proc/thread-self/fail-nth");
	return atoi(s) == 0;
}

int main(int argc, char **argv)
{
	unsigned long total = 0, wrong = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: modfaults NAME:KIND:FILE...\n");
		return 2;
	}
	if (getenv("MODFAULTS_LIMIT"))
		limit = strtoul(getenv("MODFAULTS_LIMIT"), NULL, 0);
	fail_nth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_nth < 0)
		die("open", "/proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
	for (i = 1; i < argc; i++) {
		struct input in;
		int call;

		parse_input(&in, argv[i]);
		if (!in.compressed)
			write_file("/tmp/modfaults.ko", in.image.p, in.image.len);
		for (call = in.compressed; call < 2; call++) {
			const char *name = call ? "finit" : "init";
			unsigned long n, injections = 0, loaded = 0, counts[8] = { 0 };
			const char *errors[8] = { 0 };
			int e;
			int res = 0, hit;

			for (n = 1; n <= limit; n++) {
				/* Opened before the failure is armed. */
				int fd = call ? open(in.compressed ? in.path : "/tmp/modfaults.ko", O_RDONLY) : -1;

				if (call && fd < 0)
					die("open", in.path);
				set_fail_nth(n);
				if (call)
					res = syscall(__NR_finit_module, fd, "",
						      in.compressed ? COMPRESSED_FILE : 0) ? -errno : 0;
				else
					res = load_init(in.image.p, in.image.len);
				hit = injected();
				set_fail_nth(0);
				if (fd >= 0)
					close(fd);
				if (res == 0 && unload(in.name)) {
					printf("wrong: %s %s, failure %lu: does not unload\n", in.name, name, n);
					wrong++;
				}
				if (!hit)
					break;
				injections++;
				for (e = 0; res && e < 7 && errors[e] && strcmp(errors[e], errname(res)); e++)
					;
				if (res) {
					errors[e] = errname(res);
					counts[e]++;
				}
				if (res == 0) {
					loaded++;
					if (!strcmp(in.kind, "unknown")) {
						printf("wrong: %s %s, failure %lu: an unknown module loaded\n",
						       in.name, name, n);
						wrong++;
					}
				}
			}
			if (n > limit) {
				printf("wrong: %s %s: still failing after %lu injections\n", in.name, name, limit);
				wrong++;
			}
			printf("%s %s: injections=%lu loaded=%lu", in.name, name, injections, loaded);
			for (e = 0; e < 8 && errors[e]; e++)
				printf(" %s=%lu", errors[e], counts[e]);
			printf(" clean=%s\n", errname(res));
			total += injections;
		}
		free(in.image.p);
	}
	printf("injections=%lu wrong=%lu\n", total, wrong);
	return wrong ? 1 : 0;
}
