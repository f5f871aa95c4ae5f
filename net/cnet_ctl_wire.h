/*
 * net/cnet_ctl_wire.h — the wire format of the control service
 * (CNET_SVC_CONTROL, net/cnet_ctl.c), declared once, and its pure codec
 * (net/cnet_ctl_msg.c, host-tested and fuzzed). Every multi-byte field is
 * big-endian on the wire (cnet_be*(), net/cnet_wire.h).
 *
 * A control message is one reliable message between members:
 *
 *   offset  size  field
 *        0     4  kind       CNET_CTL_EXIT or CNET_CTL_CONSOLE
 *        4     4  status     EXIT: the exit status (int32); CONSOLE: 0
 *        8     4  text_len   CONSOLE: bytes of text after the header;
 *                            EXIT: 0
 *       12     n  text       CONSOLE only (n = text_len, not
 *                            NUL-terminated)
 *
 * EXIT: the receiver prints who ended the program and powers off with
 * the status (cnet_stop_others). CONSOLE: the receiver (the origin, node
 * 0) writes the text on its console (cnet_console).
 */
#ifndef NET_CNET_CTL_WIRE_H
#define NET_CNET_CTL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define CNET_CTL_EXIT	 1
#define CNET_CTL_CONSOLE 2

#define CNET_CTL_HLEN 12

struct cnet_ctl_hdr {
	uint32_t kind;	   /* be: CNET_CTL_* */
	uint32_t status;   /* be int32: EXIT: exit status; CONSOLE: 0 */
	uint32_t text_len; /* be: CONSOLE: bytes that follow; EXIT: 0 */
} __attribute__((packed));
_Static_assert(sizeof(struct cnet_ctl_hdr) == CNET_CTL_HLEN, "ctl header");

/* A control message as decoded: host byte order, text pointing into the
 * message it was decoded from. */
struct cnet_ctl_msg {
	uint32_t kind;	  /* CNET_CTL_* */
	int32_t status;	  /* EXIT */
	const char *text; /* CONSOLE: text_len bytes; else NULL */
	size_t text_len;
};

/* Fills the header of a message of `kind` (text_len: CONSOLE's bytes that
 * follow the header; 0 for EXIT). */
void cnet_ctl_encode(struct cnet_ctl_hdr *hdr, uint32_t kind, int32_t status,
		     uint32_t text_len);

/*
 * Checks a control message from a peer (len bytes at msg) and decodes it
 * into out. Checks in this order: 0, or
 *   -EBADMSG  shorter than the header;
 *   -EPROTO   kind is neither EXIT nor CONSOLE;
 *   -EBADMSG  text_len disagrees with the message's length (EXIT: 0 and
 *             nothing after the header; CONSOLE: exactly the bytes after
 *             the header);
 *   -EINVAL   a CONSOLE message with a status other than 0.
 * On an error out is left unspecified. Pure: no state, no allocation.
 */
int cnet_ctl_decode(const void *msg, size_t len, struct cnet_ctl_msg *out);

#endif
