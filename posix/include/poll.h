/*
 * <poll.h> — poll and ppoll (newlib has none); the event bits are Linux's.
 * posix/poll.c says what each kind of file reports.
 */
#ifndef _POLL_H
#define _POLL_H

#include <signal.h>
#include <sys/timespec.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POLLIN	   0x001 /* data to read (or end of file) */
#define POLLPRI	   0x002 /* urgent data: never reported */
#define POLLOUT	   0x004 /* writing will not block */
#define POLLERR	   0x008 /* error (a pipe with no reader): always reported */
#define POLLHUP	   0x010 /* hung up (a pipe with no writer): always */
#define POLLNVAL   0x020 /* fd not open: always */
#define POLLRDNORM 0x040 /* as POLLIN */
#define POLLRDBAND 0x080 /* never reported */
#define POLLWRNORM 0x100 /* as POLLOUT */
#define POLLWRBAND 0x200 /* never reported */

typedef unsigned long nfds_t;

struct pollfd {
	int fd;	       /* negative: ignored (revents 0) */
	short events;  /* requested */
	short revents; /* returned */
};

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);
/* The signal mask is ignored: Unum delivers no signals to handlers. */
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
	  const sigset_t *sigmask);

#ifdef __cplusplus
}
#endif

#endif
