/*
 * stdin_sum.c — reads all of its standard input (or of a file) and reports
 * it, for tests/qemu/stdin:
 *   stdin_sum [NODE [PATH|- [poll|sleep]]]
 * A thread moves to node NODE (default 0, the origin), reads fd 0 (or the
 * file PATH; "-": fd 0) to its end in reads of changing sizes (1 .. 4096
 * bytes), reads
 * once more (the end of input stays), and main writes
 *   sum: node=N bytes=B lines=L fnv=HHHHHHHHHHHHHHHH again=R
 * (L: newline bytes; fnv: FNV-1a 64 of the bytes; R: the extra read's
 * result), then, when every byte is printable ASCII or a newline, each
 * line as "line: TEXT". With "poll", the thread first polls fd 0 with no
 * wait, writes "sum: polling", polls with no timeout, and main writes
 * "poll: first=N revents=R then=N revents=R" (the host sends its input
 * only once it saw "sum: polling"). With "sleep", the thread sleeps 4 s
 * before it reads (the kernel's buffer fills, and the line must wait).
 * Exits 0, or 1 after a failed read.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unum.h>

#define KEEP (64 * 1024) /* bytes kept to write the lines back */

static struct {
	int node;
	const char *path;
	bool poll, sleep;
	int poll_first, poll_then;
	short rev_first, rev_then;
	int ran_on;
	long bytes, lines, again;
	uint64_t fnv;
	int err;
	bool text;
	char keep[KEEP];
	size_t kept;
} r;

static void *reader(void *arg)
{
	static const size_t sizes[] = {1, 7, 100, 4096, 13, 512, 4095};
	static unsigned char buf[4096];
	int fd = 0;
	(void)arg;
	if (unum_node() != r.node)
		unum_migrate(pthread_self(), r.node);
	r.ran_on = unum_node();
	if (r.sleep)
		sleep(4);
	if (r.poll) {
		struct pollfd p = {.fd = 0, .events = POLLIN};
		r.poll_first = poll(&p, 1, 0);
		r.rev_first = p.revents;
		write(1, "sum: polling\n", 13);
		p.revents = 0;
		r.poll_then = poll(&p, 1, -1);
		r.rev_then = p.revents;
	}
	if (r.path && (fd = open(r.path, O_RDONLY)) < 0) {
		r.err = errno;
		return NULL;
	}
	r.fnv = 0xcbf29ce484222325ull;
	r.text = true;
	for (size_t k = 0;; k++) {
		long n = read(fd, buf, sizes[k % 7]);
		if (n < 0) {
			r.err = errno;
			return NULL;
		}
		if (n == 0)
			break;
		for (long i = 0; i < n; i++) {
			unsigned char c = buf[i];
			r.fnv = (r.fnv ^ c) * 0x100000001b3ull;
			r.lines += c == '\n';
			if (c != '\n' && (c < 0x20 || c > 0x7e))
				r.text = false;
			if (r.kept < KEEP)
				r.keep[r.kept++] = (char)c;
		}
		r.bytes += n;
	}
	r.again = read(fd, buf, sizeof(buf));
	if (r.path)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	r.node = argc > 1 ? atoi(argv[1]) : 0;
	r.path = argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL;
	r.poll = argc > 3 && !strcmp(argv[3], "poll");
	r.sleep = argc > 3 && !strcmp(argv[3], "sleep");
	if (pthread_create(&t, NULL, reader, NULL) || pthread_join(t, NULL)) {
		printf("sum: cannot run the reader\n");
		return 1;
	}
	if (r.err) {
		printf("sum: read failed: %s\n", strerror(r.err));
		return 1;
	}
	if (r.poll)
		printf("poll: first=%d revents=%x then=%d revents=%x\n",
		       r.poll_first, r.rev_first, r.poll_then, r.rev_then);
	printf("sum: node=%d bytes=%ld lines=%ld fnv=%016llx again=%ld\n",
	       r.ran_on, r.bytes, r.lines, (unsigned long long)r.fnv, r.again);
	if (r.text) {
		char *p = r.keep, *end = r.keep + r.kept;
		while (p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			printf("line: %.*s\n", (int)len, p);
			p += len + (nl != NULL);
		}
	}
	return 0;
}
