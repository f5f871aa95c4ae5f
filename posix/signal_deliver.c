/*
 * posix/signal_deliver.c — running signal handlers on the target thread.
 *
 * Two ways in. Synchronously: a thread that sends itself a signal, or
 * unblocks a pending one, or wakes from a sleep, calls posix_sig_deliver
 * and the handlers run right there. Asynchronously: a kicked thread
 * (kernel/ksys_signal.c) enters posix_sig_tramp at its next safe point
 * (a tick in application code, or the way back from a kernel call) with
 * the interrupted registers saved on its stack (struct ksys_sigctx); the
 * trampoline saves the FPU/SSE state beside them, runs the handlers
 * (the context is their ucontext argument), restores the FPU/SSE state
 * and every register and irets to where the thread was.
 *
 * A fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL) enters the same way, with its
 * vector in the context; see fault() below.
 *
 * A handler runs with the thread's mask plus sa_mask plus the signal
 * (unless SA_NODEFER); the mask from before is restored when it returns.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "posix/posix_impl.h"
#include "posix/signal_impl.h"

/* The trampoline: rsp = rdi = the context, 64-aligned. */
__asm__(".text\n"
	".globl posix_sig_tramp\n"
	".type posix_sig_tramp, @function\n"
	"posix_sig_tramp:\n"
	"	movq %rdi, %rbx\n"
	"	andq $-16, %rsp\n"
	"	subq $512, %rsp\n"
	"	fxsave64 (%rsp)\n"
	"	call posix_sig_run\n"
	"	fxrstor64 (%rsp)\n"
	"	leaq 8(%rbx), %rsp\n" /* past fault_addr: r15 */
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %r11\n"
	"	popq %r10\n"
	"	popq %r9\n"
	"	popq %r8\n"
	"	popq %rbp\n"
	"	popq %rdi\n"
	"	popq %rsi\n"
	"	popq %rdx\n"
	"	popq %rcx\n"
	"	popq %rbx\n"
	"	popq %rax\n"
	"	addq $16, %rsp\n"
	"	iretq\n"
	".size posix_sig_tramp, .-posix_sig_tramp\n");

void posix_sig_run(struct ksys_sigctx *ctx);

int sig_take(uint64_t set, struct posix_sigdetail *d)
{
	struct pthread *self = pthread_cur();
	for (;;) {
		uint64_t own =
		    __atomic_load_n(&self->sig_pending, __ATOMIC_SEQ_CST) & set;
		uint64_t proc =
		    __atomic_load_n(&sig_state.proc_pending, __ATOMIC_SEQ_CST) &
		    set;
		if (!own && !proc)
			return 0;
		uint64_t *from =
		    own ? &self->sig_pending : &sig_state.proc_pending;
		int sig = __builtin_ctzll(own ? own : proc);
		*d = own ? self->sig_info[sig] : sig_state.proc_info[sig];
		uint64_t was =
		    __atomic_fetch_and(from, ~SIG_BIT(sig), __ATOMIC_SEQ_CST);
		if (was & SIG_BIT(sig))
			return sig;
	}
}

/* Runs one taken signal's action. */
static void run_one(int sig, const struct posix_sigdetail *d, void *uc)
{
	struct pthread *self = pthread_cur();
	ulock_lock(&sig_state.lock);
	struct sigaction a = sig_state.act[sig];
	if (a.sa_handler != SIG_DFL && a.sa_handler != SIG_IGN &&
	    (a.sa_flags & SA_RESETHAND))
		sig_state.act[sig].sa_handler = SIG_DFL;
	ulock_unlock(&sig_state.lock);
	if (a.sa_handler == SIG_IGN)
		return;
	if (a.sa_handler == SIG_DFL) {
		if (sig_default_ignores(sig))
			return;
		ksys_exit(128 + sig);
	}
	uint64_t old = self->sig_mask;
	uint64_t m = old | a.sa_mask;
	if (!(a.sa_flags & SA_NODEFER))
		m |= SIG_BIT(sig);
	__atomic_store_n(&self->sig_mask, m, __ATOMIC_SEQ_CST);
	self->sig_intr |= (a.sa_flags & SA_RESTART) ? 1 : 3;
	int saved_errno = errno;
	if (a.sa_flags & SA_SIGINFO) {
		siginfo_t si = {.si_signo = sig,
				.si_code = d->code,
				.si_pid = d->pid,
				.si_addr = d->addr,
				.si_value.sival_ptr = d->value};
		a.sa_sigaction(sig, &si, uc);
	} else {
		a.sa_handler(sig);
	}
	errno = saved_errno;
	__atomic_store_n(&self->sig_mask, old, __ATOMIC_SEQ_CST);
}

static void deliver(void *uc)
{
	struct posix_sigdetail d;
	int sig;
	while ((sig = sig_take(SIG_ALL & ~pthread_cur()->sig_mask, &d)))
		run_one(sig, &d, uc);
}

void posix_sig_deliver(void)
{
	deliver(NULL);
}

/* The signal of a fault's vector, with its si_code; 0 for none. */
static int fault_signal(const struct ksys_sigctx *ctx, int *code)
{
	switch (ctx->vector) {
	case 0: /* #DE */
		*code = FPE_INTDIV;
		return SIGFPE;
	case 16: /* #MF */
	case 19: /* #XM */
		*code = SI_KERNEL;
		return SIGFPE;
	case 6: /* #UD */
		*code = ILL_ILLOPC;
		return SIGILL;
	case 17: /* #AC */
		*code = BUS_ADRERR;
		return SIGBUS;
	case 14: /* #PF: present (protection) or not mapped */
		*code = (ctx->error & 1) ? SEGV_ACCERR : SEGV_MAPERR;
		return SIGSEGV;
	case 13: /* #GP: a non-canonical address */
	case 12: /* #SS */
		*code = SI_KERNEL;
		return SIGSEGV;
	default:
		return 0;
	}
}

/* A fault in the thread's code: its handler runs now, on this thread
 * (returning retries the access); with none (or the signal blocked, or
 * ignored, as Linux forces the default then) the kernel's crash report
 * ends the program as before signals existed. */
static void fault(struct ksys_sigctx *ctx)
{
	int code = 0, sig = fault_signal(ctx, &code);
	if (!sig)
		ksys_signal_crash(ctx);
	struct sigaction a = sig_action(sig);
	if (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN ||
	    (pthread_cur()->sig_mask & SIG_BIT(sig)))
		ksys_signal_crash(ctx);
	struct posix_sigdetail d = {code, 0, (void *)ctx->fault_addr, NULL};
	run_one(sig, &d, ctx);
}

void posix_sig_run(struct ksys_sigctx *ctx)
{
	if (ctx->vector < 32)
		fault(ctx);
	deliver(ctx);
}

void posix_sig_intr_clear(void)
{
	pthread_cur()->sig_intr = 0;
}

int posix_sig_intr(void)
{
	int f = pthread_cur()->sig_intr;
	return f == 0 ? 0 : (f & 2) ? -EINTR : 1;
}

int posix_sig_sleep(uint64_t ns)
{
	struct pthread *self = pthread_cur();
	uint32_t w = __atomic_load_n(&self->sig_word, __ATOMIC_SEQ_CST);
	posix_sig_deliver();
	if (self->sig_intr)
		return 0;
	int rc = ksys_futex_wait(&self->sig_word, w, ns);
	posix_sig_deliver(); /* a wake-up from a sender on another node */
	return rc == -ETIMEDOUT ? -ETIMEDOUT : 0;
}
