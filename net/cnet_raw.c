/*
 * net/cnet_raw.c — raw frame echo between nodes, with no transport
 * (net/cnet_raw.h): the floor under the transport's round trips in the
 * benchmarks. net/cnet.c's receive handler hands it every frame of
 * EtherType CNET_RAW_ETHERTYPE, in the NIC's receive thread.
 */
#include "drivers/netdev.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/time.h"
#include "net/cnet_impl.h"
#include "net/cnet_raw.h"

static bool raw_echo;	   /* (c) a bench= key was given */
static cnet_raw_fn raw_fn; /* (a) */
static void *raw_ctx;	   /* (a) set before raw_fn */

void cnet_raw_start(void)
{
	raw_echo = config_str("bench")[0] != 0;
}

void cnet_raw_set_handler(cnet_raw_fn fn, void *ctx)
{
	__atomic_store_n(&raw_fn, NULL, __ATOMIC_RELEASE);
	raw_ctx = ctx;
	__atomic_store_n(&raw_fn, fn, __ATOMIC_RELEASE);
}

int cnet_raw_send(int node, void *frame, size_t len)
{
	if (!cn.up || node < 0 || node >= cn.nodes || node == cn.self ||
	    !cn.alive[node] || !cn.have_mac[node])
		return -EHOSTUNREACH;
	if (len < ETH_HLEN + 1)
		return -EINVAL;
	if (len > ETH_HLEN + cn.nd->mtu)
		return -E2BIG;
	uint8_t *f = frame;
	memcpy(f, cn.mac[node], ETH_ALEN);
	memcpy(f + ETH_ALEN, cn.nd->mac, ETH_ALEN);
	f[12] = CNET_RAW_ETHERTYPE >> 8;
	f[13] = CNET_RAW_ETHERTYPE & 0xff;
	return netdev_xmit_wait(cn.nd, f, len, NSEC_PER_SEC);
}

bool cnet_raw_is_raw(const void *frame, size_t len)
{
	const uint8_t *f = frame;
	return len >= ETH_HLEN && f[12] == (CNET_RAW_ETHERTYPE >> 8) &&
	       f[13] == (CNET_RAW_ETHERTYPE & 0xff);
}

/* A raw frame: echo a request (when benchmarking), hand a reply to its
 * handler. The buffer is ours until the caller's netdev_rx_done. */
void cnet_raw_input(struct netdev *nd, uint8_t *f, size_t len)
{
	if (len > ETH_HLEN && f[ETH_HLEN] == CNET_RAW_REQUEST && raw_echo) {
		uint8_t tmp[ETH_ALEN];
		memcpy(tmp, f, ETH_ALEN);
		memcpy(f, f + ETH_ALEN, ETH_ALEN);
		memcpy(f + ETH_ALEN, tmp, ETH_ALEN);
		f[ETH_HLEN] = CNET_RAW_REPLY;
		netdev_xmit_wait(nd, f, len, NSEC_PER_SEC);
	} else if (len > ETH_HLEN && f[ETH_HLEN] == CNET_RAW_REPLY) {
		cnet_raw_fn fn = __atomic_load_n(&raw_fn, __ATOMIC_ACQUIRE);
		if (fn)
			fn(f, len, raw_ctx);
	}
}
