/*
 * net/cnet_off.c — the transport at power-off. A node that sends a message
 * and powers off at once (the last node through a barrier; an exit
 * request) would take the message with it: the frame may still sit in the
 * NIC's queue, and nobody is left to retransmit it. So an orderly
 * power-off waits, bounded, until every live peer acknowledged what we
 * sent and our own pending acks are out; then it prints the counters,
 * always (racy reads after a crash are fine).
 */
#include "kernel/time.h"
#include "kernel/thread.h"
#include "net/cnet_impl.h"

/* How long a node going off waits for its last messages to be acknowledged,
 * and then (beyond ack_delay_ns) for the poll thread's next rounds to send
 * the acks it owes. */
#define LINGER_NS    (500 * NSEC_PER_MSEC)
#define ACK_FLUSH_NS (3 * NSEC_PER_MSEC)

bool cnet_tx_pending(void)
{
	bool busy = false;
	mutex_lock(&cn.lock);
	for (int i = 0; i < cn.nodes && !busy; i++) {
		struct cnet_peer_stats ps;
		if (i != cn.self && cn.alive[i] &&
		    !cnet_rel_peer_stats(&cn.rel, i, &ps) && ps.tx_queued)
			busy = true;
	}
	mutex_unlock(&cn.lock);
	return busy;
}

void cnet_power_off(bool orderly)
{
	if (!cn.up)
		return;
	if (orderly && !mutex_owned(&cn.lock)) {
		uint64_t deadline = clock_ns() + LINGER_NS;
		while (cnet_tx_pending() && clock_ns() < deadline)
			thread_sleep_ns(NSEC_PER_MSEC);
		thread_sleep_ns(cn.rel.cfg.ack_delay_ns + ACK_FLUSH_NS);
	}
	cnet_stats_print();
}
