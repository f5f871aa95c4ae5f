/*
 * tests/fuzz/fuzz_cnet_frame.c — libFuzzer target of the frame decoder
 * (net/cnet_frame.c).
 *
 * Input: byte 0 is a mode — bit 0: recompute the MAC of the rest before
 * decoding (so the checks after the MAC are reached), bits 1-2: our node
 * id (0, 1, 3 or NONE). The rest is the frame, copied into a buffer of
 * exactly its size (ASan catches a read past it).
 * Checked: decode returns 0 or one of its documented errnos; a refusal
 * increments exactly the one counter of its errno, success none; an
 * accepted frame's payload lies inside it and re-encoding the decoded
 * header and payload gives the same bytes (Ethernet addresses aside).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/errno.h"
#include "net/cnet_frame.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The counter each errno must increment. */
static size_t counter_of(int err)
{
	switch (err) {
	case -EBADMSG:
		return offsetof(struct cnet_drop_stats, bad_length);
	case -EOPNOTSUPP:
		return offsetof(struct cnet_drop_stats, bad_ethertype);
	case -EPROTO:
		return offsetof(struct cnet_drop_stats, bad_version);
	case -EXDEV:
		return offsetof(struct cnet_drop_stats, wrong_cluster);
	case -EACCES:
		return offsetof(struct cnet_drop_stats, bad_mac);
	case -EINVAL:
		return offsetof(struct cnet_drop_stats, bad_header);
	case -ENXIO:
		return offsetof(struct cnet_drop_stats, bad_node);
	case -ERANGE:
		return offsetof(struct cnet_drop_stats, bad_frag);
	default:
		abort(); /* not a documented result */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t selves[4] = {0, 1, 3, CNET_NODE_NONE};
	static uint8_t again[CNET_ETH_HLEN + CNET_MTU_MAX];
	struct cnet_frame_params p;
	struct cnet_drop_stats before, after;
	struct cnet_frame_info fi;
	const void *pl = NULL;
	uint8_t *frame;
	size_t len;
	int rc;

	if (!size)
		return 0;
	memset(&p, 0, sizeof(p));
	cnet_key_derive(&p.key, "fuzz", 4);
	p.cluster_id = 0x554e554d;
	p.self = selves[(data[0] >> 1) & 3];
	p.max_nodes = 4;
	p.mtu = 1500;
	p.max_msg = 65536;
	len = size - 1;
	frame = malloc(len ? len : 1);
	memcpy(frame, data + 1, len);
	if ((data[0] & 1) && len >= CNET_FRAME_OVERHEAD)
		cnet_frame_seal(&p.key, frame, len);

	memset(&before, 0, sizeof(before));
	after = before;
	rc = cnet_frame_decode(&p, frame, len, &fi, &pl, &after);
	for (size_t off = 0; off < sizeof(after); off += sizeof(uint64_t)) {
		uint64_t a, b;

		memcpy(&a, (uint8_t *)&after + off, 8);
		memcpy(&b, (uint8_t *)&before + off, 8);
		CHECK(a == b + (rc && off == counter_of(rc)));
	}
	if (!rc) {
		int n;

		CHECK(pl == frame + CNET_FRAME_OVERHEAD);
		CHECK(fi.payload_len == len - CNET_FRAME_OVERHEAD);
		n = cnet_frame_encode(&p, &fi, pl, fi.payload_len, again,
				      sizeof(again));
		CHECK(n == (int)len);
		CHECK(!memcmp(again + 12, frame + 12, len - 12));
		CHECK(!strcmp(cnet_frame_strerror(rc), "ok"));
	} else {
		CHECK(strcmp(cnet_frame_strerror(rc), "unknown error"));
	}
	free(frame);
	return 0;
}
