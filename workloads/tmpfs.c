/* tmpfs: write a file of --size at --rate into a tmpfs. Its pages are
 * shmem: charged as cache, never reclaimed while the file exists. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "run.h"
#include "wl.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

#define OPT(f) offsetof(struct wl_opts, f)

static const struct wl_opt tmpfs_opts[] = {
	{ "size", WL_SIZE, OPT(size), NULL, "bytes to write (required)" },
	{ "step", WL_SIZE, OPT(step), "1M", "bytes per write step" },
	{ "rate", WL_RATE, OPT(rate), "max", "bytes per second, or max" },
	{ "file", WL_PATH, OPT(path), NULL,
	  "file to create on a tmpfs (default /dev/shm/memcg-lab-tmpfs.PID)" },
	{ "files", WL_UINT, OPT(files), "1",
	  "spread --size over this many files in a directory (needs --private)" },
	{ "private", WL_FLAG, OPT(private_mount), NULL,
	  "write into a private tmpfs that memcg-lab mounts and always unmounts" },
	{ "hold", WL_FLAG, OPT(hold), NULL, "keep running after writing until told" },
	{ "remove", WL_FLAG, OPT(remove), NULL, "delete the file before exiting (default: keep)" },
	{ "quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines" },
	{ NULL },
};

static int tmpfs_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->size)
		return err_set(e, EINVAL, "--size is required");
	if (!o->step)
		return err_set(e, EINVAL, "--step must be at least 1 byte");
	if (!o->files)
		return err_set(e, EINVAL, "--files must be at least 1");
	if (o->files > 1 && !o->private_mount)
		return err_set(e, EINVAL, "--files above 1 needs --private (so that one unmount "
					  "removes them all)");
	return 0;
}

static uint64_t tmpfs_need(const struct wl_opts *o)
{
	return o->size;
}

/* Write @n bytes of the pattern; 0 or -errno. */
static int write_bytes(int fd, uint64_t n)
{
	/* 256K: few system calls per step, still small beside the file pages
	 * the scenarios measure */
	static char chunk[256 * 1024];

	if (chunk[0] != 0x5a)
		memset(chunk, 0x5a, sizeof(chunk));
	while (n) {
		ssize_t w = write(fd, chunk, n < sizeof(chunk) ? n : sizeof(chunk));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		n -= (uint64_t)w;
	}
	return 0;
}

/* --files N: N files of size/N bytes in the directory @path, one step each:
 * many inodes and dentries, the kernel memory E4 looks for. */
static int write_many(const struct wl_opts *o, struct wl_ctx *c, const char *path)
{
	uint64_t each = o->size / o->files, t0 = now_ns(), done = 0, made = 0;
	char name[PATH_MAX + 32];
	int ret = 0;

	if (mkdir(path, 0700))
		return wl_fail(c, errno, "create %s: %s", path, strerror(errno));
	for (uint64_t i = 0; i < o->files && !ret; i++) {
		uint64_t t1 = now_ns(), n = i + 1 == o->files ? o->size - done : each;
		int fd;
		snprintf(name, sizeof(name), "%s/%llu", path, (unsigned long long)i);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			ret = -errno;
		else {
			made++;
			ret = write_bytes(fd, n);
			close(fd);
		}
		if (ret) {
			ret = wl_fail(c, -ret, "write %s after %llu bytes: %s", name,
				      (unsigned long long)done, strerror(-ret));
			break;
		}
		done += n;
		if (wl_step_done(c, o, t0, t1, done))
			break;
	}
	if (!ret && o->hold && !c->stop) {
		wl_say(c, "wrote %llu files in %s", (unsigned long long)made, path);
		wl_hold(c);
	}
	if (o->remove) {
		for (uint64_t i = 0; i < made; i++) {
			snprintf(name, sizeof(name), "%s/%llu", path, (unsigned long long)i);
			unlink(name);
		}
		rmdir(path);
	}
	return ret;
}

static int write_one(const struct wl_opts *o, struct wl_ctx *c, const char *path)
{
	uint64_t t0, done = 0;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return wl_fail(c, errno, "create %s: %s", path, strerror(errno));
	wl_say(c, "writing %s", path);
	t0 = now_ns();
	while (done < o->size) {
		uint64_t step = o->size - done < o->step ? o->size - done : o->step;
		uint64_t t1 = now_ns();
		ret = write_bytes(fd, step);
		if (ret) {
			/* how far the failing step got is in the file's size */
			struct stat st;
			if (!fstat(fd, &st))
				atomic_store(&c->sh->bytes, (uint64_t)st.st_size);
			ret = wl_fail(c, -ret, "write %s after %llu bytes: %s", path,
				      (unsigned long long)atomic_load(&c->sh->bytes), strerror(-ret));
			break;
		}
		done += step;
		if (wl_step_done(c, o, t0, t1, done))
			break;
	}
	close(fd);
	if (!ret) {
		uint64_t dt = now_ns() - t0;
		atomic_store(&c->sh->rate_bps,
			     dt ? (uint64_t)((double)done * 1e9 / (double)dt) : 0);
		wl_say(c, "wrote %llu bytes to %s", (unsigned long long)done, path);
		if (o->hold && !c->stop)
			wl_hold(c);
	}
	if (o->remove)
		unlink(path);
	return ret;
}

static int tmpfs_run(const struct wl_opts *o, struct wl_ctx *c)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	struct statfs sfs;
	int ret;

	if (o->path[0])
		snprintf(path, sizeof(path), "%s", o->path);
	else
		snprintf(path, sizeof(path), "/dev/shm/memcg-lab-tmpfs.%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = 0;
	else if (slash)
		slash[1] = 0;
	if (statfs(slash ? dir : ".", &sfs))
		return wl_fail(c, errno, "%s: %s", dir, strerror(errno));
	if ((unsigned long)sfs.f_type != TMPFS_MAGIC)
		return wl_fail(c, EINVAL, "%s is not on a tmpfs", path);

	atomic_store(&c->sh->phase, WL_RUNNING);
	ret = o->files > 1 ? write_many(o, c, path) : write_one(o, c, path);
	if (!ret)
		atomic_store(&c->sh->phase, WL_DONE);
	return ret;
}

/* a private tmpfs (mounted by the run, always unmounted), or a file of
 * the run's on /dev/shm */
static int tmpfs_prepare(struct wl_opts *o, struct run *r, const char *id, struct mlab_err *e)
{
	char dir[PATH_MAX];
	int ret;

	if (!o->private_mount) {
		if (!o->path[0])
			snprintf(o->path, sizeof(o->path), "/dev/shm/memcg-lab-%s-%s", r->st.run_id,
				 id);
		return run_new_file(r, o->path, e);
	}
	/* every file takes whole pages */
	ret = run_tmpfs(r, o->files * page_round((size_t)(o->size / o->files + 1)), dir,
			sizeof(dir), e);
	if (!ret)
		snprintf(o->path, sizeof(o->path), "%s/%s", dir, id);
	return ret;
}

const struct wl_def wl_tmpfs = {
	.name = "tmpfs",
	.summary = "Write a file of --size into a tmpfs at --rate; keep it (default) or delete it\n"
		   "with --remove. A write the group cannot charge fails with ENOMEM.",
	.opts = tmpfs_opts,
	.check = tmpfs_check,
	.run = tmpfs_run,
	.need = tmpfs_need,
	.prepare = tmpfs_prepare,
};
