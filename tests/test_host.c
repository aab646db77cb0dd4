/* Host tests: the workloads against the real kernel, in real scratch groups.
 * Need root and a memory controller; exit 77 (skipped) without them. Every
 * test makes its own run, so everything it creates is undone by run_end,
 * and a test that fails midway still leaves only state that `clean` undoes. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cg.h"
#include "testutil.h"
#include "run.h"
#include "wl.h"
#include "wl_proc.h"

#define SEC 1000000000ULL

static char state_tmp[PATH_MAX];

/* Poll @cond every millisecond until it holds or @timeout_ns passes: the
 * kernel's counters have no notification of their own on v1. */
#define WAIT_FOR(cond, timeout_ns)                                            \
	({                                                                    \
		uint64_t _end = now_ns() + (timeout_ns);                      \
		while (!(cond) && now_ns() < _end)                            \
			sleep_ns(1000000);                                    \
		(cond);                                                       \
	})

static uint64_t get(const struct cg *g, const char *name)
{
	struct mlab_err e;
	uint64_t v = 0;
	ck_assert_msg(!cg_get(g, name, &v, &e), "%s: %s", name, e.msg);
	return v;
}

static void set(const struct cg *g, const char *name, const char *value)
{
	struct mlab_err e;
	ck_assert_msg(!cg_set(g, name, value, &e), "%s=%s: %s", name, value, e.msg);
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
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", r->base.path);
	ck_assert_msg(!run_end(r, &e), "run_end: %s", e.msg);
	ck_assert_msg(access(g->path, F_OK) && access(path, F_OK), "group left behind: %s",
		      g->path);
}

/* No swap for this group: swappiness 0 on v1, swap.max 0 on v2. */
static void no_swap(const struct cg *g)
{
	set(g, g->root->ver == CG_V1 ? "swappiness" : "swap_limit", "0");
}

static void start(struct wl_proc *p, const char *name, struct wl_opts *o, const struct cg *g,
		  const char **opts)
{
	const struct wl_def *d = wl_find(name);
	struct mlab_err e;

	ck_assert_ptr_nonnull(d);
	ck_assert(!wl_defaults(d, o, &e));
	for (int i = 0; opts[i]; i += 2)
		ck_assert_msg(!wl_set_opt(d, o, opts[i], opts[i + 1], &e), "%s", e.msg);
	ck_assert_msg(!wl_start(p, d, o, g, -1, &e), "start %s: %s", name, e.msg);
}

/* Seed 001: limit 5M, no swap, 1 MB/s in 1M steps: 4M allocated, then the
 * group's OOM killer takes it (SIGKILL) and oom_kill counts one. */
START_TEST(alloc_killed_after_4M)
{
	struct run r;
	struct cg g;
	struct wl_proc p;
	struct wl_opts o;
	struct mlab_err e;
	const char *opts[] = { "step", "1M", "rate", "1M", NULL };

	begin(&r, &g, "a3");
	set(&g, "limit", "5M");
	no_swap(&g);
	start(&p, "alloc", &o, &g, opts);
	ck_assert_msg(!wl_wait_end(&p, 30 * SEC, &e), "%s", e.msg);
	ck_assert_msg(!p.end.exited && p.end.signo == SIGKILL, "ended %s, not by SIGKILL",
		      p.end.exited ? "by exit" : strsignal(p.end.signo));
	ck_assert_uint_eq(atomic_load(&p.sh->bytes), 4 * MIB);
	ck_assert_uint_eq(get(&g, "oom_kill"), 1);
	ck_assert_uint_le(get(&g, "peak"), 5 * MIB);
	wl_release(&p);
	end(&r, &g);
}
END_TEST

/* oom_kill_disable (v1): the allocator pauses at the limit in D state with
 * under_oom 1; raising the limit to 7M lets it go on to 6M, where it pauses
 * again (seed 001). */
START_TEST(alloc_paused_with_oom_kill_disabled)
{
	struct run r;
	struct cg g;
	struct wl_proc p;
	struct wl_opts o;
	char wchan[128] = "";
	const char *opts[] = { "step", "1M", "rate", "10M", NULL };

	begin(&r, &g, "b1");
	if (g.root->ver != CG_V1) {
		end(&r, &g);
		return; /* v2 has no oom_kill_disable */
	}
	set(&g, "limit", "5M");
	no_swap(&g);
	set(&g, "oom_kill_disable", "1");
	start(&p, "alloc", &o, &g, opts);
	ck_assert_msg(WAIT_FOR(wl_paused(&p, wchan, sizeof(wchan)) == 1, 20 * SEC),
		      "never paused (bytes %llu)", (unsigned long long)atomic_load(&p.sh->bytes));
	ck_assert_uint_eq(atomic_load(&p.sh->bytes), 4 * MIB);
	ck_assert_uint_eq(get(&g, "under_oom"), 1);
	ck_assert_msg(strstr(wchan, "oom"), "paused in '%s'", wchan);
	ck_assert(!wl_poll_end(&p));

	set(&g, "limit", "7M");
	ck_assert(WAIT_FOR(atomic_load(&p.sh->bytes) >= 6 * MIB, 10 * SEC));
	ck_assert(WAIT_FOR(wl_paused(&p, NULL, 0) == 1, 10 * SEC));
	ck_assert_uint_eq(atomic_load(&p.sh->bytes), 6 * MIB);
	ck_assert_uint_eq(get(&g, "oom_kill"), 0);
	wl_release(&p); /* SIGKILL ends a paused task */
	ck_assert(!p.end.exited && p.end.signo == SIGKILL);
	end(&r, &g);
}
END_TEST

