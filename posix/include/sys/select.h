/*
 * <sys/select.h> — newlib's, with fd_set sized for the whole fd table
 * (FD_SETSIZE 1024, as Linux; newlib's default is 64). posix/poll.c has
 * select and pselect.
 */
#ifndef FD_SETSIZE
#define FD_SETSIZE 1024
#endif
#include_next <sys/select.h>
