/*
 * net/cnet_svc.h — the registry of service numbers: every service of the
 * cluster transport, of every layer, is numbered here and only here.
 *
 * The numbers travel in every frame (struct cnet_hdr's service field), so
 * they never change: every node of a cluster boots the same image, but a
 * renumbering would still be a new wire format. A new service takes the
 * next free number below CNET_SVC_MAX.
 *
 * The transport knows none of these services but its own (MEMBER, ECHO,
 * SINK, CONTROL): it delivers a message to whoever registered its number
 * (cnet_register), and a datagram from a host outside the cluster only to
 * a service that asked for them (cnet_accept_host).
 */
#ifndef NET_CNET_SVC_H
#define NET_CNET_SVC_H

enum cnet_service {
	CNET_SVC_MEMBER = 1,	 /* net/member.c datagrams: hello, heartbeat */
	CNET_SVC_ECHO = 2,	 /* tests and benchmarks: echo back */
	CNET_SVC_SINK = 3,	 /* tests and benchmarks: count and checksum */
	CNET_SVC_CONTROL = 4,	 /* net/cnet_ctl.c: exit, console forwarding */
	CNET_SVC_DSM = 5,	 /* cluster/dsm.c */
	CNET_SVC_THREAD = 6,	 /* sched/migrate.c: remote thread creation */
	CNET_SVC_FUTEX = 7,	 /* sched/remote.c */
	CNET_SVC_SCHED_CTL = 8,	 /* live control (sched/control.c, unumctl) */
	CNET_SVC_REPORT = 9,	 /* sched/report.c: exit report at the origin */
	CNET_SVC_SCHED_RPC = 10, /* RPC: thread migration requests */
	CNET_SVC_LOCK = 11,	 /* cluster lock service (cluster/csync.c) */
	CNET_SVC_RPC_TEST = 12,	 /* RPC: the cluster ktests */
	CNET_SVC_DSM_HOME = 13,	 /* RPC: first-touch homes (cluster/) */
	CNET_SVC_BENCH_RPC = 14, /* RPC: the transport benchmark */
	CNET_SVC_STDIN_RPC =
	    15, /* RPC: standard input (sched/remote_stdin.c) */
	CNET_SVC_MAX = 16,
};

#endif
