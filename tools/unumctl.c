/*
 * tools/unumctl.c — live control of a running Unum cluster from a host on
 * its Ethernet segment (inside tools/unum-run's network namespace, on its
 * bridge): the status of every node, switching the global scheduling policy
 * while the program runs, and thread migration.
 *
 * A request is one cluster-transport datagram sealed with the cluster key
 * (sched/control_wire.h), broadcast on the interface; the node it targets
 * (-n, default 0) answers with one datagram to this interface's MAC. With
 * no answer within -t ms it is sent again, -r times in all, with the same
 * request id (a node never acts twice on one id). A wrong key or cluster id
 * gets no answer at all: the nodes drop and count such frames (bad_mac,
 * wrong_cluster).
 *
 * Built for the host by tools/build.mk into build/tools/unumctl from the
 * kernel's own frame codec and control protocol. Needs CAP_NET_RAW.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/cnet.h"
#include "net/cnet_wire.h"
#include "tools/tool_args.h"
#include "tools/unumctl.h"

#define KEY_MAX 128 /* cluster.key's longest value */

struct options {
	const char *ifname;
	char key[KEY_MAX + 1];
	unsigned long cluster_id;
	unsigned long node;
	unsigned long timeout_ms;
	unsigned long tries;
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: unumctl [-i IFACE] [-k KEY | -K KEYFILE] [-c CLUSTER_ID] "
	    "[-n NODE]\n"
	    "               [-t MS] [-r TRIES] COMMAND\n"
	    "commands:\n"
	    "  status                      every node: id, MAC, alive, CPUs,\n"
	    "                              runnable threads, threads, memory,\n"
	    "                              policy, DSM counters\n"
	    "  policy set NAME [key=value ...]\n"
	    "                              switch the global scheduling "
	    "policy\n"
	    "                              on every node (keys: "
	    "sched.NAME.*)\n"
	    "  migrate TID NODE            move thread TID to node NODE\n"
	    "options:\n"
	    "  -i IFACE       interface on the cluster's segment (default "
	    "br0)\n"
	    "  -k KEY         the cluster key (cluster.key; default \"\")\n"
	    "  -K KEYFILE     read the key from a file (one trailing newline "
	    "dropped)\n"
	    "  -c CLUSTER_ID  cluster.id (1..4294967295, default 1)\n"
	    "  -n NODE        the node that answers (0..%d, default 0)\n"
	    "  -t MS          wait per try (1..60000, default 1000)\n"
	    "  -r TRIES       tries (1..100, default 3)\n"
	    "exit status: 0 done; 1 the cluster refused the request (its "
	    "message is\n"
	    "shown); 2 bad usage; 3 no answer from the cluster (wrong key, "
	    "cluster id,\n"
	    "interface or node?); 4 local failure (socket, interface, key "
	    "file).\n",
	    CNET_MAX_NODES - 1);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "unumctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(unumctl --help for usage)\n");
	return UNUMCTL_USAGE;
}

static int read_key_file(const char *path, char *key)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "unumctl: key file '%s': %s\n", path,
			strerror(errno));
		return UNUMCTL_LOCAL;
	}
	size_t n = fread(key, 1, KEY_MAX + 1, f);
	bool err = ferror(f);
	fclose(f);
	if (err) {
		fprintf(stderr, "unumctl: key file '%s': read error\n", path);
		return UNUMCTL_LOCAL;
	}
	if (n && key[n - 1] == '\n')
		n--;
	if (n > KEY_MAX || memchr(key, '\n', n)) {
		fprintf(stderr,
			"unumctl: key file '%s': not one key of at most %d "
			"bytes\n",
			path, KEY_MAX);
		return UNUMCTL_LOCAL;
	}
	key[n] = '\0';
	return 0;
}

