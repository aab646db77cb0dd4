/* memcg-lab compare RUN_A RUN_B [...]: what changed between runs (two
 * kernels, v1 and v2, before and after an upgrade). The first run is the
 * baseline; every other run is compared with it:
 *   - per scenario, verdict and variant side by side;
 *   - expectations whose observed value moved beyond the tolerance;
 *   - kernel-log warnings present in one run and not the other.
 * Exit 1 when a verdict regressed (pass in the baseline, fail or error
 * later), 2 for usage errors, 0 otherwise. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opt.h"
#include "compare.h"
#include "res.h"
#include "util.h"

#define MAX_RUNS 8

struct run_json {
	const char *dir;
	json_t *meta, *results; /* NULL in a directory of memcg-lab bench alone */
	json_t *bench;		/* bench.json, or NULL */
};

static json_t *load_json(const char *dir, const char *file)
{
	char path[4096];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	j = json_load_file(path, 0, &err);
	if (!j && err.line > 0)
		fprintf(stderr, "memcg-lab compare: %s:%d: %s\n", path, err.line, err.text);
	else if (!j)
		fprintf(stderr, "memcg-lab compare: %s\n", err.text);
	return j;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* The first scenario of that name in a run. */
static json_t *find_scenario(json_t *results, const char *name)
{
	json_t *arr = json_object_get(results, "scenarios"), *s;
	size_t i;

	json_array_foreach(arr, i, s) if (!strcmp(jstr(s, "name"), name)) return s;
	return NULL;
}

/* The @nth expectation (0-based) with this text: a scenario may check the
 * same thing twice, before and after a step. */
static json_t *find_expect(json_t *scn, const char *text, int nth)
{
	json_t *arr = json_object_get(scn, "expectations"), *x;
	size_t i;

	json_array_foreach(arr, i, x) if (!strcmp(jstr(x, "text"), text) && nth-- == 0) return x;
	return NULL;
}

/* An observed value that is a plain measurement, "4194304 (4M)", "12" or
 * "A vs B": its leading number. Timings, event counts and texts ("6.2 ms
 * from ...", "271 low events", "killed by ...") are not compared: they move
 * from run to run on the same kernel. */
static int observed_number(const char *s, double *v, int *is_bytes)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return 0;
	*v = strtod(s, &end);
	*is_bytes = *end == ' ' && end[1] == '(';
	if (*is_bytes)
		end = strchr(end, ')') ? strchr(end, ')') + 1 : end;
	return !*end || !strncmp(end, " vs ", 4);
}

static int is_regression(const char *a, const char *b)
{
	return !strcmp(a, "pass") && (!strcmp(b, "fail") || !strcmp(b, "error"));
}

/* Kernel-log lines worth comparing, with the numbers (pids, addresses,
 * sizes) blanked so that the same warning matches across runs. */
static int warning_line(const char *l)
{
	static const char *const words[] = {
	    "deprecated", "will be removed", "WARNING",	     "Call Trace",
	    "BUG",	  "please report",   "Please report"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(l, words[i]))
			return 1;
	return 0;
}

static void normalise(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (; *in && o + 1 < len; in++) {
		if (isdigit((unsigned char)*in)) {
			if (!o || out[o - 1] != '#')
				out[o++] = '#';
			continue;
		}
		out[o++] = *in;
	}
	out[o] = 0;
}

/* Every normalised warning of a run, once. */
static json_t *warnings(json_t *results)
{
	json_t *set = json_object(), *arr = json_object_get(results, "scenarios"), *s, *l;
	size_t i, k;
	char buf[512];

	json_array_foreach(arr, i, s) json_array_foreach(json_object_get(s, "kernel_log"), k, l)
	{
		const char *line = json_string_value(l);
		if (!line || !warning_line(line))
			continue;
		normalise(line, buf, sizeof(buf));
		json_object_set_new(set, buf, json_string(line));
	}
	return set;
}

struct compare_opts {
	uint64_t tolerance;
};

static const struct cli_opt compare_opts[] = {
    CLI_OPTION("tolerance", CLI_COUNT, offsetof(struct compare_opts, tolerance), "PCT",
	       "observed values that moved by more than PCT % (default 10)", .min = 0, .max = 1000),
    CLI_OPTIONS_END,
};

static const struct cli_cmd compare_cmd = {
    .name = "compare",
    .operands = "RUN_A RUN_B [RUN ...]",
    .about = "Compare result directories (results/<run-id>/): verdicts and variants per\n"
	     "scenario, observed values that moved, kernel-log warnings that appear in only\n"
	     "one run. The first run is the baseline. Exit 1 when a scenario that passed in\n"
	     "the baseline fails later.",
    .opts = compare_opts,
    .max_operands = MAX_RUNS,
};

