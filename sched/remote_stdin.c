/*
 * sched/remote_stdin.c — the program's standard input from any node: a
 * thread on a node other than the origin reads the origin's (where
 * tools/unum-run feeds it, kernel/console_in.h) through an RPC on
 * CNET_SVC_STDIN_RPC. The origin answers in the service's thread, which
 * blocks until data or the end of input; calls are answered one at a
 * time, in order.
 *
 * Wire format (little-endian): the call is 8 bytes, struct stdin_call;
 * the reply is the data (0 bytes: the end of input), or the read's
 * negative errno as the RPC status (-EAGAIN for a non-blocking read).
 * With STDIN_PEEK (len 1) nothing is read: the reply is one byte, 1 when
 * a read would not block, 0 when it would.
 */
#include "kernel/console_in.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "net/cnet.h"
#include "net/cnet_svc.h"
#include "sched/remote_impl.h"

#define STDIN_NONBLOCK 1u /* stdin_call.flags */
#define STDIN_PEEK     2u

struct stdin_call {
	uint8_t len[4];	  /* bytes wanted, 1 .. KSYS_CONSOLE_CHUNK */
	uint8_t flags[4]; /* STDIN_NONBLOCK; the other bits 0 */
} __attribute__((packed));
_Static_assert(sizeof(struct stdin_call) == 8, "stdin call: 8 bytes");

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* At the origin, in the service's thread: checks the call, then reads. */
static int serve_stdin(int from, const void *args, size_t len, void *out,
		       size_t cap, void *ctx)
{
	(void)from, (void)ctx;
	struct stdin_call c;
	if (len != sizeof(c) || cnet_self() != 0)
		return -EINVAL;
	memcpy(&c, args, sizeof(c));
	uint32_t want = get_le32(c.len), flags = get_le32(c.flags);
	if (want == 0 || want > KSYS_CONSOLE_CHUNK ||
	    (flags & ~(STDIN_NONBLOCK | STDIN_PEEK)) ||
	    ((flags & STDIN_PEEK) && want != 1))
		return -EINVAL;
	if (want > cap)
		want = (uint32_t)cap;
	if (flags & STDIN_PEEK) {
		((uint8_t *)out)[0] = console_in_ready();
		return 1;
	}
	return (int)console_in_read(out, want, flags & STDIN_NONBLOCK);
}

int64_t remote_stdin_read(void *buf, size_t len, bool nonblock)
{
	struct stdin_call c;
	if (len == 0)
		return 0;
	if (len > KSYS_CONSOLE_CHUNK)
		len = KSYS_CONSOLE_CHUNK;
	put_le32(c.len, (uint32_t)len);
	put_le32(c.flags, nonblock ? STDIN_NONBLOCK : 0);
	return cnet_call(0, CNET_SVC_STDIN_RPC, &c, sizeof(c), buf, len, 0);
}

int remote_stdin_poll(void)
{
	struct stdin_call c;
	uint8_t ready = 0;
	put_le32(c.len, 1);
	put_le32(c.flags, STDIN_PEEK);
	int n = cnet_call(0, CNET_SVC_STDIN_RPC, &c, sizeof(c), &ready, 1, 0);
	if (n < 0)
		return n;
	return n == 1 && ready;
}

int remote_stdin_start(void)
{
	return cnet_serve(CNET_SVC_STDIN_RPC, serve_stdin, NULL);
}
