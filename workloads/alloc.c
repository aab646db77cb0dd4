/* alloc: malloc + touch in steps at a set rate, like the blog's 1 MB/s
 * program. By hand it prints "<N>M memory allocated" for every whole MB. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
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

static int alloc_run(const struct wl_opts *o, struct wl_ctx *c)
{
	uint64_t t0 = now_ns(), done = 0, said_mb = 0;

	atomic_store(&c->sh->phase, WL_RUNNING);
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
