/*
 * posix/affinity.c — CPU sets over the cluster: sched_getaffinity,
 * sched_setaffinity, pthread_setaffinity_np, pthread_getaffinity_np and
 * the helpers behind the CPU_* macros (<sched.h>). CPU numbers run
 * 0..sysconf(_SC_NPROCESSORS_ONLN)-1 over the nodes in node order, node
 * 0's first. Setting goes to the kernel (ksys_set_affinity: the thread
 * moves to a node of its set and the balancer keeps it there; on its node
 * it runs on the set's CPUs); the set is also kept in the thread's record
 * (struct pthread, in the global address space) for the getters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "kernel/ksys.h"
#include "posix/posix_impl.h"

int __unum_cpu_count(size_t size, const cpu_set_t *set)
{
	int n = 0;
	for (size_t i = 0; i < size / sizeof(unsigned long); i++)
		n += __builtin_popcountl(set->__bits[i]);
	return n;
}

int __unum_cpu_equal(size_t size, const cpu_set_t *a, const cpu_set_t *b)
{
	return !memcmp(a, b, size);
}

void __unum_cpu_op(size_t size, cpu_set_t *d, const cpu_set_t *a,
		   const cpu_set_t *b, int op)
{
	for (size_t i = 0; i < size / sizeof(unsigned long); i++)
		d->__bits[i] = op == 0	 ? a->__bits[i] & b->__bits[i]
			       : op == 1 ? a->__bits[i] | b->__bits[i]
					 : a->__bits[i] ^ b->__bits[i];
}

/* set (size bytes) as kernel words: 0, or EINVAL (empty, or a CPU the
 * cluster does not have). */
static int to_words(size_t size, const cpu_set_t *set,
		    uint64_t w[KSYS_CPUSET_WORDS])
{
	long total = sysconf(_SC_NPROCESSORS_ONLN);
	bool any = false;
	memset(w, 0, KSYS_CPUSET_WORDS * sizeof(uint64_t));
	if (!set)
		return EINVAL;
	for (size_t c = 0; c < size * 8; c++) {
		if (!CPU_ISSET_S(c, size, set))
			continue;
		if ((long)c >= total || c >= KSYS_CPUSET_WORDS * 64)
			return EINVAL;
		w[c / 64] |= 1ull << (c % 64);
		any = true;
	}
	return any ? 0 : EINVAL;
}

int pthread_setaffinity_np(pthread_t id, size_t size, const cpu_set_t *set)
{
	struct pthread *p = posix_thread_started(id); /* named to the kernel */
	if (!p)
		return ESRCH;
	uint64_t w[KSYS_CPUSET_WORDS];
	int rc = to_words(size, set, w);
	if (rc)
		return rc;
	memcpy(p->aff, w, sizeof(p->aff)); /* before it may move */
	rc = ksys_set_affinity((uint32_t)id, w);
	return rc < 0 ? -rc : 0;
}

int pthread_getaffinity_np(pthread_t id, size_t size, cpu_set_t *set)
{
	struct pthread *p = posix_thread_started(id);
	if (!p)
		return ESRCH;
	long total = sysconf(_SC_NPROCESSORS_ONLN);
	if (!set || (long)size * 8 < total)
		return EINVAL;
	uint64_t w[KSYS_CPUSET_WORDS];
	memcpy(w, p->aff, sizeof(w));
	bool never = !(w[0] | w[1] | w[2] | w[3]);
	CPU_ZERO_S(size, set);
	for (long c = 0; c < total && c < KSYS_CPUSET_WORDS * 64; c++)
		if (never || (w[c / 64] >> (c % 64)) & 1)
			CPU_SET_S((size_t)c, size, set);
	return 0;
}

/* pid 0 or getpid() (the cluster is one process): the calling thread. */
static int caller(pid_t pid, pthread_t *id)
{
	if (pid != 0 && pid != getpid()) {
		errno = ESRCH;
		return -1;
	}
	*id = pthread_self();
	return 0;
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
	pthread_t id;
	if (caller(pid, &id))
		return -1;
	int rc = pthread_setaffinity_np(id, size, set);
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	pthread_t id;
	if (caller(pid, &id))
		return -1;
	int rc = pthread_getaffinity_np(id, size, set);
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}
