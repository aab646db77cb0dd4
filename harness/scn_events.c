/* Judging event conditions: see scn_events.h. */
#include "scn_events.h"

#include <stdio.h>
#include <string.h>

/* Settle times, by where the notification comes from. */
static const struct {
	const char *kind;
	uint64_t settle_ns;
} settle[] = {
    /* PSI triggers fire at most once per 1 s window; v1 vmpressure goes
     * through a work item */
    {"pressure-low", 2000000000ULL},
    {"pressure-medium", 2000000000ULL},
    {"pressure-critical", 2000000000ULL},
    /* the harness's own observations: pidfds, and the 5 ms pause check */
    {"start", 50000000ULL},
    {"exit", 50000000ULL},
    {"killed", 50000000ULL},
    {"paused", 50000000ULL},
    {"resumed", 50000000ULL},
};
/* everything else: v1 eventfds (signalled synchronously) and v2
 * memory.events (cgroup_file_notify: at most one notification per 10 ms,
 * the rest deferred to a timer), with room for a slow emulated guest */
#define SETTLE_DEFAULT_NS 250000000ULL

uint64_t scn_event_settle_ns(const char *kind)
{
	for (size_t i = 0; i < sizeof(settle) / sizeof(settle[0]); i++)
		if (!strcmp(settle[i].kind, kind))
			return settle[i].settle_ns;
	return SETTLE_DEFAULT_NS;
}

uint64_t scn_event_count(const struct res_scenario *r, const char *group, const char *kind,
			 double *first)
{
	uint64_t n = 0;

	for (int i = 0; i < r->nevents; i++) {
		const struct res_event *ev = &r->events[i];
		if (strcmp(ev->group, group) || strcmp(ev->kind, kind))
			continue;
		if (!n && first)
			*first = ev->t_s;
		n += ev->count;
	}
	return n;
}

int scn_event_count_judge(enum scn_cmp cmp, uint64_t n, uint64_t want, int *settled)
{
	/* counts only grow: what growth cannot undo is final */
	switch (cmp) {
	case SC_GE:
		*settled = n >= want;
		return n >= want;
	case SC_GT:
		*settled = n > want;
		return n > want;
	case SC_NE:
		*settled = n > want;
		return n != want;
	case SC_EQ:
		*settled = n > want;
		return n == want;
	case SC_LE:
		*settled = n > want;
		return n <= want;
	case SC_LT:
		*settled = n >= want;
		return n < want;
	case SC_APPROX:
		break;
	}
	*settled = 1;
	return 0;
}

int scn_event_before_judge(const struct res_scenario *r, const char *group, const char *kind,
			   const char *kind2, int *settled, char *obs, size_t len)
{
	double t1 = -1, t2 = -1;
	uint64_t n1 = scn_event_count(r, group, kind, &t1);
	uint64_t n2 = scn_event_count(r, group, kind2, &t2);

	if (n1 && n2)
		snprintf(obs, len, "%s at %.3f s, %s at %.3f s", kind, t1, kind2, t2);
	else if (n1)
		snprintf(obs, len, "%s at %.3f s, %s never", kind, t1, kind2);
	else if (n2)
		snprintf(obs, len, "%s never, %s at %.3f s", kind, kind2, t2);
	else
		snprintf(obs, len, "%s never, %s never", kind, kind2);
	/* once either has come, a later arrival cannot be earlier than it */
	*settled = n1 || n2;
	return n1 && (!n2 || t1 <= t2);
}

int scn_event_within_judge(const struct res_scenario *r, const char *group, const char *kind,
			   double start_s, double end_s, double bound_s, double now_s, int *settled,
			   double *nearest_s)
{
	double best = -1;

	for (int i = 0; i < r->nevents; i++) {
		const struct res_event *ev = &r->events[i];
		/* a burst spans t_s..t_last_s: the part of it after the start */
		double lo = ev->t_s > start_s ? ev->t_s : start_s, hi = ev->t_last_s, d;
		if (strcmp(ev->group, group) || strcmp(ev->kind, kind) || hi < start_s)
			continue;
		d = end_s < lo ? lo - end_s : end_s > hi ? end_s - hi : 0;
		if (best < 0 || d < best)
			best = d;
	}
	*nearest_s = best;
	if (best >= 0 && best <= bound_s) {
		*settled = 1;
		return 1;
	}
	*settled = now_s >= end_s + bound_s;
	return 0;
}
