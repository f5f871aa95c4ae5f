/*
 * sched.h — newlib's, plus the priority ranges, which newlib declares
 * only with _POSIX_PRIORITY_SCHEDULING (not given: there is no
 * sched_setparam). posix/sysinfo.c has them.
 */
#include_next <sched.h>

#ifndef _UNUM_SCHED_H
#define _UNUM_SCHED_H
#if !defined(_POSIX_PRIORITY_SCHEDULING)
#ifdef __cplusplus
extern "C" {
#endif
int sched_get_priority_max(int __policy);
int sched_get_priority_min(int __policy);
#ifdef __cplusplus
}
#endif
#endif
#endif
