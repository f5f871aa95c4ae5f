# Host unit tests of the application heap (posix/malloc*.c, posix/ulock.c),
# and a host micro-benchmark against glibc (not part of `make test`):
#   make build/unit/malloc && build/unit/malloc
#   make build/bench/malloc-host && build/bench/malloc-host
UNIT_TESTS += malloc
HEAP_TEST_SRCS := posix/malloc.c posix/malloc_api.c posix/malloc_central.c \
	posix/malloc_page.c posix/malloc_check.c posix/malloc_remote.c \
	posix/malloc_stats.c posix/ulock.c tests/unit/malloc_host.c
UNIT_SRCS_malloc := tests/unit/test_malloc.c tests/unit/test_malloc_chunks.c \
	tests/unit/test_malloc_mt.c tests/unit/test_malloc_arenas.c \
	$(HEAP_TEST_SRCS)
$(B)/unit/malloc: HCFLAGS += -pthread

# Optimised and without sanitizers, like the kernel build.
$(B)/bench/malloc-host: tests/unit/malloc_bench.c $(HEAP_TEST_SRCS) \
		posix/malloc.h posix/heap.h posix/ulock.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -I. -DUNUM_HOST -O2 -g -pthread $(WARN) \
		tests/unit/malloc_bench.c $(HEAP_TEST_SRCS) -o $@
