/*
 * tests/ktest/kt_exit_note.c — exit notes (kernel/exit_note.h): taken once,
 * only for their serial, replaced by a later creation's; a waiter woken by
 * a note posted from another thread, by a bare futex wake-up (-EINTR) and
 * by its timeout.
 */
#include "kernel/errno.h"
#include "kernel/exit_note.h"
#include "kernel/futex.h"
#include "kernel/ktest.h"
#include "kernel/thread.h"
#include "kernel/time.h"

static uint32_t word_a, word_b; /* only their addresses are used */

KTEST(exit_note, take_once_by_serial)
{
	uint64_t r = 0;
	uint32_t waiting0, waiting;
	uint64_t refused0, refused;
	exit_note_counts(&waiting0, &refused0);
	KT_EQ(exit_note_post((uintptr_t)&word_a, 7, 1234), 0);
	KT_ASSERT(!exit_note_take((uintptr_t)&word_a, 8, &r)); /* not ours */
	KT_ASSERT(!exit_note_take((uintptr_t)&word_b, 7, &r));
	exit_note_counts(&waiting, &refused);
	KT_EQ(waiting, waiting0 + 1);
	KT_ASSERT(exit_note_take((uintptr_t)&word_a, 7, &r));
	KT_EQ(r, 1234);
	KT_ASSERT(!exit_note_take((uintptr_t)&word_a, 7, &r)); /* once */
	/* a later creation's note on the same word replaces an old one, an
	 * earlier one's (late) does not */
	KT_EQ(exit_note_post((uintptr_t)&word_a, 9, 1), 0);
	KT_EQ(exit_note_post((uintptr_t)&word_a, 10, 2), 0);
	KT_EQ(exit_note_post((uintptr_t)&word_a, 8, 3), 0);
	KT_ASSERT(!exit_note_take((uintptr_t)&word_a, 9, &r));
	KT_ASSERT(!exit_note_take((uintptr_t)&word_a, 8, &r));
	KT_ASSERT(exit_note_take((uintptr_t)&word_a, 10, &r));
	KT_EQ(r, 2);
	exit_note_counts(&waiting, &refused);
	KT_EQ(waiting, waiting0);
	KT_EQ(refused, refused0);
}

/* Past EXIT_NOTE_MAX waiting, the oldest goes (and is counted). */
static uint8_t many[EXIT_NOTE_MAX + 1][8];

KTEST(exit_note, oldest_dropped_when_full)
{
	uint64_t r = 0;
	uint32_t waiting0, waiting;
	uint64_t dropped0, dropped;
	exit_note_counts(&waiting0, &dropped0);
	KT_EQ(waiting0, 0);	   /* the tests before took theirs */
	int n = EXIT_NOTE_MAX + 1; /* one too many */
	for (int i = 0; i < n; i++)
		KT_EQ(exit_note_post((uintptr_t)many[i], 1, (uint64_t)i), 0);
	exit_note_counts(&waiting, &dropped);
	KT_EQ(waiting, EXIT_NOTE_MAX);
	KT_EQ(dropped, dropped0 + 1);
	KT_ASSERT(!exit_note_take((uintptr_t)many[0], 1, &r)); /* oldest */
	for (int i = 1; i < n; i++) {
		KT_ASSERT(exit_note_take((uintptr_t)many[i], 1, &r));
		KT_EQ(r, (uint64_t)i);
	}
	exit_note_counts(&waiting, &dropped);
	KT_EQ(waiting, 0);
}

static void *post_later(void *arg)
{
	thread_sleep_ns(20 * 1000000ull);
	exit_note_post((uintptr_t)&word_b, 5, (uint64_t)(uintptr_t)arg);
	return NULL;
}

static void *wake_later(void *arg)
{
	(void)arg;
	thread_sleep_ns(20 * 1000000ull);
	futex_wake_local(&word_b, 1);
	return NULL;
}

KTEST(exit_note, waits)
{
	uint64_t r = 0;
	struct thread *t =
	    thread_create("post", post_later, (void *)99, PRIO_DEFAULT);
	KT_ASSERT(t);
	KT_EQ(exit_note_wait((uintptr_t)&word_b, 5, &r, 0), 0);
	KT_EQ(r, 99);
	KT_EQ(thread_join(t, NULL), 0);
	t = thread_create("wake", wake_later, NULL, PRIO_DEFAULT);
	KT_ASSERT(t);
	KT_EQ(exit_note_wait((uintptr_t)&word_b, 5, &r, 0), -EINTR);
	KT_EQ(thread_join(t, NULL), 0);
	uint64_t t0 = clock_ns();
	KT_EQ(exit_note_wait((uintptr_t)&word_b, 5, &r, 10 * 1000000ull),
	      -ETIMEDOUT);
	KT_ASSERT(clock_ns() - t0 >= 10 * 1000000ull);
	/* a note already there: no sleep */
	KT_EQ(exit_note_post((uintptr_t)&word_b, 6, 3), 0);
	KT_EQ(exit_note_wait((uintptr_t)&word_b, 6, &r, 0), 0);
	KT_EQ(r, 3);
}
