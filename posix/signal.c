/*
 * posix/signal.c — POSIX signals for the one multi-threaded process:
 * actions (sigaction, signal), masks (sigprocmask, pthread_sigmask), sets,
 * and sending (raise, kill, killpg, sigqueue, pthread_kill).
 *
 * The state is here, in the global address space: one action per signal
 * for the process, and per thread (struct pthread) a mask, a pending set
 * with each signal's details, and a futex word its sleeps wait on. A
 * process-directed signal is pending for the process until a thread that
 * does not block it takes it. Sending sets the pending bit, bumps the
 * target's word (waking its sleeps) and asks the kernel to kick the
 * target (ksys_signal_kick): the target then runs its handlers at its
 * next safe point (posix/signal_deliver.c). Signals are not queued: one
 * pending instance per signal and target, as for POSIX's non-real-time
 * signals.
 *
 * Guards: (l) act_lock; (a) atomics.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "posix/posix_impl.h"
#include "posix/signal_impl.h"

struct sig_state sig_state = {.lock = ULOCK_INIT};

bool sig_valid(int sig)
{
	return sig >= 1 && sig < NSIG;
}

/* The signals that cannot be caught, blocked or ignored. */
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

bool sig_default_ignores(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
	case SIGTSTP: /* no job control: the stop signals are ignored */
	case SIGTTIN:
	case SIGTTOU:
		return true;
	default:
		return false;
	}
}

/* ---- sets ---------------------------------------------------------------- */

int sigemptyset(sigset_t *s)
{
	*s = 0;
	return 0;
}

int sigfillset(sigset_t *s)
{
	*s = SIG_ALL;
	return 0;
}

int sigaddset(sigset_t *s, int sig)
{
	if (!sig_valid(sig)) {
		errno = EINVAL;
		return -1;
	}
	*s |= SIG_BIT(sig);
	return 0;
}

int sigdelset(sigset_t *s, int sig)
{
	if (!sig_valid(sig)) {
		errno = EINVAL;
		return -1;
	}
	*s &= ~SIG_BIT(sig);
	return 0;
}

int sigismember(const sigset_t *s, int sig)
{
	if (!sig_valid(sig)) {
		errno = EINVAL;
		return -1;
	}
	return (*s & SIG_BIT(sig)) != 0;
}

/* ---- actions ------------------------------------------------------------- */

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!sig_valid(sig) || (act && (sig == SIGKILL || sig == SIGSTOP))) {
		errno = EINVAL;
		return -1;
	}
	struct sigaction prev;
	ulock_lock(&sig_state.lock);
	prev = sig_state.act[sig];
	if (act) {
		sig_state.act[sig] = *act;
		sig_state.act[sig].sa_mask &= SIG_ALL & ~SIG_UNBLOCKABLE;
	}
	ulock_unlock(&sig_state.lock);
	if (act && (act->sa_handler == SIG_IGN ||
		    (act->sa_handler == SIG_DFL && sig_default_ignores(sig)))) {
		/* a pending signal set to be ignored is discarded */
		__atomic_fetch_and(&sig_state.proc_pending, ~SIG_BIT(sig),
				   __ATOMIC_SEQ_CST);
		__atomic_fetch_and(&pthread_cur()->sig_pending, ~SIG_BIT(sig),
				   __ATOMIC_SEQ_CST);
	}
	if (old)
		*old = prev;
	return 0;
}

_sig_func_ptr signal(int sig, _sig_func_ptr fn)
{
	struct sigaction a = {0}, old;
	a.sa_handler = fn;
	a.sa_flags = SA_RESTART; /* BSD semantics, as glibc's signal() */
	if (sigaction(sig, &a, &old))
		return SIG_ERR;
	return old.sa_handler;
}

int siginterrupt(int sig, int flag);
int siginterrupt(int sig, int flag)
{
	struct sigaction a;
	if (sigaction(sig, NULL, &a))
		return -1;
	if (flag)
		a.sa_flags &= ~SA_RESTART;
	else
		a.sa_flags |= SA_RESTART;
	return sigaction(sig, &a, NULL);
}

struct sigaction sig_action(int sig)
{
	ulock_lock(&sig_state.lock);
	struct sigaction a = sig_state.act[sig];
	ulock_unlock(&sig_state.lock);
	return a;
}

/* ---- masks --------------------------------------------------------------- */

uint64_t posix_sig_mask_now(void)
{
	return pthread_cur()->sig_mask;
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	struct pthread *self = pthread_cur();
	uint64_t cur = self->sig_mask, next = cur;
	if (set) {
		uint64_t s = *set & SIG_ALL & ~SIG_UNBLOCKABLE;
		switch (how) {
		case SIG_BLOCK:
			next = cur | s;
			break;
		case SIG_UNBLOCK:
			next = cur & ~s;
			break;
		case SIG_SETMASK:
			next = s;
			break;
		default:
			return EINVAL;
		}
	}
	if (old)
		*old = cur;
	if (set) {
		__atomic_store_n(&self->sig_mask, next, __ATOMIC_SEQ_CST);
		if (cur & ~next) /* unblocked: pending ones arrive now */
			posix_sig_deliver();
	}
	return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int rc = pthread_sigmask(how, set, old);
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}

