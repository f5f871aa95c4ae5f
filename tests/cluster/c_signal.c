/*
 * c_signal.c — signals to threads on another node (each thread moves
 * itself with unum_migrate, so the placement policy does not matter):
 *   - pthread_kill from node 0 of a thread in a compute loop on node 1:
 *     its handler runs there (unum_node() in the handler is 1), once, on
 *     that thread, and the interrupted computation is exact;
 *   - a nanosleep on node 1 ended by a signal from node 0: -1 EINTR, the
 *     SA_SIGINFO handler saw SI_USER there;
 *   - sigwait on node 1 taking 10 signals sent one by one from node 0.
 * Booted by tests/qemu/dsm on 2 nodes (also under 5% loss).
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

static volatile int hits, handler_node = -1, handler_code;
static volatile pthread_t handler_thread;
static volatile int stop_spin, ready;

static int move_to(int node)
{
	if (unum_node() != node)
		unum_migrate(pthread_self(), node);
	return unum_node();
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	double x = 1.0;
	for (int i = 0; i < 50; i++)
		x = x * 1.25 + 0.5; /* uses the SSE registers */
	hits += x > 1.0 && sig == SIGUSR1;
	handler_node = unum_node();
	handler_code = si->si_code;
	handler_thread = pthread_self();
	stop_spin = 1;
}

struct res {
	int node, ok, rc, err;
};

static void *spinner(void *arg)
{
	struct res *r = arg;
	r->node = move_to(1);
	ready = 1;
	double acc = 0.0, step = 0.25;
	uint64_t n = 0, mix = 12345;
	while (!stop_spin) {
		acc += step;
		mix = mix * 6364136223846793005ull + 1442695040888963407ull;
		n++;
	}
	uint64_t m2 = 12345;
	for (uint64_t i = 0; i < n; i++)
		m2 = m2 * 6364136223846793005ull + 1442695040888963407ull;
	r->ok = acc == step * (double)n && mix == m2 && n > 0;
	return NULL;
}

static void *sleeper(void *arg)
{
	struct res *r = arg;
	r->node = move_to(1);
	ready = 1;
	struct timespec ts = {20, 0};
	errno = 0;
	r->rc = nanosleep(&ts, NULL);
	r->err = errno;
	return NULL;
}

static volatile int taken;

static void *waiter(void *arg)
{
	struct res *r = arg;
	r->node = move_to(1);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	ready = 1;
	r->ok = 1;
	for (int i = 0; i < 10; i++) {
		int sig = 0;
		if (sigwait(&s, &sig) || sig != SIGUSR2)
			r->ok = 0;
		__atomic_add_fetch(&taken, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static int wait_for(volatile int *flag, int value)
{
	for (int i = 0; i < 2000 && *flag != value; i++)
		pt_sleep_ms(10);
	return *flag == value;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK_EQ(move_to(0), 0, "main on node 0");
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_sigaction = on_usr1;
	a.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(SIGUSR1, &a, NULL), 0, "sigaction");

	/* a compute loop on node 1, interrupted from node 0 */
	struct res r = {-1, 0, 0, 0};
	pthread_t t;
	ready = 0;
	pthread_create(&t, NULL, spinner, &r);
	CHECK(wait_for(&ready, 1), "spinner ready");
	pt_sleep_ms(50);
	CHECK_EQ(pthread_kill(t, SIGUSR1), 0, "pthread_kill to node 1");
	pthread_join(t, NULL);
	CHECK_EQ(r.node, 1, "spinner ran on node 1");
	CHECK_EQ(hits, 1, "handler ran once");
	CHECK_EQ(handler_node, 1, "handler ran on node 1");
	CHECK(pthread_equal(handler_thread, t), "handler ran on the target");
	CHECK_EQ(handler_code, SI_USER, "si_code SI_USER");
	CHECK_EQ(r.ok, 1, "interrupted computation exact");

	/* a sleep on node 1 interrupted from node 0 */
	r = (struct res){-1, 0, 0, 0};
	hits = 0;
	handler_node = -1;
	ready = 0;
	uint64_t t0 = pt_now_ns();
	pthread_create(&t, NULL, sleeper, &r);
	CHECK(wait_for(&ready, 1), "sleeper ready");
	pt_sleep_ms(200);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	CHECK_EQ(r.node, 1, "sleeper ran on node 1");
	CHECK(r.rc == -1 && r.err == EINTR, "nanosleep: -1 EINTR");
	CHECK_EQ(hits, 1, "its handler ran once");
	CHECK_EQ(handler_node, 1, "on node 1");
	CHECK(pt_now_ns() - t0 < 10000000000ull, "well before 20 s");

	/* sigwait on node 1: ten signals one by one */
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, &old); /* inherited */
	r = (struct res){-1, 0, 0, 0};
	ready = 0;
	pthread_create(&t, NULL, waiter, &r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	CHECK(wait_for(&ready, 1), "waiter ready");
	int sent = 0;
	for (int i = 0; i < 10; i++) {
		sent += pthread_kill(t, SIGUSR2) == 0;
		if (!wait_for(&taken, i + 1))
			break;
	}
	pthread_join(t, NULL);
	CHECK_EQ(sent, 10, "10 signals sent");
	CHECK_EQ(taken, 10, "10 taken by sigwait on node 1");
	CHECK_EQ(r.ok, 1, "each was SIGUSR2");
	CHECK_EQ(r.node, 1, "waiter ran on node 1");
	return pt_done();
}
