/*
 * pthread.h — newlib's, plus what newlib 3.3 lacks: robust mutexes
 * (POSIX.1-2008) and pthread_getattr_np (a GNU extension, declared by
 * newlib for RTEMS only). posix/psync_attr.c and posix/pthread_sched.c
 * have them; pthread_{set,get}affinity_np are posix/affinity.c's.
 */
#include_next <pthread.h>

#ifndef _UNUM_PTHREAD_H
#define _UNUM_PTHREAD_H
#ifdef __cplusplus
extern "C" {
#endif

/* Robustness of a mutex (pthread_mutexattr_setrobust). */
#define PTHREAD_MUTEX_STALLED 0
#define PTHREAD_MUTEX_ROBUST  1

int pthread_mutexattr_getrobust(const pthread_mutexattr_t *__attr,
				int *__robust);
int pthread_mutexattr_setrobust(pthread_mutexattr_t *__attr, int __robust);
int pthread_mutex_consistent(pthread_mutex_t *__mutex);

#if __GNU_VISIBLE && !defined(__rtems__)
int pthread_getattr_np(pthread_t __id, pthread_attr_t *__attr);
/* CPU sets over the cluster (<sched.h>; posix/affinity.c). */
int pthread_setaffinity_np(pthread_t __id, size_t __size,
			   const cpu_set_t *__set);
int pthread_getaffinity_np(pthread_t __id, size_t __size, cpu_set_t *__set);
#endif

#ifdef __cplusplus
}
#endif
#endif
