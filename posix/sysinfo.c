/*
 * posix/sysinfo.c — what a program asks about itself and the system:
 * uname, gethostname/sethostname, the ids of the one process, getrusage,
 * times, clock, getrlimit/setrlimit, sched_get_priority_min/max and
 * thread names. sysconf is in sysconf.c.
 *
 * The cluster is one process (pid 1, see getpid): its state here lives
 * in the global address space, so every node sees the same host name,
 * limits and thread names. CPU times are the kernel's count of the
 * program's threads on the calling thread's node (ksys_process_cpu_ns):
 * the kernel cannot yet sum them over the cluster, so with threads on
 * several nodes RUSAGE_SELF, times() and clock() count only that node's.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kernel/version.h"
#include "posix/posix_impl.h"
#include "posix/vfs.h"

/* ---- names ---------------------------------------------------------------- */

static struct ulock host_lock = ULOCK_INIT;
static char host_name[HOST_NAME_MAX + 1] = "unum"; /* (host_lock) */

int gethostname(char *name, size_t len)
{
	ulock_lock(&host_lock);
	size_t n = strlen(host_name);
	if (len <= n) { /* no room for the NUL: POSIX leaves it unsaid */
		ulock_unlock(&host_lock);
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, host_name, n + 1);
	ulock_unlock(&host_lock);
	return 0;
}

/* Any bytes, up to HOST_NAME_MAX (EINVAL above, as Linux). There is no
 * privilege to check: the one process may rename its system. */
int sethostname(const char *name, size_t len)
{
	if (len > HOST_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	ulock_lock(&host_lock);
	memcpy(host_name, name, len);
	host_name[len] = 0;
	ulock_unlock(&host_lock);
	return 0;
}

static void field(char *dst, const char *src)
{
	strncpy(dst, src, _UTSNAME_LENGTH - 1);
	dst[_UTSNAME_LENGTH - 1] = 0;
}

int uname(struct utsname *u)
{
	if (!u) {
		errno = EFAULT;
		return -1;
	}
	field(u->sysname, "Unum");
	gethostname(u->nodename, sizeof(u->nodename)); /* always fits */
	field(u->release, UNUM_VERSION);
	field(u->version, UNUM_VERSION_TEXT);
	field(u->machine, "x86_64");
	return 0;
}

/* ---- the one process ------------------------------------------------------ */

/* pid 1, its own group and session leader; its parent is the kernel (0,
 * as for Linux's init). It runs as uid and gid 0: there are no users. */
pid_t getpid(void)
{
	return 1;
}
pid_t getppid(void)
{
	return 0;
}
pid_t getpgrp(void)
{
	return 1;
}
uid_t getuid(void)
{
	return 0;
}
uid_t geteuid(void)
{
	return 0;
}
gid_t getgid(void)
{
	return 0;
}
gid_t getegid(void)
{
	return 0;
}

pid_t getpgid(pid_t pid)
{
	if (pid != 0 && pid != 1) {
		errno = ESRCH;
		return -1;
	}
	return 1;
}

pid_t getsid(pid_t pid)
{
	return getpgid(pid);
}

/* ---- CPU time ------------------------------------------------------------- */

static void ns_to_tv(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / 1000000000ull);
	tv->tv_usec = (suseconds_t)(ns / 1000 % 1000000);
}

/* All of a thread's time counts as user time: the kernel's work for it
 * (futex waits, page faults served by the DSM) is not told apart. */
int getrusage(int who, struct rusage *r)
{
	uint64_t ns;
	switch (who) {
	case RUSAGE_SELF:
		ns = ksys_process_cpu_ns(); /* this node's threads */
		break;
	case RUSAGE_THREAD:
		ns = ksys_thread_cpu_ns(); /* since it came to this node */
		break;
	case RUSAGE_CHILDREN:
		ns = 0; /* no children: fork is ENOSYS */
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (!r) {
		errno = EFAULT;
		return -1;
	}
	memset(r, 0, sizeof(*r));
	ns_to_tv(ns, &r->ru_utime);
	return 0;
}

/* Clock ticks are CLOCKS_PER_SEC (newlib's 1000 a second), the value of
 * sysconf(_SC_CLK_TCK). */
#define NS_PER_TICK (1000000000ull / CLOCKS_PER_SEC)

clock_t times(struct tms *t)
{
	if (t) {
		t->tms_utime = (clock_t)(ksys_process_cpu_ns() / NS_PER_TICK);
		t->tms_stime = 0;
		t->tms_cutime = t->tms_cstime = 0;
	}
	return (clock_t)(ksys_clock_ns() / NS_PER_TICK); /* since boot */
}

/* POSIX: the process's CPU time in CLOCKS_PER_SEC units, from its start
 * (newlib's clock() would go through times(); this says it directly).
 * (clock_t)-1 once it no longer fits: after 584 million years. */
clock_t clock(void)
{
	return (clock_t)(ksys_process_cpu_ns() / NS_PER_TICK);
}

/* ---- limits --------------------------------------------------------------- */

static struct ulock limit_lock = ULOCK_INIT;
/* (limit_lock) Of these only RLIMIT_STACK (the default stack size of new
 * threads) and RLIMIT_NOFILE (the fd table, posix/vfs_fd.c) act; the
 * others are infinite, and lowered values are kept and reported but not
 * enforced. */
static struct rlimit limits[RLIMIT_NLIMITS] = {
    [RLIMIT_CPU] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_FSIZE] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_DATA] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_STACK] = {POSIX_DEFAULT_STACK, RLIM_INFINITY},
    [RLIMIT_CORE] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_RSS] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_NPROC] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_NOFILE] = {VFS_OPEN_MAX, VFS_OPEN_MAX},
    [RLIMIT_MEMLOCK] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_AS] = {RLIM_INFINITY, RLIM_INFINITY},
};

