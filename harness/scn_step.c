/* The scenario engine's steps: what each step of SCN_STEPS (scn_lang.h)
 * does, one function a row. The loop that runs them, pump() and the
 * records are in scn_run.c; conditions are evaluated in scn_cond.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "cg.h"
#include "ev.h"
#include "run.h"
#include "scn_eng.h"
#include "scn_events.h"
#include "wl_proc.h"

/* v2 protection (memory.low, memory.min) only reaches as far as every
 * ancestor's allows: open it up on the two groups above the scenario's,
 * the run's own and memcg-lab's, so that what the scenario sets is what
 * the group gets. Both are memcg-lab's; nothing above is touched. */
static int open_protection(struct eng *g, const char *key, struct mlab_err *e)
{
	const char *file = !strcmp(key, "low") || !strcmp(key, "memory.low")   ? "memory.low"
			   : !strcmp(key, "min") || !strcmp(key, "memory.min") ? "memory.min"
									       : NULL;
	struct cg top = g->run.base;
	char *slash;

	if (!file || g->run.root.ver != CG_V2)
		return 0;
	slash = strrchr(top.path, '/');
	if (slash)
		*slash = 0;
	if (cg_write_raw(&top, file, "max", e) || cg_write_raw(&g->run.base, file, "max", e))
		return -EIO;
	return 0;
}

static int do_settings(struct eng *g, struct eng_group *x, const struct scn_step *st,
		       struct mlab_err *e)
{
	const struct scn_settings *set = &st->set.settings;

	for (int i = 0; i < set->n; i++) {
		int ret = open_protection(g, set->kv[i].key, e);
		if (!ret)
			ret = cg_set(&x->cg, set->kv[i].key, set->kv[i].val, e);
		if (ret)
			return eng_step_error(g, st, e);
	}
	return 0;
}

static int r_start(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	const struct scn_settings *opts = &st->start.opts;
	struct eng_wl *w = &g->w[g->nw];
	int ret;

	memset(w, 0, sizeof(*w));
	snprintf(w->id, sizeof(w->id), "%s", st->start.id);
	w->def = wl_find(st->start.workload);
	w->group = eng_group_index(g, st->start.group);
	wl_defaults(w->def, &w->o, e);
	for (int i = 0; i < opts->n; i++) {
		const char *v = opts->kv[i].val;
		if (!strcmp(opts->kv[i].key, "file") && v[0] == '@')
			v = eng_wl(g, v + 1)->o.path; /* checked by the parser */
		wl_set_opt(w->def, &w->o, opts->kv[i].key, v, e);
	}
	w->o.quiet = true;

	/* resources the workload will make, recorded before it makes them */
	ret = w->def->prepare ? w->def->prepare(&w->o, &g->run, w->id, e) : 0;
	if (!ret)
		ret = wl_start(&w->p, w->def, &w->o, &g->g[w->group].cg, -1, e);
	if (ret)
		return eng_step_error(g, st, e);
	w->started = 1;
	g->nw++;
	eng_event(g, st->start.group, "start", 1, 0, 0);
	return 0;
}

/* Wait for the step's condition to its timeout: 1 it held (after *@took
 * ns), 0 it did not (the failed expectation is recorded and the scenario
 * stops), or -errno. */
static int wait_until(struct eng *g, const struct scn_step *st, uint64_t *took, struct mlab_err *e)
{
	uint64_t start = now_ns(), deadline = start + st->timeout_ns;
	char obs[256];
	int ret, settled;

	for (;;) {
		ret = scn_cond_eval(g, &st->check.cond, obs, sizeof(obs), &settled, e);
		*took = now_ns() - start;
		if (ret == 1)
			return 1;
		if (ret < 0 && ret != -ESRCH && ret != -ENOENT)
			return eng_step_error(g, st, e);
		if (settled || now_ns() >= deadline) {
			char msg[300];
			if (settled)
				snprintf(msg, sizeof(msg), "can no longer hold (after %.1f s): %s",
					 (double)(now_ns() - start) / 1e9, obs);
			else
				snprintf(msg, sizeof(msg), "timed out after %.1f s: %s",
					 (double)st->timeout_ns / 1e9, obs);
			eng_expectation(g, st, 0, msg);
			g->aborted = 1;
			return 0;
		}
		if (run_interrupted)
			return err_set(e, EINTR, "interrupted");
		eng_pump(g, now_ns() + CHECK_NS < deadline ? now_ns() + CHECK_NS : deadline);
	}
}

