/*
 * tests/unit/test_efi_conf.c — unit tests of the EFI loader's loader.conf
 * parser (boot/efi/efi_conf.c): every key, the path rules, and the exact
 * message of every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "boot/efi/efi_loader.h"
#include "tests/unit/test_efi.h"

static struct efi_conf c;
static char err[200];

static int parse(const char *text)
{
	efi_conf_default(&c);
	memset(err, 'x', sizeof(err));
	return efi_conf_parse(text, strlen(text), &c, err, sizeof(err));
}

/* Parses text, expects -EINVAL and exactly the message msg. */
static void expect_error(const char *text, const char *msg)
{
	assert_int_equal(parse(text), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_conf_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.kernel, "\\unum.elf");
	assert_string_equal(c.cmdline, "");
	assert_int_equal(c.nr_modules, 0);
	assert_int_equal(c.error_wait, 10);
	/* comments, blank lines, CR LF and spaces only */
	assert_int_equal(parse("# a comment\r\n\n   \t\r\n  # another\n"), 0);
	assert_string_equal(c.kernel, "\\unum.elf");
}

static void test_conf_all_keys(void **state)
{
	(void)state;
	assert_int_equal(parse("kernel=/boot/unum.elf\r\n"
			       "cmdline=test.mode=1  ktest=all\n"
			       "  cmdline = log.level=debug  \n"
			       "cmdline=\n"
			       "module=\\unum.cfg config\n"
			       "module=data/blob.bin\n"
			       "module=/x.bin   name with  spaces \t\n"
			       "error_wait=0"),
			 0);
	assert_string_equal(c.kernel, "\\boot\\unum.elf");
	assert_string_equal(c.cmdline,
			    "test.mode=1  ktest=all log.level=debug");
	assert_int_equal(c.nr_modules, 3);
	assert_string_equal(c.modules[0].path, "\\unum.cfg");
	assert_string_equal(c.modules[0].name, "config");
	assert_string_equal(c.modules[1].path, "\\data\\blob.bin");
	assert_string_equal(c.modules[1].name, "\\data\\blob.bin");
	assert_string_equal(c.modules[2].path, "\\x.bin");
	assert_string_equal(c.modules[2].name, "name with  spaces");
	assert_int_equal(c.error_wait, 0);
	assert_int_equal(parse("error_wait=600"), 0);
	assert_int_equal(c.error_wait, 600);
	/* a value may contain '=' and '#' */
	assert_int_equal(parse("cmdline=a=b#c\n"), 0);
	assert_string_equal(c.cmdline, "a=b#c");
}

static void test_conf_not_key_value(void **state)
{
	(void)state;
	expect_error("\n\nkernel\n", "line 3: 'kernel' is not key=value");
	expect_error("=x", "line 1: '=x' is not key=value");
	expect_error("  = x", "line 1: '= x' is not key=value");
	expect_error("0123456789012345678901234567890123456789012345",
		     "line 1: '0123456789012345678901234567890123456789...' "
		     "is not key=value");
}

static void test_conf_unknown_key(void **state)
{
	(void)state;
	expect_error("# x\nkernal=\\unum.elf\n",
		     "line 2: unknown key 'kernal' (known: kernel, cmdline, "
		     "module, error_wait)");
	expect_error("Kernel=x", "line 1: unknown key 'Kernel' (known: kernel, "
				 "cmdline, module, error_wait)");
}

static void test_conf_kernel_twice(void **state)
{
	(void)state;
	expect_error("kernel=a\n\nkernel=b\n",
		     "line 3: kernel= given twice (first on line 1)");
}

static void test_conf_paths(void **state)
{
	char longp[300];

	(void)state;
	expect_error("kernel=", "line 1: empty path");
	expect_error("kernel=\\", "line 1: path names no file");
	expect_error("kernel=/", "line 1: path names no file");
	expect_error("kernel=a b", "line 1: character 0x20 is not allowed in "
				   "a path");
	expect_error("kernel=c:\\unum.elf",
		     "line 1: character ':' is not allowed in a path");
	expect_error("module=\\a*b", "line 1: character '*' is not allowed in "
				     "a path");
	expect_error("kernel=\\a\tb", "line 1: character 0x09 is not allowed "
				      "in a path");
	expect_error("kernel=\\\xc3\xa9", "line 1: character 0xc3 is not "
					  "allowed in a path");
	/* 254 characters after the added backslash fit, 255 do not */
	memset(longp, 0, sizeof(longp));
	memcpy(longp, "kernel=", 7);
	memset(longp + 7, 'a', 254);
	assert_int_equal(parse(longp), 0);
	assert_int_equal(strlen(c.kernel), 255);
	longp[7 + 254] = 'a';
	expect_error(longp, "line 1: path is longer than 255 characters");
}

