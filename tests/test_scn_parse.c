/* Unit tests of the .scn parser (harness/scn_parse.c): every step kind and
 * header line into its fields, every error message with its file:line, the
 * signal / errno / comparison name tables, scn_parse_file on odd files, and
 * every real scenario file. Pure parsing: nothing here runs a step. */
#define _GNU_SOURCE /* sigabbrev_np */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "scn.h"
#include "testutil.h"

#define PATH "t.scn"
/* preambles: H is lines 1-2, HV and HG end on line 3, HW on line 4 */
#define H "scenario t\ndoc d\n"
#define HV H "variant x one\n"
#define HG H "group G\n"
#define HW HG "start a G alloc size=4M\n"
/* the same with the group's OOM events watched */
#define HGO HG "watch G oom\n"
#define HWO HW "watch G oom\n"

#define S10 10000000000ULL /* the default wait / stop timeout */

static struct scn S;
static struct mlab_err E;

static void teardown(void)
{
	scn_free(&S);
}

static int parse(const char *text)
{
	scn_free(&S); /* scn_parse_text starts from a clean struct */
	memset(&E, 0, sizeof(E));
	return scn_parse_text(&S, PATH, text, &E);
}

/* @text must parse; returns step @i (negative: from the end). */
#define OK(text) ok_at(__LINE__, text, -1)
#define OKN(text, i) ok_at(__LINE__, text, i)
static const struct scn_step *ok_at(int at, const char *text, int i)
{
	int ret = parse(text);

	ck_assert_msg(ret == 0, "at %d: parse failed (%d): %s", at, ret, E.msg);
	ck_assert_msg(S.nsteps > 0 && S.steps, "at %d: no steps", at);
	if (i < 0)
		i += S.nsteps;
	ck_assert_msg(i >= 0 && i < S.nsteps, "at %d: no step %d of %d", at, i, S.nsteps);
	return &S.steps[i];
}

/* @text must fail with @err, the message "t.scn:@line: " followed by
 * something containing @needle (or equal to it, when it starts with '='),
 * and the struct must be freed. */
#define BAD(line, needle, text) bad_at(__LINE__, text, -EINVAL, line, needle)
static void bad_at(int at, const char *text, int err, int line, const char *needle)
{
	char prefix[64];
	const char *rest;
	int ret = parse(text);

	ck_assert_msg(ret == err, "at %d: returned %d, not %d (message '%s')", at, ret, err,
		      E.msg);
	snprintf(prefix, sizeof(prefix), PATH ":%d: ", line);
	ck_assert_msg(!strncmp(E.msg, prefix, strlen(prefix)),
		      "at %d: message '%s' does not start with '%s'", at, E.msg, prefix);
	rest = E.msg + strlen(prefix);
	if (needle[0] == '=')
		ck_assert_msg(!strcmp(rest, needle + 1), "at %d: message '%s' is not '%s'",
			      at, rest, needle + 1);
	else
		ck_assert_msg(strstr(rest, needle) != NULL,
			      "at %d: message '%s' does not contain '%s'", at, rest, needle);
	ck_assert_msg(S.steps == NULL && S.nsteps == 0 && S.cap_steps == 0,
		      "at %d: steps not freed on error", at);
}

static void term_is(const struct scn_term *t, enum scn_term_kind kind, int neg, const char *name,
		    const char *field, uint64_t lit)
{
	ck_assert_int_eq(t->kind, kind);
	ck_assert_int_eq(t->neg, neg);
	ck_assert_str_eq(t->name, name);
	ck_assert_str_eq(t->field, field);
	ck_assert_uint_eq(t->lit, lit);
}

/* A string of @n copies of @c (static ring of 4). */
static const char *rep(char c, size_t n)
{
	static char bufs[4][2048];
	static int next;
	char *b = bufs[next++ % 4];

	ck_assert_uint_lt(n, sizeof(bufs[0]));
	memset(b, c, n);
	b[n] = 0;
	return b;
}

/* --- steps: groups and control files ---------------------------------------- */

START_TEST(step_group_set)
{
	const struct scn_step *st;

	OK(H "group A  limit=64M swappiness=0\tmemory.high=8M  memory.stat:x=1\n"
	     "group A/B\n"
	     "group A/B/c_1-x\n"
	     "set   A/B  oom_kill_disable=1 memory.swap.max=0\n");
	ck_assert_int_eq(S.nsteps, 4);
	st = &S.steps[0];
	ck_assert_int_eq(st->op, SO_GROUP);
	ck_assert_int_eq(st->line, 3);
	ck_assert_str_eq(st->set.group, "A");
	ck_assert_str_eq(st->guard, "");
	ck_assert_int_eq(st->guard_not, 0);
	ck_assert_str_eq(st->text, "group A limit=64M swappiness=0 memory.high=8M memory.stat:x=1");
	ck_assert_int_eq(st->set.settings.n, 4);
	ck_assert_str_eq(st->set.settings.kv[0].key, "limit");
	ck_assert_str_eq(st->set.settings.kv[0].val, "64M");
	ck_assert_str_eq(st->set.settings.kv[1].key, "swappiness");
	ck_assert_str_eq(st->set.settings.kv[1].val, "0");
	ck_assert_str_eq(st->set.settings.kv[2].key, "memory.high");
	ck_assert_str_eq(st->set.settings.kv[2].val, "8M");
	ck_assert_str_eq(st->set.settings.kv[3].key, "memory.stat:x");
	ck_assert_str_eq(st->set.settings.kv[3].val, "1");
	ck_assert_int_eq(S.steps[1].op, SO_GROUP);
	ck_assert_str_eq(S.steps[1].set.group, "A/B");
	ck_assert_int_eq(S.steps[1].set.settings.n, 0);
	ck_assert_int_eq(S.steps[1].line, 4);
	ck_assert_str_eq(S.steps[2].set.group, "A/B/c_1-x");
	ck_assert_int_eq(S.ngroups, 3);
	ck_assert_str_eq(S.groups[0], "A");
	ck_assert_str_eq(S.groups[1], "A/B");
	ck_assert_str_eq(S.groups[2], "A/B/c_1-x");
	st = &S.steps[3];
	ck_assert_int_eq(st->op, SO_SET);
	ck_assert_int_eq(st->line, 6);
	ck_assert_str_eq(st->set.group, "A/B");
	ck_assert_int_eq(st->set.settings.n, 2);
	ck_assert_str_eq(st->set.settings.kv[0].key, "oom_kill_disable");
	ck_assert_str_eq(st->set.settings.kv[0].val, "1");
	ck_assert_str_eq(st->set.settings.kv[1].key, "memory.swap.max");
	ck_assert_str_eq(st->set.settings.kv[1].val, "0");
	/* the value is everything after the first '=' */
	st = OK(H "group G memory.x=a=b\n");
	ck_assert_str_eq(st->set.settings.kv[0].key, "memory.x");
	ck_assert_str_eq(st->set.settings.kv[0].val, "a=b");
}
END_TEST

START_TEST(step_write_try)
{
	const struct scn_step *st;

	st = OK(HG "write G memory.max 1M\n");
	ck_assert_int_eq(st->op, SO_WRITE);
	ck_assert_str_eq(st->write.group, "G");
	ck_assert_str_eq(st->write.file, "memory.max");
	ck_assert_str_eq(st->write.value, "1M");
	ck_assert_int_eq(st->write.fails_with, 0);
	ck_assert_int_eq(st->line, 4);
	ck_assert_str_eq(st->text, "write G memory.max 1M");

	st = OK(HG "write G  memory.memsw.limit_in_bytes 32M  fails EINVAL\n");
	ck_assert_int_eq(st->op, SO_WRITE);
	ck_assert_str_eq(st->write.file, "memory.memsw.limit_in_bytes");
	ck_assert_str_eq(st->write.value, "32M");
	ck_assert_int_eq(st->write.fails_with, EINVAL);
	st = OK(HG "write G memory.max 1K fails EBUSY\n");
	ck_assert_int_eq(st->write.fails_with, EBUSY);

	st = OK(HG "try G memory.max 1K\n");
	ck_assert_int_eq(st->op, SO_TRY);
	ck_assert_str_eq(st->write.group, "G");
	ck_assert_str_eq(st->write.file, "memory.max");
	ck_assert_str_eq(st->write.value, "1K");
	ck_assert_int_eq(st->write.fails_with, 0);
	/* a quoted value may hold blanks */
	st = OK(HG "write G memory.x \"a b\"\n");
	ck_assert_str_eq(st->write.value, "a b");
}
END_TEST

START_TEST(step_rmdir_reclaim_kill_drop)
{
	static const char *const modes[] = { "1", "2", "3" };
	const struct scn_step *st;

	OK(HG "group G/C\nrmdir G/C\nreclaim G\nkill G\ndrop_caches\n");
	ck_assert_int_eq(S.nsteps, 6);
	ck_assert_int_eq(S.steps[2].op, SO_RMDIR);
	ck_assert_str_eq(S.steps[2].group_op.group, "G/C");
	ck_assert_int_eq(S.steps[2].line, 5);
	ck_assert_int_eq(S.steps[3].op, SO_RECLAIM);
	ck_assert_str_eq(S.steps[3].group_op.group, "G");
	ck_assert_int_eq(S.steps[4].op, SO_KILL);
	ck_assert_str_eq(S.steps[4].group_op.group, "G");
	ck_assert_int_eq(S.steps[5].op, SO_DROP_CACHES);
	ck_assert_uint_eq(S.steps[5].drop_caches.mode, 3);
	ck_assert_int_eq(S.steps[5].line, 8);
	for (int i = 0; i < 3; i++) {
		char text[64];
		snprintf(text, sizeof(text), H "drop_caches %s\n", modes[i]);
		st = OK(text);
		ck_assert_int_eq(st->op, SO_DROP_CACHES);
		ck_assert_uint_eq(st->drop_caches.mode, (uint64_t)i + 1);
	}
}
END_TEST

/* --- steps: workloads ------------------------------------------------------- */

START_TEST(step_start)
{
	const struct scn_step *st;

	OK(HG "start a  G  alloc size=32M rate=max hold\n"
	      "start r  G  pagecache size=64M passes=2\n"
	      "start rb G  pagecache file=@r\n"
	      "start t  G  tmpfs size=3M hold=no private files=2\n"
	      "start s  G  shm size=1M\n"
	      "start m  G  mmap size=1M\n");
	ck_assert_int_eq(S.nsteps, 7);
	st = &S.steps[1];
	ck_assert_int_eq(st->op, SO_START);
	ck_assert_int_eq(st->line, 4);
	ck_assert_str_eq(st->start.id, "a");
	ck_assert_str_eq(st->start.group, "G");
	ck_assert_str_eq(st->start.workload, "alloc");
	ck_assert_int_eq(st->start.opts.n, 3);
	ck_assert_str_eq(st->start.opts.kv[0].key, "size");
	ck_assert_str_eq(st->start.opts.kv[0].val, "32M");
	ck_assert_str_eq(st->start.opts.kv[1].key, "rate");
	ck_assert_str_eq(st->start.opts.kv[1].val, "max");
	ck_assert_str_eq(st->start.opts.kv[2].key, "hold");
	ck_assert_str_eq(st->start.opts.kv[2].val, "yes");
	st = &S.steps[2];
	ck_assert_str_eq(st->start.workload, "pagecache");
	ck_assert_str_eq(st->start.opts.kv[1].key, "passes");
	ck_assert_str_eq(st->start.opts.kv[1].val, "2");
	st = &S.steps[3];
	ck_assert_str_eq(st->start.id, "rb");
	ck_assert_int_eq(st->start.opts.n, 1);
	ck_assert_str_eq(st->start.opts.kv[0].key, "file");
	ck_assert_str_eq(st->start.opts.kv[0].val, "@r");
	st = &S.steps[4];
	ck_assert_str_eq(st->start.workload, "tmpfs");
	ck_assert_int_eq(st->start.opts.n, 4);
	ck_assert_str_eq(st->start.opts.kv[1].key, "hold");
	ck_assert_str_eq(st->start.opts.kv[1].val, "no");
	ck_assert_str_eq(st->start.opts.kv[2].key, "private");
	ck_assert_str_eq(st->start.opts.kv[2].val, "yes");
	ck_assert_str_eq(st->start.opts.kv[3].key, "files");
	ck_assert_str_eq(st->start.opts.kv[3].val, "2");
	/* the names and types declared, for later checks */
	ck_assert_int_eq(S.nwls, 6);
	ck_assert_str_eq(S.wls[0], "a");
	ck_assert_str_eq(S.wl_types[0], "alloc");
	ck_assert_str_eq(S.wls[2], "rb");
	ck_assert_str_eq(S.wl_types[2], "pagecache");
	ck_assert_str_eq(S.wls[3], "t");
	ck_assert_str_eq(S.wl_types[3], "tmpfs");
	ck_assert_str_eq(S.wl_types[4], "shm");
	ck_assert_str_eq(S.wl_types[5], "mmap");
	/* an unbounded allocator is fine */
	st = OK(HG "start a G alloc\n");
	ck_assert_int_eq(st->start.opts.n, 0);
}
END_TEST

