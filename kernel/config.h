/*
 * kernel/config.h — the boot configuration: one key=value parser for both
 * sources (the kernel command line and an optional config module), a table
 * of every known key, and a store of the values in force.
 *
 * Grammar, keys and messages are documented for people in docs/CONFIG.md.
 * Parser: kernel/config.c; getters: kernel/config_get.c; the table of keys:
 * kernel/config_keys.c, kept in sync with docs/CONFIG.md.
 *
 * Usage at boot (kernel/main.c):
 *
 *	config_boot_init();                       defaults from the key table
 *	config_parse(&boot_config, mod, mod_len, CFG_SRC_MODULE, report, ctx);
 *	config_parse(&boot_config, cmd, cmd_len, CFG_SRC_CMDLINE, report, ctx);
 *
 * Precedence is defaults < module < command line whatever the order of the
 * calls. report() receives every warning (fatal == false) and the first error
 * (fatal == true); config_parse() then returns -EINVAL and the boot must stop.
 * After an error the store may be partly updated.
 *
 * Not locked: the store is written once, on the boot CPU, before other CPUs
 * start; afterwards it is read-only.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_KEY_MAX	 63  /* longest key, in characters */
#define CFG_VALUE_MAX	 255 /* longest value or application argument */
#define CFG_APP_ARGS_MAX 64  /* most arguments after "--" */
#define CFG_KEYS_MAX	 128 /* most rows in one key table */

enum cfg_type {
	CFG_BOOL,   /* 0/1/yes/no/true/false/on/off */
	CFG_UINT,   /* decimal or 0x hex, optional K/M/G suffix, min..max */
	CFG_INT,    /* signed decimal, min..max */
	CFG_STRING, /* at most maxlen characters */
	CFG_ENUM,   /* one of the '|'-separated choices, or of the
		     * choices registered for the key (CFG_KEY_REGISTRY) */
};

/* Where a value came from, in increasing precedence. */
enum cfg_source {
	CFG_SRC_DEFAULT,
	CFG_SRC_MODULE,
	CFG_SRC_CMDLINE,
};

/* One row of a key table. Write rows with the CFG_KEY_* macros below. */
struct cfg_key {
	const char *name; /* [a-z0-9_.]+, at most CFG_KEY_MAX chars */
	enum cfg_type type;
	const char *def;     /* default, written as a value would be */
	uint64_t umin, umax; /* CFG_UINT range, inclusive */
	int64_t imin, imax;  /* CFG_INT range, inclusive */
	size_t maxlen;	     /* CFG_STRING: longest value, <= CFG_VALUE_MAX */
	const char *choices; /* CFG_ENUM: "a|b|c"; config_enum() gives index */
	bool registry;	     /* CFG_ENUM: choices from DEFINE_CFG_CHOICES */
	bool secret;	     /* config_foreach() hides the value */
	const char *doc;     /* one line for people */
};

#define CFG_KEY_BOOL(n, d, doc_)                                               \
	{                                                                      \
		.name = (n), .type = CFG_BOOL, .def = (d), .doc = (doc_)       \
	}
#define CFG_KEY_UINT(n, d, lo, hi, doc_)                                       \
	{                                                                      \
		.name = (n), .type = CFG_UINT, .def = (d), .umin = (lo),       \
		.umax = (hi), .doc = (doc_)                                    \
	}
#define CFG_KEY_INT(n, d, lo, hi, doc_)                                        \
	{                                                                      \
		.name = (n), .type = CFG_INT, .def = (d), .imin = (lo),        \
		.imax = (hi), .doc = (doc_)                                    \
	}
#define CFG_KEY_STRING(n, d, max, doc_)                                        \
	{                                                                      \
		.name = (n), .type = CFG_STRING, .def = (d), .maxlen = (max),  \
		.doc = (doc_)                                                  \
	}
#define CFG_KEY_SECRET(n, d, max, doc_)                                        \
	{                                                                      \
		.name = (n), .type = CFG_STRING, .def = (d), .maxlen = (max),  \
		.secret = true, .doc = (doc_)                                  \
	}
#define CFG_KEY_ENUM(n, d, ch, doc_)                                           \
	{                                                                      \
		.name = (n), .type = CFG_ENUM, .def = (d), .choices = (ch),    \
		.doc = (doc_)                                                  \
	}

/* An enum key whose choices are whatever is linked in (scheduling
 * policies, coherence protocols): each part registers its own name with
 * DEFINE_CFG_CHOICES beside its ops table, so the row lists none. */
#define CFG_KEY_REGISTRY(n, d, doc_)                                           \
	{                                                                      \
		.name = (n), .type = CFG_ENUM, .def = (d), .registry = true,   \
		.doc = (doc_)                                                  \
	}

/*
 * Choices of a CFG_KEY_REGISTRY key, registered by the code that
 * implements them. A key's choices are the names of every entry for it, in
 * the order the linker placed the entries (link order of the files, then
 * order in the file); config_enum() counts across them, so a part whose
 * code indexes by config_enum() registers all its names in one entry.
 */
