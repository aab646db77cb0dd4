/* libFuzzer target for the .scn parser (harness/scn_parse.c).
 *
 * Built by tests/fuzz_run.sh with clang -fsanitize=fuzzer,address,undefined
 * (not by CMake: the main build may be gcc). The input bytes become the text
 * of a scenario file; the parser must never crash, read or write out of
 * bounds, leak, or hang, and beyond that its results must keep the promises
 * the rest of the harness relies on, which are checked here so that a bug
 * that does not crash still stops the fuzzer (abort() = a crash report):
 *
 *   failure: -EINVAL and "PATH:LINE: message" with LINE a line of the
 *            input (1 for an empty one), the text cut after LINE failing
 *            with the same message (nothing later can be the cause), and
 *            the struct freed. scn_run and the CLI print the message as is:
 *            a wrong line sends the user to the wrong place.
 *   success: a name, a doc and 1..lines steps, in increasing line order,
 *            each on a line that holds its first word; every count within
 *            its array, every string NUL-terminated inside its buffer, and
 *            every group, workload, saved value and variant a step names
 *            declared (scn_run indexes, prints and looks them up without
 *            checking again). The same text parses the same way twice: the
 *            parser keeps its words and their quoting in static arrays, and
 *            a read past the current line's words would show up as a
 *            difference (checked on one input in four, see below).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"

#define FPATH "fuzz.scn"

/* Static: scn_parse_text zeroes the struct itself, and the second parse
 * needs its own copy to compare with the first. */
static struct scn S1, S2;
static struct mlab_err E1, E2;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_scn: invariant broken: %s: ", #cond);                \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define TERMINATED(buf) (memchr((buf), 0, sizeof(buf)) != NULL)

static int in(const char names[][SCN_NAME], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

static int is_variant(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nvariants; i++)
		if (!strcmp(s->variants[i].name, name))
			return 1;
	return 0;
}

/* Names a step uses were declared: scn_run looks them up and trusts that. */
#define GROUP(s, x) CHECK(in((s)->groups, (s)->ngroups, x), "line %d: group '%s'", l, x)
#define WL(s, x)    CHECK(in((s)->wls, (s)->nwls, x), "line %d: workload '%s'", l, x)

static void check_expr(const struct scn *s, const struct scn_expr *x, int l)
{
	CHECK(x->n >= 0 && x->n <= SCN_MAX_TERMS, "line %d: %d terms", l, x->n);
	CHECK(TERMINATED(x->text), "line %d", l);
	for (int i = 0; i < x->n; i++) {
		const struct scn_term *t = &x->t[i];
		CHECK(t->kind >= ST_LIT && t->kind <= ST_OPEN, "line %d", l);
		CHECK(TERMINATED(t->name) && TERMINATED(t->field), "line %d", l);
		if (t->kind == ST_VAR)
			CHECK(in(s->vars, s->nvars, t->name), "line %d: $%s", l, t->name);
		else if (t->kind == ST_GROUP)
			GROUP(s, t->name);
		else if (t->kind == ST_WL)
			WL(s, t->name);
	}
}

static void check_settings(const struct scn_settings *set, int l)
{
	CHECK(set->n >= 0 && set->n <= SCN_MAX_ARGS, "line %d: %d settings", l, set->n);
	for (int i = 0; i < set->n; i++)
		CHECK(TERMINATED(set->kv[i].key) && TERMINATED(set->kv[i].val), "line %d", l);
}