/* A format this memcg-lab reads: RES_FORMAT, or none (written before the
 * files carried one, in the same layout). Says why not otherwise. */
static int known_format(const struct run_json *x, const char *file, json_t *j)
{
	json_t *f = json_object_get(j, "format");

	if (!f || (json_is_integer(f) && json_integer_value(f) == RES_FORMAT))
		return 1;
	if (json_is_integer(f))
		fprintf(stderr,
			"memcg-lab compare: %s/%s: format %lld, and this memcg-lab reads format %d "
			"(a newer memcg-lab wrote it)\n",
			x->dir, file, (long long)json_integer_value(f), RES_FORMAT);
	else
		fprintf(stderr, "memcg-lab compare: %s/%s: \"format\" is not a number\n", x->dir,
			file);
	return 0;
}

static int has_file(const char *dir, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return !access(path, F_OK);
}

/* Each directory's meta.json and results.json, and its bench.json where
 * there is one, into @r (a directory of `memcg-lab bench` holds bench.json
 * alone); *@n says how many were tried (loaded or not). 0, or EXIT_USAGE
 * when one could not be loaded (the reason said). */
static int load_runs(char **dirs, int ndirs, struct run_json *r, int *n)
{
	*n = 0;
	while (*n < ndirs) {
		struct run_json *x = &r[*n];
		int bench_only;
		memset(x, 0, sizeof(*x));
		x->dir = dirs[*n];
		++*n;
		bench_only = has_file(x->dir, "bench.json") && !has_file(x->dir, "results.json");
		if (has_file(x->dir, "bench.json") && !(x->bench = load_json(x->dir, "bench.json")))
			return EXIT_USAGE;
		if (bench_only)
			continue;
		x->meta = load_json(x->dir, "meta.json");
		x->results = load_json(x->dir, "results.json");
		if (!x->meta || !x->results || !known_format(x, "meta.json", x->meta) ||
		    !known_format(x, "results.json", x->results))
			return EXIT_USAGE;
	}
	return 0;
}

static void free_runs(struct run_json *r, int n)
{
	for (int k = 0; k < n; k++) {
		json_decref(r[k].meta);
		json_decref(r[k].results);
		json_decref(r[k].bench);
	}
}

/* "A: DIR  kernel ..., cgroup vN, WHERE, swap MODE" for each run. */
/* A run dimension (meta.json kernel_facts, swap_kind) as text: "on",
 * "off", a number, or "" when the run did not record it. */
static const char *dimension(const struct run_json *r, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(json_object_get(r->meta, "kernel_facts"), key);

	if (!strcmp(key, "swap_kind"))
		snprintf(buf, len, "%s", jstr(r->meta, "swap_kind"));
	else if (!json_is_integer(v))
		buf[0] = 0;
	else if (!strcmp(key, "cpus"))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "%s", json_integer_value(v) ? "on" : "off");
	return buf;
}

static const char *const dimensions[] = {"mglru", "recursiveprot", "localevents", "zswap",
					 "cpus",  "swap_kind",	   NULL};

/* "   mglru on, recursiveprot off, ..." of one run; nothing for a run that
 * recorded no dimensions (older results). */
static void print_dimensions(const struct run_json *r)
{
	const char *sep = "   ";
	char v[32];

	for (int d = 0; dimensions[d]; d++)
		if (dimension(r, dimensions[d], v, sizeof(v))[0]) {
			printf("%s%s %s", sep, dimensions[d], v);
			sep = ", ";
		}
	if (strcmp(sep, "   "))
		putchar('\n');
}

/* The dimensions in which the runs differ: "differ in: mglru (A on, B off)". */
static void print_dimension_changes(const struct run_json *r, int n)
{
	int any = 0;

	for (int d = 0; dimensions[d]; d++) {
		char first[32], v[32];
		int differs = 0;
		dimension(&r[0], dimensions[d], first, sizeof(first));
		for (int k = 1; k < n; k++)
			differs |=
			    strcmp(dimension(&r[k], dimensions[d], v, sizeof(v)), first) != 0;
		if (!differs)
			continue;
		printf("%s%s (", any ? "; " : "the runs differ in: ", dimensions[d]);
		for (int k = 0; k < n; k++)
			printf("%s%c %s", k ? ", " : "", 'A' + k,
			       dimension(&r[k], dimensions[d], v, sizeof(v))[0] ? v : "-");
		putchar(')');
		any = 1;
	}
	if (any)
		putchar('\n');
}

