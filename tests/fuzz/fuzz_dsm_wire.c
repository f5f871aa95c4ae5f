/*
 * tests/fuzz/fuzz_dsm_wire.c — DSM messages as a peer could send them
 * (cluster/dsm_wire.c). What is accepted has a page exactly when it has a
 * body, names the transport's sender, and encodes back to the same header
 * bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "cluster/dsm_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int peer = data[0] % 4; /* the transport's sender */
	data++, size--;
	struct dsm_msg m;
	if (dsm_wire_decode(peer, data, size, &m) != 0)
		return 0;
	assert(m.from == peer);
	assert(size == DSM_WIRE_HLEN || size == DSM_WIRE_MAX);
	assert((m.data != NULL) == (size == DSM_WIRE_MAX));
	struct dsm_wire_hdr h;
	dsm_wire_encode(&m, &h);
	assert(memcmp(&h, data, sizeof(h)) == 0);
	return 0;
}
