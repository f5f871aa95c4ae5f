/*
 * posix/start.c — starting the application: the main thread (its TLS block
 * is static, since malloc needs a thread to run on), the file system and
 * console, constructors, argv, then exit(main(argc, argv, environ)).
 * Also the hooks the allocator and the internal locks need.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/init.h"
#include "kernel/kstring.h"
#include "posix/heap.h"
#include "posix/posix_impl.h"
#include "posix/vfs.h"

#define MAIN_STACK   (8u << 20)
#define MAIN_TLS_MAX (64u << 10)
#define MAX_ARGS     64

int main(int argc, char **argv, char **envp);
extern char **environ;

/* Constructors and destructors (newlib for this target has no
 * __libc_init_array): the linker script collects the arrays. */
typedef void (*ctor_fn)(void);
extern const ctor_fn __preinit_array_start[], __preinit_array_end[];
extern const ctor_fn __init_array_start[], __init_array_end[];
extern const ctor_fn __fini_array_start[], __fini_array_end[];

static void run_constructors(void)
{
	for (const ctor_fn *f = __preinit_array_start; f < __preinit_array_end;
	     f++)
		(*f)();
	for (const ctor_fn *f = __init_array_start; f < __init_array_end; f++)
		(*f)();
}

static void run_destructors(void)
{
	for (const ctor_fn *f = __fini_array_end; f > __fini_array_start;)
		(*--f)();
}

/* main's TLS block and TCB, on pages of their own (posix/tls.c) */
static uint8_t main_tls[(MAIN_TLS_MAX + sizeof(struct pthread) + 4095) &
			~(size_t)4095] __attribute__((aligned(4096)));
static char *main_argv[MAX_ARGS + 2];
static char *default_env[] = {"PATH=/bin", "HOME=/", "PWD=/", NULL};
#define MAX_ENV 32
static char env_buf[256];
static char *main_env[MAX_ENV + 4];

/* The defaults, then app.env's NAME=value words (a name given again
 * replaces the default). */
static char **build_env(void)
{
	int n = 0;
	for (int i = 0; default_env[i]; i++)
		main_env[n++] = default_env[i];
	strncpy(env_buf, ksys_env(), sizeof(env_buf) - 1);
	for (char *p = env_buf; *p && n < MAX_ENV + 3;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		char *w = p;
		while (*p && *p != ' ')
			p++;
		char *eq = strchr(w, '=');
		if (!eq || eq == w)
			continue; /* not NAME=value: ignored */
		int k;
		for (k = 0; k < n; k++)
			if (!strncmp(main_env[k], w, (size_t)(eq - w + 1)))
				break;
		main_env[k] = w;
		if (k == n)
			n++;
	}
	main_env[n] = NULL;
	return main_env;
}

void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

/* ---- environment of the other posix/ files ------------------------------ */

int ulock_futex_wait(uint32_t *addr, uint32_t expected)
{
	return ksys_futex_wait(addr, expected, 0);
}

void ulock_futex_wake(uint32_t *addr, int n)
{
	ksys_futex_wake(addr, n);
}

/* Arena k is node k's: its region is in node k's span of the GAS, so its
 * pages are homed where its threads allocate. The lower half of node k's
 * heap region: the upper half is its memory maps' (posix/mman_space.c). */
int posix_heap_arena(void)
{
	return ksys_node();
}
void posix_heap_region(int arena, uintptr_t *base, size_t *size)
{
	ksys_heap_region(arena, base, size);
	*size /= 2;
}

void posix_malloc_error(const char *msg, void *p)
{
	char buf[160];
	int n = snprintf(buf, sizeof(buf), "unum: %s (%p): aborting\n", msg, p);
	ksys_console_write(buf, (size_t)n);
	ksys_exit(134);
}

static void console_write(const char *s, size_t n)
{
	ksys_console_write(s, n);
}

/* /proc/dsm: the kernel's DSM counters of the opener's node, then the
 * counters of that node's heap arena, in one line whose format
 * docs/ARCHITECTURE.md gives. */
static size_t proc_dsm_text(char *buf, size_t len)
{
	size_t n = ksys_dsm_text(buf, len);
	posix_malloc_arena_line(buf, len, &n, ksys_node());
	return n;
}

/* ---- the main thread ------------------------------------------------------ */

static void main_thread(void *arg)
{
	struct pthread *self = arg;
	ksys_set_thread_ptr(self, self->id);
	ksys_signal_entry(posix_sig_tramp); /* this node's kernel */
	/* The standard streams are the process's (newlib's global stdio
	 * streams): set them up in the global reent so exit(), from any
	 * thread, flushes them. */
	__sinit(_GLOBAL_REENT);
	vfs_console_write = console_write;
	vfs_console_read = ksys_console_read; /* standard input */
	vfs_console_poll = posix_console_poll;
	vfs_block = posix_file_block; /* cancellable pipe waits */
	if (vfs_init(ksys_clock_ns) < 0) {
		ksys_console_write("unum: cannot set up the file system\n", 36);
		ksys_exit(127);
	}
	const void *initrd;
	size_t len;
	if (ksys_initrd(&initrd, &len)) {
		char err[160];
		if (vfs_mount_initrd(initrd, len, "/", err, sizeof(err)) < 0) {
			fprintf(stderr, "unum: initrd not mounted: %s\n", err);
			exit(127);
		}
	}
	/* /proc/dsm: the DSM and heap counters of the opener's node;
	 * /proc/cluster: every node's DSM counters (both taken at open) */
	int prc = vfs_mkdir("/proc", 0555);
	if (prc == 0 || prc == -EEXIST)
		prc = vfs_proc_add("/proc/dsm", proc_dsm_text);
	if (prc == 0)
		prc = vfs_proc_add("/proc/cluster", ksys_cluster_text);
	if (prc < 0)
		fprintf(stderr, "unum: /proc not made: error %d\n", -prc);
	posix_files_init(); /* /tmp, /dev, /etc/hostname */
	size_t argc = ksys_argc();
	if (argc > MAX_ARGS)
		argc = MAX_ARGS;
	main_argv[0] = "app";
	for (size_t i = 0; i < argc; i++)
		main_argv[i + 1] = (char *)ksys_argv(i);
	main_argv[argc + 1] = NULL;
	environ = build_env();
	run_constructors();
	atexit(run_destructors);
	exit(main((int)argc + 1, main_argv, environ));
}

/* Kernel context: build the main thread without malloc (no TLS yet).
 * Only the origin (node 0) runs main(); the other nodes serve threads. */
static int posix_run(void)
{
	if (ksys_node() != 0)
		for (;;)
			ksys_sleep_ns(1000000000ull * 3600);
	size_t align, tls = posix_tls_size(&align);
	if (tls > MAIN_TLS_MAX || align > 4096) {
		ksys_console_write("unum: thread-local data too large\n", 34);
		return 127;
	}
	struct pthread *p = posix_tls_init(main_tls, tls); /* static block */
	p->creator = -1; /* no exit note: a joiner of main reads its word */
	memcpy(p->name, "app", 4); /* argv[0]; threads inherit it */
	uintptr_t top;
	if (posix_main_stack(p, MAIN_STACK, &top))
		return 127;
	if (ksys_thread_spawn(main_thread, p, top, (uintptr_t)p, 0))
		return 127;
	for (;;)
		ksys_sleep_ns(1000000000ull *
			      3600); /* the program ends by exit() */
}

static int posix_register(void)
{
	ksys_set_app(posix_run);
	return 0;
}
INITCALL(INIT_READY, posix_register);
