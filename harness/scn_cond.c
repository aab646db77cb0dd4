/* The scenario engine's condition evaluation (see scn_eng.h): values of
 * expressions (group counters, workload figures, saved values, kernel
 * facts) and every kind of condition, with what was observed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "kfact.h"
#include "scn_eng.h"
#include "scn_events.h"

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

/* A number read through open file @name (from its start): "max" is
 * unlimited. */
static int open_value(struct eng *g, const char *name, uint64_t *v, struct mlab_err *e)
{
	int fd = eng_open_fd(g, name);
	char buf[64], *end;
	ssize_t n;

	if (fd < 0)
		return err_set(e, EBADF, "%s: the open failed", name);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return err_set(e, errno, "%s: read: %s", name, strerror(errno));
	buf[n] = 0;
	if (!strncmp(buf, "max", 3)) {
		*v = CG_UNLIMITED;
		return 0;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return err_set(e, EINVAL, "%s: not a number: '%.20s'", name, buf);
	return 0;
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
		struct eng_group *x = eng_group(g, t->name);
		if (!x || !x->alive)
			return err_set(e, ENOENT, "group %s does not exist (yet, or any more)",
				       t->name);
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
	case ST_OPEN:
		return open_value(g, t->name, v, e);
	case ST_WL: {
		struct eng_wl *w = eng_wl(g, t->name);
		static const struct {
			const char *field, *key;
		} st[] = {{"vmrss", "VmRSS"},
			  {"rssanon", "RssAnon"},
			  {"rssfile", "RssFile"},
			  {"rssshmem", "RssShmem"}};
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
				if (wl_poll_end(&w->p) || proc_status_kb(w->p.pid, st[i].key, v))
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
int scn_expr_value(struct eng *g, const struct scn_expr *x, uint64_t *out, struct mlab_err *e)
{
	__int128 sum = 0;

	for (int i = 0; i < x->n; i++) {
		uint64_t v;
		int ret = term_value(g, &x->t[i], &v, e);
		if (ret)
			return ret;
		if (v == CG_UNLIMITED && x->n > 1)
			return err_set(e, ERANGE, "%s is unlimited in '%s'", x->t[i].field,
				       x->text);
		sum += x->t[i].neg ? -(__int128)v : (__int128)v;
	}
	*out = sum < 0 ? 0 : sum > (__int128)UINT64_MAX ? UINT64_MAX : (uint64_t)sum;
	return 0;
}

static int term_reads_stat(const struct eng *g, const struct scn_term *t)
{
	const struct cg_name *n;
	const char *file = t->field;

	if (t->kind != ST_GROUP)
		return 0;
	n = cg_name_find(t->field);
	if (n)
		file = cg_name_file(n, g->run.root.ver);
	return file && !strncmp(file, "memory.stat:", 12);
}

int scn_cond_reads_stat(const struct eng *g, const struct scn_cond *c)
{
	const struct scn_expr *sides[] = {&c->compare.lhs, &c->compare.rhs};

	if (c->kind != SK_COMPARE)
		return 0;
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < sides[s]->n; i++)
			if (term_reads_stat(g, &sides[s]->t[i]))
				return 1;
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
		case ST_OPEN:
			return 0;
		case ST_WL:
			w = eng_wl(g, t->name);
			if (!w || !w->started || !wl_poll_end(&w->p))
				return 0;
			break;
		case ST_GROUP:
			gr = eng_group(g, t->name);
			if (!gr || gr->alive) /* a removed group reads as gone for good */
				return 0;
			break;
		}
	}
	return 1;
}

/* --- conditions: one eval function per row of SCN_CONDITIONS ------------------
 * Each returns 1 holds, 0 does not, -errno could not be evaluated; @obs
 * gets what was seen, *@settled whether that can still change (it starts
 * at 1). */

typedef int cond_eval_fn(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
			 int *settled, struct mlab_err *e);