int getrlimit(int res, struct rlimit *rl)
{
	if (res < 0 || res >= RLIMIT_NLIMITS) {
		errno = EINVAL;
		return -1;
	}
	if (!rl) {
		errno = EFAULT;
		return -1;
	}
	ulock_lock(&limit_lock);
	*rl = limits[res];
	ulock_unlock(&limit_lock);
	return 0;
}

/* A soft limit may move up to the hard one; a hard one may only come down
 * (EPERM above it: nobody holds the privilege to raise it here). */
int setrlimit(int res, const struct rlimit *rl)
{
	if (!rl) {
		errno = EFAULT;
		return -1;
	}
	if (res < 0 || res >= RLIMIT_NLIMITS || rl->rlim_cur > rl->rlim_max) {
		errno = EINVAL;
		return -1;
	}
	int err = 0;
	ulock_lock(&limit_lock);
	if (rl->rlim_max > limits[res].rlim_max)
		err = EPERM;
	else if (res == RLIMIT_NOFILE &&
		 vfs_set_open_max((int)rl->rlim_cur) < 0)
		err = EINVAL; /* cannot happen: at most the hard VFS_OPEN_MAX */
	else
		limits[res] = *rl;
	ulock_unlock(&limit_lock);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

size_t posix_default_stack(void)
{
	ulock_lock(&limit_lock);
	rlim_t s = limits[RLIMIT_STACK].rlim_cur;
	ulock_unlock(&limit_lock);
	if (s == RLIM_INFINITY)
		return POSIX_DEFAULT_STACK;
	return s < PTHREAD_STACK_MIN ? PTHREAD_STACK_MIN : (size_t)s;
}

/* ---- scheduling ----------------------------------------------------------- */

/* Linux's ranges: SCHED_OTHER has the one priority 0, SCHED_FIFO and
 * SCHED_RR 1 to 99. Every thread is scheduled alike today (the global
 * policy, round robin within a CPU): these are the values the scheduling
 * attributes accept and record (pthread_sched.c). */
int sched_get_priority_min(int policy)
{
	switch (policy) {
	case SCHED_OTHER:
		return 0;
	case SCHED_FIFO:
	case SCHED_RR:
		return 1;
	}
	errno = EINVAL;
	return -1;
}

int sched_get_priority_max(int policy)
{
	switch (policy) {
	case SCHED_OTHER:
		return 0;
	case SCHED_FIFO:
	case SCHED_RR:
		return 99;
	}
	errno = EINVAL;
	return -1;
}

/* ---- thread names --------------------------------------------------------- */

/* Guards every struct pthread's name (one lock: names change seldom). */
static struct ulock name_lock = ULOCK_INIT;

void posix_thread_name_inherit(char *to, struct pthread *from)
{
	ulock_lock(&name_lock);
	memcpy(to, from->name, POSIX_THREAD_NAME);
	ulock_unlock(&name_lock);
}

/* Names live in struct pthread, in the global address space: any thread
 * on any node reads and sets any other's. ERANGE for a name that does not
 * fit in POSIX_THREAD_NAME bytes with its NUL, as glibc. */
int pthread_setname_np(pthread_t id, const char *name)
{
	size_t n = strlen(name);
	if (n >= POSIX_THREAD_NAME)
		return ERANGE;
	struct pthread *p = posix_thread_started(id);
	if (!p)
		return ESRCH;
	ulock_lock(&name_lock);
	memcpy(p->name, name, n + 1);
	ulock_unlock(&name_lock);
	return 0;
}

/* ERANGE for a buffer shorter than POSIX_THREAD_NAME, whatever the name
 * (glibc's rule: the caller must have room for any name). */
int pthread_getname_np(pthread_t id, char *buf, size_t len)
{
	if (len < POSIX_THREAD_NAME)
		return ERANGE;
	struct pthread *p = posix_thread_started(id);
	if (!p)
		return ESRCH;
	ulock_lock(&name_lock);
	memcpy(buf, p->name, POSIX_THREAD_NAME);
	ulock_unlock(&name_lock);
	return 0;
}
