/*
 * tests/posix/t_signals.c — POSIX signals: sets, sigaction and its flags,
 * masks, raise/kill/pthread_kill (to a thread in a compute loop: the
 * handler interrupts it and its registers and FPU state survive), EINTR
 * from sleeps, semaphores, pipes and poll, sigwait/sigtimedwait,
 * sigsuspend and pause. Exact results and errno values.
 */
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "ptest.h"

static volatile int hits, last_sig, last_code, nested, depth, max_depth;
static volatile pthread_t hit_thread;
static volatile sigset_t seen_mask;
static volatile int handler_errno_probe;

static void on_sig(int sig)
{
	hits++;
	last_sig = sig;
	hit_thread = pthread_self();
	sigset_t m;
	pthread_sigmask(SIG_BLOCK, NULL, &m);
	seen_mask = m;
	errno = 1234; /* must not leak into the interrupted code */
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = si->si_signo == sig ? sig : -1;
	last_code = si->si_code;
	(void)uc;
}

static void on_nest(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (nested++ == 0)
		raise(sig); /* deferred unless SA_NODEFER */
	depth--;
}

static int set_handler(int sig, void (*fn)(int), int flags, sigset_t mask)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = fn;
	a.sa_flags = flags;
	a.sa_mask = mask;
	return sigaction(sig, &a, NULL);
}

static sigset_t none(void)
{
	sigset_t s;
	sigemptyset(&s);
	return s;
}

static void test_sets(void)
{
	sigset_t s;
	CHECK_EQ(sigemptyset(&s), 0, "sigemptyset");
	CHECK_EQ(sigismember(&s, SIGUSR1), 0, "empty set has no SIGUSR1");
	CHECK_EQ(sigaddset(&s, SIGUSR1), 0, "sigaddset");
	CHECK_EQ(sigismember(&s, SIGUSR1), 1, "SIGUSR1 added");
	CHECK_EQ(sigdelset(&s, SIGUSR1), 0, "sigdelset");
	CHECK_EQ(sigismember(&s, SIGUSR1), 0, "SIGUSR1 removed");
	CHECK_EQ(sigfillset(&s), 0, "sigfillset");
	CHECK_EQ(sigismember(&s, SIGTERM), 1, "full set has SIGTERM");
	CHECK_ERRNO(sigaddset(&s, 0), EINVAL, "sigaddset 0: EINVAL");
	CHECK_ERRNO(sigaddset(&s, NSIG), EINVAL, "sigaddset NSIG: EINVAL");
	CHECK_ERRNO(sigdelset(&s, -1), EINVAL, "sigdelset -1: EINVAL");
	CHECK_ERRNO(sigismember(&s, 99), EINVAL, "sigismember 99: EINVAL");
}

static void test_sigaction(void)
{
	struct sigaction a, old;
	memset(&a, 0, sizeof(a));
	a.sa_handler = on_sig;
	CHECK_ERRNO(sigaction(0, &a, NULL), EINVAL, "sigaction 0: EINVAL");
	CHECK_ERRNO(sigaction(NSIG, &a, NULL), EINVAL, "sigaction NSIG");
	CHECK_ERRNO(sigaction(-3, NULL, &old), EINVAL, "sigaction -3");
	CHECK_ERRNO(sigaction(SIGKILL, &a, NULL), EINVAL, "SIGKILL: EINVAL");
	CHECK_ERRNO(sigaction(SIGSTOP, &a, NULL), EINVAL, "SIGSTOP: EINVAL");
	CHECK_EQ(sigaction(SIGKILL, NULL, &old), 0, "SIGKILL query");
	CHECK(old.sa_handler == SIG_DFL, "SIGKILL is SIG_DFL");
	CHECK_EQ(set_handler(SIGUSR1, on_sig, 0, none()), 0, "install");
	CHECK_EQ(sigaction(SIGUSR1, NULL, &old), 0, "query");
	CHECK(old.sa_handler == on_sig, "query gives the handler");
	CHECK(signal(SIGUSR2, SIG_IGN) == SIG_DFL, "signal() old SIG_DFL");
	CHECK(signal(SIGUSR2, SIG_DFL) == SIG_IGN, "signal() old SIG_IGN");
	CHECK(signal(0, SIG_IGN) == SIG_ERR && errno == EINVAL,
	      "signal(0): SIG_ERR EINVAL");
}