static int r_wait(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	uint64_t took;
	int ret = wait_until(g, st, &took, e);

	return ret < 0 ? ret : 0;
}

/* Set $@name to @v (save, measure). */
static int set_var(struct eng *g, const char *name, uint64_t v, struct mlab_err *e)
{
	for (int i = 0; i < g->nvars; i++)
		if (!strcmp(g->vars[i].name, name)) {
			g->vars[i].v = v;
			return 0;
		}
	if (g->nvars == MAX_VARS)
		return err_set(e, ENOSPC, "too many saved values");
	snprintf(g->vars[g->nvars].name, SCN_NAME, "%s", name);
	g->vars[g->nvars++].v = v;
	return 0;
}

/* measure NAME CONDITION: how long until it holds, as a figure (ms) and as
 * $NAME (ns) */
static int r_measure(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct res_figure *f;
	uint64_t took;
	int ret = wait_until(g, st, &took, e);

	if (ret <= 0)
		return ret;
	f = res_add_figure(g->res);
	if (f) {
		snprintf(f->name, sizeof(f->name), "%s", st->check.name);
		f->value = (double)took / 1e6;
		snprintf(f->unit, sizeof(f->unit), "ms");
		f->line = st->line;
	}
	return set_var(g, st->check.name, took, e) ? eng_step_error(g, st, e) : 0;
}

static int is_event_cond(const struct scn_cond *c)
{
	return c->kind == SK_EVENT_COUNT || c->kind == SK_EVENT_BEFORE ||
	       c->kind == SK_EVENT_WITHIN;
}

/* How long a verdict may wait for what is still in flight: a notification
 * (event conditions: their settle time) or memory.stat, which the kernel
 * folds in lazily (comparisons that read it: STAT_SETTLE_NS); 0: judged as
 * it is now. */
static uint64_t settle_time(struct eng *g, const struct scn_step *st)
{
	const struct scn_cond *c = &st->check.cond;

	if (is_event_cond(c))
		return st->settle_ns ? st->settle_ns : scn_event_settle_ns(c->event.kind);
	if (c->kind == SK_COMPARE && scn_cond_reads_stat(g, c))
		return STAT_SETTLE_NS;
	return 0;
}

/* An expectation's verdict. Most conditions are judged as they are now.
 * One on events waits until it is settled (a notification may still be in
 * flight) or its deadline: `within D of ID end` at the end + D, the others
 * after their settle time (settle=, or the kind's default). A comparison
 * that reads memory.stat is polled until it holds or STAT_SETTLE_NS. */
static int judge(struct eng *g, const struct scn_step *st, char *obs, size_t len,
		 struct mlab_err *e)
{
	const struct scn_cond *c = &st->check.cond;
	uint64_t deadline = now_ns() + settle_time(g, st);
	int ret, settled;

	for (;;) {
		ret = scn_cond_eval(g, c, obs, len, &settled, e);
		if (ret < 0 || settled || run_interrupted || (c->kind == SK_COMPARE && ret == 1))
			return ret;
		/* `within D of ID end` has its own deadline, the end + D, where
		 * it is settled either way; the others end at their settle time */
		if (c->kind != SK_EVENT_WITHIN && now_ns() >= deadline)
			return ret;
		eng_pump(g, c->kind == SK_EVENT_WITHIN || now_ns() + CHECK_NS < deadline
				? now_ns() + CHECK_NS
				: deadline);
	}
}

/* --- the steps: one function each, in a table by step ----------------------------- */

