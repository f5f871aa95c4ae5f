/*
 * arch/x86_64/paging.c — 4-level page tables: the direct map of RAM (2 MiB
 * pages, NX), the kernel image with 4 KiB pages (text RX, rodata R, data RW,
 * NX everywhere but text), and the single-page API of mm/vm.h.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/frame.h"
#include "mm/vm.h"

#define PTE_P	 (1ull << 0)
#define PTE_W	 (1ull << 1)
#define PTE_PWT	 (1ull << 3)
#define PTE_PCD	 (1ull << 4)
#define PTE_PS	 (1ull << 7)
#define PTE_G	 (1ull << 8)
#define PTE_NX	 (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define MMIO_BASE 0xffffc00000000000ul

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[],
    __data_start[], __kernel_end[];

static struct spinlock vm_lock = SPINLOCK_INIT;
static uint64_t *pml4;			/* (vm_lock) the one top-level table */
static uint64_t direct_top;		/* (c) after vm_init */
static uintptr_t mmio_next = MMIO_BASE; /* (vm_lock) */
static bool vm_ready; /* (c) tables live: use the direct map */

/* Before the switch, tables are reached through the boot identity map. */
static uint64_t *table_ptr(uint64_t pa)
{
	return vm_ready ? phys_to_virt(pa) : (uint64_t *)(uintptr_t)pa;
}

static uint64_t new_table(void)
{
	uint64_t pa = vm_ready ? frame_alloc(0) : frame_early_alloc(PAGE_SIZE);
	if (!pa)
		return 0;
	memset(table_ptr(pa), 0, PAGE_SIZE);
	return pa;
}

/* Walks to the page-table entry for va at `level` (1 = PT .. 3 = PD),
 * creating intermediate tables when `create`. NULL if absent or no memory. */
