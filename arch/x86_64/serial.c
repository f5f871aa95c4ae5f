/*
 * arch/x86_64/serial.c — 16550 UARTs: COM1 (0x3f8) is the console, polled
 * output; COM2 (0x2f8), when the machine has one, carries the program's
 * standard input (framed: kernel/console_frame.h), received on its
 * interrupt (ISA IRQ 3 through the IOAPIC) into kernel/console_in.c.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/trap.h"
#include "kernel/console_in.h"
#include "kernel/init.h"
#include "kernel/log.h"

#define COM1	 0x3f8
#define COM2	 0x2f8
#define COM2_IRQ 3

/* Register offsets and bits of a 16550. */
#define UART_DATA    0
#define UART_IER     1 /* interrupt enable; bit 0: data received */
#define UART_FCR     2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5 /* bit 0: data ready; bit 5: transmitter empty */
#define UART_SCRATCH 7

/* 115200 baud, 8N1, no interrupts; the FIFO is left alone. */
static void uart_setup(uint16_t port)
{
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80); /* DLAB */
	outb(port + 0, 0x01);
	outb(port + 1, 0x00);
	outb(port + UART_LCR, 0x03); /* 8N1 (and DLAB off) */
}

static void serial_putc(char c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & 0x20); i++)
		arch_cpu_relax();
	outb(COM1, c);
}

static void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

static const struct console_sink serial_sink = {.write = serial_write};

void serial_init(void)
{
	uart_setup(COM1);
	outb(COM1 + UART_FCR, 0xc7); /* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
	console_add_sink(&serial_sink);
}

/* ---- COM2: standard input ------------------------------------------------ */

static bool com2_getc(uint8_t *c)
{
	if (!(inb(COM2 + UART_LSR) & 0x01))
		return false;
	*c = inb(COM2 + UART_DATA);
	return true;
}

static void com2_rx_irq(bool on)
{
	outb(COM2 + UART_IER, on ? 0x01 : 0x00);
}

static const struct console_source com2_source = {
    .getc = com2_getc,
    .rx_irq = com2_rx_irq,
};

static void com2_interrupt(struct trap_frame *tf)
{
	(void)tf;
	console_in_irq();
}

/* A UART answers with its scratch register; no device reads 0xff. */
static bool uart_present(uint16_t port)
{
	outb(port + UART_SCRATCH, 0x5a);
	if (inb(port + UART_SCRATCH) != 0x5a)
		return false;
	outb(port + UART_SCRATCH, 0xa5);
	return inb(port + UART_SCRATCH) == 0xa5;
}

static int serial_input_init(void)
{
	if (!uart_present(COM2))
		return 0; /* no standard-input line: input is at its end */
	uart_setup(COM2);
	/* Its FIFO stays off: switching it on (or clearing it) drops what
	 * the UART already holds, and the host may have sent the first byte
	 * before we came here. Without it the UART takes one byte at a time,
	 * and the line waits in between (no byte is lost). */
	outb(COM2 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (interrupt line) */
	int vec = trap_alloc_vector(com2_interrupt);
	if (vec < 0 || ioapic_route_isa(COM2_IRQ, (uint8_t)vec, lapic_id()))
		pr_warn("serial",
			"COM2: no interrupt, standard input is polled");
	console_in_attach(&com2_source);
	pr_info("serial", "COM2: standard input");
	return 0;
}
INITCALL(INIT_PLATFORM, serial_input_init);
