/* The results data model: names and the growing arrays. See res.h. */
#include "res.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "kfact.h"
#include "run.h"

const char *const res_counter_names[RES_NCOUNTERS] = {
    "usage", "limit", "anon", "file", "shmem", "swap", "failcnt", "oom_kill", "under_oom",
};

const char *res_verdict_name(enum res_verdict v)
{
	switch (v) {
	case RES_PASS:
		return "pass";
	case RES_FAIL:
		return "fail";
	case RES_SKIP:
		return "skip";
	case RES_ERROR:
		return "error";
	}
	return "error"; /* an out-of-range value is a bug: never call it a pass */
}

/* Make room for one more element of @size after the *@n in @arr, doubling
 * *@cap, and zero it. Returns the array (moved or not; NULL if out of
 * memory, with the old one untouched) and the new element in *@elem.
 * Doubling keeps a long run's many samples at amortised constant cost. */
static void *grow(void *arr, int *n, int *cap, size_t size, void **elem)
{
	char *p = arr;

	if (*n >= *cap) {
		int ncap = *cap ? *cap : 8;

		while (ncap <= *n) {
			if (ncap > INT_MAX / 2)
				return NULL;
			ncap *= 2;
		}
		if ((size_t)ncap > SIZE_MAX / size)
			return NULL;
		p = realloc(arr, (size_t)ncap * size);
		if (!p)
			return NULL;
		*cap = ncap;
	}
	*elem = p + (size_t)*n * size;
	memset(*elem, 0, size);
	(*n)++;
	return p;
}

/* Typed front end: grows @arr in place and yields the new element or NULL. */
#define GROW(arr, n, cap)                                                                          \
	({                                                                                         \
		void *e_ = NULL, *a_ = grow(arr, &(n), &(cap), sizeof(*(arr)), &e_);               \
		if (a_)                                                                            \
			(arr) = a_;                                                                \
		a_ ? e_ : NULL;                                                                    \
	})

/* The returned pointers stay valid only until the next add to the same
 * array: realloc may move it. */
struct res_scenario *res_add_scenario(struct res_run *r)
{
	struct res_scenario *s = GROW(r->scenarios, r->nscenarios, r->cap_scenarios);

	if (s)
		lat_init(&s->lat); /* min_ns must start at UINT64_MAX, not 0 */
	return s;
}

struct res_expect *res_add_expect(struct res_scenario *s)
{
	return GROW(s->expects, s->nexpects, s->cap_expects);
}

struct res_figure *res_add_figure(struct res_scenario *s)
{
	return GROW(s->figures, s->nfigures, s->cap_figures);
}

struct res_event *res_add_event(struct res_scenario *s)
{
	return GROW(s->events, s->nevents, s->cap_events);
}

int res_add_kmsg(struct res_scenario *s, const char *line)
{
	char *l = GROW(s->kmsg, s->nkmsg, s->cap_kmsg);
	size_t len;

	if (!l)
		return -ENOMEM;
	/* longer lines are cut: the log itself stays in the kernel */
	len = strnlen(line, sizeof(*s->kmsg) - 1);
	memcpy(l, line, len);
	l[len] = 0;
	return 0;
}

struct res_sample *res_add_sample(struct res_scenario *s)
{
	return GROW(s->samples, s->nsamples, s->cap_samples);
}

struct res_workload *res_add_workload(struct res_scenario *s)
{
	struct res_workload *w = GROW(s->workloads, s->nworkloads, s->cap_workloads);

	if (w)
		lat_init(&w->lat);
	return w;
}

int res_stability(struct res_run *r, struct res_stability *out, int max)
{
	int n = 0;

	for (int i = 0; i < r->nscenarios; i++) {
		struct res_scenario *s = &r->scenarios[i];
		int k;
		for (k = 0; k < n && strcmp(out[k].name, s->name); k++)
			;
		if (k == n) {
			if (n == max)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].name, sizeof(out[n].name), "%s", s->name);
			n++;
		}
		out[k].runs++;
		out[k].verdicts[s->verdict]++;
	}
	for (int k = 0; k < n; k++) {
		int kinds = 0;
		for (int v = 0; v < 4; v++)
			kinds += out[k].verdicts[v] > 0;
		out[k].flaky = kinds > 1;
		for (int i = 0; i < r->nscenarios; i++)
			if (!strcmp(r->scenarios[i].name, out[k].name))
				r->scenarios[i].flaky = out[k].flaky;
	}
	return n;
}

/* Frees the arrays and empties the run; the meta data stays, and a second
 * call is harmless. */
void res_free(struct res_run *r)
{
	for (int i = 0; i < r->nscenarios; i++) {
		struct res_scenario *s = &r->scenarios[i];

		free(s->expects);
		free(s->figures);
		free(s->events);
		free(s->kmsg);
		free(s->samples);
		free(s->workloads);
	}
	free(r->scenarios);
	r->scenarios = NULL;
	r->nscenarios = r->cap_scenarios = 0;
}

void res_meta_dimensions(struct res_meta *m)
{
	m->nfacts = 0;
	for (const struct kfact *f = kfacts; f->name; f++) {
		struct mlab_err e;
		uint64_t v;
		if (!f->dimension || m->nfacts == (int)(sizeof(m->facts) / sizeof(m->facts[0])) ||
		    f->read(&v, &e))
			continue;
		snprintf(m->facts[m->nfacts].name, sizeof(m->facts[0].name), "%s", f->name);
		m->facts[m->nfacts++].value = v;
	}
	swap_kind(m->swap_kind, sizeof(m->swap_kind));
}
