/*
 * t_sysinfo.c — system information: uname, gethostname/sethostname, the
 * process ids, getrusage, times, clock, getrlimit/setrlimit, sysconf,
 * sched_get_priority_min/max and thread names, with exact values and
 * exact errors.
 */
#define _GNU_SOURCE /* pthread_setname_np, as with glibc */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "ptest.h"

static uint64_t ts_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Spins until the calling thread has used `ns` of CPU. */
static void burn(uint64_t ns)
{
	uint64_t t0 = ts_ns(CLOCK_THREAD_CPUTIME_ID);
	volatile uint64_t x = 0;
	while (ts_ns(CLOCK_THREAD_CPUTIME_ID) - t0 < ns)
		for (int i = 0; i < 1000; i++)
			x += (uint64_t)i;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ull +
	       (uint64_t)tv.tv_usec * 1000;
}

static void *burner(void *a)
{
	burn(50000000); /* 50 ms */
	struct rusage r;
	getrusage(RUSAGE_THREAD, &r);
	return (void *)(uintptr_t)(tv_ns(r.ru_utime) / 1000000);
}

static void *named(void *a)
{
	char b[16];
	pthread_getname_np(pthread_self(), b, sizeof(b));
	return (void *)(uintptr_t)(strcmp(b, (const char *)a) == 0);
}

static void test_names(void)
{
	struct utsname u;
	CHECK_EQ(uname(&u), 0, "uname");
	CHECK(!strcmp(u.sysname, "Unum"), "uname sysname Unum");
	CHECK(!strcmp(u.release, "0.1"), "uname release: the kernel's 0.1");
	CHECK(!strcmp(u.machine, "x86_64"), "uname machine x86_64");
	CHECK(!strcmp(u.nodename, "unum"), "uname nodename: default unum");
	CHECK(u.version[0] != 0, "uname version set");

	char h[HOST_NAME_MAX + 1];
	CHECK_EQ(gethostname(h, sizeof(h)), 0, "gethostname");
	CHECK(!strcmp(h, "unum"), "default host name unum");
	CHECK_ERRNO(gethostname(h, 4), ENAMETOOLONG,
		    "gethostname no room for the NUL: ENAMETOOLONG");
	CHECK_EQ(sethostname("node-a", 6), 0, "sethostname");
	CHECK_EQ(gethostname(h, 7), 0, "gethostname exactly fits");
	CHECK(!strcmp(h, "node-a"), "host name round trip");
	uname(&u);
	CHECK(!strcmp(u.nodename, "node-a"), "uname nodename follows");
	char longname[HOST_NAME_MAX + 2];
	memset(longname, 'x', sizeof(longname));
	CHECK_EQ(sethostname(longname, HOST_NAME_MAX), 0,
		 "sethostname HOST_NAME_MAX bytes");
	CHECK_EQ(gethostname(h, sizeof(h)), 0, "gethostname of the longest");
	CHECK_EQ(strlen(h), HOST_NAME_MAX, "longest name kept whole");
	CHECK_ERRNO(sethostname(longname, HOST_NAME_MAX + 1), EINVAL,
		    "sethostname too long: EINVAL");
	CHECK_EQ(sethostname("unum", 4), 0, "host name back");

	CHECK_EQ(getpid(), 1, "getpid 1");
	CHECK_EQ(getppid(), 0, "getppid 0");
	CHECK_EQ(getuid(), 0, "getuid 0");
	CHECK_EQ(geteuid(), 0, "geteuid 0");
	CHECK_EQ(getgid(), 0, "getgid 0");
	CHECK_EQ(getegid(), 0, "getegid 0");
	CHECK_EQ(getpgrp(), 1, "getpgrp 1");
	CHECK_EQ(getsid(0), 1, "getsid(0) 1");
	CHECK_EQ(getsid(1), 1, "getsid(1) 1");
	CHECK_ERRNO(getsid(2), ESRCH, "getsid other pid: ESRCH");
}

