/*
 * posix/vfs.h — Unum's file layer: one namespace of RAM-backed files and
 * directories, a read-only initrd grafted into it, and the process's fd table.
 *
 * Pure C: it compiles for the kernel (with newlib's headers on the path) and
 * on the host (unit tests). It depends on neither libc's struct stat nor its
 * fcntl.h: the constants below carry newlib's numeric values, so posix/ can
 * pass an application's flags through unchanged, and struct vfs_stat is
 * converted by the caller. Every function returns 0 (or a count, an fd, an
 * offset) on success and a negative errno from kernel/errno.h on failure.
 *
 * Model
 *  - The root "/" is a writable RAM file system (ramfs). Files grow in 4 KiB
 *    chunks; holes read as zeros.
 *  - vfs_mount_initrd() grafts a cpio "newc" archive's tree under an existing
 *    directory (at boot: "/"). The archive's files and directories become
 *    read-only nodes whose data points into the archive (zero copy): writing
 *    to them, creating or removing names inside them, renaming or removing
 *    them gives -EROFS. The mount point itself stays writable, so "/tmp" can
 *    be created beside an initrd mounted at "/".
 *  - No symlinks, no permission checks (one user, the application), no umask
 *    (the caller applies it): modes are stored and reported.
 *  - fds 0, 1 and 2 share one open console: reads come from
 *    vfs_console_read (the program's standard input; may block), writes go
 *    to vfs_console_write.
 *  - An unlinked file stays readable and writable through its open fds until
 *    the last is closed; a removed directory is empty for good.
 *
 * Concurrency: every function may be called from any thread; one lock
 * (posix/ulock.h) guards the namespace, every node and the fd table. The
 * console callback is called without it.
 */
#ifndef POSIX_VFS_H
#define POSIX_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits. */
#define VFS_NAME_MAX 255	  /* bytes in a name, without the NUL */
#define VFS_PATH_MAX 4096	  /* bytes in a path, with the NUL */
#define VFS_OPEN_MAX 1024	  /* fds 0..VFS_OPEN_MAX-1 */
#define VFS_FILE_MAX (1ULL << 40) /* largest file size (1 TiB) */
#define VFS_IO_MAX   0x7ffff000UL /* longest single read or write */
#define VFS_BLKSIZE  4096	  /* ramfs chunk size; st_blksize */

/* File types and permission bits of vfs_stat.mode (standard values). */
#define VFS_S_IFMT  0170000
#define VFS_S_IFDIR 0040000
#define VFS_S_IFCHR 0020000
#define VFS_S_IFIFO 0010000
#define VFS_S_IFREG 0100000
#define VFS_S_IPERM 07777

/* open() flags: newlib's values (sys/_default_fcntl.h). */
#define VFS_O_RDONLY	0
#define VFS_O_WRONLY	1
#define VFS_O_RDWR	2
#define VFS_O_ACCMODE	3
#define VFS_O_APPEND	0x0008
#define VFS_O_CREAT	0x0200
#define VFS_O_TRUNC	0x0400
#define VFS_O_EXCL	0x0800
#define VFS_O_NONBLOCK	0x4000
#define VFS_O_NOCTTY	0x8000
#define VFS_O_CLOEXEC	0x40000
#define VFS_O_DIRECTORY 0x200000

/* fcntl() commands and fd flags: newlib's values. */
#define VFS_F_DUPFD    0
#define VFS_F_GETFD    1
#define VFS_F_SETFD    2
#define VFS_F_GETFL    3
#define VFS_F_SETFL    4
#define VFS_FD_CLOEXEC 1

#define VFS_F_DUPFD_CLOEXEC 14

/* lseek() whence and access() modes: the standard values. */
#define VFS_SEEK_SET 0
#define VFS_SEEK_CUR 1
#define VFS_SEEK_END 2
#define VFS_F_OK     0
#define VFS_X_OK     1
#define VFS_W_OK     2
#define VFS_R_OK     4

