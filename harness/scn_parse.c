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

#define MAX_TOKS 48

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
		return perr(c, "'%s' is not a group or workload declared above", name);
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
		if (w->op == SO_WATCH && !strcmp(w->a, group) &&
		    !strcmp(w->file, event_kinds[k].watch) &&
		    !strcmp(w->value, event_kinds[k].level))
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
		cd->tol_pct = (unsigned)v;
		return 0;
	}
	return parse_sz(c, t, &cd->tol);
}

/* A condition, for expect / wait / pick, from toks[i, n). */
/* The conditions: how each is written (for the reference and messages)
 * and whether `wait` can wait for it (one that is about the past, such as
 * what the kernel logged or which notification came first, cannot). */
static const struct cond_def {
	enum scn_check kind;
	const char *usage;
	int waitable;
} conds[] = {
    {SK_COMPARE, "EXPR OP EXPR [tol=SIZE|N%]", 1},
    {SK_KILLED_BY, "ID killed-by SIGNAL", 1},
    {SK_EXITED, "ID exited [CODE] | ID ended", 1},
    {SK_PAUSED, "ID paused", 1},
    {SK_RUNNING, "ID running", 1},
    {SK_HOLDING, "ID holding", 1},
    {SK_EVENT_COUNT, "event GROUP KIND [count OP N]", 1},
    {SK_EVENT_BEFORE, "event GROUP KIND before KIND2", 0},
    {SK_EVENT_WITHIN, "event GROUP KIND within DURATION of ID end", 0},
    {SK_LATENCY, "ID latency pNN OP DURATION", 0},
    {SK_KMSG, "kmsg \"text\"", 0},
    {SK_NO_KMSG, "no-kmsg \"text\"", 0},
    {SK_BOOT_KMSG, "boot-kmsg \"text\"", 0},
    {SK_NO_BOOT_KMSG, "no-boot-kmsg \"text\"", 0},
    {SK_ERRNO, "errno == NAME | errno != NAME", 0},
    {SK_WL_FAILED, "ID failed-with ERRNO", 1},
};

static int cond_waitable(enum scn_check kind)
{
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		if (conds[i].kind == kind)
			return conds[i].waitable;
	return 0;
}

/* The words that follow a workload's id and name a state of it with
 * nothing after them. */
static const struct {
	const char *word;
	enum scn_check kind;
	int has_num; /* SK_EXITED: -1 = ended (exited or killed) */
} wl_states[] = {
    {"paused", SK_PAUSED, 0},
    {"running", SK_RUNNING, 0},
    {"holding", SK_HOLDING, 0},
    {"ended", SK_EXITED, -1},
};

