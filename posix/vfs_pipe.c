/*
 * posix/vfs_pipe.c — pipes (vfs_pipe, see posix/vfs.h) and the wait word of
 * poll.
 *
 * A pipe is a nameless FIFO node with two open file descriptions, the read
 * end and the write end, over a ring of VFS_PIPE_SIZE bytes. Its state is
 * in the application's heap, so in a cluster the reader and the writer may
 * run on different nodes: they sleep on the futex word `gen`, which every
 * change bumps, and that futex works across nodes. Reads and writes run
 * without vfs_lock (stream ops); poll and close run with it, then take the
 * pipe's lock (lock order: vfs_lock, then a pipe's lock; nothing under it).
 */
#include <limits.h>

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "posix/vfs_impl.h"

struct vfs_pipe {
	struct ulock lock;
	/* futex word: bumped (atomically, under lock) on every change a
	 * blocked reader or writer waits for; read without the lock */
	uint32_t gen;
	uint32_t sleepers;	   /* (lock) threads waiting on gen */
	uint32_t readers, writers; /* (lock) open descriptions of each end */
	uint32_t head, count;	   /* (lock) first byte held, bytes held */
	uint8_t *buf;		   /* (lock) VFS_PIPE_SIZE bytes */
};

/* How blocked readers and writers sleep (posix/vfs.h); set once at start. */
int (*vfs_block)(uint32_t *word, uint32_t val);

/* Poll's wait word and its sleepers (see posix/vfs.h): atomics only. */
uint32_t vfs_poll_seq, vfs_pollers;

/* Called after a change of any pipe's readiness (the change made and
 * visible, the lock may still be held). */
