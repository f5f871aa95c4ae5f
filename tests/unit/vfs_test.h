/*
 * tests/unit/vfs_test.h — helpers shared by the host tests and the fuzz
 * target of the file layer (posix/vfs*.c): Linux futexes under posix/ulock.c,
 * a settable clock, and a cpio "newc" writer that can also make broken
 * archives.
 */
#ifndef TESTS_UNIT_VFS_TEST_H
#define TESTS_UNIT_VFS_TEST_H

#include <stddef.h>
#include <stdint.h>

/* The clock handed to vfs_init(): returns test_now_ns. */
extern uint64_t test_now_ns;
uint64_t test_clock(void);

/* A cmocka fixture: a fresh vfs (vfs_init with test_clock) before a test;
 * after it vfs_reset, failing (non-zero) if a node is left alive. */
int vfs_test_setup(void **state);
int vfs_test_teardown(void **state);

/* Header fields of a newc entry, in archive order. */
/* clang-format off */
enum {
	CW_INO, CW_MODE, CW_UID, CW_GID, CW_NLINK, CW_MTIME, CW_FILESIZE,
	CW_DEVMAJOR, CW_DEVMINOR, CW_RDEVMAJOR, CW_RDEVMINOR, CW_NAMESIZE,
	CW_CHECK, CW_NFIELDS
};
/* clang-format on */
#define CW_HDR_LEN 110

struct cpio_w {
	uint8_t *buf;
	size_t len, cap;
	uint32_t next_ino;
};

/*
 * Appends one entry exactly as described: magic (6 chars), the fields,
 * namelen bytes of name (whatever f[CW_NAMESIZE] says), padding to 4,
 * datalen bytes of data, padding to 4. Returns the entry's offset.
 */
size_t cw_raw(struct cpio_w *w, const char *magic, const uint32_t f[CW_NFIELDS],
	      const void *name, size_t namelen, const void *data,
	      size_t datalen);
/* A well-formed entry (mtime 1000, nlink 1 or 2 for directories, a fresh
 * ino). Returns its offset. */
size_t cw_entry(struct cpio_w *w, const char *name, uint32_t mode,
		const void *data, size_t size);
/* Like cw_entry() with a chosen ino and nlink (hard links). */
size_t cw_link(struct cpio_w *w, const char *name, uint32_t ino, uint32_t nlink,
	       const void *data, size_t size);
size_t cw_trailer(struct cpio_w *w);
/* Overwrites field i of the entry at off with 8 characters. */
void cw_poke(struct cpio_w *w, size_t off, int i, const char *eight);
void cw_free(struct cpio_w *w);

#endif
