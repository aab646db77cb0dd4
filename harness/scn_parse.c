/* The .scn parser: one step a line, checked completely before anything
 * runs. Every error is "file:line: message". See scenarios/README.md. */
#define _GNU_SOURCE // sigabbrev_np
#include "scn.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "kfact.h"

#define MAX_TOKS SCN_MAX_WORDS

/* The parse of one file: everything the parser keeps, so that parses can
 * run side by side. */
struct pctx {
	struct scn *s;
	const char *path;
	int line;
	struct mlab_err *e;
	int in_steps;
	char toks[MAX_TOKS][SCN_TOK]; /* the current line's words */
	/* which of them were quoted: a quoted word is text, never an option
	 * such as timeout= or tol= */
	int quoted[MAX_TOKS];
	char settle[SCN_TOK]; /* the current line's settle=, as written */
	int has_settle;
	struct scn_step step; /* the current line's step */
};

static int perr(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct pctx *c, const char *fmt, ...)
{
	char msg[MLAB_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(c->e, EINVAL, "%s:%d: %s", c->path, c->line, msg);
}

/* --- names ------------------------------------------------------------------ */

static const struct {
	const char *name;
	int num;
} errnos[] = {
    {"EINVAL", EINVAL},
    {"EBUSY", EBUSY},
    {"ENOMEM", ENOMEM},
    {"EPERM", EPERM},
    {"EACCES", EACCES},
    {"ENOENT", ENOENT},
    {"ENOSPC", ENOSPC},
    {"EIO", EIO},
    {"EAGAIN", EAGAIN},
    {"EEXIST", EEXIST},
    {"ENOTEMPTY", ENOTEMPTY},
    {"EOPNOTSUPP", EOPNOTSUPP},
    {"ENODEV", ENODEV},
    {"EINTR", EINTR},
    {"E2BIG", E2BIG},
    {"ERANGE", ERANGE},
    {"ESRCH", ESRCH},
    {"EBADF", EBADF},
    {"EISDIR", EISDIR},
    /* the kernel's own "not supported" (no libc name): what v1
     * kmem.limit_in_bytes gave on 5.16 to 6.0 */
    {"ENOTSUPP", 524},
    {"ok", 0},
};

int scn_errno_num(const char *s)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, s))
			return errnos[i].num;
	return -1;
}

const char *scn_errno_name(int err)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].num == err)
			return errnos[i].name;
	return "E?";
}

int scn_signal_num(const char *s)
{
	const char *n = !strncmp(s, "SIG", 3) ? s + 3 : s;

	if (isdigit((unsigned char)*n)) {
		char *end;
		long v = strtol(n, &end, 10);
		return !*end && v > 0 && v < NSIG ? (int)v : -1;
	}
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && !strcmp(abbrev, n))
			return i;
	}
	return -1;
}

/* in enum scn_cmp's order */
static const char *const cmp_words[] = {"==", "!=", "<", "<=", ">", ">=", "~="};

const char *scn_cmp_str(enum scn_cmp c)
{
	return cmp_words[c];
}

int scn_cmp_ok(enum scn_cmp c, uint64_t l, uint64_t r, uint64_t tol)
{
	switch (c) {
	case SC_EQ:
		return l == r;
	case SC_NE:
		return l != r;
	case SC_LT:
		return l < r;
	case SC_LE:
		return l <= r;
	case SC_GT:
		return l > r;
	case SC_GE:
		return l >= r;
	case SC_APPROX:
		return (l > r ? l - r : r - l) <= tol;
	}
	return 0;
}

static int parse_cmp(const char *t, enum scn_cmp *c)
{
	for (size_t i = 0; i < sizeof(cmp_words) / sizeof(cmp_words[0]); i++)
		if (!strcmp(t, cmp_words[i])) {
			*c = (enum scn_cmp)i;
			return 0;
		}
	return -1;
}

static int valid_ident(const char *s)
{
	if (!*s || strlen(s) >= SCN_NAME)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static int find_group(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->ngroups; i++)
		if (!strcmp(s->groups[i], name))
			return i;
	return -1;
}

static int find_wl(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nwls; i++)
		if (!strcmp(s->wls[i], name))
			return i;
	return -1;
}

static int find_variant(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nvariants; i++)
		if (!strcmp(s->variants[i].name, name))
			return i;
	return -1;
}

/* Words a group, workload or open file may not be called: they begin a
 * condition (`kmsg "x"`, `event G ...`, `file G ...`) or a kernel fact. */
static int reserved_name(const char *name)
{
	static const char *const words[] = {"kernel",	 "event",	 "file",  "kmsg", "no-kmsg",
					    "boot-kmsg", "no-boot-kmsg", "errno", NULL};
	for (int i = 0; words[i]; i++)
		if (!strcmp(name, words[i]))
			return 1;
	return 0;
}

static int find_open(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nopens; i++)
		if (!strcmp(s->opens[i], name))
			return i;
	return -1;
}

static int has_var(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nvars; i++)
		if (!strcmp(s->vars[i], name))
			return 1;
	return 0;
}

/* --- tokens ----------------------------------------------------------------- */

/* Split @line into tokens: blanks separate, "double quotes" group (with \"
 * and \\), '#' at the start of a token ends the line. */
static int tokenize(struct pctx *c, char *line, char toks[][SCN_TOK], int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		size_t len = 0;
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return perr(c, "too many words on one line (at most %d)", max);
		c->quoted[n] = *p == '"';
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				if (len + 1 >= SCN_TOK)
					return perr(c, "quoted text too long");
				toks[n][len++] = *p++;
			}
			if (*p != '"')
				return perr(c, "unterminated quote");
			p++;
			if (*p && *p != ' ' && *p != '\t' && *p != '\r')
				return perr(c, "text right after a closing quote");
		} else {
			while (*p && *p != ' ' && *p != '\t' && *p != '\r') {
				if (len + 1 >= SCN_TOK)
					return perr(c, "word too long");
				toks[n][len++] = *p++;
			}
		}
		toks[n][len] = 0;
		n++;
	}
}

