/*
 * boot/efi/efi_conf.c — parser of the EFI loader's settings file,
 * \EFI\unum\loader.conf on the EFI system partition. The grammar and every
 * message are in docs/BOOT.md ("The EFI loader"); this is the one place that
 * checks the file.
 */
#include <stdbool.h>
#include <stdint.h>

#include "boot/efi/efi_loader.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

void efi_conf_default(struct efi_conf *c)
{
	memset(c, 0, sizeof(*c));
	kstrlcpy(c->kernel, "\\unum.elf", sizeof(c->kernel));
	c->error_wait = EFI_ERROR_WAIT_DEFAULT;
}

struct span {
	const char *p;
	size_t n;
};

struct conf_state {
	struct efi_conf *c;
	unsigned line;
	unsigned kernel_line; /* line of kernel=, 0 if none yet */
	char *err;
	size_t errlen;
};

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static struct span trim(struct span s)
{
	while (s.n && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

static int fail(struct conf_state *st, const char *what, const char *arg)
{
	ksnprintf(st->err, st->errlen, "line %u: %s%s", st->line, what,
		  arg ? arg : "");
	return -EINVAL;
}

/* s quoted for a message: at most 40 characters, then "...". */
static const char *quoted(struct span s, char *buf, size_t size)
{
	size_t n = s.n > 40 ? 40 : s.n;
	buf[0] = '\'';
	memcpy(buf + 1, s.p, n);
	kstrlcpy(buf + 1 + n, s.n > 40 ? "...'" : "'", size - 1 - n);
	return buf;
}

/* Characters FAT and the firmware's file protocol do not take in a name. */
static bool bad_path_char(char ch)
{
	return (unsigned char)ch <= ' ' || (unsigned char)ch >= 0x7f ||
	       ch == '"' || ch == '*' || ch == ':' || ch == '<' || ch == '>' ||
	       ch == '?' || ch == '|';
}

/* Stores a path with backslashes and one leading backslash. */
static int set_path(struct conf_state *st, struct span s, char *dst)
{
	char msg[32];
	size_t n = 0;

	if (!s.n)
		return fail(st, "empty path", NULL);
	if (s.p[0] != '/' && s.p[0] != '\\')
		dst[n++] = '\\';
	for (size_t i = 0; i < s.n; i++) {
		char ch = s.p[i] == '/' ? '\\' : s.p[i];
		if (bad_path_char(ch)) {
			if ((unsigned char)ch > ' ' && (unsigned char)ch < 0x7f)
				ksnprintf(msg, sizeof(msg), "'%c'", ch);
			else
				ksnprintf(msg, sizeof(msg), "0x%02x",
					  (unsigned)(unsigned char)ch);
			ksnprintf(st->err, st->errlen,
				  "line %u: character %s is not allowed in a "
				  "path",
				  st->line, msg);
			return -EINVAL;
		}
		if (n + 1 >= EFI_PATH_MAX)
			return fail(st, "path is longer than 255 characters",
				    NULL);
		dst[n++] = ch;
	}
	dst[n] = 0;
	if (!strcmp(dst, "\\"))
		return fail(st, "path names no file", NULL);
	return 0;
}

static int do_kernel(struct conf_state *st, struct span v)
{
	if (st->kernel_line) {
		ksnprintf(st->err, st->errlen,
			  "line %u: kernel= given twice (first on line %u)",
			  st->line, st->kernel_line);
		return -EINVAL;
	}
	st->kernel_line = st->line;
	return set_path(st, v, st->c->kernel);
}

static int do_cmdline(struct conf_state *st, struct span v)
{
	char *cl = st->c->cmdline;
	size_t have = strlen(cl), need = v.n + (have && v.n ? 1 : 0);

	if (!v.n)
		return 0;
	if (have + need > BOOT_CMDLINE_MAX - 1) {
		ksnprintf(st->err, st->errlen,
			  "line %u: command line is longer than %d bytes",
			  st->line, BOOT_CMDLINE_MAX - 1);
		return -EINVAL;
	}
	if (have)
		cl[have++] = ' ';
	memcpy(cl + have, v.p, v.n);
	cl[have + v.n] = 0;
	return 0;
}

/* module=PATH [NAME]: the name is the rest of the line, default the path. */
static int do_module(struct conf_state *st, struct span v)
{
	struct efi_conf *c = st->c;
	struct efi_conf_module *m;
	struct span path = v, name = {v.p + v.n, 0};
	int rc;

	if (c->nr_modules == BOOT_MAX_MODULES) {
		ksnprintf(st->err, st->errlen, "line %u: more than %d modules",
			  st->line, BOOT_MAX_MODULES);
		return -EINVAL;
	}
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] == ' ' || v.p[i] == '\t') {
			path.n = i;
			name = trim((struct span){v.p + i, v.n - i});
			break;
		}
	}
	m = &c->modules[c->nr_modules];
	rc = set_path(st, path, m->path);
	if (rc)
		return rc;
	if (!name.n)
		name = (struct span){m->path, strlen(m->path)};
	if (name.n > BOOT_MODNAME_MAX - 1) {
		ksnprintf(st->err, st->errlen,
			  "line %u: module name is longer than %d characters",
			  st->line, BOOT_MODNAME_MAX - 1);
		return -EINVAL;
	}
	memcpy(m->name, name.p, name.n);
	m->name[name.n] = 0;
	c->nr_modules++;
	return 0;
}