/* Options into o; *first is the index of the command. 0 or an exit code. */
static int parse_options(int argc, char **argv, struct options *o, int *first)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, rc;
	*o = (struct options){
	    .ifname = "br0", .cluster_id = 1, .timeout_ms = 1000, .tries = 3};
	while ((c = getopt_long(argc, argv, "+i:k:K:c:n:t:r:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!*optarg || strlen(optarg) >= IFNAMSIZ)
				return bad_usage(
				    "-i '%s' is not an interface name", optarg);
			o->ifname = optarg;
			break;
		case 'k':
			if (strlen(optarg) > KEY_MAX)
				return bad_usage(
				    "-k: the key is longer than 128 "
				    "bytes%s",
				    "");
			strcpy(o->key, optarg);
			break;
		case 'K':
			rc = read_key_file(optarg, o->key);
			if (rc)
				return rc;
			break;
		case 'c':
			if (!tool_parse_ulong(optarg, 1, 4294967295ul,
					      &o->cluster_id))
				return bad_usage(
				    "-c '%s' is not a cluster id from 1 "
				    "to 4294967295",
				    optarg);
			break;
		case 'n':
			if (!tool_parse_ulong(optarg, 0, CNET_MAX_NODES - 1,
					      &o->node))
				return bad_usage(
				    "-n '%s' is not a node id from 0 "
				    "to 63",
				    optarg);
			break;
		case 't':
			if (!tool_parse_ulong(optarg, 1, 60000, &o->timeout_ms))
				return bad_usage(
				    "-t '%s' is not a time in ms from 1 "
				    "to 60000",
				    optarg);
			break;
		case 'r':
			if (!tool_parse_ulong(optarg, 1, 100, &o->tries))
				return bad_usage(
				    "-r '%s' is not a count of tries "
				    "from 1 to 100",
				    optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "(unumctl --help for usage)\n");
			return UNUMCTL_USAGE;
		}
	}
	*first = optind;
	return 0;
}

