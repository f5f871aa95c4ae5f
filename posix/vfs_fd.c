/*
 * posix/vfs_fd.c — the fd table of the (one) process and the calls on fds:
 * open, close, read, write, pread, pwrite, lseek, dup, dup2, fcntl,
 * ftruncate, fstat, fchdir and the directory stream calls.
 *
 * An fd points at an open file description (struct vfs_file), shared by the
 * fds dup'ed from it; the description holds a ref on its node. fds 0-2 start
 * on one description of the console node, which has no name. Stream nodes
 * (pipes, devices) do their I/O without vfs_lock, holding the description.
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "posix/vfs_impl.h"

/* The fd table (vfs_lock). */
static struct {
	struct vfs_file *file; /* NULL: free */
	bool cloexec;
} vfs_fds[VFS_OPEN_MAX];
/* (vfs_lock) RLIMIT_NOFILE's soft limit: no new fd at or above it */
static int vfs_fd_limit = VFS_OPEN_MAX;

/* The console node behind fds 0-2 (vfs_lock); never named. */
static struct vfs_node *vfs_console;

static int64_t console_read(struct vfs_node *n, void *buf, size_t len,
			    uint64_t off)
{
	return 0; /* not called: reads go to console_stream_read */
}

/* The program's standard input (may block): see vfs_console_read. */
static int64_t console_stream_read(struct vfs_node *n, void *buf, size_t len,
				   uint32_t flags)
{
	int64_t (*rd)(void *, size_t, bool) = vfs_console_read;
	(void)n;
	return rd && len ? rd(buf, len, flags & VFS_O_NONBLOCK) : 0;
}

static uint32_t console_poll(struct vfs_node *n, uint32_t flags)
{
	int (*ready)(void) = vfs_console_poll;
	(void)n, (void)flags;
	return (ready && !ready() ? 0 : VFS_POLLIN) | VFS_POLLOUT;
}

/* Console writes bypass the ops (see vfs_write): no .write here. */
static const struct vfs_node_ops console_ops = {
    .read = console_read,
    .stream_read = console_stream_read,
    .poll = console_poll,
};

/* ---- the table ----------------------------------------------------------- */

static struct vfs_file *file_new(struct vfs_node *n, uint32_t flags)
{
	struct vfs_file *f = vfs_zalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->node = n;
	f->flags = flags;
	vfs_node_get(n);
	return f;
}

static void file_put(struct vfs_file *f)
{
	if (--f->refs)
		return;
	if (f->node->ops->close)
		f->node->ops->close(f->node, f->flags);
	vfs_node_put(f->node);
	vfs_free(f->snap);
	vfs_free(f);
}

static bool can_read(const struct vfs_file *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_WRONLY;
}

static bool can_write(const struct vfs_file *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_RDONLY;
}

/* The lowest free fd >= min, or -EMFILE. */
static int fd_free_slot(int min)
{
	for (int fd = min; fd < vfs_fd_limit; fd++)
		if (!vfs_fds[fd].file)
			return fd;
	return -EMFILE;
}

static void fd_install(int fd, struct vfs_file *f, bool cloexec)
{
	f->refs++;
	vfs_fds[fd].file = f;
	vfs_fds[fd].cloexec = cloexec;
}

/* The description behind fd, or NULL (vfs_lock held). */
static struct vfs_file *fd_get(int fd)
{
	if (fd < 0 || fd >= VFS_OPEN_MAX)
		return NULL;
	return vfs_fds[fd].file;
}

struct vfs_file *vfs_fd_file(int fd)
{
	return fd_get(fd);
}

int vfs_fd_init(void)
{
	struct vfs_file *f;

	vfs_console = vfs_node_new(VFS_S_IFCHR | 0620, &console_ops);
	if (!vfs_console)
		return -ENOMEM;
	vfs_console->nlink = 1; /* kept alive while the vfs runs */
	f = file_new(vfs_console, VFS_O_RDWR);
	if (!f) {
		vfs_console->nlink = 0;
		vfs_node_drop(vfs_console);
		return -ENOMEM;
	}
	for (int fd = 0; fd < 3; fd++)
		fd_install(fd, f, false);
	return 0;
}

void vfs_fd_reset(void)
{
	for (int fd = 0; fd < VFS_OPEN_MAX; fd++) {
		if (vfs_fds[fd].file)
			file_put(vfs_fds[fd].file);
		vfs_fds[fd].file = NULL;
	}
	vfs_console->nlink = 0;
	vfs_node_drop(vfs_console);
	vfs_console = NULL;
}

