/*
 * tools/unum-stdin: the host side of a program's standard input. Reads its
 * own standard input and writes it, framed as kernel/console_frame.h says,
 * to its standard output (tools/unum-run points that at node 0's second
 * serial port): each read() becomes one frame of what it returned (at most
 * CONSOLE_FRAME_MAX bytes), so a line typed or piped in reaches the
 * program at once; the end of input (or a read error) becomes the
 * zero-length frame. Exits 0, or 1 after a read error or when the guest's
 * side is gone (EPIPE).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/console_frame.h"

static int write_all(const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(1, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char buf[CONSOLE_FRAME_HLEN + CONSOLE_FRAME_MAX];
	int status = 0;
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: unum-stdin <INPUT >FRAMED\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		ssize_t n =
		    read(0, buf + CONSOLE_FRAME_HLEN, CONSOLE_FRAME_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "unum-stdin: read: %s\n",
				strerror(errno));
			status = 1;
			n = 0;
		}
		console_frame_header(buf, (uint16_t)n);
		if (write_all(buf, CONSOLE_FRAME_HLEN + (size_t)n))
			return 1;
		if (n == 0)
			return status;
	}
}
