/*
 * kernel/ktest.c — the in-kernel test runner (TAP on the console) and the
 * benchmark runner.
 */
#include <stdarg.h>

#include "kernel/kstring.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/thread.h"

extern const struct ktest __ktests_start[], __ktests_end[];
extern const struct kbench __benches_start[], __benches_end[];

/* One comma-separated item: "all", "name", "prefix*". */
static bool item_match(const char *p, size_t len, const char *name)
{
	if (len == 3 && !strncmp(p, "all", 3))
		return true;
	if (len && p[len - 1] == '*')
		return !strncmp(p, name, len - 1);
	return len == strlen(name) && !strncmp(p, name, len);
}

/* A name matches if some item selects it and no "-item" excludes it:
 * "all,-net.*" is every test but the net suite. */
bool ktest_match(const char *pattern, const char *name)
{
	bool in = false;
	for (const char *p = pattern; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len && *p == '-') {
			if (item_match(p + 1, len - 1, name))
				return false;
		} else if (item_match(p, len, name)) {
			in = true;
		}
		p += len + (end ? 1 : 0);
	}
	return in;
}

void ktest_fail(struct ktest_ctx *ctx, const char *file, int line,
		const char *fmt, ...)
{
	if (ctx->failed)
		return;
	ctx->failed = true;
	int n = ksnprintf(ctx->msg, sizeof(ctx->msg), "%s:%d: ", file, line);
	if (n < (int)sizeof(ctx->msg)) {
		va_list ap;
		va_start(ap, fmt);
		kvsnprintf(ctx->msg + n, sizeof(ctx->msg) - n, fmt, ap);
		va_end(ap);
	}
}

void ktest_abort(struct ktest_ctx *ctx)
{
	(void)ctx;
	thread_exit(NULL);
}

struct run {
	const struct ktest *t;
	struct ktest_ctx ctx;
};

static void *ktest_thread(void *arg)
{
	struct run *r = arg;
	r->t->fn(&r->ctx);
	return NULL;
}

int ktest_run(const char *pattern)
{
	int total = 0, failed = 0, idx = 0;
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		total += ktest_match(pattern, t->name);
	kprintf("TAP version 13\n1..%d\n", total);
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		if (!ktest_match(pattern, t->name))
			continue;
		idx++;
		if (nr_cpus < t->min_cpus) {
			kprintf("ok %d - %s # SKIP needs %d CPUs\n", idx,
				t->name, t->min_cpus);
			continue;
		}
		struct run r = {.t = t};
		uint64_t t0 = clock_ns();
		struct thread *th =
		    thread_create("ktest", ktest_thread, &r, PRIO_DEFAULT);
		if (!th || thread_join(th, NULL)) {
			r.ctx.failed = true;
			kstrlcpy(r.ctx.msg, "could not start the test thread",
				 sizeof(r.ctx.msg));
		}
		uint64_t us = (clock_ns() - t0) / 1000;
		if (r.ctx.failed) {
			failed++;
			kprintf("not ok %d - %s # %s\n", idx, t->name,
				r.ctx.msg);
		} else {
			kprintf("ok %d - %s # %lu us\n", idx, t->name, us);
		}
	}
	kprintf("ktest: %d passed, %d failed\n", total - failed, failed);
	return failed;
}

void bench_report(const char *name, uint64_t value, const char *unit)
{
	kprintf("bench: %s %lu %s\n", name, value, unit);
}

int bench_run(const char *pattern)
{
	int n = 0;
	for (const struct kbench *b = __benches_start; b < __benches_end; b++) {
		if (!ktest_match(pattern, b->name))
			continue;
		b->fn();
		n++;
	}
	return n;
}
