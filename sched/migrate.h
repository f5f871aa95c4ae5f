/*
 * sched/migrate.h — moving threads between nodes (sched/migrate.c).
 */
#ifndef SCHED_MIGRATE_H
#define SCHED_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct migrate_stats {
	uint64_t out, in; /* threads that left / arrived */
	uint64_t failed;  /* moves that could not be made (the thread stayed) */
	uint64_t shed;	  /* balance orders carried out here */
	uint64_t bad_msgs;    /* thread- and futex-service messages refused */
	uint64_t move_ns_sum; /* stop here to "resumed" heard back, summed
			       * over the moves out */
	uint64_t first_page_ns_sum; /* arrivals: resumed to its stack page
				     * fetched for writing, summed */
};

/*
 * Moves the application thread with pthread id `tid`, wherever it lives,
 * to `node` at its next safe point. 0 once the thread is marked (it was
 * found; already on `node` is 0 too), -ESRCH (no such thread), -EINVAL
 * (no such node), -EHOSTUNREACH (node dead), -ETIMEDOUT, -EAGAIN.
 */
int sched_migrate(uint32_t tid, int node);
/* Sends a request about an application thread (struct tm_mig_req or
 * tm_aff_req) to every other live node in turn, until one has the thread:
 * 0, -ESRCH (none has it), or the error of a node that could not answer. */
int sched_ask_others(const void *req, size_t len);
/* CPU sets (sched/affinity.c). Sets thread tid's set (checked: not
 * empty, no CPU beyond the last), wherever it lives: 0, -ESRCH, or the
 * transport's errors. */
int sched_set_affinity(uint32_t tid, const uint64_t *set);
/* The same for a thread of this node only (the RPC's server side). */
int sched_affinity_local(uint32_t tid, const uint64_t *set);
/* The set's CPUs on `node` as that node's CPU mask (bit = local CPU id). */
uint64_t sched_aff_local(const uint64_t *set, int node);
/* May a thread with this set live on `node`? (an empty set: anywhere) */
bool sched_aff_allows(const uint64_t *set, int node);
struct thread;
/* A migrated thread t (the caller) arrived with its set: restrict it to
 * the set's CPUs here. */
void sched_aff_arrived(struct thread *t);
/* Kicks thread tid on whichever other node has it (signals: kernel/ksys.h's
 * signal_kick): 0 when the message went to some node, -ESRCH for none. */
int sched_signal_kick(uint32_t tid, uint64_t entry);
/* The balancer's order: node `from` sends one runnable application thread
 * to `to`. 0, -ESRCH (none to send), or the transport's error. */
int sched_shed(int from, int to);
/* An application thread started (alive) or ended here. */
void sched_thread_event(uint32_t tid, bool alive);
/* Threads of the program living on this node now; of those, running or
 * queued (not counting the caller): the load the policies weigh (kernel
 * threads come and go too fast to be sampled meaningfully). */
uint32_t sched_app_threads(void);
uint32_t sched_app_runnable(void);
void sched_migrate_stats(struct migrate_stats *s);
/* A futex-service message refused (sched/remote.c): counted in bad_msgs. */
void sched_count_bad(void);

#endif
