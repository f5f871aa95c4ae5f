/*
 * mm/vm.h — the kernel page-table API (one address space: Unum is a
 * unikernel). Later the DSM maps, unmaps and re-protects single 4 KiB pages
 * of the global address space through it.
 *
 * All functions take the page-table lock; they may be called from any
 * thread, with interrupts on or off (not from NMI). Changes are made visible
 * on the calling CPU (invlpg); other CPUs through vm_shootdown (SMP).
 */
#ifndef MM_VM_H
#define MM_VM_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE  4096ul
#define PAGE_SHIFT 12

/* Protection bits. */
#define VM_READ	    0x1
#define VM_WRITE    0x2
#define VM_EXEC	    0x4
#define VM_UNCACHED 0x8

/* Build the kernel's page tables (direct map of [0, phys_top), the image
 * mapped W^X) and switch to them. */
void vm_init(uint64_t phys_top);
/* Map one 4 KiB page. -EEXIST if mapped, -ENOMEM, -EINVAL if unaligned or
 * inside the direct map/image. */
int vm_map_page(uintptr_t va, uint64_t pa, unsigned prot);
/* Unmap one page; -ENOENT if not mapped. *pa_out gets the frame if non-NULL. */
int vm_unmap_page(uintptr_t va, uint64_t *pa_out);
/* Change a mapped page's protection; -ENOENT if not mapped. */
int vm_protect_page(uintptr_t va, unsigned prot);
/* Look up a mapping; false if unmapped. */
bool vm_query(uintptr_t va, uint64_t *pa, unsigned *prot);
/* Map a device's registers uncached (any alignment); NULL on failure. */
void *vm_map_mmio(uint64_t pa, uint64_t len);
/* Highest physical address covered by the direct map. */
uint64_t vm_direct_map_top(void);

/* Invalidates one page in the TLB of every online CPU and returns when all
 * have done it (arch/x86_64/smp.c). Safe with spinlocks held: CPUs spinning
 * with interrupts off still service the request (kernel/smp.h). */
void vm_flush_page(uintptr_t va);

#endif
