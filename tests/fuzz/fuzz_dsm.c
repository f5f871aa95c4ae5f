/*
 * tests/fuzz/fuzz_dsm.c — a node's DSM engine fed arbitrary messages (as a
 * peer or a broken transport could send them) and faults, from the input:
 * nothing may crash, and what the node maps must stay consistent with its
 * own view (never RW and RO at once is the engine's; here: no crash, no
 * leak, bad messages counted). The dsm.check checker at the home gets
 * arbitrary reports too: out-of-range ones refused, violations reported.
 * The input is also checked as a first-touch home claim: what passes must
 * be one this manager may answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/dsm_check.h"
#include "cluster/dsm_home_msg.h"
#include "cluster/dsm_proto.h"

static uint8_t page_data[DSM_PAGE];

static void op_send(void *c, int dst, const struct dsm_msg *m)
{
	(void)c, (void)dst, (void)m;
}
static void op_map(void *c, uint64_t p, enum dsm_access a, const uint8_t *d,
		   bool pr)
{
	(void)c, (void)p, (void)a, (void)pr;
	if (d)
		memcpy(page_data, d, DSM_PAGE);
}
static void op_read_local(void *c, uint64_t p, uint8_t *b)
{
	(void)c, (void)p;
	memcpy(b, page_data, DSM_PAGE);
}
static void op_home_read(void *c, uint64_t p, uint8_t *b)
{
	(void)c, (void)p;
	memset(b, 0, DSM_PAGE);
}
static void op_home_write(void *c, uint64_t p, const uint8_t *b)
{
	(void)c, (void)p, (void)b;
}
static void op_complete(void *c, uint64_t p)
{
	(void)c, (void)p;
}
static int op_home(void *c, uint64_t p)
{
	(void)c;
	return (int)(p % 3);
}
static void *op_alloc(void *c, size_t n)
{
	(void)c;
	return malloc(n);
}
static void op_free(void *c, void *p)
{
	(void)c;
	free(p);
}
/* 3 ms a reading: some read-ahead requests find their page freshly
 * written (declined), others not */
static uint64_t fake_ns;
static uint64_t op_now(void *c)
{
	(void)c;
	return fake_ns += 3000000;
}

/* even pages like static data, odd ones like heap (copies tracked) */
static bool op_pristine_shared(void *c, uint64_t p)
{
	(void)c;
	return !(p & 1);
}

static const struct dsm_ops ops = {
    .send = op_send,
    .map = op_map,
    .read_local = op_read_local,
    .home_read = op_home_read,
    .home_write = op_home_write,
    .complete = op_complete,
    .home = op_home,
    .pristine_shared = op_pristine_shared,
    .alloc = op_alloc,
    .free = op_free,
    .now = op_now,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the same bytes as a first-touch home claim (cluster/dsm_home_msg.c) */
	static const struct dsm_home_scope sc = {100, 200, 3, 2};
	struct dsm_home_req hr;
	if (dsm_home_req_check(data, size, &sc, &hr) == 0 &&
	    (size != sizeof(hr) || hr.pad || hr.page < 100 || hr.page >= 200 ||
	     hr.page % 3 != 2 ||
	     (hr.op != DSM_HOME_CLAIM && hr.op != DSM_HOME_CONFIRM)))
		abort();
	static struct dsm d;
	static uint8_t buf[DSM_PAGE];
	static struct dsm_check chk;
	char rep[128];
	fake_ns = 0;
	dsm_init(&d, 0, 3, &ops, NULL);
	dsm_check_init(&chk, 3, op_alloc, op_free, NULL);
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint8_t op = data[i], a = data[i + 1], b = data[i + 2],
			c = data[i + 3];
		uint64_t page = c % 8;
		if (op % 4 == 0) {
			if (a & 2)
				dsm_prefetch(&d, page);
			else
				dsm_fault(&d, page, a & 1);
		} else if (op % 8 == 1) {
			dsm_check_apply(&chk, (int)(a % 5) - 1, page, b % 4,
					c % 4, rep, sizeof(rep));
		} else {
			struct dsm_msg m = {(uint8_t)(a % 10),
					    b & 0x1f,
					    (uint16_t)(op % 5),
					    c,
					    page,
					    (b & 0x20) ? buf : NULL};
			dsm_receive(&d, &m);
		}
	}
	dsm_destroy(&d);
	dsm_check_destroy(&chk);
	return 0;
}
