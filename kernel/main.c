/*
 * kernel/main.c — the boot sequence of a Unum node, one step a line.
 *
 * kernel_entry runs on the boot CPU, on the boot stack, with the early page
 * tables of boot/entry.S (the first 4 GiB identity-mapped). It becomes the
 * node's first thread ("main").
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/trap.h"
#include "boot/boot_info.h"
#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/ksys.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/thread.h"
#include "kernel/version.h"
#include "mm/frame.h"
#include "mm/gas.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"

void kernel_entry(uint32_t magic, uint32_t info);
void arch_fpu_cpu_init(void);
void frame_early_init(const struct boot_info *bi);
struct thread *thread_alloc_struct(const char *name, int prio);

static struct boot_info boot_info; /* (c) filled once, read by all */
static struct cpu cpu0;
static struct thread boot_thread;
static uint8_t boot_fpu[512] __attribute__((aligned(16)));
extern uint8_t boot_kstack[];
extern uint64_t boot_entry_tsc; /* physical, in .boot.data */
static uint64_t entry_tsc;
static bool boot_fatal; /* a fatal config error was reported */

/* ---- step helpers ------------------------------------------------------- */

static void percpu_boot_init(void)
{
	cpu0.self = &cpu0;
	cpu0.id = 0;
	cpus[0] = &cpu0;
	nr_cpus = 1;
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
	boot_thread.fpu = boot_fpu;
	boot_thread.stack = boot_kstack;
	boot_thread.tid = 0;
	boot_thread.prio = PRIO_DEFAULT;
	boot_thread.affinity = CPUMASK_ALL;
	kstrlcpy(boot_thread.name, "main", sizeof(boot_thread.name));
	spin_lock_init(&boot_thread.join_lock);
	list_init(&boot_thread.rq_link);
	cpu0.current = &boot_thread;
	cpu0.kstack_lo = (uintptr_t)boot_kstack;
	cpu0.kstack_top = (uintptr_t)boot_kstack + KSTACK_SIZE;
}

static bool ident_read(uint64_t phys, void *dst, size_t len, void *ctx)
{
	(void)ctx;
	if (phys + len < phys || phys + len > (4ull << 30))
		return false;
	memcpy(dst, (const void *)(uintptr_t)phys, len);
	return true;
}

static void parse_boot_info(uint32_t magic, uint32_t info)
{
	char err[200];
	int rc;

	if (magic == BOOT_EFI_MAGIC) {
		const struct boot_info *src = (const void *)(uintptr_t)info;
		if (src->version != BOOT_INFO_VERSION ||
		    src->size != sizeof(struct boot_info))
			panic(
			    "boot: the EFI loader's boot_info is version %u size "
			    "%u; this kernel needs version %u size %zu",
			    src->version, src->size, BOOT_INFO_VERSION,
			    sizeof(struct boot_info));
		boot_info = *src;
		boot_info.source = BOOT_SRC_EFI;
		boot_info.cmdline[BOOT_CMDLINE_MAX - 1] = 0;
		boot_info.loader[BOOT_LOADER_MAX - 1] = 0;
		if (boot_info.nr_mmap > BOOT_MAX_MMAP)
			boot_info.nr_mmap = BOOT_MAX_MMAP;
		if (boot_info.nr_modules > BOOT_MAX_MODULES)
			boot_info.nr_modules = BOOT_MAX_MODULES;
		boot_mmap_normalize(&boot_info);
		return;
	}
	if (info && *(const uint32_t *)(uintptr_t)info == PVH_START_MAGIC)
		rc = pvh_parse((const void *)(uintptr_t)info, 4096, ident_read,
			       NULL, &boot_info, err, sizeof(err));
	else if (magic == MB2_BOOTLOADER_MAGIC)
		rc = mb2_parse((const void *)(uintptr_t)info, 1u << 20,
			       &boot_info, err, sizeof(err));
	else
		panic("boot: unknown loader (eax=0x%x, ebx=0x%x): neither "
		      "Multiboot2 nor PVH",
		      magic, info);
	if (rc)
		panic("boot: %s", err);
	if (boot_info.cmdline_truncated)
		pr_warn("boot", "command line truncated to %d bytes",
			BOOT_CMDLINE_MAX - 1);
	if (boot_info.mmap_truncated)
		pr_warn("boot", "memory map truncated to %d regions",
			BOOT_MAX_MMAP);
	if (boot_info.modules_truncated)
		pr_warn("boot", "only the first %d modules are used",
			BOOT_MAX_MODULES);
}

