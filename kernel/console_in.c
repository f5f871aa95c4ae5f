/*
 * kernel/console_in.c — the console's input (contract in
 * kernel/console_in.h): a ring of decoded input bytes filled from the
 * source's receive interrupt, read by blocking readers.
 *
 * Locking: cin.wq.lock (a spinlock taken with interrupts off, since the
 * receive interrupt takes it) guards every field of cin and the source's
 * device registers. It is a leaf but for the console lock (a report of
 * bad framing is logged after it is dropped).
 */
#include "kernel/console_in.h"
#include "kernel/console_frame.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/sync.h"

#define CIN_RING 16384u
/* A reader also polls the line this often, in case an edge was missed. */
#define CIN_POLL_NS 20000000ull

static struct {
	struct waitq wq; /* readers; its lock guards everything below */
	const struct console_source *src;
	struct console_frame_dec dec;
	uint8_t ring[CIN_RING];
	uint32_t head, count; /* next byte to read; bytes in the ring */
	bool irq_off;	      /* the source's interrupt is off: ring full */
	uint64_t bytes;
	uint64_t reported; /* bad_headers + skipped + after_eof last logged */
} cin = {.wq = {.lock = SPINLOCK_INIT}};

void console_in_attach(const struct console_source *src)
{
	unsigned long f;
	if (!cin.wq.waiters.next)
		waitq_init(&cin.wq);
	f = spin_lock_irqsave(&cin.wq.lock);
	console_frame_init(&cin.dec);
	cin.src = src;
	src->rx_irq(true);
	spin_unlock_irqrestore(&cin.wq.lock, f);
}

static uint64_t bad_count(void)
{
	return cin.dec.bad_headers + cin.dec.skipped + cin.dec.after_eof;
}

/* Lock held: moves bytes from the line into the ring while it has room.
 * Returns true when readers should be woken. */
static bool pump(void)
{
	bool woke = false;
	uint8_t c, d;
	if (!cin.src)
		return false;
	while (cin.count < CIN_RING && cin.src->getc(&c)) {
		int r = console_frame_feed(&cin.dec, c, &d);
		if (r == CONSOLE_FRAME_DATA) {
			cin.ring[(cin.head + cin.count) % CIN_RING] = d;
			cin.count++;
			cin.bytes++;
			woke = true;
		} else if (r == CONSOLE_FRAME_EOF) {
			woke = true;
		}
	}
	if (cin.count == CIN_RING && !cin.irq_off) {
		cin.src->rx_irq(false); /* full: the bytes wait in the line */
		cin.irq_off = true;
	}
	return woke;
}

/* Logs bad framing once more of it came (lock not held). */
static void report(const struct console_frame_dec *dec)
{
	pr_warn("console",
		"bad standard-input framing: %lu bad headers, %lu bytes "
		"skipped, %lu after the end",
		(unsigned long)dec->bad_headers, (unsigned long)dec->skipped,
		(unsigned long)dec->after_eof);
}

/* Lock held on entry, dropped on return: logs new bad framing. */
static void unlock_and_report(unsigned long f)
{
	uint64_t bad = bad_count();
	struct console_frame_dec dec = cin.dec;
	bool due = bad != cin.reported;
	cin.reported = bad;
	spin_unlock_irqrestore(&cin.wq.lock, f);
	if (due)
		report(&dec);
}

void console_in_irq(void)
{
	unsigned long f = spin_lock_irqsave(&cin.wq.lock);
	if (pump())
		waitq_wake_all(&cin.wq, 0);
	unlock_and_report(f);
}

static bool ready_locked(void)
{
	return !cin.src || cin.count || cin.dec.eof;
}

bool console_in_ready(void)
{
	unsigned long f = spin_lock_irqsave(&cin.wq.lock);
	pump();
	bool r = ready_locked();
	unlock_and_report(f);
	return r;
}

int64_t console_in_read(void *buf, size_t len, bool nonblock)
{
	if (!len)
		return 0;
	unsigned long f = spin_lock_irqsave(&cin.wq.lock);
	for (;;) {
		pump();
		if (ready_locked())
			break;
		if (nonblock) {
			unlock_and_report(f);
			return -EAGAIN;
		}
		waitq_wait(&cin.wq, &f, CIN_POLL_NS);
	}
	size_t n = len < cin.count ? len : cin.count;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)buf)[i] = cin.ring[(cin.head + i) % CIN_RING];
	cin.head = (cin.head + (uint32_t)n) % CIN_RING;
	cin.count -= (uint32_t)n;
	if (n && cin.irq_off) { /* room again: take the line's bytes */
		cin.irq_off = false;
		cin.src->rx_irq(true);
		pump();
	}
	unlock_and_report(f);
	return (int64_t)n;
}

void console_in_get_stats(struct console_in_stats *s)
{
	unsigned long f = spin_lock_irqsave(&cin.wq.lock);
	*s = (struct console_in_stats){
	    .bytes = cin.bytes,
	    .bad_headers = cin.dec.bad_headers,
	    .skipped = cin.dec.skipped,
	    .after_eof = cin.dec.after_eof,
	    .attached = cin.src != NULL,
	    .eof = cin.dec.eof,
	};
	spin_unlock_irqrestore(&cin.wq.lock, f);
}
