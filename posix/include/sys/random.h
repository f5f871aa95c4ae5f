/*
 * <sys/random.h> — getrandom and getentropy (as Linux's; newlib has
 * none). Both read the ChaCha20 generator of posix/random.c, which is
 * seeded at its first use and never blocks.
 */
#ifndef _SYS_RANDOM_H
#define _SYS_RANDOM_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRND_NONBLOCK 0x1 /* accepted: nothing blocks */
#define GRND_RANDOM   0x2 /* accepted: one source */
#define GRND_INSECURE 0x4 /* accepted, but not with GRND_RANDOM (EINVAL) */

/* len bytes (at most 0x7ffff000 a call): the count, or -1 with errno
 * EINVAL (unknown flags) or EFAULT. */
ssize_t getrandom(void *buf, size_t len, unsigned int flags);
/* At most 256 bytes (more: EIO): 0 or -1. */
int getentropy(void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