static int parse_cond(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_cond *cd)
{
	int cmp_at = -1;

	memset(cd, 0, sizeof(*cd));
	if (i >= n)
		return perr(c, "missing condition");
	if (!strcmp(toks[i], "event")) {
		if (n - i < 3)
			return perr(c, "expected: event GROUP KIND [count OP N | before KIND | "
				       "within DURATION of WORKLOAD end]");
		if (find_group(c->s, toks[i + 1]) < 0)
			return perr(c, "'%s' is not a group declared above", toks[i + 1]);
		snprintf(cd->id, sizeof(cd->id), "%s", toks[i + 1]);
		snprintf(cd->str, sizeof(cd->str), "%s", toks[i + 2]);
		for (int k = i + 2; k <= i + 4; k += 2) {
			char kinds[256];
			if (k == i + 4 && (i + 5 != n || strcmp(toks[i + 3], "before")))
				break; /* a second kind only after before */
			if (!event_kind(toks[k]))
				return perr(c, "unknown event kind '%s' (%s)", toks[k],
					    event_kind_list(kinds, sizeof(kinds)));
		}
		if (check_watched(c, toks[i + 1], toks[i + 2]) ||
		    (i + 5 == n && !strcmp(toks[i + 3], "before") &&
		     check_watched(c, toks[i + 1], toks[i + 4])))
			return -EINVAL;
		i += 3;
		if (i == n) {
			cd->kind = SK_EVENT_COUNT;
			cd->cmp = SC_GE;
			cd->num = 1;
			return 0;
		}
		if (!strcmp(toks[i], "count") && n - i == 3) {
			uint64_t v;
			struct mlab_err e;
			cd->kind = SK_EVENT_COUNT;
			if (parse_cmp(toks[i + 1], &cd->cmp) || cd->cmp == SC_APPROX)
				return perr(c, "bad comparison '%s'", toks[i + 1]);
			if (parse_uint(toks[i + 2], 1000000, &v, &e))
				return perr(c, "event count: %s", e.msg);
			cd->num = (int)v;
			return 0;
		}
		if (!strcmp(toks[i], "before") && n - i == 2) {
			cd->kind = SK_EVENT_BEFORE;
			snprintf(cd->kind2, sizeof(cd->kind2), "%s", toks[i + 1]);
			return 0;
		}
		if (!strcmp(toks[i], "within") && n - i == 5 && !strcmp(toks[i + 2], "of") &&
		    !strcmp(toks[i + 4], "end")) {
			cd->kind = SK_EVENT_WITHIN;
			if (find_wl(c->s, toks[i + 3]) < 0)
				return perr(c, "'%s' is not a workload started above", toks[i + 3]);
			snprintf(cd->kind2, sizeof(cd->kind2), "%s", toks[i + 3]);
			return parse_dur(c, toks[i + 1], &cd->dur_ns);
		}
		return perr(c, "after 'event GROUP KIND': count OP N, before KIND, or within "
			       "DURATION of WORKLOAD end");
	}
	{
		static const struct {
			const char *word;
			enum scn_check kind;
		} logs[] = {{"kmsg", SK_KMSG},
			    {"no-kmsg", SK_NO_KMSG},
			    {"boot-kmsg", SK_BOOT_KMSG},
			    {"no-boot-kmsg", SK_NO_BOOT_KMSG}};
		for (size_t k = 0; k < sizeof(logs) / sizeof(logs[0]); k++) {
			if (strcmp(toks[i], logs[k].word))
				continue;
			if (n - i != 2 || !toks[i + 1][0])
				return perr(c, "expected: %s \"text\"", toks[i]);
			cd->kind = logs[k].kind;
			snprintf(cd->str, sizeof(cd->str), "%s", toks[i + 1]);
			return 0;
		}
	}
	if (!strcmp(toks[i], "errno")) {
		if (n - i != 3 || parse_cmp(toks[i + 1], &cd->cmp) ||
		    (cd->cmp != SC_EQ && cd->cmp != SC_NE))
			return perr(c, "expected: errno == NAME or errno != NAME");
		cd->kind = SK_ERRNO;
		cd->num = scn_errno_num(toks[i + 2]);
		if (cd->num < 0)
			return perr(c, "unknown errno name '%s'", toks[i + 2]);
		return 0;
	}
	if (find_wl(c->s, toks[i]) >= 0 && n - i >= 2 && !strchr(toks[i], '.')) {
		const char *w = toks[i + 1];
		snprintf(cd->id, sizeof(cd->id), "%s", toks[i]);
		if (!strcmp(w, "killed-by")) {
			if (n - i != 3 || (cd->num = scn_signal_num(toks[i + 2])) < 0)
				return perr(c, "expected: %s killed-by SIGNAL", toks[i]);
			cd->kind = SK_KILLED_BY;
			return 0;
		}
		if (!strcmp(w, "exited")) {
			cd->kind = SK_EXITED;
			if (n - i == 3) {
				uint64_t v;
				struct mlab_err e;
				if (parse_uint(toks[i + 2], 255, &v, &e))
					return perr(c, "exit code: %s", e.msg);
				cd->num = (int)v;
				cd->has_num = 1;
			} else if (n - i != 2) {
				return perr(c, "expected: %s exited [CODE]", toks[i]);
			}
			return 0;
		}
		if (!strcmp(w, "failed-with")) {
			if (n - i != 3 || (cd->num = scn_errno_num(toks[i + 2])) <= 0)
				return perr(c, "expected: %s failed-with ERRNO (ENOMEM ...)",
					    toks[i]);
			cd->kind = SK_WL_FAILED;
			return 0;
		}
		for (size_t k = 0; k < sizeof(wl_states) / sizeof(wl_states[0]); k++) {
			if (strcmp(w, wl_states[k].word))
				continue;
			if (n - i != 2)
				return perr(c, "expected nothing after '%s'", w);
			cd->kind = wl_states[k].kind;
			cd->has_num = wl_states[k].has_num;
			return 0;
		}
		if (!strcmp(w, "latency")) {
			uint64_t p;
			struct mlab_err e;
			if (n - i != 5 || toks[i + 2][0] != 'p' ||
			    parse_uint(toks[i + 2] + 1, 100, &p, &e) ||
			    parse_cmp(toks[i + 3], &cd->cmp) || cd->cmp == SC_APPROX)
				return perr(c,
					    "expected: %s latency pNN OP DURATION (p50, p99, p100)",
					    toks[i]);
			cd->kind = SK_LATENCY;
			cd->num = (int)p;
			return parse_dur(c, toks[i + 4], &cd->dur_ns);
		}
	}
	for (int j = i; j < n; j++)
		if (!parse_cmp(toks[j], &cd->cmp)) {
			cmp_at = j;
			break;
		}
	if (cmp_at < 0)
		return perr(c, "no comparison (==, !=, <, <=, >, >=, ~=) in '%s'", toks[i]);
	cd->kind = SK_COMPARE;
	if (parse_expr(c, toks, i, cmp_at, &cd->lhs) ||
	    parse_expr(c, toks, cmp_at + 1, n, &cd->rhs))
		return -EINVAL;
	return 0;
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

static int parse_settings(struct pctx *c, char toks[][SCN_TOK], int i, int n, struct scn_step *st)
{
	for (; i < n; i++) {
		char *eq = strchr(toks[i], '=');
		if (!eq || eq == toks[i] || !eq[1])
			return perr(c, "expected NAME=VALUE, got '%s'", toks[i]);
		if (st->nkv == SCN_MAX_ARGS)
			return perr(c, "too many settings");
		*eq = 0;
		if (!cg_name_find(toks[i]) && !strchr(toks[i], '.'))
			return perr(c, "'%s' is neither a portable name nor a control file",
				    toks[i]);
		snprintf(st->kv[st->nkv].key, SCN_TOK, "%s", toks[i]);
		snprintf(st->kv[st->nkv].val, SCN_TOK, "%s", eq + 1);
		st->nkv++;
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
	if (find_group(c->s, name) >= 0 || find_wl(c->s, name) >= 0)
		return perr(c, "'%s' is already declared", name);
	if (!strcmp(name, "kernel"))
		return perr(c, "'kernel' is reserved (kernel.FACT reads a kernel fact)");
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

static int parse_start(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	const struct wl_def *d;
	struct wl_opts o;
	struct mlab_err e;

	if (want(c, n, 4, MAX_TOKS, "start ID GROUP WORKLOAD [option=value | flag]..."))
		return -EINVAL;
	if (!valid_ident(toks[1]))
		return perr(c, "bad workload id '%s'", toks[1]);
	if (find_wl(c->s, toks[1]) >= 0 || find_group(c->s, toks[1]) >= 0)
		return perr(c, "'%s' is already declared", toks[1]);
	if (!strcmp(toks[1], "kernel"))
		return perr(c, "'kernel' is reserved (kernel.FACT reads a kernel fact)");
	if (need_group(c, toks[2]))
		return -EINVAL;
	d = wl_find(toks[3]);
	if (!d) {
		char names[128] = "";
		for (int k = 0; wl_all[k]; k++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 k ? ", " : "", wl_all[k]->name);
		return perr(c, "no workload '%s' (%s)", toks[3], names);
	}
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	snprintf(st->b, sizeof(st->b), "%s", toks[2]);
	snprintf(st->wl, sizeof(st->wl), "%s", toks[3]);
	wl_defaults(d, &o, &e);
	for (int i = 4; i < n; i++) {
		char *eq = strchr(toks[i], '=');
		if (st->nkv == SCN_MAX_ARGS)
			return perr(c, "too many options");
		if (eq)
			*eq = 0;
		/* file=@ID: the same file as workload ID (two readers of one file) */
		if (eq && !strcmp(toks[i], "file") && eq[1] == '@' && find_wl(c->s, eq + 2) < 0)
			return perr(c, "file=%s: no workload '%s' started above", eq + 1, eq + 2);
		if (wl_set_opt(d, &o, toks[i], eq ? eq + 1 : NULL, &e))
			return perr(c, "%s", e.msg);
		snprintf(st->kv[st->nkv].key, SCN_TOK, "%s", toks[i]);
		snprintf(st->kv[st->nkv].val, SCN_TOK, "%s", eq ? eq + 1 : "yes");
		st->nkv++;
	}
	/* the engine gives a pagecache reader with a size a scratch file, so
	 * its file may be missing here; everything else is checked */
	if (d == &wl_pagecache && !o.path[0] && o.size)
		snprintf(o.path, sizeof(o.path), "scratch");
	if (d->check && d->check(&o, &e))
		return perr(c, "%s: %s", d->name, e.msg);
	if (c->s->nwls == 16)
		return perr(c, "too many workloads (at most 16)");
	snprintf(c->s->wls[c->s->nwls], SCN_NAME, "%s", toks[1]);
	snprintf(c->s->wl_types[c->s->nwls++], SCN_NAME, "%s", d->name);
	return 0;
}

/* A condition with its tol= option, for expect, wait and pick alike. */
static int parse_checked_cond(struct pctx *c, char toks[][SCN_TOK], int i, int n,
			      struct scn_step *st)
{
	char tol[SCN_TOK] = "";
	int has_tol = take_opt(c, toks, &n, "tol", tol, sizeof(tol));

	if (parse_cond(c, toks, i, n, &st->cond))
		return -EINVAL;
	if (has_tol && st->cond.kind != SK_COMPARE)
		return perr(c, "tol= only goes with a comparison");
	if (st->cond.kind == SK_COMPARE && st->cond.cmp == SC_APPROX && !has_tol)
		return perr(c, "~= needs a tolerance: tol=SIZE or tol=N%%");
	if (has_tol && parse_tol(c, tol, &st->cond))
		return -EINVAL;
	return 0;
}

static int wl_type_is(const struct scn *s, const char *id, const char *type)
{
	int i = find_wl(s, id);
	return i >= 0 && !strcmp(s->wl_types[i], type);
}

/* --- steps: one row each ------------------------------------------------------- */

static int p_group(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (add_group(c, toks[1]))
		return -EINVAL;
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	return parse_settings(c, toks, 2, n, st);
}

static int p_set(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (need_group(c, toks[1]))
		return -EINVAL;
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	return parse_settings(c, toks, 2, n, st);
}

/* write and try: GROUP FILE VALUE (write ... fails ERRNO is cut off first) */
static int p_write(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_group(c, toks[1]))
		return -EINVAL;
	if (strchr(toks[2], '/') || !strcmp(toks[2], ".."))
		return perr(c, "'%s' is not a control file name", toks[2]);
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	snprintf(st->file, sizeof(st->file), "%s", toks[2]);
	snprintf(st->value, sizeof(st->value), "%s", toks[3]);
	return 0;
}

/* rmdir, reclaim, kill: GROUP */
static int p_group_only(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_group(c, toks[1]))
		return -EINVAL;
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	return 0;
}

static int p_drop_caches(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	st->num = 3;
	if (n == 2) {
		if (strcmp(toks[1], "1") && strcmp(toks[1], "2") && strcmp(toks[1], "3"))
			return perr(c, "drop_caches takes 1, 2 or 3");
		st->num = (uint64_t)atoi(toks[1]);
	}
	return 0;
}

/* stop: WORKLOAD (timeout= is taken off first) */
static int p_workload_only(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_wl(c, toks[1]))
		return -EINVAL;
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	return 0;
}