static void test_cpu_time(void)
{
	struct rusage r;
	struct tms t0, t1;
	clock_t c0 = clock(), e0 = times(&t0);
	uint64_t p0 = ts_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(c0 != (clock_t)-1, "clock available");
	CHECK(c0 < 60 * CLOCKS_PER_SEC, "clock counts from the program start");

	pthread_t th;
	void *ms;
	pthread_create(&th, NULL, burner, NULL);
	pthread_join(th, &ms);
	CHECK((uintptr_t)ms >= 50,
	      "RUSAGE_THREAD of a thread that burned 50 ms");
	burn(100000000); /* 100 ms here */
	uint64_t p1 = ts_ns(CLOCK_PROCESS_CPUTIME_ID);
	clock_t c1 = clock(), e1 = times(&t1);

	CHECK_EQ(getrusage(RUSAGE_SELF, &r), 0, "getrusage RUSAGE_SELF");
	uint64_t self = tv_ns(r.ru_utime);
	CHECK(self >= 150000000, "RUSAGE_SELF counts both threads: >= 150 ms");
	CHECK(self >= p1, "RUSAGE_SELF not behind CLOCK_PROCESS_CPUTIME_ID");
	CHECK_EQ(getrusage(RUSAGE_THREAD, &r), 0, "getrusage RUSAGE_THREAD");
	uint64_t th_ns = tv_ns(r.ru_utime);
	CHECK(th_ns >= 100000000 && th_ns <= self,
	      "RUSAGE_THREAD: this thread's 100 ms, within RUSAGE_SELF");
	memset(&r, 0xff, sizeof(r));
	CHECK_EQ(getrusage(RUSAGE_CHILDREN, &r), 0, "RUSAGE_CHILDREN");
	CHECK(r.ru_utime.tv_sec == 0 && r.ru_utime.tv_usec == 0 &&
		  r.ru_stime.tv_sec == 0 && r.ru_stime.tv_usec == 0 &&
		  r.ru_maxrss == 0 && r.ru_nivcsw == 0,
	      "RUSAGE_CHILDREN all zero");
	CHECK_ERRNO(getrusage(7, &r), EINVAL, "getrusage bad who: EINVAL");

	/* clock() in CLOCKS_PER_SEC units: its advance matches the process
	 * CPU clock's within 20 ms (the calls are not simultaneous) */
	long dc_ms = (long)(c1 - c0) * 1000 / CLOCKS_PER_SEC;
	long dp_ms = (long)((p1 - p0) / 1000000);
	if (dc_ms < dp_ms - 20 || dc_ms > dp_ms + 20)
		printf("# clock advanced %ld ms, CPU clock %ld ms\n", dc_ms,
		       dp_ms);
	CHECK(dc_ms >= dp_ms - 20 && dc_ms <= dp_ms + 20,
	      "clock() advance in CLOCKS_PER_SEC units = CPU clock's");
	CHECK(dc_ms >= 150, "clock() advanced >= 150 ms");
	long tck = sysconf(_SC_CLK_TCK);
	long du_ms = (long)(t1.tms_utime - t0.tms_utime) * 1000 / tck;
	CHECK(du_ms >= dp_ms - 20 && du_ms <= dp_ms + 20,
	      "times() tms_utime in _SC_CLK_TCK units = CPU clock's");
	CHECK(t1.tms_stime == 0 && t1.tms_cutime == 0 && t1.tms_cstime == 0,
	      "times() stime and children zero");
	CHECK((long)(e1 - e0) * 1000 / tck >= 150,
	      "times() elapsed ticks advanced");
}

