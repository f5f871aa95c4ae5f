/*
 * tools/cnet-inject.c — sends forged cluster-transport frames from the host
 * onto a bridge (tools/unum-run -n N runs one inside its network namespace),
 * so tests can check that the nodes drop and count them.
 *
 * Each frame is well-formed by net/cnet_wire.h: EtherType 0x88B5, a 64-byte
 * header and a 24-byte payload, a datagram of the membership service from no
 * node to every node, sealed with SipHash-2-4 under the key derived from
 * --key. What makes it a forgery is the key (not the cluster's: bad_mac),
 * the cluster id (not the cluster's: wrong_cluster) or --flip-mac (the right
 * key, one bit of the MAC flipped: bad_mac).
 *
 * Built for the host by tools/build.mk into build/tools/cnet-inject, from
 * the kernel's own frame encoder (net/cnet_frame.c) so the frames are laid
 * out exactly as the nodes expect. Needs CAP_NET_RAW.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/cnet.h"
#include "net/cnet_frame.h"
#include "net/cnet_wire.h"
#include "tools/tool_args.h"

#define PAYLOAD_LEN 24 /* the size of a membership HELLO */
#define COUNT_MAX   10000

struct options {
	const char *ifname;
	uint8_t dst[ETH_ALEN];
	unsigned long count;
	const char *key;
	unsigned long cluster_id;
	bool flip_mac;
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: cnet-inject [-i IFACE] [-d MAC] [-n COUNT] [-k KEY] "
	    "[-c CLUSTER_ID] [--flip-mac]\n"
	    "  sends COUNT (1..%d, default 1) cluster datagrams out of IFACE\n"
	    "  (default br0) to MAC (default ff:ff:ff:ff:ff:ff), sealed with\n"
	    "  the key derived from KEY (default \"\") for cluster CLUSTER_ID\n"
	    "  (1..4294967295, default 1); --flip-mac flips one bit of each\n"
	    "  frame's MAC after sealing.\n",
	    COUNT_MAX);
}

/* "aa:bb:cc:dd:ee:ff" into out; false if it is not one. */
static bool parse_mac(const char *s, uint8_t out[ETH_ALEN])
{
	unsigned v[ETH_ALEN];
	char end;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &end) != ETH_ALEN ||
	    strlen(s) != 17)
		return false;
	for (int i = 0; i < ETH_ALEN; i++)
		out[i] = (uint8_t)v[i];
	return true;
}

/* 0, or 2 after a message naming what was wrong. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"flip-mac", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	*o = (struct options){
	    .ifname = "br0", .count = 1, .key = "", .cluster_id = 1};
	memset(o->dst, 0xff, ETH_ALEN);
	while ((c = getopt_long(argc, argv, "i:d:n:k:c:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'i':
			if (!*optarg || strlen(optarg) >= IFNAMSIZ) {
				fprintf(stderr,
					"cnet-inject: -i '%s' is not an "
					"interface name\n",
					optarg);
				return 2;
			}
			o->ifname = optarg;
			break;
		case 'd':
			if (!parse_mac(optarg, o->dst)) {
				fprintf(stderr,
					"cnet-inject: -d '%s' is not a MAC "
					"like 52:54:00:00:01:00\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			if (!tool_parse_ulong(optarg, 1, COUNT_MAX,
					      &o->count)) {
				fprintf(stderr,
					"cnet-inject: -n '%s' is not a count "
					"from 1 to %d\n",
					optarg, COUNT_MAX);
				return 2;
			}
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'c':
			if (!tool_parse_ulong(optarg, 1, 4294967295ul,
					      &o->cluster_id)) {
				fprintf(stderr,
					"cnet-inject: -c '%s' is not a cluster "
					"id from 1 to 4294967295\n",
					optarg);
				return 2;
			}
			break;
		case 'f':
			o->flip_mac = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "cnet-inject: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	return 0;
}

/* One sealed frame into buf: its length, or a negative errno. */
static int build_frame(const struct options *o, const uint8_t src[ETH_ALEN],
		       uint32_t epoch, uint8_t *buf, size_t cap)
{
	struct cnet_frame_params p = {
	    .cluster_id = (uint32_t)o->cluster_id,
	    .self = CNET_NODE_NONE,
	    .max_nodes = CNET_MAX_NODES,
	    .mtu = CNET_MTU_MAX,
	    .max_msg = CNET_MSG_LIMIT,
	};
	struct cnet_frame_info fi = {
	    .flags = CNET_F_DGRAM,
	    .service = CNET_SVC_MEMBER,
	    .src_epoch = epoch,
	    .src_node = CNET_NODE_NONE,
	    .dst_node = CNET_NODE_BCAST,
	    .frag_count = 1,
	    .msg_len = PAYLOAD_LEN,
	};
	uint8_t payload[PAYLOAD_LEN];
	memset(payload, 0x5a, sizeof(payload));
	cnet_key_derive(&p.key, o->key, strlen(o->key));
	int n = cnet_frame_encode(&p, &fi, payload, sizeof(payload), buf, cap);
	if (n < 0)
		return n;
	memcpy(buf, o->dst, ETH_ALEN);
	memcpy(buf + ETH_ALEN, src, ETH_ALEN);
	if (o->flip_mac)
		buf[CNET_ETH_HLEN + CNET_MAC_OFF] ^= 1;
	return n;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;

	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr,
			"cnet-inject: raw socket: %s (needs CAP_NET_RAW)\n",
			strerror(errno));
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o.ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		fprintf(stderr, "cnet-inject: interface '%s': %s\n", o.ifname,
			strerror(errno));
		close(fd);
		return 1;
	}
	int ifindex = ifr.ifr_ifindex;
	uint8_t src[ETH_ALEN] = {0x02, 0, 0, 0, 0x0e, 0x0e}; /* if none */
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(src, ifr.ifr_hwaddr.sa_data, ETH_ALEN);

	struct sockaddr_ll to;
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = ifindex;
	to.sll_halen = ETH_ALEN;
	memcpy(to.sll_addr, o.dst, ETH_ALEN);

	uint8_t frame[CNET_FRAME_OVERHEAD + PAYLOAD_LEN];
	int len = 0;
	for (unsigned long i = 0; i < o.count; i++) {
		len = build_frame(&o, src, 0x1e1ec7u + (uint32_t)i, frame,
				  sizeof(frame));
		if (len < 0) {
			fprintf(stderr,
				"cnet-inject: cannot encode a frame (%d)\n",
				len);
			close(fd);
			return 1;
		}
		if (sendto(fd, frame, (size_t)len, 0, (struct sockaddr *)&to,
			   sizeof(to)) != len) {
			fprintf(stderr, "cnet-inject: send on %s: %s\n",
				o.ifname, strerror(errno));
			close(fd);
			return 1;
		}
	}
	close(fd);
	printf("cnet-inject: sent %lu frame(s) of %d bytes on %s to "
	       "%02x:%02x:%02x:%02x:%02x:%02x (cluster id %lu%s)\n",
	       o.count, len, o.ifname, o.dst[0], o.dst[1], o.dst[2], o.dst[3],
	       o.dst[4], o.dst[5], o.cluster_id,
	       o.flip_mac ? ", MAC bit flipped" : "");
	return 0;
}
