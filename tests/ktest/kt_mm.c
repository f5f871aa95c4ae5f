/*
 * tests/ktest/kt_mm.c — frames, kmalloc, the page-table API, W^X of the
 * image, and a deliberate page fault resolved by the fault hook.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/kstring.h"
#include "kernel/thread.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"

KTEST(mm, frames_all_orders)
{
	uint64_t before = frame_free_count();
	uint64_t pa[11];
	for (unsigned o = 0; o <= 10; o++) {
		pa[o] = frame_alloc(o);
		KT_ASSERT(pa[o]);
		KT_EQ(pa[o] & ((PAGE_SIZE << o) - 1),
		      0); /* naturally aligned */
		memset(phys_to_virt(pa[o]), (int)o, PAGE_SIZE << o);
	}
	for (unsigned o = 0; o <= 10; o++) {
		uint8_t *p = phys_to_virt(pa[o]);
		KT_EQ(p[0], o);
		KT_EQ(p[(PAGE_SIZE << o) - 1], o);
		frame_free(pa[o], o);
	}
	KT_EQ(frame_free_count(), before);
}

KTEST(mm, kmalloc_sizes_no_overlap)
{
	static void *p[64];
	static const size_t sizes[] = {1,   8,	  16,	24,   100,
				       500, 2048, 3000, 9000, 70000};
	for (int i = 0; i < 64; i++) {
		size_t sz = sizes[i % 10];
		p[i] = kmalloc(sz);
		KT_ASSERT(p[i]);
		KT_EQ((uintptr_t)p[i] & 15, 0);
		memset(p[i], i, sz);
	}
	for (int i = 0; i < 64; i++) {
		size_t sz = sizes[i % 10];
		uint8_t *b = p[i];
		KT_EQ(b[0], i);
		KT_EQ(b[sz - 1], i);
		kfree(p[i]);
	}
	KT_ASSERT(kmalloc(0) == NULL || 1);
	kfree(NULL);
}

#define TEST_VA 0x0000004000000000ul

KTEST(mm, map_protect_unmap)
{
	uint64_t pa = frame_alloc(0), got;
	unsigned prot;
	KT_ASSERT(pa);
	KT_EQ(vm_map_page(TEST_VA, pa, VM_READ | VM_WRITE), 0);
	KT_EQ(vm_map_page(TEST_VA, pa, VM_READ), -EEXIST);
	KT_EQ(vm_map_page(TEST_VA + 1, pa, VM_READ), -EINVAL);
	KT_EQ(vm_map_page(DIRECT_MAP, pa, VM_READ), -EINVAL);
	*(volatile uint64_t *)TEST_VA = 0x1234567890abcdefull;
	KT_EQ(*(uint64_t *)phys_to_virt(pa), 0x1234567890abcdefull);
	KT_ASSERT(vm_query(TEST_VA + 8, &got, &prot));
	KT_EQ(got, pa + 8);
	KT_EQ(prot, VM_READ | VM_WRITE);
	KT_EQ(vm_protect_page(TEST_VA, VM_READ), 0);
	KT_ASSERT(vm_query(TEST_VA, NULL, &prot));
	KT_EQ(prot, VM_READ);
	KT_EQ(vm_unmap_page(TEST_VA, &got), 0);
	KT_EQ(got, pa);
	KT_ASSERT(!vm_query(TEST_VA, NULL, NULL));
	KT_EQ(vm_unmap_page(TEST_VA, NULL), -ENOENT);
	KT_EQ(vm_protect_page(TEST_VA, VM_READ), -ENOENT);
	frame_free(pa, 0);
}

extern char __text_start[], __rodata_start[], __data_start[];

KTEST(mm, image_is_w_xor_x)
{
	unsigned prot;
	KT_ASSERT(vm_query((uintptr_t)__text_start, NULL, &prot));
	KT_EQ(prot, VM_READ | VM_EXEC);
	KT_ASSERT(vm_query((uintptr_t)__rodata_start, NULL, &prot));
	KT_EQ(prot, VM_READ);
	KT_ASSERT(vm_query((uintptr_t)__data_start, NULL, &prot));
	KT_EQ(prot, VM_READ | VM_WRITE);
}

/* The fault hook maps a fresh zeroed page at the faulting address. */
#define FAULT_VA 0x0000004000200000ul
static volatile int hook_calls;
static volatile uint64_t hook_addr, hook_error;

static bool map_on_fault(struct trap_frame *tf, uint64_t addr)
{
	if ((addr & ~(PAGE_SIZE - 1)) != FAULT_VA)
		return false;
	hook_calls++;
	hook_addr = addr;
	hook_error = tf->error;
	uint64_t pa = frame_alloc(0);
	if (!pa)
		return false;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return vm_map_page(FAULT_VA, pa, VM_READ | VM_WRITE) == 0;
}

KTEST(mm, page_fault_hook)
{
	hook_calls = 0;
	trap_set_pf_hook(map_on_fault);
	uint64_t v = *(volatile uint64_t *)(FAULT_VA + 16); /* faults once */
	*(volatile uint64_t *)(FAULT_VA + 16) = 42;	    /* mapped now */
	trap_set_pf_hook(NULL);
	KT_EQ(v, 0);
	KT_EQ(hook_calls, 1);
	KT_EQ(hook_addr, FAULT_VA + 16);
	KT_EQ(hook_error & 3, 0); /* a read of a non-present page */
	KT_EQ(*(volatile uint64_t *)(FAULT_VA + 16), 42);
	uint64_t pa;
	KT_EQ(vm_unmap_page(FAULT_VA, &pa), 0);
	frame_free(pa, 0);
}
