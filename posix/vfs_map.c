/*
 * posix/vfs_map.c — the file layer's side of memory maps (vfs.h): a
 * counted reference to a file's node, read and written without an fd.
 * struct vfs_map is the node itself; a reference is one of its refs, so
 * the node lives on after its last fd closes or its name goes.
 */
#include "kernel/errno.h"
#include "posix/vfs_impl.h"

static struct vfs_node *node_of(struct vfs_map *m)
{
	return (struct vfs_node *)m;
}

int vfs_map_get(int fd, struct vfs_map **out, int *writable, uint64_t *size)
{
	int err = -EBADF;

	ulock_lock(&vfs_lock);
	struct vfs_file *f = vfs_fd_file(fd);
	if (!f)
		goto out;
	err = -EACCES;
	if ((f->flags & VFS_O_ACCMODE) == VFS_O_WRONLY)
		goto out;
	err = -ENODEV;
	struct vfs_node *n = f->node;
	if ((n->mode & VFS_S_IFMT) != VFS_S_IFREG || n->ops->snapshot)
		goto out;
	vfs_node_get(n);
	*writable = (f->flags & VFS_O_ACCMODE) == VFS_O_RDWR && !n->readonly &&
		    n->ops->write;
	*size = n->size;
	*out = (struct vfs_map *)n;
	err = 0;
out:
	ulock_unlock(&vfs_lock);
	return err;
}

void vfs_map_dup(struct vfs_map *m)
{
	ulock_lock(&vfs_lock);
	vfs_node_get(node_of(m));
	ulock_unlock(&vfs_lock);
}

void vfs_map_put(struct vfs_map *m)
{
	ulock_lock(&vfs_lock);
	vfs_node_put(node_of(m));
	ulock_unlock(&vfs_lock);
}

int64_t vfs_map_read(struct vfs_map *m, void *buf, size_t len, uint64_t off)
{
	struct vfs_node *n = node_of(m);
	int64_t r = 0;

	ulock_lock(&vfs_lock);
	if (off < n->size && len) {
		if (len > n->size - off)
			len = (size_t)(n->size - off);
		r = n->ops->read(n, buf, len, off);
	}
	ulock_unlock(&vfs_lock);
	return r;
}

int64_t vfs_map_write(struct vfs_map *m, const void *buf, size_t len,
		      uint64_t off)
{
	struct vfs_node *n = node_of(m);
	int64_t r = 0;

	ulock_lock(&vfs_lock);
	if (off < n->size && len && n->ops->write && !n->readonly) {
		if (len > n->size - off)
			len = (size_t)(n->size - off);
		r = n->ops->write(n, buf, len, off);
		if (r > 0)
			vfs_touch(n, true);
	}
	ulock_unlock(&vfs_lock);
	return r;
}
