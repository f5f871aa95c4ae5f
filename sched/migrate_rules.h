/*
 * sched/migrate_rules.h — when a thread that is to move may go: the
 * decision taken at each of its safe points (the trap exit hook of
 * sched/migrate.c), pure so that host tests can go through every case.
 */
#ifndef SCHED_MIGRATE_RULES_H
#define SCHED_MIGRATE_RULES_H

#include <stdbool.h>
#include <stdint.h>

struct mig_point {
	int to;		 /* the pending destination, -1 for none */
	int self, nodes; /* this node, and how many there are */
	bool app;	 /* a thread of the program (it has a pthread id) */
	bool on_kstack;	 /* the trap came from its kernel stack (kernel code) */
	bool irqs_on;	 /* the interrupted context had interrupts on */
	uint32_t locks;	 /* cluster mutexes it holds */
};

enum mig_step {
	MIG_NONE,  /* nothing pending */
	MIG_LATER, /* pending, but not from here: a later safe point */
	MIG_GO,	   /* freeze now and ship the context */
	MIG_DROP,  /* pending for a node it cannot go to: forget it */
};

enum mig_step migrate_step(const struct mig_point *p);

#endif