/* A module must lie in usable RAM; one that does not is dropped. */
static void check_modules(void)
{
	uint32_t kept = 0;
	for (uint32_t i = 0; i < boot_info.nr_modules; i++) {
		struct boot_module *m = &boot_info.modules[i];
		bool ok = false;
		for (uint32_t r = 0; r < boot_info.nr_mmap; r++) {
			struct boot_mem_region *g = &boot_info.mmap[r];
			if (g->type == BOOT_MEM_USABLE && m->base >= g->base &&
			    m->base + m->len >= m->base &&
			    m->base + m->len <= g->base + g->len)
				ok = true;
		}
		if (!ok) {
			pr_err("boot",
			       "module '%s' (%lu bytes at 0x%lx) does not "
			       "fit in usable memory; ignored",
			       m->name, m->len, m->base);
			continue;
		}
		boot_info.modules[kept++] = *m;
	}
	boot_info.nr_modules = kept;
}

static void config_report(void *ctx, bool fatal, const char *msg)
{
	(void)ctx;
	if (fatal)
		boot_fatal = true;
	klog(fatal ? LOG_ERR : LOG_WARN, "boot", "%s", msg);
}

/* A module is the boot configuration when its name is "config" or ends in
 * ".cfg" (GRUB: `module2 /boot/unum.cfg config`). */
static bool module_is_config(const struct boot_module *m)
{
	size_t n = strlen(m->name);
	const char *base = m->name;
	for (const char *p = m->name; *p; p++)
		if (*p == '/' || *p == ' ')
			base = p + 1;
	return !strncmp(m->name, "config", 6) || !strcmp(base, "config") ||
	       (n >= 4 && !strcmp(m->name + n - 4, ".cfg"));
}

void ksys_set_initrd(const void *data, size_t len);

/* The first module that is not the configuration is the initrd (a cpio
 * archive the POSIX layer mounts read-only at /). */
static void find_initrd(void)
{
	for (uint32_t i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		if (!module_is_config(m)) {
			ksys_set_initrd(phys_to_virt(m->base), m->len);
			pr_info("boot", "initrd: module '%s', %lu bytes",
				m->name, m->len);
			return;
		}
	}
}

/* True if `tok` appears in s as a whole whitespace-separated word. */
static bool strstr_token(const char *s, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		const char *e = p;
		while (*e && *e != ' ' && *e != '\t' && *e != '\n')
			e++;
		if ((size_t)(e - p) == n && !strncmp(p, tok, n))
			return true;
		p = e;
	}
	return false;
}

static void load_config(void)
{
	if (config_boot_init())
		panic("config: the key table is broken");
	for (uint32_t i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		if (!module_is_config(m))
			continue;
		if (m->len > 65536) {
			pr_err("boot",
			       "config module '%s' is %lu bytes (max 65536)",
			       m->name, m->len);
			boot_fatal = true;
			continue;
		}
		config_parse(&boot_config, (const char *)(uintptr_t)m->base,
			     m->len, CFG_SRC_MODULE, config_report, NULL);
	}
	config_parse(&boot_config, boot_info.cmdline, strlen(boot_info.cmdline),
		     CFG_SRC_CMDLINE, config_report, NULL);
	power_set_test_mode(config_bool("test.mode"));
	console_set_level((enum log_level)config_enum("log.level"));
	console_set_timestamps(config_bool("console.timestamps"));
	if (boot_fatal) {
		/* the parser stops at the first error: test.mode after it was
		 * never read, and a test run must still leave QEMU */
		if (strstr_token(boot_info.cmdline, "test.mode=1"))
			power_set_test_mode(true);
		pr_err("boot", "stopping: fix the boot configuration above");
		kernel_stop();
	}
}

