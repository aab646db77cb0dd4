/* alloc: malloc + touch in steps at a set rate, like the blog's 1 MB/s
 * program. By hand it prints "<N>M memory allocated" for every whole MB. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wl.h"

#define OPT(f) offsetof(struct wl_opts, f)

static const struct wl_opt alloc_opts[] = {
	{ "size", WL_SIZE, OPT(size), NULL, "stop after this much (default: forever)" },
	{ "step", WL_SIZE, OPT(step), "1M", "bytes per malloc + touch" },
	{ "rate", WL_RATE, OPT(rate), "1M", "bytes per second, or max" },
	{ "hold", WL_FLAG, OPT(hold), NULL, "after --size, hold the memory until told" },
	{ "thp", WL_FLAG, OPT(thp), NULL, "allow transparent huge pages (default: MADV_NOHUGEPAGE)" },
	{ "populate", WL_FLAG, OPT(populate), NULL,
	  "all of --size in one madvise(MADV_POPULATE_WRITE): one system call charges it all" },
	{ "oom_exempt", WL_FLAG, OPT(oom_exempt), NULL,
	  "oom_score_adj -1000: the OOM killer passes it over (memory.oom.group too)" },
	{ "quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines" },
	{ NULL },
};

static int alloc_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->step)
		return err_set(e, EINVAL, "--step must be at least 1 byte");
	if (o->size && o->size < o->step)
		return err_set(e, EINVAL, "--size is smaller than one --step");
	if (o->populate && !o->size)
		return err_set(e, EINVAL, "--populate needs --size");
	return 0;
}

static uint64_t alloc_need(const struct wl_opts *o)
{
	return o->size;
}

/* Only whole pages inside [p, p+len) can be advised. */
static void no_huge_pages(void *p, size_t len)
{
	uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + ps - 1) & ~(ps - 1);
	uintptr_t b = ((uintptr_t)p + len) & ~(ps - 1);

	if (b > a)
		madvise((void *)a, b - a, MADV_NOHUGEPAGE);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* --populate: the whole size in one system call, so that every page is
 * charged inside the kernel with no return to user space in between (where
 * memory.high is otherwise enforced). One step. */
static int alloc_populate(const struct wl_opts *o, struct wl_ctx *c)
{
	uint64_t t1 = now_ns();
	void *p = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return wl_fail(c, errno, "mmap(%llu): %s", (unsigned long long)o->size,
			       strerror(errno));
	if (!o->thp)
		madvise(p, o->size, MADV_NOHUGEPAGE);
	if (madvise(p, o->size, MADV_POPULATE_WRITE))
		return wl_fail(c, errno, "madvise(MADV_POPULATE_WRITE): %s%s", strerror(errno),
			       errno == EINVAL ? " (kernels before 5.14 lack it)" : "");
	wl_step_record(c, t1, o->size);
	wl_say(c, "%lluM memory allocated", (unsigned long long)(o->size / MIB));
	return 0;
}

static int alloc_run(const struct wl_opts *o, struct wl_ctx *c)
{
	uint64_t t0 = now_ns(), done = 0, said_mb = 0;

	atomic_store(&c->sh->phase, WL_RUNNING);
	if (o->populate) {
		int ret = alloc_populate(o, c);
		if (ret)
			return ret;
		done = o->size;
	}
	while (!o->size || done < o->size) {
		size_t step = o->size && o->size - done < o->step ? o->size - done : o->step;
		uint64_t t1;
		char *p;

		t1 = now_ns();
		p = malloc(step);
		if (!p)
			return wl_fail(c, ENOMEM, "malloc(%zu) failed after %llu bytes", step,
				       (unsigned long long)done);
		if (!o->thp)
			no_huge_pages(p, step);
		wl_touch(p, step);
		done += step;
		wl_step_record(c, t1, done);
		if (done / MIB > said_mb) {
			said_mb = done / MIB;
			wl_say(c, "%lluM memory allocated", (unsigned long long)said_mb);
		}
		if (wl_step_pace(c, o, t0, done))
			break;
	}
	if (o->hold && !c->stop)
		wl_hold(c);
	atomic_store(&c->sh->phase, WL_DONE);
	return 0; /* exit frees everything */
}

const struct wl_def wl_alloc = {
	.name = "alloc",
	.summary = "malloc + touch in --step pieces at --rate, up to --size (or forever), then\n"
		   "hold or exit. Prints \"<N>M memory allocated\" for every whole MB.",
	.opts = alloc_opts,
	.check = alloc_check,
	.run = alloc_run,
	.need = alloc_need,
};
