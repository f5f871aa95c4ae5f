/*
 * cluster/dsm_check.c — the single-writer / many-readers checker of dsm.check
 * (see cluster/dsm_check.h): per page, what every node last reported holding,
 * the highest version any copy had, and the last few transitions.
 */
#include "cluster/dsm_check.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

struct dsm_check_step {
	uint8_t node, from, to;
	uint32_t version;
};

struct dsm_check_page {
	struct dsm_check_page *next;
	uint64_t page;
	uint32_t max_version; /* newest copy reported */
	uint8_t access[DSM_MAX_NODES];
	uint32_t version[DSM_MAX_NODES];
	struct dsm_check_step hist[DSM_CHECK_HISTORY]; /* ring */
	unsigned nhist; /* transitions recorded, ever */
};

static const char *const names[] = {"NONE", "RO", "RW"};

void dsm_check_init(struct dsm_check *c, int nodes,
		    void *(*alloc)(void *ctx, size_t n),
		    void (*free)(void *ctx, void *p), void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->nodes = nodes;
	c->alloc = alloc;
	c->free = free;
	c->ctx = ctx;
}

void dsm_check_destroy(struct dsm_check *c)
{
	for (int h = 0; h < DSM_CHECK_HASH; h++)
		while (c->pages[h]) {
			struct dsm_check_page *e = c->pages[h];
			c->pages[h] = e->next;
			c->free(c->ctx, e);
		}
}

static struct dsm_check_page *page_get(struct dsm_check *c, uint64_t page)
{
	unsigned h =
	    (unsigned)((page * 0x9e3779b97f4a7c15ull) >> 56) % DSM_CHECK_HASH;
	for (struct dsm_check_page *e = c->pages[h]; e; e = e->next)
		if (e->page == page)
			return e;
	struct dsm_check_page *e = c->alloc(c->ctx, sizeof(*e));
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->page = page;
	e->next = c->pages[h];
	c->pages[h] = e;
	return e;
}

static void report(struct dsm_check *c, const struct dsm_check_page *e,
		   char *buf, size_t len, size_t *pos)
{
	const char *sep = "";
	kappendf(buf, len, pos, "\ndsm.check: holders:");
	for (int n = 0; n < c->nodes; n++)
		if (e->access[n]) {
			kappendf(buf, len, pos, "%s node %d %s v%u", sep, n,
				 names[e->access[n]], e->version[n]);
			sep = ",";
		}
	kappendf(buf, len, pos, "\ndsm.check: last transitions:");
	sep = "";
	unsigned first =
	    e->nhist > DSM_CHECK_HISTORY ? e->nhist - DSM_CHECK_HISTORY : 0;
	for (unsigned i = first; i < e->nhist; i++) {
		const struct dsm_check_step *s =
		    &e->hist[i % DSM_CHECK_HISTORY];
		kappendf(buf, len, pos, "%s node %u %s->%s v%u", sep, s->node,
			 names[s->from], names[s->to], s->version);
		sep = ";";
	}
}

int dsm_check_apply(struct dsm_check *c, int node, uint64_t page,
		    unsigned access, uint32_t version, char *buf, size_t len)
{
	if (node < 0 || node >= c->nodes || node >= DSM_MAX_NODES ||
	    access > DSM_RW)
		return -EINVAL;
	struct dsm_check_page *e = page_get(c, page);
	if (!e)
		return -ENOMEM;
	c->reports++;
	struct dsm_check_step *s = &e->hist[e->nhist++ % DSM_CHECK_HISTORY];
	s->node = (uint8_t)node;
	s->from = e->access[node];
	s->to = (uint8_t)access;
	s->version = version;
	e->access[node] = (uint8_t)access;
	e->version[node] = version;
	if (access == DSM_NONE)
		return DSM_CHECK_OK;

	size_t pos = 0;
	uint64_t va = page << 12;
	if (version < e->max_version) {
		kappendf(
		    buf, len, &pos,
		    "dsm.check: page 0x%lx: node %d took %s at version %u, "
		    "older than version %u already seen",
		    (unsigned long)va, node, names[access], version,
		    e->max_version);
		goto violation;
	}
	e->max_version = version;
	for (int n = 0; n < c->nodes; n++) {
		if (n == node || !e->access[n])
			continue;
		if (access == DSM_RW || e->access[n] == DSM_RW) {
			kappendf(buf, len, &pos,
				 "dsm.check: page 0x%lx: node %d took %s at "
				 "version %u while node %d holds %s",
				 (unsigned long)va, node, names[access],
				 version, n, names[e->access[n]]);
			goto violation;
		}
	}
	return DSM_CHECK_OK;
violation:
	c->violations++;
	report(c, e, buf, len, &pos);
	return DSM_CHECK_VIOLATION;
}
