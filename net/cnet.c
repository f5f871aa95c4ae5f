/*
 * net/cnet.c — the cluster transport's kernel glue: the pure reliability
 * layer (net/cnet_rel.c) driven by the NIC's receive thread and a poll
 * thread under one mutex, the registry of service handlers with a worker
 * thread per service, and the send API. Beside it in net/: membership and
 * the view (member.c), the control service (cnet_ctl.c), raw frames
 * (cnet_raw.c), the power-off hook (cnet_off.c), the counters
 * (cnet_stats.c).
 *
 * Lock order: cn.lock (a mutex: it is held across the reliability layer,
 * which transmits), then a service queue's spinlock. Nothing here runs in
 * interrupt context.
 */
#include "arch/x86_64/cpu.h"
#include "drivers/netdev.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/sync.h"
#include "kernel/thread.h"
#include "mm/kmalloc.h"
#include "net/cnet.h"
#include "net/cnet_impl.h"
#include "net/cnet_raw.h"

struct cnet_state cn;

/*
 * A faster node's first messages may arrive while this node is still
 * starting: the view is formed (INIT_TRANSPORT) before the services
 * register (INIT_NET_SVC and INIT_CLUSTER). The transport has
 * acknowledged them, so dropping them would lose them for good; they wait
 * in their service's queue instead, up to EARLY_BYTES_MAX bytes in all,
 * and the handler gets them once it registers. From INIT_READY on
 * (services_ready), a message for a service nobody registered is dropped
 * and counted as unknown_service.
 */
#define EARLY_BYTES_MAX (1u << 20)
static bool services_ready; /* (L) */
static size_t early_bytes;  /* (L) held before services_ready */
static bool queues_ready;   /* (c) set during boot, before any delivery */

struct rx_item {
	struct list_node link;
	int from;
	size_t len;
	uint8_t data[];
};

/* ---- the reliability layer's callbacks (cn.lock held) ------------------ */

static int op_tx(void *ctx, int peer, const void *frame, size_t len)
{
	(void)ctx;
	uint8_t *f = (uint8_t *)frame; /* ours: the Ethernet addresses */
	if (peer == CNET_NODE_BCAST)
		memset(f, 0xff, ETH_ALEN);
	else if (peer >= 0 && peer < cn.nodes && cn.have_mac[peer])
		memcpy(f, cn.mac[peer], ETH_ALEN);
	else
		return -EHOSTUNREACH;
	memcpy(f + ETH_ALEN, cn.nd->mac, ETH_ALEN);
	cn.stats.frames_out++;
	return netdev_xmit(cn.nd, f, len);
}

static void enqueue(int svc, int from, const void *msg, size_t len)
{
	struct cnet_svc *s = &cn.svc[svc];
	struct rx_item *it = kmalloc(sizeof(*it) + len);
	if (!it) {
		cn.stats.dropped++;
		return;
	}
	it->from = from;
	it->len = len;
	memcpy(it->data, msg, len);
	unsigned long f = spin_lock_irqsave(&s->qlock);
	list_add_tail(&s->q, &it->link);
	spin_unlock_irqrestore(&s->qlock, f);
	sem_up(&s->sem);
}

static void op_deliver(void *ctx, int peer, uint16_t service, const void *msg,
		       size_t len)
{
	(void)ctx;
	cn.stats.msgs_in++;
	if (peer >= 0 && peer < CNET_MAX_NODES)
		cn.last_seen[peer] = clock_ns();
	if (service >= CNET_SVC_MAX) {
		cn.stats.unknown_service++;
		return;
	}
	if (!__atomic_load_n(&cn.svc[service].fn, __ATOMIC_ACQUIRE)) {
		if (services_ready || early_bytes + len > EARLY_BYTES_MAX) {
			cn.stats.unknown_service++;
			return;
		}
		early_bytes += len; /* held until the service registers */
	}
	cnet_fast_fn fast =
	    __atomic_load_n(&cn.svc[service].fast, __ATOMIC_ACQUIRE);
	if (fast && fast(peer, msg, len, cn.svc[service].ctx))
		return;
	enqueue(service, peer, msg, len);
}

