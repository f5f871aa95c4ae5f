/*
 * tests/unit/vfs_test.c — host helpers for the file layer's tests and fuzz
 * target: see vfs_test.h.
 */
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "posix/ulock.h"
#include "posix/vfs.h"
#include "posix/vfs_impl.h"
#include "tests/unit/vfs_test.h"

/* posix/ulock.c sleeps through these: Linux's futex on the host. */
int ulock_futex_wait(uint32_t *addr, uint32_t expected)
{
	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, NULL,
		       NULL, 0)
		   ? -1
		   : 0;
}

void ulock_futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

uint64_t test_now_ns;

uint64_t test_clock(void)
{
	return test_now_ns;
}

int vfs_test_setup(void **state)
{
	return vfs_init(test_clock) ? -1 : 0;
}

int vfs_test_teardown(void **state)
{
	vfs_reset();
	return vfs_nodes_alive ? -1 : 0;
}

static void put(struct cpio_w *w, const void *p, size_t n)
{
	if (!n)
		return;
	if (w->len + n > w->cap) {
		w->cap = (w->len + n) * 2 + 256;
		w->buf = realloc(w->buf, w->cap);
		if (!w->buf)
			abort();
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void pad4(struct cpio_w *w)
{
	static const uint8_t zeros[3];

	put(w, zeros, (4 - w->len % 4) % 4);
}

size_t cw_raw(struct cpio_w *w, const char *magic, const uint32_t f[CW_NFIELDS],
	      const void *name, size_t namelen, const void *data,
	      size_t datalen)
{
	size_t off = w->len;
	char hex[9];

	put(w, magic, 6);
	for (int i = 0; i < CW_NFIELDS; i++) {
		snprintf(hex, sizeof(hex), "%08X", f[i]);
		put(w, hex, 8);
	}
	put(w, name, namelen);
	pad4(w);
	put(w, data, datalen);
	pad4(w);
	return off;
}

size_t cw_link(struct cpio_w *w, const char *name, uint32_t ino, uint32_t nlink,
	       const void *data, size_t size)
{
	uint32_t f[CW_NFIELDS] = {0};

	f[CW_INO] = ino;
	f[CW_MODE] = 0100644;
	f[CW_NLINK] = nlink;
	f[CW_MTIME] = 1000;
	f[CW_FILESIZE] = (uint32_t)size;
	f[CW_NAMESIZE] = (uint32_t)strlen(name) + 1;
	return cw_raw(w, "070701", f, name, strlen(name) + 1, data, size);
}

size_t cw_entry(struct cpio_w *w, const char *name, uint32_t mode,
		const void *data, size_t size)
{
	uint32_t f[CW_NFIELDS] = {0};

	f[CW_INO] = ++w->next_ino;
	f[CW_MODE] = mode;
	f[CW_NLINK] = (mode & 0170000) == 0040000 ? 2 : 1;
	f[CW_MTIME] = 1000;
	f[CW_FILESIZE] = (uint32_t)size;
	f[CW_NAMESIZE] = (uint32_t)strlen(name) + 1;
	return cw_raw(w, "070701", f, name, strlen(name) + 1, data, size);
}

size_t cw_trailer(struct cpio_w *w)
{
	uint32_t f[CW_NFIELDS] = {0};

	f[CW_NLINK] = 1;
	f[CW_NAMESIZE] = 11;
	return cw_raw(w, "070701", f, "TRAILER!!!", 11, NULL, 0);
}

void cw_poke(struct cpio_w *w, size_t off, int i, const char *eight)
{
	memcpy(w->buf + off + 6 + 8 * i, eight, 8);
}

void cw_free(struct cpio_w *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}
