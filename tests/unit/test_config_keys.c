/*
 * tests/unit/test_config_keys.c — host tests of the real key table
 * (kernel/config_keys.c) through boot_config, and of its sync with
 * docs/CONFIG.md, which the test reads from the repo root (where it runs).
 * The parser itself is tested in tests/unit/test_config.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/dsm.h"
#include "kernel/config.h"
#include "kernel/errno.h"

static struct config scratch;
static struct {
	int n;
	bool fatal[8];
	char msg[8][400];
} R;

static void capture(void *ctx, bool fatal, const char *msg)
{
	assert_true(R.n < 8);
	R.fatal[R.n] = fatal;
	snprintf(R.msg[R.n++], sizeof(R.msg[0]), "%s", msg);
}

static int boot_parse(const char *t, enum cfg_source src)
{
	memset(&R, 0, sizeof(R));
	return config_parse(&boot_config, t, strlen(t), src, capture, &R);
}

static void test_real_table_defaults(void **state)
{
	assert_int_equal(config_boot_init(), 0);
	assert_true(cfg_nkeys >= 12); /* later subsystems add rows */
	assert_int_equal(config_enum("log.level"), 2);
	assert_string_equal(config_str("log.level"), "info");
	assert_true(config_bool("console.timestamps"));
	assert_false(config_bool("test.mode"));
	assert_string_equal(config_str("ktest"), "");
	assert_int_equal(config_enum("debug.crash"), 0);
	assert_int_equal(config_uint("sched.slice_ms"), 10);
	assert_int_equal(config_uint("sched.hz"), 1000);
	assert_int_equal(config_uint("mem.max"), 0);
	assert_int_equal(config_uint("smp.max_cpus"), 256);
	assert_int_equal(config_uint("cluster.nodes"), 1);
	assert_string_equal(config_str("cluster.key"), "");
	assert_string_equal(config_str("bench"), "");
	assert_int_equal(config_uint("cluster.id"), 1);
	assert_false(config_bool("cluster.origin"));
	assert_int_equal(config_uint("cluster.wait_ms"), 60000);
	assert_int_equal(config_uint("cluster.heartbeat_ms"), 200);
	assert_int_equal(config_uint("cluster.dead_ms"), 3000);
	for (size_t i = 0; i < cfg_nkeys; i++)
		assert_int_equal(config_source(cfg_keys[i].name),
				 CFG_SRC_DEFAULT);
	assert_int_equal(config_app_argc(), 0);
	assert_null(config_app_argv(0));
}

static void test_real_table_messages(void **state)
{
	assert_int_equal(config_boot_init(), 0);
	assert_int_equal(
	    boot_parse("sched.polcy=x log.level=debug mem.max=512M",
		       CFG_SRC_CMDLINE),
	    0);
	assert_int_equal(R.n, 1);
	assert_false(R.fatal[0]);
	assert_string_equal(R.msg[0],
			    "config: unknown key 'sched.polcy' (cmdline)");
	assert_int_equal(config_enum("log.level"), 3);
	assert_int_equal(config_uint("mem.max"), 512ull << 20);

	assert_int_equal(boot_parse("sched.slice_ms=fast", CFG_SRC_CMDLINE),
			 -EINVAL);
	assert_int_equal(R.n, 1);
	assert_string_equal(R.msg[0],
			    "config: bad value 'fast' for key 'sched.slice_ms' "
			    "(cmdline): expected an unsigned integer 1..1000");
}

static void collect(void *ctx, const struct cfg_key *k, const char *value,
		    enum cfg_source src)
{
	char *out = ctx;
	if (src != CFG_SRC_DEFAULT)
		sprintf(out + strlen(out), "%s=%s(%s) ", k->name, value,
			cfg_source_name(src));
}

/* A boot as kernel/main.c does it: module, then command line. */
static void test_real_boot(void **state)
{
	char out[512] = "";

	assert_int_equal(config_boot_init(), 0);
	assert_int_equal(boot_parse("# node config\n"
				    "cluster.nodes=4\n"
				    "cluster.key=\"s3cret key\"\n"
				    "sched.hz=250\n"
				    "-- -v\n",
				    CFG_SRC_MODULE),
			 0);
	assert_int_equal(R.n, 0);
	assert_int_equal(
	    boot_parse("sched.hz=100 debug.crash=gpf test.mode=yes "
		       "ktest=sched.*,mm.* smp.max_cpus=0x10 "
		       "-- -n 4 \"out file\"",
		       CFG_SRC_CMDLINE),
	    0);
	assert_int_equal(R.n, 0);
	assert_int_equal(config_uint("cluster.nodes"), 4);
	assert_int_equal(config_source("cluster.nodes"), CFG_SRC_MODULE);
	assert_string_equal(config_str("cluster.key"), "s3cret key");
	assert_int_equal(config_uint("sched.hz"), 100);
	assert_int_equal(config_source("sched.hz"), CFG_SRC_CMDLINE);
	assert_int_equal(config_enum("debug.crash"), 2);
	assert_string_equal(config_str("debug.crash"), "gpf");
	assert_true(config_bool("test.mode"));
	assert_string_equal(config_str("ktest"), "sched.*,mm.*");
	assert_int_equal(config_uint("smp.max_cpus"), 16);
	assert_int_equal(config_app_argc(), 3);
	assert_string_equal(config_app_argv(2), "out file");

	config_foreach(&boot_config, collect, out);
	assert_string_equal(
	    out, "test.mode=yes(cmdline) ktest=sched.*,mm.*(cmdline) "
		 "debug.crash=gpf(cmdline) sched.hz=100(cmdline) "
		 "smp.max_cpus=0x10(cmdline) cluster.nodes=4(module) "
		 "cluster.key=<hidden>(module) ");
}