/* Rest of the line from token @i on, joined by single spaces. */
static void join_from(char toks[][SCN_TOK], int n, int i, char *out, size_t len)
{
	size_t used = 0;
	out[0] = 0;
	for (; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", used ? " " : "", toks[i]);
}

/* --- values ----------------------------------------------------------------- */

static int parse_dur(struct pctx *c, const char *t, uint64_t *ns)
{
	struct mlab_err e;
	if (parse_duration_ns(t, ns, &e))
		return perr(c, "%s", e.msg);
	return 0;
}

static int parse_sz(struct pctx *c, const char *t, uint64_t *v)
{
	struct mlab_err e;
	if (parse_size(t, v, &e))
		return perr(c, "%s", e.msg);
	return 0;
}

/* p50 p90 p99: step latency percentiles in ns, to compare two workloads */
static const char *const wl_fields[] = {"progress", "steps", "rate", "vmrss", "rssanon", "rssfile",
					"rssshmem", "p50",   "p90",  "p99",   NULL};

static int parse_term(struct pctx *c, const char *t, struct scn_term *term)
{
	const char *dot = strchr(t, '.');
	struct mlab_err e;

	memset(term, 0, sizeof(*term));
	if (t[0] == '$') {
		term->kind = ST_VAR;
		if (!valid_ident(t + 1))
			return perr(c, "bad variable name '%s'", t);
		if (!has_var(c->s, t + 1))
			return perr(c, "%s was not saved above (save NAME EXPRESSION)", t);
		snprintf(term->name, sizeof(term->name), "%s", t + 1);
		return 0;
	}
	if (!strncmp(t, "kernel.", 7)) {
		term->kind = ST_KERNEL;
		snprintf(term->name, sizeof(term->name), "kernel");
		snprintf(term->field, sizeof(term->field), "%s", t + 7);
		if (!kfact_find(t + 7)) {
			char names[256] = "";
			for (const struct kfact *f = kfacts; f->name; f++)
				snprintf(names + strlen(names), sizeof(names) - strlen(names),
					 "%s%s", f == kfacts ? "" : ", ", f->name);
			return perr(c, "no kernel fact '%s' (%s)", t + 7, names);
		}
		return 0;
	}
	if (dot && !isdigit((unsigned char)t[0])) {
		size_t n = (size_t)(dot - t);
		char name[SCN_NAME];
		if (n >= sizeof(name))
			return perr(c, "name too long in '%s'", t);
		memcpy(name, t, n);
		name[n] = 0;
		if (strlen(dot + 1) >= sizeof(term->field))
			return perr(c, "'%s' is too long after the '.'", t);
		snprintf(term->name, sizeof(term->name), "%s", name);
		snprintf(term->field, sizeof(term->field), "%s", dot + 1);
		if (find_wl(c->s, name) >= 0) {
			term->kind = ST_WL;
			for (int i = 0; wl_fields[i]; i++)
				if (!strcmp(wl_fields[i], dot + 1))
					return 0;
			return perr(c,
				    "workload '%s' has no value '%s' (progress, steps, rate, "
				    "vmrss, rssanon, rssfile, rssshmem, p50, p90, p99)",
				    name, dot + 1);
		}
		if (find_open(c->s, name) >= 0) {
			term->kind = ST_OPEN;
			if (strcmp(dot + 1, "value"))
				return perr(c, "'%s' is an open file: its only value is %s.value",
					    name, name);
			return 0;
		}
		if (find_group(c->s, name) >= 0) {
			term->kind = ST_GROUP;
			if (!cg_name_find(dot + 1) && !strchr(dot + 1, '.') &&
			    strcmp(dot + 1, "tasks"))
				return perr(c,
					    "'%s' is neither a portable name nor a control file "
					    "(memory.*)",
					    dot + 1);
			return 0;
		}
		return perr(c, "'%s' is not a group, workload or open file declared above", name);
	}
	term->kind = ST_LIT;
	if (!strcmp(t, "unlimited") || !strcmp(t, "max")) {
		term->lit = CG_UNLIMITED;
		return 0;
	}
	if (parse_size(t, &term->lit, &e))
		return perr(c,
			    "'%s' is not a value (a size such as 4M, a number, $var, "
			    "GROUP.counter or WORKLOAD.progress)",
			    t);
	return 0;
}

/* EXPR: TERM [(+|-) TERM]... from toks[i, end). */
static int parse_expr(struct pctx *c, char toks[][SCN_TOK], int i, int end, struct scn_expr *x)
{
	int neg = 0;

	memset(x, 0, sizeof(*x));
	if (i >= end)
		return perr(c, "missing value");
	join_from(toks, end, i, x->text, sizeof(x->text));
	for (; i < end; i++) {
		if (x->n == SCN_MAX_TERMS)
			return perr(c, "expression too long (at most %d terms)", SCN_MAX_TERMS);
		if (parse_term(c, toks[i], &x->t[x->n]))
			return -EINVAL;
		x->t[x->n++].neg = neg;
		if (i + 1 == end)
			break;
		if (strcmp(toks[i + 1], "+") && strcmp(toks[i + 1], "-"))
			return perr(c, "expected + or - after '%s', got '%s'", toks[i],
				    toks[i + 1]);
		neg = toks[i + 1][0] == '-';
		i++;
		if (i + 1 == end)
			return perr(c, "missing value after '%s'", toks[i]);
	}
	return 0;
}

/* Event kinds, and the watch each needs above it ("" = none: the harness's
 * own observations). */
static const struct {
	const char *kind, *watch, *level;
} event_kinds[] = {
    {"oom", "oom", ""},
    {"oom_kill", "oom", ""},
    {"oom_group_kill", "oom", ""},
    {"max", "oom", ""},
    {"high", "oom", ""},
    {"low", "oom", ""},
    {"threshold", "threshold", ""},
    {"pressure-low", "pressure", "low"},
    {"pressure-medium", "pressure", "medium"},
    {"pressure-critical", "pressure", "critical"},
    {"start", "", ""},
    {"exit", "", ""},
    {"killed", "", ""},
    {"paused", "", ""},
    {"resumed", "", ""},
};
#define N_EVENT_KINDS (sizeof(event_kinds) / sizeof(event_kinds[0]))

/* "oom, oom_kill, ...": the kinds, for a message */
static const char *event_kind_list(char *buf, size_t len)
{
	buf[0] = 0;
	for (size_t i = 0; i < N_EVENT_KINDS; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
			 event_kinds[i].kind);
	return buf;
}

static int event_kind(const char *k)
{
	for (size_t i = 0; i < N_EVENT_KINDS; i++)
		if (!strcmp(event_kinds[i].kind, k))
			return (int)i + 1;
	return 0;
}

/* 0 if events of @kind in @group are watched by a step above (or need no
 * watch), else a parse error naming the watch. */
static int check_watched(struct pctx *c, const char *group, const char *kind)
{
	int k = event_kind(kind) - 1;

	if (k < 0 || !event_kinds[k].watch[0])
		return 0;
	for (int i = 0; i < c->s->nsteps; i++) {
		const struct scn_step *w = &c->s->steps[i];
		if (w->op == SO_WATCH && !strcmp(w->watch.group, group) &&
		    !strcmp(w->watch.kind, event_kinds[k].watch) &&
		    !strcmp(w->watch.level, event_kinds[k].level))
			return 0;
	}
	return perr(c, "no 'watch %s %s%s%s' above: %s events are not recorded without it", group,
		    event_kinds[k].watch, event_kinds[k].level[0] ? " " : "", event_kinds[k].level,
		    kind);
}

/* Trailing key=value options of a line (timeout=, tol=, count=): strips
 * them from the token count. */
static int take_opt(struct pctx *c, char toks[][SCN_TOK], int *n, const char *key, char *out,
		    size_t len)
{
	size_t kl = strlen(key);
	for (int i = 0; i < *n; i++) {
		if (c->quoted[i] || strncmp(toks[i], key, kl) || toks[i][kl] != '=')
			continue;
		snprintf(out, len, "%s", toks[i] + kl + 1);
		for (int j = i; j + 1 < *n; j++) {
			memcpy(toks[j], toks[j + 1], SCN_TOK);
			c->quoted[j] = c->quoted[j + 1];
		}
		(*n)--;
		return 1;
	}
	return 0;
}

static int parse_tol(struct pctx *c, const char *t, struct scn_cond *cd)
{
	size_t l = strlen(t);
	if (l > 1 && t[l - 1] == '%') {
		char num[32];
		uint64_t v;
		struct mlab_err e;
		if (l - 1 >= sizeof(num))
			return perr(c, "bad tolerance '%s'", t);
		memcpy(num, t, l - 1);
		num[l - 1] = 0;
		if (parse_uint(num, 1000, &v, &e))
			return perr(c, "bad tolerance '%s': %s", t, e.msg);
		cd->compare.tol_pct = (unsigned)v;
		return 0;
	}
	return parse_sz(c, t, &cd->compare.tol);
}

/* --- conditions: one parse function per row of SCN_CONDITIONS ---------------
 * Each takes the words toks[i, n) after the condition's own word, which is
 * toks[i - 1]; in a workload's form toks[i - 2] is the workload's id. */

static int c_compare(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	int cmp_at = -1;

	for (int j = i; j < n; j++)
		if (!parse_cmp(toks[j], &cd->compare.cmp)) {
			cmp_at = j;
			break;
		}
	if (cmp_at < 0)
		return perr(c, "no comparison (==, !=, <, <=, >, >=, ~=) in '%s'", toks[i]);
	if (parse_expr(c, toks, i, cmp_at, &cd->compare.lhs) ||
	    parse_expr(c, toks, cmp_at + 1, n, &cd->compare.rhs))
		return -EINVAL;
	return 0;
}

static int c_killed_by(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	snprintf(cd->wl.id, sizeof(cd->wl.id), "%s", toks[i - 2]);
	if (n - i != 1 || (cd->wl.signo = scn_signal_num(toks[i])) < 0)
		return perr(c, "expected: %s killed-by SIGNAL", toks[i - 2]);
	return 0;
}

static int c_exited(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	uint64_t v;
	struct mlab_err e;

	snprintf(cd->wl.id, sizeof(cd->wl.id), "%s", toks[i - 2]);
	if (n == i)
		return 0;
	if (n - i != 1)
		return perr(c, "expected: %s exited [CODE]", toks[i - 2]);
	if (parse_uint(toks[i], 255, &v, &e))
		return perr(c, "exit code: %s", e.msg);
	cd->wl.code = (int)v;
	cd->wl.has_code = 1;
	return 0;
}

/* ended, paused, running, holding: a state, nothing after it */
static int c_no_more(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	snprintf(cd->wl.id, sizeof(cd->wl.id), "%s", toks[i - 2]);
	if (n != i)
		return perr(c, "expected nothing after '%s'", toks[i - 1]);
	return 0;
}

static int c_failed_with(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	snprintf(cd->wl.id, sizeof(cd->wl.id), "%s", toks[i - 2]);
	if (n - i != 1 || (cd->wl.err = scn_errno_num(toks[i])) <= 0)
		return perr(c, "expected: %s failed-with ERRNO (ENOMEM ...)", toks[i - 2]);
	return 0;
}

static int c_latency(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	uint64_t pct;
	struct mlab_err e;

	snprintf(cd->latency.id, sizeof(cd->latency.id), "%s", toks[i - 2]);
	if (n - i != 3 || toks[i][0] != 'p' || parse_uint(toks[i] + 1, 100, &pct, &e) ||
	    parse_cmp(toks[i + 1], &cd->latency.cmp) || cd->latency.cmp == SC_APPROX)
		return perr(c, "expected: %s latency pNN OP DURATION (p50, p99, p100)",
			    toks[i - 2]);
	cd->latency.pct = (unsigned)pct;
	return parse_dur(c, toks[i + 2], &cd->latency.bound_ns);
}

static int event_tail_usage(struct pctx *c)
{
	return perr(c, "after 'event GROUP KIND': count OP N, before KIND, or within DURATION of "
		       "WORKLOAD end");
}

static int c_event_count(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	uint64_t v;
	struct mlab_err e;

	if (n - i != 2)
		return event_tail_usage(c);
	if (parse_cmp(toks[i], &cd->event.cmp) || cd->event.cmp == SC_APPROX)
		return perr(c, "bad comparison '%s'", toks[i]);
	if (parse_uint(toks[i + 1], 1000000, &v, &e))
		return perr(c, "event count: %s", e.msg);
	cd->event.count = (unsigned)v;
	return 0;
}

static int c_event_before(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	char kinds[256];

	if (n - i != 1)
		return event_tail_usage(c);
	if (!event_kind(toks[i]))
		return perr(c, "unknown event kind '%s' (%s)", toks[i],
			    event_kind_list(kinds, sizeof(kinds)));
	if (check_watched(c, cd->event.group, toks[i]))
		return -EINVAL;
	snprintf(cd->event.later, sizeof(cd->event.later), "%s", toks[i]);
	return 0;
}

static int c_event_within(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	if (n - i != 4 || strcmp(toks[i + 1], "of") || strcmp(toks[i + 3], "end"))
		return event_tail_usage(c);
	if (find_wl(c->s, toks[i + 2]) < 0)
		return perr(c, "'%s' is not a workload started above", toks[i + 2]);
	snprintf(cd->event.wl, sizeof(cd->event.wl), "%s", toks[i + 2]);
	return parse_dur(c, toks[i], &cd->event.within_ns);
}

static int c_log_text(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	if (n - i != 1 || !toks[i][0])
		return perr(c, "expected: %s \"text\"", toks[i - 1]);
	snprintf(cd->log.text, sizeof(cd->log.text), "%s", toks[i]);
	return 0;
}

static int c_errno(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	if (n - i != 2 || parse_cmp(toks[i], &cd->tried.cmp) ||
	    (cd->tried.cmp != SC_EQ && cd->tried.cmp != SC_NE))
		return perr(c, "expected: errno == NAME or errno != NAME");
	cd->tried.err = scn_errno_num(toks[i + 1]);
	if (cd->tried.err < 0)
		return perr(c, "unknown errno name '%s'", toks[i + 1]);
	return 0;
}

/* file GROUP FILE has|lacks WORD */
static int c_file_word(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	if (n - i != 1 || !toks[i][0] || strpbrk(toks[i], " \t"))
		return perr(c, "expected: file GROUP FILE %s WORD", toks[i - 1]);
	snprintf(cd->file.word, sizeof(cd->file.word), "%s", toks[i]);
	return 0;
}

/* file GROUP FILE exists|absent */
static int c_file_state(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	(void)cd;
	if (n != i)
		return perr(c, "expected nothing after '%s'", toks[i - 1]);
	return 0;
}

typedef int cond_parse_fn(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd);

static const struct cond_def {
	enum scn_check kind;
	enum scn_cond_form form;
	const char *word;
	int waitable;
	const char *usage;
	cond_parse_fn *parse;
} conds[] = {
#define COND_ROW(KIND, form, word, waitable, usage, parse, eval)                                   \
	{SK_##KIND, form, word, waitable, usage, parse},
    SCN_CONDITIONS(COND_ROW)
#undef COND_ROW
};

/* The row of the condition whose word @word stands in @form, or NULL. */
static const struct cond_def *cond_find(enum scn_cond_form form, const char *word)
{
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		if (conds[i].form == form && !strcmp(conds[i].word, word))
			return &conds[i];
	return NULL;
}

static int cond_waitable(enum scn_check kind)
{
	return conds[kind].waitable;
}

/* event GROUP KIND [count OP N | before KIND2 | within DURATION of ID end] */
static int parse_event_cond(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	const struct cond_def *d;
	char kinds[256];

	if (n - i < 3)
		return perr(c, "expected: event GROUP KIND [count OP N | before KIND | within "
			       "DURATION of WORKLOAD end]");
	if (find_group(c->s, toks[i + 1]) < 0)
		return perr(c, "'%s' is not a group declared above", toks[i + 1]);
	if (!event_kind(toks[i + 2]))
		return perr(c, "unknown event kind '%s' (%s)", toks[i + 2],
			    event_kind_list(kinds, sizeof(kinds)));
	if (check_watched(c, toks[i + 1], toks[i + 2]))
		return -EINVAL;
	snprintf(cd->event.group, sizeof(cd->event.group), "%s", toks[i + 1]);
	snprintf(cd->event.kind, sizeof(cd->event.kind), "%s", toks[i + 2]);
	i += 3;
	if (i == n) { /* event G KIND: at least one */
		cd->kind = SK_EVENT_COUNT;
		cd->event.cmp = SC_GE;
		cd->event.count = 1;
		return 0;
	}
	d = cond_find(CF_EVENT, toks[i]);
	if (!d)
		return event_tail_usage(c);
	cd->kind = d->kind;
	return d->parse(c, toks, i + 1, n, cd);
}

/* file GROUP FILE has WORD | lacks WORD | exists | absent */
static int parse_file_cond(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	const struct cond_def *d = n - i >= 4 ? cond_find(CF_FILE, toks[i + 3]) : NULL;

	if (!d)
		return perr(c, "expected: file GROUP FILE has WORD | lacks WORD | exists | absent");
	if (find_group(c->s, toks[i + 1]) < 0)
		return perr(c, "'%s' is not a group declared above", toks[i + 1]);
	if (strchr(toks[i + 2], '/') || !strcmp(toks[i + 2], "..") || !toks[i + 2][0])
		return perr(c, "'%s' is not a control file name", toks[i + 2]);
	snprintf(cd->file.group, sizeof(cd->file.group), "%s", toks[i + 1]);
	snprintf(cd->file.name, sizeof(cd->file.name), "%s", toks[i + 2]);
	cd->kind = d->kind;
	return d->parse(c, toks, i + 4, n, cd);
}

/* A condition, for expect / wait / pick, from toks[i, n): by its first
 * word, by the word after a workload's id, else a comparison. */
static int parse_cond(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	const struct cond_def *d;

	memset(cd, 0, sizeof(*cd));
	if (i >= n)
		return perr(c, "missing condition");
	if (!strcmp(toks[i], "event"))
		return parse_event_cond(c, toks, i, n, cd);
	if (!strcmp(toks[i], "file"))
		return parse_file_cond(c, toks, i, n, cd);
	d = cond_find(CF_LEAD, toks[i]);
	if (d) {
		cd->kind = d->kind;
		return d->parse(c, toks, i + 1, n, cd);
	}
	if (find_wl(c->s, toks[i]) >= 0 && n - i >= 2 && !strchr(toks[i], '.')) {
		d = cond_find(CF_WORKLOAD, toks[i + 1]);
		if (d) {
			cd->kind = d->kind;
			return d->parse(c, toks, i + 2, n, cd);
		}
	}
	cd->kind = SK_COMPARE;
	return c_compare(c, toks, i, n, cd);
}

/* --- lines -------------------------------------------------------------------- */

static int want(struct pctx *c, int n, int lo, int hi, const char *usage)
{
	if (n < lo || n > hi)
		return perr(c, "usage: %s", usage);
	return 0;
}

static int need_group(struct pctx *c, const char *name)
{
	if (find_group(c->s, name) < 0)
		return perr(c, "'%s' is not a group declared above", name);
	return 0;
}

static int need_wl(struct pctx *c, const char *name)
{
	if (find_wl(c->s, name) < 0)
		return perr(c, "'%s' is not a workload started above", name);
	return 0;
}

static int parse_settings(struct pctx *c, char toks[][SCN_TOK], int i, int n,
			  struct scn_settings *set)
{
	for (; i < n; i++) {
		char *eq = strchr(toks[i], '=');
		if (!eq || eq == toks[i] || !eq[1])
			return perr(c, "expected NAME=VALUE, got '%s'", toks[i]);
		if (set->n == SCN_MAX_ARGS)
			return perr(c, "too many settings");
		*eq = 0;
		if (!cg_name_find(toks[i]) && !strchr(toks[i], '.'))
			return perr(c, "'%s' is neither a portable name nor a control file",
				    toks[i]);
		if (strlen(toks[i]) >= sizeof(set->kv[0].key) ||
		    strlen(eq + 1) >= sizeof(set->kv[0].val))
			return perr(c, "'%s=%s' is too long", toks[i], eq + 1);
		snprintf(set->kv[set->n].key, sizeof(set->kv[0].key), "%s", toks[i]);
		snprintf(set->kv[set->n].val, sizeof(set->kv[0].val), "%s", eq + 1);
		set->n++;
	}
	return 0;
}

static int add_group(struct pctx *c, const char *name)
{
	const char *slash = strrchr(name, '/');
	char parent[SCN_NAME];

	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '/')
			return perr(c,
				    "bad group name '%s' (letters, digits, _ - and / for nesting)",
				    name);
	if (!*name || strlen(name) >= SCN_NAME || name[0] == '/' || strstr(name, "//") ||
	    name[strlen(name) - 1] == '/')
		return perr(c, "bad group name '%s'", name);
	if (find_group(c->s, name) >= 0 || find_wl(c->s, name) >= 0 || find_open(c->s, name) >= 0)
		return perr(c, "'%s' is already declared", name);
	if (reserved_name(name))
		return perr(c, "'%s' is a word of the language, not a name", name);
	if (slash) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - name), name);
		if (find_group(c->s, parent) < 0)
			return perr(c, "group '%s' needs its parent '%s' declared first", name,
				    parent);
	}
	if (c->s->ngroups == 16)
		return perr(c, "too many groups (at most 16)");
	snprintf(c->s->groups[c->s->ngroups++], SCN_NAME, "%s", name);
	return 0;
}

