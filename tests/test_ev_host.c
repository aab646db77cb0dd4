/* Host tests of the event watches and the kernel log against the real
 * kernel, in scratch groups of a run. Need root and a memory controller;
 * exit 77 (skipped) without them. The cases are written for v1 (this is
 * what cgroup.event_control, thresholds and memory.pressure_level need);
 * on a v2 host they check what v2 has. Every test makes its own run and
 * main() cleans whatever a failed test left. Measured delays go to stderr. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg.h"
#include "testutil.h"
#include "ev.h"
#include "kmsg.h"
#include "run.h"
#include "wl.h"
#include "wl_proc.h"

#define SEC 1000000000ULL
#define MSEC 1000000ULL

static char state_tmp[PATH_MAX];

static void set(const struct cg *g, const char *name, const char *value)
{
	struct mlab_err e;
	ck_assert_msg(!cg_set(g, name, value, &e), "%s=%s: %s", name, value, e.msg);
}

static uint64_t get(const struct cg *g, const char *name)
{
	struct mlab_err e;
	uint64_t v = 0;
	ck_assert_msg(!cg_get(g, name, &v, &e), "%s: %s", name, e.msg);
	return v;
}

static void begin(struct run *r, struct cg *g, const char *name)
{
	struct mlab_err e;
	ck_assert_msg(!run_begin(r, &e), "run_begin: %s", e.msg);
	ck_assert_msg(!run_group(r, name, g, &e), "run_group: %s", e.msg);
}

static void end(struct run *r, struct cg *g)
{
	struct mlab_err e;
	ck_assert_msg(!run_end(r, &e), "run_end: %s", e.msg);
	ck_assert_msg(access(g->path, F_OK), "group left behind: %s", g->path);
}

static void no_swap(const struct cg *g)
{
	set(g, g->root->ver == CG_V1 ? "swappiness" : "swap_limit", "0");
}

static void start(struct wl_proc *p, struct wl_opts *o, const struct cg *g, const char **opts)
{
	const struct wl_def *d = wl_find("alloc");
	struct mlab_err e;

	ck_assert_ptr_nonnull(d);
	ck_assert(!wl_defaults(d, o, &e));
	for (int i = 0; opts[i]; i += 2)
		ck_assert_msg(!wl_set_opt(d, o, opts[i], opts[i + 1], &e), "%s", e.msg);
	ck_assert_msg(!wl_start(p, d, o, g, -1, &e), "start alloc: %s", e.msg);
}

/* --- an event loop that records what came when ------------------------------ */

#define MAX_SEEN 4096

struct seen {
	struct ev_hit h[MAX_SEEN];
	uint64_t t[MAX_SEEN]; /* CLOCK_MONOTONIC of the poll() wakeup */
	int n;
	int polls; /* wakeups */
	uint64_t reaped_ns; /* when the workload's end was reaped, 0 = not yet */
	int hits_at_reap; /* hits dispatched before that */
};

typedef int (*until_fn)(const struct seen *sn, const struct wl_proc *p);

static int until_reaped(const struct seen *sn, const struct wl_proc *p)
{
	(void)sn;
	return p && p->end.ended;
}

static int until_two(const struct seen *sn, const struct wl_proc *p)
{
	(void)p;
	return sn->n >= 2;
}

static int until_never(const struct seen *sn, const struct wl_proc *p)
{
	(void)sn;
	(void)p;
	return 0;
}

/* Poll @s, and the pidfd of @p while it runs, for at most @timeout_ns or
 * until @until says so. Events are dispatched before a readable pidfd is
 * reaped, so an event that is there when the end is seen counts first. */
