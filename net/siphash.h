/*
 * net/siphash.h — SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed
 * 64-bit MAC of the cluster transport. One-shot and incremental forms; both
 * give the same value for the same bytes however they are split.
 *
 * The reference implementation writes the 64-bit result little-endian; its
 * published test vectors are those bytes. Keys are 16 bytes, read
 * little-endian as two 64-bit words (k0 = bytes 0..7).
 */
#ifndef NET_SIPHASH_H
#define NET_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

struct siphash_state {
	uint64_t v0, v1, v2, v3;
	uint64_t tail; /* up to 7 pending bytes, little-endian */
	uint64_t len;  /* bytes hashed so far */
};

/* The key from its 16-byte form. */
void siphash_key_load(struct siphash_key *k, const uint8_t bytes[16]);

void siphash_init(struct siphash_state *s, const struct siphash_key *k);
void siphash_update(struct siphash_state *s, const void *data, size_t len);
/* The hash of everything passed to update since init. */
uint64_t siphash_final(const struct siphash_state *s);

/* One-shot: siphash_init + siphash_update + siphash_final. */
uint64_t siphash24(const struct siphash_key *k, const void *data, size_t len);

#endif