START_TEST(step_stop_signal_move)
{
	const struct scn_step *st;

	st = OK(HW "stop a\n");
	ck_assert_int_eq(st->op, SO_STOP);
	ck_assert_str_eq(st->wl_op.id, "a");
	ck_assert_uint_eq(st->timeout_ns, S10);
	ck_assert_int_eq(st->line, 5);
	st = OK(HW "stop a  timeout=30s\n");
	ck_assert_uint_eq(st->timeout_ns, 30 * 1000000000ULL);
	ck_assert_str_eq(st->wl_op.id, "a");
	/* the option may come anywhere */
	st = OK(HW "stop timeout=250ms a\n");
	ck_assert_uint_eq(st->timeout_ns, 250000000ULL);
	ck_assert_str_eq(st->wl_op.id, "a");

	st = OK(HW "signal a SIGKILL\n");
	ck_assert_int_eq(st->op, SO_SIGNAL);
	ck_assert_str_eq(st->signal.id, "a");
	ck_assert_int_eq(st->signal.signo, SIGKILL);
	st = OK(HW "signal a KILL\n");
	ck_assert_int_eq(st->signal.signo, SIGKILL);
	st = OK(HW "signal a 9\n");
	ck_assert_int_eq(st->signal.signo, 9);
	st = OK(HW "signal a SIGUSR1\n");
	ck_assert_int_eq(st->signal.signo, SIGUSR1);
	st = OK(HW "signal a CONT\n");
	ck_assert_int_eq(st->signal.signo, SIGCONT);

	st = OK(HW "group B\nmove a B\n");
	ck_assert_int_eq(st->op, SO_MOVE);
	ck_assert_str_eq(st->move.id, "a");
	ck_assert_str_eq(st->move.to, "B");
	ck_assert_int_eq(st->line, 6);
}
END_TEST

START_TEST(step_rm_rmid)
{
	OK(HG "start t G tmpfs size=1M\nstart m G mmap size=1M\nstart s G shm size=1M\n"
	      "rm t\nrm m\nrmid s\n");
	ck_assert_int_eq(S.nsteps, 7);
	ck_assert_int_eq(S.steps[4].op, SO_RM);
	ck_assert_str_eq(S.steps[4].wl_op.id, "t");
	ck_assert_int_eq(S.steps[5].op, SO_RM);
	ck_assert_str_eq(S.steps[5].wl_op.id, "m");
	ck_assert_int_eq(S.steps[6].op, SO_RMID);
	ck_assert_str_eq(S.steps[6].wl_op.id, "s");
	ck_assert_int_eq(S.steps[6].line, 9);
}
END_TEST

/* --- steps: observation ----------------------------------------------------- */

START_TEST(step_watch)
{
	static const char *const levels[] = { "low", "medium", "critical" };
	const struct scn_step *st;

	st = OK(HG "watch G oom\n");
	ck_assert_int_eq(st->op, SO_WATCH);
	ck_assert_str_eq(st->watch.group, "G");
	ck_assert_str_eq(st->watch.kind, "oom");
	st = OK(HG "watch G threshold 8M\n");
	ck_assert_str_eq(st->watch.kind, "threshold");
	ck_assert_uint_eq(st->watch.threshold, 8 * MIB);
	for (int i = 0; i < 3; i++) {
		char text[64];
		snprintf(text, sizeof(text), HG "watch G pressure %s\n", levels[i]);
		st = OK(text);
		ck_assert_str_eq(st->watch.kind, "pressure");
		ck_assert_str_eq(st->watch.level, levels[i]);
	}
}
END_TEST

START_TEST(step_wait)
{
	static const struct {
		const char *state;
		enum scn_check kind;
		int has_num;
	} states[] = {
		{ "exited", SK_EXITED, 0 },   { "ended", SK_ENDED, 0 },
		{ "paused", SK_PAUSED, 0 },   { "holding", SK_HOLDING, 0 },
		{ "running", SK_RUNNING, 0 },
	};
	const struct scn_step *st;

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), HW "wait a %s\n", states[i].state);
		st = OK(text);
		ck_assert_int_eq(st->op, SO_WAIT);
		ck_assert_int_eq(st->check.cond.kind, states[i].kind);
		ck_assert_int_eq(st->check.cond.wl.has_code, states[i].has_num);
		ck_assert_str_eq(st->check.cond.wl.id, "a");
		ck_assert_uint_eq(st->timeout_ns, S10);
	}
	st = OK(HW "wait a holding timeout=20s\n");
	ck_assert_int_eq(st->check.cond.kind, SK_HOLDING);
	ck_assert_uint_eq(st->timeout_ns, 20 * 1000000000ULL);
	ck_assert_str_eq(st->text, "wait a holding timeout=20s");

	st = OK(HW "wait G.swap >= 16M  timeout=1.5s\n");
	ck_assert_int_eq(st->check.cond.kind, SK_COMPARE);
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_GE);
	ck_assert_uint_eq(st->timeout_ns, 1500000000ULL);
	ck_assert_int_eq(st->check.cond.compare.lhs.n, 1);
	term_is(&st->check.cond.compare.lhs.t[0], ST_GROUP, 0, "G", "swap", 0);
	ck_assert_int_eq(st->check.cond.compare.rhs.n, 1);
	term_is(&st->check.cond.compare.rhs.t[0], ST_LIT, 0, "", "", 16 * MIB);
	ck_assert_str_eq(st->check.cond.compare.lhs.text, "G.swap");
	ck_assert_str_eq(st->check.cond.compare.rhs.text, "16M");

	st = OK(HW "save pa a.progress\nwait a.progress > $pa\n");
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_GT);
	term_is(&st->check.cond.compare.lhs.t[0], ST_WL, 0, "a", "progress", 0);
	term_is(&st->check.cond.compare.rhs.t[0], ST_VAR, 0, "pa", "", 0);

	st = OK(HG "watch G threshold 8M\nwait event G threshold  timeout=10s\n");
	ck_assert_int_eq(st->check.cond.kind, SK_EVENT_COUNT);
	ck_assert_str_eq(st->check.cond.event.group, "G");
	ck_assert_str_eq(st->check.cond.event.kind, "threshold");
	ck_assert_int_eq(st->check.cond.event.cmp, SC_GE);
	ck_assert_int_eq(st->check.cond.event.count, 1);
	ck_assert_uint_eq(st->timeout_ns, S10);

	st = OK(HG "watch G threshold 8M\nwait event G threshold count >= 2 timeout=2m\n");
	ck_assert_int_eq(st->check.cond.kind, SK_EVENT_COUNT);
	ck_assert_int_eq(st->check.cond.event.cmp, SC_GE);
	ck_assert_int_eq(st->check.cond.event.count, 2);
	ck_assert_uint_eq(st->timeout_ns, 120 * 1000000000ULL);
}
END_TEST

START_TEST(step_sleep)
{
	const struct scn_step *st;

	st = OK(H "sleep 250ms\n");
	ck_assert_int_eq(st->op, SO_SLEEP);
	ck_assert_uint_eq(st->sleep.ns, 250000000ULL);
	st = OK(H "sleep 1.5s\n");
	ck_assert_uint_eq(st->sleep.ns, 1500000000ULL);
	st = OK(H "sleep 2\n");
	ck_assert_uint_eq(st->sleep.ns, 2000000000ULL);
	st = OK(H "sleep 100us\n");
	ck_assert_uint_eq(st->sleep.ns, 100000ULL);
}
END_TEST

START_TEST(step_save)
{
	const struct scn_step *st;

	st = OK(HW "save u G.usage\n");
	ck_assert_int_eq(st->op, SO_SAVE);
	ck_assert_str_eq(st->save.name, "u");
	ck_assert_int_eq(st->save.expr.n, 1);
	term_is(&st->save.expr.t[0], ST_GROUP, 0, "G", "usage", 0);
	ck_assert_str_eq(st->save.expr.text, "G.usage");

	st = OK(HW "save u G.usage\nsave x  $u - 16M  + a.progress - G.memory.stat:anon\n");
	ck_assert_str_eq(st->save.name, "x");
	ck_assert_int_eq(st->save.expr.n, 4);
	term_is(&st->save.expr.t[0], ST_VAR, 0, "u", "", 0);
	term_is(&st->save.expr.t[1], ST_LIT, 1, "", "", 16 * MIB);
	term_is(&st->save.expr.t[2], ST_WL, 0, "a", "progress", 0);
	term_is(&st->save.expr.t[3], ST_GROUP, 1, "G", "memory.stat:anon", 0);
	ck_assert_str_eq(st->save.expr.text, "$u - 16M + a.progress - G.memory.stat:anon");

	/* literals */
	st = OK(H "save l unlimited\n");
	term_is(&st->save.expr.t[0], ST_LIT, 0, "", "", CG_UNLIMITED);
	st = OK(H "save l max\n");
	term_is(&st->save.expr.t[0], ST_LIT, 0, "", "", CG_UNLIMITED);
	st = OK(H "save l 4M\n");
	term_is(&st->save.expr.t[0], ST_LIT, 0, "", "", 4 * MIB);
	st = OK(H "save l 1.5K\n");
	term_is(&st->save.expr.t[0], ST_LIT, 0, "", "", 1536);
	st = OK(H "save l 409600\n");
	term_is(&st->save.expr.t[0], ST_LIT, 0, "", "", 409600);
	st = OK(H "save l 0\n");
	term_is(&st->save.expr.t[0], ST_LIT, 0, "", "", 0);

	/* every workload field, the "tasks" pseudo-counter, nested groups */
	st = OK(HW "save v a.steps + a.rate + a.vmrss + a.rssanon + a.rssfile + a.rssshmem\n");
	ck_assert_int_eq(st->save.expr.n, 6);
	term_is(&st->save.expr.t[0], ST_WL, 0, "a", "steps", 0);
	term_is(&st->save.expr.t[5], ST_WL, 0, "a", "rssshmem", 0);
	st = OK(HG "group G/C\nsave t G/C.tasks - G.oom_kill\n");
	term_is(&st->save.expr.t[0], ST_GROUP, 0, "G/C", "tasks", 0);
	term_is(&st->save.expr.t[1], ST_GROUP, 1, "G", "oom_kill", 0);
	/* six terms is the most */
	st = OK(H "save s 1 + 2 - 3 + 4 - 5 + 6\n");
	ck_assert_int_eq(st->save.expr.n, SCN_MAX_TERMS);
	term_is(&st->save.expr.t[4], ST_LIT, 1, "", "", 5);
	term_is(&st->save.expr.t[5], ST_LIT, 0, "", "", 6);
}
END_TEST

START_TEST(step_pick)
{
	const struct scn_step *st;

	OK(H "variant kills  the write takes effect\n"
	     "variant refused skip the write fails\n"
	     "group G\n"
	     "try G memory.max 1K\n"
	     "pick kills   if errno == ok\n"
	     "pick refused if errno != EBUSY\n");
	st = &S.steps[2];
	ck_assert_int_eq(st->op, SO_PICK);
	ck_assert_int_eq(st->line, 7);
	ck_assert_str_eq(st->check.name, "kills");
	ck_assert_int_eq(st->check.cond.kind, SK_ERRNO);
	ck_assert_int_eq(st->check.cond.tried.cmp, SC_EQ);
	ck_assert_int_eq(st->check.cond.tried.err, 0);
	st = &S.steps[3];
	ck_assert_str_eq(st->check.name, "refused");
	ck_assert_int_eq(st->check.cond.kind, SK_ERRNO);
	ck_assert_int_eq(st->check.cond.tried.cmp, SC_NE);
	ck_assert_int_eq(st->check.cond.tried.err, EBUSY);

	st = OK(HV "group G\nstart c G alloc\nsave pc c.progress\npick x if c.progress > $pc\n");
	ck_assert_int_eq(st->check.cond.kind, SK_COMPARE);
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_GT);
	term_is(&st->check.cond.compare.lhs.t[0], ST_WL, 0, "c", "progress", 0);
	term_is(&st->check.cond.compare.rhs.t[0], ST_VAR, 0, "pc", "", 0);

	st = OK(HV "group A\npick x if A.usage ~= 16M tol=5%\n");
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_APPROX);
	ck_assert_uint_eq(st->check.cond.compare.tol_pct, 5);
	ck_assert_uint_eq(st->check.cond.compare.tol, 0);
	st = OK(HV "group A\npick x if A.usage ~= 16M tol=1M\n");
	ck_assert_uint_eq(st->check.cond.compare.tol, MIB);
	ck_assert_uint_eq(st->check.cond.compare.tol_pct, 0);

	st = OK(HV "group S\ngroup P\nsave s0 S.file\nsave p0 P.file\n"
		   "pick x if $s0 - S.file > $p0 - P.file + 8M\n");
	ck_assert_int_eq(st->check.cond.compare.lhs.n, 2);
	ck_assert_int_eq(st->check.cond.compare.rhs.n, 3);
	term_is(&st->check.cond.compare.rhs.t[1], ST_GROUP, 1, "P", "file", 0);
	term_is(&st->check.cond.compare.rhs.t[2], ST_LIT, 0, "", "", 8 * MIB);
}
END_TEST