static int no_workload(struct pctx *c, const char *name)
{
	char names[128] = "";

	for (int k = 0; wl_all[k]; k++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 k ? ", " : "", wl_all[k]->name);
	return perr(c, "no workload '%s' (%s)", name, names);
}

/* start's options, checked by the workload's own table as the engine will
 * set them (file=@ID: the same file as workload ID, two readers of one). */
static int parse_wl_opts(struct pctx *c, const struct wl_def *d, char toks[][SCN_TOK], int i, int n,
			 struct scn_settings *opts)
{
	struct wl_opts o;
	struct mlab_err e;

	wl_defaults(d, &o, &e);
	for (; i < n; i++) {
		char *eq = strchr(toks[i], '=');
		if (opts->n == SCN_MAX_ARGS)
			return perr(c, "too many options");
		if (eq)
			*eq = 0;
		if (eq && !strcmp(toks[i], "file") && eq[1] == '@' && find_wl(c->s, eq + 2) < 0)
			return perr(c, "file=%s: no workload '%s' started above", eq + 1, eq + 2);
		if (wl_set_opt(d, &o, toks[i], eq ? eq + 1 : NULL, &e))
			return perr(c, "%s", e.msg);
		if (eq && strlen(eq + 1) >= sizeof(opts->kv[0].val))
			return perr(c, "%s=%s: the value is too long (at most %zu characters)",
				    toks[i], eq + 1, sizeof(opts->kv[0].val) - 1);
		snprintf(opts->kv[opts->n].key, sizeof(opts->kv[0].key), "%s", toks[i]);
		snprintf(opts->kv[opts->n].val, sizeof(opts->kv[0].val), "%s", eq ? eq + 1 : "yes");
		opts->n++;
	}
	/* the engine gives a pagecache reader with a size a scratch file, so
	 * its file may be missing here; everything else is checked */
	if (d == &wl_pagecache && !o.path[0] && o.size)
		snprintf(o.path, sizeof(o.path), "scratch");
	if (d->check && d->check(&o, &e))
		return perr(c, "%s: %s", d->name, e.msg);
	return 0;
}

