/* kernel/percpu_asm.h — struct cpu offsets for assembly (checked in
 * kernel/percpu.h). */
#ifndef KERNEL_PERCPU_ASM_H
#define KERNEL_PERCPU_ASM_H
#define CPU_KSTACK_LO_OFF  8
#define CPU_KSTACK_TOP_OFF 16
#endif