static void pump(struct ev_set *s, struct wl_proc *p, struct seen *sn, uint64_t timeout_ns,
		 until_fn until)
{
	uint64_t deadline = now_ns() + timeout_ns;

	while (!until(sn, p)) {
		struct pollfd pfd[EV_MAX_WATCHES + 1];
		struct ev_hit h[16];
		uint64_t now = now_ns(), t;
		int n = ev_pollfds(s, pfd), ret, got;
		int pid_at = -1;

		if (now >= deadline)
			break;
		if (p && !p->end.ended && p->pidfd >= 0) {
			pid_at = n;
			pfd[n].fd = p->pidfd;
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
		ret = poll(pfd, (nfds_t)n, (int)((deadline - now + MSEC - 1) / MSEC));
		t = now_ns();
		ck_assert_msg(ret >= 0 || errno == EINTR, "poll: %s", strerror(errno));
		if (ret <= 0)
			continue;
		sn->polls++;
		got = ev_dispatch(s, pfd, pid_at >= 0 ? pid_at : n, h, 16);
		ck_assert_msg(sn->n + got <= MAX_SEEN, "more than %d hits", MAX_SEEN);
		for (int i = 0; i < got; i++) {
			sn->h[sn->n] = h[i];
			sn->t[sn->n++] = t;
		}
		if (p && !p->end.ended && (pid_at < 0 || pfd[pid_at].revents) && wl_poll_end(p)) {
			sn->reaped_ns = now_ns();
			sn->hits_at_reap = sn->n;
		}
	}
}

static int count(const struct seen *sn, int from, const char *kind, uint64_t *sum)
{
	int n = 0;

	if (sum)
		*sum = 0;
	for (int i = from; i < sn->n; i++)
		if (!strcmp(sn->h[i].kind, kind)) {
			n++;
			if (sum)
				*sum += sn->h[i].count;
		}
	return n;
}

static int first(const struct seen *sn, const char *kind)
{
	for (int i = 0; i < sn->n; i++)
		if (!strcmp(sn->h[i].kind, kind))
			return i;
	return -1;
}

static double ms(uint64_t a, uint64_t b)
{
	return ((double)b - (double)a) / 1e6;
}

/* Collect kernel-log lines until one contains @needle or @timeout_ns. */
static int kmsg_find(struct kmsg *k, const char *needle, uint64_t timeout_ns, char *line,
		     size_t len)
{
	uint64_t deadline = now_ns() + timeout_ns;
	char buf[1024];

	for (;;) {
		int r = kmsg_next(k, buf, sizeof(buf));
		ck_assert_int_ge(r, 0);
		if (r == 1) {
			if (strstr(buf, needle)) {
				if (line)
					snprintf(line, len, "%s", buf);
				return 1;
			}
			continue;
		}
		uint64_t now = now_ns();
		if (now >= deadline)
			return 0;
		struct pollfd pfd = { .fd = k->fd, .events = POLLIN };
		poll(&pfd, 1, (int)((deadline - now + MSEC - 1) / MSEC));
	}
}

/* --- (a) oom: one event per OOM, before the victim is reaped ---------------- */

START_TEST(oom_twice)
{
	struct run r;
	struct cg g;
	struct ev_set s;
	static struct seen sn; /* large: not on the stack */
	struct mlab_err e;
	struct kmsg k;
	const char *opts[] = { "step", "1M", "rate", "max", "quiet", "yes", NULL };
	int from = 0;

	begin(&r, &g, "ev-oom");
	set(&g, "limit", "8M");
	no_swap(&g);
	ev_init(&s);
	ck_assert_msg(!ev_watch_oom(&s, &g, 0, &e), "%s", e.msg);
	ck_assert_msg(!kmsg_open(&k, &e), "%s", e.msg);

	for (int i = 0; i < 2; i++) {
		struct wl_proc p;
		struct wl_opts o;
		char want[64], line[1024];
		int at;

		start(&p, &o, &g, opts);
		sn.reaped_ns = 0;
		pump(&s, &p, &sn, 10 * SEC, until_reaped);
		ck_assert_msg(p.end.ended, "workload %d never ended", i);
		ck_assert_msg(!p.end.exited && p.end.signo == SIGKILL, "workload %d: %s", i,
			      p.end.exited ? "exited" : strsignal(p.end.signo));
		/* the notification comes before the kill: it was there when
		 * the end was seen */
		for (at = from; at < sn.hits_at_reap && strcmp(sn.h[at].kind, "oom"); at++)
			;
		ck_assert_msg(sn.reaped_ns && at < sn.hits_at_reap,
			      "workload %d reaped with no oom event before", i);
		fprintf(stderr,
			"oom[%d]: event %.1f ms after start, reaped %.1f ms after the event "
			"(value %" PRIu64 ")\n",
			i, ms(p.started_ns, sn.t[at]), ms(sn.t[at], sn.reaped_ns), sn.h[at].count);
		ck_assert_int_eq(sn.h[at].group, 0);
		/* the kernel log tells of the same kill */
		snprintf(want, sizeof(want), "Killed process %d ", (int)p.pid);
		ck_assert_msg(kmsg_find(&k, want, 2 * SEC, line, sizeof(line)),
			      "no '%s' in the kernel log", want);
		ck_assert_ptr_nonnull(strstr(line, "Memory cgroup out of memory"));
		wl_release(&p);
		from = sn.n;
	}
	/* exactly two, and no third within 200 ms */
	pump(&s, NULL, &sn, 200 * MSEC, until_never);
	{
		uint64_t sum, kills, max;
		int n = count(&sn, 0, "oom", &sum);
		ck_assert_msg(sum == 2, "%" PRIu64 " oom notifications in %d hits, not 2", sum, n);
		if (g.root->ver == CG_V1) {
			ck_assert_int_eq(n, sn.n);
		} else {
			/* v2: memory.events also counts the kills and the
			 * charges that hit the limit */
			n += count(&sn, 0, "oom_kill", &kills);
			n += count(&sn, 0, "max", &max);
			ck_assert_uint_eq(kills, 2);
			ck_assert_int_eq(n, sn.n);
		}
	}
	ck_assert_uint_eq(get(&g, "oom_kill"), 2);
	kmsg_close(&k);

	/* removing the group signals the eventfd once more: no event, the
	 * watch goes away quietly */
	end(&r, &g);
	ck_assert_int_eq(s.n, 1);
	{
		uint64_t t0 = now_ns();
		int before = sn.n;
		while (s.n && now_ns() - t0 < 2 * SEC)
			pump(&s, NULL, &sn, 5 * MSEC, until_never);
		ck_assert_msg(s.n == 0, "watch still there after the group went");
		ck_assert_int_eq(sn.n, before);
		fprintf(stderr, "oom watch dropped %.1f ms after run_end\n", ms(t0, now_ns()));
	}
	ev_close(&s);
}
END_TEST

/* --- (b) a usage threshold, crossed up and down ------------------------------ */

START_TEST(threshold_up_and_down)
{
	struct run r;
	struct cg g;
	struct ev_set s;
	static struct seen sn; /* large: not on the stack */
	struct wl_proc p;
	struct wl_opts o;
	struct mlab_err e;
	const char *opts[] = { "size", "8M", "step", "1M", "rate", "max", "hold", "yes",
			       "quiet", "yes", NULL };
	uint64_t held_ns, stop_ns;

	begin(&r, &g, "ev-thr");
	if (g.root->ver != CG_V1) {
		ev_init(&s);
		ck_assert_int_eq(ev_watch_threshold(&s, &g, 0, 4 * MIB, &e), -EOPNOTSUPP);
		end(&r, &g);
		return;
	}
	set(&g, "limit", "32M");
	no_swap(&g);
	ck_assert_uint_lt(get(&g, "usage"), 4 * MIB);
	ev_init(&s);
	ck_assert_msg(!ev_watch_threshold(&s, &g, 7, 4 * MIB, &e), "%s", e.msg);
	start(&p, &o, &g, opts);

	/* up: while it fills, one crossing */
	while (atomic_load(&p.sh->phase) != WL_HOLDING && now_ns() - p.started_ns < 10 * SEC &&
	       !p.end.ended)
		pump(&s, &p, &sn, 10 * MSEC, until_reaped);
	ck_assert_msg(atomic_load(&p.sh->phase) == WL_HOLDING, "never held: %s, %s",
		      wl_phase_name(atomic_load(&p.sh->phase)), p.sh->errmsg);
	held_ns = now_ns();
	ck_assert_uint_ge(get(&g, "usage"), 8 * MIB);
	/* whatever is still on its way, then quiet while it holds */
	pump(&s, &p, &sn, 200 * MSEC, until_never);
	ck_assert_msg(sn.n == 1, "%d hits on the way up, not 1", sn.n);
	ck_assert_int_eq(sn.h[0].group, 7);
	ck_assert_str_eq(sn.h[0].kind, "threshold");
	ck_assert_uint_eq(sn.h[0].value, 4 * MIB);
	fprintf(stderr, "threshold up: %.1f ms after start (held at %.1f ms)\n",
		ms(p.started_ns, sn.t[0]), ms(p.started_ns, held_ns));

	/* down: told to stop, it exits and its memory goes */
	stop_ns = now_ns();
	ck_assert(!wl_signal(&p, SIGUSR1));
	pump(&s, &p, &sn, 5 * SEC, until_reaped);
	ck_assert_msg(p.end.ended && p.end.exited && p.end.code == 0, "did not exit 0: %s",
		      p.sh->errmsg);
	pump(&s, NULL, &sn, 2 * SEC, until_two);
	ck_assert_uint_lt(get(&g, "usage"), 4 * MIB);
	pump(&s, NULL, &sn, 200 * MSEC, until_never);
	ck_assert_msg(sn.n == 2, "%d hits in all, not 2 (one up, one down)", sn.n);
	ck_assert_str_eq(sn.h[1].kind, "threshold");
	ck_assert_uint_eq(sn.h[1].value, 4 * MIB);
	ck_assert_uint_ge(sn.t[1], stop_ns);
	fprintf(stderr, "threshold down: %.1f ms after SIGUSR1, %.1f ms after the exit was reaped\n",
		ms(stop_ns, sn.t[1]), ms(sn.reaped_ns, sn.t[1]));
	wl_release(&p);
	ev_close(&s);
	end(&r, &g);
}
END_TEST

/* --- (c) pressure levels on the way to an OOM ------------------------------- */

/* v1 vmpressure: reclaim that frees what it scans is "low"; reclaim that
 * finds nothing to free (anon without swap) soon reaches "critical", and a
 * listener hears every level from its own up. The group starts with 12M of
 * clean page cache under a 16M limit: the allocator first pushes that out
 * (low), then hits a wall of anon (critical) and is OOM-killed. */
START_TEST(pressure_low_before_critical)
{
	struct run r;
	struct cg g;
	struct ev_set s;
	static struct seen sn; /* large: not on the stack */
	struct wl_proc p;
	struct wl_opts o;
	struct mlab_err e;
	char file[PATH_MAX];
	const char *pc_opts[] = { "file", file, NULL };
	const char *opts[] = { "step", "1M", "rate", "8M", "quiet", "yes", NULL };
	/* the kernel signals a level's listeners newest first: registered
	 * this way round, within one notification low is signalled first */
	static const char *const lv[] = { "critical", "medium", "low" };
	int at[3], created;
	uint64_t sum[3];

	begin(&r, &g, "ev-vmp");
	if (g.root->ver != CG_V1) {
		/* PSI triggers need stalls of 50-100 ms per second: a
		 * different scenario, for the v2 runner */
		fprintf(stderr, "pressure: v1 memory.pressure_level only\n");
		end(&r, &g);
		return;
	}
	set(&g, "limit", "16M");
	no_swap(&g);
	ck_assert(!run_scratch_file(&r, "ev-pc", file, sizeof(file), &e));
	ck_assert_msg(!wl_pagecache_prepare(file, 12 * MIB, 1, &created, &e), "%s", e.msg);
	p.def = wl_find("pagecache");
	ck_assert_ptr_nonnull(p.def);
	ck_assert(!wl_defaults(p.def, &o, &e));
	for (int i = 0; pc_opts[i]; i += 2)
		ck_assert(!wl_set_opt(p.def, &o, pc_opts[i], pc_opts[i + 1], &e));
	ck_assert_msg(!wl_start(&p, p.def, &o, &g, -1, &e), "%s", e.msg);
	ck_assert_msg(!wl_wait_end(&p, 10 * SEC, &e), "%s", e.msg);
	ck_assert_msg(p.end.exited && !p.end.code, "reader failed: %s", p.sh->errmsg);
	wl_release(&p);
	ck_assert_uint_ge(get(&g, "file"), 8 * MIB);

	ev_init(&s);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(!ev_watch_pressure(&s, &g, i, lv[i], &e), "%s: %s", lv[i], e.msg);
	start(&p, &o, &g, opts);
	pump(&s, &p, &sn, 10 * SEC, until_reaped);
	ck_assert_msg(p.end.ended && !p.end.exited && p.end.signo == SIGKILL,
		      "the allocator was not OOM-killed");
	/* the kernel reports pressure from a work item: give it time */
	pump(&s, NULL, &sn, 500 * MSEC, until_never);
	for (int i = 0; i < 3; i++) {
		char kind[32];
		int n;
		snprintf(kind, sizeof(kind), "pressure-%s", lv[i]);
		n = count(&sn, 0, kind, &sum[i]);
		at[i] = first(&sn, kind);
		if (at[i] >= 0)
			fprintf(stderr,
				"pressure %s: %d hits, %" PRIu64 " notifications, first %.1f ms "
				"after start (reaped at %.1f ms)\n",
				lv[i], n, sum[i], ms(p.started_ns, sn.t[at[i]]),
				ms(p.started_ns, sn.reaped_ns));
		else
			fprintf(stderr, "pressure %s: none\n", lv[i]);
	}
	ck_assert_msg(at[2] >= 0, "no low pressure event at all");
	ck_assert_msg(at[0] >= 0, "no critical pressure event");
	ck_assert_msg(sn.t[at[2]] <= sn.t[at[0]], "critical came %.1f ms before low",
		      ms(sn.t[at[0]], sn.t[at[2]]));
	/* with page cache to reclaim first, low is not only no later: it
	 * comes on its own, before the group runs out of it */
	ck_assert_msg(sn.t[at[2]] < sn.t[at[0]], "low only came with critical");
	/* a low listener hears every level: at least as many as critical */
	ck_assert_uint_ge(sum[2], sum[0]);
	ck_assert_uint_ge(sum[1], sum[0]);
	wl_release(&p);
	ev_close(&s);
	end(&r, &g);
}
END_TEST

/* --- (d) the kernel log ---------------------------------------------------- */

static void kmsg_write(const char *msg)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, msg, strlen(msg)), (ssize_t)strlen(msg));
	close(fd);
}