static uint64_t *walk(uintptr_t va, int level, bool create)
{
	uint64_t *t = pml4;
	for (int l = 4; l > level; l--) {
		unsigned idx = (va >> (12 + 9 * (l - 1))) & 511;
		uint64_t e = t[idx];
		if (!(e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t pa = new_table();
			if (!pa)
				return NULL;
			e = t[idx] = pa | PTE_P | PTE_W;
		} else if (e & PTE_PS) {
			return NULL; /* inside a large page */
		}
		t = table_ptr(e & PTE_ADDR);
	}
	return &t[(va >> (12 + 9 * (level - 1))) & 511];
}

static uint64_t prot_bits(unsigned prot)
{
	uint64_t b = PTE_P;
	if (prot & VM_WRITE)
		b |= PTE_W;
	if (!(prot & VM_EXEC))
		b |= PTE_NX;
	if (prot & VM_UNCACHED)
		b |= PTE_PCD | PTE_PWT;
	return b;
}

static void map_image_range(char *start, char *end, unsigned prot)
{
	for (uintptr_t va = (uintptr_t)start; va < (uintptr_t)end;
	     va += PAGE_SIZE) {
		uint64_t *pte = walk(va, 1, true);
		if (!pte)
			panic("vm: out of memory mapping the kernel image");
		*pte = (va - KERNEL_VIRT) | prot_bits(prot) | PTE_G;
	}
}

void vm_init(uint64_t phys_top)
{
	uint64_t root = new_table();
	if (!root)
		panic("vm: no memory for page tables");
	pml4 = table_ptr(root);

	/* at least the first 4 GiB (ACPI tables, device registers below 4G) */
	direct_top = phys_top < (4ull << 30) ? (4ull << 30) : phys_top;
	direct_top = (direct_top + (1ull << 30) - 1) & ~((1ull << 30) - 1);
	for (uint64_t pa = 0; pa < direct_top; pa += 2ull << 20) {
		uint64_t *pde = walk(DIRECT_MAP + pa, 2, true);
		if (!pde)
			panic("vm: out of memory building the direct map");
		*pde = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
	}
	map_image_range(__text_start, __text_end, VM_READ | VM_EXEC);
	map_image_range(__rodata_start, __rodata_end, VM_READ);
	map_image_range(__data_start, __kernel_end, VM_READ | VM_WRITE);

	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(root);
	vm_ready = true;
	pml4 = phys_to_virt(root); /* the identity map is gone */
	pr_info("vm",
		"direct map %lu MiB; image text %lu KiB RX, rodata %lu KiB R, "
		"data %lu KiB RW",
		direct_top >> 20, (uint64_t)(__text_end - __text_start) >> 10,
		(uint64_t)(__rodata_end - __rodata_start) >> 10,
		(uint64_t)(__kernel_end - __data_start) >> 10);
}

uint64_t vm_direct_map_top(void)
{
	return direct_top;
}

static bool va_reserved(uintptr_t va)
{
	return (va >= DIRECT_MAP && va < DIRECT_MAP + direct_top) ||
	       (va >= KERNEL_VIRT && va < (uintptr_t)__kernel_end);
}

int vm_map_page(uintptr_t va, uint64_t pa, unsigned prot)
{
	if ((va | pa) & (PAGE_SIZE - 1) || va_reserved(va))
		return -EINVAL;
	unsigned long f = spin_lock_irqsave(&vm_lock);
	int rc = 0;
	uint64_t *pte = walk(va, 1, true);
	if (!pte)
		rc = -ENOMEM;
	else if (*pte & PTE_P)
		rc = -EEXIST;
	else
		*pte = pa | prot_bits(prot);
	spin_unlock_irqrestore(&vm_lock, f);
	return rc;
}

int vm_unmap_page(uintptr_t va, uint64_t *pa_out)
{
	if (va & (PAGE_SIZE - 1) || va_reserved(va))
		return -EINVAL;
	unsigned long f = spin_lock_irqsave(&vm_lock);
	int rc = 0;
	uint64_t *pte = walk(va, 1, false);
	if (!pte || !(*pte & PTE_P)) {
		rc = -ENOENT;
	} else {
		if (pa_out)
			*pa_out = *pte & PTE_ADDR;
		*pte = 0;
	}
	spin_unlock_irqrestore(&vm_lock, f);
	if (!rc) /* shoot down with no lock held: other CPUs must answer */
		vm_flush_page(va);
	return rc;
}

int vm_protect_page(uintptr_t va, unsigned prot)
{
	if (va & (PAGE_SIZE - 1) || va_reserved(va))
		return -EINVAL;
	unsigned long f = spin_lock_irqsave(&vm_lock);
	int rc = 0;
	uint64_t *pte = walk(va, 1, false);
	if (!pte || !(*pte & PTE_P)) {
		rc = -ENOENT;
	} else {
		*pte = (*pte & PTE_ADDR) | prot_bits(prot);
	}
	spin_unlock_irqrestore(&vm_lock, f);
	if (!rc)
		vm_flush_page(va);
	return rc;
}

bool vm_query(uintptr_t va, uint64_t *pa, unsigned *prot)
{
	unsigned long f = spin_lock_irqsave(&vm_lock);
	uint64_t *pte = walk(va & ~(PAGE_SIZE - 1), 1, false);
	bool ok = pte && (*pte & PTE_P);
	if (ok) {
		if (pa)
			*pa = (*pte & PTE_ADDR) | (va & (PAGE_SIZE - 1));
		if (prot)
			*prot = VM_READ | (*pte & PTE_W ? VM_WRITE : 0) |
				(*pte & PTE_NX ? 0 : VM_EXEC);
	}
	spin_unlock_irqrestore(&vm_lock, f);
	return ok;
}

void *vm_map_mmio(uint64_t pa, uint64_t len)
{
	uint64_t off = pa & (PAGE_SIZE - 1);
	uint64_t n = (off + len + PAGE_SIZE - 1) / PAGE_SIZE;
	unsigned long f = spin_lock_irqsave(&vm_lock);
	uintptr_t va = mmio_next;
	mmio_next += (n + 1) * PAGE_SIZE; /* one guard page */
	spin_unlock_irqrestore(&vm_lock, f);
	for (uint64_t i = 0; i < n; i++)
		if (vm_map_page(va + i * PAGE_SIZE, (pa - off) + i * PAGE_SIZE,
				VM_READ | VM_WRITE | VM_UNCACHED))
			return NULL;
	return (void *)(va + off);
}
