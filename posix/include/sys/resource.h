/*
 * <sys/resource.h> — resource limits and usage. It stands in for newlib's,
 * whose struct rusage has the two times only and which has no limits;
 * the numbers are Linux's, so programs that print them read as expected.
 * What each limit means here is in posix/sysinfo.c.
 */
#ifndef _SYS_RESOURCE_H_
#define _SYS_RESOURCE_H_

#include <sys/time.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long rlim_t;

#define RLIM_INFINITY  (~(rlim_t)0)
#define RLIM_SAVED_MAX RLIM_INFINITY
#define RLIM_SAVED_CUR RLIM_INFINITY

#define RLIMIT_CPU     0 /* seconds of CPU time */
#define RLIMIT_FSIZE   1 /* bytes in a file */
#define RLIMIT_DATA    2 /* bytes of data (the heap) */
#define RLIMIT_STACK   3 /* bytes of stack (new threads' default) */
#define RLIMIT_CORE    4 /* bytes of a core file */
#define RLIMIT_RSS     5 /* bytes resident */
#define RLIMIT_NPROC   6 /* processes */
#define RLIMIT_NOFILE  7 /* file descriptors: one above the highest */
#define RLIMIT_MEMLOCK 8 /* bytes locked in memory */
#define RLIMIT_AS      9 /* bytes of address space */
#define RLIMIT_NLIMITS 10

struct rlimit {
	rlim_t rlim_cur; /* the soft limit: what is enforced */
	rlim_t rlim_max; /* the hard limit: the ceiling of rlim_cur */
};

#define RUSAGE_SELF	0    /* the whole program */
#define RUSAGE_CHILDREN (-1) /* children that were waited for */
#define RUSAGE_THREAD	1    /* the calling thread */

struct rusage {
	struct timeval ru_utime; /* user time used */
	struct timeval ru_stime; /* system time used */
	long ru_maxrss;		 /* largest resident set, KiB */
	long ru_ixrss;
	long ru_idrss;
	long ru_isrss;
	long ru_minflt; /* page faults without I/O */
	long ru_majflt; /* page faults with I/O */
	long ru_nswap;
	long ru_inblock; /* blocks read */
	long ru_oublock; /* blocks written */
	long ru_msgsnd;
	long ru_msgrcv;
	long ru_nsignals;
	long ru_nvcsw;	/* voluntary context switches */
	long ru_nivcsw; /* involuntary context switches */
};

int getrlimit(int resource, struct rlimit *rlp);
int setrlimit(int resource, const struct rlimit *rlp);
int getrusage(int who, struct rusage *usage);

#ifdef __cplusplus
}
#endif

#endif