/* A condition's names were declared, its words are in range. */
static void check_cond(const struct scn *s, const struct scn_cond *c, int l)
{
	CHECK(c->kind >= 0 && c->kind < SK_COUNT, "line %d: condition %d", l, (int)c->kind);
	switch (c->kind) {
	case SK_COMPARE:
		CHECK(c->compare.cmp >= SC_EQ && c->compare.cmp <= SC_APPROX, "line %d", l);
		check_expr(s, &c->compare.lhs, l);
		check_expr(s, &c->compare.rhs, l);
		break;
	case SK_KILLED_BY:
	case SK_EXITED:
	case SK_ENDED:
	case SK_PAUSED:
	case SK_RUNNING:
	case SK_HOLDING:
	case SK_WL_FAILED:
		WL(s, c->wl.id);
		break;
	case SK_LATENCY:
		WL(s, c->latency.id);
		CHECK(c->latency.pct <= 100, "line %d", l);
		break;
	case SK_EVENT_WITHIN:
		WL(s, c->event.wl);
		/* fall through */
	case SK_EVENT_COUNT:
	case SK_EVENT_BEFORE:
		GROUP(s, c->event.group);
		CHECK(TERMINATED(c->event.kind) && TERMINATED(c->event.later), "line %d", l);
		break;
	case SK_FILE_HAS:
	case SK_FILE_LACKS:
	case SK_FILE_EXISTS:
	case SK_FILE_ABSENT:
		GROUP(s, c->file.group);
		CHECK(TERMINATED(c->file.name) && !strchr(c->file.name, '/'), "line %d", l);
		break;
	case SK_KMSG:
	case SK_NO_KMSG:
	case SK_BOOT_KMSG:
	case SK_NO_BOOT_KMSG:
		CHECK(TERMINATED(c->log.text) && c->log.text[0], "line %d", l);
		break;
	default:
		break;
	}
}

static void check_step(const struct scn *s, const struct scn_step *st)
{
	int l = st->line;

	CHECK(st->op >= 0 && st->op < SO_COUNT, "line %d: op %d", l, (int)st->op);
	CHECK(TERMINATED(st->guard) && TERMINATED(st->text), "line %d", l);
	/* a guard is v1, v2 or a declared variant: scn_run looks it up */
	if (st->guard[0]) {
		CHECK(!strcmp(st->guard, "v1") || !strcmp(st->guard, "v2") ||
			  is_variant(s, st->guard),
		      "line %d: guard '%s'", l, st->guard);
	} else {
		CHECK(!st->guard_not, "line %d: @! without a name", l);
	}
	switch (st->op) {
	case SO_GROUP:
	case SO_SET:
		GROUP(s, st->set.group);
		check_settings(&st->set.settings, l);
		break;
	case SO_WRITE:
	case SO_TRY:
		GROUP(s, st->write.group);
		CHECK(TERMINATED(st->write.file) && TERMINATED(st->write.value), "line %d", l);
		break;
	case SO_RMDIR:
	case SO_RECLAIM:
	case SO_KILL:
		GROUP(s, st->group_op.group);
		break;
	case SO_WATCH:
		GROUP(s, st->watch.group);
		break;
	case SO_OPEN:
		GROUP(s, st->open.group);
		/* fall through */
	case SO_FWRITE:
		CHECK(in(s->opens, s->nopens, st->open.name), "line %d: open %s", l, st->open.name);
		break;
	case SO_START:
		WL(s, st->start.id);
		GROUP(s, st->start.group);
		check_settings(&st->start.opts, l);
		break;
	case SO_MOVE:
		WL(s, st->move.id);
		GROUP(s, st->move.to);
		break;
	case SO_SIGNAL:
		WL(s, st->signal.id);
		break;
	case SO_STOP:
	case SO_RM:
	case SO_RMID:
		WL(s, st->wl_op.id);
		break;
	case SO_SAVE:
		CHECK(in(s->vars, s->nvars, st->save.name), "line %d: save %s", l, st->save.name);
		check_expr(s, &st->save.expr, l);
		break;
	case SO_PICK:
		CHECK(is_variant(s, st->check.name), "line %d: pick %s", l, st->check.name);
		/* fall through */
	case SO_MEASURE:
		if (st->op == SO_MEASURE)
			CHECK(in(s->vars, s->nvars, st->check.name), "line %d: measure %s", l,
			      st->check.name);
		/* fall through */
	case SO_EXPECT:
	case SO_WAIT:
		check_cond(s, &st->check.cond, l);
		break;
	default:
		break;
	}
}

