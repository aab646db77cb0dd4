/* The scenario engine's decisions that need no kernel: the memory plan the
 * guard judges, the reasons a scenario is skipped, and the evaluation of
 * conditions over a fake cgroup tree (a copy of tests/fixtures/v2).
 * (Running steps needs real groups: the host tests do that.) */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scn.h"
#include "scn_eng.h"
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
	ck_assert_uint_eq(
	    scn_plan_bytes(parse(H "group P limit=20M\ngroup P/C\nstart a P/C alloc\n")), 20 * MIB);
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
	ck_assert_int_eq(
	    scn_skip_reason(parse(H "needs kernel >= 999.0\ngroup G\n"), "host", why, sizeof(why)),
	    1);
	ck_assert_ptr_nonnull(strstr(why, "needs kernel >= 999.0"));
	ck_assert_int_eq(
	    scn_skip_reason(parse(H "needs kernel >= 2.6\ngroup G\n"), "host", why, sizeof(why)),
	    0);
	ck_assert_int_eq(
	    scn_skip_reason(parse(H "needs kernel < 2.6\ngroup G\n"), "host", why, sizeof(why)), 1);
	/* memory: more than any machine has */
	ck_assert_int_eq(
	    scn_skip_reason(parse(H "needs memory 1000T\ngroup G\n"), "host", why, sizeof(why)), 1);
	ck_assert_ptr_nonnull(strstr(why, "needs 1000T of memory"));
	/* nothing needed: runs */
	ck_assert_int_eq(scn_skip_reason(parse(H "group G\n"), "host", why, sizeof(why)), 0);
}
END_TEST

/* An engine with one group G on a fresh copy of the v2 fixture tree
 * (memory.current 12296192, memory.max "max", memory.stat anon 1183744 ...)
 * and the scenario @text parsed; nothing is run. */
static struct eng *fake_engine(const char *text)
{
	static struct eng g;
	static struct res_scenario res;
	const char *root = tu_path("%s/root", tu_tmpdir());
	struct mlab_err e = {""};

	memset(&g, 0, sizeof(g));
	memset(&res, 0, sizeof(res));
	tu_copy_tree(tu_path("%s/v2", FIXTURES), root);
	ck_assert_msg(!cg_root_open(&g.run.root, root, &e), "%s", e.msg);
	snprintf(g.g[0].name, sizeof(g.g[0].name), "G");
	ck_assert_msg(!cg_open(&g.g[0].cg, &g.run.root, "", &e), "%s", e.msg);
	g.g[0].alive = 1;
	g.ng = 1;
	g.s = parse(text);
	g.res = &res;
	g.variant = -1;
	return &g;
}

/* condition of step @i: holds (1), not (0), or -errno; what it saw in @obs */
static int eval(struct eng *g, int i, char *obs, size_t len, int *settled)
{
	struct mlab_err e = {""};
	return scn_cond_eval(g, &g->s->steps[i].check.cond, obs, len, settled, &e);
}

START_TEST(conditions_over_a_fake_tree)
{
	struct eng *g = fake_engine(H "group G\n"
				      "expect G.usage == 12296192\n"
				      "expect G.usage > 11M\n"
				      "expect G.limit == unlimited\n"
				      "expect G.usage ~= 12M  tol=5%\n"
				      "expect G.usage ~= 10M  tol=5%\n"
				      "expect G.anon + G.file <= G.usage\n"
				      "expect G.memory.stat:kernel_stack == 64K\n"
				      "expect G.nosuch_counter_file.x == 1\n"
				      "expect kernel.mglru <= 1\n"
				      "expect kernel.mglru > 1\n");
	int want[] = {-1, 1, 1, 1, 1, 0, 1, 1, -2, 1, 0};
	char obs[256];
	int settled;

	for (int i = 1; i < g->s->nsteps; i++) {
		int r = eval(g, i, obs, sizeof(obs), &settled);
		if (want[i] == -2)
			ck_assert_msg(r < 0, "line %d: %d (%s)", g->s->steps[i].line, r, obs);
		else
			ck_assert_msg(r == want[i], "line %d: %d, not %d (%s)", g->s->steps[i].line,
				      r, want[i], obs);
	}
	/* the observed value is what a reader sees in the results */
	eval(g, 1, obs, sizeof(obs), &settled);
	ck_assert_str_eq(obs, "12296192 (11.7M)");
	/* a live group's counters can still change: a wait goes on */
	ck_assert_int_eq(settled, 0);
	/* a counter that moves is seen at once */
	tu_write(tu_path("%s/memory.current", g->run.root.path), "4096\n");
	ck_assert_int_eq(eval(g, 1, obs, sizeof(obs), &settled), 0);
	ck_assert_str_eq(obs, "4096 (4K)");
	/* a removed group is gone for good: its comparisons are settled */
	g->g[0].alive = 0;
	ck_assert_int_lt(eval(g, 1, obs, sizeof(obs), &settled), 0);
	ck_assert_int_eq(settled, 1);
}
END_TEST

