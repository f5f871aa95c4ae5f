/*
 * tests/unit/test_config.c — host tests of the boot configuration parser
 * (kernel/config.c), the key table (kernel/config_keys.c) and its sync with
 * docs/CONFIG.md (read from the repo root, where the test runs).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel/config.h"
#include "kernel/errno.h"

/* A table with every type, used where the real one has no such key. */
static const struct cfg_key tkeys[] = {
    CFG_KEY_BOOL("b", "0", "a bool"),
    CFG_KEY_UINT("u", "5", 1, 1000, "a ranged uint"),
    CFG_KEY_UINT("big", "0", 0, UINT64_MAX, "a full-range uint"),
    CFG_KEY_INT("i", "0", -5, 5, "a ranged int"),
    CFG_KEY_INT("wide", "0", INT64_MIN, INT64_MAX, "a full-range int"),
    CFG_KEY_STRING("s", "dflt", 8, "a short string"),
    CFG_KEY_STRING("x", "", CFG_VALUE_MAX, "a long string"),
    CFG_KEY_ENUM("e", "b", "a|b|cc", "an enum"),
    CFG_KEY_SECRET("k", "", 16, "a secret"),
    CFG_KEY_REGISTRY("r", "two", "an enum of registered choices"),
};
#define NT (sizeof(tkeys) / sizeof(tkeys[0]))

/* r's choices, registered in two entries as two parts would: one, two,
 * three (entries for other keys between them do not count). */
static const char *const r_first[] = {"one", "two"};
static const char *const r_other[] = {"zzz"};
static const char *const r_last = "three";
DEFINE_CFG_CHOICES(r_first, "r", r_first, 2);
DEFINE_CFG_CHOICES(r_other, "other", r_other, 1);
DEFINE_CFG_CHOICES(r_last, "r", &r_last, 1);

#define MAXMSG 80
static struct config C;
static struct {
	int n, nfatal;
	bool fatal[MAXMSG];
	char msg[MAXMSG][400];
} R;

static void capture(void *ctx, bool fatal, const char *msg)
{
	assert_ptr_equal(ctx, &R);
	assert_true(R.n < MAXMSG);
	R.fatal[R.n] = fatal;
	snprintf(R.msg[R.n++], sizeof(R.msg[0]), "%s", msg);
	R.nfatal += fatal;
}

static void reset(void)
{
	assert_int_equal(config_init(&C, tkeys, NT), 0);
	memset(&R, 0, sizeof(R));
}

static int parse_src(const char *t, size_t len, enum cfg_source src)
{
	return config_parse(&C, t, len, src, capture, &R);
}
static int cmd(const char *t)
{
	return parse_src(t, strlen(t), CFG_SRC_CMDLINE);
}
static int mod(const char *t)
{
	return parse_src(t, strlen(t), CFG_SRC_MODULE);
}

/* From a fresh store, text must parse cleanly (no message at all). */
static void ok(const char *text)
{
	reset();
	assert_int_equal(cmd(text), 0);
	if (R.n)
		fail_msg("unexpected message for '%s': %s", text, R.msg[0]);
}

/* From a fresh store, text on src must fail with exactly this one message. */
static void fails(enum cfg_source src, const char *text, const char *msg)
{
	reset();
	assert_int_equal(parse_src(text, strlen(text), src), -EINVAL);
	assert_int_equal(R.n, 1);
	assert_true(R.fatal[0]);
	assert_string_equal(R.msg[0], msg);
}

/* Error text for key=value on the command line. */
static void bad(const char *key, const char *value, const char *expected)
{
	char text[600], msg[600];

	snprintf(text, sizeof(text), "%s=%s", key, value);
	snprintf(msg, sizeof(msg),
		 "config: bad value '%s' for key '%s' (cmdline): %s", value,
		 key, expected);
	fails(CFG_SRC_CMDLINE, text, msg);
}

