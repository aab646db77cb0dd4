/* The scenario engine. One scenario is one run (run.h): its scratch groups,
 * shm keys, files and mounts are recorded and undone like any run's.
 *
 * Everything that waits goes through pump(): one poll() over the event
 * watches, the kernel log and the workloads' pidfds, woken at least every
 * CHECK_NS to re-check the condition and every sample period to sample the
 * counters. Nothing sleeps blindly; `sleep` is just a wait for the clock. */
#include "scn_eng.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cg.h"
#include "ev.h"
#include "kfact.h"
#include "kmsg.h"
#include "run.h"
#include "scn_events.h"
#include "wl_proc.h"

/* --- lookups ------------------------------------------------------------- */

double eng_since(const struct eng *g)
{
	return (double)(now_ns() - g->t0) / 1e9;
}

/* --- lookups ------------------------------------------------------------- */

struct eng_group *eng_group(struct eng *g, const char *name)
{
	for (int i = 0; i < g->ng; i++)
		if (!strcmp(g->g[i].name, name))
			return &g->g[i];
	return NULL;
}

int eng_group_index(struct eng *g, const char *name)
{
	struct eng_group *x = eng_group(g, name);
	return x ? (int)(x - g->g) : -1;
}

struct eng_wl *eng_wl(struct eng *g, const char *id)
{
	for (int i = 0; i < g->nw; i++)
		if (!strcmp(g->w[i].id, id))
			return &g->w[i];
	return NULL;
}

double eng_at_s(const struct eng *g, uint64_t ns)
{
	return (double)(ns - g->t0) / 1e9;
}

/* --- recording ------------------------------------------------------------- */

/* Record one notification or observation. Every one is an entry of its
 * own (each OOM kill stays attributable), except a burst of pressure
 * notifications (they come hundreds a second, interleaved): one entry
 * with its count and its first and last time. */
static void event(struct eng *g, const char *group, const char *kind, uint64_t count,
		  uint64_t value, int burst)
{
	struct res_event *ev;
	double t = eng_since(g);

	if (burst)
		for (int i = g->res->nevents - 1; i >= 0 && i >= g->res->nevents - 8; i--) {
			struct res_event *x = &g->res->events[i];
			if (t - x->t_last_s >= 0.1)
				break;
			if (!strcmp(x->group, group) && !strcmp(x->kind, kind)) {
				x->count += count;
				x->t_last_s = t;
				return;
			}
		}
	ev = res_add_event(g->res);
	if (!ev)
		return;
	ev->t_s = ev->t_last_s = t;
	snprintf(ev->group, sizeof(ev->group), "%s", group);
	snprintf(ev->kind, sizeof(ev->kind), "%s", kind);
	ev->count = count;
	ev->value = value;
}

static void sample(struct eng *g)
{
	static const char *const names[RES_NCOUNTERS] = {
	    "usage", "limit", "anon", "file", "shmem", "swap", "failcnt", "oom_kill", "under_oom"};
	for (int i = 0; i < g->ng; i++) {
		struct res_sample *sm;
		struct mlab_err e;
		if (!g->g[i].alive)
			continue;
		sm = res_add_sample(g->res);
		if (!sm)
			return;
		sm->t_s = eng_since(g);
		sm->group = i;
		for (int k = 0; k < RES_NCOUNTERS; k++)
			if (cg_get(&g->g[i].cg, names[k], &sm->v[k], &e))
				sm->v[k] = RES_NA;
	}
}

/* Workload ends, and pauses (oom_kill_disable) as they start and stop: a
 * pause can be shorter than a sampling period. */
