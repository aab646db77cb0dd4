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

#include "cli.h"
#include "cli_opt.h"
#include "util.h"

#define MAX_RUNS 8

struct run_json {
	const char *dir;
	json_t *meta, *results;
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

int cmd_compare(int argc, char **argv)
{
	struct run_json r[MAX_RUNS];
	struct compare_opts co = {.tolerance = 10};
	char **dirs = argv + 1;
	int n = 0, ndirs = 0, regressions = 0, moved = 0, changed = 0, ret;
	uint64_t tol;
	json_t *names, *s;
	size_t i;

	ret = cli_parse(&compare_cmd, argc, argv, &co, &ndirs, NULL);
	if (ret != CLI_OK)
		return cli_parse_status(ret);
	tol = co.tolerance;
	ret = 0;
	names = json_array();
	for (int a = 0; a < ndirs; a++) {
		r[n].dir = dirs[a];
		r[n].meta = load_json(dirs[a], "meta.json");
		r[n].results = load_json(dirs[a], "results.json");
		n++;
		if (!r[n - 1].meta || !r[n - 1].results) {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (n < 2) {
		cli_usage(&compare_cmd, stderr);
		ret = EXIT_USAGE;
		goto out;
	}

	for (int k = 0; k < n; k++)
		printf("%c: %s  kernel %s, cgroup v%lld, %s, swap %s\n", 'A' + k, r[k].dir,
		       jstr(r[k].meta, "kernel"),
		       (long long)json_integer_value(json_object_get(r[k].meta, "cgroup_version")),
		       jstr(r[k].meta, "where"), jstr(r[k].meta, "swap_mode"));

	/* the union of scenario names, in the baseline's order first */
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

	printf("\n%-30s", "scenario");
	for (int k = 0; k < n; k++)
		printf(" %-22c", 'A' + k);
	printf("\n");
	json_array_foreach(names, i, s)
	{
		const char *name = json_string_value(s), *base = NULL, *basev = NULL;
		int differs = 0, regressed = 0;
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
				differs |= strcmp(v, base) || strcmp(var, basev);
				regressed |= is_regression(base, v);
			}
		}
		printf("%s\n", regressed ? "  << regressed" : differs ? "  <- changed" : "");
		changed += differs;
		regressions += regressed;
	}

	printf("\nobserved values that moved by more than %llu %%:\n", (unsigned long long)tol);
	json_array_foreach(names, i, s)
	{
		json_t *a = find_scenario(r[0].results, json_string_value(s)), *x;
		size_t j;
		if (!a)
			continue;
		json_array_foreach(json_object_get(a, "expectations"), j, x)
		{
			double va, vb;
			int ba, bb, nth = 0;
			json_t *p;
			size_t q;
			if (!observed_number(jstr(x, "observed"), &va, &ba))
				continue;
			json_array_foreach(json_object_get(a, "expectations"), q, p)
			{
				if (q == j)
					break;
				nth += !strcmp(jstr(p, "text"), jstr(x, "text"));
			}
			for (int k = 1; k < n; k++) {
				json_t *b = find_scenario(r[k].results, json_string_value(s)), *y;
				double d, m;
				if (!b || !(y = find_expect(b, jstr(x, "text"), nth)) ||
				    !observed_number(jstr(y, "observed"), &vb, &bb))
					continue;
				d = va > vb ? va - vb : vb - va;
				m = va > vb ? va : vb;
				/* sizes must move by 256K too, counts by more than 2 */
				if (d * 100 <= m * (double)tol || d <= (ba || bb ? 262144 : 2))
					continue;
				printf("  %s: %s: %s -> %c: %s\n", json_string_value(s),
				       jstr(x, "text"), jstr(x, "observed"), 'A' + k,
				       jstr(y, "observed"));
				moved++;
			}
		}
	}
	if (!moved)
		printf("  none\n");

	printf("\nkernel-log warnings in only some runs:\n");
	{
		json_t *w[MAX_RUNS], *v;
		const char *key;
		int any = 0;
		for (int k = 0; k < n; k++)
			w[k] = warnings(r[k].results);
		for (int k = 0; k < n; k++)
			json_object_foreach(w[k], key, v)
			{
				char in[MAX_RUNS + 1] = "";
				int all = 1, first = 1;
				for (int m = 0; m < n; m++) {
					int has = json_object_get(w[m], key) != NULL;
					in[m] = has ? (char)('A' + m) : '.';
					all &= has;
					if (has && m < k)
						first = 0;
				}
				in[n] = 0;
				if (all || !first)
					continue;
				printf("  [%s] %s\n", in, json_string_value(v));
				any = 1;
			}
		if (!any)
			printf("  none\n");
		for (int k = 0; k < n; k++)
			json_decref(w[k]);
	}

	printf("\n%d scenario%s changed, %d regressed, %d value%s moved\n", changed,
	       changed == 1 ? "" : "s", regressions, moved, moved == 1 ? "" : "s");
	ret = regressions ? EXIT_FAILED : 0;
out:
	for (int k = 0; k < n; k++) {
		json_decref(r[k].meta);
		json_decref(r[k].results);
	}
	json_decref(names);
	return ret;
}
