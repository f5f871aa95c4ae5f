/*
 * udp_pingpong.c: UDP round-trip and streaming benchmark between two hosts,
 * the Linux side of the cluster-interconnect comparison (bench/linux/udp-bench
 * runs it in two Linux guests on one bridge).
 *
 * usage: udp_pingpong server [-p PORT]
 *        udp_pingpong client [-p PORT] [-n ROUNDS] [-s STREAM_SIZE]
 *                            [-d STREAM_SECONDS] [-P PREFIX] SERVER_IPV4
 *
 * The server echoes pings, counts streamed datagrams and exits 0 when the
 * client says quit. The client waits (up to 60 s) for the server to answer,
 * then prints "bench: <name> <value> <unit>" lines (PREFIX default linux_udp):
 *   PREFIX_rtt_64, PREFIX_rtt_4096     mean round trip of a 64-byte and a
 *                                      4096-byte UDP payload, ns (ROUNDS
 *                                      each, default 2000, after 200 warm-up
 *                                      rounds); also _p50 and _p99
 *   PREFIX_stream                      payload bytes the server received per
 *                                      second while the client sent
 *                                      STREAM_SIZE-byte datagrams (default
 *                                      8192) for STREAM_SECONDS (default 1),
 *                                      in MBps (10^6 bytes per second)
 *   PREFIX_stream_loss                 datagrams lost in the stream, %
 * Exit status 0, 1 on a failure (message on stderr), 2 on bad usage.
 *
 * Wire format: every datagram starts with a 16-byte header (magic, type,
 * sequence number, big-endian); sizes above include it.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAGIC	   0x554e5550u /* "UNUP" */
#define HDR_SIZE   16
#define MAX_DGRAM  65507
#define MAX_ROUNDS 1000000
#define WARMUP	   200
#define SOCKBUF	   (8 << 20)

enum msg_type {
	MSG_HELLO = 1,
	MSG_PING,
	MSG_DATA,
	MSG_END,    /* seq = datagrams sent; answered by MSG_RESULT */
	MSG_RESULT, /* payload: bytes, datagrams, ns (u64 big-endian) */
	MSG_QUIT,
	MSG_QUIT_ACK,
};

static unsigned char buf[MAX_DGRAM];
static unsigned char rbuf[MAX_DGRAM];

