/* The scenario engine. One scenario is one run (run.h): its scratch groups,
 * shm keys, files and mounts are recorded and undone like any run's.
 *
 * Everything that waits goes through pump(): one poll() over the event
 * watches, the kernel log and the workloads' pidfds, woken at least every
 * CHECK_NS to re-check the condition and every sample period to sample the
 * counters. Nothing sleeps blindly; `sleep` is just a wait for the clock. */
#include "scn_run.h"

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

#define CHECK_NS 5000000ULL /* conditions are re-checked at least every 5 ms */
#define MAX_VARS 32

struct eng_group {
	char name[SCN_NAME];
	struct cg cg;
	int alive;
};

struct eng_wl {
	char id[SCN_NAME];
	const struct wl_def *def;
	struct wl_opts o;
	struct wl_proc p;
	int group;
	int started, end_logged;
	int paused; /* seen paused, for paused/resumed events */
	uint64_t paused_at; /* its progress when it paused */
	uint64_t shm_key;
};

struct eng {
	const struct scn *s;
	const struct scn_opts *o;
	struct res_scenario *res;
	struct run run;
	struct eng_group g[16];
	int ng;
	struct eng_wl w[16];
	int nw;
	struct {
		char name[SCN_NAME];
		uint64_t v;
	} vars[MAX_VARS];
	int nvars;
	struct ev_set ev;
	struct kmsg km;
	int have_kmsg;
	uint64_t t0, next_sample, sample_ns;
	int last_errno, tried;
	int variant; /* index into s->variants, -1 none */
	char last_pick[200]; /* what the last pick that did not match saw */
	int aborted; /* a wait timed out or a step failed: stop here */
	int skipped;
};

static double since(const struct eng *g)
{
	return (double)(now_ns() - g->t0) / 1e9;
}

/* --- lookups ------------------------------------------------------------- */

static struct eng_group *grp(struct eng *g, const char *name)
{
	for (int i = 0; i < g->ng; i++)
		if (!strcmp(g->g[i].name, name))
			return &g->g[i];
	return NULL;
}

static int grp_index(struct eng *g, const char *name)
{
	struct eng_group *x = grp(g, name);
	return x ? (int)(x - g->g) : -1;
}

static struct eng_wl *wl(struct eng *g, const char *id)
{
	for (int i = 0; i < g->nw; i++)
		if (!strcmp(g->w[i].id, id))
			return &g->w[i];
	return NULL;
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
	double t = since(g);

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
	static const char *const names[RES_NCOUNTERS] = { "usage", "limit", "anon",
							  "file",  "shmem", "swap",
							  "failcnt", "oom_kill", "under_oom" };
	for (int i = 0; i < g->ng; i++) {
		struct res_sample *sm;
		struct mlab_err e;
		if (!g->g[i].alive)
			continue;
		sm = res_add_sample(g->res);
		if (!sm)
			return;
		sm->t_s = since(g);
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
		pfd[n++] = (struct pollfd){ .fd = g->km.fd, .events = POLLIN };
	}
	for (int i = 0; i < g->nw; i++)
		if (g->w[i].started && !g->w[i].end_logged && g->w[i].p.pidfd >= 0)
			pfd[n++] = (struct pollfd){ .fd = g->w[i].p.pidfd, .events = POLLIN };
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

static void drain_kmsg(struct eng *g)
{
	char line[256];
	if (g->have_kmsg)
		while (kmsg_next(&g->km, line, sizeof(line)) == 1)
			res_add_kmsg(g->res, line);
}

/* --- values -------------------------------------------------------------- */

static int proc_status_kb(pid_t pid, const char *key, uint64_t *v)
{
	char path[64], buf[4096], *p;
	size_t kl = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':') {
			*v = strtoull(p + kl + 1, NULL, 10) * 1024;
			return 0;
		}
	return -ENOENT;
}