static int do_error_wait(struct conf_state *st, struct span v)
{
	uint32_t secs = 0;
	char q[48];

	if (!v.n)
		return fail(st, "error_wait= needs a number of seconds", NULL);
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9' ||
		    (secs = secs * 10 + (uint32_t)(v.p[i] - '0')) >
			EFI_ERROR_WAIT_MAX) {
			ksnprintf(st->err, st->errlen,
				  "line %u: error_wait=%s is not a number of "
				  "seconds from 0 to %d",
				  st->line, quoted(v, q, sizeof(q)),
				  EFI_ERROR_WAIT_MAX);
			return -EINVAL;
		}
	}
	st->c->error_wait = secs;
	return 0;
}

static bool key_is(struct span k, const char *name)
{
	return k.n == strlen(name) && !memcmp(k.p, name, k.n);
}

static int parse_line(struct conf_state *st, struct span l)
{
	struct span key, val;
	char q[48];
	size_t eq;

	l = trim(l);
	if (!l.n || l.p[0] == '#')
		return 0;
	for (eq = 0; eq < l.n && l.p[eq] != '='; eq++)
		;
	key = trim((struct span){l.p, eq});
	if (eq == l.n || !key.n)
		return fail(st, quoted(l, q, sizeof(q)), " is not key=value");
	val = trim((struct span){l.p + eq + 1, l.n - eq - 1});
	if (key_is(key, "kernel"))
		return do_kernel(st, val);
	if (key_is(key, "cmdline"))
		return do_cmdline(st, val);
	if (key_is(key, "module"))
		return do_module(st, val);
	if (key_is(key, "error_wait"))
		return do_error_wait(st, val);
	ksnprintf(st->err, st->errlen,
		  "line %u: unknown key %s (known: kernel, cmdline, module, "
		  "error_wait)",
		  st->line, quoted(key, q, sizeof(q)));
	return -EINVAL;
}

int efi_conf_parse(const char *text, size_t len, struct efi_conf *c, char *err,
		   size_t errlen)
{
	struct conf_state st = {c, 1, 0, err, errlen};
	size_t start = 0;

	if (errlen)
		err[0] = 0;
	if (len > EFI_CONF_MAX_BYTES) {
		ksnprintf(err, errlen, "file is %zu bytes, more than %d", len,
			  EFI_CONF_MAX_BYTES);
		return -EINVAL;
	}
	/* Bytes first: a NUL or control character anywhere is reported
	 * with its line before any key is looked at. */
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch == '\n') {
			st.line++;
		} else if (ch < ' ' && ch != '\t' && ch != '\r') {
			ksnprintf(err, errlen,
				  "line %u: control character "
				  "0x%02x",
				  st.line, ch);
			return -EINVAL;
		} else if (ch == 0x7f) {
			ksnprintf(err, errlen,
				  "line %u: control character "
				  "0x7f",
				  st.line);
			return -EINVAL;
		}
	}
	st.line = 1;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		int rc =
		    parse_line(&st, (struct span){text + start, i - start});
		if (rc)
			return rc;
		start = i + 1;
		st.line++;
	}
	return 0;
}