/* Lines as the parser counts them: every '\n' ends one, and text after the
 * last '\n' is one more. starts[i] is where line i + 1 begins; starts[n] is
 * the end of the text. */
struct lines {
	int n;
	size_t *starts;
	const char *text;
};

static int split_lines(struct lines *L, const char *text)
{
	size_t len = strlen(text);
	int n = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	n += len && text[len - 1] != '\n';
	L->starts = malloc(((size_t)n + 1) * sizeof(*L->starts));
	if (!L->starts)
		return -1;
	L->n = 0;
	L->text = text;
	L->starts[0] = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			L->starts[++L->n] = i + 1;
	if (len && text[len - 1] != '\n')
		L->starts[++L->n] = len;
	return 0;
}

static void check_ok(const struct scn *s, const struct lines *L)
{
	int lines = L->n;

	CHECK(s->name[0] && TERMINATED(s->name), "no name");
	CHECK(s->doc[0] && TERMINATED(s->doc) && TERMINATED(s->source), "no doc");
	CHECK(!strcmp(s->path, FPATH), "path '%s'", s->path);
	CHECK(s->steps && s->nsteps >= 1 && s->nsteps <= s->cap_steps, "%d steps of %d", s->nsteps,
	      s->cap_steps);
	CHECK(s->nsteps <= lines, "%d steps in %d lines", s->nsteps, lines);
	CHECK(s->nneeds >= 0 && s->nneeds <= SCN_MAX_NEEDS, "%d needs", s->nneeds);
	CHECK(s->nvariants >= 0 && s->nvariants <= SCN_MAX_VARIANTS, "%d variants", s->nvariants);
	CHECK(s->ngroups >= 0 && s->ngroups <= 16 && s->nwls >= 0 && s->nwls <= 16 &&
		  s->nvars >= 0 && s->nvars <= 32,
	      "%d groups, %d workloads, %d saved", s->ngroups, s->nwls, s->nvars);
	for (int i = 0; i < s->nneeds; i++) {
		CHECK(s->needs[i].line >= 1 && s->needs[i].line <= lines, "need line %d",
		      s->needs[i].line);
		CHECK(TERMINATED(s->needs[i].file), "need %d", i);
	}
	for (int i = 0; i < s->nvariants; i++) {
		const struct scn_variant *v = &s->variants[i];
		CHECK(v->line >= 1 && v->line <= lines, "variant line %d", v->line);
		CHECK(v->name[0] && TERMINATED(v->name) && TERMINATED(v->doc), "variant %d", i);
	}
	for (int i = 0; i < s->nsteps; i++) {
		const struct scn_step *st = &s->steps[i];
		CHECK(st->line >= 1 && st->line <= lines, "step %d: line %d of %d", i, st->line,
		      lines);
		CHECK(i == 0 || st->line > s->steps[i - 1].line, "step %d: line %d after %d", i,
		      st->line, s->steps[i - 1].line);
		check_step(s, st);
		/* the step's first word, as written, is on its line: catches a
		 * step numbered after a neighbour (quotes keep a keyword's
		 * letters together, and keywords have no \\ or \") */
		{
			size_t wl = strcspn(st->text, " ");
			const char *b = L->text + L->starts[st->line - 1];
			const char *e = L->text + L->starts[st->line];
			int found = 0;
			for (const char *q = b; q + wl <= e && !found; q++)
				found = !memcmp(q, st->text, wl);
			CHECK(found, "step %d: '%.*s' is not on line %d", i, (int)wl, st->text,
			      st->line);
		}
	}
}