static int e_compare(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		     struct mlab_err *e)
{
	const struct scn_expr *lhs = &c->compare.lhs, *rhs = &c->compare.rhs;
	uint64_t l, r, tol = c->compare.tol;
	char a[64], b[64];
	int ret = scn_expr_value(g, lhs, &l, e);

	if (!ret)
		ret = scn_expr_value(g, rhs, &r, e);
	*settled = expr_settled(g, lhs) && expr_settled(g, rhs);
	if (ret) {
		snprintf(obs, len, "%s", e->msg);
		return ret;
	}
	if (c->compare.tol_pct)
		tol = (uint64_t)((unsigned __int128)r * c->compare.tol_pct / 100);
	fmt_value(a, sizeof(a), l);
	fmt_value(b, sizeof(b), r);
	if (lhs->n == 1 && lhs->t[0].kind == ST_LIT)
		snprintf(obs, len, "%s = %s", rhs->text, b);
	else if (rhs->n == 1 && rhs->t[0].kind == ST_LIT)
		snprintf(obs, len, "%s", a);
	else
		snprintf(obs, len, "%s vs %s", a, b);
	return scn_cmp_ok(c->compare.cmp, l, r, tol);
}

/* The started workload @id, or NULL with what was seen (a start under a
 * variant guard may not have run). */
static struct eng_wl *started_wl(struct eng *g, const char *id, char *obs, size_t len,
				 struct mlab_err *e)
{
	struct eng_wl *w = eng_wl(g, id);

	if (w && w->started)
		return w;
	snprintf(obs, len, "%s was not started", id);
	err_set(e, ENOENT, "%s was not started", id);
	return NULL;
}

/* Has @w ended? If not, says so in @obs: an ended workload's state is
 * final, a running one's is not. */
static int wl_ended(struct eng_wl *w, char *obs, size_t len, int *settled)
{
	char done[32];

	if (wl_poll_end(&w->p)) {
		wl_end_str(&w->p.end, obs, len);
		return 1;
	}
	snprintf(obs, len, "still running (%s done)",
		 fmt_size(done, sizeof(done), atomic_load(&w->p.sh->bytes)));
	*settled = 0;
	return 0;
}

static int e_killed_by(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		       struct mlab_err *e)
{
	struct eng_wl *w = started_wl(g, c->wl.id, obs, len, e);

	if (!w)
		return -ENOENT;
	return wl_ended(w, obs, len, settled) && !w->p.end.exited && w->p.end.signo == c->wl.signo;
}

static int e_exited(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		    struct mlab_err *e)
{
	struct eng_wl *w = started_wl(g, c->wl.id, obs, len, e);

	if (!w)
		return -ENOENT;
	return wl_ended(w, obs, len, settled) && w->p.end.exited &&
	       (!c->wl.has_code || w->p.end.code == c->wl.code);
}

static int e_ended(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		   struct mlab_err *e)
{
	struct eng_wl *w = started_wl(g, c->wl.id, obs, len, e);

	if (!w)
		return -ENOENT;
	return wl_ended(w, obs, len, settled);
}

/* "phase: message", from the workload's shared page */
static void wl_phase_str(const struct eng_wl *w, char *obs, size_t len)
{
	snprintf(obs, len, "%s%s%s", wl_phase_name(atomic_load(&w->p.sh->phase)),
		 w->p.sh->errmsg[0] ? ": " : "", w->p.sh->errmsg);
}

static int e_failed_with(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
			 int *settled, struct mlab_err *e)
{
	struct eng_wl *w = started_wl(g, c->wl.id, obs, len, e);

	if (!w)
		return -ENOENT;
	wl_phase_str(w, obs, len);
	if (atomic_load(&w->p.sh->phase) == WL_FAILED)
		return w->p.sh->err == c->wl.err;
	*settled = wl_poll_end(&w->p);
	if (*settled) /* ended without failing: say how, not its last phase */
		wl_end_str(&w->p.end, obs, len);
	return 0;
}

/* For paused and running: 1 paused, 0 running, -1 neither (ended, which
 * is final, or unreadable). */
static int pause_state(struct eng_wl *w, char *obs, size_t len, int *settled)
{
	char wchan[128] = "", done[32];
	int paused = wl_paused(&w->p, wchan, sizeof(wchan));

	if (wl_poll_end(&w->p)) {
		wl_end_str(&w->p.end, obs, len);
		return -1;
	}
	*settled = 0;
	fmt_size(done, sizeof(done), atomic_load(&w->p.sh->bytes));
	if (paused == 1)
		snprintf(obs, len, "paused in %s at %s", wchan, done);
	else
		snprintf(obs, len, "running (%s done)", done);
	return paused == 1 ? 1 : paused == 0 ? 0 : -1;
}

static int e_paused(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		    struct mlab_err *e)
{
	struct eng_wl *w = started_wl(g, c->wl.id, obs, len, e);

	return w ? pause_state(w, obs, len, settled) == 1 : -ENOENT;
}

