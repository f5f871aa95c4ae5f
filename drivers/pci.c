/*
 * drivers/pci.c — PCI configuration access (ECAM or ports 0xCF8/0xCFC),
 * enumeration of every bus behind the roots, BAR sizing, capability walk
 * and the one-line-per-function boot summary. Interrupts: pci_irq.c.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "drivers/pci.h"
#include "drivers/pci_priv.h"
#include "kernel/errno.h"
#include "kernel/init.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"

#define PORT_ADDR	 0xcf8
#define PORT_DATA	 0xcfc
#define ECAM_BUS_SIZE	 (1ul << 20)
#define MAX_BRIDGE_DEPTH 32

/* An ECAM window from the MCFG: buses [bus_start, bus_end] of a segment;
 * bus b's 1 MiB is at base + b MiB. Each bus is mapped on first use (only
 * buses that are scanned). */
struct ecam_region {
	uint64_t base;
	uint16_t seg;
	uint8_t bus_start, bus_end;
	volatile uint8_t *bus_map[256];
};

/* All state is written by pci_init (once, at boot) and read-only after. */
static struct ecam_region ecam[ACPI_MAX_MCFG];
static int nr_ecam;
static enum pci_cfg_mech mech;
static struct pci_dev devs[PCI_MAX_DEVS];
static int nr_devs;
static int nr_skipped; /* functions past PCI_MAX_DEVS */
static bool init_done;
static int init_rc;
static struct spinlock port_lock = SPINLOCK_INIT; /* the 0xCF8 address latch */

/* ---- raw access -----------------------------------------------------------
 */

static volatile uint8_t *ecam_fn(uint16_t seg, uint8_t bus, uint8_t dev,
				 uint8_t fn)
{
	for (int i = 0; i < nr_ecam; i++) {
		struct ecam_region *r = &ecam[i];
		if (r->seg != seg || bus < r->bus_start || bus > r->bus_end)
			continue;
		/* The MCFG base is that of bus 0, even if the window
		 * starts higher. */
		if (!r->bus_map[bus])
			r->bus_map[bus] =
			    vm_map_mmio(r->base + (uint64_t)bus * ECAM_BUS_SIZE,
					ECAM_BUS_SIZE);
		if (!r->bus_map[bus])
			return NULL;
		return r->bus_map[bus] +
		       ((uint32_t)dev << 15 | (uint32_t)fn << 12);
	}
	return NULL;
}

static void port_select(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	outl(PORT_ADDR, 0x80000000u | (uint32_t)bus << 16 |
			    (uint32_t)dev << 11 | (uint32_t)fn << 8 |
			    (off & 0xfc));
}

/* Reads `width` bytes at `off`; all ones if unreachable or misaligned. */
static uint32_t raw_read(volatile uint8_t *e, uint16_t seg, uint8_t bus,
			 uint8_t dev, uint8_t fn, uint16_t off, int width)
{
	uint32_t ones = width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	if (off & (width - 1))
		return ones;
	if (e) {
		if (off + width > 4096)
			return ones;
		if (width == 1)
			return *(volatile uint8_t *)(e + off);
		if (width == 2)
			return *(volatile uint16_t *)(e + off);
		return *(volatile uint32_t *)(e + off);
	}
	if (seg != 0 || off + width > 256)
		return ones;
	unsigned long f = spin_lock_irqsave(&port_lock);
	uint32_t v;
	port_select(bus, dev, fn, off);
	if (width == 1)
		v = inb(PORT_DATA + (off & 3));
	else if (width == 2)
		v = inw(PORT_DATA + (off & 2));
	else
		v = inl(PORT_DATA);
	spin_unlock_irqrestore(&port_lock, f);
	return v;
}