static int p_start(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	const struct wl_def *d;

	if (!valid_ident(toks[1]))
		return perr(c, "bad workload id '%s'", toks[1]);
	if (find_wl(c->s, toks[1]) >= 0 || find_group(c->s, toks[1]) >= 0 ||
	    find_open(c->s, toks[1]) >= 0)
		return perr(c, "'%s' is already declared", toks[1]);
	if (reserved_name(toks[1]))
		return perr(c, "'%s' is a word of the language, not a name", toks[1]);
	if (need_group(c, toks[2]))
		return -EINVAL;
	d = wl_find(toks[3]);
	if (!d)
		return no_workload(c, toks[3]);
	snprintf(st->start.id, sizeof(st->start.id), "%s", toks[1]);
	snprintf(st->start.group, sizeof(st->start.group), "%s", toks[2]);
	snprintf(st->start.workload, sizeof(st->start.workload), "%s", toks[3]);
	if (parse_wl_opts(c, d, toks, 4, n, &st->start.opts))
		return -EINVAL;
	if (c->s->nwls == 16)
		return perr(c, "too many workloads (at most 16)");
	snprintf(c->s->wls[c->s->nwls], SCN_NAME, "%s", toks[1]);
	snprintf(c->s->wl_types[c->s->nwls++], SCN_NAME, "%s", d->name);
	return 0;
}