static int e_running(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		     struct mlab_err *e)
{
	struct eng_wl *w = started_wl(g, c->wl.id, obs, len, e);

	return w ? pause_state(w, obs, len, settled) == 0 : -ENOENT;
}

static int e_holding(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		     struct mlab_err *e)
{
	struct eng_wl *w = started_wl(g, c->wl.id, obs, len, e);

	if (!w)
		return -ENOENT;
	wl_phase_str(w, obs, len);
	if (wl_poll_end(&w->p)) { /* a killed holder leaves its phase behind */
		wl_end_str(&w->p.end, obs, len);
		return 0;
	}
	*settled = 0;
	return atomic_load(&w->p.sh->phase) == WL_HOLDING;
}

static int e_latency(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		     struct mlab_err *e)
{
	struct eng_wl *w = started_wl(g, c->latency.id, obs, len, e);
	uint64_t v;

	if (!w)
		return -ENOENT;
	v = lat_percentile(&w->p.sh->lat, (int)c->latency.pct);
	snprintf(obs, len, "p%u %.1f us over %llu steps", c->latency.pct, (double)v / 1e3,
		 (unsigned long long)w->p.sh->lat.count);
	*settled = wl_poll_end(&w->p);
	return w->p.sh->lat.count && scn_cmp_ok(c->latency.cmp, v, c->latency.bound_ns, 0);
}

/* `event G KIND count OP N`: the counter file is the authority where
 * there is one (v2 memory.events: a notification may still be in flight,
 * the counter is not); else the notifications themselves are the count
 * (v1 eventfds count exactly, as do the harness's own observations). */
static int e_event_count(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
			 int *settled, struct mlab_err *e)
{
	const char *kind = c->event.kind;
	uint64_t notes = scn_event_count(g->res, c->event.group, kind, NULL), n = notes;
	int gi = eng_group_index(g, c->event.group), holds, ret;

	(void)e;
	ret = gi >= 0 ? ev_counter(&g->ev, gi, kind, &n) : -ENOENT;
	if (!ret)
		snprintf(obs, len, "%llu %s (memory.events), %llu notification%s",
			 (unsigned long long)n, kind, (unsigned long long)notes,
			 notes == 1 ? "" : "s");
	else
		snprintf(obs, len, "%llu %s event%s", (unsigned long long)n, kind,
			 n == 1 ? "" : "s");
	holds = scn_event_count_judge(c->event.cmp, n, c->event.count, settled);
	if (gi >= 0 && !g->g[gi].alive)
		*settled = 1; /* no more events from a removed group */
	return holds;
}

static int e_event_before(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
			  int *settled, struct mlab_err *e)
{
	(void)e;
	return scn_event_before_judge(g->res, c->event.group, c->event.kind, c->event.later,
				      settled, obs, len);
}

static int e_event_within(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
			  int *settled, struct mlab_err *e)
{
	struct eng_wl *x = started_wl(g, c->event.wl, obs, len, e);
	double near;
	int holds;

	if (!x)
		return -ENOENT;
	if (!wl_poll_end(&x->p)) {
		snprintf(obs, len, "%s has not ended", c->event.wl);
		return 0; /* judged at once: the line is about an end */
	}
	holds =
	    scn_event_within_judge(g->res, c->event.group, c->event.kind,
				   eng_at_s(g, x->p.started_ns), eng_at_s(g, x->p.end.at_ns),
				   (double)c->event.within_ns / 1e9, eng_since(g), settled, &near);
	if (near < 0)
		snprintf(obs, len, "no %s notification since %s started", c->event.kind,
			 c->event.wl);
	else
		snprintf(obs, len, "%.1f ms from the end of %s", near * 1e3, c->event.wl);
	return holds;
}

/* kmsg / no-kmsg: the kernel log since the scenario began */
static int e_kmsg(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		  struct mlab_err *e)
{
	(void)e;
	eng_drain_kmsg(g);
	*settled = 0; /* more lines may come */
	for (int i = 0; i < g->res->nkmsg; i++)
		if (strstr(g->res->kmsg[i], c->log.text)) {
			snprintf(obs, len, "logged: %s", g->res->kmsg[i]);
			return c->kind == SK_KMSG;
		}
	snprintf(obs, len,
		 g->have_kmsg ? "not in the %d kernel-log lines seen"
			      : "kernel log unreadable (%d lines)",
		 g->res->nkmsg);
	return c->kind == SK_NO_KMSG && g->have_kmsg;
}