static void test_real_bad_values(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"log.level=verbose", "config: bad value 'verbose' for key "
				  "'log.level' (cmdline): expected one of "
				  "error|warn|info|debug"},
	    {"sched.hz=9", "config: bad value '9' for key 'sched.hz' "
			   "(cmdline): expected an unsigned integer 10..10000"},
	    {"sched.hz=10001", "config: bad value '10001' for key 'sched.hz' "
			       "(cmdline): expected an unsigned integer "
			       "10..10000"},
	    {"smp.max_cpus=257", "config: bad value '257' for key "
				 "'smp.max_cpus' (cmdline): expected an "
				 "unsigned integer 1..256"},
	    {"cluster.nodes=0", "config: bad value '0' for key "
				"'cluster.nodes' (cmdline): expected an "
				"unsigned integer 1..64"},
	    {"cluster.nodes=65", "config: bad value '65' for key "
				 "'cluster.nodes' (cmdline): expected an "
				 "unsigned integer 1..64"},
	    {"mem.max=1T", "config: bad value '1T' for key 'mem.max' "
			   "(cmdline): expected an unsigned integer "
			   "0..18446744073709551615"},
	    {"console.timestamps=2", "config: bad value '2' for key "
				     "'console.timestamps' (cmdline): "
				     "expected a boolean "
				     "(0/1/yes/no/true/false/on/off)"},
	    {"debug.crash=panic", "config: bad value 'panic' for key "
				  "'debug.crash' (cmdline): expected one of "
				  "none|pagefault|gpf|divzero|ud|doublefault"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(config_boot_init(), 0);
		assert_int_equal(boot_parse(cases[i].text, CFG_SRC_CMDLINE),
				 -EINVAL);
		assert_int_equal(R.n, 1);
		assert_true(R.fatal[0]);
		assert_string_equal(R.msg[0], cases[i].msg);
	}
	/* The cluster key is never echoed, even when it is wrong. */
	char t[200] = "cluster.key=";
	memset(t + 12, 'k', 129);
	assert_int_equal(config_boot_init(), 0);
	assert_int_equal(boot_parse(t, CFG_SRC_MODULE), -EINVAL);
	assert_string_equal(R.msg[0], "config: bad value '<hidden>' for key "
				      "'cluster.key' (module line 1): "
				      "expected at most 128 characters");
	t[12 + 128] = '\0';
	assert_int_equal(config_boot_init(), 0);
	assert_int_equal(boot_parse(t, CFG_SRC_MODULE), 0);
	assert_int_equal(strlen(config_str("cluster.key")), 128);
}

static void test_init_checks_table(void **state)
{
	static const struct cfg_key dup[] = {CFG_KEY_BOOL("a", "0", "x"),
					     CFG_KEY_BOOL("a", "1", "y")};
	static const struct cfg_key baddef[] = {
	    CFG_KEY_UINT("a", "0", 1, 2, "x")};
	static const struct cfg_key badname[] = {CFG_KEY_BOOL("A", "0", "x")};
	static const struct cfg_key emptychoice[] = {
	    CFG_KEY_ENUM("a", "x", "x||y", "x")};
	static const struct cfg_key badrange[] = {
	    CFG_KEY_INT("a", "0", 1, -1, "x")};
	static const struct cfg_key longstr[] = {
	    CFG_KEY_STRING("a", "", 256, "x")};
	static const struct cfg_key unregistered[] = {
	    CFG_KEY_REGISTRY("no.such", "x", "nobody registers its choices")};
	static const struct cfg_key both[] = {{.name = "sched.policy",
					       .type = CFG_ENUM,
					       .def = "local",
					       .choices = "local",
					       .registry = true,
					       .doc = "x"}};
	static struct cfg_key many[CFG_KEYS_MAX + 1];

	assert_int_equal(config_init(&scratch, dup, 2), -EINVAL);
	assert_int_equal(config_init(&scratch, baddef, 1), -EINVAL);
	assert_int_equal(config_init(&scratch, badname, 1), -EINVAL);
	assert_int_equal(config_init(&scratch, emptychoice, 1), -EINVAL);
	assert_int_equal(config_init(&scratch, unregistered, 1), -EINVAL);
	assert_int_equal(config_init(&scratch, both, 1), -EINVAL);
	assert_int_equal(config_init(&scratch, badrange, 1), -EINVAL);
	assert_int_equal(config_init(&scratch, longstr, 1), -EINVAL);
	assert_int_equal(config_init(&scratch, many, CFG_KEYS_MAX + 1), -E2BIG);
	assert_int_equal(config_init(&scratch, dup, 0), 0);
	assert_int_equal(config_init(&scratch, cfg_keys, cfg_nkeys), 0);
}