START_TEST(saved_values_and_errno)
{
	struct eng *g = fake_engine(H "variant x one\ngroup G\nsave u G.usage\n"
				      "expect $u - 1M < G.usage\n"
				      "try G memory.max 1K\n"
				      "pick x if errno == EBUSY\n"
				      "expect errno != ok\n");
	char obs[256];
	int settled;

	g->vars[0].v = 12296192;
	snprintf(g->vars[0].name, sizeof(g->vars[0].name), "u");
	g->nvars = 1;
	ck_assert_int_eq(eval(g, 2, obs, sizeof(obs), &settled), 1);
	/* before any try there is nothing to judge */
	ck_assert_int_eq(eval(g, 4, obs, sizeof(obs), &settled), 0);
	ck_assert_str_eq(obs, "no try before this line");
	g->tried = 1;
	g->last_errno = EBUSY;
	ck_assert_int_eq(eval(g, 4, obs, sizeof(obs), &settled), 1);
	ck_assert_str_eq(obs, "EBUSY");
	ck_assert_int_eq(eval(g, 5, obs, sizeof(obs), &settled), 1);
	g->last_errno = 0;
	ck_assert_int_eq(eval(g, 4, obs, sizeof(obs), &settled), 0);
	ck_assert_int_eq(eval(g, 5, obs, sizeof(obs), &settled), 0);
}
END_TEST

/* One notification of @kind in G at @t seconds, as the engine records it. */
static void note(struct eng *g, const char *kind, double t)
{
	struct res_event *ev = res_add_event(g->res);

	ck_assert_ptr_nonnull(ev);
	snprintf(ev->group, sizeof(ev->group), "G");
	snprintf(ev->kind, sizeof(ev->kind), "%s", kind);
	ev->t_s = ev->t_last_s = t;
	ev->count = 1;
}

START_TEST(events_log_and_workloads_from_the_records)
{
	struct eng *g = fake_engine(H "group G\nwatch G oom\nstart a G alloc\n"
				      "expect event G oom count == 2\n"
				      "expect event G oom\n"
				      "expect event G oom before killed\n"
				      "expect kmsg \"out of memory\"\n"
				      "expect no-kmsg \"out of memory\"\n"
				      "expect a running\n");
	char obs[256];
	int settled;

	/* no notification yet: not (yet) the count; the log: nothing seen */
	ck_assert_int_eq(eval(g, 3, obs, sizeof(obs), &settled), 0);
	ck_assert_str_eq(obs, "0 oom events");
	ck_assert_int_eq(eval(g, 4, obs, sizeof(obs), &settled), 0);
	g->have_kmsg = 1; /* a log with nothing in it: absence holds */
	ck_assert_int_eq(eval(g, 6, obs, sizeof(obs), &settled), 0);
	ck_assert_int_eq(eval(g, 7, obs, sizeof(obs), &settled), 1);
	/* two notifications, then the task's end */
	note(g, "oom", 0.5);
	note(g, "oom", 0.6);
	note(g, "killed", 0.7);
	ck_assert_int_eq(eval(g, 3, obs, sizeof(obs), &settled), 1);
	ck_assert_str_eq(obs, "2 oom events");
	ck_assert_int_eq(eval(g, 4, obs, sizeof(obs), &settled), 1);
	ck_assert_int_eq(eval(g, 5, obs, sizeof(obs), &settled), 1);
	/* a third is one too many; a removed group sends no more: settled */
	note(g, "oom", 0.8);
	ck_assert_int_eq(eval(g, 3, obs, sizeof(obs), &settled), 0);
	g->g[0].alive = 0;
	eval(g, 3, obs, sizeof(obs), &settled);
	ck_assert_int_eq(settled, 1);
	/* what the kernel logged during the scenario */
	ck_assert_int_eq(res_add_kmsg(g->res, "Memory cgroup out of memory: Killed process 1"), 0);
	ck_assert_int_eq(eval(g, 6, obs, sizeof(obs), &settled), 1);
	ck_assert_int_eq(eval(g, 7, obs, sizeof(obs), &settled), 0);
	/* a workload that was never started (a start under a guard that was
	 * closed) is judged as not there, not read */
	ck_assert_int_eq(eval(g, 8, obs, sizeof(obs), &settled), -ENOENT);
	ck_assert_str_eq(obs, "a was not started");
}
END_TEST

