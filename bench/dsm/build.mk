# bench/dsm/build.mk — the DSM benchmark (bench/dsm.sh, called by
# `make bench`; never by `make test`): dsm_bench.c built with tools/unum-cc.
#
#   make bench-dsm      build it and run bench/dsm.sh alone (root)

$(B)/bench/dsm/dsm_bench.elf: bench/dsm/dsm_bench.c $(B)/libunum-posix.a $(B)/unum-kernel.o tools/unum-cc tools/unum-link
	@mkdir -p $(@D)
	@echo "  UNUM-CC $@"
	@tools/unum-cc -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: bench-dsm
bench-dsm: setup all posix $(B)/bench/dsm/dsm_bench.elf
	bench/dsm.sh
