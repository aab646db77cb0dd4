/* tmpfs: write a file of --size at --rate into a tmpfs. Its pages are
 * shmem: charged as cache, never reclaimed while the file exists. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

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
	return 0;
}

static uint64_t tmpfs_need(const struct wl_opts *o)
{
	return o->size;
}

static int tmpfs_run(const struct wl_opts *o, struct wl_ctx *c)
{
	static char chunk[64 * 1024]; /* small: the file's pages are what we measure */
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	uint64_t t0, done = 0;
	struct statfs sfs;
	int fd, ret = 0;

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

	memset(chunk, 0x5a, sizeof(chunk));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return wl_fail(c, errno, "create %s: %s", path, strerror(errno));
	wl_say(c, "writing %s", path);
	atomic_store(&c->sh->phase, WL_RUNNING);
	t0 = now_ns();
	while (done < o->size && !ret) {
		uint64_t step = o->size - done < o->step ? o->size - done : o->step;
		uint64_t t1 = now_ns(), left = step;
		while (left) {
			size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
			ssize_t w = write(fd, chunk, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				int err = w < 0 ? errno : EIO;
				ret = wl_fail(c, err, "write %s after %llu bytes: %s", path,
					      (unsigned long long)(done + step - left),
					      strerror(err));
				atomic_store(&c->sh->bytes, done + step - left);
				break;
			}
			left -= (uint64_t)w;
		}
		if (ret)
			break;
		lat_record(&c->sh->lat, now_ns() - t1);
		done += step;
		atomic_store(&c->sh->bytes, done);
		atomic_fetch_add(&c->sh->steps, 1);
		if (o->rate ? wl_pace(c, wl_step_deadline(t0, done, o->rate)) : wl_told(c))
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
	if (!ret)
		atomic_store(&c->sh->phase, WL_DONE);
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
};