START_TEST(step_expect_compare)
{
	const struct scn_step *st;

	st = OK(HW "save u G.usage\nexpect G.swap ~= $u - 16M  tol=20%\n");
	ck_assert_int_eq(st->op, SO_EXPECT);
	ck_assert_int_eq(st->line, 6);
	ck_assert_int_eq(st->check.cond.kind, SK_COMPARE);
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_APPROX);
	ck_assert_uint_eq(st->check.cond.compare.tol_pct, 20);
	ck_assert_uint_eq(st->check.cond.compare.tol, 0);
	ck_assert_int_eq(st->check.cond.compare.lhs.n, 1);
	term_is(&st->check.cond.compare.lhs.t[0], ST_GROUP, 0, "G", "swap", 0);
	ck_assert_int_eq(st->check.cond.compare.rhs.n, 2);
	term_is(&st->check.cond.compare.rhs.t[0], ST_VAR, 0, "u", "", 0);
	term_is(&st->check.cond.compare.rhs.t[1], ST_LIT, 1, "", "", 16 * MIB);
	ck_assert_str_eq(st->check.cond.compare.rhs.text, "$u - 16M");
	ck_assert_str_eq(st->text, "expect G.swap ~= $u - 16M tol=20%");

	st = OK(HG "expect G.usage ~= 1M  tol=64K\n");
	ck_assert_uint_eq(st->check.cond.compare.tol, 64 * KIB);
	ck_assert_uint_eq(st->check.cond.compare.tol_pct, 0);
	/* tol= may come first, and goes with any comparison */
	st = OK(HG "expect tol=10 G.usage <= 1M\n");
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_LE);
	ck_assert_uint_eq(st->check.cond.compare.tol, 10);
	st = OK(HG "expect G.usage ~= G.anon + G.file  tol=0%\n");
	ck_assert_uint_eq(st->check.cond.compare.tol_pct, 0);
	ck_assert_uint_eq(st->check.cond.compare.tol, 0);
	ck_assert_int_eq(st->check.cond.compare.rhs.n, 2);

	st = OK(HG "expect G.limit == unlimited\n");
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_EQ);
	term_is(&st->check.cond.compare.rhs.t[0], ST_LIT, 0, "", "", CG_UNLIMITED);
	st = OK(HG "expect G.memory.limit_in_bytes == 9223372036854771712\n");
	term_is(&st->check.cond.compare.lhs.t[0], ST_GROUP, 0, "G", "memory.limit_in_bytes", 0);
	term_is(&st->check.cond.compare.rhs.t[0], ST_LIT, 0, "", "", 9223372036854771712ULL);
	st = OK(HG "group G/C\nexpect G.usage >= G/C.usage\n");
	term_is(&st->check.cond.compare.rhs.t[0], ST_GROUP, 0, "G/C", "usage", 0);
	st = OK(HG "expect G.peak <= G.usage + 64K\n");
	ck_assert_int_eq(st->check.cond.compare.rhs.n, 2);
	term_is(&st->check.cond.compare.rhs.t[1], ST_LIT, 0, "", "", 64 * KIB);
	st = OK(H "expect 1 != 2\n");
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_NE);
	st = OK(H "expect 1 < 2\n");
	ck_assert_int_eq(st->check.cond.compare.cmp, SC_LT);
}
END_TEST

START_TEST(step_expect_states)
{
	const struct scn_step *st;

	st = OK(HW "expect a killed-by SIGKILL\n");
	ck_assert_int_eq(st->check.cond.kind, SK_KILLED_BY);
	ck_assert_str_eq(st->check.cond.wl.id, "a");
	ck_assert_int_eq(st->check.cond.wl.signo, SIGKILL);
	st = OK(HW "expect a killed-by TERM\n");
	ck_assert_int_eq(st->check.cond.wl.signo, SIGTERM);
	st = OK(HW "expect a killed-by 9\n");
	ck_assert_int_eq(st->check.cond.wl.signo, 9);

	st = OK(HW "expect a exited\n");
	ck_assert_int_eq(st->check.cond.kind, SK_EXITED);
	ck_assert_int_eq(st->check.cond.wl.has_code, 0);
	st = OK(HW "expect a exited 0\n");
	ck_assert_int_eq(st->check.cond.kind, SK_EXITED);
	ck_assert_int_eq(st->check.cond.wl.has_code, 1);
	ck_assert_int_eq(st->check.cond.wl.code, 0);
	st = OK(HW "expect a exited 255\n");
	ck_assert_int_eq(st->check.cond.wl.code, 255);
	ck_assert_int_eq(st->check.cond.wl.has_code, 1);

	st = OK(HW "expect a failed-with ENOMEM\n");
	ck_assert_int_eq(st->check.cond.kind, SK_WL_FAILED);
	ck_assert_int_eq(st->check.cond.wl.err, ENOMEM);
	ck_assert_str_eq(st->check.cond.wl.id, "a");

	st = OK(HW "expect a paused\n");
	ck_assert_int_eq(st->check.cond.kind, SK_PAUSED);
	st = OK(HW "expect a running\n");
	ck_assert_int_eq(st->check.cond.kind, SK_RUNNING);
	st = OK(HW "expect a holding\n");
	ck_assert_int_eq(st->check.cond.kind, SK_HOLDING);
	ck_assert_int_eq(st->check.cond.wl.has_code, 0);
	st = OK(HW "expect a ended\n");
	ck_assert_int_eq(st->check.cond.kind, SK_ENDED);
	ck_assert_str_eq(st->check.cond.wl.id, "a");

	st = OK(HW "expect a latency p99 >= 1ms\n");
	ck_assert_int_eq(st->check.cond.kind, SK_LATENCY);
	ck_assert_str_eq(st->check.cond.latency.id, "a");
	ck_assert_int_eq(st->check.cond.latency.pct, 99);
	ck_assert_int_eq(st->check.cond.latency.cmp, SC_GE);
	ck_assert_uint_eq(st->check.cond.latency.bound_ns, 1000000ULL);
	st = OK(HW "expect a latency p100 < 2s\n");
	ck_assert_int_eq(st->check.cond.latency.pct, 100);
	ck_assert_int_eq(st->check.cond.latency.cmp, SC_LT);
	ck_assert_uint_eq(st->check.cond.latency.bound_ns, 2000000000ULL);
	st = OK(HW "expect a latency p50 <= 250us\n");
	ck_assert_int_eq(st->check.cond.latency.pct, 50);
	ck_assert_uint_eq(st->check.cond.latency.bound_ns, 250000ULL);

	/* a workload word that is no state is a comparison */
	st = OK(HW "expect a.progress == 4M\n");
	ck_assert_int_eq(st->check.cond.kind, SK_COMPARE);
	term_is(&st->check.cond.compare.lhs.t[0], ST_WL, 0, "a", "progress", 0);
}
END_TEST

START_TEST(step_expect_events_kmsg_errno)
{
	const struct scn_step *st;

	st = OK(HGO "expect event G oom\n");
	ck_assert_int_eq(st->check.cond.kind, SK_EVENT_COUNT);
	ck_assert_str_eq(st->check.cond.event.group, "G");
	ck_assert_str_eq(st->check.cond.event.kind, "oom");
	ck_assert_int_eq(st->check.cond.event.cmp, SC_GE);
	ck_assert_int_eq(st->check.cond.event.count, 1);
	st = OK(HGO "expect event G oom count == 2\n");
	ck_assert_int_eq(st->check.cond.kind, SK_EVENT_COUNT);
	ck_assert_int_eq(st->check.cond.event.cmp, SC_EQ);
	ck_assert_int_eq(st->check.cond.event.count, 2);
	st = OK(HG "watch G threshold 1M\nexpect event G threshold count < 1000000\n");
	ck_assert_int_eq(st->check.cond.event.cmp, SC_LT);
	ck_assert_int_eq(st->check.cond.event.count, 1000000);
	st = OK(HG "watch G pressure low\nwatch G pressure critical\n"
		   "expect event G pressure-low before pressure-critical\n");
	ck_assert_int_eq(st->check.cond.kind, SK_EVENT_BEFORE);
	ck_assert_str_eq(st->check.cond.event.group, "G");
	ck_assert_str_eq(st->check.cond.event.kind, "pressure-low");
	ck_assert_str_eq(st->check.cond.event.later, "pressure-critical");
	ck_assert_uint_eq(st->settle_ns, 0);
	/* settle=: how long a late notification is waited for */
	st = OK(HGO "expect event G oom count == 2 settle=1s\n");
	ck_assert_uint_eq(st->settle_ns, 1000000000ULL);
	/* the harness's own kinds need no watch */
	st = OK(HW "expect event G killed count == 0\n");
	ck_assert_str_eq(st->check.cond.event.kind, "killed");
	st = OK(HWO "expect event G oom within 100ms of a end\n");
	ck_assert_int_eq(st->check.cond.kind, SK_EVENT_WITHIN);
	ck_assert_str_eq(st->check.cond.event.group, "G");
	ck_assert_str_eq(st->check.cond.event.kind, "oom");
	ck_assert_str_eq(st->check.cond.event.wl, "a");
	ck_assert_uint_eq(st->check.cond.event.within_ns, 100000000ULL);

	st = OK(H "expect kmsg \"Memory cgroup out of memory\"\n");
	ck_assert_int_eq(st->check.cond.kind, SK_KMSG);
	ck_assert_str_eq(st->check.cond.log.text, "Memory cgroup out of memory");
	st = OK(H "expect no-kmsg \"BUG: \\\"bad\\\" page\"\n");
	ck_assert_int_eq(st->check.cond.kind, SK_NO_KMSG);
	ck_assert_str_eq(st->check.cond.log.text, "BUG: \"bad\" page");
	st = OK(H "expect kmsg oops\n");
	ck_assert_int_eq(st->check.cond.kind, SK_KMSG);
	ck_assert_str_eq(st->check.cond.log.text, "oops");
	st = OK(HV "pick x if boot-kmsg \"is deprecated\"\n");
	ck_assert_int_eq(st->check.cond.kind, SK_BOOT_KMSG);
	ck_assert_str_eq(st->check.cond.log.text, "is deprecated");
	st = OK(H "expect no-boot-kmsg oops\n");
	ck_assert_int_eq(st->check.cond.kind, SK_NO_BOOT_KMSG);
	st = OK(H "expect kernel.mglru == 0\n");
	term_is(&st->check.cond.compare.lhs.t[0], ST_KERNEL, 0, "kernel", "mglru", 0);
	st = OK(HG "expect kernel.log_from_boot + G.usage >= 1\n");
	term_is(&st->check.cond.compare.lhs.t[0], ST_KERNEL, 0, "kernel", "log_from_boot", 0);

	st = OK(HG "try G memory.max 1K\nexpect errno == EINVAL\n");
	ck_assert_int_eq(st->check.cond.kind, SK_ERRNO);
	ck_assert_int_eq(st->check.cond.tried.cmp, SC_EQ);
	ck_assert_int_eq(st->check.cond.tried.err, EINVAL);
	st = OK(HG "expect errno != ok\n");
	ck_assert_int_eq(st->check.cond.tried.cmp, SC_NE);
	ck_assert_int_eq(st->check.cond.tried.err, 0);
}
END_TEST

START_TEST(step_measure)
{
	const struct scn_step *st;

	OK(HW "measure lag a.progress >= 4M timeout=5s\nexpect $lag < 1000000000\n");
	st = &S.steps[2];
	ck_assert_int_eq(st->op, SO_MEASURE);
	ck_assert_str_eq(st->check.name, "lag");
	ck_assert_int_eq(st->check.cond.kind, SK_COMPARE);
	ck_assert_uint_eq(st->timeout_ns, 5000000000ULL);
	ck_assert_int_eq(S.nvars, 1);
	st = OK(HW "measure up a holding\n");
	ck_assert_int_eq(st->check.cond.kind, SK_HOLDING);
	ck_assert_uint_eq(st->timeout_ns, S10);
	BAD(5, "=usage: measure NAME CONDITION [timeout=DURATION] (a figure: how long until it "
	       "holds)",
	    HW "measure x\n");
	BAD(5, "=cannot measure that; measure a workload state, an event count or a comparison",
	    HW "measure x kmsg \"oom\"\n");
	BAD(5, "usage: measure NAME CONDITION", HW "measure $x a holding\n");
}
END_TEST

