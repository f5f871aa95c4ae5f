/*
 * posix/random.c — the random numbers of the program: getrandom,
 * getentropy (newlib's arc4random draws from it) and what /dev/random and
 * /dev/urandom read.
 *
 * One ChaCha20 generator (RFC 8439's block function, written here) for the
 * whole cluster, in the global address space. Each request takes one block
 * under the lock: its first half replaces the key (so a later reading of
 * the state does not give earlier output away), its second half keys the
 * request's own stream, made without the lock.
 *
 * Seeding, at the first request: RDSEED, else RDRAND, when CPUID says the
 * CPU has it; QEMU's TCG may offer neither, and then the seed is only the
 * clocks (monotonic, real time, the time-stamp counter), the node id and an
 * address: unpredictable enough to tell runs apart, not a secret.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "posix/posix_impl.h"

#define RANDOM_MAX_REQUEST 0x7ffff000UL /* as a read(): at most this */
#define ENTROPY_MAX	   256		/* getentropy's limit */

static struct ulock rng_lock = ULOCK_INIT;
static uint32_t rng_key[8];    /* (rng_lock) the generator's key */
static uint64_t rng_counter;   /* (rng_lock) block counter of rng_key */
static const char *rng_source; /* (rng_lock) NULL until seeded */

static uint32_t rotl(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

#define QR(a, b, c, d)                                                         \
	do {                                                                   \
		a += b, d = rotl(d ^ a, 16);                                   \
		c += d, b = rotl(b ^ c, 12);                                   \
		a += b, d = rotl(d ^ a, 8);                                    \
		c += d, b = rotl(b ^ c, 7);                                    \
	} while (0)

/* ChaCha20's block function: 64 bytes of stream `counter` of key. */
static void chacha_block(const uint32_t key[8], uint64_t counter,
			 uint32_t out[16])
{
	uint32_t x[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

	memcpy(&x[4], key, 32);
	x[12] = (uint32_t)counter;
	x[13] = (uint32_t)(counter >> 32);
	x[14] = x[15] = 0; /* nonce: every key is used for one stream */
	memcpy(out, x, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(out[0], out[4], out[8], out[12]);
		QR(out[1], out[5], out[9], out[13]);
		QR(out[2], out[6], out[10], out[14]);
		QR(out[3], out[7], out[11], out[15]);
		QR(out[0], out[5], out[10], out[15]);
		QR(out[1], out[6], out[11], out[12]);
		QR(out[2], out[7], out[8], out[13]);
		QR(out[3], out[4], out[9], out[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] += x[i];
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

/* One hardware random word: RDSEED (seed = 1) or RDRAND; false when the
 * instruction keeps failing (it may, briefly, under load). */
static bool hw_word(bool seed, uint64_t *v)
{
	for (int i = 0; i < 100; i++) {
		uint8_t ok;

		if (seed)
			__asm__ volatile("rdseed %0; setc %1"
					 : "=r"(*v), "=qm"(ok));
		else
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

/* Fills 8 words from the hardware if it can (rng_lock held). */
static const char *seed_hw(uint32_t w[8])
{
	uint32_t r[4];
	bool has_seed, has_rand;

	cpuid(0, r);
	has_seed = r[0] >= 7 && (cpuid(7, r), r[1] & (1u << 18));
	cpuid(1, r);
	has_rand = r[2] & (1u << 30);
	for (int k = 0; k < 2; k++) {
		bool seed = k == 0;
		int i;

		if (!(seed ? has_seed : has_rand))
			continue;
		for (i = 0; i < 8; i += 2) {
			uint64_t v;

			if (!hw_word(seed, &v))
				break;
			w[i] ^= (uint32_t)v;
			w[i + 1] ^= (uint32_t)(v >> 32);
		}
		if (i == 8)
			return seed ? "rdseed" : "rdrand";
	}
	return NULL;
}

static void rng_seed(void)
{
	uint32_t lo, hi, block[16];
	uint64_t mix[4];
	const char *src;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	mix[0] = ksys_clock_ns();
	mix[1] = ksys_realtime_ns();
	mix[2] = ((uint64_t)hi << 32 | lo) ^ (uint64_t)ksys_node() << 56;
	mix[3] = (uint64_t)(uintptr_t)&lo;
	memcpy(rng_key, mix, sizeof(mix));
	src = seed_hw(rng_key);
	rng_source = src ? src : "clock";
	/* spread the seed over the whole key */
	chacha_block(rng_key, ~0ull, block);
	memcpy(rng_key, block, sizeof(rng_key));
}

void posix_random_fill(void *buf, size_t len)
{
	uint32_t block[16], key[8];
	uint8_t *out = buf;

	ulock_lock(&rng_lock);
	if (!rng_source)
		rng_seed();
	chacha_block(rng_key, rng_counter++, block);
	memcpy(rng_key, block, 32);
	memcpy(key, block + 8, 32);
	ulock_unlock(&rng_lock);
	for (uint64_t ctr = 0; len; ctr++) {
		size_t c = len < 64 ? len : 64;

		chacha_block(key, ctr, block);
		memcpy(out, block, c);
		out += c;
		len -= c;
	}
	memset(block, 0, sizeof(block));
	memset(key, 0, sizeof(key));
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	const unsigned known = GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE;

	if ((flags & ~known) || (flags & (GRND_RANDOM | GRND_INSECURE)) ==
				    (GRND_RANDOM | GRND_INSECURE)) {
		errno = EINVAL;
		return -1;
	}
	if (len && !buf) {
		errno = EFAULT;
		return -1;
	}
	if (len > RANDOM_MAX_REQUEST)
		len = RANDOM_MAX_REQUEST;
	posix_random_fill(buf, len); /* always seeded: never blocks */
	return (ssize_t)len;
}

int getentropy(void *buf, size_t len)
{
	if (len > ENTROPY_MAX) {
		errno = EIO;
		return -1;
	}
	if (len && !buf) {
		errno = EFAULT;
		return -1;
	}
	posix_random_fill(buf, len);
	return 0;
}