/* tmpfs, SysV shm and MAP_SHARED pages are shmem: charged as file/cache and
 * shmem, not as anon/rss. 16M each; anon stays below 2M (stack, libc). */
static void shared_charged_as_shmem(const char *name, const char **opts, struct cg *g)
{
	struct wl_proc p;
	struct wl_opts o;
	struct mlab_err e;

	set(g, "limit", "256M");
	start(&p, name, &o, g, opts);
	ck_assert_msg(WAIT_FOR(atomic_load(&p.sh->phase) == WL_HOLDING, 20 * SEC),
		      "%s never held: phase %s, %s", name,
		      wl_phase_name(atomic_load(&p.sh->phase)), p.sh->errmsg);
	ck_assert_msg(WAIT_FOR(get(g, "shmem") >= 16 * MIB, 5 * SEC), "%s: shmem %llu", name,
		      (unsigned long long)get(g, "shmem"));
	ck_assert_uint_ge(get(g, "file"), 16 * MIB);
	ck_assert_uint_lt(get(g, "anon"), 2 * MIB);
	ck_assert_uint_ge(get(g, "usage"), 16 * MIB);
	ck_assert(!wl_signal(&p, SIGUSR1));
	ck_assert_msg(!wl_wait_end(&p, 10 * SEC, &e), "%s", e.msg);
	ck_assert_msg(p.end.exited && p.end.code == 0, "%s ended badly: %s", name, p.sh->errmsg);
	wl_release(&p);
}

START_TEST(tmpfs_is_shmem)
{
	struct run r;
	struct cg g;
	struct mlab_err e;
	char dir[PATH_MAX], file[PATH_MAX + 8];
	const char *opts[] = { "size", "16M", "hold", "yes", "remove", "yes", "file", file, NULL };

	begin(&r, &g, "c1");
	ck_assert_msg(!run_tmpfs(&r, 16 * MIB, dir, sizeof(dir), &e), "%s", e.msg);
	snprintf(file, sizeof(file), "%s/f", dir);
	shared_charged_as_shmem("tmpfs", opts, &g);
	end(&r, &g);
}
END_TEST

START_TEST(shm_is_shmem)
{
	struct run r;
	struct cg g;
	struct mlab_err e;
	uint64_t key;
	char keys[32];
	const char *opts[] = { "size", "16M", "hold", "yes", "key", keys, NULL };

	begin(&r, &g, "c2");
	ck_assert_msg(!run_shm_key(&r, &key, &e), "%s", e.msg);
	snprintf(keys, sizeof(keys), "%llu", (unsigned long long)key);
	shared_charged_as_shmem("shm", opts, &g);
	/* the segment outlives its creator, still charged ... */
	ck_assert_int_ge(shmget((key_t)key, 0, 0), 0);
	ck_assert_uint_ge(get(&g, "shmem"), 16 * MIB);
	/* ... until the run removes it */
	end(&r, &g);
	ck_assert_int_lt(shmget((key_t)key, 0, 0), 0);
}
END_TEST

START_TEST(mmap_shared_is_shmem)
{
	struct run r;
	struct cg g;
	const char *opts[] = { "size", "16M", NULL };

	begin(&r, &g, "c3");
	shared_charged_as_shmem("mmap", opts, &g);
	end(&r, &g);
}
END_TEST

/* The page cache a read() fills is charged to the reader's group, and stays
 * charged after the reader exits (seed 003). */
START_TEST(pagecache_charges_reader)
{
	struct run r;
	struct cg g;
	struct wl_proc p;
	struct wl_opts o;
	struct mlab_err e;
	char file[PATH_MAX];
	int created;
	const char *opts[] = { "file", file, NULL };

	begin(&r, &g, "d1");
	ck_assert(!run_scratch_file(&r, "pc", file, sizeof(file), &e));
	ck_assert_msg(!wl_pagecache_prepare(file, 32 * MIB, 1, &created, &e), "%s", e.msg);
	set(&g, "limit", "512M");
	ck_assert_uint_lt(get(&g, "file"), 1 * MIB);
	start(&p, "pagecache", &o, &g, opts);
	ck_assert_msg(!wl_wait_end(&p, 30 * SEC, &e), "%s", e.msg);
	ck_assert_msg(p.end.exited && !p.end.code, "reader failed: %s", p.sh->errmsg);
	ck_assert_uint_eq(atomic_load(&p.sh->bytes), 32 * MIB);
	ck_assert_uint_gt(atomic_load(&p.sh->rate_bps), 0);
	ck_assert_int_eq(cg_nr_procs(&g, &e), 0);
	/* all of it, give or take the pages readahead and reclaim moved (1M) */
	ck_assert_msg(WAIT_FOR(get(&g, "file") >= 31 * MIB, 5 * SEC), "file %llu",
		      (unsigned long long)get(&g, "file"));
	wl_release(&p);
	end(&r, &g);
}
END_TEST

