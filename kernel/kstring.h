/*
 * kernel/kstring.h — the string and memory functions the kernel uses.
 * Kernel builds get Unum's own (kernel/string.c); host builds the host libc's.
 */
#ifndef KERNEL_KSTRING_H
#define KERNEL_KSTRING_H

#include <stddef.h>

#ifdef UNUM_HOST
#include <string.h>
#else
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t kstrlcpy(char *dst, const char *src, size_t size);

/* Small formatter shared by the console and by parsers' error messages:
 * %d %i %u %x %X %p %s %c %% with l/ll/z modifiers, width, '0' and '-'. */
#include <stdarg.h>
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Formats at buf + *pos and advances *pos by the length the text needs,
 * whether it fit or not (so *pos ends as snprintf's result for the whole
 * text); what fits of buf stays NUL-terminated once anything was added. */
void kappendf(char *buf, size_t size, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
