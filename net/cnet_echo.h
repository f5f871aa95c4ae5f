/* net/cnet_echo.h — round trips and a barrier over the echo service. */
#ifndef NET_CNET_ECHO_H
#define NET_CNET_ECHO_H

#include <stddef.h>
#include <stdint.h>

/* Sends buf to node and waits for the same bytes back into out (at most
 * cap). The number of bytes received, or -ETIMEDOUT, -EHOSTUNREACH... */
int cnet_echo(int node, const void *buf, size_t len, void *out, size_t cap,
	      uint64_t timeout_ns);
/* Waits until every live node called cnet_barrier with this round (rounds
 * start at 1 and increase by one per call); a node declared dead meanwhile
 * is no longer waited for. 0 or -ETIMEDOUT. A node that powers off right
 * after it still gets its arrival out (the transport's power-off hook). */
int cnet_barrier(uint32_t round, uint64_t timeout_ns);

#endif
