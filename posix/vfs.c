/*
 * posix/vfs.c — the namespace of the file layer: the globals, node life
 * cycle, directory entries and path lookup ('.', '..', repeated and trailing
 * slashes, relative paths against the cwd).
 *
 * A node lives while it has a name (nlink > 0) or a holder (refs > 0: an
 * open file or the cwd); vfs_node_drop() frees it when both reach zero.
 */
#include <stdlib.h>

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "posix/vfs_impl.h"

/* Lock order: vfs_lock, then a pipe's lock (vfs_pipe.c); nothing is
 * taken under a pipe's lock. */
struct ulock vfs_lock = ULOCK_INIT;

/* The root directory: NULL before vfs_init() and after vfs_reset(). */
struct vfs_node *vfs_root;
/* The working directory of the (one) process; holds a ref. */
struct vfs_node *vfs_cwd;
/* Where fds 0-2 write (set by posix/, read without the lock). */
void (*vfs_console_write)(const char *buf, size_t len);
/* Where reads of fds 0-2 come from (set by posix/, read without the lock). */
int64_t (*vfs_console_read)(void *buf, size_t len, bool nonblock);
int (*vfs_console_poll)(void); /* (as vfs_console_read) */

/* Source of time stamps; NULL stamps 0. */
static uint64_t (*vfs_clock)(void);
/* Next inode number (1 is the root). */
static uint64_t vfs_next_ino = 1;

#ifdef UNUM_HOST
long vfs_fail_alloc_countdown;
long vfs_nodes_alive;

static bool alloc_fails(void)
{
	return vfs_fail_alloc_countdown > 0 && --vfs_fail_alloc_countdown == 0;
}
#else
static bool alloc_fails(void)
{
	return false;
}
#endif

void *vfs_zalloc(size_t size)
{
	return alloc_fails() ? NULL : calloc(1, size);
}

void *vfs_realloc(void *p, size_t size)
{
	return alloc_fails() ? NULL : realloc(p, size);
}

void vfs_free(void *p)
{
	free(p);
}

int64_t vfs_copy_out(const uint8_t *data, uint64_t size, void *buf, size_t len,
		     uint64_t off)
{
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	memcpy(buf, data + off, len);
	return (int64_t)len;
}

uint64_t vfs_now(void)
{
	return vfs_clock ? vfs_clock() : 0;
}

/* ---- nodes --------------------------------------------------------------- */

/* Directories have no data of their own: their entries are vfs_dir. */
const struct vfs_node_ops vfs_dir_ops = {0};

struct vfs_node *vfs_node_new(uint32_t mode, const struct vfs_node_ops *ops)
{
	struct vfs_node *n = vfs_zalloc(sizeof(*n));

	if (!n)
		return NULL;
	n->ops = ops;
	n->ino = vfs_next_ino++;
	n->mode = mode;
	n->atime_ns = n->mtime_ns = n->ctime_ns = vfs_now();
	if (vfs_is_dir(n))
		n->dir.next_cookie = VFS_DIR_FIRST_COOKIE;
#ifdef UNUM_HOST
	vfs_nodes_alive++;
#endif
	return n;
}

/* Frees n if nothing names or holds it any more. */
void vfs_node_drop(struct vfs_node *n)
{
	if (n->nlink || n->refs)
		return;
	if (n->ops->release)
		n->ops->release(n);
#ifdef UNUM_HOST
	vfs_nodes_alive--;
#endif
	vfs_free(n);
}

void vfs_node_get(struct vfs_node *n)
{
	n->refs++;
}

void vfs_node_put(struct vfs_node *n)
{
	n->refs--;
	vfs_node_drop(n);
}

/* Read-only (initrd) nodes keep the times of the archive. */
void vfs_touch(struct vfs_node *n, bool modified)
{
	uint64_t now = vfs_now();

	if (n->readonly)
		return;
	n->ctime_ns = now;
	if (modified)
		n->mtime_ns = now;
}

void vfs_accessed(struct vfs_node *n)
{
	if (!n->readonly)
		n->atime_ns = vfs_now();
}

void vfs_fill_stat(const struct vfs_node *n, struct vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ino = n->ino;
	st->size = n->size;
	st->nlink = n->nlink;
	st->mode = n->mode;
	st->atime_ns = n->atime_ns;
	st->mtime_ns = n->mtime_ns;
	st->ctime_ns = n->ctime_ns;
	st->blksize = VFS_BLKSIZE;
	st->blocks = n->ops->blocks ? n->ops->blocks(n) : 0;
}

/* ---- directory entries --------------------------------------------------- */

struct vfs_dentry *vfs_dentry_new(const char *name, size_t len)
{
	struct vfs_dentry *d = vfs_zalloc(sizeof(*d) + len + 1);

	if (!d)
		return NULL;
	memcpy(d->name, name, len);
	d->len = (uint16_t)len;
	return d;
}

struct vfs_dentry *vfs_dir_find(struct vfs_node *dir, const char *name,
				size_t len)
{
	struct vfs_dentry *d;

	for (d = dir->dir.head; d; d = d->next)
		if (d->len == len && !memcmp(d->name, name, len))
			return d;
	return NULL;
}

void vfs_dir_link(struct vfs_node *dir, struct vfs_dentry *d,
		  struct vfs_node *n)
{
	d->node = n;
	d->next = NULL;
	d->cookie = dir->dir.next_cookie++;
	if (dir->dir.tail)
		dir->dir.tail->next = d;
	else
		dir->dir.head = d;
	dir->dir.tail = d;
	dir->dir.count++;
	dir->size = dir->dir.count;
	if (vfs_is_dir(n)) {
		n->nlink += 2; /* its name and its "." */
		dir->nlink++;  /* its ".." */
		n->dir.parent = dir;
	} else {
		n->nlink++;
	}
	vfs_touch(dir, true);
	vfs_touch(n, false);
}

