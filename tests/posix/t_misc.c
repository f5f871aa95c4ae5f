/* expect-status: 3 */
/*
 * t_misc.c — clocks and sleeping, semaphores (unnamed and named), TLS,
 * malloc from many threads, sysconf, and exit() from another thread with
 * a status (checked by the harness: this program exits 3).
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "ptest.h"

static __thread int tls_var = 11;
static void *tls_worker(void *a)
{
	tls_var += (int)(intptr_t)a;
	usleep(1000);
	return (void *)(intptr_t)tls_var;
}

static void *malloc_worker(void *a)
{
	uintptr_t bad = 0;
	void *p[256];
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 256; i++) {
			size_t n = (size_t)(i * 37 % 2000) + 1;
			p[i] = malloc(n);
			memset(p[i], (int)(intptr_t)a, n);
		}
		for (int i = 0; i < 256; i++) {
			size_t n = (size_t)(i * 37 % 2000) + 1;
			unsigned char *c = p[i];
			bad += c[0] != (unsigned char)(intptr_t)a ||
			       c[n - 1] != (unsigned char)(intptr_t)a;
			free(p[i]);
		}
	}
	return (void *)bad;
}

static sem_t items;
static void *poster(void *a)
{
	for (int i = 0; i < 1000; i++)
		sem_post(&items);
	return a;
}

static void *exiter(void *a)
{
	usleep(10000);
	exit((int)(intptr_t)a);
}

int main(void)
{
	struct timespec a, b, r;
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0, "CLOCK_MONOTONIC");
	CHECK_EQ(clock_gettime(CLOCK_REALTIME, &r), 0, "CLOCK_REALTIME");
	CHECK_EQ(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &r), 0,
		 "CLOCK_PROCESS_CPUTIME_ID");
	CHECK_EQ(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &r), 0,
		 "CLOCK_THREAD_CPUTIME_ID");
	CHECK_ERRNO(clock_gettime((clockid_t)99, &r), EINVAL,
		    "unknown clock: EINVAL");
	struct timespec req = {0, 20000000};
	CHECK_EQ(nanosleep(&req, NULL), 0, "nanosleep");
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms =
	    (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	CHECK(ms >= 20, "nanosleep slept at least 20 ms");
	struct timespec badreq = {0, -1};
	CHECK_ERRNO(nanosleep(&badreq, NULL), EINVAL,
		    "nanosleep bad timespec: EINVAL");
	clock_gettime(CLOCK_MONOTONIC, &a);
	a.tv_nsec += 10000000;
	if (a.tv_nsec >= 1000000000) {
		a.tv_sec++;
		a.tv_nsec -= 1000000000;
	}
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, NULL), 0,
		 "clock_nanosleep absolute");
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(b.tv_sec > a.tv_sec ||
		  (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec),
	      "woke after the absolute deadline");
	CHECK(time(NULL) > 0, "time()");
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1,
	      "sysconf(_SC_NPROCESSORS_ONLN)");
	const char *e = getenv("UNUM_TEST");
	CHECK(e && !strcmp(e, "yes"), "environment from the boot key app.env");
	e = getenv("HOME");
	CHECK(e && !strcmp(e, "/"), "default environment");

	pthread_t t[8];
	void *rv;
	for (intptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, tls_worker, (void *)i);
	int tls_ok = 1;
	for (intptr_t i = 0; i < 4; i++) {
		pthread_join(t[i], &rv);
		tls_ok &= (intptr_t)rv == 11 + i;
	}
	CHECK(tls_ok, "__thread variables are per thread");
	CHECK_EQ(tls_var, 11, "main thread's TLS untouched");

	for (intptr_t i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, malloc_worker, (void *)(i + 1));
	long bad = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], &rv);
		bad += (intptr_t)rv;
	}
	CHECK_EQ(bad, 0, "malloc from 8 threads keeps every block intact");
	void *p = NULL;
	CHECK_EQ(posix_memalign(&p, 4096, 100), 0, "posix_memalign 4096");
	CHECK_EQ((uintptr_t)p % 4096, 0, "posix_memalign alignment");
	free(p);
	CHECK_EQ(posix_memalign(&p, 3, 100), EINVAL,
		 "posix_memalign bad alignment: EINVAL");
	errno = 0;
	volatile size_t huge = (size_t)-1 / 2; /* not a constant: the compiler
						  may fold calloc of one */
	void *cp = calloc(huge, 4);
	int cerr = errno;
	if (cp || cerr != ENOMEM)
		printf("# calloc gave %p errno %d\n", cp, cerr);
	CHECK(cp == NULL && cerr == ENOMEM, "calloc overflow: ENOMEM");

	CHECK_EQ(sem_init(&items, 0, 0), 0, "sem_init");
	CHECK_ERRNO(sem_trywait(&items), EAGAIN, "sem_trywait empty: EAGAIN");
	clock_gettime(CLOCK_REALTIME, &a);
	a.tv_nsec += 10000000;
	if (a.tv_nsec >= 1000000000) {
		a.tv_sec++;
		a.tv_nsec -= 1000000000;
	}
	CHECK_ERRNO(sem_timedwait(&items, &a), ETIMEDOUT,
		    "sem_timedwait: ETIMEDOUT");
	pthread_create(&t[0], NULL, poster, NULL);
	int got = 0;
	for (int i = 0; i < 1000; i++)
		got += sem_wait(&items) == 0;
	pthread_join(t[0], NULL);
	CHECK_EQ(got, 1000, "1000 posts, 1000 waits");
	int v;
	sem_getvalue(&items, &v);
	CHECK_EQ(v, 0, "sem_getvalue");
	CHECK_EQ(sem_destroy(&items), 0, "sem_destroy");

	sem_t *s = sem_open("/unum", O_CREAT | O_EXCL, 0600, 2);
	CHECK(s != SEM_FAILED, "sem_open O_CREAT");
	CHECK(sem_open("/unum", O_CREAT | O_EXCL, 0600, 1) == SEM_FAILED &&
		  errno == EEXIST,
	      "sem_open O_EXCL again: EEXIST");
	sem_t *s2 = sem_open("/unum", 0);
	CHECK(s2 == s, "sem_open finds it by name");
	CHECK_EQ(sem_trywait(s2), 0, "named semaphore value");
	CHECK(sem_open("/missing", 0) == SEM_FAILED && errno == ENOENT,
	      "sem_open missing: ENOENT");
	CHECK(sem_open("noslash", O_CREAT, 0600, 0) == SEM_FAILED &&
		  errno == EINVAL,
	      "sem_open bad name: EINVAL");
	CHECK_EQ(sem_unlink("/unum"), 0, "sem_unlink");
	CHECK_ERRNO(sem_unlink("/unum"), ENOENT, "sem_unlink twice: ENOENT");
	sem_close(s);
	sem_close(s2);

	int rc = pt_done();
	if (rc)
		return rc;
	/* exit() from another thread ends the whole program with its status */
	pthread_create(&t[0], NULL, exiter, (void *)3);
	for (;;)
		pause();
}