static void op_dgram(void *ctx, const struct cnet_dgram_info *info,
		     const void *msg, size_t len)
{
	(void)ctx;
	if (info->service == CNET_SVC_MEMBER) { /* the transport's own */
		member_dgram(info, msg, len);
		return;
	}
	/* from a host outside the cluster (unumctl): to a service that takes
	 * such datagrams (cnet_accept_host), if any */
	if (info->service < CNET_SVC_MAX &&
	    __atomic_load_n(&cn.svc[info->service].host, __ATOMIC_ACQUIRE)) {
		enqueue(info->service, CNET_FROM_HOST, msg, len);
		return;
	}
	cn.stats.unknown_service++;
}

static void op_peer_event(void *ctx, int peer, const struct cnet_peer_event *ev)
{
	(void)ctx;
	if (ev->kind == CNET_PEER_WRITABLE || ev->kind == CNET_PEER_RESET)
		/* (a reset empties its send buffer) */
		cond_broadcast(&cn.writable);
	if (ev->kind == CNET_PEER_RESET)
		pr_warn("cnet",
			"node %d rebooted (new epoch %u): %u message(s) to "
			"it dropped",
			peer, ev->epoch, ev->dropped);
}

static void *op_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return kmalloc(n);
}

static void op_free(void *ctx, void *p, size_t n)
{
	(void)ctx, (void)n;
	kfree(p);
}

static const struct cnet_rel_ops rel_ops = {
    .tx = op_tx,
    .deliver = op_deliver,
    .dgram = op_dgram,
    .peer_event = op_peer_event,
    .alloc = op_alloc,
    .free = op_free,
};

/* ---- the receive path and the threads ---------------------------------- */

static void rx_handler(struct netdev *nd, void *frame, size_t len, void *ctx)
{
	(void)ctx;
	if (cnet_raw_is_raw(frame, len)) {
		cnet_raw_input(nd, frame, len);
		netdev_rx_done(nd, frame);
		return;
	}
	mutex_lock(&cn.lock);
	cn.stats.frames_in++;
	int rc = cnet_rel_input(&cn.rel, frame, len, clock_ns());
	if (rc)
		cn.stats.dropped++;
	mutex_unlock(&cn.lock);
	netdev_rx_done(nd, frame);
}

static void *poll_thread(void *arg)
{
	(void)arg;
	for (;;) {
		mutex_lock(&cn.lock);
		uint64_t now = clock_ns();
		cnet_rel_poll(&cn.rel, now);
		member_tick(now);
		mutex_unlock(&cn.lock);
		member_report_deaths(); /* callbacks, without the lock */
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	return NULL;
}

static void *svc_thread(void *arg)
{
	struct cnet_svc *s = arg;
	for (;;) {
		sem_down(&s->sem, 0);
		unsigned long f = spin_lock_irqsave(&s->qlock);
		struct list_node *n = list_pop(&s->q);
		spin_unlock_irqrestore(&s->qlock, f);
		if (!n)
			continue;
		struct rx_item *it = container_of(n, struct rx_item, link);
		s->fn(it->from, it->data, it->len, s->ctx);
		kfree(it);
	}
	return NULL;
}

/* ---- the API ----------------------------------------------------------- */

/* Every service's queue, once, at boot: messages may be queued (held)
 * before their service registers. */
static void init_queues(void)
{
	if (queues_ready)
		return;
	for (int i = 0; i < CNET_SVC_MAX; i++) {
		spin_lock_init(&cn.svc[i].qlock);
		list_init(&cn.svc[i].q);
		sem_init(&cn.svc[i].sem, 0);
	}
	queues_ready = true;
}

int cnet_register(uint16_t service, cnet_handler_fn fn, void *ctx)
{
	if (service == 0 || service >= CNET_SVC_MAX || !fn)
		return -EINVAL;
	struct cnet_svc *s = &cn.svc[service];
	if (s->fn)
		return -EEXIST;
	init_queues();
	s->ctx = ctx;
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELEASE);
	if (!thread_create("cnet-svc", svc_thread, s, PRIO_DEFAULT - 2))
		return -ENOMEM;
	return 0;
}