static void test_raise(void)
{
	hits = 0;
	errno = 77;
	CHECK_EQ(raise(SIGUSR1), 0, "raise");
	CHECK_EQ(hits, 1, "handler ran once, before raise returned");
	CHECK_EQ(last_sig, SIGUSR1, "handler got SIGUSR1");
	CHECK(pthread_equal(hit_thread, pthread_self()), "on the caller");
	CHECK_EQ(errno, 77, "errno kept across the handler");
	CHECK_EQ(sigismember((sigset_t *)&seen_mask, SIGUSR1), 1,
		 "signal blocked in its handler");
	CHECK_ERRNO(raise(0), EINVAL, "raise 0: EINVAL");
	CHECK_ERRNO(raise(64), EINVAL, "raise 64: EINVAL");

	/* sa_mask adds to the mask while the handler runs */
	sigset_t m = none();
	sigaddset(&m, SIGTERM);
	set_handler(SIGUSR1, on_sig, 0, m);
	raise(SIGUSR1);
	CHECK_EQ(sigismember((sigset_t *)&seen_mask, SIGTERM), 1,
		 "sa_mask blocked in the handler");
	sigset_t now;
	pthread_sigmask(SIG_BLOCK, NULL, &now);
	CHECK_EQ(sigismember(&now, SIGTERM), 0, "mask restored after");

	/* SA_SIGINFO */
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_sigaction = on_info;
	a.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(SIGUSR2, &a, NULL), 0, "SA_SIGINFO install");
	hits = 0;
	raise(SIGUSR2);
	CHECK_EQ(hits, 1, "SA_SIGINFO handler ran");
	CHECK_EQ(last_sig, SIGUSR2, "si_signo");
	CHECK_EQ(last_code, SI_USER, "si_code SI_USER");
	union sigval v = {.sival_int = 5};
	CHECK_EQ(sigqueue(getpid(), SIGUSR2, v), 0, "sigqueue");
	CHECK_EQ(last_code, SI_QUEUE, "si_code SI_QUEUE");

	/* SA_RESETHAND */
	set_handler(SIGUSR1, on_sig, SA_RESETHAND, none());
	hits = 0;
	raise(SIGUSR1);
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	CHECK_EQ(hits, 1, "SA_RESETHAND: ran");
	CHECK(old.sa_handler == SIG_DFL, "SA_RESETHAND: now SIG_DFL");

	/* SA_NODEFER or not */
	set_handler(SIGUSR1, on_nest, 0, none());
	nested = depth = max_depth = 0;
	raise(SIGUSR1);
	CHECK_EQ(nested, 2, "deferred: ran twice");
	CHECK_EQ(max_depth, 1, "deferred: not nested");
	set_handler(SIGUSR1, on_nest, SA_NODEFER, none());
	nested = depth = max_depth = 0;
	raise(SIGUSR1);
	CHECK_EQ(nested, 2, "SA_NODEFER: ran twice");
	CHECK_EQ(max_depth, 2, "SA_NODEFER: nested");

	/* ignored signals */
	signal(SIGUSR2, SIG_IGN);
	CHECK_EQ(raise(SIGUSR2), 0, "SIG_IGN: raise returns");
	CHECK_EQ(raise(SIGCHLD), 0, "SIGCHLD default: ignored");
	CHECK_EQ(raise(SIGWINCH), 0, "SIGWINCH default: ignored");
	signal(SIGUSR2, SIG_DFL);
}

