/* The rules for judging event conditions, over recorded events: no kernel
 * needed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_events.h"
#include "testutil.h"

static struct res_scenario R;

static void reset(void)
{
	memset(&R, 0, sizeof(R));
}

static void add(double t, const char *group, const char *kind, uint64_t count)
{
	struct res_event *e = res_add_event(&R);
	ck_assert_ptr_nonnull(e);
	e->t_s = e->t_last_s = t;
	snprintf(e->group, sizeof(e->group), "%s", group);
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	e->count = count;
}

static void teardown(void)
{
	free(R.events);
	reset();
}

START_TEST(counts_add_entries)
{
	double first = -1;

	reset();
	add(0.5, "G", "oom", 1);
	add(0.6, "H", "oom", 1);
	add(0.9, "G", "oom", 2); /* one v2 notification for two OOMs */
	add(1.0, "G", "killed", 1);
	ck_assert_uint_eq(scn_event_count(&R, "G", "oom", &first), 3);
	ck_assert(first == 0.5);
	ck_assert_uint_eq(scn_event_count(&R, "G", "killed", NULL), 1);
	ck_assert_uint_eq(scn_event_count(&R, "G", "max", NULL), 0);
	teardown();
}
END_TEST

START_TEST(count_settles_when_growth_cannot_change_it)
{
	int settled;

	/* == N: true now, but one more would break it: not settled */
	ck_assert_int_eq(scn_event_count_judge(SC_EQ, 2, 2, &settled), 1);
	ck_assert_int_eq(settled, 0);
	/* too few: may still come */
	ck_assert_int_eq(scn_event_count_judge(SC_EQ, 1, 2, &settled), 0);
	ck_assert_int_eq(settled, 0);
	/* too many: final */
	ck_assert_int_eq(scn_event_count_judge(SC_EQ, 3, 2, &settled), 0);
	ck_assert_int_eq(settled, 1);
	/* >= N reached: final; not yet: may come */
	ck_assert_int_eq(scn_event_count_judge(SC_GE, 1, 1, &settled), 1);
	ck_assert_int_eq(settled, 1);
	ck_assert_int_eq(scn_event_count_judge(SC_GE, 0, 1, &settled), 0);
	ck_assert_int_eq(settled, 0);
	ck_assert_int_eq(scn_event_count_judge(SC_GT, 1, 1, &settled), 0);
	ck_assert_int_eq(settled, 0);
	ck_assert_int_eq(scn_event_count_judge(SC_GT, 2, 1, &settled), 1);
	ck_assert_int_eq(settled, 1);
	/* <= and <: hold until growth breaks them */
	ck_assert_int_eq(scn_event_count_judge(SC_LE, 1, 1, &settled), 1);
	ck_assert_int_eq(settled, 0);
	ck_assert_int_eq(scn_event_count_judge(SC_LE, 2, 1, &settled), 0);
	ck_assert_int_eq(settled, 1);
	ck_assert_int_eq(scn_event_count_judge(SC_LT, 0, 1, &settled), 1);
	ck_assert_int_eq(settled, 0);
	ck_assert_int_eq(scn_event_count_judge(SC_LT, 1, 1, &settled), 0);
	ck_assert_int_eq(settled, 1);
	/* != N: past N it stays true */
	ck_assert_int_eq(scn_event_count_judge(SC_NE, 0, 1, &settled), 1);
	ck_assert_int_eq(settled, 0);
	ck_assert_int_eq(scn_event_count_judge(SC_NE, 1, 1, &settled), 0);
	ck_assert_int_eq(settled, 0);
	ck_assert_int_eq(scn_event_count_judge(SC_NE, 2, 1, &settled), 1);
	ck_assert_int_eq(settled, 1);
}
END_TEST

