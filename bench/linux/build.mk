# bench/linux/build.mk: the Linux baseline guest (Debian's kernel, a
# busybox-static initramfs and the benchmark programs linked statically with
# glibc), against which Unum's benchmarks are compared. See bench/linux/README.md.
#
#   make bench-linux            build it, run posix_bench at -smp 1 and 2
#   make bench-linux-udp        udp_pingpong between two guests on a bridge
#                               (root: network namespace, bridge, taps)
#   make bench-linux-initramfs  build only

BL := $(B)/bench-linux
LINUX_CC := gcc
LINUX_CFLAGS := -std=c11 -O2 -static -pthread -Wall -Wextra -Werror
# The static glibc comes with libc6-dev.
LINUX_CC_CHECK = command -v $(LINUX_CC) >/dev/null || { echo "bench-linux: $(LINUX_CC) not found (apt-get install gcc libc6-dev)" >&2; exit 1; }

$(BL)/posix_bench: bench/src/posix_bench.c | $(B)/.setup-done
	@mkdir -p $(@D)
	@echo "  LINUXCC $@"
	@$(LINUX_CC_CHECK)
	@$(LINUX_CC) $(LINUX_CFLAGS) -o $@ $<

$(BL)/udp_pingpong: bench/src/udp_pingpong.c | $(B)/.setup-done
	@mkdir -p $(@D)
	@echo "  LINUXCC $@"
	@$(LINUX_CC_CHECK)
	@$(LINUX_CC) $(LINUX_CFLAGS) -o $@ $<

# Rebuilt when tools/setup unpacks a newer kernel (its modules go inside).
$(BL)/initramfs.cpio.gz: $(BL)/posix_bench $(BL)/udp_pingpong \
		bench/linux/mkinitramfs bench/linux/lib.sh bench/linux/build.mk \
		$(wildcard $(or $(UNUM_CACHE),/var/cache/unum)/linux-guest/boot/vmlinuz-* /bin/busybox)
	@echo "  INITRD  $@"
	@bench/linux/mkinitramfs -o $@ $(BL)/posix_bench $(BL)/udp_pingpong

.PHONY: bench-linux bench-linux-udp bench-linux-initramfs
bench-linux-initramfs: $(BL)/initramfs.cpio.gz

bench-linux: $(BL)/initramfs.cpio.gz
	@for n in 1 2; do \
		echo "== Linux guest: posix_bench, -smp $$n, accel $${UNUM_ACCEL:-tcg}"; \
		bench/linux/run-guest -v -n $$n --log $(BL)/posix_bench-smp$$n.log \
			-- /posix_bench || exit 1; \
	done

bench-linux-udp: $(BL)/initramfs.cpio.gz
	bench/linux/udp-bench
