# drivers/ — PCI and the NICs (virtio-net) behind the netdev operations.
KERNEL_SRCS += drivers/pci.c drivers/pci_irq.c drivers/pci_place.c \
	drivers/virtq.c drivers/virtio_pci.c drivers/virtio_net.c drivers/netdev.c
