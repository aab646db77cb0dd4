/* forker: keeps --procs short-lived children alive, replacing each as it
 * exits, so the group always has tasks being born (cgroup.kill must end
 * the ones forked while it runs). Each child touches --size / --procs of
 * memory, then exits after a moment. Steps count the forks. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

#define OPT(f)	      offsetof(struct wl_opts, f)
#define CHILD_LIFE_NS 20000000ULL /* each child lives about 20 ms */

static const struct wl_opt forker_opts[] = {
    {"procs", WL_UINT, OPT(procs), "8", "children alive at once"},
    {"size", WL_SIZE, OPT(size), "0", "memory the children touch, all together"},
    {"quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines"},
    {NULL},
};

static int forker_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->procs || o->procs > 256)
		return err_set(e, EINVAL, "--procs must be 1 to 256");
	return 0;
}

static uint64_t forker_need(const struct wl_opts *o)
{
	return o->size + o->procs * 2 * MIB; /* each child's own pages, roughly */
}

static void __attribute__((noreturn)) child(size_t touch)
{
	char *p = touch ? malloc(touch) : NULL;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (p)
		wl_touch(p, touch);
	wl_pace(&(struct wl_ctx){.out_fd = -1}, now_ns() + CHILD_LIFE_NS);
	_exit(0);
}

/* The children alive, by slot (0 = free). */
struct brood {
	pid_t pid[256];
	uint64_t alive;
};

/* Reap the children that have exited; how many were. */
static int reap(struct brood *b)
{
	pid_t pid;
	int n = 0;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
		for (size_t i = 0; i < 256; i++)
			if (b->pid[i] == pid) {
				b->pid[i] = 0;
				b->alive--;
			}
		n++;
	}
	return n;
}

static int spawn(struct brood *b, size_t touch)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		child(touch);
	for (size_t i = 0; i < 256; i++)
		if (!b->pid[i]) {
			b->pid[i] = pid;
			break;
		}
	b->alive++;
	return 0;
}

static int forker_run(const struct wl_opts *o, struct wl_ctx *c)
{
	struct brood b = {.alive = 0};
	size_t touch = (size_t)(o->size / o->procs);
	uint64_t forks = 0;
	int ret = 0;

	atomic_store(&c->sh->phase, WL_RUNNING);
	while (!wl_told(c)) {
		uint64_t t1 = now_ns();
		/* all alive, or at a limit: wait for one to exit, listening for
		 * the stop signal meanwhile (a child may hang at a v1 limit) */
		if (b.alive == o->procs) {
			if (!reap(&b))
				wl_pace(c, now_ns() + 1000000ULL);
			continue;
		}
		ret = spawn(&b, touch);
		if (ret == -EAGAIN || ret == -ENOMEM) {
			if (!reap(&b))
				wl_pace(c, now_ns() + 1000000ULL);
			ret = 0;
			continue;
		}
		if (ret)
			break;
		forks++;
		wl_step_record(c, t1, forks * touch);
		reap(&b);
	}
	/* told to stop (or failed): the children end with it */
	for (size_t i = 0; i < 256; i++)
		if (b.pid[i])
			kill(b.pid[i], SIGKILL);
	/* a killed child that cannot die now (paused at a v1 limit) is left to
	 * the harness, which empties the group */
	for (uint64_t until = now_ns() + 2000000000ULL; b.alive && now_ns() < until;)
		if (!reap(&b))
			nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	if (ret)
		return wl_fail(c, -ret, "fork: %s", strerror(-ret));
	atomic_store(&c->sh->phase, WL_DONE);
	return 0;
}

const struct wl_def wl_forker = {
    .name = "forker",
    .summary = "Keep --procs short-lived children alive, forking a new one as each "
	       "exits, until told to stop.",
    .opts = forker_opts,
    .check = forker_check,
    .run = forker_run,
    .need = forker_need,
};