/* boot-kmsg / no-boot-kmsg: the kernel log since boot */
static int e_boot_kmsg(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		       struct mlab_err *e)
{
	char line[512];
	int from_boot, found = kmsg_search_boot(c->log.text, line, sizeof(line), &from_boot);

	(void)g;
	(void)settled;
	(void)e;
	if (found < 0) {
		snprintf(obs, len, "kernel log unreadable: %s", strerror(-found));
		return 0;
	}
	if (found)
		snprintf(obs, len, "logged since boot: %s", line);
	else
		snprintf(obs, len,
			 from_boot ? "not in the kernel log since boot"
				   : "not in the kernel log, which no longer reaches back to boot");
	/* absence is known only while the log is whole */
	return c->kind == SK_BOOT_KMSG ? found : !found && from_boot;
}

static int e_errno(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		   struct mlab_err *e)
{
	(void)settled;
	(void)e;
	if (!g->tried) {
		snprintf(obs, len, "no try before this line");
		return 0;
	}
	snprintf(obs, len, "%s", g->last_errno ? scn_errno_name(g->last_errno) : "ok");
	return (g->last_errno == c->tried.err) == (c->tried.cmp == SC_EQ);
}

/* The group of a file condition, or NULL with what was seen: a removed
 * group's files are gone for good. */
static struct eng_group *file_group(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
				    struct mlab_err *e)
{
	struct eng_group *x = eng_group(g, c->file.group);

	if (x && x->alive)
		return x;
	snprintf(obs, len, "group %s is gone", c->file.group);
	err_set(e, ENOENT, "group %s is gone", c->file.group);
	return NULL;
}

/* Does the group's file hold @word among its blank-separated words? 1 yes,
 * 0 no, -errno unreadable (with what was seen in @obs). */
static int file_has_word(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
			 int *settled, struct mlab_err *e)
{
	struct eng_group *x = file_group(g, c, obs, len, e);
	char text[4096], *save = NULL;
	int ret;

	if (!x)
		return -ENOENT;
	*settled = 0;
	ret = cg_read_raw(&x->cg, c->file.name, text, sizeof(text), e);
	if (ret == -EOPNOTSUPP) /* no such file: waited for, or judged false */
		ret = -ENOENT;
	if (!ret && strlen(text) == sizeof(text) - 1)
		ret =
		    err_set(e, EFBIG, "%s: longer than %zu bytes", c->file.name, sizeof(text) - 1);
	if (ret) {
		snprintf(obs, len, "%s", e->msg);
		return ret;
	}
	text[sizeof(text) - 1] = 0;
	if (text[0] && text[strlen(text) - 1] == '\n')
		text[strlen(text) - 1] = 0;
	snprintf(obs, len, "%s: \"%.200s\"", c->file.name, text);
	for (char *p = obs; *p; p++) /* several lines read as one */
		if (*p == '\n')
			*p = ' ';
	for (char *w = strtok_r(text, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		if (!strcmp(w, c->file.word))
			return 1;
	return 0;
}

/* file ... has WORD / lacks WORD */
static int e_file_word(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		       struct mlab_err *e)
{
	int ret = file_has_word(g, c, obs, len, settled, e);
	return ret < 0 ? ret : ret == (c->kind == SK_FILE_HAS);
}

static int file_there(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		      struct mlab_err *e)
{
	struct eng_group *x = file_group(g, c, obs, len, e);
	int there;

	if (!x)
		return -ENOENT;
	*settled = 0;
	there = cg_has_file(&x->cg, c->file.name);
	snprintf(obs, len, "%s %s", c->file.name, there ? "exists" : "is absent");
	return there;
}

/* file ... exists / absent */
static int e_file_state(struct eng *g, const struct scn_cond *c, char *obs, size_t len,
			int *settled, struct mlab_err *e)
{
	int ret = file_there(g, c, obs, len, settled, e);
	return ret < 0 ? ret : ret == (c->kind == SK_FILE_EXISTS);
}

static cond_eval_fn *const cond_eval[] = {
#define COND_EVAL(KIND, form, word, waitable, usage, parse, eval) [SK_##KIND] = eval,
    SCN_CONDITIONS(COND_EVAL)
#undef COND_EVAL
};

int scn_cond_eval(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		  struct mlab_err *e)
{
	*settled = 1;
	return cond_eval[c->kind](g, c, obs, len, settled, e);
}
