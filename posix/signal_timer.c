/*
 * posix/signal_timer.c — timers that signal: timer_create, timer_settime,
 * timer_gettime, timer_getoverrun, timer_delete (SIGEV_SIGNAL,
 * SIGEV_THREAD, SIGEV_NONE; CLOCK_MONOTONIC and CLOCK_REALTIME), and on
 * top of a reserved timer, setitimer/getitimer (ITIMER_REAL) and alarm.
 *
 * One service thread (made at the first timer_settime that arms a timer,
 * every signal blocked) sleeps until the earliest expiry and fires what is
 * due: a process-directed signal (si_code SI_TIMER, si_value the
 * sigevent's), or a new detached thread that runs the sigevent's function.
 * Expiries are kept on CLOCK_MONOTONIC (an absolute CLOCK_REALTIME time
 * is converted when armed). A periodic timer that fell behind counts the
 * missed periods as its overrun.
 *
 * Guards: (l) tm_lock; (a) atomics.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "posix/posix_impl.h"
#include "posix/signal_impl.h"

#define TM_MAX	 64
#define TM_ALARM 0 /* the slot of ITIMER_REAL and alarm */
#define NS_PER_S 1000000000ull

struct ptimer {
	bool used;
	clockid_t clock; /* what an absolute time is on */
	struct sigevent ev;
	uint64_t expire;   /* monotonic ns; 0: disarmed */
	uint64_t interval; /* ns; 0: one shot */
	int overrun;	   /* of the last expiry */
};

static struct ulock tm_lock = ULOCK_INIT;
static struct ptimer timers[TM_MAX]; /* (l) */
static bool service_up;		     /* (l) */
static uint32_t tm_word;	     /* (a) bumped at every change */

static void tm_changed(void)
{
	__atomic_fetch_add(&tm_word, 1, __ATOMIC_SEQ_CST);
	ksys_futex_wake(&tm_word, 1);
}

static void *notify_thread(void *arg)
{
	struct sigevent *ev = arg;
	struct sigevent e = *ev;
	free(ev);
	e.sigev_notify_function(e.sigev_value);
	return NULL;
}

/* Fires one due timer (lock not held). */
static void fire(const struct sigevent *ev)
{
	if (ev->sigev_notify == SIGEV_SIGNAL) {
		struct posix_sigdetail d = {SI_TIMER, (int)getpid(), NULL,
					    ev->sigev_value.sival_ptr};
		sig_send_process(ev->sigev_signo, &d);
	} else if (ev->sigev_notify == SIGEV_THREAD) {
		struct sigevent *copy = malloc(sizeof(*copy));
		pthread_attr_t a;
		pthread_t t;
		if (!copy)
			return;
		*copy = *ev;
		if (ev->sigev_notify_attributes)
			a = *ev->sigev_notify_attributes;
		else
			pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &a, notify_thread, copy))
			free(copy);
	}
}

/* Takes the due timers' events into due[] (rearming periodic ones) and
 * returns how many; *next: the earliest expiry left (0: none). */
static int take_due(uint64_t now, struct sigevent *due, uint64_t *next)
{
	int n = 0;
	*next = 0;
	ulock_lock(&tm_lock);
	for (int i = 0; i < TM_MAX; i++) {
		struct ptimer *t = &timers[i];
		if (!t->used || !t->expire)
			continue;
		if (t->expire <= now) {
			due[n++] = t->ev;
			if (t->interval) {
				uint64_t missed =
				    (now - t->expire) / t->interval;
				t->overrun = (int)missed;
				t->expire += (missed + 1) * t->interval;
			} else {
				t->expire = 0;
			}
		}
		if (t->expire && (!*next || t->expire < *next))
			*next = t->expire;
	}
	ulock_unlock(&tm_lock);
	return n;
}

static void *service(void *arg)
{
	(void)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	static struct sigevent due[TM_MAX]; /* this thread's only */
	for (;;) {
		uint32_t w = __atomic_load_n(&tm_word, __ATOMIC_SEQ_CST);
		uint64_t now = ksys_clock_ns(), next;
		int n = take_due(now, due, &next);
		for (int i = 0; i < n; i++)
			fire(&due[i]);
		if (n)
			continue;
		ksys_futex_wait(&tm_word, w, next ? next - now : 0);
	}
	return NULL;
}

/* Starts the service thread once (lock held). */
static int service_start(void)
{
	if (service_up)
		return 0;
	pthread_attr_t a;
	pthread_t t;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 64 * 1024);
	int rc = pthread_create(&t, &a, service, NULL);
	if (rc)
		return rc;
	service_up = true;
	return 0;
}

static bool ts_ok(const struct timespec *ts)
{
	return ts->tv_nsec >= 0 && ts->tv_nsec < (long)NS_PER_S &&
	       ts->tv_sec >= 0;
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
}

static struct timespec ns_ts(uint64_t ns)
{
	return (struct timespec){(time_t)(ns / NS_PER_S),
				 (long)(ns % NS_PER_S)};
}

static int ev_check(const struct sigevent *ev)
{
	switch (ev->sigev_notify) {
	case SIGEV_NONE:
		return 0;
	case SIGEV_SIGNAL:
		return sig_valid(ev->sigev_signo) ? 0 : EINVAL;
	case SIGEV_THREAD:
		return ev->sigev_notify_function ? 0 : EINVAL;
	default:
		return EINVAL;
	}
}

