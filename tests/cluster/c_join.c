/*
 * c_join.c — joins across nodes (posix/pthread.c's exit notes), on 2 or
 * more nodes with sched.policy=round_robin (main's first thread goes to
 * node 1, the next to node 0, and so on):
 *   - 200 threads made and joined in turn, half of them on another node:
 *     every return value exact, and where each ran;
 *   - a thread made on node 0 joined from node 1 (the joiner moves there
 *     first: the end is read from the thread's state word, not a note);
 *   - a thread made on node 1 joined by main on node 0 (the same);
 *   - a joiner moved to another node while it waits: it still gets the
 *     value;
 *   - detached threads on both nodes, 300 of them, started while earlier
 *     ones end: each one's work is counted exactly, and the slots and
 *     stacks come back (300 more joinable threads can be made after);
 *   - errors: joining a detached thread (EINVAL), a thread joined
 *     already (ESRCH: its slot is free), itself (EDEADLK), a bad id
 *     (ESRCH).
 */
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>
#include <unum.h>

#include "ptest.h"

static void *node_plus(void *a)
{
	return (void *)(intptr_t)(unum_node() * 1000 + (intptr_t)a);
}

static void *slow_value(void *a)
{
	usleep(300000);
	return a;
}

struct joiner {
	pthread_t target;
	int move_to; /* -1: stay */
	void *value;
	int rc, node_after;
};

static void *join_it(void *a)
{
	struct joiner *j = a;
	if (j->move_to >= 0)
		unum_migrate(pthread_self(), j->move_to);
	j->rc = pthread_join(j->target, &j->value);
	j->node_after = unum_node();
	return NULL;
}

static pthread_t made_on_1;
static void *make_one(void *a)
{
	(void)a;
	pthread_create(&made_on_1, NULL, slow_value, (void *)77);
	return (void *)(intptr_t)unum_node();
}

static int detached_done;
static void *count_up(void *a)
{
	(void)a;
	__atomic_add_fetch(&detached_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(void)
{
	int bad = 0, remote = 0;
	for (int i = 0; i < 200; i++) {
		pthread_t t;
		void *v = NULL;
		if (pthread_create(&t, NULL, node_plus, (void *)(intptr_t)i) ||
		    pthread_join(t, &v)) {
			bad++;
			continue;
		}
		intptr_t r = (intptr_t)v;
		bad += r % 1000 != i;
		remote += r / 1000 != 0;
	}
	CHECK_EQ(bad, 0, "200 threads joined with their values");
	CHECK_EQ(remote, 100, "half of them ran on another node");

	/* made here (node 0), joined from node 1 */
	struct joiner j = {0, 1, NULL, -1, -1};
	pthread_t jt;
	pthread_create(&j.target, NULL, slow_value, (void *)41);
	pthread_create(&jt, NULL, join_it, &j);
	pthread_join(jt, NULL);
	CHECK_EQ(j.rc, 0, "joined from another node than the creator's");
	CHECK_EQ((intptr_t)j.value, 41, "its value");
	CHECK_EQ(j.node_after, 1, "the joiner was on node 1");

	/* made on node 1 by a thread there, joined by main here */
	pthread_t mk;
	void *where = NULL, *v77 = NULL;
	pthread_create(&mk, NULL, make_one, NULL);
	pthread_join(mk, &where);
	CHECK_EQ((intptr_t)where, 1, "the maker ran on node 1");
	CHECK_EQ(pthread_join(made_on_1, &v77), 0,
		 "main joins a thread node 1 made");
	CHECK_EQ((intptr_t)v77, 77, "its value");

	/* the joiner moves while it waits */
	struct joiner m = {0, -1, NULL, -1, -1};
	pthread_create(&m.target, NULL, slow_value, (void *)43);
	pthread_t mj;
	pthread_create(&mj, NULL, join_it, &m);
	usleep(100000);
	int mrc = unum_migrate(mj, unum_node() == 0 ? 1 : 0);
	pthread_join(mj, NULL);
	CHECK_EQ(mrc, 0, "the waiting joiner moved");
	CHECK_EQ(m.rc, 0, "a joiner moved while waiting joins");
	CHECK_EQ((intptr_t)m.value, 43, "with the value");

	/* detached threads, reaped as more are made */
	pthread_attr_t det;
	pthread_attr_init(&det);
	pthread_attr_setdetachstate(&det, PTHREAD_CREATE_DETACHED);
	int made = 0;
	for (int i = 0; i < 300; i++) {
		pthread_t t;
		made += pthread_create(&t, &det, count_up, NULL) == 0;
		if (i % 50 == 49)
			usleep(20000);
	}
	for (int w = 0; w < 500 && __atomic_load_n(&detached_done,
						   __ATOMIC_SEQ_CST) < made;
	     w++)
		usleep(10000);
	CHECK_EQ(made, 300, "300 detached threads made");
	CHECK_EQ(detached_done, 300, "each one ran once");
	bad = 0;
	for (int i = 0; i < 300; i++) {
		pthread_t t;
		void *v = NULL;
		if (pthread_create(&t, NULL, node_plus, (void *)(intptr_t)i) ||
		    pthread_join(t, &v) || (intptr_t)v % 1000 != i)
			bad++;
	}
	CHECK_EQ(bad, 0, "300 more made and joined after them");

	/* errors */
	pthread_t d, twice;
	void *v;
	pthread_create(&d, &det, slow_value, NULL);
	CHECK_EQ(pthread_join(d, &v), EINVAL, "join a detached thread: EINVAL");
	pthread_create(&twice, NULL, node_plus, NULL);
	CHECK_EQ(pthread_join(twice, &v), 0, "join");
	CHECK_EQ(pthread_join(twice, &v), ESRCH, "join again: ESRCH");
	CHECK_EQ(pthread_join(pthread_self(), &v), EDEADLK,
		 "join oneself: EDEADLK");
	CHECK_EQ(pthread_join((pthread_t)999999, &v), ESRCH,
		 "join a bad id: ESRCH");
	usleep(400000); /* the detached one ends */
	return pt_done();
}