static void test_bool(void **state)
{
	static const char *const yes[] = {"1", "yes", "true", "on"};
	static const char *const no[] = {"0", "no", "false", "off"};
	char t[32];

	for (int i = 0; i < 4; i++) {
		snprintf(t, sizeof(t), "b=%s", yes[i]);
		ok(t);
		assert_true(config_get_bool(&C, "b"));
		assert_string_equal(config_get_str(&C, "b"), yes[i]);
		snprintf(t, sizeof(t), "b=1 b=%s", no[i]);
		ok(t);
		assert_false(config_get_bool(&C, "b"));
	}
	const char *want = "expected a boolean (0/1/yes/no/true/false/on/off)";
	bad("b", "Yes", want);
	bad("b", "2", want);
	bad("b", "", want);
	bad("b", "onn", want);
}

static void test_uint(void **state)
{
	static const struct {
		const char *text;
		uint64_t v;
	} good[] = {
	    {"0", 0},
	    {"007", 7},
	    {"0x1f", 31},
	    {"0XFF", 255},
	    {"1K", 1024},
	    {"1k", 1024},
	    {"2M", 2u << 20},
	    {"3G", 3ull << 30},
	    {"3g", 3ull << 30},
	    {"0x10K", 16384},
	    {"16777215G", 16777215ull << 30},
	    {"17179869183G", 17179869183ull << 30},
	    {"18446744073709551615", UINT64_MAX},
	    {"0xffffffffffffffff", UINT64_MAX},
	};
	static const char *const junk[] = {
	    "",
	    "0x",
	    "-1",
	    "+1",
	    "1T",
	    "1KK",
	    "K",
	    "1.5",
	    "0x1g0",
	    "1e3",
	    "0b1",
	    "18446744073709551616",
	    "0x10000000000000000",
	    "17179869184G",
	    "18014398509481984K",
	};
	char t[64];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(t, sizeof(t), "big=%s", good[i].text);
		ok(t);
		assert_int_equal(config_get_uint(&C, "big"), good[i].v);
		assert_string_equal(config_get_str(&C, "big"), good[i].text);
	}
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		bad("big", junk[i],
		    "expected an unsigned integer 0..18446744073709551615");
	}
	/* Range boundaries: min-1, min, max, max+1. */
	ok("u=1");
	assert_int_equal(config_get_uint(&C, "u"), 1);
	ok("u=1000");
	assert_int_equal(config_get_uint(&C, "u"), 1000);
	ok("u=0x3e8");
	assert_int_equal(config_get_uint(&C, "u"), 1000);
	bad("u", "0", "expected an unsigned integer 1..1000");
	bad("u", "1001", "expected an unsigned integer 1..1000");
	bad("u", "1K", "expected an unsigned integer 1..1000");
}

static void test_int(void **state)
{
	ok("i=-5");
	assert_int_equal(config_get_int(&C, "i"), -5);
	ok("i=+5");
	assert_int_equal(config_get_int(&C, "i"), 5);
	ok("i=-0");
	assert_int_equal(config_get_int(&C, "i"), 0);
	bad("i", "-6", "expected a signed integer -5..5");
	bad("i", "6", "expected a signed integer -5..5");
	ok("wide=-9223372036854775808");
	assert_true(config_get_int(&C, "wide") == INT64_MIN);
	ok("wide=9223372036854775807");
	assert_true(config_get_int(&C, "wide") == INT64_MAX);
	const char *want = "expected a signed integer "
			   "-9223372036854775808..9223372036854775807";
	bad("wide", "9223372036854775808", want);
	bad("wide", "-9223372036854775809", want);
	bad("wide", "-", want);
	bad("wide", "", want);
	bad("wide", "1K", want);
	bad("wide", "0x1", want);
	bad("wide", "--1", want);
}

