/*
 * limits.h — newlib's, plus the thread and name limits POSIX puts here,
 * less OPEN_MAX.
 */
#include_next <limits.h>

#ifndef _UNUM_LIMITS_H
#define _UNUM_LIMITS_H
#ifndef PTHREAD_STACK_MIN
#define PTHREAD_STACK_MIN 16384
#endif
#ifndef PTHREAD_KEYS_MAX
#define PTHREAD_KEYS_MAX 128
#endif
#ifndef PTHREAD_DESTRUCTOR_ITERATIONS
#define PTHREAD_DESTRUCTOR_ITERATIONS 4
#endif
#ifndef SEM_VALUE_MAX
#define SEM_VALUE_MAX 0x7fffffff
#endif
#ifndef HOST_NAME_MAX
#define HOST_NAME_MAX 64 /* gethostname's, without the NUL */
#endif
#ifndef TZNAME_MAX
#define TZNAME_MAX 10 /* newlib's tzset reads names of up to 10 bytes */
#endif
/* newlib's <sys/syslimits.h> says 64; the fd table holds 1024 and
 * setrlimit(RLIMIT_NOFILE) can lower that: a run-time value, so (as
 * POSIX asks of one) no constant: sysconf(_SC_OPEN_MAX). */
#undef OPEN_MAX
/* newlib's <sys/syslimits.h> says 512; pipes (posix/vfs_pipe.c) write up
 * to 4096 bytes atomically, as Linux. */
#undef PIPE_BUF
#define PIPE_BUF 4096
#endif