static int p_signal(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_wl(c, toks[1]))
		return -EINVAL;
	st->sig = scn_signal_num(toks[2]);
	if (st->sig < 0)
		return perr(c, "unknown signal '%s'", toks[2]);
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	return 0;
}

static int p_move(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (need_wl(c, toks[1]) || need_group(c, toks[2]))
		return -EINVAL;
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	snprintf(st->b, sizeof(st->b), "%s", toks[2]);
	return 0;
}

static int p_rm(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (!wl_type_is(c->s, toks[1], "tmpfs") && !wl_type_is(c->s, toks[1], "mmap"))
		return perr(c, "'%s' is not a tmpfs or mmap workload started above", toks[1]);
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	return 0;
}

static int p_rmid(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	if (!wl_type_is(c->s, toks[1], "shm"))
		return perr(c, "'%s' is not a shm workload started above", toks[1]);
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	return 0;
}

static int p_watch(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (need_group(c, toks[1]))
		return -EINVAL;
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	snprintf(st->file, sizeof(st->file), "%s", toks[2]);
	if (!strcmp(toks[2], "oom") && n == 3)
		return 0;
	if (!strcmp(toks[2], "threshold") && n == 4)
		return parse_sz(c, toks[3], &st->num);
	if (!strcmp(toks[2], "pressure") && n == 4) {
		if (strcmp(toks[3], "low") && strcmp(toks[3], "medium") &&
		    strcmp(toks[3], "critical"))
			return perr(c, "pressure level must be low, medium or critical");
		snprintf(st->value, sizeof(st->value), "%s", toks[3]);
		return 0;
	}
	return perr(c, "usage: watch GROUP oom | threshold SIZE | pressure LEVEL");
}