void vfs_dir_unlink(struct vfs_node *dir, struct vfs_dentry *d)
{
	struct vfs_dentry **pp = &dir->dir.head, *prev = NULL;
	struct vfs_node *n = d->node;

	while (*pp != d) {
		prev = *pp;
		pp = &prev->next;
	}
	*pp = d->next;
	if (dir->dir.tail == d)
		dir->dir.tail = prev;
	dir->dir.count--;
	dir->dir.removals++;
	dir->size = dir->dir.count;
	if (vfs_is_dir(n)) {
		n->nlink -= 2;
		dir->nlink--;
		n->dir.parent = NULL;
	} else {
		n->nlink--;
	}
	vfs_touch(dir, true);
	vfs_touch(n, false);
}

int vfs_dir_add(struct vfs_node *dir, const char *name, size_t len,
		struct vfs_node *n)
{
	struct vfs_dentry *d = vfs_dentry_new(name, len);

	if (!d)
		return -ENOSPC;
	vfs_dir_link(dir, d, n);
	return 0;
}

void vfs_dir_remove(struct vfs_node *dir, struct vfs_dentry *d)
{
	vfs_dir_unlink(dir, d);
	vfs_free(d);
}

/*
 * Removes every entry below top and top itself, without recursion (archives
 * nest as deep as VFS_PATH_MAX allows). Nodes still held (open files) live
 * on, nameless, until their last holder lets go.
 */
void vfs_tree_free(struct vfs_node *top)
{
	struct vfs_node *cur = top;

	for (;;) {
		struct vfs_dentry *d = cur->dir.head;

		if (d) {
			struct vfs_node *child = d->node;
			bool is_dir = vfs_is_dir(child);

			vfs_dir_remove(cur, d);
			if (is_dir) {
				child->dir.parent = cur; /* the way back up */
				cur = child;
			} else {
				vfs_node_drop(child);
			}
			continue;
		}
		struct vfs_node *up = cur->dir.parent;
		bool done = cur == top;

		cur->dir.parent = NULL;
		cur->nlink = 0;
		vfs_node_drop(cur);
		if (done)
			return;
		cur = up;
	}
}

/* ---- paths --------------------------------------------------------------- */

int vfs_walk(const char *path, struct vfs_path *p)
{
	const char *s = path;
	size_t total;

	if (!path)
		return -EFAULT;
	if (!vfs_root)
		return -ENOENT;
	total = strnlen(path, VFS_PATH_MAX);
	if (total == 0)
		return -ENOENT;
	if (total >= VFS_PATH_MAX)
		return -ENAMETOOLONG;

	p->dir = p->node = path[0] == '/' ? vfs_root : vfs_cwd;
	p->name = ".";
	p->len = 1;
	p->last = path[0] == '/' ? VFS_LAST_ROOT : VFS_LAST_DOT;
	p->slash = path[total - 1] == '/';
	for (;;) {
		const char *e;
		struct vfs_node *dir = p->node;

		while (*s == '/')
			s++;
		if (!*s)
			return 0;
		for (e = s; *e && *e != '/'; e++)
			;
		if (!dir)
			return -ENOENT; /* the previous component is missing */
		if (!vfs_is_dir(dir))
			return -ENOTDIR;
		if ((size_t)(e - s) > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		p->dir = dir;
		p->name = s;
		p->len = (size_t)(e - s);
		if (p->len == 1 && s[0] == '.') {
			p->last = VFS_LAST_DOT;
		} else if (p->len == 2 && s[0] == '.' && s[1] == '.') {
			p->last = VFS_LAST_DOTDOT;
			p->node = dir->dir.parent;
			if (!p->node)
				return -ENOENT; /* dir was removed */
		} else {
			struct vfs_dentry *d = vfs_dir_find(dir, s, p->len);

			p->last = VFS_LAST_NAME;
			p->node = d ? d->node : NULL;
		}
		s = e;
	}
}

int vfs_lookup(const char *path, struct vfs_node **out)
{
	struct vfs_path p;
	int err = vfs_walk(path, &p);

	if (err)
		return err;
	if (!p.node)
		return -ENOENT;
	if (p.slash && !vfs_is_dir(p.node))
		return -ENOTDIR;
	*out = p.node;
	return 0;
}

/* ---- set-up -------------------------------------------------------------- */

int vfs_init(uint64_t (*clock_ns)(void))
{
	struct vfs_node *root;
	int err = -EBUSY;

	ulock_lock(&vfs_lock);
	if (vfs_root)
		goto out;
	vfs_clock = clock_ns;
	vfs_next_ino = 1;
	err = -ENOMEM;
	root = vfs_node_new(VFS_S_IFDIR | 0755, &vfs_dir_ops);
	if (!root)
		goto out;
	root->nlink = 2;
	root->dir.parent = root;
	err = vfs_fd_init();
	if (err) {
		root->nlink = 0;
		vfs_node_drop(root);
		goto out;
	}
	vfs_root = root;
	vfs_cwd = root;
	vfs_node_get(root);
out:
	ulock_unlock(&vfs_lock);
	return err;
}

void vfs_reset(void)
{
	ulock_lock(&vfs_lock);
	if (vfs_root) {
		vfs_fd_reset();
		vfs_node_put(vfs_cwd);
		vfs_cwd = NULL;
		vfs_tree_free(vfs_root);
		vfs_root = NULL;
	}
	ulock_unlock(&vfs_lock);
}
