# mm/ — physical frames, kernel heap, page tables, the global address space.
KERNEL_SRCS += mm/buddy.c mm/slab.c mm/kmalloc.c mm/frame.c mm/gas.c \
	mm/dsm_proto.c mm/dsm_stats.c mm/dsm_check.c mm/dsm.c mm/dsm_home.c mm/dsm_home_msg.c \
	mm/dsm_ra.c
