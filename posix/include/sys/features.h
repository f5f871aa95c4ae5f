/*
 * sys/features.h — newlib's, plus the thread options Unum implements that
 * tools/unum-cc's command line does not already give (it names
 * _POSIX_THREADS, _POSIX_TIMEOUTS, _POSIX_BARRIERS and the other older
 * ones). newlib's headers read these before they lay out the attribute
 * types: _POSIX_THREAD_PROCESS_SHARED adds the process_shared fields and
 * PTHREAD_PROCESS_*, _POSIX_THREAD_PRIO_PROTECT the protocol and ceiling
 * fields and PTHREAD_PRIO_*; the POSIX layer is compiled with the same
 * headers, so both sides agree. sysconf (posix/sysconf.c) says the same.
 *
 * Priorities and protocols are recorded and reported but the scheduler
 * does not act on them (docs/POSIX.md, "Scheduling attributes").
 */
#include_next <sys/features.h>

#ifndef _UNUM_SYS_FEATURES_H
#define _UNUM_SYS_FEATURES_H
#define _POSIX_THREAD_ATTR_STACKADDR	  200809L
#define _POSIX_THREAD_ATTR_STACKSIZE	  200809L
#define _POSIX_THREAD_PRIORITY_SCHEDULING 200809L
#define _POSIX_THREAD_PRIO_INHERIT	  200809L
#define _POSIX_THREAD_PRIO_PROTECT	  200809L
#define _POSIX_THREAD_PROCESS_SHARED	  200809L
#define _POSIX_THREAD_ROBUST_PRIO_INHERIT 200809L
#define _POSIX_THREAD_ROBUST_PRIO_PROTECT 200809L
#endif