static int term_value(struct eng *g, const struct scn_term *t, uint64_t *v, struct mlab_err *e)
{
	switch (t->kind) {
	case ST_LIT:
		*v = t->lit;
		return 0;
	case ST_VAR:
		for (int i = 0; i < g->nvars; i++)
			if (!strcmp(g->vars[i].name, t->name)) {
				*v = g->vars[i].v;
				return 0;
			}
		return err_set(e, ENOENT, "$%s was not saved before this line", t->name);
	case ST_GROUP: {
		struct eng_group *x = grp(g, t->name);
		if (!x || !x->alive)
			return err_set(e, ENOENT, "group %s does not exist (yet, or any more)", t->name);
		if (!strcmp(t->field, "tasks")) {
			int n = cg_nr_procs(&x->cg, e);
			if (n < 0)
				return n;
			*v = (uint64_t)n;
			return 0;
		}
		return cg_get(&x->cg, t->field, v, e);
	}
	case ST_KERNEL:
		return kfact_read(t->field, v, e);
	case ST_WL: {
		struct eng_wl *w = wl(g, t->name);
		static const struct {
			const char *field, *key;
		} st[] = { { "vmrss", "VmRSS" },
			   { "rssanon", "RssAnon" },
			   { "rssfile", "RssFile" },
			   { "rssshmem", "RssShmem" } };
		if (!w || !w->started)
			return err_set(e, ENOENT, "workload %s was not started", t->name);
		if (!strcmp(t->field, "progress")) {
			*v = atomic_load(&w->p.sh->bytes);
			return 0;
		}
		if (!strcmp(t->field, "steps")) {
			*v = atomic_load(&w->p.sh->steps);
			return 0;
		}
		if (!strcmp(t->field, "rate")) {
			*v = atomic_load(&w->p.sh->rate_bps);
			return 0;
		}
		if (t->field[0] == 'p' && isdigit((unsigned char)t->field[1])) {
			if (!w->p.sh->lat.count)
				return err_set(e, ENOENT, "%s.%s: no steps recorded", t->name,
					       t->field);
			*v = lat_percentile(&w->p.sh->lat, atoi(t->field + 1));
			return 0;
		}
		for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
			if (!strcmp(t->field, st[i].field)) {
				if (wl_poll_end(&w->p) ||
				    proc_status_kb(w->p.pid, st[i].key, v))
					return err_set(e, ESRCH, "%s.%s: the workload has ended",
						       t->name, t->field);
				return 0;
			}
		return err_set(e, EINVAL, "%s.%s: unknown", t->name, t->field);
	}
	}
	return -EINVAL;
}

/* Signed sum of the terms; values are bytes or counts, so a negative
 * result is clamped to 0 (and reported as such). */
static int expr_value(struct eng *g, const struct scn_expr *x, uint64_t *out, struct mlab_err *e)
{
	__int128 sum = 0;

	for (int i = 0; i < x->n; i++) {
		uint64_t v;
		int ret = term_value(g, &x->t[i], &v, e);
		if (ret)
			return ret;
		if (v == CG_UNLIMITED && x->n > 1)
			return err_set(e, ERANGE, "%s is unlimited in '%s'", x->t[i].field, x->text);
		sum += x->t[i].neg ? -(__int128)v : (__int128)v;
	}
	*out = sum < 0 ? 0 : sum > (__int128)UINT64_MAX ? UINT64_MAX : (uint64_t)sum;
	return 0;
}