static int r_group(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x;
	char rel[PATH_MAX];

	x = &g->g[g->ng];
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", st->set.group);
	snprintf(rel, sizeof(rel), "%s", st->set.group);
	if (run_group(&g->run, rel, &x->cg, e))
		return eng_step_error(g, st, e);
	x->alive = 1;
	g->ng++;
	snprintf(g->res->groups[g->res->ngroups++], sizeof(g->res->groups[0]), "%s", st->set.group);
	return do_settings(g, x, st, e);
}

static int r_set(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->set.group);

	return do_settings(g, x, st, e);
}

static int r_write(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->write.group);
	char obs[256];
	int ret;

	ret = cg_write_raw(&x->cg, st->write.file, st->write.value, e);
	if (!st->write.fails_with) {
		if (ret)
			return eng_step_error(g, st, e);
		return 0;
	}
	snprintf(obs, sizeof(obs), "%s", ret ? scn_errno_name(-ret) : "the write succeeded");
	eng_expectation(g, st, ret == -st->write.fails_with, obs);
	return 0;
}

static int r_try(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->write.group);
	int ret;

	ret = cg_write_raw(&x->cg, st->write.file, st->write.value, e);
	g->last_errno = ret < 0 ? -ret : 0;
	g->tried = 1;
	return 0;
}

static int r_rmdir(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->group_op.group);

	if (cg_destroy(&x->cg, e))
		return eng_step_error(g, st, e);
	x->alive = 0;
	return 0;
}

static int r_reclaim(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->group_op.group);
	int ret;

	if (g->run.root.ver == CG_V1) {
		ret = cg_write_raw(&x->cg, "memory.force_empty", "0", e);
	} else {
		uint64_t usage = 0;
		char v[32];
		cg_get(&x->cg, "usage", &usage, e);
		snprintf(v, sizeof(v), "%llu", (unsigned long long)usage + 1 * MIB);
		ret = cg_write_raw(&x->cg, "memory.reclaim", v, e);
		if (ret == -EAGAIN) /* could not reclaim all it was asked: fine */
			ret = 0;
	}
	return ret ? eng_step_error(g, st, e) : 0;
}

/* open NAME GROUP FILE: kept open read-write until the scenario ends; the
 * outcome is judged like a try's (errno ...) */
static int r_open(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->open.group);
	char path[PATH_MAX + SCN_TOK + 2];
	int fd;

	(void)e;
	snprintf(path, sizeof(path), "%s/%s", x->cg.path, st->open.file);
	fd = open(path, O_RDWR | O_CLOEXEC);
	/* as a try's: a file this kernel does not have is EOPNOTSUPP */
	g->last_errno = fd >= 0 ? 0 : errno == ENOENT ? EOPNOTSUPP : errno;
	g->tried = 1;
	snprintf(g->opens[g->nopens].name, SCN_NAME, "%s", st->open.name);
	g->opens[g->nopens++].fd = fd;
	return 0;
}

/* fwrite NAME VALUE: one write through the open file; errno as a try's */
static int r_fwrite(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	int fd = eng_open_fd(g, st->open.name);
	size_t len = strlen(st->open.value);

	(void)e;
	if (fd < 0)
		g->last_errno = EBADF;
	else
		g->last_errno = pwrite(fd, st->open.value, len, 0) == (ssize_t)len ? 0 : errno;
	g->tried = 1;
	return 0;
}

static int r_drop_caches(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	char v[4];
	int ret;

	snprintf(v, sizeof(v), "%d", st->drop_caches.mode);
	sync();
	ret = write_file("/proc/sys/vm/drop_caches", v);
	if (ret) {
		err_set(e, -ret, "write /proc/sys/vm/drop_caches: %s", strerror(-ret));
		return eng_step_error(g, st, e);
	}
	return 0;
}

static int r_stop(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->wl_op.id);

	wl_signal(&w->p, SIGUSR1);
	if (wl_wait_end(&w->p, st->timeout_ns, e))
		return eng_step_error(g, st, e);
	eng_note_ends(g);
	return 0;
}

static int r_signal(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->signal.id);
	int ret;

	ret = wl_signal(&w->p, st->signal.signo);
	if (ret && ret != -ESRCH) {
		err_set(e, -ret, "signal: %s", strerror(-ret));
		return eng_step_error(g, st, e);
	}
	return 0;
}