static uint64_t ram_top(uint64_t mem_max)
{
	uint64_t top = 0;
	for (uint32_t i = 0; i < boot_info.nr_mmap; i++)
		if (boot_info.mmap[i].type == BOOT_MEM_USABLE &&
		    boot_info.mmap[i].base + boot_info.mmap[i].len > top)
			top = boot_info.mmap[i].base + boot_info.mmap[i].len;
	return mem_max && top > mem_max ? mem_max : top;
}

static void *kpages_alloc(unsigned order, void *ctx)
{
	(void)ctx;
	uint64_t pa = frame_alloc(order);
	return pa ? phys_to_virt(pa) : NULL;
}

static void kpages_free(void *p, unsigned order, void *ctx)
{
	(void)ctx;
	frame_free(virt_to_phys(p), order);
}

static const struct slab_page_ops kernel_pages = {
    .alloc_pages = kpages_alloc,
    .free_pages = kpages_free,
};

static void tick_handler(struct trap_frame *tf)
{
	(void)tf;
	timer_tick();
	sched_tick();
}

static void start_clock(void)
{
	uint64_t tsc_hz;
	uint32_t lapic_hz;

	pic_disable();
	lapic_init();
	cpu0.apic_id = lapic_id();
	ioapic_init(0xfec00000);
	lapic_calibrate(&tsc_hz, &lapic_hz);
	clock_init(tsc_hz, entry_tsc);
	pr_info("time", "TSC %lu.%03lu MHz (%s), LAPIC timer %u kHz, %s",
		tsc_hz / 1000000, tsc_hz / 1000 % 1000,
		tsc_invariant() ? "invariant"
				: "not invariant: clock may drift "
				  "with power states",
		lapic_hz / 1000, lapic_x2apic() ? "x2APIC" : "xAPIC");
}

static void start_ticks(void)
{
	timer_set_hz((uint32_t)config_uint("sched.hz"));
	sched_set_slice_ms((uint32_t)config_uint("sched.slice_ms"));
	trap_register(VEC_TIMER, tick_handler);
	lapic_timer_start(timer_hz());
	arch_irq_enable();
}

static void cpu_brand(char *buf, size_t len)
{
	if (cpuid(0x80000000, 0).eax < 0x80000004) {
		kstrlcpy(buf, "unknown x86_64", len);
		return;
	}
	uint32_t r[12];
	for (int i = 0; i < 3; i++) {
		struct cpuid_regs c = cpuid(0x80000002 + i, 0);
		r[i * 4] = c.eax, r[i * 4 + 1] = c.ebx, r[i * 4 + 2] = c.ecx,
		      r[i * 4 + 3] = c.edx;
	}
	char tmp[49];
	memcpy(tmp, r, 48);
	tmp[48] = 0;
	const char *s = tmp;
	while (*s == ' ')
		s++;
	kstrlcpy(buf, s, len);
}

static void banner_key(void *ctx, const struct cfg_key *k, const char *value,
		       enum cfg_source src)
{
	(void)ctx;
	if (src != CFG_SRC_DEFAULT)
		kprintf("  %s=%s (%s)\n", k->name, value, cfg_source_name(src));
}

static const char *const boot_src_names[] = {"none", "multiboot2", "pvh",
					     "efi"};

