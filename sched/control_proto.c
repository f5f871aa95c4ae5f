/*
 * sched/control_proto.c — live-control messages: encoding, and the checks
 * of everything that comes from outside (see sched/control_proto.h).
 */
#include "sched/control_proto.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "net/cnet_wire.h"

bool ctl_text_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

unsigned ctl_recs_per_reply(uint32_t mtu)
{
	size_t room = CNET_HDR_LEN + sizeof(struct ctl_rep) + CTL_TEXT_MAX;
	return mtu > room
		   ? (unsigned)((mtu - room) / sizeof(struct ctl_node_rec))
		   : 0;
}

/* The checks shared by the encoder and the decoder. */
static int req_check(const struct ctl_request *r)
{
	if (!r->req_id)
		return -EINVAL;
	switch (r->op) {
	case CTL_OP_STATUS:
		if (r->tid || r->node || r->arg_len)
			return -EINVAL;
		return 0;
	case CTL_OP_POLICY_SET:
		if (r->first || r->tid || r->node || !r->arg_len ||
		    r->arg_len > CTL_ARG_MAX ||
		    !ctl_text_ok(r->arg, r->arg_len))
			return -EINVAL;
		return 0;
	case CTL_OP_MIGRATE:
		if (r->first || r->arg_len)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

int ctl_req_encode(const struct ctl_request *r, void *buf, size_t cap)
{
	struct ctl_req h;
	if (req_check(r))
		return -EINVAL;
	if (cap < sizeof(h) + r->arg_len)
		return -ENOBUFS;
	h.magic = cnet_be32(CTL_REQ_MAGIC);
	h.version = CTL_VERSION;
	h.op = r->op;
	h.target = cnet_be16(r->target);
	h.req_id = cnet_be32(r->req_id);
	memcpy(h.reply_mac, r->reply_mac, 6);
	h.first = cnet_be16(r->first);
	h.tid = cnet_be32(r->tid);
	h.node = cnet_be32(r->node);
	h.arg_len = cnet_be16(r->arg_len);
	h.reserved = 0;
	memcpy(buf, &h, sizeof(h));
	memcpy((uint8_t *)buf + sizeof(h), r->arg, r->arg_len);
	return (int)(sizeof(h) + r->arg_len);
}

int ctl_req_decode(const void *msg, size_t len, struct ctl_request *out)
{
	struct ctl_req h;
	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, msg, sizeof(h));
	if (cnet_be32(h.magic) != CTL_REQ_MAGIC || h.version != CTL_VERSION)
		return -EPROTO;
	if (h.reserved)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->op = h.op;
	out->target = cnet_be16(h.target);
	out->req_id = cnet_be32(h.req_id);
	memcpy(out->reply_mac, h.reply_mac, 6);
	out->first = cnet_be16(h.first);
	out->tid = cnet_be32(h.tid);
	out->node = cnet_be32(h.node);
	out->arg_len = cnet_be16(h.arg_len);
	if (out->arg_len > CTL_ARG_MAX || len != sizeof(h) + out->arg_len)
		return -EBADMSG;
	memcpy(out->arg, (const uint8_t *)msg + sizeof(h), out->arg_len);
	out->arg[out->arg_len] = '\0';
	return req_check(out);
}

void ctl_rec_encode(const struct ctl_node_info *in, struct ctl_node_rec *out)
{
	memset(out, 0, sizeof(*out));
	out->node = cnet_be16(in->node);
	memcpy(out->mac, in->mac, 6);
	out->alive = in->alive;
	out->reported = in->reported;
	out->cpus = cnet_be16(in->cpus);
	out->runnable = cnet_be32(in->runnable);
	out->threads = cnet_be32(in->threads);
	out->mem_mb = cnet_be32(in->mem_mb);
	out->free_mb = cnet_be32(in->free_mb);
	out->dsm_faults = cnet_be64(in->dsm_faults);
	out->dsm_pages_in = cnet_be64(in->dsm_pages_in);
	out->dsm_pages_out = cnet_be64(in->dsm_pages_out);
	out->dsm_invalidations = cnet_be64(in->dsm_invalidations);
	out->dsm_msgs = cnet_be64(in->dsm_msgs);
	size_t n = strnlen(in->policy, sizeof(out->policy) - 1);
	memcpy(out->policy, in->policy, n);
}

int ctl_rec_decode(const struct ctl_node_rec *in, struct ctl_node_info *out)
{
	struct ctl_node_rec r;
	memcpy(&r, in, sizeof(r));
	if (r.alive > 1 || r.reported > 1 || r.reserved)
		return -EINVAL;
	size_t n = strnlen(r.policy, sizeof(r.policy));
	if (n == sizeof(r.policy) || !ctl_text_ok(r.policy, n))
		return -EINVAL;
	for (size_t i = n; i < sizeof(r.policy); i++)
		if (r.policy[i])
			return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->node = cnet_be16(r.node);
	memcpy(out->mac, r.mac, 6);
	out->alive = r.alive;
	out->reported = r.reported;
	out->cpus = cnet_be16(r.cpus);
	out->runnable = cnet_be32(r.runnable);
	out->threads = cnet_be32(r.threads);
	out->mem_mb = cnet_be32(r.mem_mb);
	out->free_mb = cnet_be32(r.free_mb);
	out->dsm_faults = cnet_be64(r.dsm_faults);
	out->dsm_pages_in = cnet_be64(r.dsm_pages_in);
	out->dsm_pages_out = cnet_be64(r.dsm_pages_out);
	out->dsm_invalidations = cnet_be64(r.dsm_invalidations);
	out->dsm_msgs = cnet_be64(r.dsm_msgs);
	memcpy(out->policy, r.policy, n);
	return 0;
}

/* The header checks shared by the encoder and the decoder. */
static int rep_check(const struct ctl_reply *r)
{
	if (r->op < CTL_OP_STATUS || r->op > CTL_OP_MIGRATE || !r->req_id ||
	    r->status > 0 || r->status < -4095 || r->text_len > CTL_TEXT_MAX)
		return -EINVAL;
	if (r->op != CTL_OP_STATUS && (r->nodes || r->first || r->count))
		return -EINVAL;
	if ((uint32_t)r->first + r->count > r->nodes)
		return -EINVAL;
	if (r->status && r->count)
		return -EINVAL;
	return 0;
}

int ctl_rep_encode(const struct ctl_reply *r, const struct ctl_node_info *recs,
		   const char *text, size_t text_len, void *buf, size_t cap)
{
	struct ctl_reply c = *r;
	struct ctl_rep h;
	c.text_len = (uint16_t)text_len;
	if (text_len > CTL_TEXT_MAX || rep_check(&c) ||
	    !ctl_text_ok(text, text_len))
		return -EINVAL;
	size_t len = sizeof(h) +
		     (size_t)r->count * sizeof(struct ctl_node_rec) + text_len;
	if (cap < len)
		return -ENOBUFS;
	h.magic = cnet_be32(CTL_REP_MAGIC);
	h.version = CTL_VERSION;
	h.op = r->op;
	h.node = cnet_be16(r->node);
	h.req_id = cnet_be32(r->req_id);
	h.status = cnet_be32((uint32_t)r->status);
	h.nodes = cnet_be16(r->nodes);
	h.first = cnet_be16(r->first);
	h.count = cnet_be16(r->count);
	h.text_len = cnet_be16((uint16_t)text_len);
	uint8_t *p = buf;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	for (unsigned i = 0; i < r->count;
	     i++, p += sizeof(struct ctl_node_rec)) {
		struct ctl_node_rec w;
		ctl_rec_encode(&recs[i], &w);
		memcpy(p, &w, sizeof(w));
	}
	memcpy(p, text, text_len);
	return (int)len;
}

int ctl_rep_decode(const void *msg, size_t len, struct ctl_reply *out)
{
	struct ctl_rep h;
	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, msg, sizeof(h));
	if (cnet_be32(h.magic) != CTL_REP_MAGIC || h.version != CTL_VERSION)
		return -EPROTO;
	memset(out, 0, sizeof(*out));
	out->op = h.op;
	out->node = cnet_be16(h.node);
	out->req_id = cnet_be32(h.req_id);
	out->status = (int32_t)cnet_be32(h.status);
	out->nodes = cnet_be16(h.nodes);
	out->first = cnet_be16(h.first);
	out->count = cnet_be16(h.count);
	out->text_len = cnet_be16(h.text_len);
	if (out->text_len > CTL_TEXT_MAX ||
	    len != sizeof(h) +
		       (size_t)out->count * sizeof(struct ctl_node_rec) +
		       out->text_len)
		return -EBADMSG;
	int err = rep_check(out);
	if (err)
		return err;
	const uint8_t *p = (const uint8_t *)msg + sizeof(h);
	out->recs = (const struct ctl_node_rec *)p;
	for (unsigned i = 0; i < out->count; i++) {
		struct ctl_node_info ni;
		if (ctl_rec_decode(out->recs + i, &ni) ||
		    ni.node != out->first + i)
			return -EINVAL;
	}
	p += (size_t)out->count * sizeof(struct ctl_node_rec);
	if (!ctl_text_ok((const char *)p, out->text_len))
		return -EINVAL;
	memcpy(out->text, p, out->text_len);
	out->text[out->text_len] = '\0';
	return 0;
}

