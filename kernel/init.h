/*
 * kernel/init.h — subsystem init functions registered into a linker
 * section by level, run in order by the boot sequence after the scheduler
 * is up. INITCALL(level, fn): level one of the INIT_* below, lower first;
 * within a level, in the order of the functions' names.
 *
 * The levels are macros, not an enum: the level is spelt into the section's
 * name (.initcalls.<digit>.<fn>), which the linker script sorts, so it must
 * reach the preprocessor as a digit.
 */
#ifndef KERNEL_INIT_H
#define KERNEL_INIT_H

typedef int (*initcall_fn)(void);

#define INIT_CORE     0 /* the node core: cross-CPU calls, futexes */
#define INIT_PLATFORM 1 /* the platform's own devices: the RTC */
/* 2 and 3: free */
#define INIT_BUS       4 /* buses enumerated: PCI */
#define INIT_DEVICES   5 /* drivers bound to the buses' devices: the NICs */
#define INIT_TRANSPORT 6 /* the cluster transport up, the nodes joined */
#define INIT_NET_SVC   7 /* what services build on: RPC, echo, the policy */
#define INIT_CLUSTER   8 /* services register: DSM, locks, threads */
#define INIT_READY     9 /* all registered: messages flow, balancer, app */

#define INITCALL(level, fn) INITCALL_(level, fn)
#define INITCALL_(level, fn)                                                   \
	_Static_assert((level) >= INIT_CORE && (level) <= INIT_READY,          \
		       "INITCALL: a level of kernel/init.h");                  \
	static const initcall_fn initcall_##fn __attribute__((                 \
	    used, section(".initcalls." #level "." #fn), aligned(8))) = fn

void run_initcalls(void);

#endif