/* A condition with its tol= option, for expect, wait and pick alike. */
static int parse_checked_cond(struct pctx *c, char toks[][SCN_TOK], int i, int n,
			      struct scn_cond *cd)
{
	char tol[SCN_TOK] = "";
	int has_tol = take_opt(c, toks, &n, "tol", tol, sizeof(tol));

	if (parse_cond(c, toks, i, n, cd))
		return -EINVAL;
	if (has_tol && cd->kind != SK_COMPARE)
		return perr(c, "tol= only goes with a comparison");
	if (cd->kind == SK_COMPARE && cd->compare.cmp == SC_APPROX && !has_tol)
		return perr(c, "~= needs a tolerance: tol=SIZE or tol=N%%");
	if (has_tol && parse_tol(c, tol, cd))
		return -EINVAL;
	return 0;
}

static int wl_type_is(const struct scn *s, const char *id, const char *type)
{
	int i = find_wl(s, id);
	return i >= 0 && !strcmp(s->wl_types[i], type);
}

/* --- steps: one parse function per row of SCN_STEPS -----------------------------
 * Each gets the line's words toks[0, n), the step's own first, with the
 * arity checked and the step options taken off. */

static int p_group(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (add_group(c, toks[1]))
		return -EINVAL;
	snprintf(st->set.group, sizeof(st->set.group), "%s", toks[1]);
	return parse_settings(c, toks, 2, n, &st->set.settings);
}

static int p_set(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (need_group(c, toks[1]))
		return -EINVAL;
	snprintf(st->set.group, sizeof(st->set.group), "%s", toks[1]);
	return parse_settings(c, toks, 2, n, &st->set.settings);
}

/* write and try: GROUP FILE VALUE (write ... fails ERRNO is cut off first) */
static int p_write(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_group(c, toks[1]))
		return -EINVAL;
	if (strchr(toks[2], '/') || !strcmp(toks[2], ".."))
		return perr(c, "'%s' is not a control file name", toks[2]);
	snprintf(st->write.group, sizeof(st->write.group), "%s", toks[1]);
	snprintf(st->write.file, sizeof(st->write.file), "%s", toks[2]);
	snprintf(st->write.value, sizeof(st->write.value), "%s", toks[3]);
	return 0;
}

/* rmdir, reclaim, kill: GROUP */
static int p_group_op(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_group(c, toks[1]))
		return -EINVAL;
	snprintf(st->group_op.group, sizeof(st->group_op.group), "%s", toks[1]);
	return 0;
}

/* open NAME GROUP FILE */
static int p_open(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (!valid_ident(toks[1]))
		return perr(c, "bad name '%s' for an open file", toks[1]);
	if (find_open(c->s, toks[1]) >= 0 || find_group(c->s, toks[1]) >= 0 ||
	    find_wl(c->s, toks[1]) >= 0)
		return perr(c, "'%s' is already declared", toks[1]);
	if (reserved_name(toks[1]))
		return perr(c, "'%s' is a word of the language, not a name", toks[1]);
	if (need_group(c, toks[2]))
		return -EINVAL;
	if (strchr(toks[3], '/') || !strcmp(toks[3], ".."))
		return perr(c, "'%s' is not a control file name", toks[3]);
	if (c->s->nopens == 8)
		return perr(c, "too many open files (at most 8)");
	snprintf(c->s->opens[c->s->nopens++], SCN_NAME, "%s", toks[1]);
	snprintf(st->open.name, sizeof(st->open.name), "%s", toks[1]);
	snprintf(st->open.group, sizeof(st->open.group), "%s", toks[2]);
	snprintf(st->open.file, sizeof(st->open.file), "%s", toks[3]);
	return 0;
}

