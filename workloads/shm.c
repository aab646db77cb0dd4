/* shm: a SysV shared memory segment of --size, attached, touched, detached.
 * The segment outlives the process unless --remove (IPC_RMID) is given; its
 * id is reported so that whoever started it can remove it. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "run.h"
#include "wl.h"

#define OPT(f) offsetof(struct wl_opts, f)

static const struct wl_opt shm_opts[] = {
	{ "size", WL_SIZE, OPT(size), NULL, "segment size (required)" },
	{ "step", WL_SIZE, OPT(step), "1M", "bytes touched per step" },
	{ "rate", WL_RATE, OPT(rate), "max", "bytes per second, or max" },
	{ "key", WL_UINT, OPT(key), NULL, "SysV key (default IPC_PRIVATE)" },
	{ "hold", WL_FLAG, OPT(hold), NULL, "stay attached after touching until told" },
	{ "remove", WL_FLAG, OPT(remove), NULL, "IPC_RMID the segment before exiting" },
	{ "quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines" },
	{ NULL },
};

static int shm_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->size)
		return err_set(e, EINVAL, "--size is required");
	if (!o->step)
		return err_set(e, EINVAL, "--step must be at least 1 byte");
	return 0;
}

static uint64_t shm_need(const struct wl_opts *o)
{
	return o->size;
}

static int shm_run(const struct wl_opts *o, struct wl_ctx *c)
{
	key_t key = o->key ? (key_t)o->key : IPC_PRIVATE;
	uint64_t t0, done = 0;
	char *p;
	int id;

	id = shmget(key, o->size, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return wl_fail(c, errno, "shmget(%zu bytes): %s", (size_t)o->size, strerror(errno));
	atomic_store(&c->sh->shm_id, id);
	wl_say(c, "shm id %d", id);
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		int err = errno;
		if (o->remove)
			shmctl(id, IPC_RMID, NULL);
		return wl_fail(c, err, "shmat(%d): %s", id, strerror(err));
	}
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
	wl_say(c, "touched %llu bytes of shm id %d", (unsigned long long)done, id);
	if (o->hold && !c->stop)
		wl_hold(c);
	shmdt(p);
	if (o->remove)
		shmctl(id, IPC_RMID, NULL);
	else
		wl_say(c, "shm id %d stays (ipcrm -m %d removes it)", id, id);
	atomic_store(&c->sh->phase, WL_DONE);
	return 0;
}

/* a fresh key, recorded before the segment exists */
static int shm_prepare(struct wl_opts *o, struct run *r, const char *id, struct mlab_err *e)
{
	(void)id;
	return o->key ? 0 : run_shm_key(r, &o->key, e);
}

const struct wl_def wl_shm = {
	.name = "shm",
	.summary = "shmget a SysV segment of --size, attach, touch, detach. The segment stays\n"
		   "after exit (its id is printed) unless --remove asks for IPC_RMID.",
	.opts = shm_opts,
	.check = shm_check,
	.run = shm_run,
	.need = shm_need,
	.prepare = shm_prepare,
};