int vfs_fd_pair(struct vfs_node *n, const uint32_t flags[2], bool cloexec,
		int fds[2])
{
	struct vfs_file *f[2];
	int a = fd_free_slot(0), b = a < 0 ? a : fd_free_slot(a + 1);

	if (b < 0)
		return b;
	f[0] = file_new(n, flags[0]);
	f[1] = f[0] ? file_new(n, flags[1]) : NULL;
	if (!f[1]) {
		if (f[0]) { /* undo file_new, leaving n to the caller */
			n->refs--;
			vfs_free(f[0]);
		}
		return -ENOMEM;
	}
	fd_install(a, f[0], cloexec);
	fd_install(b, f[1], cloexec);
	fds[0] = a;
	fds[1] = b;
	return 0;
}

/* ---- open and close ------------------------------------------------------ */

/* /dev/stdin and the like: the node names fd alias_fd, whose description
 * the new fd shares (a dup: Linux would open the file again). */
const struct vfs_node_ops vfs_alias_ops = {0};

static int open_alias(const struct vfs_node *n, int flags)
{
	struct vfs_file *f = fd_get(n->alias_fd);
	int acc = flags & VFS_O_ACCMODE, fd;

	if ((flags & VFS_O_CREAT) && (flags & VFS_O_EXCL))
		return -EEXIST;
	if (!f)
		return -ENOENT;
	if ((acc != VFS_O_WRONLY && !can_read(f)) ||
	    (acc != VFS_O_RDONLY && !can_write(f)))
		return -EACCES;
	fd = fd_free_slot(0);
	if (fd >= 0)
		fd_install(fd, f, flags & VFS_O_CLOEXEC);
	return fd;
}

/* Checks open() of an existing node, and truncates for O_TRUNC. */
static int open_existing(const struct vfs_path *p, int flags)
{
	struct vfs_node *n = p->node;
	int acc = flags & VFS_O_ACCMODE;

	if ((flags & VFS_O_CREAT) && (flags & VFS_O_EXCL))
		return -EEXIST;
	if (vfs_is_dir(n)) {
		if (acc != VFS_O_RDONLY ||
		    (flags & (VFS_O_CREAT | VFS_O_TRUNC)))
			return -EISDIR;
		return 0;
	}
	if (p->slash || (flags & VFS_O_DIRECTORY))
		return -ENOTDIR;
	if ((acc != VFS_O_RDONLY || (flags & VFS_O_TRUNC)) && n->readonly)
		return -EROFS;
	if ((flags & VFS_O_TRUNC) && n->ops->truncate)
		return vfs_node_truncate(n, 0);
	return 0;
}

/* Makes the file p names, for O_CREAT; *out is the new node. */
static int open_create(const struct vfs_path *p, int flags, uint32_t mode,
		       struct vfs_node **out)
{
	struct vfs_node *n;

	if (p->slash)
		return -EISDIR;
	if (flags & VFS_O_DIRECTORY)
		return -EINVAL;
	if (!p->dir->nlink)
		return -ENOENT;
	if (p->dir->readonly)
		return -EROFS;
	n = vfs_node_new(VFS_S_IFREG | (mode & VFS_S_IPERM), &ramfs_ops);
	if (!n)
		return -ENOSPC;
	if (vfs_dir_add(p->dir, p->name, p->len, n)) {
		vfs_node_drop(n);
		return -ENOSPC;
	}
	*out = n;
	return 0;
}

