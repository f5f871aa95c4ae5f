/*
 * tests/fuzz/fuzz_config.c — libFuzzer target of the boot configuration
 * parser (kernel/config.c).
 *
 * Input: byte 0 chooses where the rest splits into a config module (first
 * part) and a command line (second part). Both are parsed into a store over
 * the real key table plus two signed keys (the real table has none yet).
 * Checked: no crash; every message is one "config: ..." line; a parse
 * returns -EINVAL exactly when it reported one error; after success every
 * getter gives a value in its key's range; and the result does not depend on
 * the order in which the two sources are parsed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/config.h"
#include "kernel/errno.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cfg_key table[CFG_KEYS_MAX];
static size_t ntable;
static struct config one, two;

struct tally {
	int fatal, warn;
};

static void report(void *ctx, bool fatal, const char *msg)
{
	struct tally *t = ctx;
	size_t n = strlen(msg);

	CHECK(n < 384 && !strncmp(msg, "config: ", 8));
	CHECK(!memchr(msg, '\n', n) && !memchr(msg, '\r', n));
	if (fatal)
		t->fatal++;
	else
		t->warn++;
}

/* Parse one source; the result must match what was reported. */
static int parse(struct config *c, const uint8_t *p, size_t n,
		 enum cfg_source src)
{
	struct tally t = {0, 0};
	int rc = config_parse(c, (const char *)p, n, src, report, &t);

	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(t.fatal == (rc ? 1 : 0));
	return rc;
}

static size_t nchoices(const char *choices)
{
	size_t n = 1;
	for (; *choices; choices++)
		n += *choices == '|';
	return n;
}

/* The choice at idx of "a|b|c" equals s. */
static bool is_choice(const char *choices, size_t idx, const char *s)
{
	while (idx--)
		choices = strchr(choices, '|') + 1;
	size_t len = strcspn(choices, "|");
	return strlen(s) == len && !strncmp(choices, s, len);
}

static void check_ranges(const struct config *c)
{
	for (size_t i = 0; i < c->nkeys; i++) {
		const struct cfg_key *k = &c->keys[i];
		const char *s = config_get_str(c, k->name);
		enum cfg_source src = config_get_source(c, k->name);

		CHECK(src == CFG_SRC_DEFAULT || src == CFG_SRC_MODULE ||
		      src == CFG_SRC_CMDLINE);
		CHECK(strlen(s) <= CFG_VALUE_MAX);
		if (src == CFG_SRC_DEFAULT)
			CHECK(!strcmp(s, k->def));
		switch (k->type) {
		case CFG_BOOL: {
			bool b = config_get_bool(c, k->name);
			CHECK(b == true || b == false);
			break;
		}
		case CFG_UINT: {
			uint64_t u = config_get_uint(c, k->name);
			CHECK(u >= k->umin && u <= k->umax);
			break;
		}
		case CFG_INT: {
			int64_t v = config_get_int(c, k->name);
			CHECK(v >= k->imin && v <= k->imax);
			break;
		}
		case CFG_STRING:
			CHECK(strlen(s) <= k->maxlen);
			break;
		case CFG_ENUM: {
			int e = config_get_enum(c, k->name);
			char ch[CFG_VALUE_MAX + 1];
			CHECK(e >= 0);
			if (k->registry) { /* choices registered by the code */
				CHECK(cfg_key_choice(k, (unsigned)e, ch,
						     sizeof(ch)) >= 0);
				CHECK(!strcmp(ch, s));
				break;
			}
			CHECK((size_t)e < nchoices(k->choices));
			CHECK(is_choice(k->choices, (size_t)e, s));
			break;
		}
		}
	}
	size_t argc = config_get_app_argc(c);
	CHECK(argc <= CFG_APP_ARGS_MAX);
	for (size_t i = 0; i < argc; i++)
		CHECK(strlen(config_get_app_argv(c, i)) <= CFG_VALUE_MAX);
	CHECK(config_get_app_argv(c, argc) == NULL);
}

static void check_same(const struct config *a, const struct config *b)
{
	for (size_t i = 0; i < a->nkeys; i++) {
		const char *name = a->keys[i].name;
		CHECK(config_get_source(a, name) == config_get_source(b, name));
		CHECK(
		    !strcmp(config_get_str(a, name), config_get_str(b, name)));
	}
	CHECK(config_get_app_argc(a) == config_get_app_argc(b));
	for (size_t i = 0; i < config_get_app_argc(a); i++)
		CHECK(!strcmp(config_get_app_argv(a, i),
			      config_get_app_argv(b, i)));
}

static void setup(void)
{
	static const struct cfg_key extra[] = {
	    CFG_KEY_INT("fuzz.int", "0", -5, 5, "a ranged signed key"),
	    CFG_KEY_INT("fuzz.wide", "-1", INT64_MIN, INT64_MAX,
			"a full-range signed key"),
	};

	memcpy(table, cfg_keys, cfg_nkeys * sizeof(table[0]));
	memcpy(table + cfg_nkeys, extra, sizeof(extra));
	ntable = cfg_nkeys + sizeof(extra) / sizeof(extra[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ntable)
		setup();
	if (size == 0)
		return 0;
	size_t rest = size - 1;
	size_t nmod = (size_t)data[0] * rest / 255;
	const uint8_t *mod = data + 1, *cmd = data + 1 + nmod;
	size_t ncmd = rest - nmod;

	CHECK(config_init(&one, table, ntable) == 0);
	int rc1 = parse(&one, mod, nmod, CFG_SRC_MODULE);
	int rc2 = parse(&one, cmd, ncmd, CFG_SRC_CMDLINE);
	if (rc1 || rc2)
		return 0;
	check_ranges(&one);

	/* Precedence, not order, decides. */
	CHECK(config_init(&two, table, ntable) == 0);
	CHECK(parse(&two, cmd, ncmd, CFG_SRC_CMDLINE) == 0);
	CHECK(parse(&two, mod, nmod, CFG_SRC_MODULE) == 0);
	check_same(&one, &two);
	return 0;
}