static void test_mask(void)
{
	set_handler(SIGUSR1, on_sig, 0, none());
	sigset_t b = none(), old, pend;
	sigaddset(&b, SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &b, &old), 0, "block SIGUSR1");
	CHECK_EQ(sigismember(&old, SIGUSR1), 0, "was not blocked");
	hits = 0;
	raise(SIGUSR1);
	CHECK_EQ(hits, 0, "blocked: not delivered");
	CHECK_EQ(sigpending(&pend), 0, "sigpending");
	CHECK_EQ(sigismember(&pend, SIGUSR1), 1, "SIGUSR1 pending");
	raise(SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &b, NULL), 0, "unblock");
	CHECK_EQ(hits, 1, "delivered once on unblock (not queued)");
	sigpending(&pend);
	CHECK_EQ(sigismember(&pend, SIGUSR1), 0, "no longer pending");
	CHECK_ERRNO(sigprocmask(99, &b, NULL), EINVAL, "bad how: EINVAL");
	CHECK_EQ(pthread_sigmask(99, &b, NULL), EINVAL,
		 "pthread_sigmask bad how");
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	sigprocmask(SIG_SETMASK, NULL, &old);
	CHECK_EQ(sigismember(&old, SIGKILL), 0, "SIGKILL cannot be blocked");
	CHECK_EQ(sigismember(&old, SIGSTOP), 0, "SIGSTOP cannot be blocked");
	CHECK_EQ(sigismember(&old, SIGTERM), 1, "SIGTERM blocked");
	sigemptyset(&b);
	sigprocmask(SIG_SETMASK, &b, NULL);

	/* kill to the process */
	hits = 0;
	CHECK_EQ(kill(getpid(), SIGUSR1), 0, "kill(getpid())");
	CHECK_EQ(hits, 1, "kill: handler ran");
	CHECK_EQ(kill(0, SIGUSR1), 0, "kill(0)");
	CHECK_EQ(hits, 2, "kill(0): handler ran");
	CHECK_EQ(kill(getpid(), 0), 0, "kill sig 0: exists");
	CHECK_ERRNO(kill(getpid(), NSIG), EINVAL, "kill NSIG: EINVAL");
	CHECK_ERRNO(kill(4242, SIGUSR1), ESRCH, "kill other pid: ESRCH");
}

/* ---- a thread in a compute loop, interrupted ---------------------------- */

static volatile int stop_spin;
static volatile double handler_fp;

static void on_stop(int sig)
{
	double x = 1.0;
	for (int i = 0; i < 100; i++)
		x = x * 1.5 + 0.25; /* clobbers the SSE registers */
	handler_fp = x;
	hits++;
	hit_thread = pthread_self();
	stop_spin = 1;
}

static void *spinner(void *arg)
{
	/* a computation whose registers the interruption must not disturb */
	double acc = 0.0, step = 0.5;
	uint64_t n = 0, mix = 0x9e3779b97f4a7c15ull;
	while (!stop_spin) {
		acc += step;
		mix = mix * 6364136223846793005ull + 1442695040888963407ull;
		n++;
	}
	uint64_t m2 = 0x9e3779b97f4a7c15ull;
	for (uint64_t i = 0; i < n; i++)
		m2 = m2 * 6364136223846793005ull + 1442695040888963407ull;
	*(int *)arg = acc == step * (double)n && mix == m2;
	return NULL;
}

static void test_pthread_kill(void)
{
	set_handler(SIGUSR1, on_stop, 0, none());
	hits = 0;
	stop_spin = 0;
	int ok = -1;
	pthread_t t;
	pthread_create(&t, NULL, spinner, &ok);
	pt_sleep_ms(50);
	CHECK_EQ(pthread_kill(t, SIGUSR1), 0, "pthread_kill a spinning thread");
	pthread_join(t, NULL);
	CHECK_EQ(hits, 1, "its handler ran once");
	CHECK(pthread_equal(hit_thread, t), "on the target thread");
	CHECK_EQ(ok, 1, "the interrupted computation is exact");
	CHECK(handler_fp > 1e10, "the handler computed with SSE");
	CHECK_EQ(pthread_kill(t, 0) == ESRCH || pthread_kill(t, 0) == 0, 1,
		 "pthread_kill sig 0 after exit: 0 or ESRCH");
	CHECK_EQ(pthread_kill(pthread_self(), 99), EINVAL,
		 "pthread_kill 99: EINVAL");
	CHECK_EQ(pthread_kill(pthread_self(), 0), 0, "pthread_kill self 0");
}