/* The choices of enum key k as docs/CONFIG.md writes them: "`a` `b`". */
static void doc_choices(const struct cfg_key *k, char *out, size_t len)
{
	char c[CFG_VALUE_MAX + 1];
	size_t at = 0;

	out[0] = '\0';
	for (unsigned i = 0; cfg_key_choice(k, i, c, sizeof(c)) >= 0; i++)
		at += (size_t)snprintf(out + at, len - at, "%s`%s`",
				       i ? " " : "", c);
	assert_true(at < len);
}

/* Every key of kernel/config_keys.c has its row in docs/CONFIG.md, with the
 * same default and, for an enum, the same choices in the same order (those
 * of a CFG_KEY_REGISTRY key as registered by the files linked in, which
 * are the kernel's: tests/unit/config.mk), and every row there is a key of
 * the table. */
static void test_docs_in_sync(void **state)
{
	FILE *f = fopen("docs/CONFIG.md", "r");
	char line[1024], row[CFG_KEY_MAX + 8], def[CFG_VALUE_MAX + 8];
	char choices[512];
	bool seen[CFG_KEYS_MAX] = {false};
	bool in_keys = false;

	if (!f)
		fail_msg("docs/CONFIG.md not found: run from the repo root");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3))
			in_keys = !strcmp(line, "## Keys\n");
		if (!in_keys || strncmp(line, "| `", 3))
			continue;
		size_t i;
		for (i = 0; i < cfg_nkeys; i++) {
			snprintf(row, sizeof(row), "| `%s` |",
				 cfg_keys[i].name);
			if (!strncmp(line, row, strlen(row)))
				break;
		}
		if (i == cfg_nkeys)
			fail_msg("docs/CONFIG.md lists a key that "
				 "kernel/config_keys.c lacks: %s",
				 line);
		snprintf(def, sizeof(def), "| `%s` |",
			 cfg_keys[i].def[0] ? cfg_keys[i].def : "\"\"");
		if (!strstr(line, def))
			fail_msg("docs/CONFIG.md: default of %s is not %s",
				 cfg_keys[i].name, def);
		if (cfg_keys[i].type == CFG_ENUM) {
			char cell[sizeof(choices) + 8];
			doc_choices(&cfg_keys[i], choices, sizeof(choices));
			snprintf(cell, sizeof(cell), "%s %s |", def, choices);
			if (!strstr(line, cell))
				fail_msg("docs/CONFIG.md: the choices of %s "
					 "are not %s",
					 cfg_keys[i].name, choices);
		}
		seen[i] = true;
	}
	fclose(f);
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (!seen[i])
			fail_msg("key %s of kernel/config_keys.c is missing "
				 "from docs/CONFIG.md",
				 cfg_keys[i].name);
}

/* The registered choices are the kernel's: every policy and protocol
 * linked in, dsm.home's modes in the order of enum dsm_home_mode; a bad
 * value names them as a row's own choices would be. */
static void test_registered_choices(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"sched.policy=fastest",
	     "config: bad value 'fastest' for key 'sched.policy' (cmdline): "
	     "expected one of local|round_robin|least_loaded|locality|steal"},
	    {"dsm.protocol=rc",
	     "config: bad value 'rc' for key 'dsm.protocol' (cmdline): "
	     "expected one of sc"},
	    {"dsm.home=random",
	     "config: bad value 'random' for key 'dsm.home' (cmdline): "
	     "expected one of interleave|origin|first_touch"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(config_boot_init(), 0);
		assert_int_equal(boot_parse(cases[i].text, CFG_SRC_CMDLINE),
				 -EINVAL);
		assert_int_equal(R.n, 1);
		assert_string_equal(R.msg[0], cases[i].msg);
	}
	assert_int_equal(config_boot_init(), 0);
	assert_string_equal(config_str("sched.policy"), "round_robin");
	assert_string_equal(config_str("dsm.protocol"), "sc");
	assert_int_equal(config_enum("dsm.home"), DSM_HOME_INTERLEAVE);
	assert_int_equal(boot_parse("sched.policy=steal dsm.home=first_touch",
				    CFG_SRC_CMDLINE),
			 0);
	assert_string_equal(config_str("sched.policy"), "steal");
	assert_int_equal(config_enum("dsm.home"), DSM_HOME_FIRST_TOUCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_table_defaults),
	    cmocka_unit_test(test_real_table_messages),
	    cmocka_unit_test(test_real_boot),
	    cmocka_unit_test(test_real_bad_values),
	    cmocka_unit_test(test_init_checks_table),
	    cmocka_unit_test(test_docs_in_sync),
	    cmocka_unit_test(test_registered_choices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
