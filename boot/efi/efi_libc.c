/*
 * boot/efi/efi_libc.c — the few C string functions the EFI loader's shared
 * code (kernel/format.c, boot/boot_mmap.c, boot/efi/efi_*.c) calls that
 * gnu-efi's libefi does not provide (it has memcpy and memset).
 */
#include <stddef.h>

#include "kernel/kstring.h"

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}
