/*
 * kernel/init.c — runs the registered initcalls in level order.
 */
#include "kernel/init.h"
#include "kernel/ksym.h"
#include "kernel/log.h"

extern const initcall_fn __initcalls_start[], __initcalls_end[];

void run_initcalls(void)
{
	for (const initcall_fn *f = __initcalls_start; f < __initcalls_end;
	     f++) {
		int rc = (*f)();
		if (rc)
			pr_err("init", "%s failed: %d",
			       ksym_name((const void *)*f), rc);
	}
}