/* ---- EINTR --------------------------------------------------------------- */

static int pfd[2];
static sem_t sem;

struct blk {
	int kind; /* 0 nanosleep, 1 sem_wait, 2 read, 3 poll, 4 pause */
	int rc, err;
	long rem_ms;
	uint64_t ns;
};

static void *blocker(void *arg)
{
	struct blk *b = arg;
	uint64_t t0 = pt_now_ns();
	char c;
	struct timespec ts = {5, 0}, rem = {0, 0};
	struct pollfd p = {pfd[0], POLLIN, 0};
	errno = 0;
	switch (b->kind) {
	case 0:
		b->rc = nanosleep(&ts, &rem);
		b->rem_ms = rem.tv_sec * 1000 + rem.tv_nsec / 1000000;
		break;
	case 1:
		b->rc = sem_wait(&sem);
		break;
	case 2:
		b->rc = (int)read(pfd[0], &c, 1);
		break;
	case 3:
		b->rc = poll(&p, 1, 5000);
		break;
	case 4:
		b->rc = pause();
		break;
	}
	b->err = errno;
	b->ns = pt_now_ns() - t0;
	return NULL;
}

static void test_eintr(void)
{
	static const char *names[] = {"nanosleep", "sem_wait", "read (pipe)",
				      "poll", "pause"};
	char name[96];
	set_handler(SIGUSR1, on_sig, 0, none());
	CHECK_EQ(pipe(pfd), 0, "pipe");
	sem_init(&sem, 0, 0);
	for (int k = 0; k < 5; k++) {
		struct blk b = {k, 0, 0, 0, 0};
		pthread_t t;
		hits = 0;
		pthread_create(&t, NULL, blocker, &b);
		pt_sleep_ms(100);
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
		snprintf(name, sizeof(name), "%s: -1 EINTR", names[k]);
		CHECK(b.rc == -1 && b.err == EINTR, name);
		snprintf(name, sizeof(name), "%s: handler ran once", names[k]);
		CHECK_EQ(hits, 1, name);
		snprintf(name, sizeof(name), "%s: woke early", names[k]);
		CHECK(b.ns < 3000000000ull, name);
		if (k == 0)
			CHECK(b.rem_ms > 3000 && b.rem_ms < 5000,
			      "nanosleep: remaining time");
	}
	/* SA_RESTART: the pipe read goes on and gets the byte */
	set_handler(SIGUSR1, on_sig, SA_RESTART, none());
	struct blk b = {2, 0, 0, 0, 0};
	pthread_t t;
	hits = 0;
	pthread_create(&t, NULL, blocker, &b);
	pt_sleep_ms(100);
	pthread_kill(t, SIGUSR1);
	pt_sleep_ms(100);
	CHECK_EQ(hits, 1, "SA_RESTART: handler ran");
	CHECK_EQ(write(pfd[1], "x", 1), 1, "write the byte");
	pthread_join(t, NULL);
	CHECK_EQ(b.rc, 1, "SA_RESTART: read restarted and got 1 byte");
	close(pfd[0]);
	close(pfd[1]);
	sem_destroy(&sem);
}

/* ---- waiting for signals ------------------------------------------------- */

struct waiter {
	int sig, rc, err;
	siginfo_t si;
};

static void *sigwaiter(void *arg)
{
	struct waiter *w = arg;
	sigset_t s = none();
	sigaddset(&s, SIGUSR2);
	w->rc = sigwait(&s, &w->sig);
	return NULL;
}

static void *sigsuspender(void *arg)
{
	struct waiter *w = arg;
	sigset_t s = none();
	errno = 0;
	w->rc = sigsuspend(&s); /* with SIGUSR1 unblocked */
	w->err = errno;
	sigset_t now;
	pthread_sigmask(SIG_BLOCK, NULL, &now);
	w->sig = sigismember(&now, SIGUSR1);
	return NULL;
}

