/*
 * posix/syscalls.c — newlib's system-call layer and the POSIX file calls
 * newlib does not provide, over the vfs (posix/vfs.h). Failures set errno
 * from the vfs's negative errno values (one errno space, newlib's).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "posix/heap.h"
#include "posix/posix_impl.h"
#include "posix/vfs.h"

static long ret(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

static void to_stat(const struct vfs_stat *v, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = v->ino;
	st->st_mode = v->mode;
	st->st_nlink = v->nlink;
	st->st_size = (off_t)v->size;
	st->st_blksize = v->blksize;
	st->st_blocks = v->blocks;
	st->st_atim.tv_sec = v->atime_ns / 1000000000ull;
	st->st_atim.tv_nsec = v->atime_ns % 1000000000ull;
	st->st_mtim.tv_sec = v->mtime_ns / 1000000000ull;
	st->st_mtim.tv_nsec = v->mtime_ns % 1000000000ull;
	st->st_ctim.tv_sec = v->ctime_ns / 1000000000ull;
	st->st_ctim.tv_nsec = v->ctime_ns % 1000000000ull;
}

/* ---- newlib's system calls (it was built with MISSING_SYSCALL_NAMES: its
 * reentrant wrappers call these plain names) ----------------------------- */

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
	va_end(ap);
	return (int)ret(vfs_open(path, flags, (uint32_t)mode));
}

int close(int fd)
{
	return (int)ret(vfs_close(fd));
}

/* A pipe read or write blocked when pthread_cancel came: act on it. */
static int64_t cancel_point(int64_t rc)
{
	if (rc == -ECANCELED)
		posix_testcancel(); /* does not return */
	return rc;
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
	return (_READ_WRITE_RETURN_TYPE)ret(
	    cancel_point(vfs_read(fd, buf, len)));
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
	return (_READ_WRITE_RETURN_TYPE)ret(
	    cancel_point(vfs_write(fd, buf, len)));
}

off_t lseek(int fd, off_t off, int whence)
{
	return (off_t)ret(vfs_lseek(fd, off, whence));
}

int fstat(int fd, struct stat *st)
{
	struct vfs_stat v;
	int rc = vfs_fstat(fd, &v);
	if (!rc)
		to_stat(&v, st);
	return (int)ret(rc);
}

int stat(const char *path, struct stat *st)
{
	struct vfs_stat v;
	int rc = vfs_stat(path, &v);
	if (!rc)
		to_stat(&v, st);
	return (int)ret(rc);
}

int lstat(const char *path, struct stat *st);
int lstat(const char *path, struct stat *st)
{
	struct vfs_stat v;
	int rc = vfs_lstat(path, &v);
	if (!rc)
		to_stat(&v, st);
	return (int)ret(rc);
}

int isatty(int fd)
{
	int rc = vfs_isatty(fd);
	if (rc < 0) {
		errno = -rc;
		return 0;
	}
	if (rc)
		return 1;
	errno = ENOTTY; /* a file, a pipe, /dev/null */
	return 0;
}

int unlink(const char *path)
{
	return (int)ret(vfs_unlink(path));
}

int link(const char *a, const char *b)
{
	(void)a;
	(void)b;
	errno = EMLINK; /* no hard links in the RAM file system */
	return -1;
}

/* newlib's own rename() would emulate it with link()+unlink() */
int rename(const char *a, const char *b);
int rename(const char *a, const char *b)
{
	return (int)ret(vfs_rename(a, b));
}

pid_t fork(void)
{
	errno = ENOSYS; /* one process, by design */
	return -1;
}

int execve(const char *p, char *const argv[], char *const envp[])
{
	(void)p, (void)argv, (void)envp;
	errno = ENOSYS;
	return -1;
}

pid_t wait(int *status);
pid_t wait(int *status)
{
	(void)status;
	errno = ECHILD;
	return -1;
}