int timer_create(clockid_t clock, struct sigevent *__restrict ev,
		 timer_t *__restrict id)
{
	struct sigevent def = {.sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGALRM};
	int rc =
	    clock == CLOCK_MONOTONIC || clock == CLOCK_REALTIME ? 0 : EINVAL;
	if (!rc && ev)
		rc = ev_check(ev);
	if (rc) {
		errno = rc;
		return -1;
	}
	ulock_lock(&tm_lock);
	for (int i = TM_ALARM + 1; i < TM_MAX; i++) {
		if (timers[i].used)
			continue;
		timers[i] = (struct ptimer){
		    .used = true, .clock = clock, .ev = ev ? *ev : def};
		if (!ev)
			timers[i].ev.sigev_value.sival_int = i;
		ulock_unlock(&tm_lock);
		*id = (timer_t)i;
		return 0;
	}
	ulock_unlock(&tm_lock);
	errno = EAGAIN;
	return -1;
}

/* The timer of id, lock held; NULL (lock released, errno EINVAL). */
static struct ptimer *tm_get(timer_t id)
{
	ulock_lock(&tm_lock);
	if (id > TM_ALARM && id < TM_MAX && timers[id].used)
		return &timers[id];
	ulock_unlock(&tm_lock);
	errno = EINVAL;
	return NULL;
}

static void get_locked(const struct ptimer *t, struct itimerspec *v)
{
	uint64_t now = ksys_clock_ns();
	uint64_t left = t->expire ? (t->expire > now ? t->expire - now : 1) : 0;
	v->it_value = ns_ts(left);
	v->it_interval = ns_ts(t->interval);
}

/* Arms (value 0: disarms) timer t, lock held; returns 0 or an errno. */
static int set_locked(struct ptimer *t, uint64_t value, uint64_t interval)
{
	if (value) {
		int rc = service_start();
		if (rc)
			return rc;
	}
	t->expire = value ? ksys_clock_ns() + value : 0;
	t->interval = interval;
	t->overrun = 0;
	tm_changed();
	return 0;
}

int timer_settime(timer_t id, int flags, const struct itimerspec *__restrict v,
		  struct itimerspec *__restrict old)
{
	if (!v || !ts_ok(&v->it_value) || !ts_ok(&v->it_interval)) {
		errno = EINVAL;
		return -1;
	}
	struct ptimer *t = tm_get(id);
	if (!t)
		return -1;
	if (old)
		get_locked(t, old);
	uint64_t value = ts_ns(&v->it_value);
	if (value && (flags & TIMER_ABSTIME)) {
		int64_t rel = posix_abs_to_rel(t->clock, &v->it_value);
		value = rel > 0 ? (uint64_t)rel : 1;
	}
	int rc = set_locked(t, value, ts_ns(&v->it_interval));
	ulock_unlock(&tm_lock);
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}

int timer_gettime(timer_t id, struct itimerspec *v)
{
	struct ptimer *t = tm_get(id);
	if (!t)
		return -1;
	get_locked(t, v);
	ulock_unlock(&tm_lock);
	return 0;
}

int timer_getoverrun(timer_t id)
{
	struct ptimer *t = tm_get(id);
	if (!t)
		return -1;
	int n = t->overrun;
	ulock_unlock(&tm_lock);
	return n;
}

int timer_delete(timer_t id)
{
	struct ptimer *t = tm_get(id);
	if (!t)
		return -1;
	*t = (struct ptimer){0};
	tm_changed();
	ulock_unlock(&tm_lock);
	return 0;
}

/* ---- ITIMER_REAL and alarm ----------------------------------------------- */

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * NS_PER_S + (uint64_t)tv->tv_usec * 1000;
}

static struct timeval ns_tv(uint64_t ns)
{
	return (struct timeval){(time_t)(ns / NS_PER_S),
				(suseconds_t)((ns % NS_PER_S + 999) / 1000)};
}

static void alarm_slot(void)
{
	timers[TM_ALARM].used = true;
	timers[TM_ALARM].ev = (struct sigevent){.sigev_notify = SIGEV_SIGNAL,
						.sigev_signo = SIGALRM};
}

int getitimer(int which, struct itimerval *v)
{
	if (which != ITIMER_REAL) {
		errno = EINVAL;
		return -1;
	}
	struct itimerspec s;
	ulock_lock(&tm_lock);
	get_locked(&timers[TM_ALARM], &s);
	ulock_unlock(&tm_lock);
	v->it_value = ns_tv(ts_ns(&s.it_value));
	v->it_interval = ns_tv(ts_ns(&s.it_interval));
	return 0;
}

int setitimer(int which, const struct itimerval *__restrict v,
	      struct itimerval *__restrict old)
{
	if (which != ITIMER_REAL || !v || v->it_value.tv_usec < 0 ||
	    v->it_value.tv_usec >= 1000000 || v->it_interval.tv_usec < 0 ||
	    v->it_interval.tv_usec >= 1000000 || v->it_value.tv_sec < 0 ||
	    v->it_interval.tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	if (old)
		getitimer(which, old);
	ulock_lock(&tm_lock);
	alarm_slot();
	int rc = set_locked(&timers[TM_ALARM], tv_ns(&v->it_value),
			    tv_ns(&v->it_interval));
	ulock_unlock(&tm_lock);
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}

unsigned alarm(unsigned s)
{
	struct itimerval v = {{0, 0}, {(time_t)s, 0}}, old;
	if (setitimer(ITIMER_REAL, &v, &old))
		return 0;
	return (unsigned)old.it_value.tv_sec + (old.it_value.tv_usec ? 1 : 0);
}