static void poll_notify(void)
{
	/* Pairs with the poller's increment of vfs_pollers before its scan:
	 * either the scan sees our change or we see the poller. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vfs_pollers, __ATOMIC_RELAXED)) {
		__atomic_add_fetch(&vfs_poll_seq, 1, __ATOMIC_SEQ_CST);
		ulock_futex_wake(&vfs_poll_seq, INT_MAX);
	}
}

/* p changed (lock held): wake whoever waits on it. */
static void pipe_changed(struct vfs_pipe *p)
{
	__atomic_add_fetch(&p->gen, 1, __ATOMIC_SEQ_CST);
	if (p->sleepers)
		ulock_futex_wake(&p->gen, INT_MAX);
	poll_notify();
}

/* Sleeps until p changes (lock held on entry and on return): 0, or
 * -ECANCELED or -EINTR from vfs_block. */
static int pipe_wait(struct vfs_pipe *p)
{
	uint32_t g = __atomic_load_n(&p->gen, __ATOMIC_RELAXED);
	int err = 0;

	p->sleepers++;
	ulock_unlock(&p->lock);
	if (vfs_block)
		err = vfs_block(&p->gen, g);
	else
		ulock_futex_wait(&p->gen, g);
	ulock_lock(&p->lock);
	p->sleepers--;
	return err;
}

static bool is_reader(uint32_t flags)
{
	return (flags & VFS_O_ACCMODE) == VFS_O_RDONLY;
}

static int64_t pipe_read(struct vfs_node *n, void *buf, size_t len,
			 uint32_t flags)
{
	struct vfs_pipe *p = n->pipe;
	uint8_t *out = buf;
	int64_t r;

	if (!len)
		return 0;
	ulock_lock(&p->lock);
	while (!p->count) {
		r = 0; /* end of file */
		if (!p->writers)
			goto out;
		r = -EAGAIN;
		if (flags & VFS_O_NONBLOCK)
			goto out;
		r = pipe_wait(p);
		if (r)
			goto out;
	}
	if (len > p->count)
		len = p->count;
	for (size_t done = 0, c; done < len; done += c) {
		c = VFS_PIPE_SIZE - p->head;
		if (c > len - done)
			c = len - done;
		memcpy(out + done, p->buf + p->head, c);
		p->head = (p->head + (uint32_t)c) % VFS_PIPE_SIZE;
		p->count -= (uint32_t)c;
	}
	pipe_changed(p);
	r = (int64_t)len;
out:
	ulock_unlock(&p->lock);
	return r;
}

/* Appends up to len bytes (what fits) to p's ring; returns the count. */
static size_t ring_put(struct vfs_pipe *p, const uint8_t *src, size_t len)
{
	size_t room = VFS_PIPE_SIZE - p->count, done = 0;

	if (len > room)
		len = room;
	while (done < len) {
		uint32_t tail = (p->head + p->count) % VFS_PIPE_SIZE;
		size_t c = VFS_PIPE_SIZE - tail;

		if (c > len - done)
			c = len - done;
		memcpy(p->buf + tail, src + done, c);
		p->count += (uint32_t)c;
		done += c;
	}
	return len;
}

/*
 * Up to VFS_PIPE_BUF bytes go in at once, when there is room for all of
 * them; more go in pieces as room appears. With no reader: -EPIPE, or the
 * count written before the last reader left. The caller would raise
 * SIGPIPE on -EPIPE; signals are not delivered here (posix/ has no
 * signal delivery yet), so the write only fails.
 */
static int64_t pipe_write(struct vfs_node *n, const void *buf, size_t len,
			  uint32_t flags)
{
	struct vfs_pipe *p = n->pipe;
	size_t done = 0;
	int64_t r;

	if (!len)
		return 0;
	ulock_lock(&p->lock);
	for (;;) {
		size_t room = VFS_PIPE_SIZE - p->count;
		size_t need = len <= VFS_PIPE_BUF ? len : 1;

		r = done ? (int64_t)done : -EPIPE;
		if (!p->readers)
			break;
		if (room >= need) {
			done += ring_put(p, (const uint8_t *)buf + done,
					 len - done);
			pipe_changed(p);
			r = (int64_t)done;
			if (done == len)
				break;
			continue;
		}
		r = done ? (int64_t)done : -EAGAIN;
		if (flags & VFS_O_NONBLOCK)
			break;
		int e = pipe_wait(p);
		if (e) {
			r = done ? (int64_t)done : e;
			break;
		}
	}
	ulock_unlock(&p->lock);
	return r;
}

static uint32_t pipe_poll(struct vfs_node *n, uint32_t flags)
{
	struct vfs_pipe *p = n->pipe;
	uint32_t ev = 0;

	ulock_lock(&p->lock);
	if (is_reader(flags)) {
		if (p->count)
			ev |= VFS_POLLIN;
		if (!p->writers)
			ev |= VFS_POLLHUP;
	} else {
		if (VFS_PIPE_SIZE - p->count >= VFS_PIPE_BUF)
			ev |= VFS_POLLOUT;
		if (!p->readers)
			ev |= VFS_POLLERR;
	}
	ulock_unlock(&p->lock);
	return ev;
}

static void pipe_close(struct vfs_node *n, uint32_t flags)
{
	struct vfs_pipe *p = n->pipe;

	ulock_lock(&p->lock);
	if (is_reader(flags))
		p->readers--;
	else
		p->writers--;
	pipe_changed(p);
	ulock_unlock(&p->lock);
}

static void pipe_release(struct vfs_node *n)
{
	vfs_free(n->pipe->buf);
	vfs_free(n->pipe);
}

/* Reads through the ops table's read: a pipe has no data at an offset. */
static int64_t pipe_read_at(struct vfs_node *n, void *buf, size_t len,
			    uint64_t off)
{
	return -ESPIPE;
}

static const struct vfs_node_ops pipe_ops = {
    .read = pipe_read_at,
    .release = pipe_release,
    .stream_read = pipe_read,
    .stream_write = pipe_write,
    .poll = pipe_poll,
    .close = pipe_close,
};

int vfs_pipe(int fds[2], int flags)
{
	const uint32_t end[2] = {VFS_O_RDONLY, VFS_O_WRONLY};
	uint32_t fl[2];
	struct vfs_pipe *p;
	struct vfs_node *n;
	int err;

	if (flags & ~(VFS_O_CLOEXEC | VFS_O_NONBLOCK))
		return -EINVAL;
	if (!fds)
		return -EFAULT;
	for (int i = 0; i < 2; i++)
		fl[i] = end[i] | ((uint32_t)flags & VFS_O_NONBLOCK);
	p = vfs_zalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->buf = vfs_zalloc(VFS_PIPE_SIZE);
	if (!p->buf) {
		vfs_free(p);
		return -ENOMEM;
	}
	p->lock = (struct ulock)ULOCK_INIT;
	p->readers = p->writers = 1;
	ulock_lock(&vfs_lock);
	err = -ENOMEM;
	n = vfs_node_new(VFS_S_IFIFO | 0600, &pipe_ops);
	if (!n)
		goto out;
	n->pipe = p;
	err = vfs_fd_pair(n, fl, flags & VFS_O_CLOEXEC, fds);
	if (err) {
		vfs_node_drop(n); /* frees p */
		p = NULL;
	}
out:
	ulock_unlock(&vfs_lock);
	if (err && p) {
		vfs_free(p->buf);
		vfs_free(p);
	}
	return err;
}
