/*
 * boot/entry.S — the first instructions: Multiboot2 header, PVH note, and
 * the 32-bit entry shared by both (protected mode, paging off). It builds
 * early page tables (identity map of the first 4 GiB, and the first 1 GiB
 * again at KERNEL_VIRT), enters long mode, jumps to the kernel's high
 * addresses, clears .bss and calls kernel_entry(eax, ebx).
 */
#define KERNEL_VIRT 0xffffffff80000000
#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* information request: module alignment (tag 6) and end */
	.balign 8
	.short 6, 0
	.long 8
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	/* PVH: QEMU's -kernel finds this note and enters at _start32. */
	.section .note.Xen, "a"
	.balign 4
	.long 4          /* name size */
	.long 8          /* desc size */
	.long 18         /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad _start32
	.balign 4
	/* Unum's own note for 64-bit loaders (boot/efi): type 0x100 holds the
	 * physical address of _start64. */
	.long 5
	.long 8
	.long 0x100
	.asciz "Unum"
	.balign 4
	.quad _start64
	.balign 4

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt_lo:	.skip 4096
boot_pdpt_hi:	.skip 4096
boot_pd:	.skip 4 * 4096
boot_stack:	.skip 4096
boot_stack_top:

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff   /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff   /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt              /* 8 bytes: _start64 loads it in long mode */
	.globl boot_entry_tsc
boot_entry_tsc:
	.quad 0

	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl %eax, %edi            /* loader magic (Multiboot2), kept for C */
	movl %ebx, %esi            /* info pointer (Multiboot2 or PVH) */
	rdtsc
	movl %eax, boot_entry_tsc
	movl %edx, boot_entry_tsc + 4
	movl $boot_stack_top, %esp

	/* .boot.bss is NOLOAD: clear the page tables ourselves. */
	push %edi
	movl $boot_pml4, %edi
	movl $(7 * 4096 / 4), %ecx
	xorl %eax, %eax
	rep stosl
	pop %edi

	movl $boot_pdpt_lo, %eax
	orl $3, %eax
	movl %eax, boot_pml4
	movl $boot_pdpt_hi, %eax
	orl $3, %eax
	movl %eax, boot_pml4 + 511 * 8

	/* 4 page directories of 2 MiB pages: identity 0..4 GiB */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd, %eax
	orl $3, %eax
	movl %eax, boot_pdpt_lo(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	/* KERNEL_VIRT (pdpt_hi[510]) -> the first GiB */
	movl $boot_pd, %eax
	orl $3, %eax
	movl %eax, boot_pdpt_hi + 510 * 8

	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax            /* present, writable, 2 MiB */
	movl %eax, boot_pd(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax             /* high half of (ecx << 21) */
	movl %eax, boot_pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	movl %cr4, %eax
	orl $(1 << 5), %eax        /* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx     /* EFER */
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax   /* LME, NXE */
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax   /* PG, WP, PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $start64_low

	.code64
	/*
	 * _start64: entry from a 64-bit loader (boot/efi): long mode, paging
	 * on with the low memory identity-mapped, interrupts off. edi holds
	 * BOOT_EFI_MAGIC and esi a struct boot_info the loader filled (below
	 * 4 GiB). Builds the same early tables as the 32-bit path.
	 */
	.globl _start64
_start64:
	cli
	cld
	movl %edi, %r8d
	movl %esi, %r9d
	rdtsc
	movl %eax, boot_entry_tsc
	movl %edx, boot_entry_tsc + 4
	movl $boot_stack_top, %esp
	movl $boot_pml4, %edi
	movl $(7 * 4096 / 4), %ecx
	xorl %eax, %eax
	rep stosl
	movl $boot_pdpt_lo, %eax
	orl $3, %eax
	movl %eax, boot_pml4
	movl $boot_pdpt_hi, %eax
	orl $3, %eax
	movl %eax, boot_pml4 + 511 * 8
	xorl %ecx, %ecx
4:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd, %eax
	orl $3, %eax
	movl %eax, boot_pdpt_lo(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 4b
	movl $boot_pd, %eax
	orl $3, %eax
	movl %eax, boot_pdpt_hi + 510 * 8
	xorl %ecx, %ecx
5:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, boot_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 5b
	movl $0xc0000080, %ecx     /* EFER.NXE (LME is on already) */
	rdmsr
	orl $(1 << 11), %eax
	wrmsr
	movl $boot_pml4, %eax
	movq %rax, %cr3
	lgdt boot_gdt_ptr
	movl %r8d, %edi
	movl %r9d, %esi
	pushq $0x08
	leaq start64_low(%rip), %rax
	pushq %rax
	lretq

start64_low:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movabsq $start64_high, %rax
	jmp *%rax

	.section .text.entry, "ax"
start64_high:
	/* clear .bss while still on the low boot stack */
	movq %rdi, %r12
	movq %rsi, %r13
	movabsq $__bss_start, %rdi
	movabsq $__bss_end, %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movabsq $boot_kstack_top, %rsp
	xorl %ebp, %ebp
	movl %r12d, %edi
	movl %r13d, %esi
	call kernel_entry
3:	cli
	hlt
	jmp 3b

	.bss
	.balign 16
	.globl boot_kstack
boot_kstack:
	.skip 16384
	.globl boot_kstack_top
boot_kstack_top:
