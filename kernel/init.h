/*
 * kernel/init.h — subsystem init functions registered into a linker
 * section by level, run in order by the boot sequence after the scheduler
 * is up. INITCALL(level, fn): level 0..9, lower first.
 */
#ifndef KERNEL_INIT_H
#define KERNEL_INIT_H

typedef int (*initcall_fn)(void);

#define INITCALL(level, fn)                                                \
	static const initcall_fn initcall_##fn                             \
		__attribute__((used, section(".initcalls." #level "." #fn), \
			       aligned(8))) = fn

void run_initcalls(void);

#endif