START_TEST(step_open_fwrite)
{
	const struct scn_step *st;

	OK(HG "open p G memory.peak\nfwrite p reset\nexpect p.value < 4M\n");
	st = &S.steps[1];
	ck_assert_int_eq(st->op, SO_OPEN);
	ck_assert_str_eq(st->open.name, "p");
	ck_assert_str_eq(st->open.group, "G");
	ck_assert_str_eq(st->open.file, "memory.peak");
	st = &S.steps[2];
	ck_assert_int_eq(st->op, SO_FWRITE);
	ck_assert_str_eq(st->open.name, "p");
	ck_assert_str_eq(st->open.value, "reset");
	term_is(&S.steps[3].check.cond.compare.lhs.t[0], ST_OPEN, 0, "p", "value", 0);
	BAD(4, "='q' is not a file opened above (open NAME GROUP FILE)", HG "fwrite q x\n");
	BAD(4, "='H' is not a group declared above", HG "open p H memory.peak\n");
	BAD(4, "='G' is already declared", HG "open G G memory.peak\n");
	BAD(4, "='../x' is not a control file name", HG "open p G ../x\n");
	BAD(5, "='p' is an open file: its only value is p.value",
	    HG "open p G memory.peak\nexpect p.peak > 0\n");
}
END_TEST

START_TEST(step_expect_file)
{
	const struct scn_step *st;

	st = OK(HG "expect file G cgroup.controllers has memory\n");
	ck_assert_int_eq(st->check.cond.kind, SK_FILE_HAS);
	ck_assert_str_eq(st->check.cond.file.group, "G");
	ck_assert_str_eq(st->check.cond.file.name, "cgroup.controllers");
	ck_assert_str_eq(st->check.cond.file.word, "memory");
	st = OK(HG "wait file G cgroup.controllers lacks memory timeout=1s\n");
	ck_assert_int_eq(st->check.cond.kind, SK_FILE_LACKS);
	st = OK(HG "expect file G memory.max exists\n");
	ck_assert_int_eq(st->check.cond.kind, SK_FILE_EXISTS);
	ck_assert_str_eq(st->check.cond.file.name, "memory.max");
	st = OK(HG "expect file G memory.max absent\n");
	ck_assert_int_eq(st->check.cond.kind, SK_FILE_ABSENT);
	BAD(4, "=expected: file GROUP FILE has WORD | lacks WORD | exists | absent",
	    HG "expect file G memory.max\n");
	BAD(4, "=expected: file GROUP FILE has WORD | lacks WORD | exists | absent",
	    HG "expect file G memory.max holds x\n");
	BAD(4, "='H' is not a group declared above", HG "expect file H memory.max exists\n");
	BAD(4, "='../x' is not a control file name", HG "expect file G ../x exists\n");
	BAD(4, "=expected nothing after 'exists'", HG "expect file G memory.max exists x\n");
	BAD(4, "=expected: file GROUP FILE has WORD", HG "expect file G memory.max has\n");
	BAD(4, "=expected: file GROUP FILE has WORD", HG "expect file G a has \"x y\"\n");
}
END_TEST

START_TEST(guards)
{
	const struct scn_step *st;

	OK(H "variant kills   one\n"
	     "variant refused two\n"
	     "group G\n"
	     "@v1 set  G  swappiness=0   # v1 only\n"
	     "@v2\tset G swap_limit=0\n"
	     "@kills   expect G.tasks == 0\n"
	     "@!kills  expect G.oom_kill == 0\n"
	     "@refused write G memory.max 1K  fails EBUSY\n"
	     "expect G.usage >= 0\n");
	ck_assert_int_eq(S.nsteps, 7);
	st = &S.steps[1];
	ck_assert_int_eq(st->op, SO_SET);
	ck_assert_int_eq(st->line, 6);
	ck_assert_str_eq(st->guard, "v1");
	ck_assert_int_eq(st->guard_not, 0);
	ck_assert_str_eq(st->set.group, "G");
	ck_assert_str_eq(st->set.settings.kv[0].key, "swappiness");
	ck_assert_str_eq(st->text, "set G swappiness=0");
	st = &S.steps[2];
	ck_assert_str_eq(st->guard, "v2");
	ck_assert_int_eq(st->guard_not, 0);
	ck_assert_str_eq(st->text, "set G swap_limit=0");
	st = &S.steps[3];
	ck_assert_int_eq(st->op, SO_EXPECT);
	ck_assert_str_eq(st->guard, "kills");
	ck_assert_int_eq(st->guard_not, 0);
	ck_assert_str_eq(st->text, "expect G.tasks == 0");
	term_is(&st->check.cond.compare.lhs.t[0], ST_GROUP, 0, "G", "tasks", 0);
	st = &S.steps[4];
	ck_assert_str_eq(st->guard, "kills");
	ck_assert_int_eq(st->guard_not, 1);
	ck_assert_int_eq(st->line, 9);
	st = &S.steps[5];
	ck_assert_int_eq(st->op, SO_WRITE);
	ck_assert_str_eq(st->guard, "refused");
	ck_assert_int_eq(st->write.fails_with, EBUSY);
	ck_assert_str_eq(st->text, "write G memory.max 1K fails EBUSY");
	st = &S.steps[6];
	ck_assert_str_eq(st->guard, "");
	ck_assert_int_eq(st->guard_not, 0);
	/* @!v1 is allowed too */
	st = OK(HG "@!v1 kill G\n");
	ck_assert_str_eq(st->guard, "v1");
	ck_assert_int_eq(st->guard_not, 1);
	ck_assert_int_eq(st->op, SO_KILL);
}
END_TEST

/* --- header and lexical details --------------------------------------------- */

START_TEST(header)
{
	const struct scn_step *st;

	st = OK("scenario my-test-1\n"
		"doc      Some  \"quoted doc\"\ttext\n"
		"source   seed 001; cgroup-v1/memory.rst 2.5\n"
		"timeout  5m\n"
		"variant  a   the a way\n"
		"variant  b   skip  not \"here\" at all\n"
		"needs    root\n"
		"needs    cgroup v1\n"
		"needs    cgroup v2\n"
		"needs    cgroup v2 v1\n"
		"needs    swap\n"
		"needs    memory 2G\n"
		"needs    kernel >= 5.11\n"
		"needs    kernel < 6.13\n"
		"needs    file memory.oom_control\n"
		"needs    vm\n"
		"needs    psi\n"
		"\n"
		"group G\n");
	ck_assert_str_eq(S.path, PATH);
	ck_assert_str_eq(S.name, "my-test-1");
	ck_assert_str_eq(S.doc, "Some quoted doc text");
	ck_assert_str_eq(S.source, "seed 001; cgroup-v1/memory.rst 2.5");
	ck_assert_uint_eq(S.timeout_ns, 300 * 1000000000ULL);
	ck_assert_int_eq(S.nvariants, 2);
	ck_assert_str_eq(S.variants[0].name, "a");
	ck_assert_str_eq(S.variants[0].doc, "the a way");
	ck_assert_int_eq(S.variants[0].skip, 0);
	ck_assert_int_eq(S.variants[0].line, 5);
	ck_assert_str_eq(S.variants[1].name, "b");
	ck_assert_str_eq(S.variants[1].doc, "not here at all");
	ck_assert_int_eq(S.variants[1].skip, 1);
	ck_assert_int_eq(S.variants[1].line, 6);
	ck_assert_int_eq(S.nneeds, 11);
	ck_assert_int_eq(S.needs[0].kind, SN_ROOT);
	ck_assert_int_eq(S.needs[0].line, 7);
	ck_assert_int_eq(S.needs[1].kind, SN_CGROUP);
	ck_assert_int_eq(S.needs[1].versions, 1);
	ck_assert_int_eq(S.needs[2].versions, 2);
	ck_assert_int_eq(S.needs[3].kind, SN_CGROUP);
	ck_assert_int_eq(S.needs[3].versions, 3);
	ck_assert_int_eq(S.needs[4].kind, SN_SWAP);
	ck_assert_int_eq(S.needs[5].kind, SN_MEMORY);
	ck_assert_uint_eq(S.needs[5].bytes, 2 * GIB);
	ck_assert_int_eq(S.needs[6].kind, SN_KERNEL);
	ck_assert_int_eq(S.needs[6].cmp, SC_GE);
	ck_assert_int_eq(S.needs[6].kmajor, 5);
	ck_assert_int_eq(S.needs[6].kminor, 11);
	ck_assert_int_eq(S.needs[6].line, 13);
	ck_assert_int_eq(S.needs[7].cmp, SC_LT);
	ck_assert_int_eq(S.needs[7].kmajor, 6);
	ck_assert_int_eq(S.needs[7].kminor, 13);
	ck_assert_int_eq(S.needs[8].kind, SN_FILE);
	ck_assert_str_eq(S.needs[8].file, "memory.oom_control");
	ck_assert_int_eq(S.needs[9].kind, SN_VM);
	ck_assert_int_eq(S.needs[10].kind, SN_PSI);
	ck_assert_int_eq(S.needs[10].line, 17);
	ck_assert_int_eq(S.nsteps, 1);
	ck_assert_int_eq(st->line, 19);

	/* defaults: 120 s, no variants, no needs */
	OK(H "group G\n");
	ck_assert_uint_eq(S.timeout_ns, 120 * 1000000000ULL);
	ck_assert_int_eq(S.nvariants, 0);
	ck_assert_int_eq(S.nneeds, 0);
	ck_assert_str_eq(S.source, "");
	ck_assert_str_eq(S.name, "t");
	ck_assert_str_eq(S.doc, "d");
	/* header lines may come in any order before the first step */
	OK("scenario t\nneeds root\ntimeout 1s\ndoc late\nsource s\ngroup G\n");
	ck_assert_str_eq(S.doc, "late");
	ck_assert_uint_eq(S.timeout_ns, 1000000000ULL);
}
END_TEST

START_TEST(lexical)
{
	const struct scn_step *st;

	/* comments, blank lines, CRLF, tabs */
	OK("# leading comment\r\n"
	   "\r\n"
	   "scenario t   # a comment after the name\r\n"
	   "\tdoc\td a#b  #c\r\n"
	   " \t \r\n"
	   "group\tG\t limit=1M#x\r\n"
	   "expect kmsg \"a \\\"b\\\" c\\\\d # e\\n\"  # comment \"x\r\n"
	   "expect\tG.usage\t<=\t1M\t#\r\n"
	   "  expect G.usage >= 0 #\"unterminated in a comment\r\n"
	   "#");
	ck_assert_str_eq(S.name, "t");
	ck_assert_str_eq(S.doc, "d a#b");
	ck_assert_int_eq(S.nsteps, 4);
	st = &S.steps[0];
	ck_assert_int_eq(st->line, 6);
	ck_assert_str_eq(st->set.settings.kv[0].key, "limit");
	ck_assert_str_eq(st->set.settings.kv[0].val, "1M#x");
	st = &S.steps[1];
	ck_assert_int_eq(st->line, 7);
	ck_assert_int_eq(st->check.cond.kind, SK_KMSG);
	ck_assert_str_eq(st->check.cond.log.text, "a \"b\" c\\d # e\\n");
	ck_assert_int_eq(S.steps[2].line, 8);
	ck_assert_int_eq(S.steps[2].check.cond.compare.cmp, SC_LE);
	ck_assert_int_eq(S.steps[3].line, 9);
	ck_assert_int_eq(S.steps[3].check.cond.compare.cmp, SC_GE);

	/* no newline at the end; a quoted word next to blanks */
	st = OK(H "expect kmsg\t\"x y\"\t");
	ck_assert_str_eq(st->check.cond.log.text, "x y");
	ck_assert_int_eq(st->line, 3);
	/* "" is an (empty) word of its own */
	st = OK(H "group \"G\" \"limit=1M\"\n");
	ck_assert_str_eq(st->set.group, "G");
	ck_assert_str_eq(st->set.settings.kv[0].val, "1M");
	/* bytes above 0x7f pass */
	OK("scenario t\ndoc caf\xc3\xa9\ngroup G\n");
	ck_assert_str_eq(S.doc, "caf\xc3\xa9");
}
END_TEST

/* --- limits (generated inputs) ---------------------------------------------- */

static char big[64 * 1024];