static void test_string_and_enum(void **state)
{
	ok("s=abcdefgh");
	assert_string_equal(config_get_str(&C, "s"), "abcdefgh");
	bad("s", "abcdefghi", "expected at most 8 characters");
	ok("s=");
	assert_string_equal(config_get_str(&C, "s"), "");
	assert_int_equal(config_get_source(&C, "s"), CFG_SRC_CMDLINE);

	reset();
	assert_int_equal(config_get_enum(&C, "e"), 1);
	ok("e=cc");
	assert_int_equal(config_get_enum(&C, "e"), 2);
	assert_string_equal(config_get_str(&C, "e"), "cc");
	ok("e=a");
	assert_int_equal(config_get_enum(&C, "e"), 0);
	bad("e", "c", "expected one of a|b|cc");
	bad("e", "A", "expected one of a|b|cc");
	bad("e", "", "expected one of a|b|cc");
	bad("e", "a|b", "expected one of a|b|cc");
	/* Registered choices: counted across the entries for the key. */
	reset();
	assert_int_equal(config_get_enum(&C, "r"), 1);
	ok("r=three");
	assert_int_equal(config_get_enum(&C, "r"), 2);
	assert_string_equal(config_get_str(&C, "r"), "three");
	bad("r", "zzz", "expected one of one|two|three");
	bad("r", "", "expected one of one|two|three");
	char c[4];
	assert_int_equal(cfg_key_choice(&tkeys[NT - 1], 2, c, sizeof(c)), 5);
	assert_string_equal(c, "thr");
	assert_int_equal(cfg_key_choice(&tkeys[NT - 1], 3, c, sizeof(c)), -1);
	assert_int_equal(cfg_key_choice(&tkeys[7], 2, c, sizeof(c)), 2);
	assert_string_equal(c, "cc");
	/* A secret is not echoed in the error. */
	fails(CFG_SRC_CMDLINE, "k=0123456789abcdefX",
	      "config: bad value '<hidden>' for key 'k' (cmdline): "
	      "expected at most 16 characters");
}

static void test_quoting(void **state)
{
	ok("x=\"a b\tc\"");
	assert_string_equal(config_get_str(&C, "x"), "a b\tc");
	ok("x=\"say \\\"hi\\\" \\\\o/\"");
	assert_string_equal(config_get_str(&C, "x"), "say \"hi\" \\o/");
	ok("x=\"a\\nb\\\\\"");
	assert_string_equal(config_get_str(&C, "x"), "a\\nb\\");
	ok("x=ab\"c d\"e\"\"f");
	assert_string_equal(config_get_str(&C, "x"), "abc def");
	ok("x=a\\b");
	assert_string_equal(config_get_str(&C, "x"), "a\\b");
	ok("x=\"\" u=3");
	assert_string_equal(config_get_str(&C, "x"), "");
	assert_int_equal(config_get_uint(&C, "u"), 3);
	ok("u=\"42\"");
	assert_int_equal(config_get_uint(&C, "u"), 42);
	ok("x=a=b");
	assert_string_equal(config_get_str(&C, "x"), "a=b");
	fails(CFG_SRC_CMDLINE, "x=\"abc",
	      "config: unterminated quote in value of 'x' (cmdline)");
	fails(CFG_SRC_CMDLINE, "x=\"abc\\\"",
	      "config: unterminated quote in value of 'x' (cmdline)");
	/* A quote must close on its line; later lines are still read. */
	reset();
	assert_int_equal(mod("u=7\nx=\"abc\nfoo u=9\n"), -EINVAL);
	assert_int_equal(R.n, 2);
	assert_string_equal(
	    R.msg[0],
	    "config: unterminated quote in value of 'x' (module line 2)");
	assert_false(R.fatal[1]);
	assert_string_equal(R.msg[1],
			    "config: 'foo' is not key=value (module line 3)");
	assert_int_equal(config_get_uint(&C, "u"), 7);
}

static void test_comments_and_space(void **state)
{
	reset();
	assert_int_equal(
	    mod("# whole line\n\n  u=7   # trailing u=8\n#u=9\r\nb=on\r\n"), 0);
	assert_int_equal(R.n, 0);
	assert_int_equal(config_get_uint(&C, "u"), 7);
	assert_true(config_get_bool(&C, "b"));
	ok("x=a#b");
	assert_string_equal(config_get_str(&C, "x"), "a#b");
	ok("u=7 # u=9");
	assert_int_equal(config_get_uint(&C, "u"), 7);
	ok("\t u=8 \r\n");
	assert_int_equal(config_get_uint(&C, "u"), 8);
}

