/*
 * net/cnet_frame.c — encode, seal and decode one cluster-transport frame.
 * Decoding is split in two steps, seL4-style: the structural checks (length,
 * EtherType, version, cluster, MAC) and then the meaning of the fields per
 * frame kind. See net/cnet_frame.h for the full list of checks.
 */
#include "net/cnet_frame.h"

#include <stdbool.h>

#include "kernel/errno.h"
#include "kernel/kstring.h"

void cnet_key_derive(struct siphash_key *out, const void *secret, size_t len)
{
	static const uint8_t k0[16] = "unum-cnet-key-k0";
	static const uint8_t k1[16] = "unum-cnet-key-k1";
	struct siphash_key kk;

	siphash_key_load(&kk, k0);
	out->k0 = siphash24(&kk, secret, len);
	siphash_key_load(&kk, k1);
	out->k1 = siphash24(&kk, secret, len);
}

static uint64_t frame_mac(const struct siphash_key *key, const uint8_t *hdr,
			  const void *payload, size_t len)
{
	struct siphash_state s;

	siphash_init(&s, key);
	siphash_update(&s, hdr, CNET_MAC_OFF);
	siphash_update(&s, payload, len);
	return siphash_final(&s);
}

int cnet_frame_encode(const struct cnet_frame_params *p,
		      const struct cnet_frame_info *in, const void *payload,
		      size_t len, void *buf, size_t cap)
{
	struct cnet_eth_hdr *eth = buf;
	struct cnet_hdr *h =
	    (struct cnet_hdr *)((uint8_t *)buf + CNET_ETH_HLEN);

	if (len > 0xffff || len > cnet_frame_max_payload(p->mtu))
		return -E2BIG;
	if (cap < CNET_FRAME_OVERHEAD + len)
		return -ENOBUFS;
	memset(eth, 0, sizeof(*eth));
	eth->type = cnet_be16(CNET_ETHERTYPE);
	h->version = CNET_VERSION;
	h->flags = in->flags;
	h->service = cnet_be16(in->service);
	h->cluster_id = cnet_be32(p->cluster_id);
	h->src_epoch = cnet_be32(in->src_epoch);
	h->dst_epoch = cnet_be32(in->dst_epoch);
	h->src_node = cnet_be16(in->src_node);
	h->dst_node = cnet_be16(in->dst_node);
	h->frag_index = cnet_be16(in->frag_index);
	h->frag_count = cnet_be16(in->frag_count);
	h->seq = cnet_be32(in->seq);
	h->ack = cnet_be32(in->ack);
	h->sack = cnet_be64(in->sack);
	h->window = cnet_be32(in->window);
	h->msg_len = cnet_be32(in->msg_len);
	h->payload_len = cnet_be16((uint16_t)len);
	h->reserved0 = 0;
	h->reserved1 = 0;
	if (len)
		memcpy((uint8_t *)h + CNET_HDR_LEN, payload, len);
	h->mac = cnet_be64(frame_mac(&p->key, (const uint8_t *)h,
				     (const uint8_t *)h + CNET_HDR_LEN, len));
	return (int)(CNET_FRAME_OVERHEAD + len);
}

void cnet_frame_seal(const struct siphash_key *key, void *frame, size_t len)
{
	uint8_t *h = (uint8_t *)frame + CNET_ETH_HLEN;
	struct cnet_hdr *hdr = (struct cnet_hdr *)h;

	hdr->mac = cnet_be64(
	    frame_mac(key, h, h + CNET_HDR_LEN, len - CNET_FRAME_OVERHEAD));
}

/* Counts a refused frame and returns its errno. */
#define REFUSE(drops, counter, err)                                            \
	do {                                                                   \
		(drops)->counter++;                                            \
		return (err);                                                  \
	} while (0)

/* Header fields into host order. */
static void load_info(const struct cnet_hdr *h, struct cnet_frame_info *o)
{
	o->flags = h->flags;
	o->service = cnet_be16(h->service);
	o->src_epoch = cnet_be32(h->src_epoch);
	o->dst_epoch = cnet_be32(h->dst_epoch);
	o->src_node = cnet_be16(h->src_node);
	o->dst_node = cnet_be16(h->dst_node);
	o->frag_index = cnet_be16(h->frag_index);
	o->frag_count = cnet_be16(h->frag_count);
	o->seq = cnet_be32(h->seq);
	o->ack = cnet_be32(h->ack);
	o->sack = cnet_be64(h->sack);
	o->window = cnet_be32(h->window);
	o->msg_len = cnet_be32(h->msg_len);
	o->payload_len = cnet_be16(h->payload_len);
}

/* Fields a kind requires to be zero, and the payload it may carry. */
static int check_kind(const struct cnet_hdr *h, const struct cnet_frame_info *o,
		      struct cnet_drop_stats *drops)
{
	bool frag_zero = !o->frag_index && !o->frag_count && !o->msg_len;

