# bench/sched/build.mk — the scheduler benchmark (bench/sched.sh, called by
# `make bench`; never by `make test`): sched_bench.c built with tools/unum-cc.
#
#   make bench-sched    build it and run bench/sched.sh alone (root)

$(B)/bench/sched/sched_bench.elf: bench/sched/sched_bench.c $(B)/libunum-posix.a $(B)/unum-kernel.o tools/unum-cc tools/unum-link
	@mkdir -p $(@D)
	@echo "  UNUM-CC $@"
	@tools/unum-cc -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: bench-sched
bench-sched: setup all posix $(B)/bench/sched/sched_bench.elf
	bench/sched.sh
