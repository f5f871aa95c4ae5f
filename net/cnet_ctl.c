/*
 * net/cnet_ctl.c — the control service (CNET_SVC_CONTROL): ending the
 * program on every node (an EXIT message makes its receiver power off
 * with the origin's status) and forwarding console output to the origin.
 * Messages are declared in net/cnet_ctl_wire.h and checked by
 * cnet_ctl_decode (net/cnet_ctl_msg.c) before anything acts on them; a
 * refused one is counted as bad_msg.
 */
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "net/cnet_ctl_wire.h"
#include "net/cnet_impl.h"

static void control_handler(int from, const void *msg, size_t len, void *ctx)
{
	(void)ctx;
	struct cnet_ctl_msg m;
	if (cnet_ctl_decode(msg, len, &m)) {
		__atomic_fetch_add(&cn.stats.bad_msg, 1, __ATOMIC_RELAXED);
		return;
	}
	switch (m.kind) {
	case CNET_CTL_CONSOLE:
		kputs_raw(m.text, m.text_len);
		break;
	case CNET_CTL_EXIT:
		kprintf("unum: node %d ended the program (status %d)\n", from,
			m.status);
		power_off(m.status & 0x7f);
	}
}

int cnet_ctl_start(void)
{
	return cnet_register(CNET_SVC_CONTROL, control_handler, NULL);
}

int cnet_console(const char *s, size_t n)
{
	struct cnet_ctl_hdr h;
	cnet_ctl_encode(&h, CNET_CTL_CONSOLE, 0, (uint32_t)n);
	return cnet_send2(0, CNET_SVC_CONTROL, &h, sizeof(h), s, n);
}

void cnet_stop_others(int status)
{
	struct cnet_ctl_hdr h;
	cnet_ctl_encode(&h, CNET_CTL_EXIT, status, 0);
	for (int i = 0; i < cn.nodes; i++)
		if (i != cn.self && cn.alive[i])
			cnet_send(i, CNET_SVC_CONTROL, &h, sizeof(h));
	/* give the messages a moment to be acknowledged */
	for (int t = 0; t < 50 && cn.up && cnet_tx_pending(); t++)
		thread_sleep_ns(2 * NSEC_PER_MSEC);
}

void cnet_exit_all(int status)
{
	cnet_stop_others(status);
	power_off(status & 0x7f);
}
