/*
 * kernel/config.c — the boot configuration parser and store.
 *
 * Pure code: compiled into the kernel and into host unit tests and fuzzers.
 * All checking of the outside text happens here, in config_parse(): the
 * text is first checked for bytes that have no place in it, then lexed token
 * by token; every value is decoded against its key's row before it is stored.
 * Grammar and messages: docs/CONFIG.md. Getters: kernel/config_get.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/config.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

#define MSG_MAX	    384 /* one report line */
#define EXCERPT_MAX 40	/* longer outside text is cut and ends in "..." */

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool is_key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.';
}

/* Copy n bytes of s for a message, cut to EXCERPT_MAX and marked "...". */
static const char *excerpt(char out[EXCERPT_MAX + 4], const char *s, size_t n)
{
	if (n > EXCERPT_MAX) {
		memcpy(out, s, EXCERPT_MAX);
		memcpy(out + EXCERPT_MAX, "...", 4);
	} else {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

const char *cfg_source_name(enum cfg_source src)
{
	switch (src) {
	case CFG_SRC_DEFAULT:
		return "default";
	case CFG_SRC_MODULE:
		return "module";
	case CFG_SRC_CMDLINE:
		return "cmdline";
	}
	return "?";
}

/* ---- decoding one value ------------------------------------------------- */

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decimal or 0x hex, then an optional K/M/G (times 1024^n); no overflow. */
static bool parse_uint(const char *s, uint64_t *out)
{
	unsigned base = 10, shift = 0;
	uint64_t v = 0;
	const char *p = s, *digits;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (digits = p;; p++) {
		int d = digit_value(*p);
		if (d < 0 || (unsigned)d >= base)
			break;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return false;
		v = v * base + (unsigned)d;
	}
	if (p == digits)
		return false;
	if (*p == 'K' || *p == 'k')
		shift = 10;
	else if (*p == 'M' || *p == 'm')
		shift = 20;
	else if (*p == 'G' || *p == 'g')
		shift = 30;
	if (shift)
		p++;
	if (*p != '\0' || v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

/* Optional sign, then decimal digits; the whole int64_t range. */
static bool parse_int(const char *s, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	uint64_t mag = 0, limit;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (*p == '\0')
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned d = (unsigned)(*p - '0');
		if (mag > (limit - d) / 10)
			return false;
		mag = mag * 10 + d;
	}
	*out = neg && mag ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "yes", "true", "on"};
	static const char *const no[] = {"0", "no", "false", "off"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*out = !strcmp(s, yes[i]);
			return true;
		}
	}
	return false;
}

/*
 * Choices registered with DEFINE_CFG_CHOICES, in link order. The kernel's
 * linker script and the host's linker give the section's bounds; weak, so
 * a host program that links no registered choice sees none.
 */
extern const struct cfg_choices *const __start_cfg_choices[]
    __attribute__((weak));
extern const struct cfg_choices *const __stop_cfg_choices[]
    __attribute__((weak));

/* The i-th choice of enum key k: *s, *len (not NUL-terminated for a row's
 * own "a|b|c"); false past the last. */
static bool choice_at(const struct cfg_key *k, unsigned i, const char **s,
		      size_t *len)
{
	if (k->registry) {
		for (const struct cfg_choices *const *c = __start_cfg_choices;
		     c < __stop_cfg_choices; c++) {
			if (strcmp((*c)->key, k->name))
				continue;
			if (i < (*c)->n) {
				*s = (*c)->names[i];
				*len = strlen(*s);
				return true;
			}
			i -= (*c)->n;
		}
		return false;
	}
	const char *p = k->choices;
	for (; i; i--) {
		p = strchr(p, '|');
		if (!p)
			return false;
		p++;
	}
	const char *bar = strchr(p, '|');
	*s = p;
	*len = bar ? (size_t)(bar - p) : strlen(p);
	return true;
}

int cfg_key_choice(const struct cfg_key *k, unsigned i, char *buf, size_t len)
{
	const char *s;
	size_t n;

	if (k->type != CFG_ENUM || !choice_at(k, i, &s, &n))
		return -1;
	if (len) {
		size_t fit = n < len ? n : len - 1;
		memcpy(buf, s, fit);
		buf[fit] = '\0';
	}
	return (int)n;
}

/* Index of s among k's choices, or -1. */
static int enum_index(const struct cfg_key *k, const char *s)
{
	size_t n = strlen(s), len;
	const char *c;

	for (unsigned i = 0; choice_at(k, i, &c, &len); i++)
		if (len == n && !memcmp(c, s, n))
			return (int)i;
	return -1;
}

/* Decode s (len bytes, NUL-terminated) for key k into *v; false if invalid. */
static bool decode(const struct cfg_key *k, const char *s, size_t len,
		   struct cfg_value *v)
{
	switch (k->type) {
	case CFG_BOOL:
		return parse_bool(s, &v->b);
	case CFG_UINT:
		return parse_uint(s, &v->u) && v->u >= k->umin &&
		       v->u <= k->umax;
	case CFG_INT:
		return parse_int(s, &v->i) && v->i >= k->imin &&
		       v->i <= k->imax;
	case CFG_STRING:
		return len <= k->maxlen;
	case CFG_ENUM: {
		int idx = enum_index(k, s);
		v->e = (unsigned)idx;
		return idx >= 0;
	}
	}
	return false;
}

/* What a valid value of k looks like, for the error message. */
static void describe(const struct cfg_key *k, char *buf, size_t size)
{
	switch (k->type) {
	case CFG_BOOL:
		kstrlcpy(buf,
			 "expected a boolean (0/1/yes/no/true/false/on/off)",
			 size);
		return;
	case CFG_UINT:
		ksnprintf(buf, size, "expected an unsigned integer %lu..%lu",
			  (unsigned long)k->umin, (unsigned long)k->umax);
		return;
	case CFG_INT:
		ksnprintf(buf, size, "expected a signed integer %ld..%ld",
			  (long)k->imin, (long)k->imax);
		return;
	case CFG_STRING:
		ksnprintf(buf, size, "expected at most %lu characters",
			  (unsigned long)k->maxlen);
		return;
	case CFG_ENUM: {
		char c[CFG_VALUE_MAX + 1];
		size_t at = 0;
		kappendf(buf, size, &at, "expected one of ");
		for (unsigned i = 0; cfg_key_choice(k, i, c, sizeof(c)) >= 0;
		     i++)
			kappendf(buf, size, &at, "%s%s", i ? "|" : "", c);
		return;
	}
	}
	buf[0] = '\0';
}

/* ---- the store ---------------------------------------------------------- */

static bool valid_row(const struct cfg_key *keys, size_t i)
{
	const struct cfg_key *k = &keys[i];
	struct cfg_value v;

	if (!k->name || !k->def || !k->doc)
		return false;
	size_t n = strnlen(k->name, CFG_KEY_MAX + 1);
	if (n == 0 || n > CFG_KEY_MAX)
		return false;
	for (size_t j = 0; j < n; j++)
		if (!is_key_char(k->name[j]))
			return false;
	for (size_t j = 0; j < i; j++)
		if (!strcmp(keys[j].name, k->name))
			return false;
	switch (k->type) {
	case CFG_BOOL:
		break;
	case CFG_UINT:
		if (k->umin > k->umax)
			return false;
		break;
	case CFG_INT:
		if (k->imin > k->imax)
			return false;
		break;
	case CFG_STRING:
		if (k->maxlen > CFG_VALUE_MAX)
			return false;
		break;
	case CFG_ENUM:
		/* Choices in the row or registered, not both; no empty
		 * choice: "", "a||b", "a|" would all allow "". */
		if (!k->choices == !k->registry || enum_index(k, "") >= 0)
			return false;
		break;
	default:
		return false;
	}
	size_t dlen = strnlen(k->def, CFG_VALUE_MAX + 1);
	return dlen <= CFG_VALUE_MAX && decode(k, k->def, dlen, &v);
}

int config_init(struct config *c, const struct cfg_key *keys, size_t n)
{
	c->keys = keys;
	c->nkeys = 0;
	c->app_src = CFG_SRC_DEFAULT;
	c->app_argc = 0;
	if (n > CFG_KEYS_MAX)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		struct cfg_value *v = &c->values[i];
		if (!valid_row(keys, i))
			return -EINVAL;
		v->src = CFG_SRC_DEFAULT;
		kstrlcpy(v->text, keys[i].def, sizeof(v->text));
		decode(&keys[i], v->text, strlen(v->text), v);
	}
	c->nkeys = n;
	return 0;
}

