/*
 * cluster/csync_priv.h — what cluster/csync_proto.c and cluster/csync_home.c
 * share: the engine's records and its small helpers. Everything here is
 * guarded by the caller's engine lock (cluster/csync.c: eng_lock).
 */
#ifndef CLUSTER_CSYNC_PRIV_H
#define CLUSTER_CSYNC_PRIV_H

#include "cluster/csync_proto.h"

struct wl_ent {
	struct wl_ent *next;
	int node;
	uint32_t wid; /* cond/sem/barrier/rwlock waiter; 0 for a mutex */
	int flag;     /* mutex request: 1 = try; rwlock: 1 = writer */
	uint32_t tid; /* rwlock: the waiting thread */
};

struct csync_wl {
	struct wl_ent *head, *tail;
	uint32_t n;
};

/* One object as this node knows it: the node part (a mutex's token and
 * local lock) and, at the home, the home part. */
struct csync_obj {
	struct csync_obj *next; /* hash chain */
	uint32_t h;
	/* node part (mutex) */
	bool has_token;	     /* the token is here */
	bool requested;	     /* a REQ is at the home, no GRANT yet */
	bool recall_pending; /* give the token back at the next unlock */
	bool locked;	     /* held by owner, count times */
	uint32_t owner, count;
	struct csync_wl local; /* threads of this node waiting for the lock */
	uint32_t nretry;       /* woken by CSE_RETRY, not yet back */
	uint32_t try_wid;      /* a trylock waiting for the home's answer */
	uint32_t batch; /* locks taken here since the home asked it back */
	/* home part */
	bool is_home;
	int holder;	   /* mutex: node with the token or granted it */
	bool recalling;	   /* mutex: a RECALL (or GRANT asking back) is out */
	struct csync_wl q; /* mutex: nodes asking; others: waiters */
	uint32_t value;	   /* barrier: threads per round; sem: value;
			 * rwlock: readers */
	uint32_t writer;   /* rwlock: the writing thread, 0 = none */
};

struct csync_self {
	struct csync_self *next;
	struct csync_msg m;
};

bool csp_wl_add(struct csync *e, struct csync_wl *l, int node, uint32_t wid,
		int flag);
/* Removes the first entry matching (node, wid): true if there was one. */
bool csp_wl_del(struct csync *e, struct csync_wl *l, int node, uint32_t wid,
		int *flag);
bool csp_wl_pop(struct csync *e, struct csync_wl *l, int *node, uint32_t *wid,
		int *flag);
void csp_wl_clear(struct csync *e, struct csync_wl *l);
/* Sends to another node, or queues to ourselves (handled by drain). */
void csp_emit(struct csync *e, int dst, const struct csync_msg *m);
void csp_send(struct csync *e, int dst, int type, uint32_t h, uint32_t wid,
	      int32_t a);
void csp_obj_free(struct csync *e, uint32_t h);
struct wl_ent *csp_wl_find_node(struct csync_wl *l, int node);
/* Mutex, at the home (cluster/csync_home.c). */
void csp_home_recall(struct csync *e, struct csync_obj *o);
void csp_home_grant_next(struct csync *e, struct csync_obj *o);
void csp_home_req(struct csync *e, int from, struct csync_obj *o, int try);
void csp_home_return(struct csync *e, int from, struct csync_obj *o, int want);
void csp_home_notfree(struct csync *e, int from, struct csync_obj *o);
/* True if messages of this (valid) type go to the object's home. */
bool csp_to_home(int type);
/* A checked request for cond/barrier/sem/rwlock o, homed here. */
void csp_home_request(struct csync *e, int from, struct csync_obj *o,
		      const struct csync_msg *m);

#endif