static void raw_write(volatile uint8_t *e, uint16_t seg, uint8_t bus,
		      uint8_t dev, uint8_t fn, uint16_t off, int width,
		      uint32_t v)
{
	if (off & (width - 1))
		return;
	if (e) {
		if (off + width > 4096)
			return;
		if (width == 1)
			*(volatile uint8_t *)(e + off) = (uint8_t)v;
		else if (width == 2)
			*(volatile uint16_t *)(e + off) = (uint16_t)v;
		else
			*(volatile uint32_t *)(e + off) = v;
		return;
	}
	if (seg != 0 || off + width > 256)
		return;
	unsigned long f = spin_lock_irqsave(&port_lock);
	port_select(bus, dev, fn, off);
	if (width == 1)
		outb(PORT_DATA + (off & 3), (uint8_t)v);
	else if (width == 2)
		outw(PORT_DATA + (off & 2), (uint16_t)v);
	else
		outl(PORT_DATA, v);
	spin_unlock_irqrestore(&port_lock, f);
}

#define DEV_RAW(d) (d)->ecam, (d)->seg, (d)->bus, (d)->dev, (d)->fn

uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
	return (uint8_t)raw_read(DEV_RAW(d), off, 1);
}
uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
	return (uint16_t)raw_read(DEV_RAW(d), off, 2);
}
uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	return raw_read(DEV_RAW(d), off, 4);
}
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v)
{
	raw_write(DEV_RAW(d), off, 1, v);
}
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
	raw_write(DEV_RAW(d), off, 2, v);
}
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
	raw_write(DEV_RAW(d), off, 4, v);
}

void pci_command(const struct pci_dev *d, uint16_t set, uint16_t clear)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, (uint16_t)((cmd & ~clear) | set));
}

/* ---- BARs and capabilities ------------------------------------------------
 */

/* Sizes the BAR at slot i (writes all ones, reads the mask back, restores);
 * returns how many slots it takes (2 for a 64-bit BAR). Decoding is off
 * while the BAR holds the probe pattern. */
static int size_bar(struct pci_dev *d, int i, int nr_bars)
{
	uint16_t reg = PCI_BAR0 + 4 * i;
	uint32_t orig = pci_read32(d, reg), orig_hi = 0, lo, hi = 0;
	struct pci_bar *b = &d->bar[i];
	bool io = orig & 1;
	bool is64 = !io && ((orig >> 1) & 3) == 2 && i + 1 < nr_bars;
	uint64_t mask;

	pci_write32(d, reg, 0xffffffffu);
	lo = pci_read32(d, reg);
	pci_write32(d, reg, orig);
	if (is64) {
		orig_hi = pci_read32(d, reg + 4);
		pci_write32(d, reg + 4, 0xffffffffu);
		hi = pci_read32(d, reg + 4);
		pci_write32(d, reg + 4, orig_hi);
	}
	memset(b, 0, sizeof(*b));
	if (io) {
		if (!(lo & ~3u))
			return 1; /* not implemented */
		mask = lo & ~3u;
		if (!(mask >> 16))
			mask |= 0xffff0000u; /* a 16-bit decoder */
		b->type = PCI_BAR_IO;
		b->base = orig & ~3u;
		b->size = (uint32_t)(~mask + 1);
		return 1;
	}
	if (!(lo & ~0xfu) && !hi)
		return is64 ? 2 : 1; /* not implemented */
	mask =
	    (is64 ? (uint64_t)hi << 32 : 0xffffffff00000000ull) | (lo & ~0xfu);
	b->type = is64 ? PCI_BAR_MEM64 : PCI_BAR_MEM32;
	b->prefetch = orig & 8;
	b->base = (uint64_t)orig_hi << 32 | (orig & ~0xfu);
	b->size = ~mask + 1;
	return is64 ? 2 : 1;
}

static void size_bars(struct pci_dev *d)
{
	int n = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	if (!n)
		return;
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (int i = 0; i < n;)
		i += size_bar(d, i, n);
	pci_write16(d, PCI_COMMAND, cmd);
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	bool passed = after == 0;
	uint8_t p = pci_read8(d, PCI_CAP_PTR) & 0xfc;
	/* 48 capabilities fill the 192 bytes after the header: more is a loop.
	 */
	for (int n = 0; n < 48 && p >= 0x40; n++) {
		if (passed && pci_read8(d, p) == id)
			return p;
		if (p == after)
			passed = true;
		p = pci_read8(d, p + 1) & 0xfc;
	}
	return 0;
}

