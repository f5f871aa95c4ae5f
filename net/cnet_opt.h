/*
 * net/cnet_opt.h — compile-time limits and tunable defaults of the cluster
 * transport. Each can be overridden with -D; the run-time defaults are what
 * cnet_rel_config_default() fills in (boot keys may change them later).
 */
#ifndef NET_CNET_OPT_H
#define NET_CNET_OPT_H

/* Frames a peer may have in flight (sent, not cumulatively acked); also the
 * receiver's reordering window. A power of two. */
#ifndef CNET_REL_WND
#define CNET_REL_WND 256
#endif

/* Smallest and largest MTU (Ethernet payload bytes) the transport accepts. */
#ifndef CNET_MTU_MIN
#define CNET_MTU_MIN 256
#endif
#ifndef CNET_MTU_MAX
#define CNET_MTU_MAX 9000
#endif

/* Largest message cnet_rel_config.max_msg may allow. */
#ifndef CNET_MSG_LIMIT
#define CNET_MSG_LIMIT (1u << 20)
#endif

/* Run-time defaults (struct cnet_rel_config). */
#ifndef CNET_DEF_MTU
#define CNET_DEF_MTU 1500
#endif
#ifndef CNET_DEF_MAX_MSG
#define CNET_DEF_MAX_MSG (64u << 10)
#endif
#ifndef CNET_DEF_RX_BUF
#define CNET_DEF_RX_BUF (256u << 10)
#endif
#ifndef CNET_DEF_TX_BUF
#define CNET_DEF_TX_BUF (256u << 10)
#endif
#ifndef CNET_DEF_ACK_DELAY_NS
#define CNET_DEF_ACK_DELAY_NS 200000ull /* 200 us */
#endif
#ifndef CNET_DEF_RTO_INIT_NS
#define CNET_DEF_RTO_INIT_NS 20000000ull /* 20 ms, until the first sample */
#endif
#ifndef CNET_DEF_RTO_MIN_NS
#define CNET_DEF_RTO_MIN_NS 1000000ull /* 1 ms */
#endif
#ifndef CNET_DEF_RTO_MAX_NS
#define CNET_DEF_RTO_MAX_NS 1000000000ull /* 1 s: the backoff cap */
#endif
#ifndef CNET_DEF_UNREACHABLE_AFTER
#define CNET_DEF_UNREACHABLE_AFTER 8 /* timeouts in a row */
#endif

/* Epochs of a peer's earlier incarnations remembered to refuse their frames. */
#ifndef CNET_RETIRED_EPOCHS
#define CNET_RETIRED_EPOCHS 4
#endif

/* The outbox (net/cnet_outbox.h): while neither the kernel heap nor its
 * reserve has room for a message, put retries every RETRY_NS, for at most
 * WAIT_NS, then refuses it. */
#ifndef CNET_OUTBOX_RETRY_NS
#define CNET_OUTBOX_RETRY_NS (1000 * 1000ull)
#endif
#ifndef CNET_OUTBOX_WAIT_NS
#define CNET_OUTBOX_WAIT_NS (2000 * 1000 * 1000ull)
#endif

#endif
