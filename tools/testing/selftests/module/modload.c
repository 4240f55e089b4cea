// SPDX-License-Identifier: GPL-2.0
/*
 * modload - load a module through one chosen system call and report the
 * result exactly, for tests of the module loader's authentication policy.
 *
 * Unlike insmod, it never falls back from one system call to the other, so
 * a test sees the errno of the path it asked for.
 *
 * Usage: modload init|finit FILE [FLAGS [PARAMS]]
 *   init   read FILE and call init_module(2)
 *   finit  open FILE and call finit_module(2) with FLAGS, a sum of
 *          1 (MODULE_INIT_IGNORE_MODVERSIONS), 2 (MODULE_INIT_IGNORE_VERMAGIC)
 *          and 4 (MODULE_INIT_COMPRESSED_FILE)
 *
 * Prints "loaded" or "error <ERRNO-NAME>" and exits 0 on success, 1 when
 * the kernel refused the module, 2 on a usage or I/O error.
 *
 * It builds with a C library or with tools/include/nolibc (a test guest of
 * another architecture, without its C library), hence the system calls by
 * their __NR_ numbers, which both have.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int err)
{
	switch (err) {
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
	default: return strerror(err);
	}
}

static int print_usage(void)
{
	fprintf(stderr, "usage: modload init|finit FILE [FLAGS [PARAMS]]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *params;
	unsigned long flags;
	char *end;
	long ret;
	int fd;

	if (argc < 3 || argc > 5)
		return print_usage();
	flags = argc > 3 ? strtoul(argv[3], &end, 0) : 0;
	if (argc > 3 && (*argv[3] == '\0' || *end != '\0'))
		return print_usage();
	params = argc > 4 ? argv[4] : "";

	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "modload: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}

	if (strcmp(argv[1], "finit") == 0) {
		ret = syscall(__NR_finit_module, fd, params, flags);
	} else if (strcmp(argv[1], "init") == 0) {
		struct stat st;
		size_t done = 0;
		char *image;

		if (flags)
			return print_usage();
		if (fstat(fd, &st) < 0) {
			fprintf(stderr, "modload: %s: %s\n", argv[2], strerror(errno));
			return 2;
		}
		image = malloc(st.st_size ? st.st_size : 1);
		if (!image) {
			fprintf(stderr, "modload: out of memory\n");
			return 2;
		}
		while (done < (size_t)st.st_size) {
			ssize_t n = read(fd, image + done, st.st_size - done);

			if (n <= 0) {
				fprintf(stderr, "modload: %s: short read\n", argv[2]);
				return 2;
			}
			done += n;
		}
		ret = syscall(__NR_init_module, image, done, params);
		free(image);
	} else {
		return print_usage();
	}
	close(fd);

	if (ret == 0) {
		printf("loaded\n");
		return 0;
	}
	printf("error %s\n", errno_name(errno));
	return 1;
}
