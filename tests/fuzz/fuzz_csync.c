/*
 * tests/fuzz/fuzz_csync.c — a node's cluster lock engine fed arbitrary
 * bytes as messages from its peers (as a broken or hostile node could send
 * them), interleaved with local lock operations: nothing may crash or
 * leak; what decode refuses is counted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/csync_proto.h"

static void op_send(void *c, int dst, const struct csync_msg *m)
{
	(void)c, (void)dst, (void)m;
}
static void op_wake(void *c, uint32_t wid, uint32_t h, int ev, int val)
{
	(void)c, (void)wid, (void)h, (void)ev, (void)val;
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

static const struct csync_ops ops = {op_send, op_wake, op_alloc, op_free};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct csync e;
	uint32_t h[5];
	csync_init(&e, 1, 4, &ops, NULL);
	for (int k = 0; k < 5; k++)
		csync_create(&e, k + 1, k == 0 ? 1 : 0, 2, &h[k]);
	size_t i = 0;
	while (i + 2 <= size) {
		uint8_t op = data[i], len = data[i + 1];
		i += 2;
		if (len > size - i)
			len = (uint8_t)(size - i);
		const uint8_t *b = data + i;
		i += len;
		uint32_t obj = h[op % 5];
		if (len >= 8 && (op & 0x80)) { /* a handle homed elsewhere */
			memcpy(&obj, b, 4);
			obj |= CSYNC_H_FLAG;
		}
		switch ((op >> 2) & 7) {
		case 0:
		case 1: {
			struct csync_msg m;
			int from = op & 3;
			if (csync_decode(&e, from, b, len, &m) == 0)
				csync_receive(&e, from, &m);
			break;
		}
		case 2:
			csync_mutex_lock(&e, obj, op & 7, 1 + (op & 3),
					 op & 0x40 ? CSF_TRY : 0, 1);
			break;
		case 3:
			csync_mutex_unlock(&e, obj, op & 7, op & 0x40, NULL);
			break;
		case 4:
			csync_mutex_cancel(&e, obj, 1 + (op & 3));
			break;
		case 5:
			csync_request(
			    &e, obj, CM_CWAIT + (op >> 3) % (CM_MAX - CM_CWAIT),
			    1 + (op & 3), op & 1);
			break;
		case 6:
			csync_node_dead(&e, op & 3);
			break;
		case 7:
			csync_mutex_destroy(&e, obj);
			break;
		}
	}
	csync_destroy_all(&e);
	return 0;
}