void *pci_map_bar(const struct pci_dev *d, int bar, uint64_t off, uint64_t len)
{
	if (bar < 0 || bar >= PCI_NR_BARS)
		return NULL;
	const struct pci_bar *b = &d->bar[bar];
	if ((b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) ||
	    !b->base || len == 0 || off >= b->size || len > b->size - off)
		return NULL;
	return vm_map_mmio(b->base + off, len);
}

const char *pci_name(const struct pci_dev *d, char *buf, size_t len)
{
	if (d->seg)
		ksnprintf(buf, len, "%04x:%02x:%02x.%u", d->seg, d->bus, d->dev,
			  d->fn);
	else
		ksnprintf(buf, len, "%02x:%02x.%u", d->bus, d->dev, d->fn);
	return buf;
}

/* ---- enumeration ------------------------------------------------------------
 */

static int fmt_size(char *buf, size_t len, uint64_t sz)
{
	if (sz >= (1ul << 20) && !(sz & ((1ul << 20) - 1)))
		return ksnprintf(buf, len, "%luM", sz >> 20);
	if (sz >= 1024 && !(sz & 1023))
		return ksnprintf(buf, len, "%luK", sz >> 10);
	return ksnprintf(buf, len, "%lu", sz);
}

static void print_dev(const struct pci_dev *d)
{
	char line[320], name[16], sz[16];
	int n =
	    ksnprintf(line, sizeof(line), "%s %04x:%04x class %02x.%02x.%02x",
		      pci_name(d, name, sizeof(name)), d->vendor, d->device,
		      d->class_code, d->subclass, d->prog_if);
	if (d->msix_cap && n < (int)sizeof(line))
		n += ksnprintf(line + n, sizeof(line) - n, " msi-x");
	if (d->msi_cap && n < (int)sizeof(line))
		n += ksnprintf(line + n, sizeof(line) - n, " msi");
	for (int i = 0; i < PCI_NR_BARS && n < (int)sizeof(line); i++) {
		const struct pci_bar *b = &d->bar[i];
		static const char *const kind[] = {"", "io", "mem", "mem64"};
		if (b->type == PCI_BAR_NONE)
			continue;
		fmt_size(sz, sizeof(sz), b->size);
		n += ksnprintf(line + n, sizeof(line) - n,
			       " bar%d %s%s 0x%lx/%s", i, kind[b->type],
			       b->prefetch ? " pref" : "", b->base, sz);
	}
	if (d->header_type == 1 && n < (int)sizeof(line))
		ksnprintf(line + n, sizeof(line) - n, " bridge to bus %u",
			  d->secondary_bus);
	pr_info("pci", "%s", line);
}

static void scan_bus(uint16_t seg, uint8_t bus, uint64_t visited[4], int depth);

static void add_fn(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn,
		   uint64_t visited[4], int depth)
{
	volatile uint8_t *e =
	    mech == PCI_CFG_ECAM ? ecam_fn(seg, bus, dev, fn) : NULL;
	struct pci_dev tmp = {
	    .seg = seg, .bus = bus, .dev = dev, .fn = fn, .ecam = e};
	struct pci_dev *d = nr_devs < PCI_MAX_DEVS ? &devs[nr_devs] : &tmp;

	*d = tmp;
	d->vendor = pci_read16(d, PCI_VENDOR_ID);
	d->device = pci_read16(d, PCI_DEVICE_ID);
	uint32_t class = pci_read32(d, PCI_REVISION);
	d->revision = class & 0xff;
	d->prog_if = (class >> 8) & 0xff;
	d->subclass = (class >> 16) & 0xff;
	d->class_code = class >> 24;
	d->header_type = pci_read8(d, PCI_HEADER_TYPE) & 0x7f;
	if (d->header_type == 0) {
		d->subsys_vendor = pci_read16(d, PCI_SUBSYS_VENDOR);
		d->subsys_id = pci_read16(d, PCI_SUBSYS_ID);
	}
	d->irq_pin = pci_read8(d, PCI_IRQ_PIN);
	size_bars(d);
	d->msi_cap = pci_find_cap(d, PCI_CAP_MSI, 0);
	d->msix_cap = pci_find_cap(d, PCI_CAP_MSIX, 0);
	d->secondary_bus =
	    d->header_type == 1 ? pci_read8(d, PCI_SECONDARY_BUS) : 0;
	d->on_root_bus = depth == 0;
	if (d == &tmp)
		nr_skipped++;
	else
		nr_devs++;
	/* A bridge the firmware left unnumbered (secondary 0) hides nothing
	 * we could reach without renumbering: it is listed, not followed. */
	if (d->header_type == 1 && d->secondary_bus > bus)
		scan_bus(seg, d->secondary_bus, visited, depth + 1);
}

