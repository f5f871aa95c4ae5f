/*
 * posix/vfs_initrd.c — the read-only initrd: a cpio "newc" archive in
 * memory, checked and grafted into the namespace by vfs_mount_initrd().
 *
 * The archive is outside input: every header field, name and size is checked
 * against the buffer before use, and the first problem stops the mount with
 * one message naming the entry and its offset. The tree is built under a
 * detached directory and moved under the mount point only when the whole
 * archive is good, so a failed mount leaves nothing behind. File data stays
 * in the archive (zero copy).
 *
 * newc entry: "070701" (or "070702": with checksums), 13 fields of 8 hex
 * digits (ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor
 * rdevminor namesize check), the name with its NUL, padding to 4 bytes, the
 * data, padding to 4 bytes. The entry named "TRAILER!!!" ends the archive.
 */
#include <stdarg.h>

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "posix/vfs_impl.h"

#define CPIO_HDR_LEN 110
#define CPIO_TRAILER "TRAILER!!!"

/* clang-format off */
enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
	"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check",
};
/* clang-format on */

/* A decoded, checked entry. */
struct cpio_entry {
	uint32_t f[F_COUNT];
	const char *name; /* NUL-terminated, inside the archive */
	const uint8_t *data;
};

/* A file with more than one name, to find its other names by. */
struct cpio_link {
	uint32_t ino, devmajor, devminor;
	struct vfs_node *node;
};

struct mount_ctx {
	const uint8_t *base;
	size_t len;
	char *err;
	size_t errlen;
	size_t entry, off;	 /* entry being read: index, header offset */
	const char *name;	 /* its name, once known */
	struct vfs_node *top;	 /* detached directory the tree grows in */
	struct cpio_link *links; /* files with nlink > 1 */
	size_t nlinks, caplinks;
};

