/*
 * posix/vfs_dev.c — the device files of /dev (vfs_dev_init, see
 * posix/vfs.h): null, zero, random and urandom as stream nodes (their I/O
 * runs without vfs_lock), and stdin, stdout and stderr as aliases of fds
 * 0, 1 and 2 (posix/vfs_fd.c opens them).
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "posix/vfs_impl.h"

/* Where random and urandom read from (set once, before /dev exists). */
static void (*dev_fill)(void *buf, size_t len);

/* No data at an offset: stream nodes are read through stream_read. */
static int64_t dev_read_at(struct vfs_node *n, void *buf, size_t len,
			   uint64_t off)
{
	return 0;
}

static int64_t dev_discard(struct vfs_node *n, const void *buf, size_t len,
			   uint32_t flags)
{
	return (int64_t)len;
}

static int64_t null_read(struct vfs_node *n, void *buf, size_t len,
			 uint32_t flags)
{
	return 0;
}

static int64_t zero_read(struct vfs_node *n, void *buf, size_t len,
			 uint32_t flags)
{
	memset(buf, 0, len);
	return (int64_t)len;
}

static int64_t random_read(struct vfs_node *n, void *buf, size_t len,
			   uint32_t flags)
{
	dev_fill(buf, len);
	return (int64_t)len;
}

static const struct vfs_node_ops null_ops = {
    .read = dev_read_at,
    .stream_read = null_read,
    .stream_write = dev_discard,
};
static const struct vfs_node_ops zero_ops = {
    .read = dev_read_at,
    .stream_read = zero_read,
    .stream_write = dev_discard,
};
static const struct vfs_node_ops random_ops = {
    .read = dev_read_at,
    .stream_read = random_read,
    .stream_write = dev_discard,
};

static const struct {
	const char *path;
	const struct vfs_node_ops *ops;
	int alias_fd; /* vfs_alias_ops only */
} dev_files[] = {
    {"/dev/null", &null_ops, 0},	{"/dev/zero", &zero_ops, 0},
    {"/dev/random", &random_ops, 0},	{"/dev/urandom", &random_ops, 0},
    {"/dev/stdin", &vfs_alias_ops, 0},	{"/dev/stdout", &vfs_alias_ops, 1},
    {"/dev/stderr", &vfs_alias_ops, 2},
};

int vfs_dev_init(void (*fill)(void *buf, size_t len))
{
	int err = vfs_mkdir("/dev", 0755);

	if (err && err != -EEXIST)
		return err;
	dev_fill = fill;
	ulock_lock(&vfs_lock);
	err = 0;
	for (size_t i = 0; !err && i < sizeof(dev_files) / sizeof(dev_files[0]);
	     i++) {
		bool alias = dev_files[i].ops == &vfs_alias_ops;
		struct vfs_node *n;

		err = vfs_ns_create(dev_files[i].path,
				    VFS_S_IFCHR | (alias ? 0620 : 0666),
				    dev_files[i].ops, &n);
		if (!err && alias)
			n->alias_fd = dev_files[i].alias_fd;
	}
	ulock_unlock(&vfs_lock);
	return err;
}
