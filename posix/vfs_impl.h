/*
 * posix/vfs_impl.h — private to posix/vfs*.c: nodes, directory entries, open
 * files, path lookup and the node operations each backend implements.
 *
 * Lock: vfs_lock guards everything declared here (every field of every node,
 * dentry and file, the fd table and the globals). Functions named vfs_ns_*,
 * vfs_node_*, vfs_dir_*, ramfs_* and the ops members run with it held.
 */
#ifndef POSIX_VFS_IMPL_H
#define POSIX_VFS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "posix/ulock.h"
#include "posix/vfs.h"

struct vfs_node;

/* What a kind of node does with its data; every member is called with
 * vfs_lock held. Offsets and lengths are already checked against
 * VFS_FILE_MAX by the caller. */
struct vfs_node_ops {
	/* Required; vfs_lock held. Copies up to len bytes at off (0 past the
	 * end); returns the count. */
	int64_t (*read)(struct vfs_node *n, void *buf, size_t len,
			uint64_t off);
	/* Optional (NULL: read-only); vfs_lock held. Returns the count or
	 * -ENOSPC. */
	int64_t (*write)(struct vfs_node *n, const void *buf, size_t len,
			 uint64_t off);
	/* Optional; vfs_lock held. Sets the size; new bytes read as zeros. */
	int (*truncate)(struct vfs_node *n, uint64_t size);
	/* Optional; vfs_lock held. Frees the data when the node goes. */
	void (*release)(struct vfs_node *n);
	/* Optional (NULL: 0); vfs_lock held. 512-byte blocks held, for
	 * stat. */
	uint64_t (*blocks)(const struct vfs_node *n);
	/* Optional (generated files); vfs_lock held. At open, the text the
	 * open file description reads instead of read(); *text from
	 * vfs_zalloc. The generators call into the kernel (ksys_dsm_text
	 * takes dsm_lock and may sleep), so here vfs_lock is not a leaf. */
	int (*snapshot)(struct vfs_node *n, char **text, size_t *len);
	/* Optional (pipes, devices): read and write in place of read and
	 * write, called WITHOUT vfs_lock (they may block) while the fd layer
	 * holds the open file description; flags are its flags
	 * (VFS_O_NONBLOCK). Return a count or a negative errno. */
	int64_t (*stream_read)(struct vfs_node *n, void *buf, size_t len,
			       uint32_t flags);
	int64_t (*stream_write)(struct vfs_node *n, const void *buf, size_t len,
				uint32_t flags);
	/* Optional (NULL: always readable and writable); vfs_lock held. The
	 * VFS_POLL* events ready now for a description with these flags. */
	uint32_t (*poll)(struct vfs_node *n, uint32_t flags);
	/* Optional; vfs_lock held. An open file description of n with these
	 * flags goes away (its last fd was closed). */
	void (*close)(struct vfs_node *n, uint32_t flags);
};

/* A name in a directory. Entries are kept in the order they were made; each
 * has a cookie larger than all before it (readdir positions). */
struct vfs_dentry {
	struct vfs_dentry *next;
	struct vfs_node *node;
	uint64_t cookie;
	uint16_t len;
	char name[]; /* NUL-terminated */
};

struct vfs_dir {
	struct vfs_dentry *head, *tail;
	struct vfs_node *parent; /* NULL once removed; the root's is itself */
	uint64_t next_cookie;	 /* starts at VFS_DIR_FIRST_COOKIE */
	uint64_t removals;	 /* bumped on every removal: readdir caches */
	uint64_t count;		 /* entries */
};

/* Chunk map of a ramfs file: map[i] holds VFS_RAM_LEAF chunk pointers
 * covering bytes [i * VFS_RAM_LEAF * VFS_BLKSIZE, ...); NULL is a hole. */
#define VFS_RAM_LEAF 512
struct vfs_ram {
	uint8_t ***map;
	size_t nmap;	 /* entries of map */
	uint64_t chunks; /* chunks allocated */
};

struct vfs_node {
	const struct vfs_node_ops *ops;
	uint64_t ino;
	uint32_t mode;	/* VFS_S_IF* | permissions */
	uint32_t nlink; /* names; directories: 2 + subdirectories */
	uint32_t refs;	/* open files and the cwd holding it */
	bool readonly;	/* initrd: no write, no change of its entries */
	bool implicit;	/* initrd mount only: parent made, no entry yet */
	uint64_t size;	/* bytes (files), entries (directories) */
	uint64_t atime_ns, mtime_ns, ctime_ns;
	union {
		struct vfs_dir dir;    /* VFS_S_IFDIR */
		struct vfs_ram ram;    /* writable files */
		const uint8_t *rodata; /* initrd files: into the archive */
		vfs_gen_fn gen;	       /* generated files (vfs_proc.c) */
		struct vfs_pipe *pipe; /* pipes (vfs_pipe.c) */
		int alias_fd;	       /* vfs_alias_ops: /dev/stdin's 0 */
	};
};

/* An open file description: shared by the fds dup'ed from one open(). */
struct vfs_file {
	struct vfs_node *node;
	uint32_t flags; /* access mode | O_APPEND | O_NONBLOCK */
	uint32_t refs;	/* fds pointing here */
	uint64_t pos;	/* files: byte offset; directories: readdir cookie */
	/* readdir cache: the last entry returned, valid while the
	 * directory's removal count equals dir_removals */
	struct vfs_dentry *dir_last;
	uint64_t dir_removals;
	/* generated files: the text taken at open (NULL otherwise) */
	char *snap;
	size_t snap_len;
};