static void test_empty_input(void **state)
{
	reset();
	assert_int_equal(config_parse(&C, "", 0, CFG_SRC_CMDLINE, capture, &R),
			 0);
	assert_int_equal(config_parse(&C, NULL, 0, CFG_SRC_MODULE, NULL, NULL),
			 0);
	assert_int_equal(cmd(" \t\r\n "), 0);
	/* Only the two outside sources can be parsed. */
	assert_int_equal(parse_src("u=2", 3, CFG_SRC_DEFAULT), -EINVAL);
	assert_int_equal(config_get_uint(&C, "u"), 5);
	assert_int_equal(mod("# nothing\n#\n"), 0);
	assert_int_equal(R.n, 0);
	for (size_t i = 0; i < NT; i++)
		assert_int_equal(config_get_source(&C, tkeys[i].name),
				 CFG_SRC_DEFAULT);
	assert_int_equal(config_get_uint(&C, "u"), 5);
	assert_string_equal(config_get_str(&C, "s"), "dflt");
	/* The caller's length is the end: "u=9" lies beyond it. */
	assert_int_equal(parse_src("u=3u=9", 3, CFG_SRC_CMDLINE), 0);
	assert_int_equal(config_get_uint(&C, "u"), 3);
}

static void test_precedence_and_sources(void **state)
{
	reset();
	assert_int_equal(mod("u=4 s=mod"), 0);
	assert_int_equal(config_get_uint(&C, "u"), 4);
	assert_int_equal(config_get_source(&C, "u"), CFG_SRC_MODULE);
	assert_int_equal(cmd("u=3"), 0);
	assert_int_equal(config_get_uint(&C, "u"), 3);
	assert_int_equal(config_get_source(&C, "u"), CFG_SRC_CMDLINE);
	assert_string_equal(config_get_str(&C, "s"), "mod");
	assert_int_equal(config_get_source(&C, "s"), CFG_SRC_MODULE);
	assert_int_equal(config_get_source(&C, "b"), CFG_SRC_DEFAULT);

	/* The other order gives the same result. */
	reset();
	assert_int_equal(cmd("u=3"), 0);
	assert_int_equal(mod("u=4 s=mod"), 0);
	assert_int_equal(config_get_uint(&C, "u"), 3);
	assert_int_equal(config_get_source(&C, "u"), CFG_SRC_CMDLINE);
	assert_string_equal(config_get_str(&C, "s"), "mod");

	/* Same key twice in one source: the last wins. */
	ok("u=3 u=4 u=0x10");
	assert_int_equal(config_get_uint(&C, "u"), 16);
	/* A bad value in the module still stops the boot. */
	reset();
	assert_int_equal(cmd("u=3"), 0);
	assert_int_equal(mod("u=0"), -EINVAL);
	assert_string_equal(
	    R.msg[0], "config: bad value '0' for key 'u' (module line 1): "
		      "expected an unsigned integer 1..1000");

	assert_string_equal(cfg_source_name(CFG_SRC_DEFAULT), "default");
	assert_string_equal(cfg_source_name(CFG_SRC_MODULE), "module");
	assert_string_equal(cfg_source_name(CFG_SRC_CMDLINE), "cmdline");
}

static void test_warnings(void **state)
{
	reset();
	assert_int_equal(cmd("foo u=9 sched.polcy=x =5 Zz=1 -x"), 0);
	assert_int_equal(R.n, 5);
	assert_int_equal(R.nfatal, 0);
	assert_string_equal(R.msg[0],
			    "config: 'foo' is not key=value (cmdline)");
	assert_string_equal(R.msg[1],
			    "config: unknown key 'sched.polcy' (cmdline)");
	assert_string_equal(R.msg[2],
			    "config: '=5' is not key=value (cmdline)");
	assert_string_equal(R.msg[3], "config: unknown key 'Zz' (cmdline)");
	assert_string_equal(R.msg[4],
			    "config: '-x' is not key=value (cmdline)");
	assert_int_equal(config_get_uint(&C, "u"), 9);

	reset();
	assert_int_equal(mod("u=2\n\n  nope=\"a b\" \n"), 0);
	assert_string_equal(R.msg[0],
			    "config: unknown key 'nope' (module line 3)");
	/* Long outside text is cut in messages. */
	char t[200];
	memset(t, 'w', 100);
	t[100] = '\0';
	reset();
	assert_int_equal(cmd(t), 0);
	assert_string_equal(R.msg[0],
			    "config: 'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"
			    "wwwwwwww...' is not key=value (cmdline)");
}