static void test_wait(void)
{
	sigset_t s = none(), old;
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, &old); /* inherited by new threads */

	struct waiter w = {0, -5, 0, {0}};
	pthread_t t;
	pthread_create(&t, NULL, sigwaiter, &w);
	pt_sleep_ms(100);
	pthread_kill(t, SIGUSR2);
	pthread_join(t, NULL);
	CHECK_EQ(w.rc, 0, "sigwait returns 0");
	CHECK_EQ(w.sig, SIGUSR2, "sigwait got SIGUSR2");

	struct timespec ts = {0, 50000000};
	siginfo_t si;
	uint64_t t0 = pt_now_ns();
	CHECK_ERRNO(sigtimedwait(&s, &si, &ts), EAGAIN,
		    "sigtimedwait: EAGAIN after its time-out");
	CHECK(pt_now_ns() - t0 >= 50000000ull, "sigtimedwait waited 50 ms");
	struct timespec zero = {0, 0};
	CHECK_ERRNO(sigtimedwait(&s, &si, &zero), EAGAIN,
		    "sigtimedwait zero: EAGAIN");
	struct timespec bad = {0, 1000000000L};
	CHECK_ERRNO(sigtimedwait(&s, &si, &bad), EINVAL,
		    "bad timespec: EINVAL");
	raise(SIGUSR2);
	CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGUSR2, "pending: taken at once");
	CHECK_EQ(si.si_signo, SIGUSR2, "siginfo si_signo");
	CHECK_EQ(si.si_code, SI_USER, "siginfo si_code");
	kill(getpid(), SIGUSR2);
	CHECK_EQ(sigwaitinfo(&s, &si), SIGUSR2, "sigwaitinfo: process signal");

	/* sigsuspend */
	set_handler(SIGUSR1, on_sig, 0, none());
	hits = 0;
	w = (struct waiter){0, -5, 0, {0}};
	pthread_create(&t, NULL, sigsuspender, &w);
	pt_sleep_ms(100);
	CHECK_EQ(hits, 0, "sigsuspend: nothing yet");
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	CHECK(w.rc == -1 && w.err == EINTR, "sigsuspend: -1 EINTR");
	CHECK_EQ(hits, 1, "sigsuspend: handler ran");
	CHECK_EQ(w.sig, 1, "sigsuspend: old mask back");
	/* blocked, then sigsuspend takes it at once */
	raise(SIGUSR1);
	CHECK_EQ(hits, 1, "blocked in main");
	sigset_t e = none();
	CHECK_ERRNO(sigsuspend(&e), EINTR, "sigsuspend with one pending");
	CHECK_EQ(hits, 2, "its handler ran");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- timers ------------------------------------------------------------- */

static volatile int tinfo_code, tinfo_val, thread_fn_runs;
static volatile pthread_t thread_fn_self;
static sem_t tsem;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_sig = sig;
	tinfo_code = si->si_code;
	tinfo_val = si->si_value.sival_int;
}

static void timer_fn(union sigval v)
{
	thread_fn_runs += v.sival_int;
	thread_fn_self = pthread_self();
	sem_post(&tsem);
}

