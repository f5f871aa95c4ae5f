/*
 * posix/vfs_ns.c — operations on names: stat, access, truncate, mkdir,
 * rmdir, unlink, rename, chdir and getcwd. Each takes vfs_lock for its whole
 * run; the errors follow POSIX, and Linux where POSIX leaves a choice.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "posix/vfs_impl.h"

int vfs_node_truncate(struct vfs_node *n, int64_t len)
{
	int err;

	if (vfs_is_dir(n))
		return -EISDIR;
	if (len < 0)
		return -EINVAL;
	if (n->readonly)
		return -EROFS;
	if (!n->ops->truncate)
		return -EINVAL;
	if ((uint64_t)len > VFS_FILE_MAX)
		return -EFBIG;
	err = n->ops->truncate(n, (uint64_t)len);
	if (!err)
		vfs_touch(n, true);
	return err;
}

int vfs_stat(const char *path, struct vfs_stat *st)
{
	struct vfs_node *n;
	int err;

	if (!st)
		return -EFAULT;
	ulock_lock(&vfs_lock);
	err = vfs_lookup(path, &n);
	if (!err)
		vfs_fill_stat(n, st);
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_lstat(const char *path, struct vfs_stat *st)
{
	return vfs_stat(path, st);
}

int vfs_access(const char *path, int amode)
{
	struct vfs_node *n;
	int err;

	if (amode & ~(VFS_R_OK | VFS_W_OK | VFS_X_OK))
		return -EINVAL;
	ulock_lock(&vfs_lock);
	err = vfs_lookup(path, &n);
	if (err)
		goto out;
	if ((amode & VFS_W_OK) && n->readonly)
		err = -EROFS;
	else if ((amode & VFS_X_OK) && !vfs_is_dir(n) && !(n->mode & 0111))
		err = -EACCES;
out:
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_truncate(const char *path, int64_t len)
{
	struct vfs_node *n;
	int err;

	if (len < 0)
		return -EINVAL;
	ulock_lock(&vfs_lock);
	err = vfs_lookup(path, &n);
	if (!err)
		err = vfs_node_truncate(n, len);
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_ns_create(const char *path, uint32_t mode,
		  const struct vfs_node_ops *ops, struct vfs_node **out)
{
	struct vfs_path p;
	struct vfs_node *n;
	int err = vfs_walk(path, &p);

	if (err)
		return err;
	if (p.node)
		return -EEXIST;
	if (!p.dir->nlink) /* a removed directory */
		return -ENOENT;
	if (p.dir->readonly)
		return -EROFS;
	n = vfs_node_new(mode, ops);
	if (!n)
		return -ENOSPC;
	err = vfs_dir_add(p.dir, p.name, p.len, n);
	if (err) {
		vfs_node_drop(n);
		return err;
	}
	*out = n;
	return 0;
}