	if (h->reserved0 || h->reserved1 || !o->src_epoch)
		REFUSE(drops, bad_header, -EINVAL);
	switch (o->flags) {
	case CNET_F_DATA | CNET_F_ACK:
		return 0;
	case CNET_F_ACK:
		if (o->service || !frag_zero)
			REFUSE(drops, bad_header, -EINVAL);
		break;
	case CNET_F_HELLO:
		if (o->service || !frag_zero || o->seq || o->ack || o->sack)
			REFUSE(drops, bad_header, -EINVAL);
		break;
	case CNET_F_DGRAM:
		if (o->seq || o->ack || o->sack || o->window)
			REFUSE(drops, bad_header, -EINVAL);
		return 0;
	default:
		REFUSE(drops, bad_header, -EINVAL);
	}
	if (o->payload_len)
		REFUSE(drops, bad_length, -EBADMSG);
	return 0;
}

static int check_nodes(const struct cnet_frame_params *p,
		       const struct cnet_frame_info *o,
		       struct cnet_drop_stats *drops)
{
	bool dgram = o->flags == CNET_F_DGRAM;

	if (o->src_node == CNET_NODE_NONE) {
		if (!dgram)
			REFUSE(drops, bad_node, -ENXIO);
	} else if (o->src_node >= p->max_nodes || o->src_node == p->self) {
		REFUSE(drops, bad_node, -ENXIO);
	}
	if (o->dst_node == CNET_NODE_BCAST) {
		if (!dgram)
			REFUSE(drops, bad_node, -ENXIO);
	} else if (o->dst_node != p->self) {
		REFUSE(drops, bad_node, -ENXIO);
	} else if (p->self == CNET_NODE_NONE && !dgram) {
		REFUSE(drops, bad_node, -ENXIO);
	}
	return 0;
}

static int check_frag(const struct cnet_frame_params *p,
		      const struct cnet_frame_info *o,
		      struct cnet_drop_stats *drops)
{
	if (o->flags == CNET_F_DGRAM) {
		if (o->frag_index || o->frag_count != 1 ||
		    o->msg_len != o->payload_len || o->msg_len > p->max_msg)
			REFUSE(drops, bad_frag, -ERANGE);
		return 0;
	}
	if (!(o->flags & CNET_F_DATA))
		return 0;
	if (!o->frag_count || o->frag_index >= o->frag_count ||
	    o->msg_len > p->max_msg || o->payload_len > o->msg_len ||
	    o->frag_count > (o->msg_len ? o->msg_len : 1) ||
	    (o->frag_count == 1 && o->payload_len != o->msg_len))
		REFUSE(drops, bad_frag, -ERANGE);
	return 0;
}

int cnet_frame_decode(const struct cnet_frame_params *p, const void *frame,
		      size_t len, struct cnet_frame_info *out,
		      const void **payload, struct cnet_drop_stats *drops)
{
	const struct cnet_eth_hdr *eth = frame;
	const uint8_t *hb = (const uint8_t *)frame + CNET_ETH_HLEN;
	const struct cnet_hdr *h = (const struct cnet_hdr *)hb;
	int err;

	/* Structure: may this be one of our frames at all? */
	if (len < CNET_ETH_HLEN)
		REFUSE(drops, bad_length, -EBADMSG);
	if (eth->type != cnet_be16(CNET_ETHERTYPE))
		REFUSE(drops, bad_ethertype, -EOPNOTSUPP);
	if (len < CNET_FRAME_OVERHEAD || len > CNET_ETH_HLEN + (size_t)p->mtu)
		REFUSE(drops, bad_length, -EBADMSG);
	if (h->version != CNET_VERSION)
		REFUSE(drops, bad_version, -EPROTO);
	if (cnet_be32(h->cluster_id) != p->cluster_id)
		REFUSE(drops, wrong_cluster, -EXDEV);
	if (len != CNET_FRAME_OVERHEAD + (size_t)cnet_be16(h->payload_len))
		REFUSE(drops, bad_length, -EBADMSG);
	if (cnet_be64(h->mac) != frame_mac(&p->key, hb, hb + CNET_HDR_LEN,
					   len - CNET_FRAME_OVERHEAD))
		REFUSE(drops, bad_mac, -EACCES);

	/* Meaning: the frame is authentic; is it well-formed? */
	load_info(h, out);
	err = check_kind(h, out, drops);
	if (!err)
		err = check_nodes(p, out, drops);
	if (!err)
		err = check_frag(p, out, drops);
	if (err)
		return err;
	*payload = hb + CNET_HDR_LEN;
	return 0;
}

const char *cnet_frame_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case -EBADMSG:
		return "bad length";
	case -EOPNOTSUPP:
		return "not a cluster frame (EtherType)";
	case -EPROTO:
		return "bad version";
	case -EXDEV:
		return "wrong cluster id";
	case -EACCES:
		return "bad MAC";
	case -EINVAL:
		return "bad header";
	case -ENXIO:
		return "bad node id";
	case -ERANGE:
		return "bad fragment fields";
	case -ECANCELED:
		return "stale epoch";
	case -ENOBUFS:
		return "no buffer";
	default:
		return "unknown error";
	}
}