static void test_timers(void)
{
	set_handler(SIGALRM, on_sig, 0, none());
	CHECK_EQ(alarm(5), 0, "alarm: none before");
	CHECK_EQ(alarm(0), 5, "alarm(0): 5 s were left");
	struct itimerval v = {{0, 0}, {0, 50000}}, g;
	hits = 0;
	uint64_t t0 = pt_now_ns();
	CHECK_EQ(setitimer(ITIMER_REAL, &v, NULL), 0, "setitimer 50 ms");
	CHECK_EQ(getitimer(ITIMER_REAL, &g), 0, "getitimer");
	CHECK(g.it_value.tv_sec == 0 && g.it_value.tv_usec > 0 &&
		  g.it_value.tv_usec <= 50000,
	      "getitimer: value left");
	CHECK_ERRNO(pause(), EINTR, "pause ends with SIGALRM");
	uint64_t dt = pt_now_ns() - t0;
	CHECK_EQ(hits, 1, "SIGALRM handler ran");
	CHECK_EQ(last_sig, SIGALRM, "it was SIGALRM");
	CHECK(dt >= 50000000ull && dt < 1000000000ull, "after 50 ms");
	getitimer(ITIMER_REAL, &g);
	CHECK(g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0,
	      "getitimer: disarmed after it fired");
	CHECK_ERRNO(getitimer(ITIMER_VIRTUAL, &g), EINVAL, "ITIMER_VIRTUAL");
	v.it_value.tv_usec = 1000000;
	CHECK_ERRNO(setitimer(ITIMER_REAL, &v, NULL), EINVAL, "bad tv_usec");

	/* SIGEV_SIGNAL with a value */
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_sigaction = on_timer;
	a.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &a, NULL);
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	ev.sigev_value.sival_int = 42;
	timer_t tm;
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &tm), 0, "timer_create");
	struct itimerspec its = {{0, 0}, {0, 30000000}}, got;
	hits = 0;
	CHECK_EQ(timer_settime(tm, 0, &its, NULL), 0, "timer_settime 30 ms");
	CHECK_ERRNO(pause(), EINTR, "pause ends with the timer's signal");
	CHECK_EQ(hits, 1, "timer handler ran");
	CHECK_EQ(tinfo_code, SI_TIMER, "si_code SI_TIMER");
	CHECK_EQ(tinfo_val, 42, "si_value from the sigevent");

	/* periodic, taken with sigwaitinfo */
	sigset_t s = none(), old;
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
	timer_settime(tm, 0, &its, NULL);
	siginfo_t si;
	int n = 0;
	for (int i = 0; i < 3; i++)
		n += sigwaitinfo(&s, &si) == SIGUSR2 && si.si_code == SI_TIMER;
	CHECK_EQ(n, 3, "periodic: 3 expiries taken by sigwaitinfo");
	CHECK_EQ(timer_gettime(tm, &got), 0, "timer_gettime");
	CHECK(got.it_interval.tv_sec == 0 &&
		  got.it_interval.tv_nsec == 10000000,
	      "timer_gettime: interval");
	CHECK(timer_getoverrun(tm) >= 0, "timer_getoverrun");
	its = (struct itimerspec){{0, 0}, {0, 0}};
	timer_settime(tm, 0, &its, NULL);
	struct timespec zero = {0, 0};
	sigtimedwait(&s, &si, &zero); /* one may have been pending */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	timer_gettime(tm, &got);
	CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_nsec == 0,
	      "disarmed: value 0");
	CHECK_EQ(timer_delete(tm), 0, "timer_delete");
	CHECK_ERRNO(timer_delete(tm), EINVAL, "timer_delete again: EINVAL");
	CHECK_ERRNO(timer_gettime(tm, &got), EINVAL, "deleted: EINVAL");

	/* SIGEV_NONE: only the time left */
	ev.sigev_notify = SIGEV_NONE;
	CHECK_EQ(timer_create(CLOCK_REALTIME, &ev, &tm), 0, "SIGEV_NONE");
	its = (struct itimerspec){{0, 0}, {10, 0}};
	timer_settime(tm, 0, &its, NULL);
	timer_gettime(tm, &got);
	CHECK(got.it_value.tv_sec == 9 || got.it_value.tv_sec == 10,
	      "SIGEV_NONE: about 10 s left");
	timer_delete(tm);

	/* SIGEV_THREAD */
	sem_init(&tsem, 0, 0);
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = timer_fn;
	ev.sigev_value.sival_int = 7;
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &tm), 0, "SIGEV_THREAD");
	its = (struct itimerspec){{0, 0}, {0, 20000000}};
	timer_settime(tm, 0, &its, NULL);
	while (sem_wait(&tsem) != 0)
		;
	CHECK_EQ(thread_fn_runs, 7, "SIGEV_THREAD: function ran with value");
	CHECK(!pthread_equal(thread_fn_self, pthread_self()),
	      "SIGEV_THREAD: on a new thread");
	timer_delete(tm);
	sem_destroy(&tsem);

	/* errors */
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 0;
	CHECK_ERRNO(timer_create(CLOCK_MONOTONIC, &ev, &tm), EINVAL,
		    "timer_create signal 0: EINVAL");
	ev.sigev_notify = 99;
	CHECK_ERRNO(timer_create(CLOCK_MONOTONIC, &ev, &tm), EINVAL,
		    "timer_create bad notify: EINVAL");
	CHECK_ERRNO(timer_create((clockid_t)77, NULL, &tm), EINVAL,
		    "timer_create bad clock: EINVAL");
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, NULL, &tm), 0,
		 "timer_create NULL sigevent");
	its = (struct itimerspec){{0, 0}, {0, 1000000000L}};
	CHECK_ERRNO(timer_settime(tm, 0, &its, NULL), EINVAL,
		    "timer_settime bad nsec: EINVAL");
	timer_delete(tm);
	CHECK_ERRNO(timer_settime((timer_t)999, 0, &its, NULL), EINVAL,
		    "timer_settime bad id: EINVAL");
}