/* Directory positions: 0 ".", 1 "..", then entry cookies. */
#define VFS_DIR_FIRST_COOKIE 2

/* Result of walking a path up to its last component. */
enum vfs_last {
	VFS_LAST_NAME,	 /* a name, present or not */
	VFS_LAST_DOT,	 /* "." */
	VFS_LAST_DOTDOT, /* ".." */
	VFS_LAST_ROOT,	 /* no component at all: "/", "//" */
};
struct vfs_path {
	struct vfs_node *dir;  /* directory holding the last component */
	struct vfs_node *node; /* what the path names; NULL if absent */
	const char *name;      /* last component (not NUL-terminated) */
	size_t len;
	enum vfs_last last;
	bool slash; /* the path ends with '/' */
};

/* Globals (vfs.c). */
extern struct ulock vfs_lock;
extern struct vfs_node *vfs_root; /* NULL before vfs_init() */
extern struct vfs_node *vfs_cwd;  /* holds a ref */
extern const struct vfs_node_ops vfs_dir_ops, ramfs_ops, initrd_file_ops,
    vfs_proc_ops, vfs_alias_ops;

/* Memory: every allocation of the vfs goes through these. */
void *vfs_zalloc(size_t size);
void *vfs_realloc(void *p, size_t size);
void vfs_free(void *p);
#ifdef UNUM_HOST
/* Test hook: when > 0, the allocation that brings it to 0 fails. */
extern long vfs_fail_alloc_countdown;
/* Nodes alive, to check that tests free everything. */
extern long vfs_nodes_alive;
#endif

uint64_t vfs_now(void);
/* Reads of data held in memory: copies up to len bytes of data[0, size)
 * from off; returns the count (0 past the end). */
int64_t vfs_copy_out(const uint8_t *data, uint64_t size, void *buf, size_t len,
		     uint64_t off);
static inline bool vfs_is_dir(const struct vfs_node *n)
{
	return (n->mode & VFS_S_IFMT) == VFS_S_IFDIR;
}

/* Nodes (vfs.c). A new node has no name and no holder: link or free it.
 * vfs_node_drop() frees a node that has neither (after an unlink). */
struct vfs_node *vfs_node_new(uint32_t mode, const struct vfs_node_ops *ops);
void vfs_node_get(struct vfs_node *n);
void vfs_node_put(struct vfs_node *n);
void vfs_node_drop(struct vfs_node *n);
/* ctime = now, and mtime too if the contents changed; atime = now. Both
 * leave read-only nodes as they are. */
void vfs_touch(struct vfs_node *n, bool modified);
void vfs_accessed(struct vfs_node *n);
void vfs_fill_stat(const struct vfs_node *n, struct vfs_stat *st);

/* Directory entries (vfs.c). Link and unlink cannot fail and keep the link
 * counts and the '..' pointers; add and remove also make / free the entry. */
struct vfs_dentry *vfs_dentry_new(const char *name, size_t len);
struct vfs_dentry *vfs_dir_find(struct vfs_node *dir, const char *name,
				size_t len);
void vfs_dir_link(struct vfs_node *dir, struct vfs_dentry *d,
		  struct vfs_node *n);
void vfs_dir_unlink(struct vfs_node *dir, struct vfs_dentry *d);
int vfs_dir_add(struct vfs_node *dir, const char *name, size_t len,
		struct vfs_node *n);
void vfs_dir_remove(struct vfs_node *dir, struct vfs_dentry *d);
/* Removes everything below dir, and dir itself (iteratively). */
void vfs_tree_free(struct vfs_node *dir);

/* Paths (vfs.c), relative ones from the cwd. vfs_walk() fails only if a
 * component before the last is missing or not a directory, or for
 * -EFAULT/-ENOENT (empty)/-ENAMETOOLONG; vfs_lookup() also wants the last. */
int vfs_walk(const char *path, struct vfs_path *p);
int vfs_lookup(const char *path, struct vfs_node **out);

/* vfs_ns.c: setting a size (checks type, read-only and limits), the cwd
 * (-ENOTDIR unless n is a directory), making a named node. */
int vfs_node_truncate(struct vfs_node *n, int64_t len);
int vfs_set_cwd(struct vfs_node *n);
/* Makes a node named path (-EEXIST if the name is taken; -ENOENT, -EROFS
 * for a removed or read-only directory; -ENOSPC). */
int vfs_ns_create(const char *path, uint32_t mode,
		  const struct vfs_node_ops *ops, struct vfs_node **out);

/* fd table (vfs_fd.c). */
int vfs_fd_init(void);
void vfs_fd_reset(void);
/* Two new fds, each on a new open file description of n (with flags[i]),
 * all or nothing: -EMFILE, -ENOMEM. */
int vfs_fd_pair(struct vfs_node *n, const uint32_t flags[2], bool cloexec,
		int fds[2]);
/* The description behind fd, or NULL (vfs_lock held; vfs_map.c). */
struct vfs_file *vfs_fd_file(int fd);

/* The initrd's nodes (vfs_initrd.c). */
struct vfs_node *initrd_file_new(const uint8_t *data, uint64_t size,
				 uint32_t mode);

#endif