static void print_runs(const struct run_json *r, int n)
{
	for (int k = 0; k < n; k++) {
		printf("%c: %s  kernel %s, cgroup v%lld, %s, swap %s\n", 'A' + k, r[k].dir,
		       jstr(r[k].meta, "kernel"),
		       (long long)json_integer_value(json_object_get(r[k].meta, "cgroup_version")),
		       jstr(r[k].meta, "where"), jstr(r[k].meta, "swap_mode"));
		print_dimensions(&r[k]);
	}
	print_dimension_changes(r, n);
}

/* The union of scenario names, in the baseline's order first. */
static json_t *scenario_names(const struct run_json *r, int n)
{
	json_t *names = json_array(), *s;
	size_t i;

	for (int k = 0; k < n; k++)
		json_array_foreach(json_object_get(r[k].results, "scenarios"), i, s)
		{
			const char *name = jstr(s, "name");
			int seen = 0;
			json_t *x;
			size_t j;
			json_array_foreach(names, j, x) seen |= !strcmp(json_string_value(x), name);
			if (!seen)
				json_array_append_new(names, json_string(name));
		}
	return names;
}

/* One scenario's row: its verdict and variant in each run; whether a
 * later run differs from the baseline, whether one regressed. */
static void print_verdict_row(const struct run_json *r, int n, const char *name, int *differs,
			      int *regressed)
{
	const char *base = NULL, *basev = NULL;

	*differs = *regressed = 0;
	printf("%-30s", name);
	for (int k = 0; k < n; k++) {
		json_t *sc = find_scenario(r[k].results, name);
		char cell[96];
		const char *v = sc ? jstr(sc, "verdict") : "-";
		const char *var = sc ? jstr(sc, "variant") : "";
		snprintf(cell, sizeof(cell), "%s%s%s", v, var[0] ? ":" : "", var);
		printf(" %-22s", cell);
		if (!k) {
			base = v;
			basev = var;
		} else if (sc) {
			*differs |= strcmp(v, base) || strcmp(var, basev);
			*regressed |= is_regression(base, v);
		}
	}
	printf("%s\n", *regressed ? "  << regressed" : *differs ? "  <- changed" : "");
}

/* The verdicts table; how many scenarios changed and regressed. */
static void print_verdicts(const struct run_json *r, int n, json_t *names, int *changed,
			   int *regressions)
{
	json_t *s;
	size_t i;

	printf("\n%-30s", "scenario");
	for (int k = 0; k < n; k++)
		printf(" %-22c", 'A' + k);
	printf("\n");
	json_array_foreach(names, i, s)
	{
		int differs, regressed;
		print_verdict_row(r, n, json_string_value(s), &differs, &regressed);
		*changed += differs;
		*regressions += regressed;
	}
}

/* How many expectations before the @j-th of @expects have its text. */
static int nth_same_text(json_t *expects, size_t j)
{
	const char *text = jstr(json_array_get(expects, j), "text");
	json_t *p;
	size_t q;
	int nth = 0;

	json_array_foreach(expects, q, p)
	{
		if (q == j)
			break;
		nth += !strcmp(jstr(p, "text"), text);
	}
	return nth;
}

/* Moved by more than @tol % of the larger value; sizes must move by 256K
 * too, counts by more than 2. */
static int moved_beyond(double va, double vb, int bytes, uint64_t tol)
{
	double d = va > vb ? va - vb : vb - va;
	double m = va > vb ? va : vb;

	return !(d * 100 <= m * (double)tol || d <= (bytes ? 262144 : 2));
}

/* The baseline's expectation @x (the @nth with its text) of scenario @name
 * against the same in each later run: a line for each that moved; how
 * many did. */
static int print_moved_expect(const struct run_json *r, int n, const char *name, json_t *x, int nth,
			      uint64_t tol)
{
	double va, vb;
	int ba, bb, moved = 0;

	if (!observed_number(jstr(x, "observed"), &va, &ba))
		return 0;
	for (int k = 1; k < n; k++) {
		json_t *b = find_scenario(r[k].results, name), *y;
		if (!b || !(y = find_expect(b, jstr(x, "text"), nth)) ||
		    !observed_number(jstr(y, "observed"), &vb, &bb))
			continue;
		if (!moved_beyond(va, vb, ba || bb, tol))
			continue;
		printf("  %s: %s: %s -> %c: %s\n", name, jstr(x, "text"), jstr(x, "observed"),
		       'A' + k, jstr(y, "observed"));
		moved++;
	}
	return moved;
}