/* fwrite NAME VALUE */
static int p_fwrite(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (find_open(c->s, toks[1]) < 0)
		return perr(c, "'%s' is not a file opened above (open NAME GROUP FILE)", toks[1]);
	snprintf(st->open.name, sizeof(st->open.name), "%s", toks[1]);
	snprintf(st->open.value, sizeof(st->open.value), "%s", toks[2]);
	return 0;
}

static int p_drop_caches(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	st->drop_caches.mode = 3;
	if (n == 2) {
		if (strcmp(toks[1], "1") && strcmp(toks[1], "2") && strcmp(toks[1], "3"))
			return perr(c, "drop_caches takes 1, 2 or 3");
		st->drop_caches.mode = atoi(toks[1]);
	}
	return 0;
}

/* stop: WORKLOAD */
static int p_wl_op(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_wl(c, toks[1]))
		return -EINVAL;
	snprintf(st->wl_op.id, sizeof(st->wl_op.id), "%s", toks[1]);
	return 0;
}

static int p_signal(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_wl(c, toks[1]))
		return -EINVAL;
	st->signal.signo = scn_signal_num(toks[2]);
	if (st->signal.signo < 0)
		return perr(c, "unknown signal '%s'", toks[2]);
	snprintf(st->signal.id, sizeof(st->signal.id), "%s", toks[1]);
	return 0;
}

static int p_move(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_wl(c, toks[1]) || need_group(c, toks[2]))
		return -EINVAL;
	snprintf(st->move.id, sizeof(st->move.id), "%s", toks[1]);
	snprintf(st->move.to, sizeof(st->move.to), "%s", toks[2]);
	return 0;
}

static int p_rm(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (!wl_type_is(c->s, toks[1], "tmpfs") && !wl_type_is(c->s, toks[1], "mmap"))
		return perr(c, "'%s' is not a tmpfs or mmap workload started above", toks[1]);
	return p_wl_op(c, toks, n, st);
}

static int p_rmid(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (!wl_type_is(c->s, toks[1], "shm"))
		return perr(c, "'%s' is not a shm workload started above", toks[1]);
	return p_wl_op(c, toks, n, st);
}

static int p_watch(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (need_group(c, toks[1]))
		return -EINVAL;
	snprintf(st->watch.group, sizeof(st->watch.group), "%s", toks[1]);
	snprintf(st->watch.kind, sizeof(st->watch.kind), "%s", toks[2]);
	if (!strcmp(toks[2], "oom") && n == 3)
		return 0;
	if (!strcmp(toks[2], "threshold") && n == 4)
		return parse_sz(c, toks[3], &st->watch.threshold);
	if (!strcmp(toks[2], "pressure") && n == 4) {
		if (strcmp(toks[3], "low") && strcmp(toks[3], "medium") &&
		    strcmp(toks[3], "critical"))
			return perr(c, "pressure level must be low, medium or critical");
		snprintf(st->watch.level, sizeof(st->watch.level), "%s", toks[3]);
		return 0;
	}
	return perr(c, "usage: watch GROUP oom | threshold SIZE | pressure LEVEL");
}

static int p_sleep(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	return parse_dur(c, toks[1], &st->sleep.ns);
}

/* A name that later lines can read as $NAME (save, measure). */
static int add_var(struct pctx *c, const char *name)
{
	if (has_var(c->s, name))
		return 0;
	if (c->s->nvars == 32)
		return perr(c, "too many saved values (at most 32)");
	snprintf(c->s->vars[c->s->nvars++], SCN_NAME, "%s", name);
	return 0;
}

static int p_save(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (!valid_ident(toks[1]))
		return perr(c, "usage: save NAME EXPRESSION (NAME: letters, digits, _ -)");
	snprintf(st->save.name, sizeof(st->save.name), "%s", toks[1]);
	if (parse_expr(c, toks, 2, n, &st->save.expr))
		return -EINVAL;
	return add_var(c, toks[1]);
}

static int p_pick(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (strcmp(toks[2], "if"))
		return perr(c, "usage: pick VARIANT if CONDITION");
	if (find_variant(c->s, toks[1]) < 0)
		return perr(c, "'%s' is not a variant declared in the header", toks[1]);
	snprintf(st->check.name, sizeof(st->check.name), "%s", toks[1]);
	return parse_checked_cond(c, toks, 3, n, &st->check.cond);
}

/* measure NAME CONDITION: a wait whose time is the figure */
static int p_measure(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (!valid_ident(toks[1]))
		return perr(c, "usage: measure NAME CONDITION [timeout=DURATION] (NAME: letters, "
			       "digits, _ -)");
	snprintf(st->check.name, sizeof(st->check.name), "%s", toks[1]);
	if (parse_checked_cond(c, toks, 2, n, &st->check.cond))
		return -EINVAL;
	if (!cond_waitable(st->check.cond.kind))
		return perr(c, "cannot measure that; measure a workload state, an event count or a "
			       "comparison");
	return add_var(c, toks[1]);
}

/* expect and wait: CONDITION (timeout= and settle= are taken off first) */
static int p_check(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	const struct scn_cond *cd = &st->check.cond;

	if (parse_checked_cond(c, toks, 1, n, &st->check.cond))
		return -EINVAL;
	if (c->has_settle &&
	    (st->op != SO_EXPECT || (cd->kind != SK_EVENT_COUNT && cd->kind != SK_EVENT_BEFORE)))
		return perr(c, "settle= goes with expect event ... count or before");
	if (c->has_settle && (parse_dur(c, c->settle, &st->settle_ns) || !st->settle_ns))
		return perr(c, "bad settle time '%s'", c->settle);
	if (st->op == SO_WAIT && !cond_waitable(cd->kind))
		return perr(c, "cannot wait for that; wait for a workload state, an event "
			       "count or a comparison");
	return 0;
}

typedef int step_parse_fn(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st);