int cnet_accept_host(uint16_t service)
{
	if (service == 0 || service >= CNET_SVC_MAX ||
	    !__atomic_load_n(&cn.svc[service].fn, __ATOMIC_ACQUIRE))
		return -EINVAL;
	__atomic_store_n(&cn.svc[service].host, true, __ATOMIC_RELEASE);
	return 0;
}

int cnet_set_fast(uint16_t service, cnet_fast_fn fn)
{
	if (service == 0 || service >= CNET_SVC_MAX ||
	    !__atomic_load_n(&cn.svc[service].fn, __ATOMIC_ACQUIRE))
		return -EINVAL;
	__atomic_store_n(&cn.svc[service].fast, fn, __ATOMIC_RELEASE);
	return 0;
}

/* One try at queueing a message to a peer (cn.lock held): 0, or
 * cnet_rel_sendv's error (-EAGAIN: the window is full). */
static int send_locked(int node, uint16_t service, const void *hdr, size_t hlen,
		       const void *body, size_t blen)
{
	struct cnet_iov iov[2] = {{hdr, hlen}, {body, blen}};
	int rc = cnet_rel_sendv(&cn.rel, node, service, iov, blen ? 2 : 1,
				clock_ns());
	if (!rc)
		cn.stats.msgs_out++;
	return rc;
}

int cnet_send2(int node, uint16_t service, const void *hdr, size_t hlen,
	       const void *body, size_t blen)
{
	if (node < 0 || node >= cn.nodes || service >= CNET_SVC_MAX)
		return -EHOSTUNREACH;
	if (node == cn.self) { /* never touches the NIC */
		if (!cn.svc[service].fn)
			return -EINVAL;
		uint8_t *buf = kmalloc(hlen + blen);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, hdr, hlen);
		if (blen)
			memcpy(buf + hlen, body, blen);
		cn.stats.local_msgs++;
		enqueue(service, node, buf, hlen + blen);
		kfree(buf);
		return 0;
	}
	if (!cn.alive[node])
		return -EHOSTUNREACH;
	mutex_lock(&cn.lock);
	int rc;
	while ((rc = send_locked(node, service, hdr, hlen, body, blen)) ==
		   -EAGAIN &&
	       cn.alive[node])
		cond_wait(&cn.writable, &cn.lock, 5 * NSEC_PER_MSEC);
	mutex_unlock(&cn.lock);
	return rc;
}

int cnet_fast_send(int node, uint16_t service, const void *hdr, size_t hlen,
		   const void *body, size_t blen)
{
	if (!mutex_owned(&cn.lock))
		panic("cnet_fast_send outside a fast path");
	if (node < 0 || node >= cn.nodes || node == cn.self ||
	    service >= CNET_SVC_MAX || !cn.alive[node])
		return -EHOSTUNREACH;
	return send_locked(node, service, hdr, hlen, body, blen);
}

int cnet_send(int node, uint16_t service, const void *msg, size_t len)
{
	return cnet_send2(node, service, msg, len, NULL, 0);
}

