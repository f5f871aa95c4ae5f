/*
 * sys/dirent.h — directory streams for Unum (newlib's generic header
 * refuses <dirent.h>); posix/dir.c implements them over the vfs.
 */
#ifndef _SYS_DIRENT_H
#define _SYS_DIRENT_H

#include <sys/types.h>

#define MAXNAMLEN  255
#define DT_UNKNOWN 0
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_REG	   8

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[MAXNAMLEN + 1];
};

typedef struct {
	int dd_fd;
	struct dirent dd_ent;
} DIR;

DIR *opendir(const char *name);
struct dirent *readdir(DIR *dir);
int readdir_r(DIR *dir, struct dirent *ent, struct dirent **result);
int closedir(DIR *dir);
void rewinddir(DIR *dir);
int dirfd(DIR *dir);

#endif
