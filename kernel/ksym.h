/* kernel/ksym.h — symbol names of kernel code addresses (for messages). */
#ifndef KERNEL_KSYM_H
#define KERNEL_KSYM_H
/* The function containing addr, or "?" */
const char *ksym_name(const void *addr);
#endif
