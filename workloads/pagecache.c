/* pagecache: a dd-style reader. read() the file in --block units into a
 * page-aligned buffer, optionally paced and for several passes; the page
 * cache it fills is charged to the group that touches it first. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "wl.h"

#define OPT(f) offsetof(struct wl_opts, f)

static const struct wl_opt pagecache_opts[] = {
	{ "file", WL_PATH, OPT(path), NULL, "file to read (default: a scratch file of --size)" },
	{ "size", WL_SIZE, OPT(size), NULL, "create or extend the file to this size first" },
	{ "block", WL_SIZE, OPT(block), "1M", "read() size" },
	{ "rate", WL_RATE, OPT(rate), "max", "bytes per second, or max" },
	{ "passes", WL_UINT, OPT(passes), "1", "read the whole file this many times" },
	{ "drop", WL_FLAG, OPT(drop), NULL, "drop the file from the page cache before each pass" },
	/* a sparse file fills the same page cache, charged the same, and
	 * costs no disk I/O to make or read (seconds under emulation) */
	{ "data", WL_FLAG, OPT(data), NULL,
	  "--size writes real bytes to disk (default: a sparse file)" },
	{ "write", WL_FLAG, OPT(write), NULL,
	  "write --size bytes (dirty page cache, never synced) instead of reading" },
	{ "hold", WL_FLAG, OPT(hold), NULL, "after reading, stay until told" },
	{ "quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines" },
	{ NULL },
};

static int pagecache_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->path[0] && !o->size)
		return err_set(e, EINVAL, "--file is required (or --size for a scratch file)");
	if (!o->block)
		return err_set(e, EINVAL, "--block must be at least 1 byte");
	if (o->block > 1 * GIB)
		return err_set(e, EINVAL, "--block is larger than 1G");
	if (!o->passes)
		return err_set(e, EINVAL, "--passes must be at least 1");
	if (o->write && !o->size)
		return err_set(e, EINVAL, "--write needs --size");
	return 0;
}

static uint64_t pagecache_need(const struct wl_opts *o)
{
	/* page cache is reclaimable (clean at once, dirty after writeback): it
	 * cannot take the machine into OOM, only the read buffer counts */
	return o->block;
}

int wl_pagecache_prepare(const char *path, uint64_t size, int data, int *created,
			 struct mlab_err *e)
{
	static char chunk[1 << 20];
	struct stat st;
	uint64_t have = 0;
	int fd;

