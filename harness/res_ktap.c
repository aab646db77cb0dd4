/* KTAP version 1 (https://docs.kernel.org/dev-tools/ktap.html) on a FILE*:
 * one test per scenario, one subtest per expectation. See res.h.
 *
 * KTAP is line-based, so every text goes through put_text(), which keeps
 * it on one line; on a result line a '#' would start a directive (a kernel
 * log line quoted as observed text can hold " # SKIP"), so there it is
 * replaced as well, in descriptions, observed values and reasons alike. */
#include "res.h"

#include <string.h>

/* Print at most @len bytes of @s: control characters (newlines included)
 * become spaces, and '#' becomes '_' when @desc (text on a result line). */
static void put_text(FILE *f, const char *s, size_t len, int desc)
{
	len = strnlen(s, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (desc && c == '#')
			c = '_';
		fputc(c, f);
	}
}

/* A fixed-size field of the data model: bounded, in case it was filled to
 * the last byte without a terminator. */
#define PUT(f, field, desc) put_text(f, field, sizeof(field), desc)

void res_ktap_begin(FILE *f, int nscenarios)
{
	fprintf(f, "KTAP version 1\n1..%d\n", nscenarios);
}

static void put_expect(FILE *f, int k, const struct res_expect *e)
{
	int has_obs = e->observed[0] != 0;

	fprintf(f, "  %sok %d ", e->verdict == RES_PASS || e->verdict == RES_SKIP ? "" : "not ", k);
	PUT(f, e->text, 1);
	if (e->verdict == RES_SKIP) {
		/* KTAP's SKIP directive; the observed text says why */
		fputs(" # SKIP", f);
		if (has_obs)
			fputc(' ', f);
	} else if (has_obs) {
		fputs(" # observed: ", f);
	}
	if (has_obs)
		PUT(f, e->observed, 1);
	fputc('\n', f);
}

void res_ktap_scenario(FILE *f, int index, const struct res_scenario *s)
{
	/* subtests come before their parent's result line, indented; a
	 * scenario without expectations (skipped or failed before any was
	 * checked) has none, rather than an empty "1..0" plan */
	if (s->nexpects > 0) {
		fputs("  KTAP version 1\n  # Subtest: ", f);
		PUT(f, s->name, 1);
		fprintf(f, "\n  1..%d\n", s->nexpects);
		for (int k = 0; k < s->nexpects; k++)
			put_expect(f, k + 1, &s->expects[k]);
	}

	for (int k = 0; k < s->nfigures; k++) {
		fputs("# figure: ", f);
		PUT(f, s->figures[k].name, 0);
		fprintf(f, " %.3f %s\n", s->figures[k].value, s->figures[k].unit);
	}
	if (s->variant[0]) {
		fputs("# variant: ", f);
		PUT(f, s->variant, 0);
		if (s->variant_doc[0]) {
			fputs(" (", f);
			PUT(f, s->variant_doc, 0);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	if ((s->verdict == RES_FAIL || s->verdict == RES_ERROR) && s->reason[0]) {
		fputs("# reason: ", f);
		PUT(f, s->reason, 0);
		fputc('\n', f);
	}
	fprintf(f, "# duration: %.2f s\n", s->duration_s);

	fprintf(f, "%sok %d ", s->verdict == RES_PASS || s->verdict == RES_SKIP ? "" : "not ",
		index);
	PUT(f, s->name, 1);
	/* the directives: SKIP, and ERROR for a scenario the harness could
	 * not carry out (a failure of the test itself, not of the kernel) */
	if (s->verdict == RES_SKIP || s->verdict == RES_ERROR) {
		fputs(s->verdict == RES_SKIP ? " # SKIP" : " # ERROR", f);
		if (s->reason[0]) {
			fputc(' ', f);
			PUT(f, s->reason, 1);
		}
	}
	fputc('\n', f);
}

void res_ktap_end(FILE *f, const struct res_run *r)
{
	int passed = 0, failed = 0, skipped = 0;

	for (int i = 0; i < r->nscenarios; i++) {
		switch (r->scenarios[i].verdict) {
		case RES_PASS:
			passed++;
			break;
		case RES_SKIP:
			skipped++;
			break;
		default: /* fail and error */
			failed++;
			break;
		}
	}
	fprintf(f, "# %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	/* the very last line, for a reader that only looks at the tail */
	fprintf(f, "%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	fflush(f);
}