static int p_sleep(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	(void)n;
	return parse_dur(c, toks[1], &st->dur_ns);
}

static int p_save(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (!valid_ident(toks[1]))
		return perr(c, "usage: save NAME EXPRESSION (NAME: letters, digits, _ -)");
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	if (parse_expr(c, toks, 2, n, &st->expr))
		return -EINVAL;
	if (!has_var(c->s, toks[1])) {
		if (c->s->nvars == 32)
			return perr(c, "too many saved values (at most 32)");
		snprintf(c->s->vars[c->s->nvars++], SCN_NAME, "%s", toks[1]);
	}
	return 0;
}

static int p_pick(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (strcmp(toks[2], "if"))
		return perr(c, "usage: pick VARIANT if CONDITION");
	if (find_variant(c->s, toks[1]) < 0)
		return perr(c, "'%s' is not a variant declared in the header", toks[1]);
	snprintf(st->a, sizeof(st->a), "%s", toks[1]);
	return parse_checked_cond(c, toks, 3, n, st);
}

/* expect and wait: CONDITION (timeout= and settle= are taken off first) */
static int p_condition(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st)
{
	if (parse_checked_cond(c, toks, 1, n, st))
		return -EINVAL;
	if (c->has_settle && (st->op != SO_EXPECT || (st->cond.kind != SK_EVENT_COUNT &&
						      st->cond.kind != SK_EVENT_BEFORE)))
		return perr(c, "settle= goes with expect event ... count or before");
	if (c->has_settle && (parse_dur(c, c->settle, &st->settle_ns) || !st->settle_ns))
		return perr(c, "bad settle time '%s'", c->settle);
	if (st->op == SO_WAIT && !cond_waitable(st->cond.kind))
		return perr(c, "cannot wait for that; wait for a workload state, an event "
			       "count or a comparison");
	return 0;
}

