# libc/ — newlib, built from Debian's newlib-source at build time (never
# copied into the repo), configured for x86_64-elf with clang, and cached
# under build/newlib/: it is rebuilt only when NEWLIB_CFLAGS change.
#
# Unum supplies the system calls (posix/), per-thread reentrancy
# (__getreent, hence __DYNAMIC_REENT__), the locks newlib asks for
# (retargetable locking) and malloc (MALLOC_PROVIDED).
#
# stdin, stdout and stderr are the process's, shared by every thread
# (--enable-newlib-global-stdio-streams), as in glibc: with a FILE of their
# own per thread, a thread's exit closed descriptors 0-2 for the whole
# program, and main's setvbuf() did not reach the other threads.
NEWLIB_TARBALL := /usr/src/newlib/newlib-3.3.0.tar.xz
NEWLIB_DIR := $(B)/newlib
NEWLIB_CFLAGS := -O2 -g -mcmodel=kernel -fno-pic -fno-pie -ffunction-sections \
	-fdata-sections -D__DYNAMIC_REENT__ -DMALLOC_PROVIDED \
	-fno-stack-protector -Wno-error -nostdinc -isystem $(RESDIR)/include
NEWLIB_CONFIG := --disable-newlib-supplied-syscalls \
	--enable-newlib-io-c99-formats --enable-newlib-io-long-long \
	--enable-newlib-retargetable-locking --enable-newlib-multithread \
	--enable-newlib-global-stdio-streams --disable-multilib --disable-nls
NEWLIB_STAMP := $(NEWLIB_DIR)/stamp-$(shell echo '$(NEWLIB_CFLAGS) $(NEWLIB_CONFIG)' | md5sum | cut -c1-12)
NEWLIB_PREFIX := $(abspath $(NEWLIB_DIR)/install)
NEWLIB_INC := $(NEWLIB_PREFIX)/x86_64-elf/include
NEWLIB_LIB := $(NEWLIB_PREFIX)/x86_64-elf/lib

$(NEWLIB_STAMP): libc/build.mk | $(B)/.setup-done
	@echo "  NEWLIB  (configure and build newlib 3.3.0 for x86_64-elf, ~1-2 min)"
	@rm -rf $(NEWLIB_DIR) && mkdir -p $(NEWLIB_DIR)/src $(NEWLIB_DIR)/obj
	@tar -xJf $(NEWLIB_TARBALL) -C $(NEWLIB_DIR)/src
	@printf '#!/bin/sh\nexec $(CC) --target=x86_64-elf "$$@"\n' > $(NEWLIB_DIR)/cc && chmod +x $(NEWLIB_DIR)/cc
	@cd $(NEWLIB_DIR)/obj && ../src/newlib-*/configure \
		--target=x86_64-elf --prefix=$(NEWLIB_PREFIX) $(NEWLIB_CONFIG) \
		CC_FOR_TARGET=$(abspath $(NEWLIB_DIR))/cc \
		AR_FOR_TARGET=$(LLVM_BIN)/llvm-ar \
		RANLIB_FOR_TARGET=$(LLVM_BIN)/llvm-ranlib \
		CFLAGS_FOR_TARGET="$(NEWLIB_CFLAGS)" > ../configure.log 2>&1 \
		|| { tail -30 ../configure.log; exit 1; }
	@$(MAKE) -C $(NEWLIB_DIR)/obj -j$$(nproc) all-target-newlib > $(NEWLIB_DIR)/build.log 2>&1 \
		|| { tail -40 $(NEWLIB_DIR)/build.log; exit 1; }
	@$(MAKE) -C $(NEWLIB_DIR)/obj install-target-newlib > $(NEWLIB_DIR)/install.log 2>&1 \
		|| { tail -40 $(NEWLIB_DIR)/install.log; exit 1; }
	@touch $@

.PHONY: newlib
newlib: $(NEWLIB_STAMP)
