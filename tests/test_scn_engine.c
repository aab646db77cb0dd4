/* The scenario engine's decisions that need no kernel: the memory plan the
 * guard judges, and the reasons a scenario is skipped. (Running steps needs
 * real groups: the host tests do that.) */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "scn.h"
#include "scn_run.h"
#include "testutil.h"

static struct scn S;
static struct mlab_err E;

static const struct scn *parse(const char *text)
{
	scn_free(&S);
	ck_assert_msg(!scn_parse_text(&S, "t.scn", text, &E), "%s", E.msg);
	return &S;
}

#define H "scenario t\ndoc d\n"

START_TEST(plan_sizes_and_limits)
{
	/* a size is what it needs */
	ck_assert_uint_eq(scn_plan_bytes(parse(H "group G\nstart a G alloc size=64M\n")), 64 * MIB);
	/* a limit caps what a group can hold */
	ck_assert_uint_eq(scn_plan_bytes(parse(H "group G limit=16M\nstart a G alloc size=64M\n")),
			  16 * MIB);
	/* an allocator without a size is bounded by its limit ... */
	ck_assert_uint_eq(scn_plan_bytes(parse(H "group G limit=8M\nstart a G alloc\n")), 8 * MIB);
	/* ... a later, larger limit counts ... */
	ck_assert_uint_eq(
		scn_plan_bytes(parse(H "group G limit=8M\nstart a G alloc\nset G limit=12M\n")),
		12 * MIB);
	/* ... or its parent's */
	ck_assert_uint_eq(scn_plan_bytes(parse(H "group P limit=20M\ngroup P/C\nstart a P/C alloc\n")),
			  20 * MIB);
	/* and without any: unbounded */
	ck_assert_uint_eq(scn_plan_bytes(parse(H "group G\nstart a G alloc\n")), 0);
	/* page cache is reclaimable: only the reader's buffer counts */
	ck_assert_uint_eq(scn_plan_bytes(parse(H "group G\nstart r G pagecache size=512M\n")),
			  1 * MIB);
	/* groups add up */
	ck_assert_uint_eq(scn_plan_bytes(parse(H "group A\ngroup B limit=4M\n"
						 "start a A shm size=3M\nstart b B alloc\n")),
			  7 * MIB);
}
END_TEST

START_TEST(skip_reasons)
{
	char why[256];

	/* the VM-only need */
	ck_assert_int_eq(scn_skip_reason(parse(H "needs vm\ngroup G\n"), "host", why, sizeof(why)),
			 1);
	ck_assert_ptr_nonnull(strstr(why, "VM runner"));
	ck_assert_int_eq(scn_skip_reason(&S, "vm", why, sizeof(why)), 0);
	/* kernel versions, both ways */
	ck_assert_int_eq(scn_skip_reason(parse(H "needs kernel >= 999.0\ngroup G\n"), "host", why,
					 sizeof(why)),
			 1);
	ck_assert_ptr_nonnull(strstr(why, "needs kernel >= 999.0"));
	ck_assert_int_eq(scn_skip_reason(parse(H "needs kernel >= 2.6\ngroup G\n"), "host", why,
					 sizeof(why)),
			 0);
	ck_assert_int_eq(scn_skip_reason(parse(H "needs kernel < 2.6\ngroup G\n"), "host", why,
					 sizeof(why)),
			 1);
	/* memory: more than any machine has */
	ck_assert_int_eq(scn_skip_reason(parse(H "needs memory 1000T\ngroup G\n"), "host", why,
					 sizeof(why)),
			 1);
	ck_assert_ptr_nonnull(strstr(why, "needs 1000T of memory"));
	/* nothing needed: runs */
	ck_assert_int_eq(scn_skip_reason(parse(H "group G\n"), "host", why, sizeof(why)), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scn_engine");
	TCase *tc = tu_case(s, "engine", 0);

	tcase_add_test(tc, plan_sizes_and_limits);
	tcase_add_test(tc, skip_reasons);
	return tu_suite_run(s);
}
