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

int eng_open_fd(const struct eng *g, const char *name)
{
	for (int i = 0; i < g->nopens; i++)
		if (!strcmp(g->opens[i].name, name))
			return g->opens[i].fd;
	return -1;
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
void eng_event(struct eng *g, const char *group, const char *kind, uint64_t count, uint64_t value,
	       int burst)
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
void eng_note_ends(struct eng *g)
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
				eng_event(g, g->g[w->group].name, "paused", 1, bytes, 0);
			} else if (w->paused && bytes > w->paused_at) {
				w->paused = 0;
				eng_event(g, g->g[w->group].name, "resumed", 1, bytes, 0);
			}
			continue;
		}
		w->end_logged = 1;
		eng_event(g, g->g[w->group].name, w->p.end.exited ? "exit" : "killed", 1,
			  w->p.end.exited ? (uint64_t)w->p.end.code : (uint64_t)w->p.end.signo, 0);
	}
}

/* Wait for anything until @until (CLOCK_MONOTONIC ns), then handle it. */
void eng_pump(struct eng *g, uint64_t until)
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
		eng_event(g, g->g[hits[i].group].name, hits[i].kind, hits[i].count, hits[i].value,
			  hits[i].burst);
	if (nk >= 0 && pfd[nk].revents) {
		char line[256];
		while (kmsg_next(&g->km, line, sizeof(line)) == 1)
			res_add_kmsg(g->res, line);
	}
	eng_note_ends(g);
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

struct res_expect *eng_expectation(struct eng *g, const struct scn_step *st, int pass,
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

int eng_step_error(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	char msg[MLAB_ERR_LEN];
	snprintf(msg, sizeof(msg), "%s:%d: %s: %s", g->s->path, st->line, st->text, e->msg);
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	g->aborted = 1;
	return -EIO;
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
	eng_note_ends(g);
	sample(g);
	for (int i = 0; i < g->nw; i++)
		if (g->w[i].started)
			wl_release(&g->w[i].p);
	ev_close(&g->ev);
	for (int i = 0; i < g->nopens; i++)
		if (g->opens[i].fd >= 0)
			close(g->opens[i].fd);
	if (g->have_kmsg)
		kmsg_close(&g->km);
	if (run_end(&g->run, &e) && g->res->verdict != RES_ERROR) {
		g->res->verdict = RES_ERROR;
		snprintf(g->res->reason, sizeof(g->res->reason), "cleanup: %s", e.msg);
	}
}

/* Why the scenario does not run here at all (--skip-all, an unmet need,
 * the memory guard): 1 with the reason in @out, else 0. */
static int skipped_before_start(const struct scn *s, const struct scn_opts *o,
				struct res_scenario *out)
{
	struct mlab_err e;
	char why[256];

	if (o->skip_all)
		snprintf(why, sizeof(why), "%s", o->skip_all);
	else if (scn_skip_reason(s, o->where, why, sizeof(why)))
		;
	else if (guard_check_pct(scn_plan_bytes(s), o->where && !strcmp(o->where, "vm") ? 90 : 50,
				 NULL, &e))
		snprintf(why, sizeof(why), "memory guard: %s", e.msg);
	else
		return 0;
	out->verdict = RES_SKIP;
	snprintf(out->reason, sizeof(out->reason), "%s", why);
	return 1;
}

/* A control file the scenario needs that this kernel lacks: 1 with the
 * reason in the results, else 0. Checked on a real group. */
static int missing_file(struct eng *g)
{
	for (int i = 0; i < g->s->nneeds; i++) {
		const struct scn_needs *n = &g->s->needs[i];
		if (n->kind != SN_FILE || cg_has_file(&g->run.base, n->file))
			continue;
		g->res->verdict = RES_SKIP;
		snprintf(g->res->reason, sizeof(g->res->reason), "%s: not supported here", n->file);
		return 1;
	}
	return 0;
}

/* Run the steps to the end, a failed wait, a skip or the budget. */
static int run_steps(struct eng *g, uint64_t budget, struct mlab_err *e)
{
	const struct scn *s = g->s;
	uint64_t deadline = g->t0 + budget;

	for (int i = 0; i < s->nsteps && !g->aborted && !g->skipped; i++) {
		const struct scn_step *st = &s->steps[i];
		int ret;
		if (!guard_open(g, st))
			continue;
		if (g->o->progress)
			g->o->progress(g->o->progress_arg, s, st, eng_since(g));
		ret = scn_step_run(g, st, e);
		if (ret)
			return ret;
		if (now_ns() > deadline)
			return err_set(e, ETIMEDOUT, "%s: over its %.0f s budget at line %d",
				       s->name, (double)budget / 1e9, st->line);
		eng_pump(g, now_ns()); /* take what arrived, sample if due */
	}
	return 0;
}

/* The scenario's verdict from how its steps ended (@ret, @e) and its
 * expectations; the reason is the first failure. */
static void verdict(struct eng *g, int ret, const struct mlab_err *e)
{
	struct res_scenario *out = g->res;

	if (ret) {
		out->verdict = RES_ERROR;
		snprintf(out->reason, sizeof(out->reason), "%s", e->msg);
		return;
	}
	if (g->skipped) {
		out->verdict = RES_SKIP;
		return;
	}
	out->verdict = RES_PASS;
	for (int i = 0; i < out->nexpects; i++)
		if (out->expects[i].verdict == RES_FAIL) {
			out->verdict = RES_FAIL;
			if (!out->reason[0])
				snprintf(out->reason, sizeof(out->reason), "line %d: %s (%s)",
					 out->expects[i].line, out->expects[i].text,
					 out->expects[i].observed);
		}
	if (out->verdict == RES_PASS && g->s->nvariants && g->variant < 0) {
		out->verdict = RES_FAIL;
		snprintf(out->reason, sizeof(out->reason),
			 "none of the declared variants matched this kernel (%s)",
			 g->last_pick[0] ? g->last_pick : "no pick ran");
	}
}

int scn_run(const struct scn *s, const struct scn_opts *o, struct res_scenario *out,
	    struct mlab_err *e)
{
	struct eng *g;
	int ret;

	snprintf(out->name, sizeof(out->name), "%s", s->name);
	snprintf(out->file, sizeof(out->file), "%s", s->path);
	snprintf(out->doc, sizeof(out->doc), "%s", s->doc);
	lat_init(&out->lat);
	if (skipped_before_start(s, o, out))
		return 0;
	g = calloc(1, sizeof(*g));
	if (!g) {
		out->verdict = RES_ERROR;
		return err_set(e, ENOMEM, "out of memory");
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
	if (missing_file(g)) {
		finish(g);
		free(g);
		return 0;
	}
	g->have_kmsg = kmsg_open(&g->km, e) == 0;
	g->t0 = now_ns();
	g->next_sample = g->t0;
	sample(g);
	ret = run_steps(g, o->timeout_ns ? o->timeout_ns : s->timeout_ns, e);
	out->duration_s = eng_since(g);
	verdict(g, ret, e);
	finish(g);
	free(g);
	return ret;
}