/* ---- faults -------------------------------------------------------------- */

static jmp_buf fault_jb;
static volatile int fault_sig, fault_code;
static void *volatile fault_addr;
static char *guard_page;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig == si->si_signo ? sig : -1;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	hits++;
	/* make the page usable: returning retries the access */
	mprotect(guard_page, 4096, PROT_READ | PROT_WRITE);
}

static void on_jump(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig == si->si_signo ? sig : -1;
	fault_code = si->si_code;
	hits++;
	longjmp(fault_jb, 1);
}

static void test_faults(void)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_sigaction = on_segv;
	a.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(SIGSEGV, &a, NULL), 0, "SIGSEGV handler");
	guard_page =
	    mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(guard_page != MAP_FAILED, "a PROT_NONE page");
	hits = 0;
	volatile char *p = guard_page + 100;
	*p = 42; /* faults; the handler opens the page; the store retries */
	CHECK_EQ(hits, 1, "SIGSEGV: handler ran once");
	CHECK_EQ(fault_sig, SIGSEGV, "SIGSEGV: si_signo");
	CHECK(fault_addr == guard_page + 100, "SIGSEGV: si_addr exact");
	CHECK_EQ(fault_code, SEGV_MAPERR, "SIGSEGV: si_code");
	CHECK_EQ(*p, 42, "the store retried and landed");
	munmap(guard_page, 4096);

	a.sa_sigaction = on_jump;
	sigaction(SIGFPE, &a, NULL);
	sigaction(SIGILL, &a, NULL);
	hits = 0;
	volatile int zero = 0, r = 0;
	if (!setjmp(fault_jb))
		r = 10 / zero;
	CHECK_EQ(hits, 1, "SIGFPE: handler ran");
	CHECK_EQ(fault_sig, SIGFPE, "SIGFPE from a division by zero");
	CHECK_EQ(fault_code, FPE_INTDIV, "SIGFPE: FPE_INTDIV");
	CHECK_EQ(r, 0, "the division did not complete");
	sigset_t s = none();
	sigaddset(&s, SIGFPE);
	sigprocmask(SIG_UNBLOCK, &s, NULL); /* longjmp left it blocked */
	hits = 0;
	if (!setjmp(fault_jb))
		__asm__ volatile("ud2");
	CHECK_EQ(hits, 1, "SIGILL: handler ran");
	CHECK_EQ(fault_sig, SIGILL, "SIGILL from ud2");
	CHECK_EQ(fault_code, ILL_ILLOPC, "SIGILL: ILL_ILLOPC");
	sigaddset(&s, SIGILL);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* a hang shows where */
	test_sets();
	test_sigaction();
	test_raise();
	test_mask();
	test_pthread_kill();
	test_eintr();
	test_wait();
	test_timers();
	test_faults();
	return pt_done();
}