/* Row of the key s[0..n), or -1. */
static int find_key(const struct config *c, const char *s, size_t n)
{
	for (size_t i = 0; i < c->nkeys; i++) {
		const char *name = c->keys[i].name;
		if (!strncmp(name, s, n) && name[n] == '\0')
			return (int)i;
	}
	return -1;
}

int config_check_value(const struct config *c, const char *key,
		       const char *value, struct cfg_value *out, char *why,
		       size_t why_len)
{
	int row = find_key(c, key, strlen(key));
	if (row < 0)
		return -ENOENT;
	size_t len = strnlen(value, CFG_VALUE_MAX + 1);
	memset(out, 0, sizeof(*out));
	if (len > CFG_VALUE_MAX || !decode(&c->keys[row], value, len, out)) {
		if (why_len)
			describe(&c->keys[row], why, why_len);
		return -EINVAL;
	}
	kstrlcpy(out->text, value, sizeof(out->text));
	return 0;
}

/* ---- the lexer ---------------------------------------------------------- */

struct lexer {
	struct config *c;
	const char *p, *end; /* the rest of the text */
	enum cfg_source src;
	cfg_report_fn report;
	void *ctx;
	const char *counted; /* lines are counted up to here */
	unsigned line;	     /* line number of 'counted' (module only) */
	bool failed;	     /* the first error has been reported */
	bool app;	     /* after "--": tokens are application arguments */
	bool app_take;	     /* ... and they replace the ones in force */
	size_t app_n;	     /* application arguments seen in this text */
};

