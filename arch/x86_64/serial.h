/* arch/x86_64/serial.h — the COM1 console. */
#ifndef ARCH_X86_64_SERIAL_H
#define ARCH_X86_64_SERIAL_H
void serial_init(void);
#endif
