/*
 * sched.h — newlib's, plus the priority ranges, which newlib declares
 * only with _POSIX_PRIORITY_SCHEDULING (not given: there is no
 * sched_setparam). posix/sysinfo.c has them. And CPU sets (cpu_set_t,
 * the CPU_* macros, sched_getaffinity/sched_setaffinity, as glibc's):
 * CPU numbers run over the cluster, node 0's CPUs first
 * (posix/affinity.c).
 */
#include_next <sched.h>

#ifndef _UNUM_SCHED_H
#define _UNUM_SCHED_H
#include <stddef.h>
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
#define CPU_SETSIZE	1024
#define __UNUM_NCPUBITS (8 * sizeof(unsigned long))
typedef struct {
	unsigned long __bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
} cpu_set_t;
#define CPU_ALLOC_SIZE(n)                                                      \
	((((size_t)(n) + __UNUM_NCPUBITS - 1) / __UNUM_NCPUBITS) *             \
	 sizeof(unsigned long))
#define CPU_ALLOC(n)	    ((cpu_set_t *)__builtin_calloc(1, CPU_ALLOC_SIZE(n)))
#define CPU_FREE(s)	    __builtin_free(s)
#define CPU_ZERO_S(size, s) __builtin_memset((s), 0, (size))
#define CPU_SET_S(c, size, s)                                                  \
	((size_t)(c) / 8 < (size)                                              \
	     ? ((s)->__bits[(size_t)(c) / __UNUM_NCPUBITS] |=                  \
		1ul << ((size_t)(c) % __UNUM_NCPUBITS))                        \
	     : 0)
#define CPU_CLR_S(c, size, s)                                                  \
	((size_t)(c) / 8 < (size)                                              \
	     ? ((s)->__bits[(size_t)(c) / __UNUM_NCPUBITS] &=                  \
		~(1ul << ((size_t)(c) % __UNUM_NCPUBITS)))                     \
	     : 0)
#define CPU_ISSET_S(c, size, s)                                                \
	((size_t)(c) / 8 < (size)                                              \
	     ? (((s)->__bits[(size_t)(c) / __UNUM_NCPUBITS] >>                 \
		 ((size_t)(c) % __UNUM_NCPUBITS)) &                            \
		1)                                                             \
	     : 0)
int __unum_cpu_count(size_t __size, const cpu_set_t *__set);
int __unum_cpu_equal(size_t __size, const cpu_set_t *__a, const cpu_set_t *__b);
void __unum_cpu_op(size_t __size, cpu_set_t *__d, const cpu_set_t *__a,
		   const cpu_set_t *__b, int __op);
#define CPU_COUNT_S(size, s)	 __unum_cpu_count((size), (s))
#define CPU_EQUAL_S(size, a, b)	 __unum_cpu_equal((size), (a), (b))
#define CPU_AND_S(size, d, a, b) __unum_cpu_op((size), (d), (a), (b), 0)
#define CPU_OR_S(size, d, a, b)	 __unum_cpu_op((size), (d), (a), (b), 1)
#define CPU_XOR_S(size, d, a, b) __unum_cpu_op((size), (d), (a), (b), 2)
#define CPU_ZERO(s)		 CPU_ZERO_S(sizeof(cpu_set_t), (s))
#define CPU_SET(c, s)		 CPU_SET_S((c), sizeof(cpu_set_t), (s))
#define CPU_CLR(c, s)		 CPU_CLR_S((c), sizeof(cpu_set_t), (s))
#define CPU_ISSET(c, s)		 CPU_ISSET_S((c), sizeof(cpu_set_t), (s))
#define CPU_COUNT(s)		 CPU_COUNT_S(sizeof(cpu_set_t), (s))
#define CPU_EQUAL(a, b)		 CPU_EQUAL_S(sizeof(cpu_set_t), (a), (b))
#define CPU_AND(d, a, b)	 CPU_AND_S(sizeof(cpu_set_t), (d), (a), (b))
#define CPU_OR(d, a, b)		 CPU_OR_S(sizeof(cpu_set_t), (d), (a), (b))
#define CPU_XOR(d, a, b)	 CPU_XOR_S(sizeof(cpu_set_t), (d), (a), (b))
/* pid 0 (or getpid(): the cluster is one process) is the calling thread. */
int sched_getaffinity(pid_t __pid, size_t __size, cpu_set_t *__set);
int sched_setaffinity(pid_t __pid, size_t __size, const cpu_set_t *__set);
#ifdef __cplusplus
}
#endif
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