START_TEST(before_orders_first_arrivals)
{
	char obs[128];
	int settled;

	reset();
	/* neither yet: open */
	ck_assert_int_eq(scn_event_before_judge(&R, "G", "a", "b", &settled, obs, sizeof(obs)), 0);
	ck_assert_int_eq(settled, 0);
	/* the first kind alone: holds, and a later b cannot be earlier */
	add(1.0, "G", "a", 1);
	ck_assert_int_eq(scn_event_before_judge(&R, "G", "a", "b", &settled, obs, sizeof(obs)), 1);
	ck_assert_int_eq(settled, 1);
	/* the second alone: fails for good */
	ck_assert_int_eq(scn_event_before_judge(&R, "G", "b", "a", &settled, obs, sizeof(obs)), 0);
	ck_assert_int_eq(settled, 1);
	ck_assert_str_eq(obs, "b never, a at 1.000 s");
	/* the same time counts as no later */
	add(1.0, "G", "b", 1);
	ck_assert_int_eq(scn_event_before_judge(&R, "G", "b", "a", &settled, obs, sizeof(obs)), 1);
	/* another group's events are not this group's */
	ck_assert_int_eq(scn_event_before_judge(&R, "H", "a", "b", &settled, obs, sizeof(obs)), 0);
	ck_assert_int_eq(settled, 0);
	teardown();
}
END_TEST

START_TEST(within_waits_for_its_deadline_and_keeps_kills_apart)
{
	double near;
	int settled;

	reset();
	/* a ran 0-1 s, b 1.01-1.02 s: a's notification comes 5 ms after its end */
	add(1.005, "G", "oom", 1);
	ck_assert_int_eq(scn_event_within_judge(&R, "G", "oom", 0, 1.0, 0.1, 1.2, &settled, &near),
			 1);
	ck_assert_int_eq(settled, 1);
	ck_assert(near > 0.004 && near < 0.006);
	/* b's end is 15 ms from a's notification, but that came before b
	 * started: it is not b's */
	ck_assert_int_eq(
		scn_event_within_judge(&R, "G", "oom", 1.01, 1.02, 0.1, 1.03, &settled, &near), 0);
	ck_assert_int_eq(settled, 0); /* b's may still be in flight */
	ck_assert(near < 0);
	/* past b's end + bound it is final */
	ck_assert_int_eq(
		scn_event_within_judge(&R, "G", "oom", 1.01, 1.02, 0.1, 1.13, &settled, &near), 0);
	ck_assert_int_eq(settled, 1);
	/* b's own arrives late, 50 ms after its end: within 100 ms */
	add(1.07, "G", "oom", 1);
	ck_assert_int_eq(
		scn_event_within_judge(&R, "G", "oom", 1.01, 1.02, 0.1, 1.08, &settled, &near), 1);
	/* one 150 ms late is not within 100 ms, and says how far it was */
	ck_assert_int_eq(
		scn_event_within_judge(&R, "G", "oom", 1.01, 1.02, 0.04, 1.2, &settled, &near), 0);
	ck_assert_int_eq(settled, 1);
	ck_assert(near > 0.049 && near < 0.051);
	teardown();

	/* a pressure burst from 0.2 s to 1.3 s: its part after c started at
	 * 1.25 s counts, 50 ms before c's end at 1.35 s */
	reset();
	add(0.2, "G", "pressure-critical", 300);
	R.events[0].t_last_s = 1.3;
	ck_assert_int_eq(scn_event_within_judge(&R, "G", "pressure-critical", 1.25, 1.35, 0.1, 1.4,
						&settled, &near),
			 1);
	ck_assert(near > 0.049 && near < 0.051);
	/* a burst over before c started is not c's */
	ck_assert_int_eq(scn_event_within_judge(&R, "G", "pressure-critical", 1.31, 1.35, 0.1, 1.5,
						&settled, &near),
			 0);
	teardown();
}
END_TEST

START_TEST(settle_times_by_source)
{
	/* PSI fires at most once a second */
	ck_assert_uint_ge(scn_event_settle_ns("pressure-critical"), 1000000000ULL);
	/* memory.events: rate-limited to one notification per 10 ms */
	ck_assert_uint_ge(scn_event_settle_ns("oom"), 10000000ULL);
	ck_assert_uint_lt(scn_event_settle_ns("oom"), 1000000000ULL);
	ck_assert_uint_lt(scn_event_settle_ns("killed"), scn_event_settle_ns("oom"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scn_events");
	TCase *tc = tu_case(s, "rules", 0);

	tcase_add_test(tc, counts_add_entries);
	tcase_add_test(tc, count_settles_when_growth_cannot_change_it);
	tcase_add_test(tc, before_orders_first_arrivals);
	tcase_add_test(tc, within_waits_for_its_deadline_and_keeps_kills_apart);
	tcase_add_test(tc, settle_times_by_source);
	return tu_suite_run(s);
}