static void test_conf_cmdline_limit(void **state)
{
	static char text[2 * BOOT_CMDLINE_MAX + 64];
	size_t n;

	(void)state;
	/* exactly 4095 bytes over two lines: 2047 + ' ' + 2047 */
	n = (size_t)sprintf(text, "cmdline=");
	memset(text + n, 'a', 2047);
	n += 2047;
	n += (size_t)sprintf(text + n, "\ncmdline=");
	memset(text + n, 'b', 2047);
	n += 2047;
	text[n] = 0;
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(c.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(c.cmdline[2047], ' ');
	strcpy(text + n, "\ncmdline=c");
	expect_error(text, "line 3: command line is longer than 4095 bytes");
}

static void test_conf_modules(void **state)
{
	static char text[4096];
	char name[200];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < BOOT_MAX_MODULES; i++)
		n += (size_t)sprintf(text + n, "module=\\m%d\n", i);
	assert_int_equal(parse(text), 0);
	assert_int_equal(c.nr_modules, 16);
	assert_string_equal(c.modules[15].path, "\\m15");
	strcpy(text + n, "module=\\m16\n");
	expect_error(text, "line 17: more than 16 modules");

	memset(name, 'n', sizeof(name));
	memcpy(name, "module=\\x ", 10);
	name[10 + 127] = 0;
	assert_int_equal(parse(name), 0);
	assert_int_equal(strlen(c.modules[0].name), 127);
	name[10 + 127] = 'n';
	name[10 + 128] = 0;
	expect_error(name, "line 1: module name is longer than 127 characters");
	/* a path of 128+ characters cannot be its own name */
	memset(name, 'p', sizeof(name));
	memcpy(name, "module=\\", 8);
	name[8 + 127] = 0;
	expect_error(name, "line 1: module name is longer than 127 characters");
	expect_error("module=", "line 1: empty path");
	expect_error("module= \t ", "line 1: empty path");
}

static void test_conf_error_wait(void **state)
{
	(void)state;
	expect_error("error_wait=", "line 1: error_wait= needs a number of "
				    "seconds");
	expect_error("error_wait=601", "line 1: error_wait='601' is not a "
				       "number of seconds from 0 to 600");
	expect_error("error_wait=-1", "line 1: error_wait='-1' is not a "
				      "number of seconds from 0 to 600");
	expect_error("error_wait=99999999999999999999",
		     "line 1: error_wait='99999999999999999999' is not a "
		     "number of seconds from 0 to 600");
	expect_error("error_wait=1 s", "line 1: error_wait='1 s' is not a "
				       "number of seconds from 0 to 600");
}

static void test_conf_bytes(void **state)
{
	static char big[EFI_CONF_MAX_BYTES + 1];
	static const char nul[] = "kernel=a\n# x\0y\n";

	(void)state;
	efi_conf_default(&c);
	assert_int_equal(
	    efi_conf_parse(nul, sizeof(nul) - 1, &c, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "line 2: control character 0x00");
	expect_error("cmdline=a\x1b[0m", "line 1: control character 0x1b");
	expect_error("\n\n\x7f", "line 3: control character 0x7f");
	/* checked before any key: the bad byte's line, not the bad key's */
	expect_error("bogus\n\x01", "line 2: control character 0x01");

	memset(big, '#', sizeof(big));
	efi_conf_default(&c);
	assert_int_equal(
	    efi_conf_parse(big, EFI_CONF_MAX_BYTES, &c, err, sizeof(err)), 0);
	assert_int_equal(efi_conf_parse(big, sizeof(big), &c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "file is 65537 bytes, more than 65536");
}

/* Short error buffers are filled and terminated, never overrun. */
static void test_conf_small_err(void **state)
{
	char small[8];

	(void)state;
	memset(small, 'x', sizeof(small));
	efi_conf_default(&c);
	assert_int_equal(efi_conf_parse("nope", 4, &c, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "line 1:");
}

int efi_run_conf_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf_defaults),
	    cmocka_unit_test(test_conf_all_keys),
	    cmocka_unit_test(test_conf_not_key_value),
	    cmocka_unit_test(test_conf_unknown_key),
	    cmocka_unit_test(test_conf_kernel_twice),
	    cmocka_unit_test(test_conf_paths),
	    cmocka_unit_test(test_conf_cmdline_limit),
	    cmocka_unit_test(test_conf_modules),
	    cmocka_unit_test(test_conf_error_wait),
	    cmocka_unit_test(test_conf_bytes),
	    cmocka_unit_test(test_conf_small_err),
	};
	return cmocka_run_group_tests_name("efi_conf", tests, NULL, NULL);
}
