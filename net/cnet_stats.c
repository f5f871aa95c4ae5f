/*
 * net/cnet_stats.c — the transport's counters (struct cnet_stats,
 * net/cnet.h): the glue's own, kept in cn.stats, merged with the frame
 * decoder's refusals counted by the reliability layer.
 */
#include "kernel/log.h"
#include "net/cnet_impl.h"

void cnet_get_stats(struct cnet_stats *s)
{
	*s = cn.stats;
	s->bad_mac = cn.rel.drops.bad_mac;
	s->wrong_cluster = cn.rel.drops.wrong_cluster;
	s->bad_length = cn.rel.drops.bad_length;
	s->stale_epoch = cn.rel.drops.stale_epoch;
	s->unknown_service += cn.rel.drops.unknown_service;
}

/* The line tests/qemu/cluster checks at every node's power-off. */
void cnet_stats_print(void)
{
	struct cnet_stats st;
	cnet_get_stats(&st);
	kprintf("cnet: frames in %lu out %lu; dropped: bad_mac %lu "
		"wrong_cluster %lu bad_length %lu stale_epoch %lu "
		"unknown_service %lu bad_msg %lu\n",
		st.frames_in, st.frames_out, st.bad_mac, st.wrong_cluster,
		st.bad_length, st.stale_epoch, st.unknown_service, st.bad_msg);
}