struct cfg_choices {
	const char *key;	  /* the CFG_ENUM key they are values of */
	const char *const *names; /* n names, none empty */
	unsigned n;
};

/* Registers n names (an array, or &ops.name with n = 1) as choices of key;
 * id makes the entry's symbols unique in the file. */
#define DEFINE_CFG_CHOICES(id, key_, names_, n_)                               \
	static const struct cfg_choices cfg_choices_##id = {                   \
	    .key = (key_), .names = (names_), .n = (n_)};                      \
	static const struct cfg_choices *const cfg_choices_ptr_##id            \
	    __attribute__((used, section("cfg_choices"), aligned(8))) =        \
		&cfg_choices_##id

/* The i-th choice of enum key k into buf (at most len bytes with the NUL):
 * its length, or -1 past the last choice. */
int cfg_key_choice(const struct cfg_key *k, unsigned i, char *buf, size_t len);

/* The value in force for one key. */
struct cfg_value {
	enum cfg_source src;
	union {
		bool b;	    /* CFG_BOOL */
		uint64_t u; /* CFG_UINT */
		int64_t i;  /* CFG_INT */
		unsigned e; /* CFG_ENUM: index into choices */
	};
	char text[CFG_VALUE_MAX + 1]; /* the value as written, unquoted */
};

struct config {
	const struct cfg_key *keys; /* the table, nkeys rows */
	size_t nkeys;
	struct cfg_value values[CFG_KEYS_MAX]; /* values[i] is keys[i]'s */
	/* Arguments after "--", for the application's main(). */
	enum cfg_source app_src;
	size_t app_argc;
	char app_argv[CFG_APP_ARGS_MAX][CFG_VALUE_MAX + 1];
};

/* Receives one message: "config: ..." without a newline. fatal: an error. */
typedef void (*cfg_report_fn)(void *ctx, bool fatal, const char *msg);

/*
 * Set up c over a key table and apply every default. Returns 0, -E2BIG when
 * n > CFG_KEYS_MAX, or -EINVAL when the table itself is broken (bad name,
 * duplicate, bad range, a default that is not a valid value).
 */
int config_init(struct config *c, const struct cfg_key *keys, size_t n);

/*
 * Parse len bytes of text from src (CFG_SRC_MODULE or CFG_SRC_CMDLINE) into c.
 * report may be NULL. Returns 0, or -EINVAL after reporting the first error
 * (or, without a report, when src is neither of those: a bug in the caller).
 * len == 0 is an empty source; text may then be NULL.
 */
int config_parse(struct config *c, const char *text, size_t len,
		 enum cfg_source src, cfg_report_fn report, void *ctx);

/*
 * Getters. key must be in c's table and of the getter's type; anything else
 * is a programming error and traps. config_get_str() works for every type
 * and gives the value as written (for an enum, the chosen choice).
 */
bool config_get_bool(const struct config *c, const char *key);
uint64_t config_get_uint(const struct config *c, const char *key);
int64_t config_get_int(const struct config *c, const char *key);
const char *config_get_str(const struct config *c, const char *key);
int config_get_enum(const struct config *c, const char *key);
enum cfg_source config_get_source(const struct config *c, const char *key);

/* Arguments after "--": argv(i) is NULL for i >= argc. */
size_t config_get_app_argc(const struct config *c);
const char *config_get_app_argv(const struct config *c, size_t i);

/*
 * Call fn for every key, in table order, with the value as written and its
 * source (the boot banner prints those with src != CFG_SRC_DEFAULT). The
 * value of a secret key is passed as "<hidden>".
 */
void config_foreach(const struct config *c,
		    void (*fn)(void *ctx, const struct cfg_key *k,
			       const char *value, enum cfg_source src),
		    void *ctx);

/*
 * Checks a value for key without storing it (values changed while the
 * program runs, e.g. a policy's keys from unumctl): 0 and *out decoded,
 * -ENOENT (no such key), or -EINVAL with what a valid value looks like in
 * why ("expected an unsigned integer 1..1000").
 */
int config_check_value(const struct config *c, const char *key,
		       const char *value, struct cfg_value *out, char *why,
		       size_t why_len);

/* "default", "module" or "cmdline". */
const char *cfg_source_name(enum cfg_source src);

/* ---- the kernel's one instance ------------------------------------------ */

extern struct config boot_config;

/* kernel/config_keys.c: the table of every key, and boot_config over it. */
extern const struct cfg_key cfg_keys[];
extern const size_t cfg_nkeys;
int config_boot_init(void);

bool config_bool(const char *key);
uint64_t config_uint(const char *key);
int64_t config_int(const char *key);
const char *config_str(const char *key);
int config_enum(const char *key);
enum cfg_source config_source(const char *key);
size_t config_app_argc(void);
const char *config_app_argv(size_t i);

#endif