START_TEST(kmsg_marker)
{
	struct kmsg k;
	struct mlab_err e;
	char marker[128], line[1024], plain[160], odd[160];

	snprintf(marker, sizeof(marker), "memcg-lab test_ev_host marker %d-%" PRIu64,
		 (int)getpid(), now_ns());
	/* written before the open: never read, kmsg starts at the end (the
	 * first line with the marker must be the next one) */
	snprintf(line, sizeof(line), "%s before\n", marker);
	kmsg_write(line);
	ck_assert_msg(!kmsg_open(&k, &e), "%s", e.msg);

	snprintf(plain, sizeof(plain), "%s plain", marker);
	snprintf(line, sizeof(line), "%s\n", plain);
	kmsg_write(line);
	ck_assert_msg(kmsg_find(&k, marker, 2 * SEC, line, sizeof(line)), "marker not read back");
	ck_assert_str_eq(line, plain);
	/* bytes the kernel escapes come back as they were written */
	snprintf(odd, sizeof(odd), "%s tab\there back\\slash \x7f del", marker);
	snprintf(line, sizeof(line), "%s\n", odd);
	kmsg_write(line);
	ck_assert_msg(kmsg_find(&k, marker, 2 * SEC, line, sizeof(line)), "marker not read back");
	ck_assert_str_eq(line, odd);
	kmsg_close(&k);
}
END_TEST

