/* memcg-lab compare, benchmarks: the figures of bench.json side by side,
 * each run's median with its min-max, and a performance regression named
 * where a later run's range lies wholly on the worse side of the
 * baseline's (so run-to-run noise, which the ranges show, is not one). */
#include <stdio.h>
#include <string.h>

#include "compare.h"

/* Which way is better for a figure: +1 higher, -1 lower, 0 neither. The
 * target says it where there is one; else the unit: a rate is better
 * higher, a time or a size lower. A baseline's own figure (dd, the bare
 * loop: "-baseline") is the machine's, never memcg-lab's regression. */
static int better(json_t *f)
{
	const char *t = json_string_value(json_object_get(f, "target"));
	const char *u = json_string_value(json_object_get(f, "unit"));
	const char *n = json_string_value(json_object_get(f, "name"));
	size_t len = n ? strlen(n) : 0;

	if (len > 9 && !strcmp(n + len - 9, "-baseline"))
		return 0;
	if (t && (!strncmp(t, ">", 1) || !strncmp(t, "\u2265", 3)))
		return 1;
	if (t && (!strncmp(t, "<", 1) || !strncmp(t, "\u2264", 3)))
		return -1;
	if (u && (!strcmp(u, "MB/s") || !strcmp(u, "ratio")))
		return 1;
	if (u && (!strcmp(u, "ms") || !strcmp(u, "us") || !strcmp(u, "s") || !strcmp(u, "MiB") ||
		  !strcmp(u, "%")))
		return -1;
	return 0;
}

static json_t *find_figure(json_t *bench, const char *name)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(bench, "figures"), i, f)
	{
		const char *n = json_string_value(json_object_get(f, "name"));
		if (n && !strcmp(n, name))
			return f;
	}
	return NULL;
}

static double num(json_t *f, const char *key)
{
	return json_number_value(json_object_get(f, key));
}

static int comparable(json_t *f)
{
	return json_integer_value(json_object_get(f, "n")) >= 2 &&
	       json_is_number(json_object_get(f, "min")) &&
	       json_is_number(json_object_get(f, "max"));
}

int compare_bench(json_t *const *bench, int n)
{
	json_t *f;
	size_t i;
	int regressions = 0;

	printf(
	    "\nbenchmarks (median, min-max; ! a regression: its range wholly worse than A's, each\n"
	    "of two runs or more; a baseline's own figures are the machine's):\n");
	printf("  %-22s %-8s", "figure", "unit");
	for (int k = 0; k < n; k++)
		printf("  %-26c", 'A' + k);
	printf("\n");
	json_array_foreach(json_object_get(bench[0], "figures"), i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		int dir = better(f);
		if (!name)
			continue;
		printf("  %-22s %-8s", name, json_string_value(json_object_get(f, "unit")));
		for (int k = 0; k < n; k++) {
			json_t *g = k ? find_figure(bench[k], name) : f;
			char cell[64];
			int worse = 0;
			if (!g) {
				printf("  %-26s", "-");
				continue;
			}
			/* a range needs two runs a side, and numbers (null: not
			 * finite) */
			if (k && comparable(f) && comparable(g))
				worse = dir > 0	  ? num(g, "max") < num(f, "min")
					: dir < 0 ? num(g, "min") > num(f, "max")
						  : 0;
			snprintf(cell, sizeof(cell), "%s%.3g (%.3g-%.3g)", worse ? "! " : "",
				 num(g, "median"), num(g, "min"), num(g, "max"));
			printf("  %-26s", cell);
			regressions += worse;
		}
		printf("\n");
	}
	return regressions;
}