/* Observed values that moved beyond the tolerance; how many did. */
static int print_moved(const struct run_json *r, int n, json_t *names, uint64_t tol)
{
	json_t *s, *x;
	size_t i, j;
	int moved = 0;

	printf("\nobserved values that moved by more than %llu %%:\n", (unsigned long long)tol);
	json_array_foreach(names, i, s)
	{
		const char *name = json_string_value(s);
		json_t *a = find_scenario(r[0].results, name), *expects;
		if (!a)
			continue;
		expects = json_object_get(a, "expectations");
		json_array_foreach(expects, j, x)
		{
			moved += print_moved_expect(r, n, name, x, nth_same_text(expects, j), tol);
		}
	}
	if (!moved)
		printf("  none\n");
	return moved;
}

/* Which of the runs' warning sets @w have @key ("A.C" into @in); whether
 * run @k is the first that has it and not every run does. */
static int first_of_some(json_t *const *w, int n, int k, const char *key, char *in)
{
	int all = 1, first = 1;

	for (int m = 0; m < n; m++) {
		int has = json_object_get(w[m], key) != NULL;
		in[m] = has ? (char)('A' + m) : '.';
		all &= has;
		if (has && m < k)
			first = 0;
	}
	in[n] = 0;
	return !all && first;
}

/* Kernel-log warnings present in some runs and not in others, once each. */
static void print_warnings(const struct run_json *r, int n)
{
	json_t *w[MAX_RUNS], *v;
	const char *key;
	int any = 0;

	printf("\nkernel-log warnings in only some runs:\n");
	for (int k = 0; k < n; k++)
		w[k] = warnings(r[k].results);
	for (int k = 0; k < n; k++)
		json_object_foreach(w[k], key, v)
		{
			char in[MAX_RUNS + 1] = "";
			if (!first_of_some(w, n, k, key, in))
				continue;
			printf("  [%s] %s\n", in, json_string_value(v));
			any = 1;
		}
	if (!any)
		printf("  none\n");
	for (int k = 0; k < n; k++)
		json_decref(w[k]);
}

/* The scenarios when every run has them, the benchmarks when every run
 * has them; exit 1 for a regression of either. */
static int compare_parts(const struct run_json *r, int n, const struct compare_opts *co)
{
	json_t *bench[MAX_RUNS], *names;
	int scenarios = 1, benches = 1, regressions = 0, slower = 0, changed = 0, moved;

	for (int k = 0; k < n; k++) {
		scenarios &= r[k].results != NULL;
		benches &= r[k].bench != NULL;
		bench[k] = r[k].bench;
	}
	if (!scenarios && !benches) {
		fprintf(stderr, "memcg-lab compare: the directories have neither scenario results "
				"nor benchmarks in common\n");
		return EXIT_USAGE;
	}
	if (scenarios) {
		print_runs(r, n);
		names = scenario_names(r, n);
		print_verdicts(r, n, names, &changed, &regressions);
		moved = print_moved(r, n, names, co->tolerance);
		print_warnings(r, n);
		printf("\n%d scenario%s changed, %d regressed, %d value%s moved\n", changed,
		       changed == 1 ? "" : "s", regressions, moved, moved == 1 ? "" : "s");
		json_decref(names);
	}
	if (benches) {
		if (!scenarios)
			for (int k = 0; k < n; k++)
				printf("%c: %s  kernel %s, bench of %lld runs\n", 'A' + k, r[k].dir,
				       jstr(r[k].bench, "kernel"),
				       (long long)json_integer_value(
					   json_object_get(r[k].bench, "runs")));
		slower = compare_bench(bench, n);
		printf("\n%d benchmark figure%s regressed\n", slower, slower == 1 ? "" : "s");
	}
	return regressions || slower ? EXIT_FAILED : 0;
}

int cmd_compare(int argc, char **argv)
{
	struct run_json r[MAX_RUNS];
	struct compare_opts co = {.tolerance = 10};
	int n = 0, ndirs = 0, ret;

	ret = cli_parse(&compare_cmd, argc, argv, &co, &ndirs, NULL);
	if (ret != CLI_OK)
		return cli_parse_status(ret);
	ret = load_runs(argv + 1, ndirs, r, &n);
	if (!ret && n < 2) {
		cli_usage(&compare_cmd, stderr);
		ret = EXIT_USAGE;
	}
	if (ret) {
		free_runs(r, n);
		return ret;
	}
	ret = compare_parts(r, n, &co);
	free_runs(r, n);
	return ret;
}