static void test_limits(void)
{
	struct rlimit rl;
	CHECK_EQ(getrlimit(RLIMIT_STACK, &rl), 0, "getrlimit RLIMIT_STACK");
	CHECK_EQ(rl.rlim_cur, 1024 * 1024, "RLIMIT_STACK soft: 1 MiB");
	CHECK(rl.rlim_max == RLIM_INFINITY, "RLIMIT_STACK hard infinite");
	pthread_attr_t a;
	size_t ss;
	pthread_attr_init(&a);
	pthread_attr_getstacksize(&a, &ss);
	CHECK_EQ(ss, 1024 * 1024, "default stack size = RLIMIT_STACK");
	rl.rlim_cur = 256 * 1024;
	CHECK_EQ(setrlimit(RLIMIT_STACK, &rl), 0, "setrlimit RLIMIT_STACK");
	pthread_attr_init(&a);
	pthread_attr_getstacksize(&a, &ss);
	CHECK_EQ(ss, 256 * 1024, "lower RLIMIT_STACK: smaller default stack");
	rl.rlim_cur = 1024 * 1024;
	setrlimit(RLIMIT_STACK, &rl);

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0, "getrlimit RLIMIT_NOFILE");
	CHECK(rl.rlim_cur == 1024 && rl.rlim_max == 1024,
	      "RLIMIT_NOFILE 1024/1024");
	CHECK_EQ(sysconf(_SC_OPEN_MAX), 1024, "_SC_OPEN_MAX 1024");
	rl.rlim_cur = 5;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0, "lower RLIMIT_NOFILE to 5");
	CHECK_EQ(sysconf(_SC_OPEN_MAX), 5, "_SC_OPEN_MAX follows");
	int fd = open("/tmp-rl", O_CREAT | O_RDWR, 0600);
	CHECK_EQ(fd, 3, "open below the limit");
	CHECK_EQ(dup(fd), 4, "dup below the limit");
	CHECK_ERRNO(dup(fd), EMFILE, "dup at the limit: EMFILE");
	CHECK_ERRNO(open("/tmp-rl", O_RDONLY), EMFILE,
		    "open at the limit: EMFILE");
	CHECK_ERRNO(dup2(fd, 5), EBADF, "dup2 to the limit: EBADF");
	rl.rlim_cur = 1024;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0, "raise soft back to hard");
	CHECK_EQ(dup2(fd, 5), 5, "dup2 again allowed");
	close(5), close(4), close(fd), unlink("/tmp-rl");
	rl.rlim_cur = rl.rlim_max = 2048;
	CHECK_ERRNO(setrlimit(RLIMIT_NOFILE, &rl), EPERM,
		    "raise hard RLIMIT_NOFILE: EPERM");
	rl.rlim_cur = 100, rl.rlim_max = 50;
	CHECK_ERRNO(setrlimit(RLIMIT_CORE, &rl), EINVAL,
		    "soft above hard: EINVAL");

	static const int inf[] = {RLIMIT_AS, RLIMIT_DATA, RLIMIT_CORE,
				  RLIMIT_CPU, RLIMIT_FSIZE};
	int all_inf = 1;
	for (unsigned i = 0; i < sizeof(inf) / sizeof(inf[0]); i++) {
		getrlimit(inf[i], &rl);
		all_inf &= rl.rlim_cur == RLIM_INFINITY &&
			   rl.rlim_max == RLIM_INFINITY;
	}
	CHECK(all_inf, "AS, DATA, CORE, CPU, FSIZE infinite");
	rl.rlim_cur = rl.rlim_max = 0;
	CHECK_EQ(setrlimit(RLIMIT_CORE, &rl), 0, "lower RLIMIT_CORE to 0");
	getrlimit(RLIMIT_CORE, &rl);
	CHECK(rl.rlim_cur == 0 && rl.rlim_max == 0, "RLIMIT_CORE reads 0");
	rl.rlim_max = 1;
	CHECK_ERRNO(setrlimit(RLIMIT_CORE, &rl), EPERM,
		    "raise a lowered hard limit: EPERM");
	CHECK_ERRNO(getrlimit(99, &rl), EINVAL,
		    "getrlimit bad resource: EINVAL");
	CHECK_ERRNO(getrlimit(-1, &rl), EINVAL, "getrlimit -1: EINVAL");
	CHECK_ERRNO(setrlimit(RLIMIT_NLIMITS, &rl), EINVAL,
		    "setrlimit bad resource: EINVAL");
}

static void test_sysconf(void)
{
	CHECK(sysconf(_SC_NPROCESSORS_CONF) >= 1, "_SC_NPROCESSORS_CONF");
	CHECK_EQ(sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_CONF),
		 "_SC_NPROCESSORS_ONLN = CONF");
	CHECK_EQ(sysconf(_SC_PAGESIZE), 4096, "_SC_PAGESIZE 4096");
	CHECK_EQ(sysconf(_SC_CLK_TCK), CLOCKS_PER_SEC, "_SC_CLK_TCK");
	CHECK_EQ(sysconf(_SC_THREAD_STACK_MIN), PTHREAD_STACK_MIN,
		 "_SC_THREAD_STACK_MIN");
	CHECK_EQ(sysconf(_SC_THREAD_THREADS_MAX), 8191,
		 "_SC_THREAD_THREADS_MAX");
	CHECK_EQ(sysconf(_SC_THREAD_KEYS_MAX), PTHREAD_KEYS_MAX,
		 "_SC_THREAD_KEYS_MAX");
	CHECK_EQ(sysconf(_SC_HOST_NAME_MAX), HOST_NAME_MAX,
		 "_SC_HOST_NAME_MAX");
	CHECK_EQ(sysconf(_SC_LINE_MAX), LINE_MAX, "_SC_LINE_MAX");
	CHECK_EQ(sysconf(_SC_ARG_MAX), ARG_MAX, "_SC_ARG_MAX");
	CHECK_EQ(sysconf(_SC_CHILD_MAX), CHILD_MAX, "_SC_CHILD_MAX");
	CHECK_EQ(sysconf(_SC_NGROUPS_MAX), NGROUPS_MAX, "_SC_NGROUPS_MAX");
	CHECK_EQ(sysconf(_SC_TZNAME_MAX), TZNAME_MAX, "_SC_TZNAME_MAX");
	CHECK_EQ(sysconf(_SC_IOV_MAX), IOV_MAX, "_SC_IOV_MAX");
	CHECK_EQ(sysconf(_SC_GETPW_R_SIZE_MAX), 1024, "_SC_GETPW_R_SIZE_MAX");
	CHECK_EQ(sysconf(_SC_SEM_VALUE_MAX), SEM_VALUE_MAX,
		 "_SC_SEM_VALUE_MAX");
	CHECK_EQ(sysconf(_SC_VERSION), 200809L, "_SC_VERSION");
	CHECK_EQ(sysconf(_SC_THREADS), 200809L, "_SC_THREADS");
	long phys = sysconf(_SC_PHYS_PAGES), av = sysconf(_SC_AVPHYS_PAGES);
	CHECK(phys > 1024 && av > 0 && av <= phys,
	      "_SC_PHYS_PAGES and _SC_AVPHYS_PAGES");
	errno = 0;
	CHECK(sysconf(_SC_SEM_NSEMS_MAX) == -1 && errno == 0,
	      "_SC_SEM_NSEMS_MAX: no bound, errno kept");
	errno = 0;
	CHECK(sysconf(_SC_MAPPED_FILES) == -1 && errno == 0,
	      "unsupported option: -1, errno kept");
	CHECK_ERRNO(sysconf(-1), EINVAL, "sysconf(-1): EINVAL");
	CHECK_ERRNO(sysconf(10000), EINVAL, "sysconf unknown name: EINVAL");
}

