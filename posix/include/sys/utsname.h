/*
 * <sys/utsname.h> — the system's name (newlib has none): uname() fills
 * every field with a NUL-terminated string (posix/sysinfo.c says which).
 */
#ifndef _SYS_UTSNAME_H
#define _SYS_UTSNAME_H

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes in each field, the NUL included: HOST_NAME_MAX + 1. */
#define _UTSNAME_LENGTH 65

struct utsname {
	char sysname[_UTSNAME_LENGTH];	/* "Unum" */
	char nodename[_UTSNAME_LENGTH]; /* gethostname()'s */
	char release[_UTSNAME_LENGTH];	/* the kernel's version, "0.1" */
	char version[_UTSNAME_LENGTH];	/* what this kernel is */
	char machine[_UTSNAME_LENGTH];	/* "x86_64" */
};

int uname(struct utsname *name);

#ifdef __cplusplus
}
#endif

#endif