static void test_first_error_and_all_warnings(void **state)
{
	reset();
	assert_int_equal(cmd("u=7 u=0 s=late u=2000 zz=1 b=maybe"), -EINVAL);
	assert_int_equal(R.n, 2);
	assert_true(R.fatal[0]);
	assert_string_equal(R.msg[0], "config: bad value '0' for key 'u' "
				      "(cmdline): expected an unsigned "
				      "integer 1..1000");
	assert_false(R.fatal[1]);
	assert_string_equal(R.msg[1], "config: unknown key 'zz' (cmdline)");
	/* Values before the error are stored, none after it. */
	assert_int_equal(config_get_uint(&C, "u"), 7);
	assert_string_equal(config_get_str(&C, "s"), "dflt");
	/* No report function: still -EINVAL. */
	reset();
	assert_int_equal(
	    config_parse(&C, "u=0", 3, CFG_SRC_CMDLINE, NULL, NULL), -EINVAL);
}

static void test_overlong(void **state)
{
	char t[700], msg[200];

	/* A 63-character key is fine (just unknown); 64 is too long. */
	memset(t, 'a', 63);
	strcpy(t + 63, "=1");
	reset();
	assert_int_equal(cmd(t), 0);
	assert_int_equal(R.n, 1);
	assert_false(R.fatal[0]);
	memset(t, 'a', 64);
	strcpy(t + 64, "=1");
	fails(CFG_SRC_CMDLINE, t,
	      "config: key 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is "
	      "longer than 63 characters (cmdline)");

	/* 255 characters fit, 256 do not; escapes count once. */
	strcpy(t, "x=");
	memset(t + 2, 'v', 255);
	t[257] = '\0';
	ok(t);
	assert_int_equal(strlen(config_get_str(&C, "x")), 255);
	strcpy(t, "x=\"");
	for (int i = 0; i < 255; i++)
		strcat(t, "\\\\");
	strcat(t, "\"");
	ok(t);
	assert_int_equal(strlen(config_get_str(&C, "x")), 255);
	strcpy(t, "x=");
	memset(t + 2, 'v', 256);
	t[258] = '\0';
	fails(CFG_SRC_CMDLINE, t,
	      "config: value of 'x' is longer than 255 characters (cmdline)");
	/* An unknown key's long value is only the unknown-key warning. */
	memcpy(t, "q=", 2);
	reset();
	assert_int_equal(cmd(t), 0);
	assert_string_equal(R.msg[0], "config: unknown key 'q' (cmdline)");

	strcpy(t, "-- a ");
	memset(t + 5, 'z', 256);
	t[261] = '\0';
	snprintf(msg, sizeof(msg),
		 "config: application argument 2 is longer than 255 "
		 "characters (cmdline)");
	fails(CFG_SRC_CMDLINE, t, msg);
}