/* why := "'<word>' <what>" (the word cut to fit). */
static int refuse(char *why, size_t n, const char *w, size_t wl,
		  const char *what)
{
	if (n) {
		char word[CTL_ARG_MAX + 1];
		if (wl > 40)
			wl = 40;
		memcpy(word, w, wl);
		word[wl] = '\0';
		ksnprintf(why, n, "'%s' %s", word, what);
	}
	return -EINVAL;
}

int ctl_policy_parse(const char *text, size_t len, struct ctl_policy_args *out,
		     char *why, size_t why_len)
{
	memset(out, 0, sizeof(*out));
	if (!len || len > CTL_ARG_MAX || !ctl_text_ok(text, len)) {
		if (why_len)
			kstrlcpy(why, "no policy name", why_len);
		return -EINVAL;
	}
	size_t i = 0;
	for (int word = 0; i <= len; word++) {
		size_t s = i;
		while (i < len && text[i] != ' ')
			i++;
		const char *w = text + s;
		size_t wl = i - s;
		i++; /* the space (or past the end) */
		if (!wl)
			return refuse(
			    why, why_len, text, len,
			    "has an empty word (one space between words)");
		if (!word) {
			if (wl > CTL_POLICY_NAME_MAX)
				return refuse(why, why_len, w, wl,
					      "is too long for a policy name");
			memcpy(out->name, w, wl);
			continue;
		}
		const char *eq = NULL;
		for (size_t k = 0; k < wl && !eq; k++)
			if (w[k] == '=')
				eq = w + k;
		if (!eq || eq == w || eq == w + wl - 1)
			return refuse(why, why_len, w, wl, "is not key=value");
		size_t kl = (size_t)(eq - w), vl = wl - kl - 1;
		if (out->nkeys == CTL_KEYS_MAX)
			return refuse(why, why_len, w, wl,
				      "is one key=value too many (at most 8)");
		if (kl > CTL_KEY_LEN_MAX)
			return refuse(why, why_len, w, kl,
				      "is too long for a key");
		if (vl > CTL_VALUE_LEN_MAX)
			return refuse(why, why_len, eq + 1, vl,
				      "is too long for a value");
		memcpy(out->key[out->nkeys], w, kl);
		memcpy(out->value[out->nkeys], eq + 1, vl);
		out->nkeys++;
	}
	return 0;
}