static void note_ends(struct eng *g)
{
	for (int i = 0; i < g->nw; i++) {
		struct eng_wl *w = &g->w[i];
		if (!w->started || w->end_logged)
			continue;
		if (!wl_poll_end(&w->p)) {
			uint64_t bytes = atomic_load(&w->p.sh->bytes);
			/* resumed means it got further, not that one look missed the
			 * pause (a waiting task is briefly runnable now and then) */
			if (!w->paused && wl_paused(&w->p, NULL, 0) == 1) {
				w->paused = 1;
				w->paused_at = bytes;
				event(g, g->g[w->group].name, "paused", 1, bytes, 0);
			} else if (w->paused && bytes > w->paused_at) {
				w->paused = 0;
				event(g, g->g[w->group].name, "resumed", 1, bytes, 0);
			}
			continue;
		}
		w->end_logged = 1;
		event(g, g->g[w->group].name, w->p.end.exited ? "exit" : "killed", 1,
		      w->p.end.exited ? (uint64_t)w->p.end.code : (uint64_t)w->p.end.signo, 0);
	}
}

/* Wait for anything until @until (CLOCK_MONOTONIC ns), then handle it. */
static void pump(struct eng *g, uint64_t until)
{
	struct pollfd pfd[EV_MAX_WATCHES + 20];
	struct ev_hit hits[32];
	int n, nev, nk = -1;
	uint64_t now = now_ns(), wake = until;

	if (g->next_sample < wake)
		wake = g->next_sample;
	nev = n = ev_pollfds(&g->ev, pfd);
	if (g->have_kmsg) {
		nk = n;
		pfd[n++] = (struct pollfd){.fd = g->km.fd, .events = POLLIN};
	}
	for (int i = 0; i < g->nw; i++)
		if (g->w[i].started && !g->w[i].end_logged && g->w[i].p.pidfd >= 0)
			pfd[n++] = (struct pollfd){.fd = g->w[i].p.pidfd, .events = POLLIN};
	if (wake > now)
		poll(pfd, (nfds_t)n, (int)((wake - now + 999999) / 1000000));
	else
		poll(pfd, (nfds_t)n, 0);

	nev = ev_dispatch(&g->ev, pfd, nev, hits, 32);
	for (int i = 0; i < nev; i++)
		event(g, g->g[hits[i].group].name, hits[i].kind, hits[i].count, hits[i].value,
		      hits[i].burst);
	if (nk >= 0 && pfd[nk].revents) {
		char line[256];
		while (kmsg_next(&g->km, line, sizeof(line)) == 1)
			res_add_kmsg(g->res, line);
	}
	note_ends(g);
	if (now_ns() >= g->next_sample) {
		sample(g);
		g->next_sample = now_ns() + g->sample_ns;
	}
}

void eng_drain_kmsg(struct eng *g)
{
	char line[256];
	if (g->have_kmsg)
		while (kmsg_next(&g->km, line, sizeof(line)) == 1)
			res_add_kmsg(g->res, line);
}

/* --- expectations -------------------------------------------------------- */

static struct res_expect *expectation(struct eng *g, const struct scn_step *st, int pass,
				      const char *obs)
{
	struct res_expect *x = res_add_expect(g->res);
	if (!x)
		return NULL;
	/* "expect a killed-by SIGKILL" reads as "a killed-by SIGKILL" */
	snprintf(x->text, sizeof(x->text), "%s",
		 st->op == SO_EXPECT && !strncmp(st->text, "expect ", 7) ? st->text + 7 : st->text);
	snprintf(x->observed, sizeof(x->observed), "%s", obs);
	x->verdict = pass ? RES_PASS : RES_FAIL;
	x->line = st->line;
	return x;
}

static int step_error(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	char msg[MLAB_ERR_LEN];
	snprintf(msg, sizeof(msg), "%s:%d: %s: %s", g->s->path, st->line, st->text, e->msg);
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	g->aborted = 1;
	return -EIO;
}

/* --- steps ----------------------------------------------------------------- */

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
	for (int i = 0; i < st->nkv; i++) {
		int ret = open_protection(g, st->kv[i].key, e);
		if (!ret)
			ret = cg_set(&x->cg, st->kv[i].key, st->kv[i].val, e);
		if (ret)
			return step_error(g, st, e);
	}
	return 0;
}

