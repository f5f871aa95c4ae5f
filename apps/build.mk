# apps/ — demo programs, built with tools/unum-cc into build/apps/NAME.elf.
APPS := $(patsubst apps/%.c,%,$(wildcard apps/*.c))
APP_ELFS := $(patsubst %,$(B)/apps/%.elf,$(APPS))

$(B)/apps/%.elf: apps/%.c $(B)/libunum-posix.a $(B)/unum-kernel.o tools/unum-cc tools/unum-link
	@mkdir -p $(@D)
	@echo "  UNUM-CC $@"
	@tools/unum-cc -O2 -o $@ $< -lm

.PHONY: apps
apps: $(APP_ELFS)