static const char *cat(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *cat(const char *fmt, ...)
{
	size_t l = strlen(big);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(big + l, sizeof(big) - l, fmt, ap);
	va_end(ap);
	ck_assert_uint_lt(strlen(big), sizeof(big) - 1);
	return big;
}

START_TEST(limits_tokens)
{
	/* 48 words is the most on a line */
	big[0] = 0;
	cat(H "doc");
	for (int i = 0; i < 47; i++)
		cat(" w");
	cat("\ngroup G\n");
	OK(big);
	ck_assert_uint_eq(strlen(S.doc), 47 * 2 - 1);
	big[0] = 0;
	cat(H "doc");
	for (int i = 0; i < 48; i++)
		cat(" w");
	cat("\ngroup G\n");
	BAD(3, "=too many words on one line (at most 48)", big);

	/* words and quoted words up to 255 characters */
	big[0] = 0;
	cat(H "doc %s\ngroup G\n", rep('x', 255));
	OK(big);
	ck_assert_str_eq(S.doc, rep('x', 255));
	big[0] = 0;
	cat(H "doc %s\ngroup G\n", rep('x', 256));
	BAD(3, "=word too long", big);
	big[0] = 0;
	cat(H "expect kmsg \"%s\"\n", rep('x', 255));
	OK(big);
	ck_assert_uint_eq(strlen(S.steps[0].check.cond.log.text), 255);
	big[0] = 0;
	cat(H "expect kmsg \"%s\"\n", rep('x', 256));
	BAD(3, "=quoted text too long", big);

	/* lines up to 1023 characters (a CR counts) */
	big[0] = 0;
	cat(H "#%s\ngroup G\n", rep('c', 1022));
	OK(big);
	big[0] = 0;
	cat(H "#%s\r\ngroup G\n", rep('c', 1021));
	OK(big);
	big[0] = 0;
	cat(H "#%s\ngroup G\n", rep('c', 1023));
	BAD(3, "=line too long (at most 1023 characters)", big);
	big[0] = 0;
	cat(H "group G\n#%s\r\n", rep('c', 1022));
	BAD(4, "=line too long (at most 1023 characters)", big);
}
END_TEST

START_TEST(limits_names)
{
	big[0] = 0;
	cat("scenario %s\ndoc d\n", rep('a', 63));
	cat("variant %s x\n", rep('v', 63));
	cat("group %s\n", rep('G', 63));
	cat("start %s %s alloc\n", rep('w', 63), rep('G', 63));
	cat("save %s %s.usage\n", rep('s', 63), rep('G', 63));
	OK(big);
	ck_assert_uint_eq(strlen(S.name), 63);
	ck_assert_uint_eq(strlen(S.steps[1].start.id), 63);
	ck_assert_uint_eq(strlen(S.steps[2].save.expr.t[0].name), 63);

	big[0] = 0;
	cat("scenario %s\n", rep('a', 64));
	BAD(1, "=scenario name too long", big);
	big[0] = 0;
	cat(H "group %s\n", rep('G', 64));
	BAD(3, "bad group name 'GGG", big);
	ck_assert_ptr_nonnull(strstr(E.msg, rep('G', 64)));
	big[0] = 0;
	cat(HG "start %s G alloc\n", rep('w', 64));
	BAD(4, "bad workload id 'www", big);
	big[0] = 0;
	cat(H "variant %s x\n", rep('v', 64));
	BAD(3, "bad variant name 'vvv", big);
	big[0] = 0;
	cat(H "save %s 1\n", rep('s', 64));
	BAD(3, "usage: save NAME EXPRESSION", big);
	big[0] = 0;
	cat(H "save x $%s\n", rep('s', 64));
	BAD(3, "bad variable name '$sss", big);
	big[0] = 0;
	cat(H "save x %s.usage\n", rep('G', 64));
	BAD(3, "name too long in 'GGG", big);
}
END_TEST

START_TEST(limits_counts)
{
	/* 16 groups, 16 workloads, 8 variants, 16 needs, 24 settings, 24 options */
	big[0] = 0;
	cat(H);
	for (int i = 0; i < SCN_MAX_VARIANTS; i++)
		cat("variant k%d x\n", i);
	for (int i = 0; i < SCN_MAX_NEEDS; i++)
		cat("needs root\n");
	for (int i = 0; i < 16; i++)
		cat("group g%d\n", i);
	for (int i = 0; i < 16; i++)
		cat("start w%d g0 alloc\n", i);
	cat("set g0");
	for (int i = 0; i < SCN_MAX_ARGS; i++)
		cat(" limit=%d", i);
	cat("\n");
	OK(big);
	ck_assert_int_eq(S.nvariants, SCN_MAX_VARIANTS);
	ck_assert_int_eq(S.nneeds, SCN_MAX_NEEDS);
	ck_assert_int_eq(S.ngroups, 16);
	ck_assert_int_eq(S.nwls, 16);
	ck_assert_int_eq(S.steps[S.nsteps - 1].set.settings.n, SCN_MAX_ARGS);
	ck_assert_str_eq(S.steps[S.nsteps - 1].set.settings.kv[SCN_MAX_ARGS - 1].val, "15");
	ck_assert_int_eq(SCN_MAX_ARGS, 16);

	big[0] = 0;
	cat(H);
	for (int i = 0; i <= SCN_MAX_VARIANTS; i++)
		cat("variant k%d x\n", i);
	BAD(3 + SCN_MAX_VARIANTS, "=too many variants", big);
	big[0] = 0;
	cat(H);
	for (int i = 0; i <= SCN_MAX_NEEDS; i++)
		cat("needs swap\n");
	BAD(3 + SCN_MAX_NEEDS, "=too many needs", big);
	big[0] = 0;
	cat(H);
	for (int i = 0; i <= 16; i++)
		cat("group g%d\n", i);
	BAD(19, "=too many groups (at most 16)", big);
	big[0] = 0;
	cat(HG);
	for (int i = 0; i <= 16; i++)
		cat("start w%d G alloc\n", i);
	BAD(20, "=too many workloads (at most 16)", big);
	big[0] = 0;
	cat(HG "set G");
	for (int i = 0; i <= SCN_MAX_ARGS; i++)
		cat(" limit=%d", i);
	BAD(4, "=too many settings", big);
	big[0] = 0;
	cat(HG "start a G alloc");
	for (int i = 0; i < SCN_MAX_ARGS; i++)
		cat(" quiet");
	OK(big);
	ck_assert_int_eq(S.steps[1].start.opts.n, SCN_MAX_ARGS);
	cat(" quiet=no");
	BAD(4, "=too many options", big);
	/* what does not fit is refused, not cut */
	big[0] = 0;
	cat(HG "start r G pagecache file=/var/tmp/");
	for (int i = 0; i < SCN_FIELD; i++)
		cat("x");
	BAD(4, "the value is too long (at most 127 characters)", big);
}
END_TEST

START_TEST(many_steps)
{
	big[0] = 0;
	cat(HG);
	for (int i = 0; i < 100; i++)
		cat("sleep %dms\n", i);
	OK(big);
	ck_assert_int_eq(S.nsteps, 101);
	ck_assert_int_ge(S.cap_steps, 101);
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(S.steps[i + 1].op, SO_SLEEP);
		ck_assert_int_eq(S.steps[i + 1].line, i + 4);
		ck_assert_uint_eq(S.steps[i + 1].sleep.ns, (uint64_t)i * 1000000);
	}
	/* an error on the last line frees all of them */
	cat("sleep x\n");
	BAD(104, "duration 'x'", big);
}
END_TEST

/* --- every error message ---------------------------------------------------- */

#define D40 "1111111111111111111111111111111111111111"