static const struct step_def {
	const char *name;
	enum scn_op op;
	int min, max;
	const char *opts;
	const char *usage;
	step_parse_fn *parse;
} steps[] = {
#define STEP_ROW(OP, word, min, max, opts, usage, parse, run)                                      \
	{word, SO_##OP, min, max, opts, usage, parse},
    SCN_STEPS(STEP_ROW)
#undef STEP_ROW
};

/* The step options, taken off the line before the arity is checked:
 * timeout= (stop and wait: 10 s by default; on expect a mistake worth its
 * own message) and settle= (expect on events; kept as text for p_check,
 * which judges it once the condition is known). */
static int take_step_opts(struct pctx *c, const struct step_def *d, char toks[][SCN_TOK], int *n,
			  struct scn_step *st)
{
	char opt[SCN_TOK];
	int takes_timeout = strstr(d->opts, "timeout") != NULL;

	if (takes_timeout)
		st->timeout_ns = 10000000000ULL;
	if ((takes_timeout || d->op == SO_EXPECT) &&
	    take_opt(c, toks, n, "timeout", opt, sizeof(opt))) {
		if (!takes_timeout)
			return perr(c, "timeout= belongs to wait, not %s", d->name);
		if (parse_dur(c, opt, &st->timeout_ns))
			return -EINVAL;
	}
	c->has_settle = strstr(d->opts, "settle") &&
			take_opt(c, toks, n, "settle", c->settle, sizeof(c->settle));
	return 0;
}

static int parse_step(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step_def *d = &steps[i];
		if (strcmp(toks[0], d->name))
			continue;
		st->op = d->op;
		if (take_step_opts(c, d, toks, &n, st))
			return -EINVAL;
		/* write ... fails ERRNO: an expectation on the write */
		if (d->op == SO_WRITE && n == 6 && !strcmp(toks[4], "fails")) {
			st->write.fails_with = scn_errno_num(toks[5]);
			if (st->write.fails_with <= 0)
				return perr(c, "unknown errno name '%s' (EINVAL, EBUSY ...)",
					    toks[5]);
			n = 4;
		}
		if (want(c, n, d->min, d->max, d->usage))
			return -EINVAL;
		return d->parse(c, toks, n, st);
	}
	return perr(c, "unknown step '%s'", toks[0]);
}

/* --- needs: one row each ------------------------------------------------------ */

static int n_cgroup(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_needs *nd)
{
	for (int i = 2; i < n; i++) {
		if (!strcmp(toks[i], "v1"))
			nd->versions |= 1;
		else if (!strcmp(toks[i], "v2"))
			nd->versions |= 2;
		else
			return perr(c, "needs cgroup: v1 and/or v2, not '%s'", toks[i]);
	}
	return nd->versions ? 0 : perr(c, "needs cgroup: v1 and/or v2");
}

static int n_memory(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_needs *nd)
{
	if (n != 3)
		return perr(c, "usage: needs memory SIZE");
	return parse_sz(c, toks[2], &nd->bytes);
}

static int n_kernel(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_needs *nd)
{
	char junk;

	if (n != 4 || parse_cmp(toks[2], &nd->cmp) || nd->cmp == SC_APPROX ||
	    sscanf(toks[3], "%d.%d%c", &nd->kmajor, &nd->kminor, &junk) != 2)
		return perr(c, "usage: needs kernel OP MAJOR.MINOR (e.g. >= 5.11)");
	return 0;
}

static int n_file(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_needs *nd)
{
	if (n != 3 || strchr(toks[2], '/'))
		return perr(c, "usage: needs file CONTROL-FILE");
	snprintf(nd->file, sizeof(nd->file), "%s", toks[2]);
	return 0;
}

typedef int need_parse_fn(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_needs *nd);

/* The needs: the word after `needs`, how it is written, and the parse of
 * what follows (NULL: nothing may). The engine's checks are in scn_plan.c. */
static const struct need_def {
	const char *word;
	enum scn_need kind;
	const char *usage;
	need_parse_fn *parse;
} needs[] = {
#define NEED_ROW(KIND, word, usage, parse, check) {word, SN_##KIND, usage, parse},
    SCN_NEEDS(NEED_ROW)
#undef NEED_ROW
};

static int parse_need(struct pctx *c, char toks[][SCN_TOK], int n)
{
	struct scn *s = c->s;
	struct scn_needs *nd;
	const struct need_def *d = NULL;

	if (n < 2) {
		char usage[256] = "";
		for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
			snprintf(usage + strlen(usage), sizeof(usage) - strlen(usage), "%s%s",
				 i ? " | " : "", needs[i].usage);
		return perr(c, "usage: needs %s", usage);
	}
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		if (!strcmp(toks[1], needs[i].word))
			d = &needs[i];
	if (!d)
		return perr(c, "unknown need '%s'", toks[1]);
	if (s->nneeds == SCN_MAX_NEEDS)
		return perr(c, "too many needs");
	nd = &s->needs[s->nneeds++];
	memset(nd, 0, sizeof(*nd));
	nd->line = c->line;
	nd->kind = d->kind;
	if (!d->parse)
		return n == 2 ? 0 : perr(c, "needs %s takes nothing more", toks[1]);
	return d->parse(c, toks, n, nd);
}

static int parse_variant(struct pctx *c, char toks[][SCN_TOK], int n)
{
	struct scn *s = c->s;
	struct scn_variant *v;
	int i = 2;

	if (n < 3)
		return perr(c, "usage: variant NAME [skip] DESCRIPTION");
	if (!valid_ident(toks[1]) || !strcmp(toks[1], "v1") || !strcmp(toks[1], "v2"))
		return perr(c, "bad variant name '%s'", toks[1]);
	if (find_variant(s, toks[1]) >= 0)
		return perr(c, "variant '%s' declared twice", toks[1]);
	if (s->nvariants == SCN_MAX_VARIANTS)
		return perr(c, "too many variants");
	v = &s->variants[s->nvariants++];
	memset(v, 0, sizeof(*v));
	v->line = c->line;
	snprintf(v->name, sizeof(v->name), "%s", toks[1]);
	if (!strcmp(toks[2], "skip")) {
		v->skip = 1;
		i = 3;
	}
	if (i >= n)
		return perr(c, "variant %s needs a description", toks[1]);
	join_from(toks, n, i, v->doc, sizeof(v->doc));
	return 0;
}

/* A header line: 0 done, -EINVAL an error, 1 not a header line. */
static int parse_header(struct pctx *c, char toks[][SCN_TOK], int n)
{
	struct scn *s = c->s;
	const char *k = toks[0];

	if (!strcmp(k, "doc") || !strcmp(k, "source")) {
		if (n < 2)
			return perr(c, "%s needs text", k);
		join_from(toks, n, 1, k[0] == 'd' ? s->doc : s->source, sizeof(s->doc));
		return 0;
	}
	if (!strcmp(k, "timeout")) {
		if (n != 2)
			return perr(c, "usage: timeout DURATION");
		return parse_dur(c, toks[1], &s->timeout_ns);
	}
	if (!strcmp(k, "variant"))
		return parse_variant(c, toks, n);
	if (!strcmp(k, "needs"))
		return parse_need(c, toks, n);
	return 1;
}

static int check_guard(struct pctx *c, char *tok, struct scn_step *st)
{
	const char *name = tok + 1;
	if (*name == '!') {
		st->guard_not = 1;
		name++;
	}
	if (strcmp(name, "v1") && strcmp(name, "v2") && find_variant(c->s, name) < 0)
		return perr(c, "'%s': no such variant (declare it, or use @v1 / @v2)", tok);
	snprintf(st->guard, sizeof(st->guard), "%s", name);
	return 0;
}

