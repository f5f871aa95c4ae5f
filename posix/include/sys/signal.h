/*
 * <sys/signal.h> for Unum: replaces newlib's, whose generic variant has
 * neither SA_SIGINFO nor sa_sigaction nor si_addr. Signal numbers are
 * newlib's (so its compiled code agrees); sigset_t is its unsigned long.
 * Implemented in posix/signal*.c; see docs/ARCHITECTURE.md (signals).
 */
#ifndef _SYS_SIGNAL_H
#define _SYS_SIGNAL_H

#include "_ansi.h"
#include <sys/_sigset.h>
#include <sys/_timespec.h>
#include <sys/cdefs.h>
#include <sys/features.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(_SIGSET_T_DECLARED)
#define _SIGSET_T_DECLARED
typedef __sigset_t sigset_t;
#endif

#define SIGHUP	  1
#define SIGINT	  2
#define SIGQUIT	  3
#define SIGILL	  4
#define SIGTRAP	  5
#define SIGIOT	  6
#define SIGABRT	  6
#define SIGEMT	  7
#define SIGFPE	  8
#define SIGKILL	  9
#define SIGBUS	  10
#define SIGSEGV	  11
#define SIGSYS	  12
#define SIGPIPE	  13
#define SIGALRM	  14
#define SIGTERM	  15
#define SIGURG	  16
#define SIGSTOP	  17
#define SIGTSTP	  18
#define SIGCONT	  19
#define SIGCHLD	  20
#define SIGCLD	  20
#define SIGTTIN	  21
#define SIGTTOU	  22
#define SIGIO	  23
#define SIGPOLL	  SIGIO
#define SIGXCPU	  24
#define SIGXFSZ	  25
#define SIGVTALRM 26
#define SIGPROF	  27
#define SIGWINCH  28
#define SIGLOST	  29
#define SIGUSR1	  30
#define SIGUSR2	  31
#define NSIG	  32 /* signal 0 implied */

#define SIGEV_NONE   1
#define SIGEV_SIGNAL 2
#define SIGEV_THREAD 3

union sigval {
	int sival_int;
	void *sival_ptr;
};

struct sigevent {
	int sigev_notify;
	int sigev_signo;
	union sigval sigev_value;
	void (*sigev_notify_function)(union sigval);
	pthread_attr_t *sigev_notify_attributes;
};

/* si_code */
#define SI_USER	    1
#define SI_QUEUE    2
#define SI_TIMER    3
#define SI_ASYNCIO  4
#define SI_MESGQ    5
#define SI_KERNEL   6 /* a fault (also the codes below) */
#define ILL_ILLOPC  1
#define FPE_INTDIV  1
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR  2

typedef struct {
	int si_signo;
	int si_code;
	int si_errno;
	pid_t si_pid;
	uid_t si_uid;
	int si_status;
	void *si_addr;
	union sigval si_value;
} siginfo_t;

#define SA_NOCLDSTOP 0x1
#define SA_SIGINFO   0x2
#define SA_ONSTACK   0x4 /* accepted; handlers run on the thread's stack */
#define SA_RESTART   0x8
#define SA_NODEFER   0x10
#define SA_RESETHAND 0x20
#define SA_NOCLDWAIT 0x40

typedef void (*_sig_func_ptr)(int);

struct sigaction {
	union {
		_sig_func_ptr _handler;
		void (*_sigaction)(int, siginfo_t *, void *);
	} _signal_handlers;
	sigset_t sa_mask;
	int sa_flags;
};
#define sa_handler   _signal_handlers._handler
#define sa_sigaction _signal_handlers._sigaction

#define MINSIGSTKSZ 2048
#define SIGSTKSZ    8192
#define SS_ONSTACK  0x1
#define SS_DISABLE  0x2
typedef struct sigaltstack {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

#define SIG_SETMASK 0
#define SIG_BLOCK   1
#define SIG_UNBLOCK 2

int sigprocmask(int, const sigset_t *, sigset_t *);
int pthread_sigmask(int, const sigset_t *, sigset_t *);
int kill(pid_t, int);
int killpg(pid_t, int);
int sigaction(int, const struct sigaction *__restrict,
	      struct sigaction *__restrict);
int sigaddset(sigset_t *, int);
int sigdelset(sigset_t *, int);
int sigismember(const sigset_t *, int);
int sigfillset(sigset_t *);
int sigemptyset(sigset_t *);
int sigpending(sigset_t *);
int sigsuspend(const sigset_t *);
int sigwait(const sigset_t *__restrict, int *__restrict);
int sigwaitinfo(const sigset_t *__restrict, siginfo_t *__restrict);
int sigtimedwait(const sigset_t *__restrict, siginfo_t *__restrict,
		 const struct timespec *__restrict);
int sigqueue(pid_t, int, const union sigval);
int sigaltstack(const stack_t *__restrict, stack_t *__restrict);
int pthread_kill(pthread_t, int);

#ifdef __cplusplus
}
#endif

#ifndef _SIGNAL_H_
#include <signal.h>
#endif
#endif /* _SYS_SIGNAL_H */
