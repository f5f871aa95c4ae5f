/*
 * kernel/exit_note.c — exit notes (kernel/exit_note.h).
 *
 * Notes hang in hash buckets by word, and on one list in the order they
 * came (the oldest is dropped first when EXIT_NOTE_MAX wait).
 *
 * Guards: (nl) note_lock, a spinlock taken with interrupts off, never
 * held across a sleep, a fault or an allocation.
 */
#include "kernel/errno.h"
#include "kernel/exit_note.h"
#include "kernel/futex.h"
#include "kernel/list.h"
#include "kernel/spinlock.h"
#include "mm/kmalloc.h"

#define NOTE_BUCKETS 256

struct note {
	struct note *next;    /* (nl) in its bucket */
	struct list_node age; /* (nl) in `oldest` */
	uintptr_t word;
	uint64_t serial, result;
};

static struct spinlock note_lock = SPINLOCK_INIT;
static struct note *notes[NOTE_BUCKETS];	     /* (nl) */
static struct list_node oldest = {&oldest, &oldest}; /* (nl) oldest first */
static uint32_t nr_notes;			     /* (nl) */
static uint64_t nr_dropped;			     /* (nl) */

static struct note **slot(uintptr_t word)
{
	struct note **p = &notes[((word >> 3) * 0x9e3779b97f4a7c15ull) >> 56];
	while (*p && (*p)->word != word)
		p = &(*p)->next;
	return p;
}

/* Unlinks *p (a note in its bucket); the caller frees it. */
static struct note *unlink_note(struct note **p)
{
	struct note *n = *p;
	*p = n->next;
	list_del(&n->age);
	nr_notes--;
	return n;
}

int exit_note_post(uintptr_t word, uint64_t serial, uint64_t result)
{
	struct note *n = kmalloc(sizeof(*n)), *old = NULL;
	int rc = 0;
	unsigned long f = spin_lock_irqsave(&note_lock);
	struct note **p = slot(word);
	if (*p) { /* an earlier creation's, never taken: replaced */
		if ((*p)->serial < serial) {
			(*p)->serial = serial;
			(*p)->result = result;
		}
	} else if (!n) {
		nr_dropped++;
		rc = -ENOMEM;
	} else {
		if (nr_notes >= EXIT_NOTE_MAX) {
			struct note *o =
			    container_of(oldest.next, struct note, age);
			old = unlink_note(slot(o->word));
			nr_dropped++;
		}
		n->next = NULL;
		n->word = word;
		n->serial = serial;
		n->result = result;
		list_add_tail(&oldest, &n->age);
		*p = n;
		n = NULL;
		nr_notes++;
	}
	spin_unlock_irqrestore(&note_lock, f);
	kfree(n);
	kfree(old);
	futex_wake_local((const uint32_t *)word, 0x7fffffff);
	return rc;
}

bool exit_note_take(uintptr_t word, uint64_t serial, uint64_t *result)
{
	struct note *n = NULL;
	unsigned long f = spin_lock_irqsave(&note_lock);
	struct note **p = slot(word);
	if (*p && (*p)->serial == serial) {
		n = unlink_note(p);
		*result = n->result;
	}
	spin_unlock_irqrestore(&note_lock, f);
	kfree(n);
	return n != NULL;
}

struct note_key {
	uintptr_t word;
	uint64_t serial;
};

static bool note_here(void *p)
{
	struct note_key *k = p;
	unsigned long f = spin_lock_irqsave(&note_lock);
	struct note **s = slot(k->word);
	bool here = *s && (*s)->serial == k->serial;
	spin_unlock_irqrestore(&note_lock, f);
	return here;
}

int exit_note_wait(uintptr_t word, uint64_t serial, uint64_t *result,
		   uint64_t timeout_ns)
{
	struct note_key k = {word, serial};
	int rc =
	    futex_wait_until((const uint32_t *)word, note_here, &k, timeout_ns);
	if (exit_note_take(word, serial, result))
		return 0;
	return rc == -ETIMEDOUT ? rc : -EINTR;
}

void exit_note_counts(uint32_t *waiting, uint64_t *dropped)
{
	unsigned long f = spin_lock_irqsave(&note_lock);
	*waiting = nr_notes;
	*dropped = nr_dropped;
	spin_unlock_irqrestore(&note_lock, f);
}