/* Appends to c->err what ksnprintf(fmt, ...) would print, truncated. */
__attribute__((format(printf, 3, 4))) static void
append(struct mount_ctx *c, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= c->errlen)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(c->err + *pos, c->errlen - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

/* Appends 'name' (from the archive): control characters show as '?', so
 * the message stays one line. */
static void append_name(struct mount_ctx *c, size_t *pos, const char *name)
{
	append(c, pos, "'");
	for (; *name && *pos + 1 < c->errlen; name++) {
		unsigned char ch = (unsigned char)*name;

		c->err[(*pos)++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	if (*pos < c->errlen)
		c->err[*pos] = '\0';
	append(c, pos, "'");
}

/* Writes "initrd: entry N ('name') at offset X: <what>"; returns err. */
__attribute__((format(printf, 3, 4))) static int
fail(struct mount_ctx *c, int err, const char *fmt, ...)
{
	size_t pos = 0;
	va_list ap;

	if (!c->errlen)
		return err;
	append(c, &pos, "initrd: entry %zu ", c->entry);
	if (c->name) {
		append(c, &pos, "(");
		append_name(c, &pos, c->name);
		append(c, &pos, ") ");
	}
	append(c, &pos, "at offset %zu: ", c->off);
	if (pos < c->errlen) {
		va_start(ap, fmt);
		kvsnprintf(c->err + pos, c->errlen - pos, fmt, ap);
		va_end(ap);
	}
	return err;
}

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

/* Decodes the 13 header fields at c->off (whole header in the buffer). */
static int parse_fields(struct mount_ctx *c, struct cpio_entry *e)
{
	const uint8_t *h = c->base + c->off;

	for (int i = 0; i < F_COUNT; i++) {
		const uint8_t *s = h + 6 + 8 * i;
		uint32_t v = 0;

		for (int j = 0; j < 8; j++) {
			uint8_t ch = s[j];
			uint32_t d;

			if (ch >= '0' && ch <= '9')
				d = ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				d = ch - 'a' + 10;
			else if (ch >= 'A' && ch <= 'F')
				d = ch - 'A' + 10;
			else
				return fail(c, -EINVAL,
					    "field %s is not 8 hex digits",
					    field_names[i]);
			v = v << 4 | d;
		}
		e->f[i] = v;
	}
	return 0;
}

/*
 * Decodes and checks the header, name and data bounds of the entry at
 * c->off; *next is the offset of the entry after it.
 */
static int parse_entry(struct mount_ctx *c, struct cpio_entry *e, size_t *next)
{
	size_t avail = c->len - c->off, name_off, data_off;
	bool crc;
	int err;

	if (avail < CPIO_HDR_LEN)
		return fail(c, -EINVAL, "truncated header (%zu of %d bytes)",
			    avail, CPIO_HDR_LEN);
	if (memcmp(c->base + c->off, "07070", 5) ||
	    (c->base[c->off + 5] != '1' && c->base[c->off + 5] != '2'))
		return fail(c, -EINVAL, "bad magic (not 070701 or 070702)");
	crc = c->base[c->off + 5] == '2';
	err = parse_fields(c, e);
	if (err)
		return err;
	name_off = c->off + CPIO_HDR_LEN;
	if (e->f[F_NAMESIZE] == 0)
		return fail(c, -EINVAL, "name size is 0");
	if (e->f[F_NAMESIZE] > c->len - name_off)
		return fail(c, -EINVAL,
			    "name (%u bytes) runs past the end of the archive",
			    e->f[F_NAMESIZE]);
	e->name = (const char *)c->base + name_off;
	if (strnlen(e->name, e->f[F_NAMESIZE]) != e->f[F_NAMESIZE] - 1)
		return fail(c, -EINVAL, "name is not NUL-terminated");
	c->name = e->name;
	if (!strcmp(e->name, CPIO_TRAILER)) {
		*next = c->len;
		return 0;
	}
	data_off = align4(name_off + e->f[F_NAMESIZE]);
	if (data_off > c->len || e->f[F_FILESIZE] > c->len - data_off)
		return fail(c, -EINVAL,
			    "data (%u bytes) runs past the end of the archive",
			    e->f[F_FILESIZE]);
	e->data = c->base + data_off;
	*next = align4(data_off + e->f[F_FILESIZE]);
	if (crc) {
		uint32_t sum = 0;

		for (uint32_t i = 0; i < e->f[F_FILESIZE]; i++)
			sum += e->data[i];
		if (sum != e->f[F_CHECK])
			return fail(c, -EINVAL,
				    "checksum 0x%x does not match the data "
				    "(0x%x)",
				    e->f[F_CHECK], sum);
	}
	return 0;
}

/* Checks every component of the (relative) path; *skip is the length of a
 * leading "./" run to drop. */
static int check_path(struct mount_ctx *c, const char *name, size_t *skip)
{
	const char *s = name, *e;

	if (name[0] == '/')
		return fail(c, -EINVAL, "absolute path");
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	*skip = (size_t)(s - name);
	if (!strcmp(s, "."))
		return 0; /* the archive's root */
	if (strlen(s) >= VFS_PATH_MAX)
		return fail(c, -EINVAL, "path longer than %d bytes",
			    VFS_PATH_MAX - 1);
	for (;; s = e + 1) {
		for (e = s; *e && *e != '/'; e++)
			;
		if (e == s)
			return fail(c, -EINVAL, "empty path component");
		if (e - s == 1 && s[0] == '.')
			return fail(c, -EINVAL, "'.' in the path");
		if (e - s == 2 && s[0] == '.' && s[1] == '.')
			return fail(c, -EINVAL, "'..' in the path");
		if (e - s > VFS_NAME_MAX)
			return fail(c, -EINVAL,
				    "path component longer than %d bytes",
				    VFS_NAME_MAX);
		if (!*e)
			return 0;
	}
}

static void stamp(struct vfs_node *n, const struct cpio_entry *e)
{
	n->mode = (n->mode & VFS_S_IFMT) | (e->f[F_MODE] & VFS_S_IPERM);
	n->atime_ns = n->mtime_ns = n->ctime_ns =
	    (uint64_t)e->f[F_MTIME] * 1000000000u;
}

/* The directory holding the last component of path (made if missing);
 * *last points at that component. */
static int parent_of(struct mount_ctx *c, const char *path,
		     struct vfs_node **dir, const char **last)
{
	struct vfs_node *cur = c->top;
	const char *s = path, *e;

	for (; (e = strchr(s, '/')); s = e + 1) {
		struct vfs_dentry *d = vfs_dir_find(cur, s, (size_t)(e - s));
		struct vfs_node *n;

		if (d) {
			if (!vfs_is_dir(d->node))
				return fail(c, -EINVAL,
					    "a parent directory is a file");
			cur = d->node;
			continue;
		}
		n = vfs_node_new(VFS_S_IFDIR | 0555, &vfs_dir_ops);
		if (!n)
			return fail(c, -ENOSPC, "out of memory");
		n->readonly = n->implicit = true;
		if (vfs_dir_add(cur, s, (size_t)(e - s), n)) {
			vfs_node_drop(n);
			return fail(c, -ENOSPC, "out of memory");
		}
		cur = n;
	}
	*dir = cur;
	*last = s;
	return 0;
}

/* A later name of a file seen before (nlink > 1, same ino and device). */
static struct cpio_link *find_link(struct mount_ctx *c,
				   const struct cpio_entry *e)
{
	for (size_t i = 0; i < c->nlinks; i++) {
		struct cpio_link *l = &c->links[i];

		if (l->ino == e->f[F_INO] && l->devmajor == e->f[F_DEVMAJOR] &&
		    l->devminor == e->f[F_DEVMINOR])
			return l;
	}
	return NULL;
}

static int add_link(struct mount_ctx *c, const struct cpio_entry *e,
		    struct vfs_node *n)
{
	if (c->nlinks == c->caplinks) {
		size_t cap = c->caplinks ? c->caplinks * 2 : 8;
		struct cpio_link *l = vfs_realloc(c->links, cap * sizeof(*l));

		if (!l)
			return fail(c, -ENOSPC, "out of memory");
		c->links = l;
		c->caplinks = cap;
	}
	c->links[c->nlinks++] = (struct cpio_link){
	    e->f[F_INO], e->f[F_DEVMAJOR], e->f[F_DEVMINOR], n};
	return 0;
}

/* Adds a regular file entry as `name` in dir. */
static int add_file(struct mount_ctx *c, const struct cpio_entry *e,
		    struct vfs_node *dir, const char *name)
{
	struct cpio_link *l = e->f[F_NLINK] > 1 ? find_link(c, e) : NULL;
	struct vfs_node *n;

	if (l) { /* another name; the data may come with any of them */
		if (vfs_dir_add(dir, name, strlen(name), l->node))
			return fail(c, -ENOSPC, "out of memory");
		if (e->f[F_FILESIZE]) {
			l->node->rodata = e->data;
			l->node->size = e->f[F_FILESIZE];
		}
		return 0;
	}
	n = vfs_node_new(VFS_S_IFREG, &initrd_file_ops);
	if (!n)
		return fail(c, -ENOSPC, "out of memory");
	n->readonly = true;
	n->rodata = e->data;
	n->size = e->f[F_FILESIZE];
	stamp(n, e);
	if (vfs_dir_add(dir, name, strlen(name), n)) {
		vfs_node_drop(n);
		return fail(c, -ENOSPC, "out of memory");
	}
	return e->f[F_NLINK] > 1 ? add_link(c, e, n) : 0;
}

/* Puts a checked entry into the tree under c->top. */
static int add_entry(struct mount_ctx *c, const struct cpio_entry *e)
{
	uint32_t type = e->f[F_MODE] & VFS_S_IFMT;
	struct vfs_node *dir, *n;
	struct vfs_dentry *d;
	const char *path, *name;
	size_t skip;
	int err;

	if (type != VFS_S_IFREG && type != VFS_S_IFDIR)
		return fail(c, -EINVAL,
			    "unsupported file type (mode 0x%x); only files "
			    "and directories",
			    e->f[F_MODE]);
	if (type == VFS_S_IFDIR && e->f[F_FILESIZE])
		return fail(c, -EINVAL, "directory with %u bytes of data",
			    e->f[F_FILESIZE]);
	err = check_path(c, e->name, &skip);
	if (err)
		return err;
	path = e->name + skip;
	if (!strcmp(path, "."))
		return type == VFS_S_IFDIR
			   ? 0
			   : fail(c, -EINVAL, "'.' is not a directory");
	err = parent_of(c, path, &dir, &name);
	if (err)
		return err;
	d = vfs_dir_find(dir, name, strlen(name));
	if (d) {
		if (type != VFS_S_IFDIR || !d->node->implicit)
			return fail(c, -EINVAL, "duplicate name");
		d->node->implicit = false; /* made as a parent before */
		stamp(d->node, e);
		return 0;
	}
	if (type == VFS_S_IFREG)
		return add_file(c, e, dir, name);
	n = vfs_node_new(VFS_S_IFDIR, &vfs_dir_ops);
	if (!n)
		return fail(c, -ENOSPC, "out of memory");
	n->readonly = true;
	stamp(n, e);
	if (vfs_dir_add(dir, name, strlen(name), n)) {
		vfs_node_drop(n);
		return fail(c, -ENOSPC, "out of memory");
	}
	return 0;
}

/* Reads the whole archive into the tree under c->top. */
static int parse_archive(struct mount_ctx *c)
{
	struct cpio_entry e;
	size_t next;
	int err;

	for (c->off = 0;; c->off = next, c->entry++) {
		c->name = NULL;
		if (c->off >= c->len)
			return fail(c, -EINVAL,
				    "archive ends without a " CPIO_TRAILER
				    " entry");
		memset(&e, 0, sizeof(e));
		err = parse_entry(c, &e, &next);
		if (err)
			return err;
		if (!strcmp(e.name, CPIO_TRAILER))
			return 0;
		err = add_entry(c, &e);
		if (err)
			return err;
	}
}

/* Finds the mount point: a writable directory. */
static int find_mount_point(struct mount_ctx *c, const char *path,
			    struct vfs_node **at)
{
	const char *why;
	int err = vfs_lookup(path, at);

	if (!err && !vfs_is_dir(*at))
		err = -ENOTDIR;
	else if (!err && !(*at)->nlink) /* a removed directory (the cwd) */
		err = -ENOENT;
	else if (!err && (*at)->readonly)
		err = -EROFS;
	switch (err) {
	case 0:
		return 0;
	case -ENOENT:
		why = "does not exist";
		break;
	case -ENOTDIR:
		why = "is not a directory";
		break;
	case -EROFS:
		why = "is read-only";
		break;
	default:
		why = "is not a valid path";
	}
	ksnprintf(c->err, c->errlen, "initrd: mount point '%s' %s",
		  path ? path : "(null)", why);
	return err;
}

/* Moves the finished tree under `at`, unless a top-level name is taken. */
static int graft(struct mount_ctx *c, struct vfs_node *at)
{
	struct vfs_dentry *d;

	for (d = c->top->dir.head; d; d = d->next) {
		if (vfs_dir_find(at, d->name, d->len)) {
			size_t pos = 0;

			append(c, &pos, "initrd: ");
			append_name(c, &pos, d->name);
			append(c, &pos, " already exists in the mount point");
			return -EEXIST;
		}
	}
	while ((d = c->top->dir.head)) {
		struct vfs_node *n = d->node;

		vfs_dir_unlink(c->top, d);
		vfs_dir_link(at, d, n);
	}
	return 0;
}

int vfs_mount_initrd(const void *archive, size_t len, const char *at, char *err,
		     size_t errlen)
{
	struct mount_ctx c = {.base = archive,
			      .len = len,
			      .err = err,
			      .errlen = err ? errlen : 0};
	struct vfs_node *mp;
	int ret;

	if (c.errlen)
		err[0] = '\0';
	if (!archive && len) {
		ksnprintf(c.err, c.errlen, "initrd: archive pointer is NULL");
		return -EINVAL;
	}
	ulock_lock(&vfs_lock);
	ret = find_mount_point(&c, at, &mp);
	if (ret)
		goto out;
	ret = -ENOSPC;
	c.top = vfs_node_new(VFS_S_IFDIR | 0555, &vfs_dir_ops);
	if (!c.top) {
		ksnprintf(c.err, c.errlen, "initrd: out of memory");
		goto out;
	}
	c.top->nlink = 2;
	c.top->dir.parent = c.top;
	ret = parse_archive(&c);
	if (!ret)
		ret = graft(&c, mp);
	vfs_tree_free(c.top);
	vfs_free(c.links);
out:
	ulock_unlock(&vfs_lock);
	return ret;
}

/* ---- initrd files -------------------------------------------------------- */

static int64_t initrd_read(struct vfs_node *n, void *buf, size_t len,
			   uint64_t off)
{
	return vfs_copy_out(n->rodata, n->size, buf, len, off);
}

static uint64_t initrd_blocks(const struct vfs_node *n)
{
	return (n->size + 511) / 512;
}

const struct vfs_node_ops initrd_file_ops = {
    .read = initrd_read,
    .blocks = initrd_blocks,
};