/* d_type values of struct vfs_dirent (the standard DT_* numbers). */
#define VFS_DT_CHR 2
#define VFS_DT_DIR 4
#define VFS_DT_REG 8

#define VFS_DT_FIFO 1

struct vfs_stat {
	uint64_t ino, size, nlink; /* size: bytes; directories: entries */
	uint32_t mode;		   /* VFS_S_IF* | permission bits */
	uint64_t atime_ns, mtime_ns, ctime_ns; /* clock of vfs_init() */
	uint32_t blksize;		       /* VFS_BLKSIZE */
	uint64_t blocks;		       /* 512-byte units held */
};

struct vfs_dirent {
	uint64_t ino;
	uint32_t type; /* VFS_DT_* */
	char name[VFS_NAME_MAX + 1];
};

/*
 * Where fds 0, 1 and 2 write; set by posix/ before the first write. NULL
 * discards the bytes (the write still succeeds). Called without the vfs lock,
 * possibly from several threads at once.
 */
extern void (*vfs_console_write)(const char *buf, size_t len);
/*
 * Where reads of the console come from, like ksys_console_read: a count, 0
 * at the end of input, or a negative errno (-EAGAIN with nonblock). NULL:
 * the end of input at once. Called without the vfs lock.
 */
extern int64_t (*vfs_console_read)(void *buf, size_t len, bool nonblock);
/* Whether a read of the console would block, like ksys_console_poll: 0
 * it would, else not (errors too: the read reports them). NULL: never.
 * Called with the vfs lock held. */
extern int (*vfs_console_poll)(void);

/*
 * Sets up an empty writable root, the cwd "/" and fds 0, 1, 2 on the console.
 * clock_ns gives the time stamps (nanoseconds, CLOCK_REALTIME); NULL stamps 0.
 * -EBUSY if already set up, -ENOMEM if memory is short.
 */
int vfs_init(uint64_t (*clock_ns)(void));

/*
 * Closes every fd and frees every node, back to the state before vfs_init()
 * (tests and fuzzers start each case from scratch with it).
 */
void vfs_reset(void);

/*
 * Grafts the cpio "newc" archive (magic 070701, or 070702 whose checksums are
 * verified) of len bytes under the existing writable directory `at`. Entries
 * must be regular files or directories with relative names ("a/b", "./a/b");
 * "." names the mount point itself and is skipped; missing parent directories
 * are made (mode 0555); hard links (nlink > 1, same ino/dev) share one node.
 * The archive ends at "TRAILER!!!"; anything after it is ignored. The archive
 * must stay in memory, unchanged, for as long as the vfs runs.
 *
 * All or nothing: on any error nothing is mounted, and err (errlen bytes, may
 * be NULL) receives one line naming the entry and its byte offset. Errors:
 * -EINVAL malformed archive; -EEXIST a top-level name already exists under
 * `at`; -ENOENT/-ENOTDIR/-EROFS `at` is not a writable directory; -ENOSPC out
 * of memory.
 */
int vfs_mount_initrd(const void *archive, size_t len, const char *at, char *err,
		     size_t errlen);

/*
 * File I/O, as POSIX; where POSIX leaves a choice, as Linux: O_TRUNC
 * truncates even with O_RDONLY; O_CREAT | O_DIRECTORY of a missing name is
 * -EINVAL; opening a directory for writing, with O_CREAT or O_TRUNC is
 * -EISDIR; ftruncate() of an fd not open for writing is -EINVAL. Reads and
 * writes return counts (at most VFS_IO_MAX); a write that cannot get memory
 * returns the bytes written so far, or -ENOSPC; an open file description
 * that cannot be allocated is -ENOMEM; more than VFS_OPEN_MAX fds -EMFILE.
 * Read-only (initrd) nodes keep the archive's time stamps.
 */