int vfs_mkdir(const char *path, uint32_t mode)
{
	struct vfs_node *n;
	int err;

	ulock_lock(&vfs_lock);
	err = vfs_ns_create(path, VFS_S_IFDIR | (mode & VFS_S_IPERM),
			    &vfs_dir_ops, &n);
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_rmdir(const char *path)
{
	struct vfs_path p;
	struct vfs_node *n;
	int err;

	ulock_lock(&vfs_lock);
	err = vfs_walk(path, &p);
	if (err)
		goto out;
	n = p.node;
	err = -ENOENT;
	if (!n)
		goto out;
	err = -ENOTDIR;
	if (!vfs_is_dir(n))
		goto out;
	err = p.last == VFS_LAST_ROOT	  ? -EBUSY
	      : p.last == VFS_LAST_DOT	  ? -EINVAL
	      : p.last == VFS_LAST_DOTDOT ? -ENOTEMPTY
					  : 0;
	if (err)
		goto out;
	err = -EROFS;
	if (p.dir->readonly || n->readonly)
		goto out;
	err = -ENOTEMPTY;
	if (n->dir.count)
		goto out;
	vfs_dir_remove(p.dir, vfs_dir_find(p.dir, p.name, p.len));
	vfs_node_drop(n);
	err = 0;
out:
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_unlink(const char *path)
{
	struct vfs_path p;
	struct vfs_node *n;
	int err;

	ulock_lock(&vfs_lock);
	err = vfs_walk(path, &p);
	if (err)
		goto out;
	n = p.node;
	err = -ENOENT;
	if (!n)
		goto out;
	err = -EISDIR;
	if (vfs_is_dir(n))
		goto out;
	err = -ENOTDIR;
	if (p.slash)
		goto out;
	err = -EROFS;
	if (p.dir->readonly || n->readonly)
		goto out;
	vfs_dir_remove(p.dir, vfs_dir_find(p.dir, p.name, p.len));
	vfs_node_drop(n);
	err = 0;
out:
	ulock_unlock(&vfs_lock);
	return err;
}

/* Whether dir is n or lies below it. */
static bool vfs_is_below(struct vfs_node *dir, struct vfs_node *n)
{
	for (;;) {
		if (dir == n)
			return true;
		if (dir == vfs_root || !dir->dir.parent)
			return false;
		dir = dir->dir.parent;
	}
}

/* Checks rename(from, to) and returns 0 if it may go ahead (vfs_lock held). */
static int rename_check(const struct vfs_path *f, const struct vfs_path *t)
{
	struct vfs_node *src = f->node, *dst = t->node;

	if (!src)
		return -ENOENT;
	if (f->last != VFS_LAST_NAME || t->last != VFS_LAST_NAME)
		return -EBUSY;
	if (!vfs_is_dir(src) && (f->slash || t->slash))
		return -ENOTDIR;
	if (!t->dir->nlink)
		return -ENOENT;
	if (dst == src)
		return 0;
	if (dst && vfs_is_dir(src) && !vfs_is_dir(dst))
		return -ENOTDIR;
	if (dst && !vfs_is_dir(src) && vfs_is_dir(dst))
		return -EISDIR;
	if (vfs_is_dir(src) && vfs_is_below(t->dir, src))
		return -EINVAL;
	if (f->dir->readonly || src->readonly || t->dir->readonly ||
	    (dst && dst->readonly))
		return -EROFS;
	if (dst && vfs_is_dir(dst) && dst->dir.count)
		return -ENOTEMPTY;
	return 0;
}

int vfs_rename(const char *from, const char *to)
{
	struct vfs_path f, t;
	struct vfs_dentry *nd;
	int err;

	ulock_lock(&vfs_lock);
	err = vfs_walk(from, &f);
	if (!err)
		err = vfs_walk(to, &t);
	if (!err)
		err = rename_check(&f, &t);
	if (err || t.node == f.node)
		goto out;
	err = -ENOSPC;
	nd = vfs_dentry_new(t.name, t.len);
	if (!nd)
		goto out;
	if (t.node)
		vfs_dir_remove(t.dir, vfs_dir_find(t.dir, t.name, t.len));
	vfs_dir_remove(f.dir, vfs_dir_find(f.dir, f.name, f.len));
	vfs_dir_link(t.dir, nd, f.node);
	if (t.node)
		vfs_node_drop(t.node);
	err = 0;
out:
	ulock_unlock(&vfs_lock);
	return err;
}

/* Makes n the cwd (vfs_lock held). */
int vfs_set_cwd(struct vfs_node *n)
{
	if (!vfs_is_dir(n))
		return -ENOTDIR;
	vfs_node_get(n);
	vfs_node_put(vfs_cwd);
	vfs_cwd = n;
	return 0;
}

int vfs_chdir(const char *path)
{
	struct vfs_node *n;
	int err;

	ulock_lock(&vfs_lock);
	err = vfs_lookup(path, &n);
	if (!err)
		err = vfs_set_cwd(n);
	ulock_unlock(&vfs_lock);
	return err;
}

/* The name of n in its parent (n is a directory other than the root). */
static const struct vfs_dentry *vfs_name_of(struct vfs_node *n)
{
	const struct vfs_dentry *d;

	for (d = n->dir.parent->dir.head; d; d = d->next)
		if (d->node == n)
			return d;
	return NULL; /* not reached: a linked directory is in its parent */
}

int vfs_getcwd(char *buf, size_t size)
{
	struct vfs_node *n;
	size_t pos = size;
	int err = 0;

	if (!buf)
		return -EFAULT;
	if (!size)
		return -EINVAL;
	ulock_lock(&vfs_lock);
	n = vfs_cwd;
	if (!n || !n->nlink) {
		err = -ENOENT;
		goto out;
	}
	buf[--pos] = '\0';
	for (; n != vfs_root; n = n->dir.parent) {
		const struct vfs_dentry *d = vfs_name_of(n);

		if (pos < (size_t)d->len + 1u) {
			err = -ERANGE;
			goto out;
		}
		pos -= d->len;
		memcpy(buf + pos, d->name, d->len);
		buf[--pos] = '/';
	}
	if (pos == size - 1) { /* the cwd is the root */
		if (!pos) {
			err = -ERANGE;
			goto out;
		}
		buf[--pos] = '/';
	}
	memmove(buf, buf + pos, size - pos);
out:
	ulock_unlock(&vfs_lock);
	return err;
}
