/*
 * arch/x86_64/rtc.c — the CMOS real-time clock, read once at boot to give
 * CLOCK_REALTIME its base (the TSC keeps time after that).
 */
#include "arch/x86_64/cpu.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/time.h"

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 0xf) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int rtc_init(void)
{
	uint8_t s, m, h, d, mo, y, b;
	for (int tries = 0; tries < 1000; tries++) {
		while (cmos(0x0a) & 0x80) /* update in progress */
			arch_cpu_relax();
		s = cmos(0), m = cmos(2), h = cmos(4), d = cmos(7),
		mo = cmos(8), y = cmos(9);
		if (s == cmos(0) && m == cmos(2) && h == cmos(4))
			break;
	}
	b = cmos(0x0b);
	bool is_bcd = !(b & 0x04);
	unsigned hour = bcd(h & 0x7f, is_bcd);
	if (!(b & 0x02) && (h & 0x80)) /* 12-hour clock, PM */
		hour = (hour % 12) + 12;
	unsigned year = 2000 + bcd(y, is_bcd);
	unsigned mon = bcd(mo, is_bcd), day = bcd(d, is_bcd);
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23) {
		pr_warn("rtc",
			"implausible RTC date %u-%u-%u %u h: realtime starts "
			"at the epoch",
			year, mon, day, hour);
		return 0;
	}
	int64_t secs = days_from_civil(year, mon, day) * 86400 + hour * 3600 +
		       bcd(m, is_bcd) * 60 + bcd(s, is_bcd);
	uint64_t now = clock_ns();
	clock_set_realtime_base((uint64_t)secs * NSEC_PER_SEC - now);
	pr_info("rtc", "%04u-%02u-%02u %02u:%02u:%02u UTC", year, mon, day,
		hour, bcd(m, is_bcd), bcd(s, is_bcd));
	return 0;
}
INITCALL(INIT_PLATFORM, rtc_init);