int vfs_open(const char *path, int flags, uint32_t mode);
int vfs_close(int fd);
int64_t vfs_read(int fd, void *buf, size_t len);
int64_t vfs_write(int fd, const void *buf, size_t len);
/* pwrite writes at off even with O_APPEND (POSIX, unlike Linux). */
int64_t vfs_pread(int fd, void *buf, size_t len, int64_t off);
int64_t vfs_pwrite(int fd, const void *buf, size_t len, int64_t off);
int64_t vfs_lseek(int fd, int64_t off, int whence);
int vfs_dup(int fd);
int vfs_dup2(int fd, int newfd);
/* dup2 that never returns fd itself: -EINVAL when fd == newfd or flags
 * has more than VFS_O_CLOEXEC (checked before the fds, as Linux). */
int vfs_dup3(int fd, int newfd, int flags);
/* The fd limit (RLIMIT_NOFILE): new fds (open, dup, F_DUPFD, dup2's
 * target) are below it; fds already open above it stay usable. 0 to
 * VFS_OPEN_MAX (the start value), else -EINVAL. */
int vfs_set_open_max(int n);
int vfs_open_max(void);
/* F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL (O_APPEND,
 * O_NONBLOCK). */
int vfs_fcntl(int fd, int cmd, long arg);
/* 1 if fd is the console (a terminal), 0 if it is another file (devices
 * such as /dev/null are not terminals), -EBADF. */
int vfs_isatty(int fd);
int vfs_ftruncate(int fd, int64_t len);
int vfs_fstat(int fd, struct vfs_stat *st);

/*
 * Paths. There are no symlinks, so lstat is stat. access(): no permission
 * checks (one user), but W_OK on a read-only node is -EROFS and X_OK on a
 * file without any x bit -EACCES. rmdir("/") is -EBUSY, of "." -EINVAL, of
 * ".." -ENOTEMPTY; rename() of or onto ".", ".." or "/" is -EBUSY.
 */
int vfs_stat(const char *path, struct vfs_stat *st);
int vfs_lstat(const char *path, struct vfs_stat *st);
int vfs_access(const char *path, int amode);
int vfs_truncate(const char *path, int64_t len);
int vfs_mkdir(const char *path, uint32_t mode);
int vfs_rmdir(const char *path);
int vfs_unlink(const char *path);
/* Files and directories (moved with their contents); replaces the target. */
int vfs_rename(const char *from, const char *to);
int vfs_chdir(const char *path);
int vfs_fchdir(int fd);
/* Writes the cwd's absolute path: -ERANGE if size is too small, -ENOENT if
 * the cwd was removed. */
int vfs_getcwd(char *buf, size_t size);

/*
 * Generated files (like Linux's /proc): a read-only regular file (mode
 * 0444, size 0) whose text gen writes, like snprintf: at most len bytes
 * with the NUL, returning the length the whole text needs. Every open
 * takes a snapshot of the text, which that open file description reads
 * (so a reader sees one consistent text, made by the thread that opened
 * it). gen is called with the vfs lock held. -EEXIST if the name exists,
 * -EROFS in a read-only directory, -ENOSPC if memory is short; open()
 * gives -ENOMEM when the snapshot cannot be made.
 */
typedef size_t (*vfs_gen_fn)(char *buf, size_t len);
int vfs_proc_add(const char *path, vfs_gen_fn gen);

/*
 * Pipes (vfs_pipe.c). vfs_pipe() makes a pipe of VFS_PIPE_SIZE bytes: fds[0]
 * reads, fds[1] writes (flags: VFS_O_CLOEXEC, VFS_O_NONBLOCK, else
 * -EINVAL). Writes of up to VFS_PIPE_BUF bytes are atomic; reads return
 * what is there (at least one byte), 0 once every write end is closed and
 * the pipe is empty; writes with no read end open return -EPIPE (no
 * SIGPIPE). Without O_NONBLOCK both block (without vfs_lock, on a futex
 * word of the pipe, so across nodes); with it they return -EAGAIN where
 * they would block. pread/pwrite/lseek give -ESPIPE.
 *
 * vfs_block, set by posix/ before the first pipe (NULL: ulock_futex_wait),
 * is how a blocked read or write sleeps while *word == val: 0 when woken
 * (or spuriously), -ECANCELED when the thread must act on a cancellation
 * request; the read or write then returns -ECANCELED (a write that moved
 * bytes already returns their count).
 */