static int do_start(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = &g->w[g->nw];
	int ret;

	memset(w, 0, sizeof(*w));
	snprintf(w->id, sizeof(w->id), "%s", st->a);
	w->def = wl_find(st->wl);
	w->group = eng_group_index(g, st->b);
	wl_defaults(w->def, &w->o, e);
	for (int i = 0; i < st->nkv; i++) {
		const char *v = st->kv[i].val;
		if (!strcmp(st->kv[i].key, "file") && v[0] == '@')
			v = eng_wl(g, v + 1)->o.path; /* checked by the parser */
		wl_set_opt(w->def, &w->o, st->kv[i].key, v, e);
	}
	w->o.quiet = true;

	/* resources the workload will make, recorded before it makes them */
	ret = w->def->prepare ? w->def->prepare(&w->o, &g->run, w->id, e) : 0;
	if (!ret)
		ret = wl_start(&w->p, w->def, &w->o, &g->g[w->group].cg, -1, e);
	if (ret)
		return step_error(g, st, e);
	w->started = 1;
	g->nw++;
	event(g, st->b, "start", 1, 0, 0);
	return 0;
}

static int wait_for(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	uint64_t start = now_ns(), deadline = start + st->dur_ns;
	char obs[256];
	int ret, settled;

	for (;;) {
		ret = scn_cond_eval(g, &st->cond, obs, sizeof(obs), &settled, e);
		if (ret == 1)
			return 0;
		if (ret < 0 && ret != -ESRCH && ret != -ENOENT)
			return step_error(g, st, e);
		if (settled || now_ns() >= deadline) {
			char msg[300];
			if (settled)
				snprintf(msg, sizeof(msg), "can no longer hold (after %.1f s): %s",
					 (double)(now_ns() - start) / 1e9, obs);
			else
				snprintf(msg, sizeof(msg), "timed out after %.1f s: %s",
					 (double)st->dur_ns / 1e9, obs);
			expectation(g, st, 0, msg);
			g->aborted = 1;
			return 0;
		}
		if (run_interrupted)
			return err_set(e, EINTR, "interrupted");
		pump(g, now_ns() + CHECK_NS < deadline ? now_ns() + CHECK_NS : deadline);
	}
}

static int is_event_cond(const struct scn_cond *c)
{
	return c->kind == SK_EVENT_COUNT || c->kind == SK_EVENT_BEFORE ||
	       c->kind == SK_EVENT_WITHIN;
}

/* An expectation's verdict. Most conditions are judged as they are now;
 * one on events waits until it is settled (a notification may still be in
 * flight) or its deadline: `within D of ID end` at the end + D, the others
 * after their settle time (settle=, or the kind's default). */
static int judge(struct eng *g, const struct scn_step *st, char *obs, size_t len,
		 struct mlab_err *e)
{
	const struct scn_cond *c = &st->cond;
	uint64_t deadline =
	    now_ns() + (st->settle_ns ? st->settle_ns : scn_event_settle_ns(c->str));
	int ret, settled;

	for (;;) {
		ret = scn_cond_eval(g, c, obs, len, &settled, e);
		if (!is_event_cond(c) || ret < 0 || settled || run_interrupted)
			return ret;
		/* `within D of ID end` has its own deadline, the end + D, where
		 * it is settled either way; the others end at their settle time */
		if (c->kind != SK_EVENT_WITHIN && now_ns() >= deadline)
			return ret;
		pump(g, c->kind == SK_EVENT_WITHIN || now_ns() + CHECK_NS < deadline
			    ? now_ns() + CHECK_NS
			    : deadline);
	}
}

static int guard_open(struct eng *g, const struct scn_step *st)
{
	int on;
	if (!st->guard[0])
		return 1;
	if (!strcmp(st->guard, "v1") || !strcmp(st->guard, "v2"))
		on = (int)g->run.root.ver == st->guard[1] - '0';
	else
		on = g->variant >= 0 && !strcmp(g->s->variants[g->variant].name, st->guard);
	return st->guard_not ? !on : on;
}

/* --- the steps: one function each, in a table by step ----------------------------- */

static int r_group(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x;
	char rel[PATH_MAX];

	x = &g->g[g->ng];
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", st->a);
	snprintf(rel, sizeof(rel), "%s", st->a);
	if (run_group(&g->run, rel, &x->cg, e))
		return step_error(g, st, e);
	x->alive = 1;
	g->ng++;
	snprintf(g->res->groups[g->res->ngroups++], sizeof(g->res->groups[0]), "%s", st->a);
	return do_settings(g, x, st, e);
}