int cnet_send_host(const uint8_t mac[6], uint16_t service, const void *msg,
		   size_t len)
{
	if (!cn.up)
		return -EHOSTUNREACH;
	if (len > cnet_frame_max_payload(cn.rel.cfg.mtu))
		return -E2BIG;
	size_t cap = CNET_FRAME_OVERHEAD + len;
	uint8_t *f = kmalloc(cap);
	if (!f)
		return -ENOMEM;
	struct cnet_frame_info fi = {
	    .flags = CNET_F_DGRAM,
	    .service = service,
	    .src_epoch = cn.rel.cfg.epoch,
	    .src_node = (uint16_t)cn.self,
	    .dst_node = CNET_NODE_NONE,
	    .frag_count = 1,
	    .msg_len = (uint32_t)len,
	};
	mutex_lock(&cn.lock);
	int rc = cnet_frame_encode(&cn.rel.fp, &fi, msg, len, f, cap);
	if (rc > 0)
		cn.stats.frames_out++;
	mutex_unlock(&cn.lock);
	if (rc > 0) {
		memcpy(f, mac, ETH_ALEN);
		memcpy(f + ETH_ALEN, cn.nd->mac, ETH_ALEN);
		rc =
		    netdev_xmit_wait(cn.nd, f, (size_t)rc, 100 * NSEC_PER_MSEC);
	}
	kfree(f);
	return rc;
}

/* ---- start-up ---------------------------------------------------------- */

static int cnet_start(void)
{
	init_queues();
	cn.nodes = 1;
	cn.self = 0;
	cn.alive[0] = true;
	cn.cpus[0] = nr_cpus;
	mutex_init(&cn.lock);
	cond_init(&cn.writable);
	cnet_ctl_start(); /* the control service, before the view forms */
	unsigned want = (unsigned)config_uint("cluster.nodes");
	if (want == 1) {
		pr_info("cnet", "one node: no cluster transport");
		return 0;
	}
	cn.nd = netdev_get(0);
	if (!cn.nd) {
		pr_err("cnet",
		       "cluster.nodes=%u needs a NIC, and this node has "
		       "none: running alone",
		       want);
		return -ENODEV;
	}
	struct cnet_rel_config cfg;
	cnet_rel_config_default(&cfg);
	const char *key = config_str("cluster.key");
	cnet_key_derive(&cfg.key, key, strlen(key));
	cfg.cluster_id = (uint32_t)config_uint("cluster.id");
	cfg.epoch = (uint32_t)(arch_rdtsc() ^ (arch_rdtsc() >> 32)) | 1;
	cfg.self = CNET_NODE_NONE;
	cfg.max_nodes = (uint16_t)want;
	cfg.mtu = cn.nd->mtu < CNET_MTU_MAX ? cn.nd->mtu : CNET_MTU_MAX;
	cfg.max_msg = 64 * 1024;
	const char *bad = cnet_rel_config_check(&cfg);
	if (bad) {
		pr_err("cnet", "transport configuration: %s", bad);
		return -EINVAL;
	}
	if (cnet_rel_init(&cn.rel, &cfg, &rel_ops, NULL)) {
		pr_err("cnet", "cannot start the transport");
		return -ENOMEM;
	}
	if (!key[0])
		pr_warn("cnet",
			"cluster.key is empty: frames are authenticated "
			"with an empty key");
	cnet_raw_start();
	netdev_set_rx_handler(cn.nd, rx_handler, NULL);
	cn.up = true;
	power_off_register(cnet_power_off);
	if (!thread_create("cnet-poll", poll_thread, NULL, PRIO_DEFAULT - 4))
		return -ENOMEM;
	return member_join(want);
}
INITCALL(INIT_TRANSPORT, cnet_start);

/* The services have registered (INIT_NET_SVC, INIT_CLUSTER): what is
 * still held for a service nobody registered is dropped and counted, and
 * so is any later message for one. */
static int cnet_services_ready(void)
{
	if (!cn.up)
		return 0;
	mutex_lock(&cn.lock);
	services_ready = true;
	for (int i = 0; i < CNET_SVC_MAX; i++) {
		struct cnet_svc *s = &cn.svc[i];
		if (s->fn)
			continue;
		for (;;) {
			unsigned long f = spin_lock_irqsave(&s->qlock);
			struct list_node *n = list_pop(&s->q);
			spin_unlock_irqrestore(&s->qlock, f);
			if (!n)
				break;
			cn.stats.unknown_service++;
			kfree(container_of(n, struct rx_item, link));
		}
	}
	mutex_unlock(&cn.lock);
	return 0;
}
INITCALL(INIT_READY, cnet_services_ready);