/* The steps: the first word, the arity (words with the step's own, after
 * the options KEY=VALUE it takes are removed), the usage for messages and
 * the parse of the rest. */
static const struct step_def {
	const char *name;
	enum scn_op op;
	int min, max;
	const char *opts; /* the KEY= options it takes, space-separated */
	const char *usage;
	int (*parse)(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_step *st);
} steps[] = {
    {"group", SO_GROUP, 2, MAX_TOKS, "", "group NAME [setting=value]...", p_group},
    {"set", SO_SET, 3, MAX_TOKS, "", "set GROUP setting=value...", p_set},
    {"write", SO_WRITE, 4, 4, "", "write GROUP FILE VALUE [fails ERRNO]", p_write},
    {"try", SO_TRY, 4, 4, "", "try GROUP FILE VALUE", p_write},
    {"rmdir", SO_RMDIR, 2, 2, "", "rmdir|reclaim|kill GROUP", p_group_only},
    {"reclaim", SO_RECLAIM, 2, 2, "", "rmdir|reclaim|kill GROUP", p_group_only},
    {"kill", SO_KILL, 2, 2, "", "rmdir|reclaim|kill GROUP", p_group_only},
    {"drop_caches", SO_DROP_CACHES, 1, 2, "", "drop_caches [1|2|3]", p_drop_caches},
    {"start", SO_START, 4, MAX_TOKS, "", "start ID GROUP WORKLOAD [option=value | flag]...",
     parse_start},
    {"stop", SO_STOP, 2, 2, "timeout", "stop WORKLOAD [timeout=DURATION]", p_workload_only},
    {"signal", SO_SIGNAL, 3, 3, "", "signal WORKLOAD SIGNAL", p_signal},
    {"move", SO_MOVE, 3, 3, "", "move WORKLOAD GROUP", p_move},
    {"rm", SO_RM, 2, 2, "", "rm WORKLOAD (its tmpfs or mmap file)", p_rm},
    {"rmid", SO_RMID, 2, 2, "", "rmid WORKLOAD (its SysV segment)", p_rmid},
    {"watch", SO_WATCH, 3, 4, "", "watch GROUP oom | threshold SIZE | pressure LEVEL", p_watch},
    {"sleep", SO_SLEEP, 2, 2, "", "sleep DURATION", p_sleep},
    {"save", SO_SAVE, 3, MAX_TOKS, "", "save NAME EXPRESSION (NAME: letters, digits, _ -)", p_save},
    {"pick", SO_PICK, 4, MAX_TOKS, "", "pick VARIANT if CONDITION", p_pick},
    {"expect", SO_EXPECT, 1, MAX_TOKS, "settle", "expect CONDITION [settle=DURATION]", p_condition},
    {"wait", SO_WAIT, 1, MAX_TOKS, "timeout settle", "wait CONDITION [timeout=DURATION]",
     p_condition},
};

