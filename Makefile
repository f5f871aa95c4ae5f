# Unum — one plain, non-recursive GNU Makefile. Every folder adds its sources
# in a small build.mk; all outputs go under build/.
#
#   make            kernel ELF and GRUB ISO
#   make run        boot one node in QEMU and show its console
#   make test       every test (unit, fuzz, ktest, qemu boot paths)
#   make bench      benchmarks, saved in bench/results/
.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

B := build
LLVM_BIN := /usr/lib/llvm-14/bin
CC := $(LLVM_BIN)/clang
LD := $(LLVM_BIN)/ld.lld
NM := $(LLVM_BIN)/llvm-nm
OBJCOPY := $(LLVM_BIN)/llvm-objcopy
RESDIR := $(LLVM_BIN)/../lib/clang/14.0.6

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
	-Wmissing-prototypes -Wshadow -Wvla -Wimplicit-fallthrough

# Kernel C: freestanding, no SSE (interrupt handlers must not touch the
# thread's vector state; threads' FPU/SSE state is saved on every switch).
KCFLAGS := --target=x86_64-unknown-elf -std=gnu11 -ffreestanding -nostdinc \
	-isystem $(RESDIR)/include -I. -O2 -g -mno-red-zone -mcmodel=kernel \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -mno-sse -mno-sse2 -mno-mmx -mno-80387 \
	-mgeneral-regs-only -fno-common $(WARN) -MMD -MP
KASFLAGS := --target=x86_64-unknown-elf -I. -D__ASSEMBLY__ -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=4096 --no-relax -T arch/x86_64/kernel.ld

# Host C (unit tests, fuzzers, tools): sanitizers on.
HCFLAGS := -std=gnu11 -I. -DUNUM_HOST -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) -MMD -MP
FUZZFLAGS := -std=gnu11 -I. -DUNUM_HOST -O1 -g \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(WARN)

KERNEL_SRCS :=
UNIT_TESTS :=
FUZZ_TARGETS :=
TEST_STEPS :=

include $(sort $(wildcard */build.mk */*/build.mk tests/*/*.mk))

# ---- kernel -----------------------------------------------------------------
KOBJS := $(patsubst %,$(B)/k/%.o,$(basename $(KERNEL_SRCS)))

$(B)/k/%.o: %.c | $(B)/.setup-done
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@
$(B)/k/%.o: %.S | $(B)/.setup-done
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

# The kernel and everything linked with it in the image is one relocatable
# object, so the linker script can tell its data (node-private) from the
# application's (the global address space).
# Only the symbols in kernel/exports.txt stay global, so the kernel's names
# (memcpy, mutex_lock, sem_init...) never clash with newlib's or the
# application's.
$(B)/unum-kernel.o: $(KOBJS) kernel/exports.txt
	@echo "  LD -r   $@"
	@$(LD) -r -o $@.tmp $(KOBJS)
	@$(OBJCOPY) --wildcard --keep-global-symbols=kernel/exports.txt $@.tmp $@
	@rm -f $@.tmp

# Final images go through tools/unum-link (two passes: the second embeds
# the symbol table for crash-report backtraces). tools/unum-cc uses it too.
$(B)/unum.elf: $(B)/unum-kernel.o arch/x86_64/kernel.ld tools/unum-link tools/mksyms tools/nosyms.S
	@echo "  LINK    $@"
	@tools/unum-link $@ $(B)/unum-kernel.o

.PHONY: all kernel run test bench clean setup unit fuzz
all: $(B)/unum.elf $(B)/images/unum.iso
kernel: $(B)/unum.elf

# ---- host unit tests ----------------------------------------------------------
# A test named T lists its sources in UNIT_SRCS_T (a tests/unit/*.mk file).
define unit_rule
$(B)/unit/$(1): $$(UNIT_SRCS_$(1))
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	@$$(CC) $$(HCFLAGS) $$(UNIT_SRCS_$(1)) -o $$@ -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

define fuzz_rule
$(B)/fuzz/$(1): $$(FUZZ_SRCS_$(1))
	@mkdir -p $$(@D)
	@echo "  FUZZCC  $$@"
	@$$(CC) $$(FUZZFLAGS) $$(FUZZ_SRCS_$(1)) -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

unit: $(addprefix $(B)/unit/,$(UNIT_TESTS))
fuzz: $(addprefix $(B)/fuzz/,$(FUZZ_TARGETS))

# ---- set-up, run, test, bench -------------------------------------------------
$(B)/.setup-done: tools/setup
	tools/setup
	@mkdir -p $(@D) && touch $@
setup: $(B)/.setup-done

# The main job: a 4-node cluster (4 QEMUs on a private bridge) runs a demo
# program with its threads spread over the nodes, then shows where they ran
# and each node's DSM counters.
RUN_APP ?= matmul
RUN_NODES ?= 4
run: setup all posix $(B)/apps/$(RUN_APP).elf
	tools/unum-run -n $(RUN_NODES) $(B)/apps/$(RUN_APP).elf -- dsm.stats=1

test: setup all unit fuzz posix
	tests/run-all $(TEST_STEPS)

bench: setup all posix
	bench/run

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
