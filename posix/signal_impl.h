/*
 * posix/signal_impl.h — shared by posix/signal*.c: the process's signal
 * state and the sending and delivery steps.
 */
#ifndef POSIX_SIGNAL_IMPL_H
#define POSIX_SIGNAL_IMPL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "posix/posix_impl.h"

#define SIG_BIT(s) (1ull << (s))
#define SIG_ALL	   (((1ull << NSIG) - 1) & ~1ull) /* 1 .. NSIG-1 */

/* Lock order: act_lock is a leaf. */
struct sig_state {
	struct ulock lock;
	struct sigaction act[NSIG]; /* (lock) */
	uint64_t proc_pending;	    /* (a) process-directed, untaken */
	struct posix_sigdetail proc_info[NSIG]; /* set with the bit */
};
extern struct sig_state sig_state;

bool sig_valid(int sig);
bool sig_default_ignores(int sig);
struct sigaction sig_action(int sig); /* a copy, under the lock */
/* Makes sig pending for p (or runs it now when p is the caller). */
int sig_send_thread(struct pthread *p, int sig,
		    const struct posix_sigdetail *d);
/* Makes sig pending for the process; a thread not blocking it takes it. */
int sig_send_process(int sig, const struct posix_sigdetail *d);
/* Wakes p's sleeps and kicks it (on its node) to look at its signals. */
void sig_wake(struct pthread *p);
/* Takes one pending signal of `set` for the caller (its own first, then
 * the process's): the signal and its details, or 0. */
int sig_take(uint64_t set, struct posix_sigdetail *d);

#endif
