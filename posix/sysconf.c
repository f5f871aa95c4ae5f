/*
 * posix/sysconf.c — sysconf: every name newlib's <unistd.h> defines.
 *
 * A limit that <limits.h> also states gives the same value (ARG_MAX,
 * CHILD_MAX, IOV_MAX, ...: POSIX wants them to agree). An option or limit
 * Unum does not have, or a limit without a bound, is -1 with errno left
 * alone; a name that is none of these is -1 with EINVAL.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "posix/posix_impl.h"

#define POSIX_2008 200809L /* what a supported option says */
#define PAGE_BYTES 4096

static long phys_pages(bool avail)
{
	uint64_t total, free;
	ksys_mem_pages(&total, &free); /* this node's: see sysconf() */
	return (long)(avail ? free : total);
}

/* Options this layer implements: POSIX_2008; the others -1. The
 * <unistd.h> macros given by tools/unum-cc still name _POSIX_TIMERS,
 * which needs timer_create: not here yet, so -1. */
static long option(int name)
{
	switch (name) {
	case _SC_VERSION:
	case _SC_FSYNC:
	case _SC_SEMAPHORES:
	case _SC_THREADS:
	case _SC_THREAD_ATTR_STACKADDR:
	case _SC_THREAD_ATTR_STACKSIZE:
	case _SC_THREAD_PRIORITY_SCHEDULING: /* recorded: see pthread_sched.c */
	case _SC_THREAD_PRIO_INHERIT:
	case _SC_THREAD_PRIO_PROTECT:
	case _SC_THREAD_PROCESS_SHARED:
	case _SC_THREAD_ROBUST_PRIO_INHERIT:
	case _SC_THREAD_ROBUST_PRIO_PROTECT:
	case _SC_BARRIERS:
	case _SC_CLOCK_SELECTION:
	case _SC_CPUTIME:
	case _SC_THREAD_CPUTIME:
	case _SC_MONOTONIC_CLOCK:
	case _SC_READER_WRITER_LOCKS:
	case _SC_SPIN_LOCKS:
	case _SC_TIMEOUTS:
		return POSIX_2008;
	case _SC_V7_LP64_OFF64: /* 32-bit int; 64-bit long, pointer, off_t */
	case _SC_V7_LPBIG_OFFBIG:
		return 1;
	}
	return -1;
}

/* PHYS_PAGES and AVPHYS_PAGES are the calling thread's node's RAM (the
 * kernel does not sum it over the cluster yet), NPROCESSORS_* every
 * node's CPUs. */
long sysconf(int name)
{
	struct rlimit rl;
	switch (name) {
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return ksys_ncpus();
	case _SC_PHYS_PAGES:
		return phys_pages(false);
	case _SC_AVPHYS_PAGES:
		return phys_pages(true);
	case _SC_OPEN_MAX: /* setrlimit(RLIMIT_NOFILE) moves it */
		getrlimit(RLIMIT_NOFILE, &rl);
		return (long)rl.rlim_cur;
	case _SC_PAGESIZE:
		return PAGE_BYTES;
	case _SC_CLK_TCK: /* times()'s unit */
		return CLOCKS_PER_SEC;
	case _SC_ARG_MAX:
		return ARG_MAX;
	case _SC_CHILD_MAX: /* moot: fork is ENOSYS */
		return CHILD_MAX;
	case _SC_NGROUPS_MAX:
		return NGROUPS_MAX;
	case _SC_IOV_MAX:
		return IOV_MAX;
	case _SC_LINE_MAX:
		return LINE_MAX;
	case _SC_HOST_NAME_MAX:
		return HOST_NAME_MAX;
	case _SC_TZNAME_MAX:
		return TZNAME_MAX;
	case _SC_STREAM_MAX:
		return FOPEN_MAX;
	case _SC_RE_DUP_MAX:
		return RE_DUP_MAX;
	case _SC_EXPR_NEST_MAX:
		return EXPR_NEST_MAX;
	case _SC_BC_BASE_MAX:
		return BC_BASE_MAX;
	case _SC_BC_DIM_MAX:
		return BC_DIM_MAX;
	case _SC_BC_SCALE_MAX:
		return BC_SCALE_MAX;
	case _SC_BC_STRING_MAX:
		return BC_STRING_MAX;
	case _SC_COLL_WEIGHTS_MAX:
		return COLL_WEIGHTS_MAX;
	case _SC_SEM_VALUE_MAX:
		return SEM_VALUE_MAX;
	case _SC_THREAD_KEYS_MAX:
		return POSIX_KEYS_MAX;
	case _SC_THREAD_DESTRUCTOR_ITERATIONS:
		return POSIX_DESTRUCTOR_ITERATIONS;
	case _SC_THREAD_STACK_MIN:
		return PTHREAD_STACK_MIN;
	case _SC_THREAD_THREADS_MAX: /* the table's slots, slot 0 unused */
		return POSIX_MAX_THREADS - 1;
	case _SC_ATEXIT_MAX: /* newlib's static block; POSIX's minimum */
		return 32;
	case _SC_TTY_NAME_MAX:
		return 32;
	case _SC_LOGIN_NAME_MAX:
		return 256;
	case _SC_GETPW_R_SIZE_MAX: /* glibc's: a buffer size that works */
	case _SC_GETGR_R_SIZE_MAX:
		return 1024;
	case _SC_LEVEL1_ICACHE_SIZE ... _SC_LEVEL4_CACHE_LINESIZE:
		return 0;	/* unknown, as glibc says it */
	case _SC_SEM_NSEMS_MAX: /* unnamed ones: no bound (glibc: -1 too) */
	case _SC_MQ_OPEN_MAX:	/* no message queues, signals, timers */
	case _SC_MQ_PRIO_MAX:
	case _SC_RTSIG_MAX:
	case _SC_SIGQUEUE_MAX:
	case _SC_TIMER_MAX:
	case _SC_DELAYTIMER_MAX:
	case _SC_AIO_LISTIO_MAX:
	case _SC_AIO_MAX:
	case _SC_AIO_PRIO_DELTA_MAX:
	case _SC_SYMLOOP_MAX:
		return -1;
	}
	if (name >= 0 && name <= _SC_POSIX_26_VERSION)
		return option(name); /* the rest are options */
	errno = EINVAL;
	return -1;
}
