/*
 * posix/vfs_ramfs.c — data of writable files: VFS_BLKSIZE chunks found
 * through a two-level map (struct vfs_ram), allocated on first write. A
 * missing chunk is a hole and reads as zeros; bytes past the size inside the
 * last chunk are kept zero, so growing a file (truncate, a write past the
 * end) never uncovers old data.
 *
 * Every function runs with vfs_lock held (see vfs_impl.h).
 */
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "posix/vfs_impl.h"

#define LEAF_SPAN ((uint64_t)VFS_RAM_LEAF * VFS_BLKSIZE)

/* The chunk holding byte off, or NULL for a hole. */
static uint8_t *chunk_get(const struct vfs_ram *r, uint64_t off)
{
	uint64_t leaf = off / LEAF_SPAN;

	if (leaf >= r->nmap || !r->map[leaf])
		return NULL;
	return r->map[leaf][off / VFS_BLKSIZE % VFS_RAM_LEAF];
}

/* The chunk holding byte off, made (zeroed) if missing; NULL if memory is
 * short. */
static uint8_t *chunk_make(struct vfs_ram *r, uint64_t off)
{
	uint64_t leaf = off / LEAF_SPAN;
	uint8_t **slot;

	if (leaf >= r->nmap) {
		size_t n = r->nmap ? r->nmap : 1;
		uint8_t ***map;

		while (n <= leaf)
			n *= 2;
		map = vfs_realloc(r->map, n * sizeof(*map));
		if (!map)
			return NULL;
		memset(map + r->nmap, 0, (n - r->nmap) * sizeof(*map));
		r->map = map;
		r->nmap = n;
	}
	if (!r->map[leaf]) {
		r->map[leaf] = vfs_zalloc(VFS_RAM_LEAF * sizeof(uint8_t *));
		if (!r->map[leaf])
			return NULL;
	}
	slot = &r->map[leaf][off / VFS_BLKSIZE % VFS_RAM_LEAF];
	if (!*slot) {
		*slot = vfs_zalloc(VFS_BLKSIZE);
		if (!*slot)
			return NULL;
		r->chunks++;
	}
	return *slot;
}

static int64_t ramfs_read(struct vfs_node *n, void *buf, size_t len,
			  uint64_t off)
{
	uint8_t *out = buf;
	size_t done = 0;

	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = (size_t)(n->size - off);
	while (done < len) {
		uint64_t at = off + done;
		size_t in = (size_t)(at % VFS_BLKSIZE);
		size_t c = VFS_BLKSIZE - in;
		const uint8_t *chunk = chunk_get(&n->ram, at);

		if (c > len - done)
			c = len - done;
		if (chunk)
			memcpy(out + done, chunk + in, c);
		else
			memset(out + done, 0, c);
		done += c;
	}
	return (int64_t)len;
}

static int64_t ramfs_write(struct vfs_node *n, const void *buf, size_t len,
			   uint64_t off)
{
	const uint8_t *src = buf;
	size_t done = 0;

	while (done < len) {
		uint64_t at = off + done;
		size_t in = (size_t)(at % VFS_BLKSIZE);
		size_t c = VFS_BLKSIZE - in;
		uint8_t *chunk = chunk_make(&n->ram, at);

		if (!chunk)
			break;
		if (c > len - done)
			c = len - done;
		memcpy(chunk + in, src + done, c);
		done += c;
	}
	if (done == 0 && len)
		return -ENOSPC;
	if (off + done > n->size)
		n->size = off + done;
	return (int64_t)done;
}

/* Frees every chunk from byte `from` on (from is a chunk boundary), and the
 * leaves left empty. */
static void free_from(struct vfs_ram *r, uint64_t from)
{
	uint64_t first = from / VFS_BLKSIZE;

	for (size_t l = (size_t)(first / VFS_RAM_LEAF); l < r->nmap; l++) {
		uint8_t **leaf = r->map[l];
		size_t i = l == first / VFS_RAM_LEAF ? first % VFS_RAM_LEAF : 0;
		bool empty = true;

		if (!leaf)
			continue;
		for (size_t j = 0; j < i; j++)
			if (leaf[j])
				empty = false;
		for (; i < VFS_RAM_LEAF; i++) {
			if (leaf[i]) {
				vfs_free(leaf[i]);
				leaf[i] = NULL;
				r->chunks--;
			}
		}
		if (empty) {
			vfs_free(leaf);
			r->map[l] = NULL;
		}
	}
	if (from == 0) {
		vfs_free(r->map);
		r->map = NULL;
		r->nmap = 0;
	}
}

static int ramfs_truncate(struct vfs_node *n, uint64_t size)
{
	if (size < n->size) {
		uint64_t keep = (size + VFS_BLKSIZE - 1) / VFS_BLKSIZE;
		uint8_t *tail = chunk_get(&n->ram, size);

		free_from(&n->ram, keep * VFS_BLKSIZE);
		if (size % VFS_BLKSIZE && tail)
			memset(tail + size % VFS_BLKSIZE, 0,
			       VFS_BLKSIZE - size % VFS_BLKSIZE);
	}
	n->size = size;
	return 0;
}

static void ramfs_release(struct vfs_node *n)
{
	free_from(&n->ram, 0);
}

static uint64_t ramfs_blocks(const struct vfs_node *n)
{
	return n->ram.chunks * (VFS_BLKSIZE / 512);
}

const struct vfs_node_ops ramfs_ops = {
    .read = ramfs_read,
    .write = ramfs_write,
    .truncate = ramfs_truncate,
    .release = ramfs_release,
    .blocks = ramfs_blocks,
};