START_TEST(file_words_and_presence)
{
	struct eng *g = fake_engine(H "group G\n"
				      "expect file G cgroup.controllers has memory\n"
				      "expect file G cgroup.controllers lacks memory\n"
				      "expect file G cgroup.controllers has mem\n"
				      "expect file G memory.oom.group exists\n"
				      "expect file G memory.oom.group absent\n"
				      "expect file G memory.zswap.max exists\n");
	int want[] = {-1, 1, 0, 0, 1, 0, 0};
	char obs[256];
	int settled;

	for (int i = 1; i < g->s->nsteps; i++) {
		int r = eval(g, i, obs, sizeof(obs), &settled);
		ck_assert_msg(r == want[i], "line %d: %d, not %d (%s)", g->s->steps[i].line, r,
			      want[i], obs);
		ck_assert_int_eq(settled, 0); /* a live group's files can change */
	}
	/* a word is a whole word; what was read is what a reader sees */
	tu_write(tu_path("%s/cgroup.controllers", g->run.root.path), "cpu io\n");
	ck_assert_int_eq(eval(g, 1, obs, sizeof(obs), &settled), 0);
	ck_assert_str_eq(obs, "cgroup.controllers: \"cpu io\"");
	ck_assert_int_eq(eval(g, 2, obs, sizeof(obs), &settled), 1);
	/* a removed group's files are gone for good */
	g->g[0].alive = 0;
	ck_assert_int_eq(eval(g, 4, obs, sizeof(obs), &settled), -ENOENT);
	ck_assert_int_eq(settled, 1);
}
END_TEST

START_TEST(stat_comparisons_are_known)
{
	struct eng *g = fake_engine(H "group G\nstart a G alloc\n"
				      "expect G.anon >= 1M\n"
				      "expect G.usage >= G.memory.stat:file + 1M\n"
				      "expect G.usage >= 1M\n"
				      "expect G.swap >= 1M\n"
				      "expect a running\n");
	int want[] = {-1, -1, 1, 1, 0, 0, 0};

	g->run.root.ver = CG_V2;
	for (int i = 2; i < g->s->nsteps; i++)
		ck_assert_msg(scn_cond_reads_stat(g, &g->s->steps[i].check.cond) == want[i],
			      "line %d", g->s->steps[i].line);
	/* v1 keeps swap in memory.stat (total_swap) */
	g->run.root.ver = CG_V1;
	ck_assert_int_eq(scn_cond_reads_stat(g, &g->s->steps[5].check.cond), 1);
	ck_assert_int_eq(scn_cond_reads_stat(g, &g->s->steps[4].check.cond), 0);
}
END_TEST

START_TEST(open_files_read_and_written)
{
	struct eng *g = fake_engine(H "group G\n"
				      "open p G memory.peak\n"
				      "fwrite p 4096\n"
				      "expect p.value == 4096\n"
				      "open q G nosuch.file\n"
				      "expect errno == EOPNOTSUPP\n"
				      "expect q.value == 0\n");
	struct mlab_err e = {""};
	char obs[256];
	int settled;

	/* the file as it is: the fixture's peak */
	ck_assert_int_eq(scn_step_run(g, &g->s->steps[1], &e), 0);
	ck_assert_int_eq(g->last_errno, 0);
	ck_assert_int_eq(eval(g, 3, obs, sizeof(obs), &settled), 0);
	ck_assert_int_eq(settled, 0); /* what an open file reads can change */
	/* a write through it, read back through it (the fake is a plain
	 * file: emptied first, where the kernel's file takes a whole value) */
	tu_write(tu_path("%s/memory.peak", g->run.root.path), "");
	ck_assert_int_eq(scn_step_run(g, &g->s->steps[2], &e), 0);
	ck_assert_int_eq(g->last_errno, 0);
	ck_assert_int_eq(eval(g, 3, obs, sizeof(obs), &settled), 1);
	ck_assert_str_eq(obs, "4096 (4K)");
	/* an open that fails is judged like a try, and its value is an error */
	ck_assert_int_eq(scn_step_run(g, &g->s->steps[4], &e), 0);
	ck_assert_int_eq(eval(g, 5, obs, sizeof(obs), &settled), 1);
	ck_assert_int_eq(eval(g, 6, obs, sizeof(obs), &settled), -EBADF);
	for (int i = 0; i < g->nopens; i++)
		if (g->opens[i].fd >= 0)
			close(g->opens[i].fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scn_engine");

	tu_init();
	TCase *tc = tu_case(s, "engine", 0);

	tcase_add_test(tc, plan_sizes_and_limits);
	tcase_add_test(tc, skip_reasons);
	tcase_add_test(tc, conditions_over_a_fake_tree);
	tcase_add_test(tc, saved_values_and_errno);
	tcase_add_test(tc, events_log_and_workloads_from_the_records);
	tcase_add_test(tc, file_words_and_presence);
	tcase_add_test(tc, stat_comparisons_are_known);
	tcase_add_test(tc, open_files_read_and_written);
	return tu_suite_run(s);
}
