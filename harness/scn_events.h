/* Judging event conditions (`event G KIND count OP N`, `... before KIND2`,
 * `... within D of ID end`) from the events a scenario recorded. Pure
 * functions over res_scenario, so every rule is unit-tested without a
 * kernel; scn_run.c feeds them and waits while a verdict is not settled.
 *
 * The rules: a notification can still be in flight when its cause is seen
 * (v2 memory.events notifications are rate-limited and deferred, PSI fires
 * once per window), so a condition is judged only once it is settled: its
 * outcome can no longer change, or its deadline has passed. Counts are
 * monotonic, which decides most of them early. */
#ifndef MLAB_SCN_EVENTS_H
#define MLAB_SCN_EVENTS_H

#include <stdint.h>

#include "res.h"
#include "scn.h"

/* How long after its cause a notification of @kind may still arrive: the
 * default settle time of an expectation on it. */
uint64_t scn_event_settle_ns(const char *kind);

/* Occurrences of @kind in @group recorded so far (entries' counts added),
 * and the time of the first one in @first (may be NULL; untouched if none). */
uint64_t scn_event_count(const struct res_scenario *r, const char *group, const char *kind,
			 double *first);

/* `count OP N` with @n occurrences now: does it hold (return value), and can
 * more occurrences still change that (*settled = 0)? */
int scn_event_count_judge(enum scn_cmp cmp, uint64_t n, uint64_t want, int *settled);

/* `KIND before KIND2`: the first KIND came no later than the first KIND2. */
int scn_event_before_judge(const struct res_scenario *r, const char *group, const char *kind,
			   const char *kind2, int *settled, char *obs, size_t len);

/* `KIND within D of ID end`: a notification of @kind in @group that came
 * after @start_s (the workload's start: its own OOM cannot be notified
 * earlier, so another workload's notification is never taken for it) and
 * no further than @bound_s from @end_s. Settled once found, or at
 * @now_s >= @end_s + @bound_s. @nearest_s gets the smallest distance seen
 * (-1 if there is no candidate at all). */
int scn_event_within_judge(const struct res_scenario *r, const char *group, const char *kind,
			   double start_s, double end_s, double bound_s, double now_s, int *settled,
			   double *nearest_s);

#endif
