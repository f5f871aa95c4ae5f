/*
 * cluster/dsm_stats.c — the DSM counters as text (pure: the kernel's /proc/dsm
 * and exit report, and the host tests): one "key value" line per counter,
 * then one per latency bucket, and a one-line summary of a histogram.
 */
#include "cluster/dsm_proto.h"
#include "kernel/kstring.h"

/* Bucket b's bounds in microseconds: [lo, hi), hi 0 for the last. */
static void bounds(unsigned b, uint64_t *lo, uint64_t *hi)
{
	*lo = b ? 1ull << (b - 1) : 0;
	*hi = b < DSM_LAT_BUCKETS - 1 ? 1ull << b : 0;
}

static void hist_lines(char *buf, size_t len, size_t *pos, const char *kind,
		       const uint64_t *h)
{
	for (unsigned b = 0; b < DSM_LAT_BUCKETS; b++) {
		uint64_t lo, hi;
		bounds(b, &lo, &hi);
		if (hi)
			kappendf(buf, len, pos, "%s_lat_us_lt_%lu %lu\n", kind,
				 (unsigned long)hi, (unsigned long)h[b]);
		else
			kappendf(buf, len, pos, "%s_lat_us_ge_%lu %lu\n", kind,
				 (unsigned long)lo, (unsigned long)h[b]);
	}
}

size_t dsm_stats_text(const struct dsm_stats *s, char *buf, size_t len)
{
	size_t pos = 0;
	const struct {
		const char *key;
		uint64_t v;
	} rows[] = {
	    {"read_faults", s->read_faults},
	    {"write_faults", s->write_faults},
	    {"local_hits", s->local_hits},
	    {"prefetches", s->prefetches},
	    {"prefetch_waits", s->prefetch_waits},
	    {"prefetch_declined", s->prefetch_declined},
	    {"prefetch_runs", s->prefetch_runs},
	    {"pages_in", s->pages_in},
	    {"pages_out", s->pages_out},
	    {"inv_sent", s->inv_sent},
	    {"inv_recv", s->inv_recv},
	    {"recalls_sent", s->recalls_sent},
	    {"recalls_recv", s->recalls_recv},
	    {"msgs_sent", s->msgs_sent},
	    {"msgs_recv", s->msgs_recv},
	    {"bytes_sent", s->bytes_sent},
	    {"bad_msgs", s->bad_msgs},
	};
	if (len)
		buf[0] = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		kappendf(buf, len, &pos, "%s %lu\n", rows[i].key,
			 (unsigned long)rows[i].v);
	hist_lines(buf, len, &pos, "read", s->read_lat);
	hist_lines(buf, len, &pos, "write", s->write_lat);
	return pos;
}

size_t dsm_lat_summary(const uint64_t *h, char *buf, size_t len)
{
	size_t pos = 0;
	if (len)
		buf[0] = 0;
	for (unsigned b = 0; b < DSM_LAT_BUCKETS; b++) {
		uint64_t lo, hi;
		if (!h[b])
			continue;
		bounds(b, &lo, &hi);
		if (hi)
			kappendf(buf, len, &pos, "%s%lu-%lu:%lu",
				 pos ? " " : "", (unsigned long)lo,
				 (unsigned long)hi, (unsigned long)h[b]);
		else
			kappendf(buf, len, &pos, "%s%lu+:%lu", pos ? " " : "",
				 (unsigned long)lo, (unsigned long)h[b]);
	}
	if (!pos)
		kappendf(buf, len, &pos, "none");
	return pos;
}