	*created = stat(path, &st) != 0;
	if (!*created) {
		if (!S_ISREG(st.st_mode))
			return err_set(e, EINVAL, "%s is not a regular file", path);
		have = (uint64_t)st.st_size;
		if (have >= size)
			return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, errno, "create %s: %s", path, strerror(errno));
	/* a hole: no page of it is in the cache until a reader touches it */
	if (!data) {
		if (ftruncate(fd, (off_t)size))
			goto fail;
		close(fd);
		return 0;
	}
	memset(chunk, 0x5a, sizeof(chunk));
	if (lseek(fd, (off_t)have, SEEK_SET) < 0)
		goto fail;
	while (have < size) {
		size_t n = size - have < sizeof(chunk) ? (size_t)(size - have) : sizeof(chunk);
		ssize_t w = write(fd, chunk, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		have += (uint64_t)w;
	}
	/* write back, then drop: the reader must be the first to touch the cache */
	if (fsync(fd))
		goto fail;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return 0;
fail:;
	int err = errno ? errno : EIO;
	close(fd);
	return err_set(e, err, "write %s: %s", path, strerror(err));
}

/* dd-style writer: the page cache it dirties is charged to its group and
 * written back whenever the kernel decides (no fsync). */
static int pagecache_write(const struct wl_opts *o, struct wl_ctx *c)
{
	uint64_t t0, done = 0, pass_bytes = o->size, total = o->size * o->passes;
	char *buf = aligned_alloc(4096, (o->block + 4095) / 4096 * 4096);
	int fd;

	if (!buf)
		return wl_fail(c, ENOMEM, "no memory for a %llu-byte buffer",
			       (unsigned long long)o->block);
	memset(buf, 0x5a, o->block);
	fd = open(o->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		int err = errno;
		free(buf);
		return wl_fail(c, err, "open %s: %s", o->path, strerror(err));
	}
	atomic_store(&c->sh->phase, WL_RUNNING);
	t0 = now_ns();
	while (done < total && !c->stop) {
		uint64_t off = done % pass_bytes, n = o->block;
		uint64_t t1 = now_ns();
		ssize_t w;
		if (n > pass_bytes - off)
			n = pass_bytes - off;
		w = pwrite(fd, buf, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = w < 0 ? errno : EIO;
			close(fd);
			free(buf);
			return wl_fail(c, err, "write %s after %llu bytes: %s", o->path,
				       (unsigned long long)done, strerror(err));
		}
		done += (uint64_t)w;
		if (wl_step_done(c, o, t0, t1, done))
			break;
	}
	close(fd);
	free(buf);
	{
		uint64_t dt = now_ns() - t0;
		atomic_store(&c->sh->rate_bps, dt ? (uint64_t)((double)done * 1e9 / (double)dt) : 0);
	}
	wl_say(c, "wrote %llu bytes to %s", (unsigned long long)done, o->path);
	if (o->hold && !c->stop)
		wl_hold(c);
	atomic_store(&c->sh->phase, WL_DONE);
	return 0;
}

static int pagecache_run(const struct wl_opts *o, struct wl_ctx *c)
{
	uint64_t t0, done = 0, file_size, total_ns = 0;
	struct mlab_err e;
	struct stat st;
	int fd, created;
	char *buf;

	if (o->write)
		return pagecache_write(o, c);
	if (o->size && wl_pagecache_prepare(o->path, o->size, o->data, &created, &e))
		return wl_fail(c, EIO, "%s", e.msg);
	buf = aligned_alloc(4096, (o->block + 4095) / 4096 * 4096);
	if (!buf)
		return wl_fail(c, ENOMEM, "no memory for a %llu-byte buffer",
			       (unsigned long long)o->block);
	fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		free(buf);
		return wl_fail(c, err, "open %s: %s", o->path, strerror(err));
	}
	file_size = (uint64_t)st.st_size;
	atomic_store(&c->sh->phase, WL_RUNNING);
	t0 = now_ns();
	for (uint64_t pass = 0; pass < o->passes && !c->stop; pass++) {
		uint64_t tp = now_ns();
		if (o->drop)
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (lseek(fd, 0, SEEK_SET) < 0)
			break; /* a regular file always seeks; the exit frees all */
		tp = now_ns();
		for (;;) {
			uint64_t t1 = now_ns();
			ssize_t n = read(fd, buf, o->block);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return wl_fail(c, errno, "read %s after %llu bytes: %s", o->path,
					       (unsigned long long)done, strerror(errno));
			if (!n)
				break;
			done += (uint64_t)n;
			if (wl_step_done(c, o, t0, t1, done))
				break;
		}
		total_ns += now_ns() - tp;
	}
	close(fd);
	free(buf);
	atomic_store(&c->sh->rate_bps,
		     total_ns ? (uint64_t)((double)done * 1e9 / (double)total_ns) : 0);
	wl_say(c, "read %llu bytes of %s (%llu bytes) at %.1f MB/s", (unsigned long long)done,
	       o->path, (unsigned long long)file_size,
	       total_ns ? (double)done / 1e6 / ((double)total_ns / 1e9) : 0.0);
	if (o->hold && !c->stop)
		wl_hold(c);
	atomic_store(&c->sh->phase, WL_DONE);
	return 0;
}

/* The file to read: a scratch file of the run's, or the one given (the
 * run's if it makes it). Filled here, by the harness outside every group,
 * so that the reader in its group is the first to touch its pages. */
static int pagecache_prepare(struct wl_opts *o, struct run *r, const char *id,
			     struct mlab_err *e)
{
	int created, ret;

	if (!o->path[0])
		ret = run_scratch_file(r, id, o->path, sizeof(o->path), e);
	else
		ret = run_new_file(r, o->path, e);
	if (!ret && o->size && !o->write) {
		ret = wl_pagecache_prepare(o->path, o->size, o->data, &created, e);
		o->size = 0; /* made: the reader reads it whole, and makes nothing */
	}
	return ret;
}

const struct wl_def wl_pagecache = {
	.name = "pagecache",
	.summary = "Read --file with read() in --block units into a page-aligned buffer, at\n"
		   "--rate, for --passes passes, and report bytes per second. With --size the\n"
		   "file is created (or extended) first and dropped from the cache. With --write\n"
		   "it writes --size bytes instead, leaving dirty page cache (dd-style writer).",
	.opts = pagecache_opts,
	.check = pagecache_check,
	.run = pagecache_run,
	.need = pagecache_need,
	.prepare = pagecache_prepare,
};