int sigpending(sigset_t *set)
{
	struct pthread *self = pthread_cur();
	*set = (__atomic_load_n(&self->sig_pending, __ATOMIC_SEQ_CST) |
		__atomic_load_n(&sig_state.proc_pending, __ATOMIC_SEQ_CST)) &
	       self->sig_mask;
	return 0;
}

int sigaltstack(const stack_t *ss, stack_t *old)
{
	/* accepted and ignored: handlers run on the thread's own stack */
	if (ss && ss->ss_flags & ~SS_DISABLE) {
		errno = EINVAL;
		return -1;
	}
	if (old)
		*old = (stack_t){NULL, SS_DISABLE, 0};
	return 0;
}

/* ---- sending ------------------------------------------------------------- */

/* Whether a signal sent now would be discarded (ignored, not blocked by
 * the target: a blocked one stays pending for sigwait). */
static bool discarded(int sig, uint64_t target_mask)
{
	struct sigaction a = sig_action(sig);
	if (a.sa_handler == SIG_IGN)
		return true;
	return a.sa_handler == SIG_DFL && sig_default_ignores(sig) &&
	       !(target_mask & SIG_BIT(sig));
}

void sig_wake(struct pthread *p)
{
	__atomic_fetch_add(&p->sig_word, 1, __ATOMIC_SEQ_CST);
	ksys_futex_wake(&p->sig_word, 1);
	ksys_signal_kick(p->id); /* on its node, wherever that is */
}

int sig_send_thread(struct pthread *p, int sig, const struct posix_sigdetail *d)
{
	if (discarded(sig, __atomic_load_n(&p->sig_mask, __ATOMIC_SEQ_CST)))
		return 0;
	if (!(__atomic_load_n(&p->sig_pending, __ATOMIC_SEQ_CST) &
	      SIG_BIT(sig)))
		p->sig_info[sig] = *d; /* one instance: the first's details */
	__atomic_fetch_or(&p->sig_pending, SIG_BIT(sig), __ATOMIC_SEQ_CST);
	if (p == pthread_cur()) {
		posix_sig_deliver();
		return 0;
	}
	sig_wake(p);
	return 0;
}

/* A thread to take a process-directed signal: the caller if it does not
 * block it, else the first in the table that does not, else none. */
static struct pthread *proc_target(int sig)
{
	struct pthread *self = pthread_cur();
	if (!(self->sig_mask & SIG_BIT(sig)))
		return self;
	for (pthread_t id = 1; id < POSIX_MAX_THREADS; id++) {
		struct pthread *p = posix_thread_lookup(id);
		if (p &&
		    __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) ==
			PT_RUNNING &&
		    !(__atomic_load_n(&p->sig_mask, __ATOMIC_SEQ_CST) &
		      SIG_BIT(sig)))
			return p;
	}
	return NULL;
}

int sig_send_process(int sig, const struct posix_sigdetail *d)
{
	struct pthread *t = proc_target(sig);
	if (t)
		return sig_send_thread(t, sig, d);
	if (discarded(sig, SIG_ALL))
		return 0;
	if (!(__atomic_load_n(&sig_state.proc_pending, __ATOMIC_SEQ_CST) &
	      SIG_BIT(sig)))
		sig_state.proc_info[sig] = *d;
	__atomic_fetch_or(&sig_state.proc_pending, SIG_BIT(sig),
			  __ATOMIC_SEQ_CST);
	/* every thread blocks it: wake those asleep in a signal wait
	 * (sigwait...), which take process-directed signals too */
	for (pthread_t id = 1; id < POSIX_MAX_THREADS; id++) {
		struct pthread *p = posix_thread_lookup(id);
		if (p && __atomic_load_n(&p->wait_word, __ATOMIC_SEQ_CST) ==
			     &p->sig_word)
			sig_wake(p);
	}
	return 0;
}

int pthread_kill(pthread_t id, int sig)
{
	if (sig != 0 && !sig_valid(sig))
		return EINVAL;
	struct pthread *p = posix_thread_started(id); /* its TCB built */
	if (!p)
		return ESRCH;
	if (sig == 0)
		return 0;
	struct posix_sigdetail d = {SI_USER, (int)getpid(), NULL, NULL};
	return sig_send_thread(p, sig, &d);
}

int raise(int sig)
{
	if (!sig_valid(sig)) {
		errno = EINVAL;
		return -1;
	}
	struct posix_sigdetail d = {SI_USER, (int)getpid(), NULL, NULL};
	return sig_send_thread(pthread_cur(), sig, &d);
}

static int send_pid(pid_t pid, int sig, const struct posix_sigdetail *d)
{
	if (sig != 0 && !sig_valid(sig)) {
		errno = EINVAL;
		return -1;
	}
	if (pid != 0 && pid != -1 && pid != getpid() && pid != -getpid()) {
		errno = ESRCH;
		return -1;
	}
	if (sig == 0)
		return 0;
	return sig_send_process(sig, d);
}

int kill(pid_t pid, int sig)
{
	struct posix_sigdetail d = {SI_USER, (int)getpid(), NULL, NULL};
	return send_pid(pid, sig, &d);
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0) {
		errno = EINVAL;
		return -1;
	}
	return kill(pgrp ? -pgrp : 0, sig);
}

int sigqueue(pid_t pid, int sig, const union sigval v)
{
	struct posix_sigdetail d = {SI_QUEUE, (int)getpid(), NULL, v.sival_ptr};
	return send_pid(pid, sig, &d);
}