/* Returns the line the message names (0 for out of memory). */
static long check_err(const struct scn *s, const struct mlab_err *e, int ret, int lines)
{
	static const char prefix[] = FPATH ":";
	const char *p = e->msg + sizeof(prefix) - 1;
	char *end;
	long line;

	CHECK(TERMINATED(e->msg), "message not terminated");
	/* freed: a caller that frees again, or reuses the struct, must be safe */
	CHECK(!s->steps && !s->nsteps && !s->cap_steps, "not freed: %d steps", s->nsteps);
	if (ret == -ENOMEM) /* realloc failed: "PATH: out of memory", no line */
		return 0;
	CHECK(ret == -EINVAL, "returned %d: %s", ret, e->msg);
	CHECK(!strncmp(e->msg, prefix, sizeof(prefix) - 1), "message '%s'", e->msg);
	CHECK(*p >= '0' && *p <= '9', "no line number in '%s'", e->msg);
	line = strtol(p, &end, 10);
	CHECK(*end == ':' && end[1] == ' ' && end[2], "'%s'", e->msg);
	/* an empty text is reported at line 1; otherwise the line exists (a
	 * tighter bound than lines + 1: the parser counts a final unterminated
	 * line, not an empty one after the last newline) */
	CHECK(line >= 1 && line <= (lines ? lines : 1), "line %ld of %d: '%s'", line, lines,
	      e->msg);
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy: ASan then catches a read past the terminating
	 * NUL (scn_parse_file passes a NUL-terminated buffer the same way) */
	char *text = malloc(size + 1);
	struct lines L;
	long at;
	int r1, r2;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	/* the parser sees the text up to the first NUL (scn_parse_file rejects
	 * NUL bytes before that) */
	if (split_lines(&L, text)) {
		free(text);
		return 0;
	}

	memset(&E1, 0, sizeof(E1));
	r1 = scn_parse_text(&S1, FPATH, text, &E1);
	if (r1) {
		at = check_err(&S1, &E1, r1, L.n);
		/* An error at line N needs nothing after line N: the same text cut
		 * after line N fails with the same message. Catches a message that
		 * names an earlier line than the one at fault. */
		if (at > 0) {
			size_t cut = L.starts[at < L.n ? at : L.n];
			char keep = text[cut];
			text[cut] = 0;
			memset(&E2, 0, sizeof(E2));
			r2 = scn_parse_text(&S2, FPATH, text, &E2);
			text[cut] = keep;
			CHECK(r2 == r1 && !strcmp(E1.msg, E2.msg),
			      "cut after line %ld: %s, whole text: '%s'", at,
			      r2 ? E2.msg : "parses", E1.msg);
		}
		goto out;
	}
	check_ok(&S1, &L);

	/* The same text again gives the same steps. This doubles the cost (the
	 * parser's time goes mostly to its step array, 32 x 20 KB at the first
	 * step): done for one input in four, picked by a hash of the input so
	 * that an input always takes the same path (libFuzzer wants a
	 * deterministic target). */
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	if (h % 4)
		goto out;
	memset(&E2, 0, sizeof(E2));
	r2 = scn_parse_text(&S2, FPATH, text, &E2);
	CHECK(!r2, "parsed, then failed: '%s'", E2.msg);
	CHECK(S1.nsteps == S2.nsteps && S1.nvariants == S2.nvariants && S1.nneeds == S2.nneeds &&
		  !strcmp(S1.name, S2.name) && !strcmp(S1.doc, S2.doc),
	      "two parses differ");
	for (int i = 0; i < S1.nsteps; i++)
		CHECK(S1.steps[i].line == S2.steps[i].line && S1.steps[i].op == S2.steps[i].op &&
			  !strcmp(S1.steps[i].text, S2.steps[i].text),
		      "step %d differs", i);
out:
	scn_free(&S1);
	scn_free(&S2);
	/* scn_free twice must be harmless (callers free on every path) */
	scn_free(&S1);
	free(L.starts);
	free(text);
	return 0;
}