static const struct {
	int line;
	const char *needle; /* '=': the whole message after "t.scn:LINE: " */
	const char *text;
} errors[] = {
	/* structure */
	{ 1, "=the first line must be: scenario NAME", "doc d\nscenario t\n" },
	{ 3, "=the first line must be: scenario NAME", "# c\n\nscenarios t\n" },
	{ 1, "=the first line must be: scenario NAME", "scenario\n" },
	{ 1, "=the first line must be: scenario NAME", "scenario a b\n" },
	{ 1, "=the first line must be: scenario NAME", "@v1 scenario t\n" },
	{ 3, "=a second 'scenario' line (one scenario a file)", H "scenario u\n" },
	{ 4, "=a second 'scenario' line (one scenario a file)", HG "scenario t\n" },
	{ 1, "=empty scenario (the first line must be: scenario NAME)", "" },
	{ 3, "=empty scenario (the first line must be: scenario NAME)", "# only\n\n  \t\n" },
	{ 1, "=the header needs a doc line", "scenario t\n" },
	{ 2, "=the header needs a doc line", "scenario t\ngroup G\n" },
	{ 2, "=no steps", H },
	{ 4, "=no steps", H "# c\nneeds root\n" },
	{ 3, "=unknown step 'frobnicate'", H "frobnicate G\n" },
	{ 3, "=unknown step 'Group'", H "Group G\n" },
	{ 4, "=unknown step 'doc'", HV "@x doc again\n" },
	{ 4, "='doc' belongs in the header, before the first step", HG "doc more\n" },
	{ 4, "='source' belongs in the header, before the first step", HG "source x\n" },
	{ 4, "='timeout' belongs in the header, before the first step", HG "timeout 5s\n" },
	{ 4, "='variant' belongs in the header, before the first step", HG "variant y two\n" },
	{ 4, "='needs' belongs in the header, before the first step", HG "needs root\n" },
	/* the first error wins */
	{ 3, "=unknown step 'one'", H "one\ntwo\n" },
	/* tokens */
	{ 3, "=unterminated quote", H "expect kmsg \"abc\n" },
	{ 3, "=unterminated quote", H "doc \"a\\\"\n" },
	{ 3, "=text right after a closing quote", H "doc \"a\"b\n" },
	{ 3, "=text right after a closing quote", H "doc \"a\"\"b\"\n" },
	{ 3, "=control character in line", H "doc a\001b\n" },
	{ 3, "=control character in line", H "doc a\vb\n" },
	{ 4, "=control character in line", HG "# \033[31m\n" },
	/* header */
	{ 2, "=doc needs text", "scenario t\ndoc\n" },
	{ 3, "=source needs text", H "source # nothing\n" },
	{ 3, "=usage: timeout DURATION", H "timeout\n" },
	{ 3, "=usage: timeout DURATION", H "timeout 1s 2s\n" },
	{ 3, "duration '5x': unknown unit 'x'", H "timeout 5x\n" },
	{ 3, "=usage: variant NAME [skip] DESCRIPTION", H "variant x\n" },
	{ 3, "=bad variant name 'v1'", H "variant v1 first\n" },
	{ 3, "=bad variant name 'v2'", H "variant v2 second\n" },
	{ 3, "=bad variant name 'a.b'", H "variant a.b x\n" },
	{ 3, "=bad variant name '!x'", H "variant !x x\n" },
	{ 4, "=variant 'x' declared twice", HV "variant x again\n" },
	{ 3, "=variant x needs a description", H "variant x skip\n" },
	{ 3, "=variant x needs a description", H "variant x skip # a comment\n" },
	{ 3, "usage: needs root | cgroup v1|v2 ... | swap | memory SIZE | kernel OP X.Y | "
	     "file CONTROL-FILE | vm | psi", H "needs\n" },
	{ 3, "=needs root takes nothing more", H "needs root yes\n" },
	{ 3, "=needs swap takes nothing more", H "needs swap 1G\n" },
	{ 3, "=needs vm takes nothing more", H "needs vm kvm\n" },
	{ 3, "=needs psi takes nothing more", H "needs psi some\n" },
	{ 3, "=needs cgroup: v1 and/or v2, not 'v3'", H "needs cgroup v1 v3\n" },
	{ 3, "=needs cgroup: v1 and/or v2", H "needs cgroup\n" },
	{ 3, "=usage: needs memory SIZE", H "needs memory\n" },
	{ 3, "=usage: needs memory SIZE", H "needs memory 1G 2G\n" },
	{ 3, "size '1X': unknown unit 'X'", H "needs memory 1X\n" },
	{ 3, "=usage: needs kernel OP MAJOR.MINOR (e.g. >= 5.11)", H "needs kernel 5.11\n" },
	{ 3, "=usage: needs kernel OP MAJOR.MINOR (e.g. >= 5.11)", H "needs kernel ~= 5.11\n" },
	{ 3, "=usage: needs kernel OP MAJOR.MINOR (e.g. >= 5.11)", H "needs kernel >= 5\n" },
	{ 3, "=usage: needs kernel OP MAJOR.MINOR (e.g. >= 5.11)", H "needs kernel => 5.11\n" },
	{ 3, "=usage: needs file CONTROL-FILE", H "needs file\n" },
	{ 3, "=usage: needs file CONTROL-FILE", H "needs file ../memory.max\n" },
	{ 3, "=unknown need 'gpu'", H "needs gpu\n" },
	/* guards */
	{ 3, "='@zz': no such variant (declare it, or use @v1 / @v2)", H "@zz group G\n" },
	{ 4, "='@!zz': no such variant (declare it, or use @v1 / @v2)", HV "@!zz group G\n" },
	{ 3, "='@v3': no such variant (declare it, or use @v1 / @v2)", H "@v3 group G\n" },
	{ 3, "='@': no such variant (declare it, or use @v1 / @v2)", H "@ group G\n" },
	{ 3, "=a variant guard needs a step after it", H "@v1\n" },
	{ 4, "=a variant guard needs a step after it", HV "@!x   # a comment\n" },
	/* group and set */
	{ 3, "=usage: group NAME [setting=value]...", H "group\n" },
	{ 3, "=bad group name 'a.b' (letters, digits, _ - and / for nesting)", H "group a.b\n" },
	{ 3, "=bad group name 'a b' (letters, digits, _ - and / for nesting)",
	  H "group \"a b\"\n" },
	{ 3, "=bad group name '/A'", H "group /A\n" },
	{ 4, "=bad group name 'A//B'", H "group A\ngroup A//B\n" },
	{ 4, "=bad group name 'A/'", H "group A\ngroup A/\n" },
	{ 3, "=bad group name ''", H "group \"\"\n" },
	{ 4, "='G' is already declared", HG "group G\n" },
	{ 5, "='a' is already declared", HW "group a\n" },
	{ 3, "=group 'A/B' needs its parent 'A' declared first", H "group A/B\n" },
	{ 4, "=group 'G/B/C' needs its parent 'G/B' declared first", HG "group G/B/C\n" },
	{ 3, "=expected NAME=VALUE, got 'limit'", H "group G limit\n" },
	{ 3, "=expected NAME=VALUE, got '=1M'", H "group G =1M\n" },
	{ 3, "=expected NAME=VALUE, got 'limit='", H "group G limit=\n" },
	{ 3, "='bogus' is neither a portable name nor a control file", H "group G bogus=1\n" },
	{ 4, "=usage: set GROUP setting=value...", HG "set G\n" },
	{ 4, "='X' is not a group declared above", HG "set X limit=1M\n" },
	{ 4, "='swapiness' is neither a portable name nor a control file",
	  HG "set G swapiness=0\n" },
	/* write and try */
	{ 4, "=usage: write GROUP FILE VALUE [fails ERRNO]", HG "write G memory.max\n" },
	{ 4, "=usage: write GROUP FILE VALUE [fails ERRNO]", HG "write G memory.max 1M fails\n" },
	{ 4, "=usage: write GROUP FILE VALUE [fails ERRNO]", HG "write G memory.max 1 2 EINVAL\n" },
	{ 4, "=usage: try GROUP FILE VALUE", HG "try G memory.max 1M fails EINVAL\n" },
	{ 4, "=unknown errno name 'EFOO' (EINVAL, EBUSY ...)",
	  HG "write G memory.max 1 fails EFOO\n" },
	{ 4, "=unknown errno name 'ok' (EINVAL, EBUSY ...)", HG "write G memory.max 1 fails ok\n" },
	{ 4, "='X' is not a group declared above", HG "write X memory.max 1M\n" },
	{ 4, "='X' is not a group declared above", HG "try X memory.max 1M\n" },
	{ 4, "='../x' is not a control file name", HG "write G ../x 1\n" },
	{ 4, "='..' is not a control file name", HG "try G .. 1\n" },
	/* rmdir reclaim kill drop_caches */
	{ 4, "=usage: rmdir|reclaim|kill GROUP", HG "rmdir\n" },
	{ 4, "=usage: rmdir|reclaim|kill GROUP", HG "reclaim G G\n" },
	{ 4, "=usage: rmdir|reclaim|kill GROUP", HG "kill\n" },
	{ 4, "='X' is not a group declared above", HG "rmdir X\n" },
	{ 4, "='X' is not a group declared above", HG "reclaim X\n" },
	{ 4, "='X' is not a group declared above", HG "kill X\n" },
	{ 3, "=usage: drop_caches [1|2|3]", H "drop_caches 1 2\n" },
	{ 3, "=drop_caches takes 1, 2 or 3", H "drop_caches 4\n" },
	{ 3, "=drop_caches takes 1, 2 or 3", H "drop_caches 0\n" },
	{ 3, "=drop_caches takes 1, 2 or 3", H "drop_caches 03\n" },
	/* start */
	{ 4, "=usage: start ID GROUP WORKLOAD [option=value | flag]...", HG "start a G\n" },
	{ 4, "=bad workload id 'a.b'", HG "start a.b G alloc\n" },
	{ 4, "=bad workload id 'a/b'", HG "start a/b G alloc\n" },
	{ 5, "='a' is already declared", HW "start a G alloc\n" },
	{ 4, "='G' is already declared", HG "start G G alloc\n" },
	{ 4, "='X' is not a group declared above", HG "start a X alloc\n" },
	{ 4, "=no workload 'hog' (alloc, tmpfs, shm, mmap, pagecache, forker, dentries, threads, sockets)", HG "start a G hog\n" },
	{ 4, "=workload alloc has no option --bogus (see --help)", HG "start a G alloc bogus=1\n" },
	{ 4, "=workload alloc has no option --file (see --help)", HG "start a G alloc file=/x\n" },
	{ 4, "--size: size 'lots'", HG "start a G alloc size=lots\n" },
	{ 4, "=--size needs a value", HG "start a G alloc size\n" },
	{ 4, "=--hold: 'maybe' is not yes or no", HG "start a G alloc hold=maybe\n" },
	{ 4, "--rate: rate 'fast'", HG "start a G alloc rate=fast\n" },
	{ 4, "=--passes: 'x' is not a non-negative whole number",
	  HG "start r G pagecache size=1M passes=x\n" },
	{ 4, "=tmpfs: --size is required", HG "start t G tmpfs hold\n" },
	{ 4, "=tmpfs: --files above 1 needs --private (so that one unmount removes them all)",
	  HG "start t G tmpfs size=1M files=2\n" },
	{ 4, "=shm: --size is required", HG "start s G shm\n" },
	{ 4, "=mmap: --size is required", HG "start m G mmap\n" },
	{ 4, "=mmap: --remove needs --file", HG "start m G mmap size=1M remove\n" },
	{ 4, "=alloc: --size is smaller than one --step", HG "start a G alloc size=1K\n" },
	{ 4, "=alloc: --step must be at least 1 byte", HG "start a G alloc step=0\n" },
	{ 4, "=pagecache: --file is required (or --size for a scratch file)",
	  HG "start r G pagecache\n" },
	{ 4, "=file=@zz: no workload 'zz' started above", HG "start r G pagecache file=@zz\n" },
	{ 5, "=file=@G: no workload 'G' started above", HW "start r G pagecache file=@G\n" },
	/* stop signal move rm rmid */
	{ 5, "=usage: stop WORKLOAD [timeout=DURATION]", HW "stop\n" },
	{ 5, "=usage: stop WORKLOAD [timeout=DURATION]", HW "stop a now\n" },
	{ 5, "duration 'soon'", HW "stop a timeout=soon\n" },
	{ 5, "='b' is not a workload started above", HW "stop b\n" },
	{ 5, "=usage: signal WORKLOAD SIGNAL", HW "signal a\n" },
	{ 5, "='b' is not a workload started above", HW "signal b SIGKILL\n" },
	{ 5, "=unknown signal 'SIGFOO'", HW "signal a SIGFOO\n" },
	{ 5, "=unknown signal '0'", HW "signal a 0\n" },
	{ 5, "=unknown signal 'kill'", HW "signal a kill\n" },
	{ 5, "=usage: move WORKLOAD GROUP", HW "move a\n" },
	{ 5, "='b' is not a workload started above", HW "move b G\n" },
	{ 5, "='X' is not a group declared above", HW "move a X\n" },
	{ 5, "=usage: rm WORKLOAD (its tmpfs or mmap file)", HW "rm\n" },
	{ 5, "='a' is not a tmpfs or mmap workload started above", HW "rm a\n" },
	{ 5, "='zz' is not a tmpfs or mmap workload started above", HW "rm zz\n" },
	{ 6, "='s' is not a tmpfs or mmap workload started above",
	  HW "start s G shm size=1M\nrm s\n" },
	{ 5, "=usage: rmid WORKLOAD (its SysV segment)", HW "rmid a b\n" },
	{ 5, "='a' is not a shm workload started above", HW "rmid a\n" },
	{ 6, "='t' is not a shm workload started above", HW "start t G tmpfs size=1M\nrmid t\n" },
	/* watch */
	{ 4, "=usage: watch GROUP oom | threshold SIZE | pressure LEVEL", HG "watch G\n" },
	{ 4, "=usage: watch GROUP oom | threshold SIZE | pressure LEVEL", HG "watch G oom now\n" },
	{ 4, "=usage: watch GROUP oom | threshold SIZE | pressure LEVEL",
	  HG "watch G threshold\n" },
	{ 4, "=usage: watch GROUP oom | threshold SIZE | pressure LEVEL", HG "watch G events\n" },
	{ 4, "=usage: watch GROUP oom | threshold SIZE | pressure LEVEL",
	  HG "watch G pressure low now\n" },
	{ 4, "='X' is not a group declared above", HG "watch X oom\n" },
	{ 4, "size '8X': unknown unit 'X'", HG "watch G threshold 8X\n" },
	{ 4, "=pressure level must be low, medium or critical", HG "watch G pressure high\n" },
	/* sleep */
	{ 3, "=usage: sleep DURATION", H "sleep\n" },
	{ 3, "duration '-1s': must be a plain non-negative number", H "sleep -1s\n" },
	{ 3, "duration 'forever': expected a time such as", H "sleep forever\n" },
	/* save and expressions */
	{ 3, "=usage: save NAME EXPRESSION (NAME: letters, digits, _ -)", H "save x\n" },
	{ 3, "=usage: save NAME EXPRESSION (NAME: letters, digits, _ -)", H "save a.b 1\n" },
	{ 3, "=usage: save NAME EXPRESSION (NAME: letters, digits, _ -)", H "save $x 1\n" },
	{ 3, "=bad variable name '$'", H "save x $\n" },
	{ 3, "=bad variable name '$a.b'", H "save x $a.b\n" },
	{ 3, "='abc' is not a value (a size such as 4M, a number, $var, GROUP.counter or "
	     "WORKLOAD.progress)", H "save x abc\n" },
	{ 3, "'-4M' is not a value", H "save x -4M\n" },
	{ 3, "='X' is not a group, workload or open file declared above", H "save x X.usage\n" },
	{ 3, "='' is not a group, workload or open file declared above", H "save x .5\n" },
	{ 5, "=workload 'a' has no value 'rss' (progress, steps, rate, vmrss, rssanon, rssfile, "
	     "rssshmem, p50, p90, p99)", HW "save x a.rss\n" },
	{ 4, "='bogus' is neither a portable name nor a control file (memory.*)",
	  HG "save x G.bogus\n" },
	{ 4, "='' is neither a portable name nor a control file (memory.*)", HG "save x G.\n" },
	{ 3, "=expected + or - after '1', got '*'", H "save x 1 * 2\n" },
	{ 3, "=expected + or - after '1', got '2'", H "save x 1 2\n" },
	{ 3, "=missing value after '+'", H "save x 1 +\n" },
	{ 3, "=missing value after '-'", H "save x 1 + 2 -\n" },
	{ 3, "=expression too long (at most 6 terms)", H "save x 1 + 1 + 1 + 1 + 1 + 1 + 1\n" },
	{ 3, "=missing value", H "expect == 1\n" },
	{ 3, "=missing value", H "expect 1 ==\n" },
	/* conditions */
	{ 3, "=missing condition", H "expect\n" },
	{ 3, "=missing condition", H "wait timeout=1s\n" },
	{ 3, "=no comparison (==, !=, <, <=, >, >=, ~=) in '1'", H "expect 1\n" },
	{ 4, "=no comparison (==, !=, <, <=, >, >=, ~=) in 'G.usage'",
	  HG "expect G.usage =< 1M\n" },
	{ 5, "=no comparison (==, !=, <, <=, >, >=, ~=) in 'a'", HW "expect a bogus\n" },
	{ 3, "=expected: event GROUP KIND [count OP N | before KIND | within DURATION of WORKLOAD "
	     "end]", H "expect event G\n" },
	{ 3, "='X' is not a group declared above", H "expect event X oom\n" },
	{ 5, "=bad comparison '~='", HGO "expect event G oom count ~= 1\n" },
	{ 5, "=bad comparison '=>'", HGO "expect event G oom count => 1\n" },
	{ 5, "=event count: 'x' is not a non-negative whole number",
	  HGO "expect event G oom count >= x\n" },
	{ 5, "=event count: '1000001' is too large (at most 1000000)",
	  HGO "expect event G oom count >= 1000001\n" },
	{ 5, "=after 'event GROUP KIND': count OP N, before KIND, or within DURATION of "
	  "WORKLOAD end",
	  HGO "expect event G oom count >= 1 2\n" },
	{ 5, "=after 'event GROUP KIND': count OP N, before KIND, or within DURATION of "
	  "WORKLOAD end",
	  HGO "expect event G oom sometime\n" },
	{ 5, "=after 'event GROUP KIND': count OP N, before KIND, or within DURATION of "
	  "WORKLOAD end",
	  HGO "expect event G oom within 1s of x\n" },
	{ 5, "='b' is not a workload started above", HGO "expect event G oom within 1s of b end\n" },
	{ 6, "duration '1x': unknown unit", HWO "expect event G oom within 1x of a end\n" },
	{ 3, "=expected: kmsg \"text\"", H "expect kmsg\n" },
	{ 3, "=expected: boot-kmsg \"text\"", H "expect boot-kmsg\n" },
	{ 3, "=expected: no-boot-kmsg \"text\"", H "expect no-boot-kmsg a b\n" },
	{ 3, "=cannot wait for that; wait for a workload state, an event count or a comparison",
	  H "wait boot-kmsg x\n" },
	{ 3, "=no kernel fact 'lru' (mglru, log_from_boot, recursiveprot, localevents, zswap, cpus, stat_slack)", H "expect kernel.lru == 1\n" },
	{ 3, "='kernel' is a word of the language, not a name", H "group kernel\n" },
	{ 4, "='kernel' is a word of the language, not a name", HG "start kernel G alloc\n" },
	{ 4, "='kmsg' is a word of the language, not a name", HG "start kmsg G alloc\n" },
	{ 3, "='event' is a word of the language, not a name", H "group event\n" },
	{ 4, "='errno' is a word of the language, not a name", HG "open errno G memory.peak\n" },
	{ 5, "='p' is already declared", HG "open p G memory.peak\nstart p G alloc\n" },
	{ 3, "=expected: kmsg \"text\"", H "expect kmsg \"\"\n" },
	{ 3, "=expected: no-kmsg \"text\"", H "expect no-kmsg a b\n" },
	{ 3, "=expected: errno == NAME or errno != NAME", H "expect errno < EINVAL\n" },
	{ 3, "=expected: errno == NAME or errno != NAME", H "expect errno ==\n" },
	{ 3, "=expected: errno == NAME or errno != NAME", H "expect errno ~= EINVAL\n" },
	{ 3, "=unknown errno name 'EWHAT'", H "expect errno == EWHAT\n" },
	{ 3, "=unknown errno name 'einval'", H "expect errno != einval\n" },
	{ 5, "=expected: a killed-by SIGNAL", HW "expect a killed-by\n" },
	{ 5, "=expected: a killed-by SIGNAL", HW "expect a killed-by SIGFOO\n" },
	{ 5, "=expected: a killed-by SIGNAL", HW "expect a killed-by 9 15\n" },
	{ 5, "=exit code: '256' is too large (at most 255)", HW "expect a exited 256\n" },
	{ 5, "=exit code: '-1' is not a non-negative whole number", HW "expect a exited -1\n" },
	{ 5, "=expected: a exited [CODE]", HW "expect a exited 1 2\n" },
	{ 5, "=expected: a failed-with ERRNO (ENOMEM ...)", HW "expect a failed-with ok\n" },
	{ 5, "=expected: a failed-with ERRNO (ENOMEM ...)", HW "expect a failed-with EWHAT\n" },
	{ 5, "=expected: a failed-with ERRNO (ENOMEM ...)", HW "expect a failed-with\n" },
	{ 5, "=expected nothing after 'paused'", HW "expect a paused now\n" },
	{ 5, "=expected nothing after 'running'", HW "expect a running 1\n" },
	{ 5, "=expected nothing after 'holding'", HW "expect a holding 1\n" },
	{ 5, "=expected nothing after 'ended'", HW "wait a ended soon\n" },
	{ 5, "=expected: a latency pNN OP DURATION (p50, p99, p100)",
	  HW "expect a latency 99 < 1s\n" },
	{ 5, "=expected: a latency pNN OP DURATION (p50, p99, p100)",
	  HW "expect a latency p101 < 1s\n" },
	{ 5, "=expected: a latency pNN OP DURATION (p50, p99, p100)",
	  HW "expect a latency p < 1s\n" },
	{ 5, "=expected: a latency pNN OP DURATION (p50, p99, p100)",
	  HW "expect a latency p99 ~= 1s\n" },
	{ 5, "=expected: a latency pNN OP DURATION (p50, p99, p100)",
	  HW "expect a latency p99 <\n" },
	{ 5, "duration '1parsec'", HW "expect a latency p99 < 1parsec\n" },
	/* expect / wait options */
	{ 5, "=timeout= belongs to wait, not expect", HW "expect a holding timeout=1s\n" },
	{ 5, "duration 'x'", HW "wait a holding timeout=x\n" },
	{ 5, "=tol= only goes with a comparison", HW "expect a holding tol=1M\n" },
	{ 5, "=tol= only goes with a comparison", HGO "expect event G oom tol=1\n" },
	/* an event nobody watches is never recorded: a count of it could not fail */
	{ 4, "=no 'watch G oom' above: oom events are not recorded without it",
	  HG "expect event G oom count == 0\n" },
	{ 5, "=no 'watch G pressure critical' above: pressure-critical events are not recorded "
	     "without it",
	  HG "watch G pressure low\nexpect event G pressure-low before pressure-critical\n" },
	{ 4, "=no 'watch G threshold' above: threshold events are not recorded without it",
	  HG "wait event G threshold\n" },
	{ 4, "=unknown event kind 'critical' (oom, oom_kill, oom_group_kill, max, high, low, "
	     "threshold, pressure-low, pressure-medium, pressure-critical, start, exit, killed, "
	     "paused, resumed)",
	  HG "expect event G critical\n" },
	/* the second kind of before is checked too */
	{ 5, "=unknown event kind 'later' (oom, oom_kill, oom_group_kill, max, high, low, "
	     "threshold, pressure-low, pressure-medium, pressure-critical, start, exit, killed, "
	     "paused, resumed)",
	  HGO "expect event G oom before later\n" },
	{ 5, "=settle= goes with expect event ... count or before",
	  HGO "wait event G oom settle=1s\n" },
	{ 5, "=settle= goes with expect event ... count or before", HGO "expect G.usage > 0 settle=1s\n" },
	{ 5, "=bad settle time '0'", HGO "expect event G oom settle=0\n" },
	{ 4, "=~= needs a tolerance: tol=SIZE or tol=N%", HG "expect G.usage ~= 1M\n" },
	{ 4, "=~= needs a tolerance: tol=SIZE or tol=N%", HG "wait G.usage ~= 1M\n" },
	{ 4, "size '1X': unknown unit 'X'", HG "expect G.usage ~= 1M tol=1X\n" },
	{ 4, "=bad tolerance '5x%': '5x' is not a non-negative whole number",
	  HG "expect G.usage ~= 1M tol=5x%\n" },
	{ 4, "=bad tolerance '1001%': '1001' is too large (at most 1000)",
	  HG "expect G.usage ~= 1M tol=1001%\n" },
	{ 4, "=bad tolerance '" D40 "%'", HG "expect G.usage ~= 1M tol=" D40 "%\n" },
	{ 4, "=empty size", HG "expect G.usage ~= 1M tol=\n" },
	{ 4, "size '%'", HG "expect G.usage ~= 1M tol=%\n" },
	{ 5, "=cannot wait for that; wait for a workload state, an event count or a comparison",
	  HW "wait kmsg \"x\"\n" },
	{ 5, "=cannot wait for that; wait for a workload state, an event count or a comparison",
	  HW "wait no-kmsg \"x\"\n" },
	{ 5, "=cannot wait for that; wait for a workload state, an event count or a comparison",
	  HW "wait a latency p99 < 1s\n" },
	{ 7, "=cannot wait for that; wait for a workload state, an event count or a comparison",
	  HW "watch G pressure low\nwatch G pressure critical\n"
	     "wait event G pressure-low before pressure-critical\n" },
	{ 6, "=cannot wait for that; wait for a workload state, an event count or a comparison",
	  HWO "wait event G oom within 1s of a end\n" },
	{ 5, "=cannot wait for that; wait for a workload state, an event count or a comparison",
	  HW "wait errno == ok\n" },
	/* pick */
	{ 4, "=usage: pick VARIANT if CONDITION", HV "pick x if\n" },
	{ 4, "=usage: pick VARIANT if CONDITION", HV "pick x when errno == ok\n" },
	{ 4, "=usage: pick VARIANT if CONDITION", HV "pick\n" },
	{ 4, "='zz' is not a variant declared in the header", HV "pick zz if errno == ok\n" },
	{ 4, "='v1' is not a variant declared in the header", HV "pick v1 if errno == ok\n" },
	{ 4, "=empty size", HV "pick x if 1 ~= 1 tol=\n" },
	{ 4, "=unknown errno name 'EWHAT'", HV "pick x if errno == EWHAT\n" },
	{ 4, "=no comparison (==, !=, <, <=, >, >=, ~=) in '1'", HV "pick x if 1\n" },
};

