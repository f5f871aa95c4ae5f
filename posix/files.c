/*
 * posix/files.c — the files every program may expect, made at start
 * (posix/start.c) beside /proc: a writable /tmp, the devices of /dev
 * (posix/vfs_dev.c) and /etc/hostname. A name an initrd already provides
 * is kept; a failure is reported on stderr and the program still runs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "kernel/kstring.h"
#include "posix/posix_impl.h"
#include "posix/vfs.h"

/* /etc/hostname: gethostname's name and a newline, as read at open. */
static size_t hostname_text(char *buf, size_t len)
{
	char name[HOST_NAME_MAX + 1];
	size_t n = 0;

	if (gethostname(name, sizeof(name)))
		name[0] = '\0';
	kappendf(buf, len, &n, "%s\n", name);
	return n;
}

static void report(const char *what, int err)
{
	if (err && err != -EEXIST)
		fprintf(stderr, "unum: %s not made: error %d\n", what, -err);
}

void posix_files_init(void)
{
	int err;

	report("/tmp", vfs_mkdir("/tmp", 01777));
	report("/dev", vfs_dev_init(posix_random_fill));
	err = vfs_mkdir("/etc", 0755);
	if (!err || err == -EEXIST)
		err = vfs_proc_add("/etc/hostname", hostname_text);
	report("/etc/hostname", err);
}