static void scan_bus(uint16_t seg, uint8_t bus, uint64_t visited[4], int depth)
{
	if (depth > MAX_BRIDGE_DEPTH || (visited[bus / 64] >> (bus % 64)) & 1)
		return;
	visited[bus / 64] |= 1ull << (bus % 64);
	for (uint8_t dev = 0; dev < 32; dev++) {
		volatile uint8_t *e =
		    mech == PCI_CFG_ECAM ? ecam_fn(seg, bus, dev, 0) : NULL;
		if (mech == PCI_CFG_ECAM && !e)
			return;
		uint16_t vendor = (uint16_t)raw_read(e, seg, bus, dev, 0, 0, 2);
		if (vendor == 0xffff || vendor == 0)
			continue;
		uint8_t ht =
		    (uint8_t)raw_read(e, seg, bus, dev, 0, PCI_HEADER_TYPE, 1);
		int nfn = (ht & 0x80) ? 8 : 1;
		for (uint8_t fn = 0; fn < nfn; fn++) {
			if (fn) {
				e = mech == PCI_CFG_ECAM
					? ecam_fn(seg, bus, dev, fn)
					: NULL;
				vendor = (uint16_t)raw_read(e, seg, bus, dev,
							    fn, 0, 2);
				if (vendor == 0xffff || vendor == 0)
					continue;
			}
			add_fn(seg, bus, dev, fn, visited, depth);
		}
	}
}

/* The MCFG's windows, each checked; bad ones are reported and skipped. */
static void load_mcfg(void)
{
	char err[160];
	if (!kernel_acpi_ok)
		return;
	const struct acpi_sdt_header *h =
	    acpi_find(&kernel_acpi, "MCFG", 0, err, sizeof(err));
	if (!h)
		return;
	struct acpi_topology *t = kzalloc(sizeof(*t));
	if (!t)
		return;
	if (acpi_parse_mcfg(h, t, err, sizeof(err))) {
		pr_warn("pci", "%s; using ports 0xcf8/0xcfc", err);
		kfree(t);
		return;
	}
	for (uint32_t i = 0; i < t->nr_mcfg; i++) {
		const struct acpi_mcfg *m = &t->mcfg[i];
		if (!m->base || (m->base & (ECAM_BUS_SIZE - 1))) {
			pr_warn("pci",
				"MCFG entry %u: base 0x%lx is not 1 MiB "
				"aligned; entry ignored",
				i, m->base);
			continue;
		}
		struct ecam_region *r = &ecam[nr_ecam++];
		r->base = m->base;
		r->seg = m->segment;
		r->bus_start = m->bus_start;
		r->bus_end = m->bus_end;
	}
	kfree(t);
}

/* Mechanism #1 answers if the address latch keeps what we write. */
static bool ports_present(void)
{
	unsigned long f = spin_lock_irqsave(&port_lock);
	uint32_t old = inl(PORT_ADDR);
	outl(PORT_ADDR, 0x80000000u);
	bool ok = inl(PORT_ADDR) == 0x80000000u;
	outl(PORT_ADDR, old);
	spin_unlock_irqrestore(&port_lock, f);
	return ok;
}

/* Picks the mechanism: ECAM when the MCFG gives one whose 00:00.0 agrees
 * with the ports (or the ports are absent), else the ports. */