START_TEST(error_messages)
{
	bad_at(_i, errors[_i].text, -EINVAL, errors[_i].line, errors[_i].needle);
}
END_TEST

/* --- regressions -------------------------------------------------------------
 *
 * Parser bugs found once (a hang on a bad scenario name among them). */

static const struct {
	int line;
	const char *needle;
	const char *text;
} known_bugs[] = {
	/* a bad character in the scenario name: the check loop sets q = "" and
	 * then q++ walks past the empty literal (hangs in practice) */
	{ 1, "=scenario name 'Bad': lower case, digits and -", "scenario Bad\ndoc d\ngroup G\n" },
	{ 1, "=scenario name 'a_b': lower case, digits and -", "scenario a_b\n" },
	{ 1, "=scenario name 'a.b': lower case, digits and -", "scenario a.b\n" },
	/* an empty name is taken, and line 2 is then called the first line */
	{ 1, "scenario name", "scenario \"\"\ndoc d\ngroup G\n" },
	/* a variable that no save declared */
	{ 3, "=$nosuch was not saved above (save NAME EXPRESSION)", H "expect $nosuch == 1\n" },
	/* pagecache's own checks are skipped whenever size= is given */
	{ 4, "=pagecache: --passes must be at least 1",
	  HG "start r G pagecache size=1M passes=0\n" },
	{ 4, "=pagecache: --block must be at least 1 byte",
	  HG "start r G pagecache size=1M block=0\n" },
	{ 4, "=pagecache: --block is larger than 1G", HG "start r G pagecache size=1M block=2G\n" },
	/* pick skips the tol= checks that expect and wait make */
	{ 4, "=~= needs a tolerance: tol=SIZE or tol=N%", HV "pick x if 1 ~= 1\n" },
	{ 4, "=tol= only goes with a comparison", HV "pick x if errno == ok tol=1\n" },
	/* trailing junk after a number */
	{ 5, "=unknown signal '9x'", HW "signal a 9x\n" },
	{ 3, "=usage: needs kernel OP MAJOR.MINOR (e.g. >= 5.11)",
	  H "needs kernel >= 5.11x\ngroup G\n" },
};

START_TEST(known_bug_messages)
{
	bad_at(_i, known_bugs[_i].text, -EINVAL, known_bugs[_i].line, known_bugs[_i].needle);
}
END_TEST

START_TEST(known_bug_quoted_options)
{
	/* a quoted word is an option when it looks like one */
	const struct scn_step *st = OK(H "expect kmsg \"timeout=1s\"\n");

	ck_assert_int_eq(st->check.cond.kind, SK_KMSG);
	ck_assert_str_eq(st->check.cond.log.text, "timeout=1s");
	st = OK(H "expect kmsg \"tol=1\"\n");
	ck_assert_str_eq(st->check.cond.log.text, "tol=1");
}
END_TEST

START_TEST(known_bug_within_long_id)
{
	/* kind2 (32 bytes) holds a workload id (up to 63): cut to 31 */
	const struct scn_step *st;

	big[0] = 0;
	cat(HGO "start %s G alloc\nexpect event G oom within 1s of %s end\n", rep('w', 40),
	    rep('w', 40));
	st = OK(big);
	ck_assert_int_eq(st->check.cond.kind, SK_EVENT_WITHIN);
	ck_assert_str_eq(st->check.cond.event.wl, rep('w', 40));
}
END_TEST

/* --- the name tables ------------------------------------------------------- */