/* The command words into the request (op and arguments). 0 or 2. */
static int parse_command(int argc, char **argv, struct ctl_request *rq)
{
	unsigned long v;
	if (argc < 1)
		return bad_usage("no command (status, policy set, migrate)%s",
				 "");
	if (!strcmp(argv[0], "status")) {
		if (argc != 1)
			return bad_usage("status takes no argument, not '%s'",
					 argv[1]);
		rq->op = CTL_OP_STATUS;
		return 0;
	}
	if (!strcmp(argv[0], "policy")) {
		if (argc < 2 || strcmp(argv[1], "set"))
			return bad_usage("policy: expected 'policy set NAME "
					 "[key=value ...]'%s",
					 "");
		if (argc < 3)
			return bad_usage("policy set: no policy name%s", "");
		size_t at = 0;
		for (int i = 2; i < argc; i++) {
			size_t n = strlen(argv[i]);
			if (!n || !ctl_text_ok(argv[i], n) ||
			    strchr(argv[i], ' '))
				return bad_usage(
				    "policy set: '%s' is not a word of "
				    "printable characters",
				    argv[i]);
			if (at + n + (i > 2) > CTL_ARG_MAX)
				return bad_usage(
				    "policy set: the arguments are "
				    "longer than 255 bytes%s",
				    "");
			if (i > 2)
				rq->arg[at++] = ' ';
			memcpy(rq->arg + at, argv[i], n);
			at += n;
		}
		rq->arg[at] = '\0';
		rq->arg_len = (uint16_t)at;
		rq->op = CTL_OP_POLICY_SET;
		return 0;
	}
	if (!strcmp(argv[0], "migrate")) {
		if (argc != 3)
			return bad_usage(
			    "migrate: expected 'migrate TID NODE'%s", "");
		if (!tool_parse_ulong(argv[1], 0, 4294967295ul, &v))
			return bad_usage("migrate: '%s' is not a thread id",
					 argv[1]);
		rq->tid = (uint32_t)v;
		if (!tool_parse_ulong(argv[2], 0, CNET_MAX_NODES - 1, &v))
			return bad_usage(
			    "migrate: '%s' is not a node id from 0 "
			    "to 63",
			    argv[2]);
		rq->node = (uint32_t)v;
		rq->op = CTL_OP_MIGRATE;
		return 0;
	}
	return bad_usage("unknown command '%s' (status, policy set, migrate)",
			 argv[0]);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct link {
	int fd;
	int ifindex;
	uint8_t mac[ETH_ALEN];
	struct cnet_frame_params p;
};

static int link_open(const struct options *o, struct link *l)
{
	struct ifreq ifr;
	l->fd = socket(AF_PACKET, SOCK_RAW, htons(CNET_ETHERTYPE));
	if (l->fd < 0) {
		fprintf(stderr, "unumctl: raw socket: %s (needs CAP_NET_RAW)\n",
			strerror(errno));
		return UNUMCTL_LOCAL;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	if (ioctl(l->fd, SIOCGIFINDEX, &ifr) < 0) {
		fprintf(stderr, "unumctl: interface '%s': %s\n", o->ifname,
			strerror(errno));
		return UNUMCTL_LOCAL;
	}
	l->ifindex = ifr.ifr_ifindex;
	if (ioctl(l->fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "unumctl: interface '%s': no MAC address: %s\n",
			o->ifname, strerror(errno));
		return UNUMCTL_LOCAL;
	}
	memcpy(l->mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	struct sockaddr_ll sa;
	memset(&sa, 0, sizeof(sa));
	sa.sll_family = AF_PACKET;
	sa.sll_protocol = htons(CNET_ETHERTYPE);
	sa.sll_ifindex = l->ifindex;
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "unumctl: bind to '%s': %s\n", o->ifname,
			strerror(errno));
		return UNUMCTL_LOCAL;
	}
	l->p = (struct cnet_frame_params){
	    .cluster_id = (uint32_t)o->cluster_id,
	    .self = CNET_NODE_NONE,
	    .max_nodes = CNET_MAX_NODES,
	    .mtu = CNET_MTU_MAX,
	    .max_msg = CNET_MSG_LIMIT,
	};
	cnet_key_derive(&l->p.key, o->key, strlen(o->key));
	return 0;
}

static int send_request(const struct link *l, const struct ctl_request *rq,
			uint32_t epoch)
{
	uint8_t msg[sizeof(struct ctl_req) + CTL_ARG_MAX];
	uint8_t frame[CNET_FRAME_OVERHEAD + sizeof(msg)];
	int n = ctl_req_encode(rq, msg, sizeof(msg));
	if (n < 0)
		return n;
	struct cnet_frame_info fi = {
	    .flags = CNET_F_DGRAM,
	    .service = CNET_SVC_SCHED_CTL,
	    .src_epoch = epoch,
	    .src_node = CNET_NODE_NONE,
	    .dst_node = CNET_NODE_BCAST,
	    .frag_count = 1,
	    .msg_len = (uint32_t)n,
	};
	int len =
	    cnet_frame_encode(&l->p, &fi, msg, (size_t)n, frame, sizeof(frame));
	if (len < 0)
		return len;
	memset(frame, 0xff, ETH_ALEN);
	memcpy(frame + ETH_ALEN, l->mac, ETH_ALEN);
	struct sockaddr_ll to;
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = l->ifindex;
	to.sll_halen = ETH_ALEN;
	memset(to.sll_addr, 0xff, ETH_ALEN);
	if (sendto(l->fd, frame, (size_t)len, 0, (struct sockaddr *)&to,
		   sizeof(to)) != len)
		return -errno;
	return 0;
}

/* Waits up to ms for the answer: 1 with *r, 0 on timeout, -errno. */
static int wait_reply(const struct link *l, const struct ctl_request *rq,
		      unsigned long ms, uint8_t *buf, size_t cap,
		      struct ctl_reply *r)
{
	uint64_t end = now_ms() + ms;
	for (;;) {
		uint64_t t = now_ms();
		if (t >= end)
			return 0;
		struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
		int pr = poll(&pfd, 1, (int)(end - t));
		if (pr < 0 && errno != EINTR)
			return -errno;
		if (pr <= 0)
			continue;
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n =
		    recvfrom(l->fd, buf, cap, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue; /* our own request */
		if (!unumctl_accept(&l->p, buf, (size_t)n, rq->req_id, rq->op,
				    r))
			return 1;
	}
}

/* One request, retried: 0 with *r, or an exit code. */
static int transact(const struct link *l, const struct options *o,
		    struct ctl_request *rq, uint8_t *buf, size_t cap,
		    struct ctl_reply *r)
{
	uint32_t epoch = 0;
	while (!rq->req_id || !epoch) {
		if (getrandom(&rq->req_id, sizeof(rq->req_id), 0) < 0 ||
		    getrandom(&epoch, sizeof(epoch), 0) < 0) {
			fprintf(stderr, "unumctl: getrandom: %s\n",
				strerror(errno));
			return UNUMCTL_LOCAL;
		}
	}
	rq->target = (uint16_t)o->node;
	memcpy(rq->reply_mac, l->mac, ETH_ALEN);
	for (unsigned long t = 0; t < o->tries; t++) {
		int rc = send_request(l, rq, epoch);
		if (rc) {
			fprintf(stderr, "unumctl: send on %s: %s\n", o->ifname,
				strerror(-rc));
			return UNUMCTL_LOCAL;
		}
		rc = wait_reply(l, rq, o->timeout_ms, buf, cap, r);
		if (rc < 0) {
			fprintf(stderr, "unumctl: receive on %s: %s\n",
				o->ifname, strerror(-rc));
			return UNUMCTL_LOCAL;
		}
		if (rc)
			return 0;
	}
	fprintf(stderr,
		"unumctl: no answer from the cluster (wrong key?) after %lu "
		"tries of %lu ms on %s (cluster id %lu, node %lu)\n",
		o->tries, o->timeout_ms, o->ifname, o->cluster_id, o->node);
	return UNUMCTL_NO_ANSWER;
}

static int run_status(const struct link *l, const struct options *o,
		      uint8_t *buf, size_t cap)
{
	unsigned first = 0, nodes = 1;
	for (bool header = true; first < nodes; header = false) {
		struct ctl_request rq = {.op = CTL_OP_STATUS,
					 .first = (uint16_t)first};
		struct ctl_reply r;
		int rc = transact(l, o, &rq, buf, cap, &r);
		if (rc)
			return rc;
		if (r.status) {
			char e[96];
			fprintf(stderr, "unumctl: status: node %u: %s\n",
				r.node,
				r.text_len
				    ? r.text
				    : unumctl_strerror(r.status, e, sizeof(e)));
			return UNUMCTL_REFUSED;
		}
		if (r.first != first || (!r.count && r.nodes > first)) {
			fprintf(stderr,
				"unumctl: status: node %u answered "
				"nodes from %u, not %u\n",
				r.node, r.first, first);
			return UNUMCTL_REFUSED;
		}
		if (header)
			printf("cluster: %u node(s); answered by node %u\n",
			       r.nodes, r.node);
		nodes = r.nodes;
		unumctl_print_status(stdout, &r, header);
		first += r.count;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct ctl_request rq;
	struct ctl_reply r;
	struct link l = {.fd = -1};
	static uint8_t buf[CNET_ETH_HLEN + CNET_MTU_MAX + 64];
	int first, rc;

	memset(&rq, 0, sizeof(rq));
	rc = parse_options(argc, argv, &o, &first);
	if (!rc)
		rc = parse_command(argc - first, argv + first, &rq);
	if (!rc)
		rc = link_open(&o, &l);
	if (rc)
		goto out;
	if (rq.op == CTL_OP_STATUS) {
		rc = run_status(&l, &o, buf, sizeof(buf));
		goto out;
	}
	rc = transact(&l, &o, &rq, buf, sizeof(buf), &r);
	if (rc)
		goto out;
	char e[96];
	if (rq.op == CTL_OP_POLICY_SET) {
		if (r.status) {
			fprintf(stderr, "unumctl: policy set: %s\n",
				r.text_len
				    ? r.text
				    : unumctl_strerror(r.status, e, sizeof(e)));
			rc = UNUMCTL_REFUSED;
		} else {
			printf("%s\n", r.text);
		}
	} else if (r.status) {
		fprintf(stderr, "unumctl: migrate thread %u to node %u: %s\n",
			rq.tid, rq.node,
			r.text_len ? r.text
				   : unumctl_strerror(r.status, e, sizeof(e)));
		rc = UNUMCTL_REFUSED;
	} else {
		printf("thread %u moved to node %u\n", rq.tid, rq.node);
	}
out:
	if (l.fd >= 0)
		close(l.fd);
	return rc;
}