/* the whole log since boot: a line written now is found there, an absent
 * one is not, and the log's start is told */
START_TEST(kmsg_since_boot)
{
	char marker[128], line[1024], found[1024];
	int from_boot = -1;

	snprintf(marker, sizeof(marker), "memcg-lab test_ev_host boot marker %d-%" PRIu64,
		 (int)getpid(), now_ns());
	ck_assert_int_eq(kmsg_search_boot(marker, found, sizeof(found), &from_boot), 0);
	ck_assert_str_eq(found, "");
	ck_assert_int_ge(from_boot, 0);
	snprintf(line, sizeof(line), "%s\n", marker);
	kmsg_write(line);
	ck_assert_int_eq(kmsg_search_boot(marker, found, sizeof(found), &from_boot), 1);
	ck_assert_str_eq(found, marker);
}
END_TEST

START_TEST(kmsg_oom_control_deprecated)
{
	static const char needle[] = "oom_control is deprecated";
	struct run r;
	struct cg g;
	struct kmsg k;
	struct mlab_err e;
	char line[1024];
	int complete, before, seen;

	begin(&r, &g, "ev-kmsg");
	if (g.root->ver != CG_V1) {
		end(&r, &g);
		return;
	}
	ck_assert_int_ge(before = kmsg_search_boot(needle, line, sizeof(line), &complete), 0);
	ck_assert_msg(!kmsg_open(&k, &e), "%s", e.msg);
	set(&g, "oom_kill_disable", "0"); /* a write of memory.oom_control */
	seen = kmsg_find(&k, needle, 500 * MSEC, line, sizeof(line));
	kmsg_close(&k);
	fprintf(stderr, "oom_control deprecation: logged before this test: %s (log %s), now: %s\n",
		before ? "yes" : "no", complete ? "complete since boot" : "wrapped",
		seen ? line : "not logged");
	/* the kernel warns once per boot (pr_warn_once) */
	if (before)
		ck_assert_msg(!seen, "logged a second time since boot");
	else if (complete)
		ck_assert_msg(seen, "the write was not followed by '%s'", needle);
	end(&r, &g);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;
	int failed;

	if (tu_host_begin("evtest", state_tmp, sizeof(state_tmp)))
		return 77;

	s = suite_create("ev_host");
	tc = tu_case(s, "events", 60);
	tcase_add_test(tc, oom_twice);
	tcase_add_test(tc, threshold_up_and_down);
	tcase_add_test(tc, pressure_low_before_critical);
	tcase_add_test(tc, kmsg_marker);
	tcase_add_test(tc, kmsg_since_boot);
	tcase_add_test(tc, kmsg_oom_control_deprecated);
	failed = tu_suite_run(s);
	tu_host_end(state_tmp);
	return failed;
}