START_TEST(names_signals)
{
	ck_assert_int_eq(scn_signal_num("SIGKILL"), SIGKILL);
	ck_assert_int_eq(scn_signal_num("KILL"), SIGKILL);
	ck_assert_int_eq(scn_signal_num("9"), 9);
	ck_assert_int_eq(scn_signal_num("SIG9"), 9);
	ck_assert_int_eq(scn_signal_num("SIGTERM"), SIGTERM);
	ck_assert_int_eq(scn_signal_num("USR1"), SIGUSR1);
	ck_assert_int_eq(scn_signal_num("SIGSTOP"), SIGSTOP);
	ck_assert_int_eq(scn_signal_num(tu_path("%d", NSIG - 1)), NSIG - 1);
	ck_assert_int_eq(scn_signal_num(tu_path("%d", NSIG)), -1);
	ck_assert_int_eq(scn_signal_num("0"), -1);
	ck_assert_int_eq(scn_signal_num("-9"), -1);
	ck_assert_int_eq(scn_signal_num(""), -1);
	ck_assert_int_eq(scn_signal_num("SIG"), -1);
	ck_assert_int_eq(scn_signal_num("kill"), -1);
	ck_assert_int_eq(scn_signal_num("SIGKILLX"), -1);
	ck_assert_int_eq(scn_signal_num("SIGSIGKILL"), -1);
	/* every named signal, with and without SIG, and as a number */
	for (int i = 1; i < 32; i++) {
		const char *ab = sigabbrev_np(i);
		ck_assert_msg(ab != NULL, "signal %d has no name", i);
		ck_assert_int_eq(scn_signal_num(ab), i);
		ck_assert_int_eq(scn_signal_num(tu_path("SIG%s", ab)), i);
		ck_assert_int_eq(scn_signal_num(tu_path("%d", i)), i);
	}
}
END_TEST

START_TEST(names_errnos)
{
	static const struct {
		const char *name;
		int num;
	} all[] = {
		{ "EINVAL", EINVAL }, { "EBUSY", EBUSY },   { "ENOMEM", ENOMEM },
		{ "EPERM", EPERM },   { "EACCES", EACCES }, { "ENOENT", ENOENT },
		{ "ENOSPC", ENOSPC }, { "EIO", EIO },       { "EAGAIN", EAGAIN },
		{ "EEXIST", EEXIST }, { "ENOTEMPTY", ENOTEMPTY }, { "EOPNOTSUPP", EOPNOTSUPP },
		{ "ENODEV", ENODEV }, { "EINTR", EINTR },   { "E2BIG", E2BIG },
		{ "ERANGE", ERANGE }, { "ESRCH", ESRCH },   { "ok", 0 },
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		ck_assert_int_eq(scn_errno_num(all[i].name), all[i].num);
		ck_assert_str_eq(scn_errno_name(all[i].num), all[i].name);
		ck_assert_str_eq(scn_errno_name(scn_errno_num(all[i].name)), all[i].name);
	}
	ck_assert_int_eq(scn_errno_num("einval"), -1);
	ck_assert_int_eq(scn_errno_num("EINVAL "), -1);
	ck_assert_int_eq(scn_errno_num(""), -1);
	ck_assert_int_eq(scn_errno_num("OK"), -1);
	ck_assert_int_eq(scn_errno_num("EDOM"), -1);
	ck_assert_str_eq(scn_errno_name(EDOM), "E?");
	ck_assert_str_eq(scn_errno_name(-1), "E?");
	ck_assert_str_eq(scn_errno_name(100000), "E?");
}
END_TEST

START_TEST(names_cmp)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=", "~=" };

	ck_assert_int_eq(SC_APPROX, 6);
	for (int c = SC_EQ; c <= SC_APPROX; c++) {
		char text[128];
		const struct scn_step *st;

		ck_assert_str_eq(scn_cmp_str((enum scn_cmp)c), ops[c]);
		/* and back through the parser */
		snprintf(text, sizeof(text), HG "expect G.usage %s 1M tol=1\n",
			 scn_cmp_str((enum scn_cmp)c));
		st = OK(text);
		ck_assert_int_eq(st->check.cond.kind, SK_COMPARE);
		ck_assert_int_eq(st->check.cond.compare.cmp, c);
		snprintf(text, sizeof(text), H "needs kernel %s 5.11\ngroup G\n",
			 scn_cmp_str((enum scn_cmp)c));
		if (c == SC_APPROX) {
			BAD(3, "usage: needs kernel", text);
		} else {
			OK(text);
			ck_assert_int_eq(S.needs[0].cmp, c);
		}
	}
}
END_TEST

/* --- lifetime ----------------------------------------------------------------- */

START_TEST(free_and_reuse)
{
	struct scn *s = calloc(1, sizeof(*s));
	struct mlab_err e;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(scn_parse_text(s, "a.scn", HW "wait a ended\n", &e), 0);
	ck_assert_int_eq(s->nsteps, 3);
	ck_assert_ptr_nonnull(s->steps);
	ck_assert_int_ge(s->cap_steps, 3);
	scn_free(s);
	ck_assert_ptr_null(s->steps);
	ck_assert_int_eq(s->nsteps, 0);
	ck_assert_int_eq(s->cap_steps, 0);
	scn_free(s); /* twice is harmless */
	ck_assert_ptr_null(s->steps);

	/* reused: nothing of the first parse is left */
	ck_assert_int_eq(scn_parse_text(s, "b.scn", "scenario u\ndoc e\ngroup B\n", &e), 0);
	ck_assert_str_eq(s->path, "b.scn");
	ck_assert_str_eq(s->name, "u");
	ck_assert_int_eq(s->nsteps, 1);
	ck_assert_int_eq(s->nwls, 0);
	ck_assert_int_eq(s->ngroups, 1);
	ck_assert_str_eq(s->steps[0].set.group, "B");
	scn_free(s);

	/* an error frees what was parsed so far */
	ck_assert_int_eq(scn_parse_text(s, "c.scn", HW "wait a ended\nbogus\n", &e), -EINVAL);
	ck_assert_str_eq(e.msg, "c.scn:6: unknown step 'bogus'");
	ck_assert_ptr_null(s->steps);
	ck_assert_int_eq(s->nsteps, 0);
	ck_assert_int_eq(s->cap_steps, 0);
	scn_free(s); /* still harmless */

	/* and the struct parses again after an error */
	ck_assert_int_eq(scn_parse_text(s, "d.scn", HG, &e), 0);
	ck_assert_int_eq(s->nsteps, 1);
	scn_free(s);
	free(s);
}
END_TEST

/* --- files ------------------------------------------------------------------ */

static void write_bytes(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(parse_file)
{
	const char *dir = tu_tmpdir();
	char path[4096], msg[1024];
	static char buf[300000];
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/ok.scn", dir);
	tu_write(path, "scenario from-file\r\ndoc d\r\ngroup G\r\n");
	memset(&E, 0, sizeof(E));
	ck_assert_int_eq(scn_parse_file(&S, path, &E), 0);
	ck_assert_str_eq(S.path, path);
	ck_assert_str_eq(S.name, "from-file");
	ck_assert_int_eq(S.nsteps, 1);
	scn_free(&S);

	/* errors name the file */
	snprintf(path, sizeof(path), "%s/bad.scn", dir);
	tu_write(path, "scenario t\ndoc d\ngroup G\nexpect G.nope == 1\n");
	ck_assert_int_eq(scn_parse_file(&S, path, &E), -EINVAL);
	snprintf(msg, sizeof(msg), "%s:4: 'nope' is neither a portable name nor a control file "
				   "(memory.*)", path);
	ck_assert_str_eq(E.msg, msg);
	ck_assert_ptr_null(S.steps);

	/* missing: the path and strerror */
	snprintf(path, sizeof(path), "%s/missing.scn", dir);
	ret = scn_parse_file(&S, path, &E);
	ck_assert_int_eq(ret, -ENOENT);
	snprintf(msg, sizeof(msg), "%s: %s", path, strerror(ENOENT));
	ck_assert_str_eq(E.msg, msg);
	ck_assert_ptr_null(S.steps);
	/* a directory */
	ret = scn_parse_file(&S, dir, &E);
	ck_assert_int_eq(ret, -EISDIR);
	snprintf(msg, sizeof(msg), "%s: %s", dir, strerror(EISDIR));
	ck_assert_str_eq(E.msg, msg);

	/* a NUL byte anywhere */
	snprintf(path, sizeof(path), "%s/nul.scn", dir);
	write_bytes(path, "scenario t\ndoc d\ngroup G\n\0group H\n", 34);
	ck_assert_int_eq(scn_parse_file(&S, path, &E), -EINVAL);
	snprintf(msg, sizeof(msg), "%s:1: binary content (a NUL byte)", path);
	ck_assert_str_eq(E.msg, msg);
	ck_assert_ptr_null(S.steps);

	/* large files: up to 256K - 2 bytes parse, larger ones are refused */
	n = (size_t)snprintf(buf, sizeof(buf), "scenario big\ndoc d\ngroup G\n");
	while (n < sizeof(buf)) {
		size_t l = sizeof(buf) - n < 100 ? sizeof(buf) - n : 100;
		memset(buf + n, '#', l);
		buf[n + l - 1] = '\n';
		n += l;
	}
	snprintf(path, sizeof(path), "%s/big.scn", dir);
	write_bytes(path, buf, 256 * 1024 - 2);
	ck_assert_int_eq(scn_parse_file(&S, path, &E), 0);
	ck_assert_str_eq(S.name, "big");
	scn_free(&S);
	write_bytes(path, buf, sizeof(buf));
	ck_assert_int_eq(scn_parse_file(&S, path, &E), -EFBIG);
	snprintf(msg, sizeof(msg), "%s: too large (a scenario has at most 262142 bytes)", path);
	ck_assert_str_eq(E.msg, msg);
	ck_assert_ptr_null(S.steps);
}
END_TEST

START_TEST(real_scenarios)
{
	const char *dir = MLAB_SOURCE_DIR "/scenarios";
	static char names[128][SCN_NAME];
	struct dirent *de;
	int count = 0;
	DIR *d = opendir(dir);

	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char path[4096];

		if (l <= 4 || strcmp(de->d_name + l - 4, ".scn") || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		memset(&E, 0, sizeof(E));
		ck_assert_msg(scn_parse_file(&S, path, &E) == 0, "%s", E.msg);
		ck_assert_msg(S.doc[0] && S.nsteps > 0, "%s: no doc or steps", path);
		ck_assert_int_lt(count, 128);
		for (int i = 0; i < count; i++)
			ck_assert_msg(strcmp(names[i], S.name), "%s: scenario name '%s' used twice",
				      path, S.name);
		snprintf(names[count++], SCN_NAME, "%s", S.name);
		scn_free(&S);
	}
	closedir(d);
	ck_assert_int_ge(count, 30);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scn_parse");
	TCase *tc = tu_case(s, "scn_parse", 30);

	tu_init();
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, step_group_set);
	tcase_add_test(tc, step_write_try);
	tcase_add_test(tc, step_rmdir_reclaim_kill_drop);
	tcase_add_test(tc, step_start);
	tcase_add_test(tc, step_stop_signal_move);
	tcase_add_test(tc, step_rm_rmid);
	tcase_add_test(tc, step_watch);
	tcase_add_test(tc, step_wait);
	tcase_add_test(tc, step_sleep);
	tcase_add_test(tc, step_save);
	tcase_add_test(tc, step_pick);
	tcase_add_test(tc, step_expect_compare);
	tcase_add_test(tc, step_expect_states);
	tcase_add_test(tc, step_expect_events_kmsg_errno);
	tcase_add_test(tc, step_measure);
	tcase_add_test(tc, step_open_fwrite);
	tcase_add_test(tc, step_expect_file);
	tcase_add_test(tc, guards);
	tcase_add_test(tc, header);
	tcase_add_test(tc, lexical);
	tcase_add_test(tc, limits_tokens);
	tcase_add_test(tc, limits_names);
	tcase_add_test(tc, limits_counts);
	tcase_add_test(tc, many_steps);
	tcase_add_loop_test(tc, error_messages, 0, sizeof(errors) / sizeof(errors[0]));
	tcase_add_test(tc, names_signals);
	tcase_add_test(tc, names_errnos);
	tcase_add_test(tc, names_cmp);
	tcase_add_test(tc, free_and_reuse);
	tcase_add_test(tc, parse_file);
	tcase_add_test(tc, real_scenarios);
	{
		/* bugs found once, kept as regression tests */
		TCase *kb = tu_case(s, "regressions", 2);
		tcase_add_checked_fixture(kb, NULL, teardown);
		tcase_add_loop_test(kb, known_bug_messages, 0,
				    sizeof(known_bugs) / sizeof(known_bugs[0]));
		tcase_add_test(kb, known_bug_quoted_options);
		tcase_add_test(kb, known_bug_within_long_id);
	}

	return tu_suite_run(s);
}