static void test_app_args(void **state)
{
	reset();
	assert_int_equal(cmd("u=2 -- -n 4 \"out file\" a=b \"#\" -- # c d\n e"),
			 0);
	assert_int_equal(R.n, 0);
	assert_int_equal(config_get_uint(&C, "u"), 2);
	assert_int_equal(config_get_app_argc(&C), 7);
	static const char *const want[] = {"-n", "4",  "out file", "a=b",
					   "#",	 "--", "e"};
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(config_get_app_argv(&C, i), want[i]);
	assert_null(config_get_app_argv(&C, 7));
	assert_null(config_get_app_argv(&C, 1000));

	/* Module args stand unless the command line has "--". */
	reset();
	assert_int_equal(mod("u=3\n-- m1 m2\n"), 0);
	assert_int_equal(cmd("u=4"), 0);
	assert_int_equal(config_get_app_argc(&C), 2);
	assert_string_equal(config_get_app_argv(&C, 1), "m2");
	assert_int_equal(cmd("--"), 0);
	assert_int_equal(config_get_app_argc(&C), 0);
	reset();
	assert_int_equal(cmd("-- c1"), 0);
	assert_int_equal(mod("-- m1 m2"), 0);
	assert_int_equal(config_get_app_argc(&C), 1);
	assert_string_equal(config_get_app_argv(&C, 0), "c1");

	/* 64 arguments fit, 65 do not. */
	char t[400] = "--";
	for (int i = 0; i < 64; i++)
		strcat(t, " a");
	ok(t);
	assert_int_equal(config_get_app_argc(&C), 64);
	strcat(t, " a");
	fails(CFG_SRC_CMDLINE, t,
	      "config: more than 64 application arguments (cmdline)");
	fails(CFG_SRC_CMDLINE, "-- x \"y",
	      "config: unterminated quote in application argument 2 "
	      "(cmdline)");
}

static void test_bad_bytes(void **state)
{
	reset();
	assert_int_equal(parse_src("u=1\0u=2", 7, CFG_SRC_CMDLINE), -EINVAL);
	assert_int_equal(R.n, 1);
	assert_string_equal(R.msg[0], "config: NUL byte at offset 3 (cmdline)");
	assert_int_equal(config_get_uint(&C, "u"), 5);
	fails(CFG_SRC_MODULE, "u=1\nb\x1b",
	      "config: control character 0x1b at offset 5 (module line 2)");
	fails(CFG_SRC_CMDLINE, "x=\"a\x7f\"",
	      "config: control character 0x7f at offset 4 (cmdline)");
	fails(CFG_SRC_CMDLINE, "x=a\vb",
	      "config: control character 0x0b at offset 3 (cmdline)");
	/* Bytes above 0x7f (UTF-8) are text. */
	ok("x=caf\xc3\xa9");
	assert_string_equal(config_get_str(&C, "x"), "caf\xc3\xa9");
}

/* Run fn in a child; it must die of SIGABRT (the getters' assert). */
static void expect_abort(void (*fn)(void))
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
}
static void get_unknown(void)
{
	config_get_uint(&C, "nope");
}
static void get_wrong_type(void)
{
	config_get_bool(&C, "u");
}
static void get_enum_of_string(void)
{
	config_get_enum(&C, "s");
}

static void test_getter_asserts(void **state)
{
	reset();
	expect_abort(get_unknown);
	expect_abort(get_wrong_type);
	expect_abort(get_enum_of_string);
}

static void collect(void *ctx, const struct cfg_key *k, const char *value,
		    enum cfg_source src)
{
	char *out = ctx;
	if (src != CFG_SRC_DEFAULT)
		sprintf(out + strlen(out), "%s=%s(%s) ", k->name, value,
			cfg_source_name(src));
}

static void test_foreach(void **state)
{
	char out[512] = "";

	reset();
	assert_int_equal(mod("s=abc u=9"), 0);
	assert_int_equal(cmd("k=secret e=cc u=0x20"), 0);
	config_foreach(&C, collect, out);
	assert_string_equal(out, "u=0x20(cmdline) s=abc(module) "
				 "e=cc(cmdline) k=<hidden>(cmdline) ");
	assert_string_equal(config_get_str(&C, "k"), "secret");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bool),
	    cmocka_unit_test(test_uint),
	    cmocka_unit_test(test_int),
	    cmocka_unit_test(test_string_and_enum),
	    cmocka_unit_test(test_quoting),
	    cmocka_unit_test(test_comments_and_space),
	    cmocka_unit_test(test_empty_input),
	    cmocka_unit_test(test_precedence_and_sources),
	    cmocka_unit_test(test_warnings),
	    cmocka_unit_test(test_first_error_and_all_warnings),
	    cmocka_unit_test(test_overlong),
	    cmocka_unit_test(test_app_args),
	    cmocka_unit_test(test_bad_bytes),
	    cmocka_unit_test(test_getter_asserts),
	    cmocka_unit_test(test_foreach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
