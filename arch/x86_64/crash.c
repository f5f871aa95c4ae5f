/*
 * arch/x86_64/crash.c — the crash report: vector, error code, RIP, CR2,
 * registers and a symbolised backtrace, then a stop (in test mode, QEMU
 * exits with the panic status).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/ksym.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/thread.h"

struct ksym {
	uint64_t addr;
	uint64_t name_off;
};
extern const struct {
	uint64_t count;
	struct ksym syms[];
} ksyms_table;
extern const char ksyms_names[];
extern char __text_start[], __text_end[], __kernel_start[], __kernel_end[];

static const char *const vector_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
};

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_table.count;

	if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end ||
	    !hi)
		return NULL;
	while (hi - lo > 1) { /* last symbol with address <= addr */
		uint64_t mid = (lo + hi) / 2;
		if (ksyms_table.syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_table.syms[lo].addr > addr)
		return NULL;
	*offset = addr - ksyms_table.syms[lo].addr;
	return ksyms_names + ksyms_table.syms[lo].name_off;
}

static void print_addr(const char *prefix, uint64_t a)
{
	uint64_t off;
	const char *s = ksym_lookup(a, &off);
	if (s)
		kprintf("%s%016lx <%s+0x%lx>\n", prefix, a, s, off);
	else
		kprintf("%s%016lx\n", prefix, a);
}

/* A frame pointer is followed only while it points into kernel memory that
 * is always mapped: the image (stacks of boot) or the direct map (thread
 * stacks come from the heap). */
static bool frame_ok(uint64_t rbp)
{
	if (rbp & 7)
		return false;
	if (rbp >= (uint64_t)__kernel_start &&
	    rbp + 16 <= (uint64_t)__kernel_end)
		return true;
	return rbp >= DIRECT_MAP && rbp < DIRECT_MAP + (64ull << 30);
}

void backtrace_print(uint64_t rbp, uint64_t rip)
{
	kprintf("backtrace:\n");
	print_addr("  ", rip);
	for (int depth = 0; depth < 32 && frame_ok(rbp); depth++) {
		const uint64_t *f = (const uint64_t *)rbp;
		if (!f[1])
			break;
		print_addr("  ", f[1]);
		if (f[0] <= rbp)
			break;
		rbp = f[0];
	}
}

void crash_report(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	uint64_t v = tf->vector;

	console_break_lock();
	kprintf("\n*** CPU EXCEPTION vector=%lu (%s) error=0x%lx cpu=%d "
		"thread=%s\n",
		v, v < 32 && vector_names[v] ? vector_names[v] : "unexpected",
		tf->error, c ? c->id : -1,
		c && c->current ? c->current->name : "-");
	print_addr("RIP=", tf->rip);
	kprintf("CR2=%016lx CR3=%016lx CS=%lx RFLAGS=%016lx\n", read_cr2(),
		read_cr3(), tf->cs, tf->rflags);
	if (v == VEC_PF)
		kprintf("page fault: %s %s address, %s\n",
			tf->error & 2 ? "write to" : "read from",
			tf->error & 1 ? "protected" : "unmapped",
			tf->error & 16 ? "instruction fetch" : "data access");
	kprintf("RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n", tf->rax,
		tf->rbx, tf->rcx, tf->rdx);
	kprintf("RSI=%016lx RDI=%016lx RBP=%016lx RSP=%016lx\n", tf->rsi,
		tf->rdi, tf->rbp, tf->rsp);
	kprintf("R8 =%016lx R9 =%016lx R10=%016lx R11=%016lx\n", tf->r8, tf->r9,
		tf->r10, tf->r11);
	kprintf("R12=%016lx R13=%016lx R14=%016lx R15=%016lx\n", tf->r12,
		tf->r13, tf->r14, tf->r15);
	backtrace_print(tf->rbp, tf->rip);
	kernel_stop();
}

const char *ksym_name(const void *addr)
{
	uint64_t off;
	const char *s = ksym_lookup((uint64_t)addr, &off);
	return s ? s : "?";
}
