/*
 * kernel/errno.h — the one errno space from the kernel up to posix/.
 *
 * Kernel actions return 0 or a negative errno. The values are newlib's, so
 * posix/ hands them to applications unchanged. Host builds (unit tests) use
 * the host's <errno.h>: tests compare against the names, never the numbers.
 */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#ifdef UNUM_HOST
#include <errno.h>
#else
#define EPERM	     1
#define ENOENT	     2
#define ESRCH	     3
#define EINTR	     4
#define EIO	     5
#define ENXIO	     6
#define E2BIG	     7
#define ENOEXEC	     8
#define EBADF	     9
#define ECHILD	     10
#define EAGAIN	     11
#define ENOMEM	     12
#define EACCES	     13
#define EFAULT	     14
#define EBUSY	     16
#define EEXIST	     17
#define EXDEV	     18
#define ENODEV	     19
#define ENOTDIR	     20
#define EISDIR	     21
#define EINVAL	     22
#define ENFILE	     23
#define EMFILE	     24
#define ENOTTY	     25
#define EFBIG	     27
#define ENOSPC	     28
#define ESPIPE	     29
#define EROFS	     30
#define EMLINK	     31
#define EPIPE	     32
#define EDOM	     33
#define ERANGE	     34
#define EDEADLK	     45
#define ENOLCK	     46
#define ENOSYS	     88
#define ENOTEMPTY    90
#define ENAMETOOLONG 91
#define ELOOP	     92
#define EOPNOTSUPP   95
#define ECONNRESET   104
#define ENOBUFS	     105
#define EADDRINUSE   112
#define EHOSTUNREACH 118
#define ETIMEDOUT    116
#define EALREADY     120
#define EINPROGRESS  119
#define ENOTSUP	     134
#define EOVERFLOW    139
#define ECANCELED    140
#define EPROTO	     71
#define ESTALE	     133
#define EBADMSG	     77
#endif

#endif