/* --- a harness killed with SIGKILL leaves only what `clean` undoes ------------ */

struct snapshot {
	char swaps[4096], mounts[65536], shm[16384], groups[16384], state[4096];
};

static void capture(const char *cmd, char *buf, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	pclose(f);
}

static void snap(struct snapshot *s, const char *memroot)
{
	char cmd[PATH_MAX + 64];

	capture("cat /proc/swaps", s->swaps, sizeof(s->swaps));
	capture("awk '{print $1, $2, $3}' /proc/self/mounts | sort", s->mounts, sizeof(s->mounts));
	capture("awk 'NR>1 {print $1, $2}' /proc/sysvipc/shm | sort", s->shm, sizeof(s->shm));
	snprintf(cmd, sizeof(cmd), "cd %s && find . -type d | sort", memroot);
	capture(cmd, s->groups, sizeof(s->groups));
	snprintf(cmd, sizeof(cmd), "ls -A %s 2>/dev/null; ls /var/tmp | grep memcg-lab", state_tmp);
	capture(cmd, s->state, sizeof(s->state));
}

/* Start the program in the background; return its pid once @ready appeared
 * on its output (the resources exist by then). */
static pid_t spawn_harness(char *const argv[], const char *ready)
{
	int pfd[2];
	pid_t pid;
	char buf[4096];
	size_t have = 0;

	ck_assert(!pipe(pfd));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execv(MEMCG_LAB_BIN, argv);
		_exit(127);
	}
	close(pfd[1]);
	while (have < sizeof(buf) - 1) {
		ssize_t n = read(pfd[0], buf + have, sizeof(buf) - 1 - have);
		ck_assert_msg(n > 0, "harness ended before '%s'", ready);
		have += (size_t)n;
		buf[have] = 0;
		if (strstr(buf, ready))
			break;
	}
	close(pfd[0]);
	return pid;
}

START_TEST(sigkilled_harness_cleaned)
{
	struct snapshot before, during, after;
	struct cg_root root;
	struct mlab_err e;
	char *tmpfs_argv[] = { "memcg-lab", "workload", "tmpfs", "--size", "8M", "--private",
			       "--limit", "64M", "--swap", "16M", "--hold", NULL };
	char *shm_argv[] = { "memcg-lab", "workload", "shm", "--size", "8M", "--limit", "64M",
			     "--hold", NULL };
	char *clean_argv[] = { "memcg-lab", "clean", NULL };
	pid_t a, b, c;
	int status;

	ck_assert_msg(!cg_root_find(&root, &e), "%s", e.msg);
	snap(&before, root.path);
	a = spawn_harness(tmpfs_argv, "wrote ");
	b = spawn_harness(shm_argv, "touched ");
	snap(&during, root.path);
	/* the resources really exist: otherwise this test proves nothing */
	ck_assert_msg(strstr(during.swaps, "memcg-lab-swap-"), "no swap file: %s", during.swaps);
	ck_assert_msg(strstr(during.mounts, STATE_MOUNT_TAG " "), "no private tmpfs");
	ck_assert_msg(strcmp(during.shm, before.shm), "no shm segment");
	ck_assert_msg(strstr(during.groups, "./memcg-lab/"), "no scratch group");

	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, &status, 0);
	waitpid(b, &status, 0);
	/* the children die with their parent, but everything else stays */
	snap(&during, root.path);
	ck_assert_msg(strstr(during.swaps, "memcg-lab-swap-"), "swap file vanished by itself?");
	ck_assert_msg(strstr(during.groups, "./memcg-lab/"), "groups vanished by themselves?");

	c = fork();
	if (!c) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		execv(MEMCG_LAB_BIN, clean_argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(c, &status, 0), c);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clean failed: %d", status);
	snap(&after, root.path);
	ck_assert_str_eq(after.swaps, before.swaps);
	ck_assert_str_eq(after.mounts, before.mounts);
	ck_assert_str_eq(after.shm, before.shm);
	ck_assert_str_eq(after.groups, before.groups);
	ck_assert_str_eq(after.state, before.state);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;
	int failed;

	if (tu_host_begin("test", state_tmp, sizeof(state_tmp)))
		return 77;

	s = suite_create("host");
	tc = tu_case(s, "workloads", 120);
	tcase_add_test(tc, alloc_killed_after_4M);
	tcase_add_test(tc, alloc_paused_with_oom_kill_disabled);
	tcase_add_test(tc, tmpfs_is_shmem);
	tcase_add_test(tc, shm_is_shmem);
	tcase_add_test(tc, mmap_shared_is_shmem);
	tcase_add_test(tc, pagecache_charges_reader);
	tcase_add_test(tc, sigkilled_harness_cleaned);
	failed = tu_suite_run(s);
	tu_host_end(state_tmp);
	return failed;
}
