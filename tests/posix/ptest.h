/*
 * tests/posix/ptest.h — a tiny TAP test framework for the POSIX
 * conformance programs (built with tools/unum-cc, booted by
 * tests/qemu/posix). Each CHECK prints one "ok"/"not ok" line; the program
 * exits 0 only if every check passed.
 */
#ifndef PTEST_H
#define PTEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int pt_n, pt_failed;

#define CHECK(cond, name)                                                      \
	do {                                                                   \
		int _ok = !!(cond);                                            \
		pt_n++;                                                        \
		if (!_ok)                                                      \
			pt_failed++;                                           \
		printf("%sok %d - %s%s%s\n", _ok ? "" : "not ", pt_n, name,    \
		       _ok ? "" : " # failed: ", _ok ? "" : #cond);            \
	} while (0)

#define CHECK_EQ(a, b, name)                                                   \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		pt_n++;                                                        \
		if (_a != _b) {                                                \
			pt_failed++;                                           \
			printf("not ok %d - %s # %s = %lld, expected %lld\n",  \
			       pt_n, name, #a, _a, _b);                        \
		} else {                                                       \
			printf("ok %d - %s\n", pt_n, name);                    \
		}                                                              \
	} while (0)

/* A call returning -1 with errno set: checks both. */
#define CHECK_ERRNO(call, err, name)                                           \
	do {                                                                   \
		errno = 0;                                                     \
		long _r = (long)(call);                                        \
		int _e = errno;                                                \
		pt_n++;                                                        \
		if (_r != -1 || _e != (err)) {                                 \
			pt_failed++;                                           \
			printf("not ok %d - %s # returned %ld errno %d (%s),"  \
			       " expected -1 errno %d (%s)\n",                 \
			       pt_n, name, _r, _e, strerror(_e), err,          \
			       strerror(err));                                 \
		} else {                                                       \
			printf("ok %d - %s\n", pt_n, name);                    \
		}                                                              \
	} while (0)

/* CLOCK_MONOTONIC in ns, and a sleep of ms milliseconds. */
static inline uint64_t pt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void pt_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static inline int pt_done(void)
{
	printf("ptest: %d passed, %d failed\n", pt_n - pt_failed, pt_failed);
	return pt_failed ? 1 : 0;
}

#endif