static int r_set(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->a);

	return do_settings(g, x, st, e);
}

static int r_write(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->a);
	char obs[256];
	int ret;

	ret = cg_write_raw(&x->cg, st->file, st->value, e);
	if (!st->err) {
		if (ret)
			return step_error(g, st, e);
		return 0;
	}
	snprintf(obs, sizeof(obs), "%s", ret ? scn_errno_name(-ret) : "the write succeeded");
	expectation(g, st, ret == -st->err, obs);
	return 0;
}

static int r_try(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->a);
	int ret;

	ret = cg_write_raw(&x->cg, st->file, st->value, e);
	g->last_errno = ret < 0 ? -ret : 0;
	g->tried = 1;
	return 0;
}

static int r_rmdir(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->a);

	if (cg_destroy(&x->cg, e))
		return step_error(g, st, e);
	x->alive = 0;
	return 0;
}

static int r_reclaim(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->a);
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
	return ret ? step_error(g, st, e) : 0;
}

static int r_drop_caches(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	char v[4];
	int ret;

	snprintf(v, sizeof(v), "%d", (int)st->num);
	sync();
	ret = write_file("/proc/sys/vm/drop_caches", v);
	if (ret) {
		err_set(e, -ret, "write /proc/sys/vm/drop_caches: %s", strerror(-ret));
		return step_error(g, st, e);
	}
	return 0;
}

static int r_stop(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->a);

	wl_signal(&w->p, SIGUSR1);
	if (wl_wait_end(&w->p, st->dur_ns, e))
		return step_error(g, st, e);
	note_ends(g);
	return 0;
}

static int r_signal(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->a);
	int ret;

	ret = wl_signal(&w->p, st->sig);
	if (ret && ret != -ESRCH) {
		err_set(e, -ret, "signal: %s", strerror(-ret));
		return step_error(g, st, e);
	}
	return 0;
}

static int r_kill(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->a);

	if (cg_kill_all(&x->cg, e) || cg_wait_empty(&x->cg, 10 * 1000000000ULL, e))
		return step_error(g, st, e);
	note_ends(g);
	return 0;
}

static int r_move(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->a);

	if (cg_attach(&eng_group(g, st->b)->cg, w->p.pid, e))
		return step_error(g, st, e);
	return 0;
}

static int r_rm(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->a);

	if (unlink(w->o.path) && errno != ENOENT) {
		err_set(e, errno, "rm %s: %s", w->o.path, strerror(errno));
		return step_error(g, st, e);
	}
	return 0;
}

static int r_rmid(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, st->a);

	int id = shmget((key_t)w->o.key, 0, 0);
	if (id < 0 || shmctl(id, IPC_RMID, NULL)) {
		err_set(e, errno, "IPC_RMID key %#llx: %s", (unsigned long long)w->o.key,
			strerror(errno));
		return step_error(g, st, e);
	}
	return 0;
}

static int r_watch(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, st->a);
	int ret;

	int gi = (int)(x - g->g);
	if (!strcmp(st->file, "oom"))
		ret = ev_watch_oom(&g->ev, &x->cg, gi, e);
	else if (!strcmp(st->file, "threshold"))
		ret = ev_watch_threshold(&g->ev, &x->cg, gi, st->num, e);
	else
		ret = ev_watch_pressure(&g->ev, &x->cg, gi, st->value, e);
	return ret ? step_error(g, st, e) : 0;
}

static int r_sleep(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	uint64_t until = now_ns() + st->dur_ns;
	while (now_ns() < until && !run_interrupted)
		pump(g, until);
	return run_interrupted ? err_set(e, EINTR, "interrupted") : 0;
}

