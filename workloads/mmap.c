/* mmap: MAP_SHARED memory of --size (anonymous, or a file on a tmpfs),
 * touched and held until told. Shared anonymous memory is shmem too. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "run.h"
#include "wl.h"

#define OPT(f) offsetof(struct wl_opts, f)

static const struct wl_opt mmap_opts[] = {
	{ "size", WL_SIZE, OPT(size), NULL, "mapping size (required)" },
	{ "step", WL_SIZE, OPT(step), "1M", "bytes touched per step" },
	{ "rate", WL_RATE, OPT(rate), "max", "bytes per second, or max" },
	{ "file", WL_PATH, OPT(path), NULL, "map this file (created, sized) instead of anonymous" },
	{ "hold", WL_FLAG, OPT(hold), "yes", "hold the mapping until told (--hold no: exit)" },
	{ "remove", WL_FLAG, OPT(remove), NULL, "delete --file before exiting" },
	{ "quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines" },
	{ NULL },
};

static int mmap_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->size)
		return err_set(e, EINVAL, "--size is required");
	if (!o->step)
		return err_set(e, EINVAL, "--step must be at least 1 byte");
	if (o->remove && !o->path[0])
		return err_set(e, EINVAL, "--remove needs --file");
	return 0;
}

static uint64_t mmap_need(const struct wl_opts *o)
{
	return o->size;
}

static int mmap_run(const struct wl_opts *o, struct wl_ctx *c)
{
	int fd = -1, flags = MAP_SHARED;
	uint64_t t0, done = 0;
	char *p;

	if (o->path[0]) {
		fd = open(o->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return wl_fail(c, errno, "open %s: %s", o->path, strerror(errno));
		if (ftruncate(fd, (off_t)o->size)) {
			int err = errno;
			close(fd);
			return wl_fail(c, err, "size %s: %s", o->path, strerror(err));
		}
	} else {
		flags |= MAP_ANONYMOUS;
	}
	p = mmap(NULL, o->size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return wl_fail(c, errno, "mmap(%zu): %s", (size_t)o->size, strerror(errno));
	atomic_store(&c->sh->phase, WL_RUNNING);
	t0 = now_ns();
	while (done < o->size) {
		uint64_t step = o->size - done < o->step ? o->size - done : o->step;
		uint64_t t1 = now_ns();
		wl_touch(p + done, step);
		done += step;
		if (wl_step_done(c, o, t0, t1, done))
			break;
	}
	wl_say(c, "touched %llu bytes of MAP_SHARED %s", (unsigned long long)done,
	       o->path[0] ? o->path : "anonymous memory");
	if (o->hold && !c->stop)
		wl_hold(c);
	munmap(p, o->size);
	if (o->remove)
		unlink(o->path);
	atomic_store(&c->sh->phase, WL_DONE);
	return 0;
}

/* a --file it will create is the run's to remove */
static int mmap_prepare(struct wl_opts *o, struct run *r, const char *id, struct mlab_err *e)
{
	(void)id;
	return o->path[0] ? run_new_file(r, o->path, e) : 0;
}

const struct wl_def wl_mmap = {
	.name = "mmap",
	.summary = "MAP_SHARED|MAP_ANONYMOUS memory of --size (or MAP_SHARED of --file on a\n"
		   "tmpfs), touched, then held until told.",
	.opts = mmap_opts,
	.check = mmap_check,
	.run = mmap_run,
	.need = mmap_need,
	.prepare = mmap_prepare,
};