void *sbrk(ptrdiff_t incr)
{
	(void)incr; /* malloc is posix/malloc.c: nobody grows a break */
	errno = ENOMEM;
	return (void *)-1;
}

void _exit(int status)
{
	if (ksys_exit_report_on()) /* dsm.stats=1: the heap's part */
		posix_malloc_report();
	ksys_exit(status);
}

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	uint64_t ns = ksys_realtime_ns();
	tv->tv_sec = (time_t)(ns / 1000000000ull);
	tv->tv_usec = (suseconds_t)(ns / 1000 % 1000000);
	return 0;
}

/* ---- POSIX calls newlib leaves to the system ----------------------------- */

int mkdir(const char *path, mode_t mode)
{
	return (int)ret(vfs_mkdir(path, mode));
}
int rmdir(const char *path)
{
	return (int)ret(vfs_rmdir(path));
}
int chdir(const char *path)
{
	return (int)ret(vfs_chdir(path));
}
int access(const char *path, int mode)
{
	return (int)ret(vfs_access(path, mode));
}
int truncate(const char *path, off_t len)
{
	return (int)ret(vfs_truncate(path, len));
}
int ftruncate(int fd, off_t len)
{
	return (int)ret(vfs_ftruncate(fd, len));
}
int dup(int fd)
{
	return (int)ret(vfs_dup(fd));
}
int dup2(int fd, int nfd)
{
	return (int)ret(vfs_dup2(fd, nfd));
}
int dup3(int fd, int nfd, int flags);
int dup3(int fd, int nfd, int flags)
{
	return (int)ret(vfs_dup3(fd, nfd, flags));
}
int pipe(int fds[2])
{
	return (int)ret(vfs_pipe(fds, 0));
}
int pipe2(int fds[2], int flags);
int pipe2(int fds[2], int flags)
{
	return (int)ret(vfs_pipe(fds, flags));
}

char *getcwd(char *buf, size_t size)
{
	int rc = vfs_getcwd(buf, size);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	return buf;
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	return (ssize_t)ret(vfs_pread(fd, buf, n, off));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return (ssize_t)ret(vfs_pwrite(fd, buf, n, off));
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	return (int)ret(vfs_fcntl(fd, cmd, arg));
}

int fsync(int fd)
{
	struct vfs_stat v;
	return (int)ret(vfs_fstat(fd, &v)); /* RAM: nothing to flush */
}

/* ---- directories --------------------------------------------------------- */

DIR *opendir(const char *name)
{
	int fd = vfs_opendir(name);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	DIR *d = malloc(sizeof(*d));
	if (!d) {
		vfs_closedir(fd);
		errno = ENOMEM;
		return NULL;
	}
	d->dd_fd = fd;
	return d;
}

struct dirent *readdir(DIR *d)
{
	struct vfs_dirent e;
	int rc = vfs_readdir(d->dd_fd, &e);
	if (rc <= 0) {
		if (rc < 0)
			errno = -rc;
		return NULL;
	}
	d->dd_ent.d_ino = e.ino;
	d->dd_ent.d_type = (unsigned char)e.type;
	strncpy(d->dd_ent.d_name, e.name, MAXNAMLEN);
	d->dd_ent.d_name[MAXNAMLEN] = 0;
	return &d->dd_ent;
}

int readdir_r(DIR *d, struct dirent *ent, struct dirent **result)
{
	int saved = errno;
	errno = 0;
	struct dirent *e = readdir(d);
	int err = errno;
	errno = saved;
	if (!e) {
		*result = NULL;
		return err;
	}
	*ent = *e;
	*result = ent;
	return 0;
}

int closedir(DIR *d)
{
	int rc = vfs_closedir(d->dd_fd);
	free(d);
	return (int)ret(rc);
}

void rewinddir(DIR *d)
{
	vfs_lseek(d->dd_fd, 0, SEEK_SET);
}
int dirfd(DIR *d)
{
	return d->dd_fd;
}