static void die(const char *what)
{
	fprintf(stderr, "udp_pingpong: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_hdr(unsigned char *p, enum msg_type type, uint64_t seq)
{
	uint32_t m = htonl(MAGIC), t = htonl((uint32_t)type);

	memcpy(p, &m, 4);
	memcpy(p + 4, &t, 4);
	put64(p + 8, seq);
}

/* Returns the type of a well-formed datagram of len bytes, or 0. */
static int get_hdr(const unsigned char *p, ssize_t len, uint64_t *seq)
{
	uint32_t m, t;

	if (len < HDR_SIZE)
		return 0;
	memcpy(&m, p, 4);
	memcpy(&t, p + 4, 4);
	if (ntohl(m) != MAGIC || ntohl(t) < MSG_HELLO ||
	    ntohl(t) > MSG_QUIT_ACK)
		return 0;
	*seq = get64(p + 8);
	return (int)ntohl(t);
}

static void set_bufs(int fd)
{
	int v = SOCKBUF;

	/* Best effort: the kernel may cap them (net.core.rmem_max). */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

static int parse_uint(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* ---- server
 * ------------------------------------------------------------------ */

static int server(int port)
{
	struct sockaddr_in me = {0}, peer;
	uint64_t bytes = 0, count = 0, seq;
	int64_t first = 0, last = 0;
	socklen_t plen;
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	set_bufs(fd);
	me.sin_family = AF_INET;
	me.sin_port = htons((uint16_t)port);
	me.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
		die("bind");
	fprintf(stderr, "udp_pingpong: server on port %d\n", port);
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, rbuf, sizeof(rbuf), 0,
			     (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recvfrom");
		}
		switch (get_hdr(rbuf, n, &seq)) {
		case MSG_HELLO: /* a new client: a new stream */
		case MSG_PING:
			if (get_hdr(rbuf, n, &seq) == MSG_HELLO)
				bytes = count = 0;
			sendto(fd, rbuf, (size_t)n, 0, (struct sockaddr *)&peer,
			       plen);
			break;
		case MSG_DATA:
			if (count == 0)
				first = now_ns();
			last = now_ns();
			bytes += (uint64_t)n;
			count++;
			break;
		case MSG_END:
			put_hdr(buf, MSG_RESULT, seq);
			put64(buf + HDR_SIZE, bytes);
			put64(buf + HDR_SIZE + 8, count);
			put64(buf + HDR_SIZE + 16, (uint64_t)(last - first));
			sendto(fd, buf, HDR_SIZE + 24, 0,
			       (struct sockaddr *)&peer, plen);
			break;
		case MSG_QUIT:
			put_hdr(buf, MSG_QUIT_ACK, seq);
			sendto(fd, buf, HDR_SIZE, 0, (struct sockaddr *)&peer,
			       plen);
			return 0;
		default:
			break; /* not ours: ignored */
		}
	}
}

/* ---- client
 * ------------------------------------------------------------------ */

static void set_timeout(int fd, long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		die("setsockopt(SO_RCVTIMEO)");
}

/*
 * Send a size-byte datagram of type with seq and wait for the answer of
 * type want with the same seq, resending after each timeout (tries times).
 * Returns the answer's length, or -1 when no answer came.
 */
static ssize_t call(int fd, enum msg_type type, uint64_t seq, size_t size,
		    enum msg_type want, int tries)
{
	uint64_t rseq;
	ssize_t n;

	put_hdr(buf, type, seq);
	for (int i = 0; i < tries; i++) {
		if (send(fd, buf, size, 0) < 0) {
			/* No server yet (ICMP port unreachable): try again. */
			if (errno == ECONNREFUSED || errno == EINTR ||
			    errno == ENOBUFS || errno == EHOSTUNREACH) {
				struct timespec ts = {0, 100000000};

				nanosleep(&ts, NULL);
				continue;
			}
			die("send");
		}
		for (;;) {
			n = recv(fd, rbuf, sizeof(rbuf), 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK ||
				    errno == ECONNREFUSED)
					break; /* timeout: send again */
				if (errno == EINTR)
					continue;
				die("recv");
			}
			if (get_hdr(rbuf, n, &rseq) == (int)want && rseq == seq)
				return n;
			/* a late answer to an earlier try: skip it */
		}
	}
	return -1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void rtt(int fd, const char *prefix, size_t size, long rounds,
		uint64_t *seq, int64_t *samples)
{
	int64_t t0, total = 0;

	memset(buf + HDR_SIZE, 0xa5, size - HDR_SIZE);
	for (long i = -WARMUP; i < rounds; i++) {
		t0 = now_ns();
		if (call(fd, MSG_PING, ++*seq, size, MSG_PING, 10) < 0) {
			fprintf(stderr,
				"udp_pingpong: no echo of a %zu-byte "
				"ping after 10 tries\n",
				size);
			exit(1);
		}
		if (i >= 0)
			samples[i] = now_ns() - t0;
	}
	for (long i = 0; i < rounds; i++)
		total += samples[i];
	qsort(samples, (size_t)rounds, sizeof(*samples), cmp_i64);
	printf("bench: %s_rtt_%zu %lld ns\n", prefix, size,
	       (long long)(total / rounds));
	printf("bench: %s_rtt_%zu_p50 %lld ns\n", prefix, size,
	       (long long)samples[rounds / 2]);
	printf("bench: %s_rtt_%zu_p99 %lld ns\n", prefix, size,
	       (long long)samples[rounds * 99 / 100]);
	fflush(stdout);
}

static void stream(int fd, const char *prefix, size_t size, long seconds,
		   uint64_t *seq)
{
	int64_t t_end = now_ns() + (int64_t)seconds * 1000000000;
	uint64_t sent = 0, bytes, got, ns;
	double mbps, loss;
	ssize_t n;

	memset(buf + HDR_SIZE, 0x5a, size - HDR_SIZE);
	for (;;) {
		if (sent % 64 == 0 && now_ns() >= t_end)
			break;
		put_hdr(buf, MSG_DATA, sent);
		if (send(fd, buf, size, 0) < 0) {
			if (errno == ENOBUFS || errno == EINTR ||
			    errno == ECONNREFUSED)
				continue;
			die("send");
		}
		sent++;
	}
	n = call(fd, MSG_END, ++*seq, HDR_SIZE, MSG_RESULT, 20);
	if (n < HDR_SIZE + 24) {
		fprintf(stderr,
			"udp_pingpong: no stream result from the server\n");
		exit(1);
	}
	bytes = get64(rbuf + HDR_SIZE);
	got = get64(rbuf + HDR_SIZE + 8);
	ns = get64(rbuf + HDR_SIZE + 16);
	if (got < 2 || ns == 0) {
		fprintf(stderr,
			"udp_pingpong: the server received %llu of %llu "
			"streamed datagrams\n",
			(unsigned long long)got, (unsigned long long)sent);
		exit(1);
	}
	/* Bytes after the first datagram, over the time since it came. */
	mbps = (double)(bytes - bytes / got) * 1e3 / (double)ns;
	loss = got >= sent ? 0.0 : 100.0 * (double)(sent - got) / (double)sent;
	printf("bench: %s_stream %.1f MBps\n", prefix, mbps);
	printf("bench: %s_stream_loss %.2f %%\n", prefix, loss);
	fflush(stdout);
}

static int client(const char *server_ip, int port, long rounds, long ssize,
		  long seconds, const char *prefix)
{
	struct sockaddr_in to = {0};
	uint64_t seq = 0;
	int64_t *samples;
	int fd;

	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, server_ip, &to.sin_addr) != 1) {
		fprintf(stderr, "udp_pingpong: '%s' is not an IPv4 address\n",
			server_ip);
		return 2;
	}
	samples = malloc(sizeof(*samples) * (size_t)rounds);
	if (!samples)
		die("malloc");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	set_bufs(fd);
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		die("connect");

	/* The server's guest may still be booting: ask for 60 s. */
	set_timeout(fd, 200);
	if (call(fd, MSG_HELLO, ++seq, HDR_SIZE, MSG_HELLO, 300) < 0) {
		fprintf(stderr,
			"udp_pingpong: no answer from %s port %d in 60 s\n",
			server_ip, port);
		return 1;
	}
	set_timeout(fd, 1000);
	rtt(fd, prefix, 64, rounds, &seq, samples);
	rtt(fd, prefix, 4096, rounds, &seq, samples);
	set_timeout(fd, 200);
	stream(fd, prefix, (size_t)ssize, seconds, &seq);
	if (call(fd, MSG_QUIT, ++seq, HDR_SIZE, MSG_QUIT_ACK, 10) < 0)
		fprintf(stderr,
			"udp_pingpong: the server did not confirm quit\n");
	free(samples);
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: udp_pingpong server [-p PORT]\n"
	    "       udp_pingpong client [-p PORT] [-n ROUNDS] [-s STREAM_SIZE]"
	    " [-d STREAM_SECONDS] [-P PREFIX] SERVER_IPV4\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long port = 7777, rounds = 2000, ssize = 8192, seconds = 1;
	const char *prefix = "linux_udp", *ip = NULL;
	int is_server;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "server") == 0)
		is_server = 1;
	else if (strcmp(argv[1], "client") == 0)
		is_server = 0;
	else
		usage();
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (o[0] != '-') {
			if (is_server || ip)
				usage();
			ip = o;
			continue;
		}
		if (!v || strlen(o) != 2) {
			fprintf(stderr, "udp_pingpong: bad option '%s'\n", o);
			usage();
		}
		switch (o[1]) {
		case 'p':
			bad = parse_uint(v, 1, 65535, &port);
			break;
		case 'n':
			bad =
			    is_server || parse_uint(v, 1, MAX_ROUNDS, &rounds);
			break;
		case 's':
			bad = is_server ||
			      parse_uint(v, HDR_SIZE, MAX_DGRAM, &ssize);
			break;
		case 'd':
			bad = is_server || parse_uint(v, 1, 3600, &seconds);
			break;
		case 'P':
			bad = is_server || !*v || strlen(v) > 64;
			prefix = v;
			break;
		default:
			bad = 1;
		}
		if (bad) {
			fprintf(stderr, "udp_pingpong: bad value '%s' for %s\n",
				v, o);
			usage();
		}
		i++;
	}
	if (is_server)
		return server((int)port);
	if (!ip)
		usage();
	return client(ip, (int)port, rounds, ssize, seconds, prefix);
}