/* The first line: scenario NAME. */
static int parse_scenario_line(struct pctx *c, char toks[][SCN_TOK], int n)
{
	struct scn *s = c->s;

	if (strcmp(toks[0], "scenario") || n != 2)
		return perr(c, "the first line must be: scenario NAME");
	if (!toks[1][0] ||
	    strspn(toks[1], "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(toks[1]))
		return perr(c, "scenario name '%s': lower case, digits and -", toks[1]);
	if (strlen(toks[1]) >= sizeof(s->name))
		return perr(c, "scenario name too long");
	snprintf(s->name, sizeof(s->name), "%s", toks[1]);
	return 0;
}

static int append_step(struct pctx *c, const struct scn_step *st)
{
	struct scn *s = c->s;

	if (s->nsteps == s->cap_steps) {
		int cap = s->cap_steps ? s->cap_steps * 2 : 32;
		struct scn_step *ns = realloc(s->steps, (size_t)cap * sizeof(*ns));
		if (!ns)
			return err_set(c->e, ENOMEM, "%s: out of memory", c->path);
		s->steps = ns;
		s->cap_steps = cap;
	}
	s->steps[s->nsteps++] = *st;
	return 0;
}

/* A line after the first, in words: a header line, or a step with its
 * guard (@VARIANT) if it has one. */
static int parse_line(struct pctx *c, char toks[][SCN_TOK], int n)
{
	struct scn_step *st = &c->step;
	int guarded = toks[0][0] == '@';

	if (!strcmp(toks[0], "scenario"))
		return perr(c, "a second 'scenario' line (one scenario a file)");
	memset(st, 0, sizeof(*st));
	st->line = c->line;
	if (guarded) {
		if (check_guard(c, toks[0], st))
			return -EINVAL;
		if (n == 1)
			return perr(c, "a variant guard needs a step after it");
	} else {
		int h = parse_header(c, toks, n);
		if (!h && c->in_steps)
			return perr(c, "'%s' belongs in the header, before the first step",
				    toks[0]);
		if (h <= 0)
			return h;
	}
	c->in_steps = 1;
	join_from(toks, n, guarded, st->text, sizeof(st->text));
	if (guarded)
		for (int i = 0; i + 1 < n; i++) {
			memcpy(toks[i], toks[i + 1], SCN_TOK);
			c->quoted[i] = c->quoted[i + 1];
		}
	if (parse_step(c, toks, n - guarded, st))
		return -EINVAL;
	return append_step(c, st);
}

/* The next line of @*p into @line, advancing *p; 0 or a parse error. */
static int next_line(struct pctx *c, const char **p, char *line, size_t size)
{
	size_t len = strcspn(*p, "\n");

	c->line++;
	if (len >= size)
		return perr(c, "line too long (at most %zu characters)", size - 1);
	memcpy(line, *p, len);
	line[len] = 0;
	*p += len + ((*p)[len] == '\n');
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t' && line[i] != '\r')
			return perr(c, "control character in line");
	return 0;
}

/* What a whole file must have. */
static int check_complete(struct pctx *c)
{
	const struct scn *s = c->s;

	if (!s->name[0])
		return err_set(c->e, EINVAL,
			       "%s:%d: empty scenario (the first line must be: scenario NAME)",
			       c->path, c->line ? c->line : 1);
	if (!s->doc[0])
		return err_set(c->e, EINVAL, "%s:%d: the header needs a doc line", c->path,
			       c->line);
	if (!s->nsteps)
		return err_set(c->e, EINVAL, "%s:%d: no steps", c->path, c->line);
	return 0;
}

int scn_parse_text(struct scn *s, const char *path, const char *text, struct mlab_err *e)
{
	struct pctx *c = calloc(1, sizeof(*c));
	const char *p = text;
	char line[1024];
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (!c)
		return err_set(e, ENOMEM, "%s: out of memory", path);
	*c = (struct pctx){.s = s, .path = path, .e = e};
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->timeout_ns = 120000000000ULL;
	while (*p && !ret) {
		int n;
		ret = next_line(c, &p, line, sizeof(line));
		if (ret)
			break;
		n = tokenize(c, line, c->toks, MAX_TOKS);
		if (n <= 0)
			ret = n;
		else if (!s->name[0])
			ret = parse_scenario_line(c, c->toks, n);
		else
			ret = parse_line(c, c->toks, n);
	}
	if (!ret)
		ret = check_complete(c);
	free(c);
	if (ret) {
		scn_free(s);
		return ret;
	}
	/* the catalogue keeps every scenario's steps: no more room than used */
	if (s->nsteps < s->cap_steps) {
		struct scn_step *fit = realloc(s->steps, (size_t)s->nsteps * sizeof(*fit));
		if (fit) {
			s->steps = fit;
			s->cap_steps = s->nsteps;
		}
	}
	return 0;
}

#define SCN_FILE_MAX (256 * 1024)

int scn_parse_file(struct scn *s, const char *path, struct mlab_err *e)
{
	char *buf = malloc(SCN_FILE_MAX);
	ssize_t n;
	int ret;

	if (!buf)
		return err_set(e, ENOMEM, "%s: out of memory", path);
	n = read_file(path, buf, SCN_FILE_MAX);
	if (n < 0)
		ret = err_set(e, (int)-n, "%s: %s", path, strerror((int)-n));
	else if ((size_t)n == SCN_FILE_MAX - 1)
		ret = err_set(e, EFBIG, "%s: too large (a scenario has at most %d bytes)", path,
			      SCN_FILE_MAX - 2);
	else if (memchr(buf, 0, (size_t)n))
		ret = err_set(e, EINVAL, "%s:1: binary content (a NUL byte)", path);
	else
		ret = scn_parse_text(s, path, buf, e);
	free(buf);
	return ret;
}

void scn_free(struct scn *s)
{
	free(s->steps);
	s->steps = NULL;
	s->nsteps = s->cap_steps = 0;
}

size_t scn_language(char *buf, size_t len)
{
	size_t n = 0;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		int k_ = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__);                    \
		n += k_ > 0 ? (size_t)k_ : 0;                                                      \
	} while (0)
	ADD("steps:\n");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (!i || strcmp(steps[i].usage, steps[i - 1].usage))
			ADD("  %s\n", steps[i].usage);
	ADD("conditions (expect, pick; * not for wait):\n");
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		ADD("  %s%s\n", conds[i].usage, conds[i].waitable ? "" : "  *");
	ADD("event kinds: ");
	{
		char kinds[256];
		ADD("%s\n", event_kind_list(kinds, sizeof(kinds)));
	}
	ADD("needs (header): ");
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		ADD("%s%s", i ? " | " : "", needs[i].usage);
	ADD("\nkernel facts: ");
	for (const struct kfact *f = kfacts; f->name; f++)
		ADD("%skernel.%s", f == kfacts ? "" : ", ", f->name);
	ADD("\nguards: @v1 @v2 @VARIANT @!VARIANT before any step\n");
#undef ADD
	return n;
}
