/* threads: start --count threads that wait until told. Each has a kernel
 * stack (16K on x86-64) charged to the group as kernel_stack. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wl.h"

#define OPT(f) offsetof(struct wl_opts, f)

static const struct wl_opt threads_opts[] = {
    {"count", WL_UINT, OPT(count), "100", "threads to start"},
    {"hold", WL_FLAG, OPT(hold), NULL, "once all are running, stay until told"},
    {"quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines"},
    {NULL},
};

static int threads_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->count || o->count > 4096)
		return err_set(e, EINVAL, "--count must be 1 to 4096");
	return 0;
}

static uint64_t threads_need(const struct wl_opts *o)
{
	return o->count * 80 * 1024; /* kernel stack, a little user stack, bookkeeping */
}

static int release[2] = {-1, -1}; /* the threads wait for this pipe to close */

static void *waiter(void *arg)
{
	char b;

	(void)arg;
	while (read(release[0], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int threads_run(const struct wl_opts *o, struct wl_ctx *c)
{
	pthread_t *tids = calloc(o->count, sizeof(*tids));
	pthread_attr_t attr;
	uint64_t n = 0;
	int ret = 0;

	if (!tids || pipe(release))
		return wl_fail(c, ENOMEM, "no memory for %llu threads",
			       (unsigned long long)o->count);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	atomic_store(&c->sh->phase, WL_RUNNING);
	for (; n < o->count && !wl_told(c); n++) {
		uint64_t t1 = now_ns();
		ret = pthread_create(&tids[n], &attr, waiter, NULL);
		if (ret)
			break;
		wl_step_record(c, t1, n + 1);
	}
	if (!ret) {
		wl_say(c, "%llu threads", (unsigned long long)n);
		if (o->hold && !c->stop)
			wl_hold(c);
	}
	close(release[1]); /* every waiter's read returns 0 */
	for (uint64_t i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	if (ret)
		return wl_fail(c, ret, "pthread_create after %llu threads: %s",
			       (unsigned long long)n, strerror(ret));
	atomic_store(&c->sh->phase, WL_DONE);
	return 0;
}

const struct wl_def wl_threads = {
    .name = "threads",
    .summary = "Start --count threads that wait until told: each kernel stack is charged\n"
	       "to the group (kernel_stack).",
    .opts = threads_opts,
    .check = threads_check,
    .run = threads_run,
    .need = threads_need,
};
