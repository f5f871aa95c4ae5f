/*
 * sched/thread_msg.h — the messages of the thread service (CNET_SVC_THREAD):
 * remote thread start, migration of a thread's context, balance orders,
 * live policy switches, and the origin's record of
 * where each application thread lives. Every message starts with a 32-bit
 * kind and has a fixed size; thread_msg_check validates one from a peer
 * (pure: host-tested and fuzzed).
 */
#ifndef SCHED_THREAD_MSG_H
#define SCHED_THREAD_MSG_H

#include <stddef.h>
#include <stdint.h>

enum thread_msg_kind {
	TM_SPAWN = 1,	/* start a new thread here */
	TM_MIGRATE = 2, /* a thread's context: resume it here */
	/* 3, 4: no longer used (migration requests are RPCs now) */
	TM_SHED = 5,	/* the balancer: send one of your threads to `node` */
	TM_ARRIVED = 6, /* a migrated thread resumed (to its old node) */
	TM_WHERE = 7,	/* to the origin: thread `tid` now lives on `node` */
	TM_POLICY = 8,	/* switch the global policy to `name` */
	TM_SIGNAL = 9,	/* kick thread `tid` if it lives here (signals) */
};

/* A signal for thread tid: its node makes it look at its pending signals
 * (kernel/ksys_signal.c); entry is the POSIX layer's trampoline. */
struct tm_signal {
	uint32_t kind;
	uint32_t tid;
	uint64_t entry;
};

#define TM_POLICY_NAME 32

struct tm_policy {
	uint32_t kind;
	char name[TM_POLICY_NAME]; /* NUL-terminated */
};

#define TM_SPAWN_DATA 128

struct tm_spawn {
	uint32_t kind;
	uint32_t len; /* bytes of data used: 1..TM_SPAWN_DATA */
	uint64_t entry, stack_top, fs_base;
	uint8_t data[TM_SPAWN_DATA]; /* the start record (kernel/ksys.h) */
};

/* A CPU set over the cluster: bit c of word c / 64 (sched/affinity.c). */
#define TM_AFF_WORDS 4

/* General registers in struct trap_frame order (r15 first, rax last). */
#define TM_NGPR	     15
#define TM_FPU_SIZE  512
#define TM_MXCSR_OFF 24 /* in the FXSAVE area */

struct tm_migrate {
	uint32_t kind;
	uint32_t app_tid; /* the thread's pthread id */
	uint64_t posix;	  /* its POSIX thread record (in the GAS) */
	uint64_t fs_base;
	uint64_t gpr[TM_NGPR];
	uint64_t rip, rflags, rsp;
	uint64_t freeze_ns; /* sender's clock when it stopped; echoed back */
	uint64_t aff[TM_AFF_WORDS]; /* its CPU set (sched/affinity.c) */
	uint8_t fpu[TM_FPU_SIZE];   /* FXSAVE image */
};

struct tm_shed {
	uint32_t kind;
	int32_t node;
};

struct tm_arrived {
	uint32_t kind;
	uint32_t tid;
	uint64_t freeze_ns; /* from the TM_MIGRATE */
};

struct tm_where {
	uint32_t kind;
	uint32_t tid;
	int32_t node; /* -1: the thread ended */
	uint32_t pad;
};

/* A migration request (an RPC on CNET_SVC_SCHED_RPC, sched/migrate.c):
 * move thread `tid` to `node` if it lives here. */
struct tm_mig_req {
	uint32_t tid;
	int32_t node;
};

/* An affinity request (an RPC on CNET_SVC_SCHED_RPC, told from a
 * migration request by its size): set thread `tid`'s CPU set if it lives
 * here. */
struct tm_aff_req {
	uint32_t tid;
	uint32_t pad; /* 0 */
	uint64_t set[TM_AFF_WORDS];
};

/* What a receiver accepts: code and data ranges of this image. */
struct tm_limits {
	uint64_t text_lo, text_hi;     /* rip */
	uint64_t mem_lo[2], mem_hi[2]; /* rsp, fs_base, posix: GAS ranges */
	int nodes;		       /* node numbers must be below this */
	int cpus; /* CPU numbers in a set must be below this */
};

/* Flags a resumed thread may carry: arithmetic flags, bit 1, IF, DF, RF,
 * AC and ID (not TF, IOPL, NT, VM, VIF, VIP). */
#define TM_RFLAGS_OK 0x250ed7ull
#define TM_RFLAGS_IF 0x200ull

/*
 * Checks a message from a peer. Returns its kind, or -EBADMSG (too
 * short, wrong size for its kind), -EPROTO (unknown kind), -EINVAL (a
 * field out of range: a node number, a rip or thread entry outside the
 * image's code, a stack or TLS pointer outside the global address space
 * (a new thread may have no TLS: fs_base 0), reserved
 * MXCSR or RFLAGS bits, a policy name without its NUL or empty, a
 * migrated thread's CPU set naming a CPU at or above lim->cpus, a signal
 * for thread 0 or with a trampoline outside the image's code).
 */
int thread_msg_check(const void *msg, size_t len, const struct tm_limits *lim);
/* Checks an affinity request from a peer into *out: 0, -EBADMSG (wrong
 * size), -EINVAL (thread id 0, pad not 0, an empty set, or a CPU at or
 * above `cpus`). */
int thread_aff_req_check(const void *msg, size_t len, int cpus,
			 struct tm_aff_req *out);
/* Checks a migration request from a peer into *out: 0, -EBADMSG (wrong
 * size), -EINVAL (thread id 0, or a node the cluster does not have). */
int thread_mig_req_check(const void *msg, size_t len, int nodes,
			 struct tm_mig_req *out);

#endif