extern int (*vfs_block)(uint32_t *word, uint32_t val);
#define VFS_PIPE_SIZE (64 * 1024) /* Linux's default capacity */
#define VFS_PIPE_BUF  4096	  /* PIPE_BUF: atomic writes (Linux's) */
int vfs_pipe(int fds[2], int flags);

/*
 * Readiness (poll/select). Events, as Linux's poll.h numbers them.
 * vfs_poll_fd() returns the events of fd ready now among `events`, plus
 * VFS_POLLERR and VFS_POLLHUP whenever they hold; VFS_POLLNVAL for an fd
 * that is not open. Pipes: the read end is readable with data, and hung
 * up (POLLHUP) once no write end is open; the write end is writable with
 * VFS_PIPE_BUF bytes free, in error (POLLERR) once no read end is open.
 * The console is writable, and readable when vfs_console_poll says so.
 * Every other file is always readable and writable.
 *
 * Waiting: a poller adds itself to vfs_pollers, reads vfs_poll_seq, scans
 * its fds and sleeps on vfs_poll_seq while it is unchanged; every change
 * of a pipe's readiness bumps vfs_poll_seq and wakes its sleepers when
 * vfs_pollers is not 0. Both are futex words of the global address space
 * (atomics only), so a poller is woken by a pipe used on any node.
 */
#define VFS_POLLIN   0x001
#define VFS_POLLPRI  0x002
#define VFS_POLLOUT  0x004
#define VFS_POLLERR  0x008
#define VFS_POLLHUP  0x010
#define VFS_POLLNVAL 0x020
uint32_t vfs_poll_fd(int fd, uint32_t events);
extern uint32_t vfs_poll_seq, vfs_pollers;

/*
 * Devices (vfs_dev.c): makes /dev with null, zero, random and urandom
 * (read through fill, which must not fail; writes are discarded) and
 * stdin, stdout, stderr, whose open gives a new fd on the open file
 * description of fd 0, 1 or 2 (like a dup; -ENOENT if that fd is
 * closed). Modes 0666 (stdio: 0620); errors as vfs_mkdir and
 * vfs_proc_add ("/dev" may exist already).
 */
int vfs_dev_init(void (*fill)(void *buf, size_t len));

/*
 * Memory maps of files (posix/mman.c; vfs_map.c). vfs_map_get() takes a
 * reference to the regular file open at fd, which stays valid after the fd
 * is closed or the file unlinked, until vfs_map_put(); vfs_map_dup() takes
 * one more. -EBADF (not open), -EACCES (open O_WRONLY), -ENODEV (not a
 * regular file with data: a directory, the console, a generated file).
 * *writable: the fd is open O_RDWR on a writable file; *size: the file's
 * size now. vfs_map_read()
 * copies like pread (0 past the end); vfs_map_write() writes only within
 * the file's current size (never extends it) and returns the count.
 */
struct vfs_map;
int vfs_map_get(int fd, struct vfs_map **out, int *writable, uint64_t *size);
void vfs_map_dup(struct vfs_map *m);
void vfs_map_put(struct vfs_map *m);
int64_t vfs_map_read(struct vfs_map *m, void *buf, size_t len, uint64_t off);
int64_t vfs_map_write(struct vfs_map *m, const void *buf, size_t len,
		      uint64_t off);

/*
 * Directories by fd. vfs_opendir() is open(path, O_RDONLY | O_DIRECTORY).
 * vfs_readdir() fills *ent and returns 1, or returns 0 at the end: "." and
 * ".." first, then the entries in the order they were made. Entries added or
 * removed while reading may or may not be seen; the others are seen once.
 * The position (vfs_lseek(fd, 0, VFS_SEEK_CUR)) can be restored with
 * VFS_SEEK_SET (telldir/seekdir); 0 rewinds.
 */
int vfs_opendir(const char *path);
int vfs_readdir(int fd, struct vfs_dirent *ent);
int vfs_closedir(int fd);

#endif
