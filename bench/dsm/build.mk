# bench/dsm/build.mk — the DSM benchmarks (bench/dsm.sh, called by
# `make bench`; never by `make test`): dsm_bench.c, team.c and mstress.c
# built with tools/unum-cc.
#
#   make bench-dsm      build it and run bench/dsm.sh alone (root)

$(B)/bench/dsm/%.elf: bench/dsm/%.c $(B)/libunum-posix.a $(B)/unum-kernel.o tools/unum-cc tools/unum-link
	@mkdir -p $(@D)
	@echo "  UNUM-CC $@"
	@tools/unum-cc -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: bench-dsm
bench-dsm: setup all posix $(B)/bench/dsm/dsm_bench.elf $(B)/bench/dsm/team.elf \
	$(B)/bench/dsm/mstress.elf
	bench/dsm.sh
