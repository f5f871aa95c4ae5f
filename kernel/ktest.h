/*
 * kernel/ktest.h — in-kernel tests. A test is a function registered in a
 * linker section with KTEST(suite, name); the boot key `ktest=` selects
 * tests by full name ("sched.yield"), prefix glob ("sched.*") or "all",
 * comma-separated; "-item" excludes ("all,-net.*"). Results are TAP on the console; each test runs in its own
 * thread. Assertions record the first failure with file and line and end
 * the test (KT_ASSERT) or carry on (KT_EXPECT).
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <stdbool.h>
#include <stdint.h>

struct ktest_ctx {
	bool failed;
	char msg[200];
};

struct ktest {
	const char *name; /* "suite.name" */
	void (*fn)(struct ktest_ctx *ctx);
	int min_cpus; /* skipped (as passed with a note) below this */
};

#define KTEST_EX(suite, tname, ncpus)                                          \
	static void ktest_##suite##_##tname(struct ktest_ctx *ctx);            \
	static const struct ktest ktest_desc_##suite##_##tname __attribute__(( \
	    used, section(".ktests." #suite "." #tname), aligned(8))) = {      \
	    .name = #suite "." #tname,                                         \
	    .fn = ktest_##suite##_##tname,                                     \
	    .min_cpus = ncpus,                                                 \
	};                                                                     \
	static void ktest_##suite##_##tname(struct ktest_ctx *ctx)
#define KTEST(suite, tname) KTEST_EX(suite, tname, 1)

void ktest_fail(struct ktest_ctx *ctx, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Ends the calling test's thread after a failed KT_ASSERT. */
void ktest_abort(struct ktest_ctx *ctx) __attribute__((noreturn));

#define KT_EXPECT(cond)                                                        \
	do {                                                                   \
		if (!(cond))                                                   \
			ktest_fail(ctx, __FILE__, __LINE__, "%s", #cond);      \
	} while (0)
#define KT_ASSERT(cond)                                                        \
	do {                                                                   \
		if (!(cond)) {                                                 \
			ktest_fail(ctx, __FILE__, __LINE__, "%s", #cond);      \
			ktest_abort(ctx);                                      \
		}                                                              \
	} while (0)
#define KT_EQ(a, b)                                                            \
	do {                                                                   \
		int64_t _a = (int64_t)(a), _b = (int64_t)(b);                  \
		if (_a != _b) {                                                \
			ktest_fail(ctx, __FILE__, __LINE__,                    \
				   "%s == %s (%ld != %ld)", #a, #b, _a, _b);   \
			ktest_abort(ctx);                                      \
		}                                                              \
	} while (0)

/* Runs the tests selected by `pattern`; returns the number that failed. */
int ktest_run(const char *pattern);
/* True if `name` matches the comma-separated pattern list. Pure. */
bool ktest_match(const char *pattern, const char *name);

/* In-kernel benchmarks: BENCH(name) functions print `bench: <name> <value>
 * <unit>` lines through bench_report(); boot key `bench=` selects them. */
struct kbench {
	const char *name;
	void (*fn)(void);
};
#define BENCH(bname)                                                           \
	static void kbench_##bname(void);                                      \
	static const struct kbench kbench_desc_##bname                         \
	    __attribute__((used, section(".benches." #bname), aligned(8))) = { \
		#bname, kbench_##bname};                                       \
	static void kbench_##bname(void)
void bench_report(const char *name, uint64_t value, const char *unit);
int bench_run(const char *pattern);

#endif