static void banner(void)
{
	char brand[64];
	cpu_brand(brand, sizeof(brand));
	kprintf("\nUnum %s (x86_64) - %s\n", UNUM_VERSION, UNUM_VERSION_TEXT);
	kprintf("  cpu: %d x %s\n", nr_cpus, brand);
	kprintf("  memory: %lu MiB usable, %lu MiB free\n",
		(frame_total_count() * PAGE_SIZE) >> 20,
		(frame_free_count() * PAGE_SIZE) >> 20);
	kprintf("  boot: %s%s%s, %u module(s)\n",
		boot_src_names[boot_info.source],
		boot_info.loader[0] ? " via " : "", boot_info.loader,
		boot_info.nr_modules);
	kprintf("  boot keys in force:\n");
	config_foreach(&boot_config, banner_key, NULL);
}

static void debug_crash(const char *what)
{
	pr_warn("debug", "crashing on purpose (debug.crash=%s)", what);
	if (!strcmp(what, "pagefault"))
		*(volatile uint64_t *)0xdead000 = 1;
	else if (!strcmp(what, "gpf"))
		*(volatile uint64_t *)0x8000000000000000ull =
		    1; /* non-canonical */
	else if (!strcmp(what, "divzero")) {
		volatile int z = 0;
		__asm__ volatile("divl %0" : : "r"(z) : "eax", "edx");
	} else if (!strcmp(what, "ud"))
		__asm__ volatile("ud2");
	else if (!strcmp(what, "doublefault")) {
		/* a page fault whose gate is missing: #NP while delivering
		 * #PF is a double fault */
		idt_set_present(VEC_PF, false);
		*(volatile uint64_t *)0xdead000 = 1;
	}
	panic("debug.crash=%s did not crash", what);
}

/* ---- the boot sequence -------------------------------------------------- */

void kernel_entry(uint32_t magic, uint32_t info)
{
	entry_tsc = boot_entry_tsc; /* TSC at the first instruction */
	percpu_boot_init();	    /* GS base -> CPU 0, we are "main" */
	serial_init();		    /* console on COM1 */
	gdt_init_cpu(0);	    /* GDT, TSS, IST stacks */
	idt_init();		    /* exception and interrupt vectors */
	idt_load();
	arch_fpu_cpu_init();	      /* x87/SSE on, clean FPU template */
	parse_boot_info(magic, info); /* Multiboot2 or PVH -> boot_info */
	load_config();		      /* config module, then command line */
	check_modules();	      /* drop modules outside usable RAM */
	frame_early_init(&boot_info); /* bump pool for the first tables */
	vm_init(ram_top(config_uint("mem.max"))); /* direct map, W^X image */
	frame_init(&boot_info, config_uint("mem.max")); /* buddy over RAM */
	if (kmalloc_init(&kernel_pages))		/* slab caches */
		panic("mm: kmalloc_init failed");
	gas_init();		      /* first-touch global address space */
	find_initrd();		      /* the application's read-only files */
	acpi_kernel_init(&boot_info); /* tables for power-off (and SMP) */
	start_clock();		      /* LAPIC, IOAPIC, TSC/LAPIC calibration */
	sched_cpu_start(&cpu0, &boot_thread,
			false); /* run queue, idle thread */
	start_ticks();		/* periodic tick, interrupts on */
	smp_boot();		/* the other CPUs (ACPI MADT) */
	run_initcalls();	/* subsystems registered by section */
	banner();		/* who we are, keys in force */
	uint64_t ready_us = clock_cycles_to_ns(arch_rdtsc() - entry_tsc) / 1000;
	kprintf("unum: boot-time entry_to_ready_us=%lu\n", ready_us);
	kprintf("unum: ready\n");

	int status = 0;
	const char *crash = config_str("debug.crash");
	if (strcmp(crash, "none"))
		debug_crash(crash);
	if (config_str("ktest")[0])
		status = ktest_run(config_str("ktest")) ? 1 : 0;
	if (config_str("bench")[0])
		bench_run(config_str("bench"));
	if (!config_str("ktest")[0] && !config_str("bench")[0]) {
		int rc = ksys_run_app(); /* the application's main() */
		if (rc == -ENOENT)
			pr_info("unum",
				"no application linked in: nothing to run");
		else
			status = rc;
	}
	power_off(status);
}
