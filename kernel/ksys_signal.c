/*
 * kernel/ksys_signal.c — the kernel's part of POSIX signals: a "kick"
 * that makes an application thread enter the POSIX layer's signal
 * trampoline at its next safe point. Which signals are pending, masked or
 * handled is the POSIX layer's business (posix/signal.c); the kernel only
 * gets the thread there with its whole context saved.
 *
 * ksys_signal_kick sets thread->sig_kick and ends a futex wait early (as
 * a migration does). The safe points are migration's: a trap taken while
 * the thread runs application code (its timer tick), and the trap the
 * kernel's blocking calls take on their way back (ksys_migrate_point).
 * There, interrupts off, the signal hook redirects the iret to sig_out on
 * the thread's kernel stack; sig_out, interrupts on (writing the
 * application stack may fetch a page through the DSM), copies the
 * interrupted registers as a struct ksys_sigctx below the red zone of the
 * interrupted stack and irets into the trampoline with rdi = that copy.
 * The trampoline (posix/signal_tramp.c) saves the FPU/SSE state itself
 * (the kernel uses none), runs the handlers, restores everything and
 * irets back: no kernel call is needed on the way back (ring 0).
 *
 * Guards: (a) atomics; (c) set once at start.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/futex.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/percpu.h"
#include "kernel/thread.h"

_Static_assert(sizeof(struct ksys_sigctx) == 8 + sizeof(struct trap_frame),
	       "ksys_sigctx is a fault address and a trap frame");

long arch_kcall(long (*fn)(void *), void *arg); /* kcall.S */

static void (*sig_entry)(struct ksys_sigctx *); /* (a) the trampoline */

#define RED_ZONE  128
#define RFLAGS_IF (1ul << 9)
#define RFLAGS_TF (1ul << 8)
#define RFLAGS_DF (1ul << 10)

void ksys_signal_entry(void (*entry)(struct ksys_sigctx *ctx))
{
	__atomic_store_n(&sig_entry, entry, __ATOMIC_RELEASE);
}

static bool kick_one(struct thread *t, void *arg)
{
	if (!t->app_tid || t->app_tid != *(uint32_t *)arg || !t->posix ||
	    t->state == THREAD_EXITED)
		return false;
	__atomic_store_n(&t->sig_kick, 1, __ATOMIC_SEQ_CST);
	futex_kick(t); /* a sleeper takes it when it wakes: now */
	return true;
}

int ksys_cluster_signal_kick(uint32_t tid, uint64_t entry); /* ksys.c */

static long do_kick(void *p)
{
	uint32_t tid = *(uint32_t *)p;
	if (thread_for_each(kick_one, &tid))
		return 0;
	uintptr_t entry =
	    (uintptr_t)__atomic_load_n(&sig_entry, __ATOMIC_ACQUIRE);
	return ksys_cluster_signal_kick(tid, entry);
}

int ksys_signal_kick_local(uint32_t tid, uint64_t entry)
{
	void (*none)(struct ksys_sigctx *) = NULL;
	__atomic_compare_exchange_n(&sig_entry, &none,
				    (void (*)(struct ksys_sigctx *))entry,
				    false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	return tid && thread_for_each(kick_one, &tid) ? 0 : -ESRCH;
}

int ksys_signal_kick(uint32_t tid)
{
	if (tid == 0)
		return -ESRCH;
	return (int)arch_kcall(do_kick, &tid);
}

/* On the kernel stack, interrupts on: build the context, enter the
 * trampoline. */
static void sig_out(void) __attribute__((noreturn));
static void sig_out(void)
{
	struct thread *t = thread_current();
	struct trap_frame *tf = (struct trap_frame *)t->sig_save[0];
	struct trap_frame copy = *tf;
	copy.rip = t->sig_save[1];
	copy.rsp = t->sig_save[2];
	copy.rflags = t->sig_save[3];
	uint64_t addr = t->sig_save[4];
	uintptr_t ctx =
	    (copy.rsp - RED_ZONE - sizeof(struct ksys_sigctx)) & ~63ul;
	/* may fault: the DSM */
	memcpy((void *)ctx, &addr, sizeof(addr));
	memcpy((void *)(ctx + sizeof(addr)), &copy, sizeof(copy));
	arch_irq_disable();
	tf->rip = (uintptr_t)__atomic_load_n(&sig_entry, __ATOMIC_ACQUIRE);
	tf->rsp = ctx;
	tf->rdi = ctx;
	tf->rflags = copy.rflags & ~(RFLAGS_DF | RFLAGS_TF);
	arch_trap_resume(tf);
}

/* Sends the iret of tf to sig_out (interrupts off). */
static void redirect(struct thread *t, struct trap_frame *tf, uint64_t addr)
{
	t->sig_save[0] = (uintptr_t)tf;
	t->sig_save[1] = tf->rip;
	t->sig_save[2] = tf->rsp;
	t->sig_save[3] = tf->rflags;
	t->sig_save[4] = addr;
	tf->rsp = ((uintptr_t)tf & ~15ul) - 8; /* as after a call */
	tf->rip = (uintptr_t)sig_out;
	tf->rflags = 0x202;
}

static bool app_frame(struct thread *t, const struct trap_frame *tf)
{
	uintptr_t lo = (uintptr_t)t->stack, hi = lo + KSTACK_SIZE;
	return t->posix && t->app_tid && !(tf->rsp >= lo && tf->rsp < hi) &&
	       (tf->rflags & RFLAGS_IF) && !this_cpu()->preempt_off;
}

/* A fault nobody else resolved (interrupts off): an application thread's
 * goes to the trampoline (true), which runs its handler or gives up. */
static bool fault_hook(struct trap_frame *tf, uint64_t addr)
{
	struct thread *t = thread_current();
	if (!t || !__atomic_load_n(&sig_entry, __ATOMIC_ACQUIRE) ||
	    !app_frame(t, tf))
		return false;
	redirect(t, tf, addr);
	return true;
}

void ksys_signal_crash(const struct ksys_sigctx *ctx)
{
	struct trap_frame tf;
	memcpy(&tf, &ctx->r15, sizeof(tf));
	arch_irq_disable();
	crash_report(&tf);
}

/* The trap exit hook for a kicked thread (interrupts off): only a frame
 * of application code, interruptible and not holding kernel locks, goes
 * to the trampoline; anything else waits for a later safe point. */
static void sig_hook(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	if (!__atomic_load_n(&sig_entry, __ATOMIC_ACQUIRE)) {
		/* nothing to enter on this node (no thread of the program
		 * registered it here yet): drop the kick */
		__atomic_store_n(&t->sig_kick, 0, __ATOMIC_SEQ_CST);
		return;
	}
	if (!app_frame(t, tf))
		return;
	__atomic_store_n(&t->sig_kick, 0, __ATOMIC_SEQ_CST);
	redirect(t, tf, 0);
}

static int ksys_signal_init(void)
{
	trap_set_signal_hook(sig_hook);
	trap_set_fault_hook(fault_hook);
	return 0;
}
INITCALL(INIT_CORE, ksys_signal_init);
