# posix/ — the POSIX personality over newlib, compiled with the application
# flags (tools/unum-cc --print-cflags) into build/libunum-posix.a, which
# tools/unum-cc links into every application image.
# kernel/format.c is pure: posix/ gets its own copy of the formatter.
POSIX_SRCS := $(wildcard posix/*.c) kernel/format.c
POSIX_OBJS := $(patsubst %.c,$(B)/u/%.o,$(POSIX_SRCS))
UCFLAGS = $(shell tools/unum-cc --print-cflags) -I. -std=gnu11 -O2 -g \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes \
	-Wstrict-prototypes -MMD -MP

$(B)/u/%.o: %.c $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	@echo "  UCC     $<"
	@$(CC) $(UCFLAGS) -c $< -o $@

$(B)/libunum-posix.a: $(POSIX_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && $(LLVM_BIN)/llvm-ar rcs $@ $(POSIX_OBJS)

.PHONY: posix
posix: $(B)/libunum-posix.a $(B)/unum-kernel.o