/* The step options, taken off the line before the arity is checked:
 * timeout= (stop and wait: 10 s by default; on expect a mistake worth its
 * own message) and settle= (expect on events; kept as text for
 * p_condition, which judges it once the condition is known). */
static int take_step_opts(struct pctx *c, const struct step_def *d, char toks[][SCN_TOK], int *n,
			  struct scn_step *st)
{
	char opt[SCN_TOK];
	int takes_timeout = strstr(d->opts, "timeout") != NULL;

	if (takes_timeout)
		st->dur_ns = 10000000000ULL;
	if ((takes_timeout || d->op == SO_EXPECT) &&
	    take_opt(c, toks, n, "timeout", opt, sizeof(opt))) {
		if (!takes_timeout)
			return perr(c, "timeout= belongs to wait, not %s", d->name);
		if (parse_dur(c, opt, &st->dur_ns))
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
			st->err = scn_errno_num(toks[5]);
			if (st->err <= 0)
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

/* The needs: the word after `needs`, its kind, and the parse of what
 * follows (NULL: nothing may). The engine's checks are in scn_plan.c. */
static const struct need_def {
	const char *word;
	enum scn_need kind;
	int (*parse)(struct pctx *c, char toks[][SCN_TOK], int n, struct scn_needs *nd);
} needs[] = {
    {"root", SN_ROOT, NULL},
    {"cgroup", SN_CGROUP, n_cgroup},
    {"swap", SN_SWAP, NULL},
    {"memory", SN_MEMORY, n_memory},
    {"kernel", SN_KERNEL, n_kernel},
    {"file", SN_FILE, n_file},
    {"vm", SN_VM, NULL},
    {"psi", SN_PSI, NULL},
};

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
	if (!strcmp(k, "variant")) {
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
	if (!strcmp(k, "needs")) {
		struct scn_needs *nd;
		const struct need_def *d = NULL;
		if (n < 2)
			return perr(c,
				    "usage: needs root | cgroup v1|v2 ... | swap | memory SIZE | "
				    "kernel OP X.Y | file NAME | vm | psi");
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
	return 1; /* not a header line */
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

int scn_parse_text(struct scn *s, const char *path, const char *text, struct mlab_err *e)
{
	struct pctx c = {.s = s, .path = path, .e = e};
	char(*toks)[SCN_TOK] = c.toks;
	const char *p = text;
	char line[1024];
	int ret = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->timeout_ns = 120000000000ULL;
	while (*p && !ret) {
		size_t len = strcspn(p, "\n");
		struct scn_step st;
		int n, first = 0;

		c.line++;
		if (len >= sizeof(line)) {
			ret = perr(&c, "line too long (at most %zu characters)", sizeof(line) - 1);
			break;
		}
		memcpy(line, p, len);
		line[len] = 0;
		p += len + (p[len] == '\n');
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)line[i] < 0x20 && line[i] != '\t' && line[i] != '\r') {
				ret = perr(&c, "control character in line");
				break;
			}
		if (ret)
			break;
		n = tokenize(&c, line, toks, MAX_TOKS);
		if (n < 0) {
			ret = n;
			break;
		}
		if (!n)
			continue;
		if (!s->name[0]) {
			if (strcmp(toks[0], "scenario") || n != 2) {
				ret = perr(&c, "the first line must be: scenario NAME");
				break;
			}
			if (!toks[1][0] ||
			    strspn(toks[1], "abcdefghijklmnopqrstuvwxyz0123456789-") !=
				strlen(toks[1]))
				ret = perr(&c, "scenario name '%s': lower case, digits and -",
					   toks[1]);
			if (!ret && strlen(toks[1]) >= sizeof(s->name))
				ret = perr(&c, "scenario name too long");
			if (!ret)
				snprintf(s->name, sizeof(s->name), "%s", toks[1]);
			continue;
		}
		if (!strcmp(toks[0], "scenario")) {
			ret = perr(&c, "a second 'scenario' line (one scenario a file)");
			break;
		}
		memset(&st, 0, sizeof(st));
		st.line = c.line;
		if (toks[0][0] == '@') {
			if (check_guard(&c, toks[0], &st)) {
				ret = -EINVAL;
				break;
			}
			first = 1;
			if (n == 1) {
				ret = perr(&c, "a variant guard needs a step after it");
				break;
			}
		}
		if (!first) {
			int h = parse_header(&c, toks, n);
			if (h <= 0) {
				if (!h && c.in_steps)
					ret = perr(
					    &c, "'%s' belongs in the header, before the first step",
					    toks[0]);
				else
					ret = h;
				continue;
			}
		}
		c.in_steps = 1;
		join_from(toks, n, first, st.text, sizeof(st.text));
		if (first)
			for (int i = 0; i + 1 < n; i++) {
				memcpy(toks[i], toks[i + 1], SCN_TOK);
				c.quoted[i] = c.quoted[i + 1];
			}
		ret = parse_step(&c, toks, n - first, &st);
		if (ret)
			break;
		if (s->nsteps == s->cap_steps) {
			int cap = s->cap_steps ? s->cap_steps * 2 : 32;
			struct scn_step *ns = realloc(s->steps, (size_t)cap * sizeof(*ns));
			if (!ns) {
				ret = err_set(e, ENOMEM, "%s: out of memory", path);
				break;
			}
			s->steps = ns;
			s->cap_steps = cap;
		}
		s->steps[s->nsteps++] = st;
	}
	if (!ret && !s->name[0])
		ret = err_set(e, EINVAL,
			      "%s:%d: empty scenario (the first line must be: scenario "
			      "NAME)",
			      path, c.line ? c.line : 1);
	if (!ret && !s->doc[0])
		ret = err_set(e, EINVAL, "%s:%d: the header needs a doc line", path, c.line);
	if (!ret && !s->nsteps)
		ret = err_set(e, EINVAL, "%s:%d: no steps", path, c.line);
	if (ret) {
		scn_free(s);
		return ret;
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
		ADD("%s%s", i ? ", " : "", needs[i].word);
	ADD("\nkernel facts: ");
	for (const struct kfact *f = kfacts; f->name; f++)
		ADD("%skernel.%s", f == kfacts ? "" : ", ", f->name);
	ADD("\nguards: @v1 @v2 @VARIANT @!VARIANT before any step\n");
#undef ADD
	return n;
}