int vfs_open(const char *path, int flags, uint32_t mode)
{
	struct vfs_path p;
	struct vfs_file *f;
	int fd, err;

	if ((flags & VFS_O_ACCMODE) == VFS_O_ACCMODE)
		return -EINVAL;
	ulock_lock(&vfs_lock);
	err = vfs_walk(path, &p);
	if (err)
		goto out;
	if (p.node && p.node->ops == &vfs_alias_ops) {
		err = open_alias(p.node, flags);
		goto out;
	}
	/* Take the fd and the description first: once a node is made or
	 * truncated, nothing may fail. */
	err = fd = fd_free_slot(0);
	if (err < 0)
		goto out;
	err = -ENOMEM;
	f = vfs_zalloc(sizeof(*f));
	if (!f)
		goto out;
	if (p.node)
		err = open_existing(&p, flags);
	else if (flags & VFS_O_CREAT)
		err = open_create(&p, flags, mode, &p.node);
	else
		err = -ENOENT;
	if (!err && p.node->ops->snapshot)
		err = p.node->ops->snapshot(p.node, &f->snap, &f->snap_len);
	if (err) {
		vfs_free(f);
		goto out;
	}
	f->node = p.node;
	f->flags =
	    (uint32_t)flags & (VFS_O_ACCMODE | VFS_O_APPEND | VFS_O_NONBLOCK);
	vfs_node_get(p.node);
	fd_install(fd, f, flags & VFS_O_CLOEXEC);
	err = fd;
out:
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_close(int fd)
{
	struct vfs_file *f;
	int err = -EBADF;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	if (f) {
		vfs_fds[fd].file = NULL;
		file_put(f);
		err = 0;
	}
	ulock_unlock(&vfs_lock);
	return err;
}

/* ---- data ---------------------------------------------------------------- */

/* A generated file reads the snapshot its open took. */
static int64_t snap_read(const struct vfs_file *f, void *buf, size_t len,
			 uint64_t off)
{
	return vfs_copy_out((const uint8_t *)f->snap, f->snap_len, buf, len,
			    off);
}

/* Read or write of a stream node (a pipe, a device), entered with vfs_lock
 * held: done without it, the description held meanwhile. */
static int64_t stream_io(struct vfs_file *f, void *buf, size_t len, int64_t at,
			 bool wr)
{
	struct vfs_node *n = f->node;
	uint32_t flags = f->flags; /* as they are at the call */
	int64_t r = -ESPIPE;

	if (at >= 0 && (n->mode & VFS_S_IFMT) == VFS_S_IFIFO)
		goto out;
	r = -EFAULT;
	if (len && !buf)
		goto out;
	if (len > VFS_IO_MAX)
		len = VFS_IO_MAX;
	f->refs++;
	ulock_unlock(&vfs_lock);
	r = wr ? n->ops->stream_write(n, buf, len, flags)
	       : n->ops->stream_read(n, buf, len, flags);
	ulock_lock(&vfs_lock);
	if (r > 0 && wr)
		vfs_touch(n, true);
	else if (r > 0)
		vfs_accessed(n);
	file_put(f);
out:
	ulock_unlock(&vfs_lock);
	return r;
}

/* read/pread: at is the offset, or -1 for the file position. */
static int64_t do_read(int fd, void *buf, size_t len, int64_t at)
{
	struct vfs_file *f;
	int64_t n;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	n = -EBADF;
	if (!f || !can_read(f))
		goto out;
	n = -EISDIR;
	if (vfs_is_dir(f->node))
		goto out;
	n = -ESPIPE;
	if (at >= 0 && f->node == vfs_console)
		goto out;
	if (f->node->ops->stream_read)
		return stream_io(f, buf, len, at, false);
	n = 0;
	if (!len)
		goto out;
	n = -EFAULT;
	if (!buf)
		goto out;
	if (len > VFS_IO_MAX)
		len = VFS_IO_MAX;
	if (f->snap)
		n = snap_read(f, buf, len, at >= 0 ? (uint64_t)at : f->pos);
	else
		n = f->node->ops->read(f->node, buf, len,
				       at >= 0 ? (uint64_t)at : f->pos);
	if (n > 0) {
		vfs_accessed(f->node);
		if (at < 0)
			f->pos += (uint64_t)n;
	}
out:
	ulock_unlock(&vfs_lock);
	return n;
}

int64_t vfs_read(int fd, void *buf, size_t len)
{
	return do_read(fd, buf, len, -1);
}

int64_t vfs_pread(int fd, void *buf, size_t len, int64_t off)
{
	if (off < 0) {
		/* still -EBADF first for a bad fd, as Linux */
		int64_t n = do_read(fd, buf, 0, -1);

		return n < 0 ? n : -EINVAL;
	}
	return do_read(fd, buf, len, off);
}

/* write/pwrite: at is the offset, or -1 for the file position. */
static int64_t do_write(int fd, const void *buf, size_t len, int64_t at)
{
	struct vfs_file *f;
	void (*console)(const char *, size_t);
	uint64_t off;
	int64_t n;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	n = -EBADF;
	if (!f || !can_write(f))
		goto out;
	if (f->node == vfs_console) {
		n = -ESPIPE;
		if (at >= 0)
			goto out;
		/* The console is slow: write it without the lock. */
		console = vfs_console_write;
		ulock_unlock(&vfs_lock);
		if (len && !buf)
			return -EFAULT;
		if (len > VFS_IO_MAX)
			len = VFS_IO_MAX;
		if (len && console)
			console(buf, len);
		return (int64_t)len;
	}
	if (f->node->ops->stream_write)
		return stream_io(f, (void *)buf, len, at, true);
	n = 0;
	if (!len)
		goto out;
	n = -EFAULT;
	if (!buf)
		goto out;
	if (len > VFS_IO_MAX)
		len = VFS_IO_MAX;
	off = at >= 0			  ? (uint64_t)at
	      : (f->flags & VFS_O_APPEND) ? f->node->size
					  : f->pos;
	n = -EFBIG;
	if (off >= VFS_FILE_MAX)
		goto out;
	if (len > VFS_FILE_MAX - off)
		len = (size_t)(VFS_FILE_MAX - off);
	n = f->node->ops->write(f->node, buf, len, off);
	if (n > 0) {
		vfs_touch(f->node, true);
		if (at < 0)
			f->pos = off + (uint64_t)n;
	}
out:
	ulock_unlock(&vfs_lock);
	return n;
}

int64_t vfs_write(int fd, const void *buf, size_t len)
{
	return do_write(fd, buf, len, -1);
}

int64_t vfs_pwrite(int fd, const void *buf, size_t len, int64_t off)
{
	if (off < 0) {
		int64_t n = do_write(fd, buf, 0, -1);

		return n < 0 ? n : -EINVAL;
	}
	return do_write(fd, buf, len, off);
}

int64_t vfs_lseek(int fd, int64_t off, int whence)
{
	struct vfs_file *f;
	int64_t base, n;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	n = -EBADF;
	if (!f)
		goto out;
	n = -ESPIPE;
	if (f->node == vfs_console ||
	    (f->node->mode & VFS_S_IFMT) == VFS_S_IFIFO)
		goto out;
	n = -EINVAL;
	if (whence == VFS_SEEK_SET)
		base = 0;
	else if (whence == VFS_SEEK_CUR)
		base = (int64_t)f->pos;
	else if (whence == VFS_SEEK_END && !vfs_is_dir(f->node))
		base = (int64_t)f->node->size;
	else
		goto out;
	n = -EOVERFLOW;
	if (off > 0 && base > INT64_MAX - off)
		goto out;
	n = -EINVAL;
	if (base + off < 0)
		goto out;
	n = base + off;
	if ((uint64_t)n != f->pos)
		f->dir_last = NULL; /* a directory's readdir restarts here */
	f->pos = (uint64_t)n;
out:
	ulock_unlock(&vfs_lock);
	return n;
}

/* ---- fds ----------------------------------------------------------------- */

int vfs_set_open_max(int n)
{
	if (n < 0 || n > VFS_OPEN_MAX)
		return -EINVAL;
	ulock_lock(&vfs_lock);
	vfs_fd_limit = n;
	ulock_unlock(&vfs_lock);
	return 0;
}

int vfs_open_max(void)
{
	ulock_lock(&vfs_lock);
	int n = vfs_fd_limit;
	ulock_unlock(&vfs_lock);
	return n;
}

int vfs_dup(int fd)
{
	return vfs_fcntl(fd, VFS_F_DUPFD, 0);
}

static int dup_to(int fd, int newfd, bool cloexec)
{
	struct vfs_file *f;
	int err = -EBADF;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	if (!f || newfd < 0 || newfd >= vfs_fd_limit)
		goto out;
	err = newfd;
	if (newfd == fd)
		goto out;
	if (vfs_fds[newfd].file)
		file_put(vfs_fds[newfd].file);
	fd_install(newfd, f, cloexec);
out:
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_dup2(int fd, int newfd)
{
	return dup_to(fd, newfd, false);
}

int vfs_dup3(int fd, int newfd, int flags)
{
	if (flags & ~VFS_O_CLOEXEC)
		return -EINVAL;
	if (fd == newfd)
		return -EINVAL;
	return dup_to(fd, newfd, flags & VFS_O_CLOEXEC);
}

uint32_t vfs_poll_fd(int fd, uint32_t events)
{
	const uint32_t always = VFS_POLLERR | VFS_POLLHUP;
	struct vfs_file *f;
	uint32_t ready = VFS_POLLNVAL;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	if (f) {
		ready = f->node->ops->poll
			    ? f->node->ops->poll(f->node, f->flags)
			    : VFS_POLLIN | VFS_POLLOUT;
		ready &= events | always;
	}
	ulock_unlock(&vfs_lock);
	return ready;
}

int vfs_fcntl(int fd, int cmd, long arg)
{
	const uint32_t settable = VFS_O_APPEND | VFS_O_NONBLOCK;
	struct vfs_file *f;
	int ret = -EBADF;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	if (!f)
		goto out;
	switch (cmd) {
	case VFS_F_DUPFD:
	case VFS_F_DUPFD_CLOEXEC:
		ret = -EINVAL;
		if (arg < 0 || arg >= vfs_fd_limit)
			break;
		ret = fd_free_slot((int)arg);
		if (ret >= 0)
			fd_install(ret, f, cmd == VFS_F_DUPFD_CLOEXEC);
		break;
	case VFS_F_GETFD:
		ret = vfs_fds[fd].cloexec ? VFS_FD_CLOEXEC : 0;
		break;
	case VFS_F_SETFD:
		vfs_fds[fd].cloexec = arg & VFS_FD_CLOEXEC;
		ret = 0;
		break;
	case VFS_F_GETFL:
		ret = (int)f->flags;
		break;
	case VFS_F_SETFL:
		f->flags = (f->flags & ~settable) | ((uint32_t)arg & settable);
		ret = 0;
		break;
	default:
		ret = -EINVAL;
	}
out:
	ulock_unlock(&vfs_lock);
	return ret;
}

int vfs_isatty(int fd)
{
	struct vfs_file *f;
	int ret;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	ret = !f ? -EBADF : f->node == vfs_console;
	ulock_unlock(&vfs_lock);
	return ret;
}

int vfs_ftruncate(int fd, int64_t len)
{
	struct vfs_file *f;
	int err;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	err = -EBADF;
	if (!f)
		goto out;
	err = -EINVAL;
	if (len < 0 || !can_write(f) || !f->node->ops->truncate)
		goto out;
	err = vfs_node_truncate(f->node, len);
out:
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_fstat(int fd, struct vfs_stat *st)
{
	struct vfs_file *f;
	int err = -EBADF;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	if (f) {
		err = -EFAULT;
		if (st) {
			vfs_fill_stat(f->node, st);
			err = 0;
		}
	}
	ulock_unlock(&vfs_lock);
	return err;
}

int vfs_fchdir(int fd)
{
	struct vfs_file *f;
	int err = -EBADF;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	if (f)
		err = vfs_set_cwd(f->node);
	ulock_unlock(&vfs_lock);
	return err;
}

/* ---- directory streams --------------------------------------------------- */

int vfs_opendir(const char *path)
{
	return vfs_open(path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
}

int vfs_closedir(int fd)
{
	return vfs_close(fd);
}

static void fill_dirent(struct vfs_dirent *ent, const struct vfs_node *n,
			const char *name, size_t len)
{
	uint32_t t = n->mode & VFS_S_IFMT;

	ent->ino = n->ino;
	ent->type = t == VFS_S_IFDIR   ? VFS_DT_DIR
		    : t == VFS_S_IFCHR ? VFS_DT_CHR
		    : t == VFS_S_IFIFO ? VFS_DT_FIFO
				       : VFS_DT_REG;
	memcpy(ent->name, name, len);
	ent->name[len] = '\0';
}

/* The entry at or after position pos of f's directory, or NULL. */
static struct vfs_dentry *dir_next(struct vfs_file *f)
{
	struct vfs_dir *dir = &f->node->dir;
	struct vfs_dentry *d;

	if (f->dir_last && f->dir_removals == dir->removals)
		return f->dir_last->next;
	for (d = dir->head; d && d->cookie < f->pos; d = d->next)
		;
	return d;
}

int vfs_readdir(int fd, struct vfs_dirent *ent)
{
	struct vfs_file *f;
	struct vfs_node *dir;
	struct vfs_dentry *d;
	int ret = -EBADF;

	ulock_lock(&vfs_lock);
	f = fd_get(fd);
	if (!f)
		goto out;
	dir = f->node;
	ret = -ENOTDIR;
	if (!vfs_is_dir(dir))
		goto out;
	ret = -EFAULT;
	if (!ent)
		goto out;
	ret = 1;
	if (f->pos == 0) {
		fill_dirent(ent, dir, ".", 1);
		f->pos = 1;
	} else if (f->pos == 1) {
		fill_dirent(ent, dir->dir.parent ? dir->dir.parent : dir, "..",
			    2);
		f->pos = VFS_DIR_FIRST_COOKIE;
	} else if ((d = dir_next(f))) {
		fill_dirent(ent, d->node, d->name, d->len);
		f->pos = d->cookie + 1;
		f->dir_last = d;
		f->dir_removals = dir->dir.removals;
	} else {
		ret = 0;
	}
	if (ret)
		vfs_accessed(dir);
out:
	ulock_unlock(&vfs_lock);
	return ret;
}
