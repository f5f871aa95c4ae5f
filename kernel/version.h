/*
 * kernel/version.h — the kernel's version, as the boot banner prints it and
 * uname() reports it (release); one place to change it.
 */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define UNUM_VERSION	  "0.1"
#define UNUM_VERSION_TEXT "single-system-image cluster OS"

#endif
