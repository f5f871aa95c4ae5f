/*
 * posix/vfs_proc.c — generated files (vfs_proc_add, see posix/vfs.h): a
 * read-only node whose open takes a snapshot of the text its generator
 * writes; reads of that open file description come from the snapshot
 * (posix/vfs_fd.c).
 *
 * Every function runs with vfs_lock held (see vfs_impl.h).
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "posix/vfs_impl.h"

#define SNAP_FIRST 4096 /* first guess of a text's size */
#define SNAP_SLACK 256	/* room for counters that grew since asked */
#define SNAP_TRIES 4

static int proc_snapshot(struct vfs_node *n, char **text, size_t *len)
{
	size_t cap = SNAP_FIRST;

	for (int i = 0; i < SNAP_TRIES; i++) {
		char *buf = vfs_zalloc(cap);
		size_t need;

		if (!buf)
			return -ENOMEM;
		need = n->gen(buf, cap);
		if (need < cap) {
			*text = buf;
			*len = need;
			return 0;
		}
		vfs_free(buf);
		cap = need + SNAP_SLACK;
	}
	return -ENOMEM; /* the text keeps growing faster than we allocate */
}

/* Reads without a snapshot (none: every open takes one) find no data. */
static int64_t proc_read(struct vfs_node *n, void *buf, size_t len,
			 uint64_t off)
{
	return 0;
}

const struct vfs_node_ops vfs_proc_ops = {
    .read = proc_read,
    .snapshot = proc_snapshot,
};

int vfs_proc_add(const char *path, vfs_gen_fn gen)
{
	struct vfs_node *n;
	int err;

	ulock_lock(&vfs_lock);
	err = vfs_ns_create(path, VFS_S_IFREG | 0444, &vfs_proc_ops, &n);
	if (!err) {
		n->readonly = true; /* no write, truncate, rename or unlink */
		n->gen = gen;
	}
	ulock_unlock(&vfs_lock);
	return err;
}
