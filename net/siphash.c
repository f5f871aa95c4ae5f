/*
 * net/siphash.c — SipHash-2-4: two compression rounds per 8-byte word,
 * four finalization rounds. Written from the paper's description; checked
 * against the reference vectors in tests/unit/test_siphash.c.
 */
#include "net/siphash.h"

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* Reads 8 bytes little-endian, whatever the alignment. */
static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* One SipRound over the four state words (locals, so they stay in
 * registers). */
#define SIPROUND(v0, v1, v2, v3)                                               \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = rotl(v1, 13);                                             \
		v1 ^= v0;                                                      \
		v0 = rotl(v0, 32);                                             \
		v2 += v3;                                                      \
		v3 = rotl(v3, 16);                                             \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = rotl(v3, 21);                                             \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = rotl(v1, 17);                                             \
		v1 ^= v2;                                                      \
		v2 = rotl(v2, 32);                                             \
	} while (0)

/* Absorbs n 8-byte words (c = 2 rounds each). */
static void compress(struct siphash_state *s, const uint8_t *p, size_t n)
{
	uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;

	for (; n; n--, p += 8) {
		uint64_t m = load_le64(p);

		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	s->v0 = v0;
	s->v1 = v1;
	s->v2 = v2;
	s->v3 = v3;
}

void siphash_key_load(struct siphash_key *k, const uint8_t bytes[16])
{
	k->k0 = load_le64(bytes);
	k->k1 = load_le64(bytes + 8);
}

void siphash_init(struct siphash_state *s, const struct siphash_key *k)
{
	/* "somepseudorandomlygeneratedbytes" */
	s->v0 = k->k0 ^ 0x736f6d6570736575ull;
	s->v1 = k->k1 ^ 0x646f72616e646f6dull;
	s->v2 = k->k0 ^ 0x6c7967656e657261ull;
	s->v3 = k->k1 ^ 0x7465646279746573ull;
	s->tail = 0;
	s->len = 0;
}

void siphash_update(struct siphash_state *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	unsigned have = s->len & 7;
	uint8_t w[8];

	s->len += len;
	/* Finish a partial word first. */
	if (have) {
		while (have < 8 && len) {
			s->tail |= (uint64_t)*p++ << (8 * have);
			have++;
			len--;
		}
		if (have < 8)
			return;
		for (int i = 0; i < 8; i++)
			w[i] = (uint8_t)(s->tail >> (8 * i));
		compress(s, w, 1);
		s->tail = 0;
	}
	compress(s, p, len / 8);
	p += len & ~(size_t)7;
	len &= 7;
	for (unsigned i = 0; i < len; i++)
		s->tail |= (uint64_t)p[i] << (8 * i);
}

uint64_t siphash_final(const struct siphash_state *s)
{
	uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;
	uint64_t m = s->tail | (s->len << 56);

	v3 ^= m;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphash24(const struct siphash_key *k, const void *data, size_t len)
{
	struct siphash_state s;

	siphash_init(&s, k);
	siphash_update(&s, data, len);
	return siphash_final(&s);
}