/* "cmdline" or "module line N" for the token that starts at pos. */
static const char *where(struct lexer *l, const char *pos, char *buf,
			 size_t size)
{
	if (l->src != CFG_SRC_MODULE)
		return cfg_source_name(l->src);
	for (; l->counted < pos; l->counted++)
		if (*l->counted == '\n')
			l->line++;
	ksnprintf(buf, size, "module line %u", l->line);
	return buf;
}

/*
 * Report "config: <fmt...> (<where>)[: <tail>]". Only the first error is
 * reported; every warning is.
 */
static void __attribute__((format(printf, 5, 6)))
emit(struct lexer *l, const char *pos, bool fatal, const char *tail,
     const char *fmt, ...)
{
	char body[MSG_MAX], msg[MSG_MAX], wbuf[32];
	va_list ap;

	if (fatal && l->failed)
		return;
	if (fatal)
		l->failed = true;
	if (!l->report)
		return;
	va_start(ap, fmt);
	kvsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	ksnprintf(msg, sizeof(msg), "config: %s (%s)%s%s", body,
		  where(l, pos, wbuf, sizeof(wbuf)), tail ? ": " : "",
		  tail ? tail : "");
	l->report(l->ctx, fatal, msg);
}

/* The text is for people: no NUL and no control bytes but tab, CR and LF. */
static int check_bytes(struct lexer *l, const char *text)
{
	for (const char *p = text; p < l->end; p++) {
		unsigned char b = (unsigned char)*p;
		size_t off = (size_t)(p - text);
		if (b == 0) {
			emit(l, p, true, NULL, "NUL byte at offset %lu",
			     (unsigned long)off);
			return -EINVAL;
		}
		if ((b < 0x20 && !is_ws((char)b)) || b == 0x7f) {
			emit(l, p, true, NULL,
			     "control character 0x%02x at offset %lu",
			     (unsigned)b, (unsigned long)off);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Lex one word (a value or an application argument) into buf: characters up
 * to unquoted whitespace; "..." groups may hold whitespace, \" and \\. More
 * than CFG_VALUE_MAX characters set *overflow. A quote still open at the end
 * of the line or text returns -EINVAL, with l->p at that point.
 */
static int lex_word(struct lexer *l, char *buf, size_t *len, bool *overflow)
{
	size_t n = 0;

	*overflow = false;
	while (l->p < l->end && !is_ws(*l->p)) {
		char ch = *l->p++;
		if (ch == '"') {
			for (;;) {
				if (l->p == l->end || *l->p == '\n' ||
				    *l->p == '\r')
					return -EINVAL;
				ch = *l->p++;
				if (ch == '"')
					break;
				if (ch == '\\' && l->p < l->end &&
				    (*l->p == '"' || *l->p == '\\'))
					ch = *l->p++;
				if (n < CFG_VALUE_MAX)
					buf[n++] = ch;
				else
					*overflow = true;
			}
			continue;
		}
		if (n < CFG_VALUE_MAX)
			buf[n++] = ch;
		else
			*overflow = true;
	}
	buf[n] = '\0';
	*len = n;
	return 0;
}

/* One token after "--": the next application argument. */
static void lex_app_arg(struct lexer *l)
{
	const char *start = l->p;
	char buf[CFG_VALUE_MAX + 1];
	struct config *c = l->c;
	bool overflow;
	size_t len;

	l->app_n++;
	if (lex_word(l, buf, &len, &overflow)) {
		emit(l, start, true, NULL,
		     "unterminated quote in application argument %lu",
		     (unsigned long)l->app_n);
		return;
	}
	if (overflow) {
		emit(l, start, true, NULL,
		     "application argument %lu is longer than %d characters",
		     (unsigned long)l->app_n, CFG_VALUE_MAX);
		return;
	}
	if (l->app_n > CFG_APP_ARGS_MAX) {
		emit(l, start, true, NULL, "more than %d application arguments",
		     CFG_APP_ARGS_MAX);
		return;
	}
	if (l->app_take && !l->failed)
		memcpy(c->app_argv[c->app_argc++], buf, len + 1);
}

/* Store a decoded value unless a source of higher precedence set it. */
static void store(struct lexer *l, int row, const struct cfg_value *v,
		  const char *text, size_t len)
{
	struct cfg_value *dst = &l->c->values[row];

	if (l->failed || l->src < dst->src)
		return;
	dst->src = l->src;
	switch (l->c->keys[row].type) {
	case CFG_BOOL:
		dst->b = v->b;
		break;
	case CFG_UINT:
		dst->u = v->u;
		break;
	case CFG_INT:
		dst->i = v->i;
		break;
	case CFG_ENUM:
		dst->e = v->e;
		break;
	case CFG_STRING:
		break;
	}
	memcpy(dst->text, text, len + 1);
}

/* One token that is not a comment: key=value, a bare word or "--". */
static void lex_token(struct lexer *l)
{
	const char *start = l->p, *kend = l->p;
	char key[CFG_KEY_MAX + 1], val[CFG_VALUE_MAX + 1];
	char ex[EXCERPT_MAX + 4], ex2[EXCERPT_MAX + 4], want[MSG_MAX];
	struct cfg_value v;
	bool overflow;
	size_t klen, vlen;
	int row;

	while (kend < l->end && !is_ws(*kend) && *kend != '=')
		kend++;
	klen = (size_t)(kend - start);
	if (kend == l->end || *kend != '=') {
		l->p = kend;
		if (klen == 2 && start[0] == '-' && start[1] == '-') {
			l->app = true;
			l->app_take = l->src >= l->c->app_src && !l->failed;
			if (l->app_take) {
				l->c->app_src = l->src;
				l->c->app_argc = 0;
			}
			return;
		}
		emit(l, start, false, NULL, "'%s' is not key=value",
		     excerpt(ex, start, klen));
		return;
	}
	l->p = kend + 1;
	if (lex_word(l, val, &vlen, &overflow)) {
		emit(l, start, true, NULL,
		     "unterminated quote in value of '%s'",
		     excerpt(ex, start, klen));
		return;
	}
	if (klen == 0) {
		emit(l, start, false, NULL, "'%s' is not key=value",
		     excerpt(ex, start, (size_t)(l->p - start)));
		return;
	}
	if (klen > CFG_KEY_MAX) {
		emit(l, start, true, NULL,
		     "key '%s' is longer than %d characters",
		     excerpt(ex, start, klen), CFG_KEY_MAX);
		return;
	}
	memcpy(key, start, klen);
	key[klen] = '\0';
	row = find_key(l->c, key, klen);
	if (row < 0) {
		emit(l, start, false, NULL, "unknown key '%s'", key);
		return;
	}
	if (overflow) {
		emit(l, start, true, NULL,
		     "value of '%s' is longer than %d characters", key,
		     CFG_VALUE_MAX);
		return;
	}
	if (!decode(&l->c->keys[row], val, vlen, &v)) {
		/* A secret (a cluster key) is never echoed to the console. */
		describe(&l->c->keys[row], want, sizeof(want));
		emit(l, start, true, want, "bad value '%s' for key '%s'",
		     l->c->keys[row].secret ? "<hidden>"
					    : excerpt(ex2, val, vlen),
		     key);
		return;
	}
	store(l, row, &v, val, vlen);
}

int config_parse(struct config *c, const char *text, size_t len,
		 enum cfg_source src, cfg_report_fn report, void *ctx)
{
	struct lexer l = {
	    .c = c,
	    .p = text,
	    .src = src,
	    .report = report,
	    .ctx = ctx,
	    .counted = text,
	    .line = 1,
	};

	if (src != CFG_SRC_MODULE && src != CFG_SRC_CMDLINE)
		return -EINVAL; /* a bug in the caller: nothing to report */
	if (len == 0)
		return 0; /* text may then be NULL: no module */
	l.end = text + len;
	if (check_bytes(&l, text))
		return -EINVAL;
	while (l.p < l.end) {
		if (is_ws(*l.p)) {
			l.p++;
		} else if (*l.p == '#') {
			while (l.p < l.end && *l.p != '\n')
				l.p++;
		} else if (l.app) {
			lex_app_arg(&l);
		} else {
			lex_token(&l);
		}
	}
	return l.failed ? -EINVAL : 0;
}
