/*
 * c_exit.c — the program ends on a node other than the origin: a thread
 * that finds itself (by /proc/dsm) away from node 0 calls exit(3) while
 * main waits. With dsm.stats=1 the origin must still gather and print
 * every node's report, then the cluster ends with status 3. Booted by
 * tests/qemu/dsm on 2 nodes.
 */
/* expect-status: 3 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int my_node(void)
{
	char buf[64] = {0};
	int fd = open("/proc/dsm", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return -1;
	close(fd);
	return strncmp(buf, "node ", 5) ? -1 : atoi(buf + 5);
}

static void *worker(void *arg)
{
	(void)arg;
	int node = my_node();
	if (node > 0) {
		printf("c_exit: ending the program on node %d\n", node);
		fflush(stdout);
		exit(3);
	}
	for (;;)
		sleep(1);
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (;;)
		sleep(1);
}
