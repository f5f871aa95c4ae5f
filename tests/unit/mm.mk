# Host unit tests of mm/: the buddy frame allocator, slab caches and kmalloc.
UNIT_TESTS += buddy slab
UNIT_SRCS_buddy := tests/unit/test_buddy.c mm/buddy.c
UNIT_SRCS_slab := tests/unit/test_slab.c tests/unit/test_kmalloc.c \
	mm/slab.c mm/kmalloc.c
# The slab test runs a multithreaded stress.
$(B)/unit/slab: HCFLAGS += -pthread
