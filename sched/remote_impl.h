/*
 * sched/remote_impl.h — private to sched/remote.c, sched/report.c,
 * sched/migrate.c and sched/global.c: the thread counts the report shows
 * and placement reads, the cluster-wide exit, and the report service.
 */
#ifndef SCHED_REMOTE_IMPL_H
#define SCHED_REMOTE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Threads of the program this node ran (main's aside), and those it placed
 * on `node` (sched/remote.c). */
uint32_t remote_threads_here(void);
/* A thread started here for another node (sched/migrate.c, TM_SPAWN). */
void remote_note_started(void);
uint32_t remote_threads_placed(int node);
/* Threads started here at another node's request (cnet_load.spawned). */
uint32_t remote_threads_started(void);
/* Ends the program on every node (sched/remote.c). */
void remote_exit_all(int status) __attribute__((noreturn));

/* sched/report.c: registers CNET_SVC_REPORT (0 or cnet_register's error). */
int report_start(void);
/* At the origin: every node's exit report, in node order, on its console
 * (waits at most REPORT_WAIT_NS for the others). */
void report_print_all(void);
/* Elsewhere: asks the origin to end the program with `status` (and so to
 * gather the reports). 0 or cnet_send's error. */
int report_ask_exit(int status);
/* sched/remote_stdin.c: registers CNET_SVC_STDIN_RPC (cnet_serve's
 * result); reads the origin's standard input (as ksys_console_read). */
int remote_stdin_start(void);
int64_t remote_stdin_read(void *buf, size_t len, bool nonblock);
int remote_stdin_poll(void);
/* Every node's /proc/dsm text, in node order (like snprintf). */
size_t report_cluster_text(char *buf, size_t len);

#endif
