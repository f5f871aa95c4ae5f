# drivers/ — serial console, ACPI tables.
KERNEL_SRCS += drivers/serial.c drivers/acpi.c drivers/acpi_tables.c \
	drivers/acpi_kernel.c
KERNEL_SRCS += drivers/pci.c drivers/pci_irq.c drivers/pci_place.c \
	drivers/virtq.c drivers/virtio_pci.c drivers/virtio_net.c drivers/netdev.c