static int r_kill(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->group_op.group);

	if (cg_kill_all(&x->cg, e) || cg_wait_empty(&x->cg, 10 * 1000000000ULL, e))
		return eng_step_error(g, st, e);
	eng_note_ends(g);
	return 0;
}

static int r_move(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->move.id);

	if (cg_attach(&eng_group(g, st->move.to)->cg, w->p.pid, e))
		return eng_step_error(g, st, e);
	return 0;
}

static int r_rm(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->wl_op.id);

	if (unlink(w->o.path) && errno != ENOENT) {
		err_set(e, errno, "rm %s: %s", w->o.path, strerror(errno));
		return eng_step_error(g, st, e);
	}
	return 0;
}

static int r_rmid(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->wl_op.id);

	int id = shmget((key_t)w->o.key, 0, 0);
	if (id < 0 || shmctl(id, IPC_RMID, NULL)) {
		err_set(e, errno, "IPC_RMID key %#llx: %s", (unsigned long long)w->o.key,
			strerror(errno));
		return eng_step_error(g, st, e);
	}
	return 0;
}

static int r_watch(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->watch.group);
	int ret;

	int gi = (int)(x - g->g);
	if (!strcmp(st->watch.kind, "oom"))
		ret = ev_watch_oom(&g->ev, &x->cg, gi, e);
	else if (!strcmp(st->watch.kind, "threshold"))
		ret = ev_watch_threshold(&g->ev, &x->cg, gi, st->watch.threshold, e);
	else
		ret = ev_watch_pressure(&g->ev, &x->cg, gi, st->watch.level, e);
	return ret ? eng_step_error(g, st, e) : 0;
}

static int r_sleep(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	uint64_t until = now_ns() + st->sleep.ns;
	while (now_ns() < until && !run_interrupted)
		eng_pump(g, until);
	return run_interrupted ? err_set(e, EINTR, "interrupted") : 0;
}

static int r_save(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	uint64_t v;

	if (scn_expr_value(g, &st->save.expr, &v, e) || set_var(g, st->save.name, v, e))
		return eng_step_error(g, st, e);
	return 0;
}

static int r_pick(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	char obs[256];
	int ret;
	int settled;

	if (g->variant >= 0)
		return 0; /* the first matching pick decides */
	ret = scn_cond_eval(g, &st->check.cond, obs, sizeof(obs), &settled, e);
	if (ret < 0)
		return eng_step_error(g, st, e);
	if (ret == 0)
		snprintf(g->last_pick, sizeof(g->last_pick), "line %d saw %.160s", st->line, obs);
	if (ret == 1) {
		for (int i = 0; i < g->s->nvariants; i++)
			if (!strcmp(g->s->variants[i].name, st->check.name))
				g->variant = i;
		snprintf(g->res->variant, sizeof(g->res->variant), "%s", st->check.name);
		snprintf(g->res->variant_doc, sizeof(g->res->variant_doc), "%s",
			 g->s->variants[g->variant].doc);
		if (g->s->variants[g->variant].skip) {
			snprintf(g->res->reason, sizeof(g->res->reason), "%s (checked: %s)",
				 g->s->variants[g->variant].doc, obs);
			g->skipped = 1;
		}
	}
	return 0;
}

static int r_expect(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	char obs[256];
	int ret;

	ret = judge(g, st, obs, sizeof(obs), e);
	if (ret < 0 && ret != -ESRCH && ret != -ENOENT)
		return eng_step_error(g, st, e);
	eng_expectation(g, st, ret == 1, obs);
	return 0;
}

typedef int step_run_fn(struct eng *g, const struct scn_step *st, struct mlab_err *e);

static step_run_fn *const step_run[] = {
#define STEP_RUN(OP, word, min, max, opts, usage, parse, run) [SO_##OP] = run,
    SCN_STEPS(STEP_RUN)
#undef STEP_RUN
};

int scn_step_run(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	return step_run[st->op](g, st, e);
}
