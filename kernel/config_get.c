/*
 * kernel/config_get.c — reading the boot configuration: the getters over a
 * store filled by kernel/config.c, and the kernel's one instance.
 *
 * Pure code, compiled into the kernel and the host tests. A key that is not
 * in the table, or read with the getter of another type, is a bug in the
 * caller, never outside input: it traps.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/config.h"
#include "kernel/kstring.h"

#ifdef UNUM_HOST
#include <stdlib.h>
#define CFG_BUG() abort()
#else
#define CFG_BUG() __builtin_trap()
#endif

/* Written once on the boot CPU before other CPUs start, then read-only. */
struct config boot_config;

/* The row of key, which must exist and (unless type < 0) have that type. */
static size_t row_of(const struct config *c, const char *key, int type)
{
	for (size_t i = 0; i < c->nkeys; i++) {
		if (strcmp(c->keys[i].name, key))
			continue;
		if (type >= 0 && c->keys[i].type != (enum cfg_type)type)
			CFG_BUG();
		return i;
	}
	CFG_BUG();
}

bool config_get_bool(const struct config *c, const char *key)
{
	return c->values[row_of(c, key, CFG_BOOL)].b;
}

uint64_t config_get_uint(const struct config *c, const char *key)
{
	return c->values[row_of(c, key, CFG_UINT)].u;
}

int64_t config_get_int(const struct config *c, const char *key)
{
	return c->values[row_of(c, key, CFG_INT)].i;
}

const char *config_get_str(const struct config *c, const char *key)
{
	return c->values[row_of(c, key, -1)].text;
}

int config_get_enum(const struct config *c, const char *key)
{
	return (int)c->values[row_of(c, key, CFG_ENUM)].e;
}

enum cfg_source config_get_source(const struct config *c, const char *key)
{
	return c->values[row_of(c, key, -1)].src;
}

size_t config_get_app_argc(const struct config *c)
{
	return c->app_argc;
}

const char *config_get_app_argv(const struct config *c, size_t i)
{
	return i < c->app_argc ? c->app_argv[i] : NULL;
}

void config_foreach(const struct config *c,
		    void (*fn)(void *ctx, const struct cfg_key *k,
			       const char *value, enum cfg_source src),
		    void *ctx)
{
	for (size_t i = 0; i < c->nkeys; i++)
		fn(ctx, &c->keys[i],
		   c->keys[i].secret ? "<hidden>" : c->values[i].text,
		   c->values[i].src);
}

bool config_bool(const char *key)
{
	return config_get_bool(&boot_config, key);
}

uint64_t config_uint(const char *key)
{
	return config_get_uint(&boot_config, key);
}

int64_t config_int(const char *key)
{
	return config_get_int(&boot_config, key);
}

const char *config_str(const char *key)
{
	return config_get_str(&boot_config, key);
}

int config_enum(const char *key)
{
	return config_get_enum(&boot_config, key);
}

enum cfg_source config_source(const char *key)
{
	return config_get_source(&boot_config, key);
}

size_t config_app_argc(void)
{
	return config_get_app_argc(&boot_config);
}

const char *config_app_argv(size_t i)
{
	return config_get_app_argv(&boot_config, i);
}
