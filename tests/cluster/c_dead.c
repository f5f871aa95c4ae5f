/*
 * c_dead.c — a node dies before the program ends (tests/qemu/dsm kills
 * node 1's QEMU once this prints "c_dead: ready"): the death ends the
 * program (status 1, "sched: node 1 died with 0 thread(s)..."), and with
 * dsm.stats=1 the origin's exit report must say the node is dead and not
 * wait for it. Runs on node 0 only, with every static page homed there
 * (dsm.home=origin) and its pages written before the kill: the DSM itself
 * does not survive a node's death (a first write would wait for its ack).
 * "c_dead: ending" must never be printed.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("c_dead: warming up\n");
	fflush(stdout);
	usleep(1000);
	printf("c_dead: ready\n");
	fflush(stdout);
	sleep(4);
	printf("c_dead: ending\n");
	return 0;
}