static int r_save(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	uint64_t v;
	if (scn_expr_value(g, &st->expr, &v, e))
		return step_error(g, st, e);
	for (int i = 0; i < g->nvars; i++)
		if (!strcmp(g->vars[i].name, st->a)) {
			g->vars[i].v = v;
			return 0;
		}
	if (g->nvars == MAX_VARS) {
		err_set(e, ENOSPC, "too many saved values");
		return step_error(g, st, e);
	}
	snprintf(g->vars[g->nvars].name, SCN_NAME, "%s", st->a);
	g->vars[g->nvars++].v = v;
	return 0;
}

static int r_pick(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	char obs[256];
	int ret;
	int settled;

	if (g->variant >= 0)
		return 0; /* the first matching pick decides */
	ret = scn_cond_eval(g, &st->cond, obs, sizeof(obs), &settled, e);
	if (ret < 0)
		return step_error(g, st, e);
	if (ret == 0)
		snprintf(g->last_pick, sizeof(g->last_pick), "line %d saw %.160s", st->line, obs);
	if (ret == 1) {
		for (int i = 0; i < g->s->nvariants; i++)
			if (!strcmp(g->s->variants[i].name, st->a))
				g->variant = i;
		snprintf(g->res->variant, sizeof(g->res->variant), "%s", st->a);
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
		return step_error(g, st, e);
	expectation(g, st, ret == 1, obs);
	return 0;
}

static int (*const step_run[])(struct eng *g, const struct scn_step *st, struct mlab_err *e) = {
    [SO_GROUP] = r_group,
    [SO_SET] = r_set,
    [SO_WRITE] = r_write,
    [SO_TRY] = r_try,
    [SO_RMDIR] = r_rmdir,
    [SO_RECLAIM] = r_reclaim,
    [SO_DROP_CACHES] = r_drop_caches,
    [SO_START] = do_start,
    [SO_STOP] = r_stop,
    [SO_SIGNAL] = r_signal,
    [SO_KILL] = r_kill,
    [SO_MOVE] = r_move,
    [SO_RM] = r_rm,
    [SO_RMID] = r_rmid,
    [SO_WATCH] = r_watch,
    [SO_WAIT] = wait_for,
    [SO_SLEEP] = r_sleep,
    [SO_SAVE] = r_save,
    [SO_PICK] = r_pick,
    [SO_EXPECT] = r_expect,
};

_Static_assert(sizeof(step_run) / sizeof(step_run[0]) == SO_EXPECT + 1, "a run for every step");

static int do_step(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	return step_run[st->op](g, st, e);
}

/* --- the scenario ---------------------------------------------------------- */

static void finish(struct eng *g)
{
	struct mlab_err e;

	eng_drain_kmsg(g);
	for (int i = 0; i < g->nw; i++) {
		struct eng_wl *w = &g->w[i];
		struct res_workload *rw;
		if (!w->started)
			continue;
		wl_poll_end(&w->p);
		lat_merge(&g->res->lat, &w->p.sh->lat);
		rw = res_add_workload(g->res);
		if (!rw)
			continue;
		snprintf(rw->id, sizeof(rw->id), "%s", w->id);
		snprintf(rw->type, sizeof(rw->type), "%s", w->def->name);
		snprintf(rw->group, sizeof(rw->group), "%s", g->g[w->group].name);
		wl_end_str(&w->p.end, rw->end, sizeof(rw->end));
		rw->bytes = atomic_load(&w->p.sh->bytes);
		rw->steps = atomic_load(&w->p.sh->steps);
		rw->rate_bps = atomic_load(&w->p.sh->rate_bps);
		rw->lat = w->p.sh->lat;
	}
	note_ends(g);
	sample(g);
	for (int i = 0; i < g->nw; i++)
		if (g->w[i].started)
			wl_release(&g->w[i].p);
	ev_close(&g->ev);
	if (g->have_kmsg)
		kmsg_close(&g->km);
	if (run_end(&g->run, &e) && g->res->verdict != RES_ERROR) {
		g->res->verdict = RES_ERROR;
		snprintf(g->res->reason, sizeof(g->res->reason), "cleanup: %s", e.msg);
	}
}

int scn_run(const struct scn *s, const struct scn_opts *o, struct res_scenario *out,
	    struct mlab_err *e)
{
	struct eng *g = calloc(1, sizeof(*g));
	uint64_t budget = o->timeout_ns ? o->timeout_ns : s->timeout_ns, deadline;
	char why[256];
	int ret = 0;

	snprintf(out->name, sizeof(out->name), "%s", s->name);
	snprintf(out->file, sizeof(out->file), "%s", s->path);
	snprintf(out->doc, sizeof(out->doc), "%s", s->doc);
	lat_init(&out->lat);
	if (!g) {
		out->verdict = RES_ERROR;
		return err_set(e, ENOMEM, "out of memory");
	}
	if (o->skip_all) {
		out->verdict = RES_SKIP;
		snprintf(out->reason, sizeof(out->reason), "%s", o->skip_all);
		free(g);
		return 0;
	}
	if (scn_skip_reason(s, o->where, why, sizeof(why))) {
		out->verdict = RES_SKIP;
		snprintf(out->reason, sizeof(out->reason), "%s", why);
		free(g);
		return 0;
	}
	if (guard_check_pct(scn_plan_bytes(s), o->where && !strcmp(o->where, "vm") ? 90 : 50, NULL,
			    e)) {
		out->verdict = RES_SKIP;
		snprintf(out->reason, sizeof(out->reason), "memory guard: %s", e->msg);
		free(g);
		return 0;
	}
	g->s = s;
	g->o = o;
	g->res = out;
	g->variant = -1;
	g->sample_ns = o->sample_ns ? o->sample_ns : 20000000ULL;
	ev_init(&g->ev);
	g->run.st.fd = -1;
	ret = run_begin(&g->run, e);
	if (ret) {
		out->verdict = ret == -EPERM || ret == -ENODEV ? RES_SKIP : RES_ERROR;
		snprintf(out->reason, sizeof(out->reason), "%s", e->msg);
		free(g);
		return out->verdict == RES_SKIP ? 0 : ret;
	}
	for (int i = 0; i < s->nneeds; i++)
		if (s->needs[i].kind == SN_FILE && !cg_has_file(&g->run.base, s->needs[i].file)) {
			out->verdict = RES_SKIP;
			snprintf(out->reason, sizeof(out->reason), "%s: not supported here",
				 s->needs[i].file);
			finish(g);
			free(g);
			return 0;
		}
	g->have_kmsg = kmsg_open(&g->km, e) == 0;
	g->t0 = now_ns();
	g->next_sample = g->t0;
	deadline = g->t0 + budget;
	sample(g);

	for (int i = 0; i < s->nsteps && !g->aborted && !g->skipped; i++) {
		const struct scn_step *st = &s->steps[i];
		if (!guard_open(g, st))
			continue;
		if (o->progress)
			o->progress(o->progress_arg, s, st, eng_since(g));
		ret = do_step(g, st, e);
		if (ret)
			break;
		if (now_ns() > deadline) {
			ret = err_set(e, ETIMEDOUT, "%s: over its %.0f s budget at line %d",
				      s->name, (double)budget / 1e9, st->line);
			break;
		}
		pump(g, now_ns()); /* take what arrived, sample if due */
	}
	out->duration_s = eng_since(g);

	if (ret) {
		out->verdict = RES_ERROR;
		snprintf(out->reason, sizeof(out->reason), "%s", e->msg);
	} else if (g->skipped) {
		out->verdict = RES_SKIP;
	} else {
		out->verdict = RES_PASS;
		for (int i = 0; i < out->nexpects; i++)
			if (out->expects[i].verdict == RES_FAIL) {
				out->verdict = RES_FAIL;
				if (!out->reason[0])
					snprintf(out->reason, sizeof(out->reason),
						 "line %d: %s (%s)", out->expects[i].line,
						 out->expects[i].text, out->expects[i].observed);
			}
		if (out->verdict == RES_PASS && s->nvariants && g->variant < 0) {
			out->verdict = RES_FAIL;
			snprintf(out->reason, sizeof(out->reason),
				 "none of the declared variants matched this kernel (%s)",
				 g->last_pick[0] ? g->last_pick : "no pick ran");
		}
	}
	finish(g);
	free(g);
	return ret;
}
