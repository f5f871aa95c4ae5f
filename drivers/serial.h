/* drivers/serial.h — the COM1 console. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H
void serial_init(void);
#endif