static void test_sched(void)
{
	CHECK_EQ(sched_get_priority_min(SCHED_OTHER), 0, "SCHED_OTHER min 0");
	CHECK_EQ(sched_get_priority_max(SCHED_OTHER), 0, "SCHED_OTHER max 0");
	CHECK_EQ(sched_get_priority_min(SCHED_FIFO), 1, "SCHED_FIFO min 1");
	CHECK_EQ(sched_get_priority_max(SCHED_FIFO), 99, "SCHED_FIFO max 99");
	CHECK_EQ(sched_get_priority_min(SCHED_RR), 1, "SCHED_RR min 1");
	CHECK_EQ(sched_get_priority_max(SCHED_RR), 99, "SCHED_RR max 99");
	CHECK_ERRNO(sched_get_priority_min(42), EINVAL,
		    "priority min bad policy: EINVAL");
	CHECK_ERRNO(sched_get_priority_max(-1), EINVAL,
		    "priority max bad policy: EINVAL");

	char b[32];
	CHECK_EQ(pthread_getname_np(pthread_self(), b, sizeof(b)), 0,
		 "pthread_getname_np");
	CHECK(!strcmp(b, "app"), "main thread's name: the program's, app");
	CHECK_EQ(pthread_setname_np(pthread_self(), "fifteen-bytes.."), 0,
		 "setname 15 bytes");
	CHECK_EQ(pthread_getname_np(pthread_self(), b, 16), 0, "getname 16");
	CHECK(!strcmp(b, "fifteen-bytes.."), "name round trip");
	CHECK_EQ(pthread_setname_np(pthread_self(), "sixteen-bytes..."), ERANGE,
		 "setname 16 bytes: ERANGE");
	pthread_getname_np(pthread_self(), b, sizeof(b));
	CHECK(!strcmp(b, "fifteen-bytes.."), "name unchanged by ERANGE");
	CHECK_EQ(pthread_getname_np(pthread_self(), b, 15), ERANGE,
		 "getname buffer < 16: ERANGE");
	pthread_t t;
	void *ok;
	pthread_create(&t, NULL, named, "fifteen-bytes..");
	pthread_join(t, &ok);
	CHECK(ok == (void *)1, "a new thread inherits its creator's name");
	pthread_setname_np(pthread_self(), "main");
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_create(&t, &a, named, "worker");
	int rc = pthread_setname_np(t, "worker");
	(void)rc; /* the thread may read before or after: only check rc */
	pthread_join(t, NULL);
	CHECK_EQ(rc, 0, "setname of another thread");
	CHECK_EQ(pthread_setname_np(t, "x"), ESRCH,
		 "setname of a joined thread: ESRCH");
	CHECK_EQ(pthread_getname_np(t, b, sizeof(b)), ESRCH,
		 "getname of a joined thread: ESRCH");
}

int main(void)
{
	test_names();
	test_cpu_time();
	test_limits();
	test_sysconf();
	test_sched();
	return pt_done();
}
