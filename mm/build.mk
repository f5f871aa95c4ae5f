# mm/ — physical frames, kernel heap, page tables, the global address space
# (node-local; the DSM that keeps the GAS coherent is in cluster/).
KERNEL_SRCS += mm/buddy.c mm/slab.c mm/kmalloc.c mm/frame.c mm/gas.c