static void fmt_value(char *buf, size_t len, uint64_t v)
{
	char h[32];
	if (v == CG_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else if (v >= 1024)
		snprintf(buf, len, "%llu (%s)", (unsigned long long)v, fmt_size(h, sizeof(h), v));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static int cmp_ok(enum scn_cmp c, uint64_t l, uint64_t r, uint64_t tol)
{
	switch (c) {
	case SC_EQ: return l == r;
	case SC_NE: return l != r;
	case SC_LT: return l < r;
	case SC_LE: return l <= r;
	case SC_GT: return l > r;
	case SC_GE: return l >= r;
	case SC_APPROX: return (l > r ? l - r : r - l) <= tol;
	}
	return 0;
}

static double at_s(const struct eng *g, uint64_t ns)
{
	return (double)(ns - g->t0) / 1e9;
}

/* Can the value of @x still change? Not when it is made of literals, saved
 * values and the counters of workloads that have ended. */
static int expr_settled(struct eng *g, const struct scn_expr *x)
{
	for (int i = 0; i < x->n; i++) {
		const struct scn_term *t = &x->t[i];
		struct eng_wl *w;
		struct eng_group *gr;
		switch (t->kind) {
		case ST_LIT:
		case ST_VAR:
		case ST_KERNEL: /* the kernel's settings do not change under a scenario */
			break;
		case ST_WL:
			w = wl(g, t->name);
			if (!w || !w->started || !wl_poll_end(&w->p))
				return 0;
			break;
		case ST_GROUP:
			gr = grp(g, t->name);
			if (!gr || gr->alive) /* a removed group reads as gone for good */
				return 0;
			break;
		}
	}
	return 1;
}

/* `event G KIND count OP N`: the counter file is the authority where
 * there is one (v2 memory.events: a notification may still be in flight,
 * the counter is not); else the notifications themselves are the count
 * (v1 eventfds count exactly, as do the harness's own observations). */
static int event_count_eval(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
			    int *settled)
{
	uint64_t notes = scn_event_count(g->res, c->id, c->str, NULL), n = notes;
	int gi = grp_index(g, c->id), holds, ret;

	ret = gi >= 0 ? ev_counter(&g->ev, gi, c->str, &n) : -ENOENT;
	if (!ret)
		snprintf(obs, len, "%llu %s (memory.events), %llu notification%s",
			 (unsigned long long)n, c->str, (unsigned long long)notes,
			 notes == 1 ? "" : "s");
	else
		snprintf(obs, len, "%llu %s event%s", (unsigned long long)n, c->str,
			 n == 1 ? "" : "s");
	holds = scn_event_count_judge(c->cmp, n, (uint64_t)c->num, settled);
	if (gi >= 0 && !g->g[gi].alive)
		*settled = 1; /* no more events from a removed group */
	return holds;
}

/* Evaluate a condition: 1 holds, 0 does not, -errno could not be evaluated
 * (with the reason in @e). @obs gets what was observed; *@settled says
 * whether the outcome can no longer change (a wait that cannot succeed any
 * more ends at once; an event expectation waits until it is settled). */
static int cond_eval(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
		     int *settled, struct mlab_err *e)
{
	struct eng_wl *w = c->id[0] ? wl(g, c->id) : NULL;
	int ended = w && w->started && wl_poll_end(&w->p);
	char a[64], b[64];

	*settled = 1;
	switch (c->kind) {
	case SK_COMPARE: {
		uint64_t l, r, tol = c->tol;
		int ret = expr_value(g, &c->lhs, &l, e);
		if (!ret)
			ret = expr_value(g, &c->rhs, &r, e);
		*settled = expr_settled(g, &c->lhs) && expr_settled(g, &c->rhs);
		if (ret) {
			snprintf(obs, len, "%s", e->msg);
			return ret;
		}
		if (c->tol_pct)
			tol = (uint64_t)((unsigned __int128)r * c->tol_pct / 100);
		fmt_value(a, sizeof(a), l);
		fmt_value(b, sizeof(b), r);
		if (c->lhs.n == 1 && c->lhs.t[0].kind == ST_LIT)
			snprintf(obs, len, "%s = %s", c->rhs.text, b);
		else if (c->rhs.n == 1 && c->rhs.t[0].kind == ST_LIT)
			snprintf(obs, len, "%s", a);
		else
			snprintf(obs, len, "%s vs %s", a, b);
		return cmp_ok(c->cmp, l, r, tol);
	}
	case SK_KILLED_BY:
	case SK_EXITED:
		if (!ended) {
			snprintf(obs, len, "still running (%s done)",
				 fmt_size(a, sizeof(a), atomic_load(&w->p.sh->bytes)));
			*settled = 0;
			return 0;
		}
		wl_end_str(&w->p.end, obs, len);
		if (c->kind == SK_KILLED_BY)
			return !w->p.end.exited && w->p.end.signo == c->num;
		if (c->has_num < 0) /* ended */
			return 1;
		return w->p.end.exited && (!c->has_num || w->p.end.code == c->num);
	case SK_WL_FAILED:
		snprintf(obs, len, "%s%s%s", wl_phase_name(atomic_load(&w->p.sh->phase)),
			 w->p.sh->errmsg[0] ? ": " : "", w->p.sh->errmsg);
		if (atomic_load(&w->p.sh->phase) == WL_FAILED)
			return w->p.sh->err == c->num;
		*settled = ended;
		return 0;
	case SK_PAUSED:
	case SK_RUNNING: {
		char wchan[128] = "";
		int p = wl_paused(&w->p, wchan, sizeof(wchan));
		if (wl_poll_end(&w->p)) {
			wl_end_str(&w->p.end, obs, len);
			return 0; /* an ended task is neither, for good */
		}
		*settled = 0;
		if (p == 1)
			snprintf(obs, len, "paused in %s at %s", wchan,
				 fmt_size(a, sizeof(a), atomic_load(&w->p.sh->bytes)));
		else
			snprintf(obs, len, "running (%s done)",
				 fmt_size(a, sizeof(a), atomic_load(&w->p.sh->bytes)));
		return c->kind == SK_PAUSED ? p == 1 : p == 0;
	}
	case SK_HOLDING:
		snprintf(obs, len, "%s%s%s", wl_phase_name(atomic_load(&w->p.sh->phase)),
			 w->p.sh->errmsg[0] ? ": " : "", w->p.sh->errmsg);
		if (wl_poll_end(&w->p)) { /* a killed holder leaves its phase behind */
			wl_end_str(&w->p.end, obs, len);
			return 0;
		}
		*settled = 0;
		return atomic_load(&w->p.sh->phase) == WL_HOLDING;
	case SK_EVENT_COUNT:
		return event_count_eval(g, c, obs, len, settled);
	case SK_EVENT_BEFORE:
		return scn_event_before_judge(g->res, c->id, c->str, c->kind2, settled, obs, len);
	case SK_EVENT_WITHIN: {
		struct eng_wl *x = wl(g, c->kind2);
		double near;
		int holds;
		if (!wl_poll_end(&x->p)) {
			snprintf(obs, len, "%s has not ended", c->kind2);
			return 0; /* judged at once: the line is about an end */
		}
		holds = scn_event_within_judge(g->res, c->id, c->str, at_s(g, x->p.started_ns),
					       at_s(g, x->p.end.at_ns), (double)c->dur_ns / 1e9,
					       since(g), settled, &near);
		if (near < 0)
			snprintf(obs, len, "no %s notification since %s started", c->str, c->kind2);
		else
			snprintf(obs, len, "%.1f ms from the end of %s", near * 1e3, c->kind2);
		return holds;
	}
	case SK_LATENCY: {
		uint64_t v = lat_percentile(&w->p.sh->lat, c->num);
		snprintf(obs, len, "p%d %.1f us over %llu steps", c->num, (double)v / 1e3,
			 (unsigned long long)w->p.sh->lat.count);
		*settled = ended;
		return w->p.sh->lat.count && cmp_ok(c->cmp, v, c->dur_ns, 0);
	}
	case SK_KMSG:
	case SK_NO_KMSG: {
		drain_kmsg(g);
		*settled = 0; /* more lines may come */
		for (int i = 0; i < g->res->nkmsg; i++)
			if (strstr(g->res->kmsg[i], c->str)) {
				snprintf(obs, len, "logged: %s", g->res->kmsg[i]);
				return c->kind == SK_KMSG;
			}
		snprintf(obs, len, g->have_kmsg ? "not in the %d kernel-log lines seen"
					       : "kernel log unreadable (%d lines)",
			 g->res->nkmsg);
		return c->kind == SK_NO_KMSG && g->have_kmsg;
	}
	case SK_BOOT_KMSG:
	case SK_NO_BOOT_KMSG: {
		char line[512];
		int from_boot, found = kmsg_search_boot(c->str, line, sizeof(line), &from_boot);
		if (found < 0) {
			snprintf(obs, len, "kernel log unreadable: %s", strerror(-found));
			return 0;
		}
		if (found)
			snprintf(obs, len, "logged since boot: %s", line);
		else
			snprintf(obs, len, from_boot ? "not in the kernel log since boot"
						     : "not in the kernel log, which no longer "
						       "reaches back to boot");
		/* absence is known only while the log is whole */
		return c->kind == SK_BOOT_KMSG ? found : !found && from_boot;
	}
	case SK_ERRNO:
		if (!g->tried) {
			snprintf(obs, len, "no try before this line");
			return 0;
		}
		snprintf(obs, len, "%s", g->last_errno ? scn_errno_name(g->last_errno) : "ok");
		return (g->last_errno == c->num) == (c->cmp == SC_EQ);
	}
	return 0;
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
	const char *file = !strcmp(key, "low") || !strcmp(key, "memory.low") ? "memory.low"
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
	w->group = grp_index(g, st->b);
	wl_defaults(w->def, &w->o, e);
	for (int i = 0; i < st->nkv; i++) {
		const char *v = st->kv[i].val;
		if (!strcmp(st->kv[i].key, "file") && v[0] == '@')
			v = wl(g, v + 1)->o.path; /* checked by the parser */
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
		ret = cond_eval(g, &st->cond, obs, sizeof(obs), &settled, e);
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
	uint64_t deadline = now_ns() + (st->settle_ns ? st->settle_ns : scn_event_settle_ns(c->str));
	int ret, settled;

	for (;;) {
		ret = cond_eval(g, c, obs, len, &settled, e);
		if (!is_event_cond(c) || ret < 0 || settled || now_ns() >= deadline ||
		    run_interrupted)
			return ret;
		/* `within` sets its own deadline, as long as it is not settled */
		if (c->kind == SK_EVENT_WITHIN)
			deadline = now_ns() + CHECK_NS;
		pump(g, now_ns() + CHECK_NS < deadline ? now_ns() + CHECK_NS : deadline);
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

static int do_step(struct eng *g, const struct scn_step *st, struct mlab_err *e)
{
	struct eng_group *x = st->a[0] ? grp(g, st->a) : NULL;
	struct eng_wl *w = st->a[0] ? wl(g, st->a) : NULL;
	char obs[256], rel[PATH_MAX];
	int ret, settled;

	switch (st->op) {
	case SO_GROUP:
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
	case SO_SET:
		return do_settings(g, x, st, e);
	case SO_WRITE:
		ret = cg_write_raw(&x->cg, st->file, st->value, e);
		if (!st->err) {
			if (ret)
				return step_error(g, st, e);
			return 0;
		}
		snprintf(obs, sizeof(obs), "%s", ret ? scn_errno_name(-ret) : "the write succeeded");
		expectation(g, st, ret == -st->err, obs);
		return 0;
	case SO_TRY:
		ret = cg_write_raw(&x->cg, st->file, st->value, e);
		g->last_errno = ret < 0 ? -ret : 0;
		g->tried = 1;
		return 0;
	case SO_RMDIR:
		if (cg_destroy(&x->cg, e))
			return step_error(g, st, e);
		x->alive = 0;
		return 0;
	case SO_RECLAIM:
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
	case SO_DROP_CACHES: {
		char v[4];
		snprintf(v, sizeof(v), "%d", (int)st->num);
		sync();
		ret = write_file("/proc/sys/vm/drop_caches", v);
		if (ret) {
			err_set(e, -ret, "write /proc/sys/vm/drop_caches: %s", strerror(-ret));
			return step_error(g, st, e);
		}
		return 0;
	}
	case SO_START:
		return do_start(g, st, e);
	case SO_STOP:
		wl_signal(&w->p, SIGUSR1);
		if (wl_wait_end(&w->p, st->dur_ns, e))
			return step_error(g, st, e);
		note_ends(g);
		return 0;
	case SO_SIGNAL:
		ret = wl_signal(&w->p, st->sig);
		if (ret && ret != -ESRCH) {
			err_set(e, -ret, "signal: %s", strerror(-ret));
			return step_error(g, st, e);
		}
		return 0;
	case SO_KILL:
		if (cg_kill_all(&x->cg, e) || cg_wait_empty(&x->cg, 10 * 1000000000ULL, e))
			return step_error(g, st, e);
		note_ends(g);
		return 0;
	case SO_MOVE:
		if (cg_attach(&grp(g, st->b)->cg, w->p.pid, e))
			return step_error(g, st, e);
		return 0;
	case SO_RM:
		if (unlink(w->o.path) && errno != ENOENT) {
			err_set(e, errno, "rm %s: %s", w->o.path, strerror(errno));
			return step_error(g, st, e);
		}
		return 0;
	case SO_RMID: {
		int id = shmget((key_t)w->o.key, 0, 0);
		if (id < 0 || shmctl(id, IPC_RMID, NULL)) {
			err_set(e, errno, "IPC_RMID key %#llx: %s", (unsigned long long)w->o.key,
				strerror(errno));
			return step_error(g, st, e);
		}
		return 0;
	}
	case SO_WATCH: {
		int gi = (int)(x - g->g);
		if (!strcmp(st->file, "oom"))
			ret = ev_watch_oom(&g->ev, &x->cg, gi, e);
		else if (!strcmp(st->file, "threshold"))
			ret = ev_watch_threshold(&g->ev, &x->cg, gi, st->num, e);
		else
			ret = ev_watch_pressure(&g->ev, &x->cg, gi, st->value, e);
		return ret ? step_error(g, st, e) : 0;
	}
	case SO_WAIT:
		return wait_for(g, st, e);
	case SO_SLEEP: {
		uint64_t until = now_ns() + st->dur_ns;
		while (now_ns() < until && !run_interrupted)
			pump(g, until);
		return run_interrupted ? err_set(e, EINTR, "interrupted") : 0;
	}
	case SO_SAVE: {
		uint64_t v;
		if (expr_value(g, &st->expr, &v, e))
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
	case SO_PICK:
		if (g->variant >= 0)
			return 0; /* the first matching pick decides */
		ret = cond_eval(g, &st->cond, obs, sizeof(obs), &settled, e);
		if (ret < 0)
			return step_error(g, st, e);
		if (ret == 0)
			snprintf(g->last_pick, sizeof(g->last_pick), "line %d saw %.160s", st->line,
				 obs);
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
	case SO_EXPECT:
		ret = judge(g, st, obs, sizeof(obs), e);
		if (ret < 0 && ret != -ESRCH && ret != -ENOENT)
			return step_error(g, st, e);
		expectation(g, st, ret == 1, obs);
		return 0;
	}
	return 0;
}

/* --- needs ----------------------------------------------------------------- */

static int kernel_version(int *major, int *minor)
{
	struct utsname u;
	if (uname(&u) || sscanf(u.release, "%d.%d", major, minor) != 2)
		return -1;
	return 0;
}

int scn_skip_reason(const struct scn *s, const char *where, char *why, size_t len)
{
	struct cg_root root;
	struct mlab_err e;
	int have_root = cg_root_find(&root, &e) == 0;

	for (int i = 0; i < s->nneeds; i++) {
		const struct scn_needs *n = &s->needs[i];
		uint64_t v = 0;
		int maj, min;
		switch (n->kind) {
		case SN_ROOT:
			if (geteuid()) {
				snprintf(why, len, "needs root");
				return 1;
			}
			break;
		case SN_CGROUP:
			if (!have_root) {
				snprintf(why, len, "no memory controller: %s", e.msg);
				return 1;
			}
			if (!(n->versions & (1 << ((int)root.ver - 1)))) {
				snprintf(why, len, "needs cgroup %s; this host has v%d",
					 n->versions == 1 ? "v1" : "v2", (int)root.ver);
				return 1;
			}
			break;
		case SN_SWAP:
			meminfo_get(NULL, "SwapFree", &v);
			if (v < 16 * MIB) {
				snprintf(why, len, "needs swap (run with --swap auto or SIZE)");
				return 1;
			}
			break;
		case SN_MEMORY:
			meminfo_get(NULL, "MemAvailable", &v);
			if (v / 2 < n->bytes) {
				char a[32], b[32];
				snprintf(why, len, "needs %s of memory; half of MemAvailable is %s",
					 fmt_size(a, sizeof(a), n->bytes), fmt_size(b, sizeof(b), v / 2));
				return 1;
			}
			break;
		case SN_KERNEL:
			if (kernel_version(&maj, &min) ||
			    !cmp_ok(n->cmp, (uint64_t)(maj * 1000 + min),
				    (uint64_t)(n->kmajor * 1000 + n->kminor), 0)) {
				snprintf(why, len, "needs kernel %s %d.%d; this is %d.%d",
					 scn_cmp_str(n->cmp), n->kmajor, n->kminor, maj, min);
				return 1;
			}
			break;
		case SN_VM:
			if (!where || strcmp(where, "vm")) {
				snprintf(why, len, "needs the whole machine under memory pressure: "
						   "runs only in the VM runner");
				return 1;
			}
			break;
		case SN_PSI:
			if (access("/proc/pressure/memory", R_OK)) {
				snprintf(why, len, "needs PSI (/proc/pressure/memory; boot with psi=1)");
				return 1;
			}
			break;
		case SN_FILE:
			break; /* checked on a real group by scn_run */
		}
	}
	return 0;
}

/* --- the guard --------------------------------------------------------------- */

/* The largest limit a scenario ever sets on @grp itself, 0 if none. */
static uint64_t group_limit(const struct scn *s, const char *grp)
{
	uint64_t lim = 0, v;
	struct mlab_err e;

	for (int j = 0; j < s->nsteps; j++) {
		const struct scn_step *x = &s->steps[j];
		if ((x->op != SO_GROUP && x->op != SO_SET) || strcmp(x->a, grp))
			continue;
		for (int k = 0; k < x->nkv; k++)
			if (!strcmp(x->kv[k].key, "limit") && !parse_size(x->kv[k].val, &v, &e) &&
			    v > lim)
				lim = v;
	}
	return lim;
}

/* The most memory the scenario can take from the machine: per group, what
 * its workloads need (their sizes), capped by the tightest limit on the
 * group or its ancestors, since a group never holds more than that in RAM.
 * 0 when something is unbounded (no size and no limit). */
uint64_t scn_plan_bytes(const struct scn *s)
{
	uint64_t total = 0;

	for (int gi = 0; gi < s->ngroups; gi++) {
		uint64_t need = 0, cap = 0;
		int unbounded = 0, any = 0;
		char grp[SCN_NAME];

		for (int i = 0; i < s->nsteps; i++) {
			const struct scn_step *st = &s->steps[i];
			const struct wl_def *d;
			struct wl_opts o;
			struct mlab_err e;
			uint64_t n;
			if (st->op != SO_START || strcmp(st->b, s->groups[gi]))
				continue;
			d = wl_find(st->wl);
			wl_defaults(d, &o, &e);
			for (int k = 0; k < st->nkv; k++)
				if (strcmp(st->kv[k].key, "file"))
					wl_set_opt(d, &o, st->kv[k].key, st->kv[k].val, &e);
			n = d->need(&o);
			unbounded |= !n;
			need += n;
			any = 1;
		}
		if (!any)
			continue;
		/* the tightest limit on the way up */
		snprintf(grp, sizeof(grp), "%s", s->groups[gi]);
		while (grp[0]) {
			uint64_t lim = group_limit(s, grp);
			char *slash = strrchr(grp, '/');
			if (lim && (!cap || lim < cap))
				cap = lim;
			if (slash)
				*slash = 0;
			else
				grp[0] = 0;
		}
		if (unbounded && !cap)
			return 0;
		total += unbounded || (cap && cap < need) ? cap : need;
	}
	return total ? total : 1;
}

/* --- the scenario ---------------------------------------------------------- */

static void finish(struct eng *g)
{
	struct mlab_err e;

	drain_kmsg(g);
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
			o->progress(o->progress_arg, s, st, since(g));
		ret = do_step(g, st, e);
		if (ret)
			break;
		if (now_ns() > deadline) {
			ret = err_set(e, ETIMEDOUT, "%s: over its %.0f s budget at line %d", s->name,
				      (double)budget / 1e9, st->line);
			break;
		}
		pump(g, now_ns()); /* take what arrived, sample if due */
	}
	out->duration_s = since(g);

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
					snprintf(out->reason, sizeof(out->reason), "line %d: %s (%s)",
						 out->expects[i].line, out->expects[i].text,
						 out->expects[i].observed);
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