static void choose_mechanism(void)
{
	bool ports = ports_present();
	load_mcfg();
	if (nr_ecam) {
		volatile uint8_t *e =
		    ecam_fn(ecam[0].seg, ecam[0].bus_start, 0, 0);
		uint32_t via_ecam = e ? *(volatile uint32_t *)e : 0xffffffffu;
		uint32_t via_ports =
		    ports ? raw_read(NULL, 0, ecam[0].bus_start, 0, 0, 0, 4)
			  : via_ecam;
		if (e && (ecam[0].seg != 0 || via_ecam == via_ports)) {
			mech = PCI_CFG_ECAM;
			pr_info("pci",
				"config space via ECAM at 0x%lx (MCFG, %d "
				"window(s), segment %u buses %u-%u)",
				ecam[0].base, nr_ecam, ecam[0].seg,
				ecam[0].bus_start, ecam[0].bus_end);
			return;
		}
		pr_warn("pci",
			"ECAM at 0x%lx reads 00:00.0 as 0x%08x but the "
			"ports read 0x%08x; ignoring the MCFG",
			ecam[0].base, via_ecam, via_ports);
		nr_ecam = 0;
	}
	if (ports) {
		mech = PCI_CFG_PORTIO;
		pr_info("pci", "config space via ports 0xcf8/0xcfc (no MCFG)");
	}
}

int pci_init(void)
{
	if (init_done)
		return init_rc;
	init_done = true;
	choose_mechanism();
	if (mech == PCI_CFG_NONE) {
		pr_warn("pci", "no configuration mechanism answers: no PCI");
		init_rc = -ENODEV;
		return init_rc;
	}
	if (mech == PCI_CFG_ECAM) {
		for (int i = 0; i < nr_ecam; i++) {
			uint64_t visited[4] = {0};
			scan_bus(ecam[i].seg, ecam[i].bus_start, visited, 0);
		}
	} else {
		uint64_t visited[4] = {0};
		scan_bus(0, 0, visited, 0);
		/* A multi-function host bridge: function N roots bus N. */
		uint8_t ht =
		    (uint8_t)raw_read(NULL, 0, 0, 0, 0, PCI_HEADER_TYPE, 1);
		for (uint8_t fn = 1; fn < 8 && (ht & 0x80); fn++)
			if ((uint16_t)raw_read(NULL, 0, 0, 0, fn, 0, 2) !=
			    0xffff)
				scan_bus(0, fn, visited, 0);
	}
	{
		struct pci_range rsv[ACPI_MAX_MCFG];
		for (int i = 0; i < nr_ecam; i++) {
			rsv[i].lo = ecam[i].base +
				    (uint64_t)ecam[i].bus_start * ECAM_BUS_SIZE;
			rsv[i].hi =
			    ecam[i].base +
			    ((uint64_t)ecam[i].bus_end + 1) * ECAM_BUS_SIZE;
		}
		pci_place_bars(devs, nr_devs, rsv, nr_ecam);
	}
	for (int i = 0; i < nr_devs; i++)
		print_dev(&devs[i]);
	if (nr_skipped)
		pr_warn("pci", "%d function(s) beyond the first %d ignored",
			nr_skipped, PCI_MAX_DEVS);
	pr_info("pci", "%d function(s)", nr_devs);
	return 0;
}
INITCALL(INIT_BUS, pci_init);

enum pci_cfg_mech pci_cfg_mechanism(void)
{
	return mech;
}
int pci_count(void)
{
	return nr_devs;
}

struct pci_dev *pci_get(int index)
{
	return index >= 0 && index < nr_devs ? &devs[index] : NULL;
}

struct pci_dev *pci_find(uint16_t vendor, uint16_t dev_lo, uint16_t dev_hi,
			 struct pci_dev *from)
{
	int i = from ? (int)(from - devs) + 1 : 0;
	for (; i < nr_devs; i++)
		if (devs[i].vendor == vendor && devs[i].device >= dev_lo &&
		    devs[i].device <= dev_hi)
			return &devs[i];
	return NULL;
}

int pci_claim(struct pci_dev *d, const char *driver)
{
	const char *none = NULL;
	if (!__atomic_compare_exchange_n(&d->driver, &none, driver, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return -EBUSY;
	return 0;
}
