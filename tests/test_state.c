/* Unit tests of run state files and their undo (state.c), the memory guard
 * and meminfo parsing (run.c) and swap_parse_mode (swap.c).
 *
 * Hand-written "run" lines name pid 4194399, above PID_MAX_LIMIT: no
 * process has it. Every state file here lives in a temp dir and lists only "file", "dir",
 * "cgroup" (empty temp directories), "sysctl" records that must be refused,
 * and junk: never shm, mount, swapfile or a real /proc/sys path, which an
 * undo would act on for real. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "state.h"
#include "testutil.h"

/* --- state files ----------------------------------------------------------- */

START_TEST(dir_default)
{
	unsetenv("MEMCG_LAB_STATE_DIR");
	ck_assert_str_eq(state_dir(), "/run/memcg-lab");
	ck_assert_str_eq(STATE_DIR_DEFAULT, "/run/memcg-lab");
	/* empty counts as unset */
	setenv("MEMCG_LAB_STATE_DIR", "", 1);
	ck_assert_str_eq(state_dir(), "/run/memcg-lab");
	setenv("MEMCG_LAB_STATE_DIR", "/tmp/elsewhere", 1);
	ck_assert_str_eq(state_dir(), "/tmp/elsewhere");
	unsetenv("MEMCG_LAB_STATE_DIR");
}
END_TEST

START_TEST(begin_record)
{
	const char *dir = tu_path("%s/state/sub", tu_tmpdir());
	char want[128], path[PATH_MAX];
	struct mlab_err e = { "" };
	struct state s;
	struct stat st;
	const char *body;
	unsigned pid;
	unsigned long long start;
	int n = 0;

	/* the directory is made (with parents) and closed to others */
	ck_assert_int_eq(state_begin(&s, dir, &e), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_int_ge(s.fd, 0);
	ck_assert_str_eq(s.dir, dir);
	/* <run-id>.state, the run id ending in our pid */
	snprintf(want, sizeof(want), "-%d", (int)getpid());
	ck_assert_msg(strlen(s.run_id) > strlen(want) &&
			  !strcmp(s.run_id + strlen(s.run_id) - strlen(want), want),
		      "run id '%s'", s.run_id);
	snprintf(path, sizeof(path), "%s/%s.state", dir, s.run_id);
	ck_assert_str_eq(s.path, path);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);

	body = tu_read(path);
	ck_assert_ptr_nonnull(body);
	ck_assert_msg(sscanf(body, "run %u %llu\n%n", &pid, &start, &n) == 2 && n > 0,
		      "first line '%s'", body);
	ck_assert_uint_eq(pid, (unsigned)getpid());
	ck_assert_uint_eq(strlen(body), (size_t)n); /* nothing else yet */

	ck_assert_int_eq(state_record(&s, &e, STATE_FILE, "%s", "/var/tmp/memcg-lab-x-f"), 0);
	ck_assert_int_eq(state_record(&s, &e, STATE_SYSCTL, "%s %d", "/proc/sys/vm/x", 60), 0);
	ck_assert_int_eq(state_record(&s, &e, STATE_DIR, "/a dir/with spaces"), 0);
	body = tu_read(path);
	ck_assert_str_eq(body + n, "file /var/tmp/memcg-lab-x-f\n"
				   "sysctl /proc/sys/vm/x 60\n"
				   "dir /a dir/with spaces\n");
	/* a newline would split a record: refused, nothing written */
	ck_assert_int_eq(state_record(&s, &e, STATE_FILE, "%s", "/tmp/a\nfile /etc/passwd"), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "malformed"));
	ck_assert_str_eq(tu_read(path), body);
	close(s.fd);
}
END_TEST

START_TEST(record_too_long)
{
	const char *dir = tu_tmpdir();
	struct mlab_err e = { "" };
	struct state s;
	char *big = malloc(PATH_MAX + 200);
	const char *before;

	ck_assert_int_eq(state_begin(&s, dir, &e), 0);
	before = tu_read(s.path);
	memset(big, 'a', PATH_MAX + 199);
	big[PATH_MAX + 199] = 0;
	ck_assert_int_eq(state_record(&s, &e, STATE_FILE, "%s", big), -EINVAL);
	/* a record is written whole or not at all */
	ck_assert_str_eq(tu_read(s.path), before);
	free(big);
	close(s.fd);
}
END_TEST

/* --- liveness -------------------------------------------------------------- */

static pid_t dead_pid(void)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return pid;
}

/* A child that sleeps until killed (and at most 20 s). */
static pid_t live_child(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		alarm(20);
		for (;;)
			pause();
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

START_TEST(alive)
{
	unsigned long long start = 0, again = 0;
	pid_t dead;

	ck_assert_int_eq(proc_start_time(getpid(), &start), 0);
	ck_assert_uint_ne(start, 0);
	ck_assert_int_eq(proc_start_time(getpid(), &again), 0);
	ck_assert_uint_eq(again, start);
	ck_assert(proc_alive(getpid(), start));
	/* the same pid with another start time is another process */
	ck_assert(!proc_alive(getpid(), start + 1));
	ck_assert(!proc_alive(getpid(), start - 1));
	ck_assert(!proc_alive(0, start));
	ck_assert(!proc_alive(-1, start));

	dead = dead_pid();
	ck_assert(!proc_alive(dead, start));
	ck_assert_int_eq(proc_start_time(dead, &again), -ESRCH);
}
END_TEST

/* The start time is field 22 of /proc/PID/stat, read here independently:
 * field 23 (vsize) would pass the self-consistency checks above, yet
 * change whenever the run maps memory and make a live run look dead. */
START_TEST(start_time_is_field_22)
{
	unsigned long long start = 0;
	unsigned long long want = tu_proc_stat_field(getpid(), 22);
	pid_t child = live_child();

	ck_assert_uint_ne(want, 0);
	ck_assert_int_eq(proc_start_time(getpid(), &start), 0);
	ck_assert_uint_eq(start, want);
	ck_assert(proc_alive(getpid(), want));
	/* a process keeps its start time while its size changes */
	ck_assert(proc_alive(child, tu_proc_stat_field(child, 22)));
	reap(child);
}
END_TEST

START_TEST(begin_records_start_time)
{
	const char *dir = tu_tmpdir();
	struct mlab_err e = { "" };
	struct state s;
	unsigned pid;
	unsigned long long start;

	ck_assert_int_eq(state_begin(&s, dir, &e), 0);
	ck_assert_int_eq(sscanf(tu_read(s.path), "run %u %llu", &pid, &start), 2);
	ck_assert_uint_eq(start, tu_proc_stat_field(getpid(), 22));
	close(s.fd);
}
END_TEST

/* --- undo ------------------------------------------------------------------ */

static struct clean_report report(void)
{
	struct clean_report r;
	memset(&r, 0, sizeof(r));
	return r;
}

START_TEST(undo_files_and_dirs)
{
	const char *d = tu_tmpdir();
	char st[PATH_MAX];
	struct clean_report r = report();

	tu_write(tu_path("%s/scratch", d), "x");
	tu_write(tu_path("%s/other", d), "x"); /* not listed: must stay */
	tu_mkdir(tu_path("%s/mnt", d));
	tu_write(tu_path("%s/name with space", d), "x");
	snprintf(st, sizeof(st), "%s/1.state", d);
	tu_write(st, tu_path("run 4194399 1\n"
			     "dir %s/mnt\n"
			     "file %s/scratch\n"
			     "file %s/name with space\n"
			     "file %s/never-made\n",
			     d, d, d, d));
	ck_assert_int_eq(state_undo_file(st, &r), 0);
	ck_assert_int_eq(r.failed, 0);
	ck_assert_int_eq(r.runs, 1);
	ck_assert_int_eq(r.files, 2); /* a missing file is no failure and no count */
	ck_assert(!tu_exists(tu_path("%s/scratch", d)));
	ck_assert(!tu_exists(tu_path("%s/name with space", d)));
	ck_assert(!tu_exists(tu_path("%s/mnt", d)));
	ck_assert(tu_exists(tu_path("%s/other", d)));
	/* done: the state file goes */
	ck_assert(!tu_exists(st));
	ck_assert_str_eq(r.first_error, "");
}
END_TEST

START_TEST(undo_newest_first)
{
	const char *d = tu_tmpdir();
	char st[PATH_MAX];
	struct clean_report r = report();

	/* made in this order: dir, then a file inside; undone file first so
	 * that the directory is empty by the time it is removed */
	tu_mkdir(tu_path("%s/box", d));
	tu_write(tu_path("%s/box/f", d), "x");
	snprintf(st, sizeof(st), "%s/2.state", d);
	tu_write(st, tu_path("run 4194399 1\ndir %s/box\nfile %s/box/f\n", d, d));
	ck_assert_int_eq(state_undo_file(st, &r), 0);
	ck_assert_int_eq(r.failed, 0);
	ck_assert(!tu_exists(tu_path("%s/box", d)));
}
END_TEST

START_TEST(undo_dir_not_empty)
{
	const char *d = tu_tmpdir();
	char st[PATH_MAX];
	struct clean_report r = report();

	tu_mkdir(tu_path("%s/box", d));
	tu_write(tu_path("%s/box/unlisted", d), "x");
	snprintf(st, sizeof(st), "%s/3.state", d);
	tu_write(st, tu_path("run 4194399 1\ndir %s/box\n", d));
	ck_assert_int_eq(state_undo_file(st, &r), -EBUSY);
	ck_assert_int_eq(r.failed, 1);
	ck_assert_int_eq(r.runs, 0);
	ck_assert_ptr_nonnull(strstr(r.first_error, "remove directory"));
	ck_assert(tu_exists(tu_path("%s/box/unlisted", d)));
	/* kept for a later try */
	ck_assert(tu_exists(st));
}
END_TEST

START_TEST(undo_refuses_foreign_group)
{
	const char *d = tu_tmpdir();
	char st[PATH_MAX];
	struct clean_report r = report();

	/* a directory that is no memcg-lab group, listed as one */
	tu_mkdir(tu_path("%s/not-ours", d));
	snprintf(st, sizeof(st), "%s/4.state", d);
	tu_write(st, tu_path("run 4194399 1\ncgroup %s/not-ours\n", d));
	ck_assert_int_eq(state_undo_file(st, &r), -EBUSY);
	ck_assert_int_eq(r.failed, 1);
	ck_assert_int_eq(r.groups, 0);
	ck_assert_ptr_nonnull(strstr(r.first_error, "not a memcg-lab group"));
	ck_assert(tu_exists(tu_path("%s/not-ours", d)));
	ck_assert(tu_exists(st));

	/* ".." out of a memcg-lab tree, and relative paths */
	tu_mkdir(tu_path("%s/memcg-lab", d));
	tu_mkdir(tu_path("%s/memcg-lab/run", d));
	r = report();
	tu_write(st, tu_path("run 4194399 1\n"
			     "cgroup %s/memcg-lab/../not-ours\n"
			     "cgroup %s/memcg-lab/./run\n"
			     "cgroup memcg-lab/run\n",
			     d, d));
	ck_assert_int_eq(state_undo_file(st, &r), -EBUSY);
	ck_assert_int_eq(r.failed, 3);
	ck_assert_int_eq(r.groups, 0);
	ck_assert(tu_exists(tu_path("%s/not-ours", d)));
	ck_assert(tu_exists(tu_path("%s/memcg-lab/run", d)));
}
END_TEST

START_TEST(undo_our_group)
{
	const char *d = tu_tmpdir();
	char st[PATH_MAX];
	struct clean_report r = report();

	/* an empty fake group tree under .../memcg-lab/: no cgroup.procs, so
	 * the kill phase finds no task, and the groups are removed */
	tu_mkdir(tu_path("%s/memcg-lab", d));
	tu_mkdir(tu_path("%s/memcg-lab/run1", d));
	tu_mkdir(tu_path("%s/memcg-lab/run1/alloc", d));
	tu_mkdir(tu_path("%s/memcg-lab/run1/alloc/inner", d));
	tu_mkdir(tu_path("%s/memcg-lab/run2", d));
	snprintf(st, sizeof(st), "%s/5.state", d);
	tu_write(st, tu_path("run 4194399 1\n"
			     "cgroup %s/memcg-lab/run1\n"
			     "cgroup %s/memcg-lab/run1/alloc\n"
			     "cgroup %s/memcg-lab/run1/gone\n",
			     d, d, d));
	ck_assert_int_eq(state_undo_file(st, &r), 0);
	ck_assert_int_eq(r.failed, 0);
	ck_assert_int_eq(r.groups, 2); /* alloc (newest first), then run1 */
	ck_assert(!tu_exists(tu_path("%s/memcg-lab/run1", d)));
	ck_assert(tu_exists(tu_path("%s/memcg-lab/run2", d)));
	ck_assert(!tu_exists(st));
}
END_TEST

/* Known bug: is_our_group() rejects "/../" and "/./" inside a path, but
 * not a trailing "/.." or "/.", nor the shared top directory itself
 * ("<root>/memcg-lab/"). Undoing "cgroup <root>/memcg-lab/.." kills every
 * task listed under <root> (on a real hierarchy: every task of the
 * machine) and rmdirs every empty group below it; the other two destroy
 * the groups of every other run. Here each record names a temp tree with
 * no cgroup.procs anywhere, so nothing is killed even while the bug is in. */
START_TEST(undo_refuses_top_and_dots)
{
	static const struct {
		const char *rec;  /* below the case's directory */
		const char *keep; /* must survive */
	} t[] = {
		{ "memcg-lab/..", "keep" },
		{ "memcg-lab/.", "memcg-lab/other-run" },
		{ "memcg-lab/", "memcg-lab/other-run" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *d = tu_tmpdir();
		char st[PATH_MAX];
		struct clean_report r = report();

		tu_mkdir(tu_path("%s/memcg-lab", d));
		tu_mkdir(tu_path("%s/memcg-lab/other-run", d));
		tu_mkdir(tu_path("%s/keep", d));
		snprintf(st, sizeof(st), "%s/6.state", d);
		tu_write(st, tu_path("run 4194399 1\ncgroup %s/%s\n", d, t[i].rec));
		state_undo_file(st, &r);
		ck_assert_msg(tu_exists(tu_path("%s/%s", d, t[i].keep)),
			      "'cgroup .../%s' removed %s", t[i].rec, t[i].keep);
		ck_assert_msg(r.groups == 0 && r.failed == 1,
			      "'cgroup .../%s': %d groups removed, %d failures", t[i].rec, r.groups,
			      r.failed);
	}
}
END_TEST

START_TEST(undo_unknown_and_torn)
{
	const char *d = tu_tmpdir();
	char st[PATH_MAX];
	struct clean_report r = report();

	tu_write(tu_path("%s/a", d), "x");
	tu_write(tu_path("%s/torn", d), "x");
	snprintf(st, sizeof(st), "%s/7.state", d);
	/* unknown kinds are failures (the state may be from a newer version);
	 * the last line lacks its newline: its write was cut short, so its
	 * resource was never made and it is ignored */
	tu_write(st, tu_path("run 4194399 1\n"
			     "file %s/a\n"
			     "frobnicate %s/a\n"
			     "file %s/torn",
			     d, d, d));
	ck_assert_int_eq(state_undo_file(st, &r), -EBUSY);
	ck_assert_int_eq(r.failed, 1);
	ck_assert_ptr_nonnull(strstr(r.first_error, "unknown state record 'frobnicate'"));
	ck_assert_int_eq(r.files, 1);
	ck_assert(!tu_exists(tu_path("%s/a", d)));
	ck_assert(tu_exists(tu_path("%s/torn", d)));
	ck_assert(tu_exists(st));

	/* the first failure is kept, later ones only counted */
	r = report();
	tu_write(st, "run 4194399 1\nzzz 1\nyyy 2\n");
	ck_assert_int_eq(state_undo_file(st, &r), -EBUSY);
	ck_assert_int_eq(r.failed, 2);
	ck_assert_ptr_nonnull(strstr(r.first_error, "'yyy'")); /* newest first */

	/* only a torn line: nothing to do, state removed */
	r = report();
	tu_write(st, tu_path("run 4194399 1\nfile %s/torn", d));
	ck_assert_int_eq(state_undo_file(st, &r), 0);
	ck_assert(tu_exists(tu_path("%s/torn", d)));
	ck_assert(!tu_exists(st));

	/* an unreadable state file */
	r = report();
	ck_assert_int_eq(state_undo_file(tu_path("%s/nosuch.state", d), &r), -ENOENT);
	ck_assert_int_eq(r.failed, 1);
}
END_TEST

START_TEST(undo_sysctl_refused)
{
	const char *d = tu_tmpdir();
	char st[PATH_MAX];
	struct clean_report r = report();

	/* a "sysctl" record may only write below /proc/sys/ */
	tu_write(tu_path("%s/target", d), "old\n");
	snprintf(st, sizeof(st), "%s/8.state", d);
	tu_write(st, tu_path("run 4194399 1\n"
			     "sysctl %s/target 60\n"
			     "sysctl /proc/sys/../../%s/target 60\n"
			     "sysctl /proc/sys/vm/no_value_given\n",
			     d, d));
	ck_assert_int_eq(state_undo_file(st, &r), -EBUSY);
	ck_assert_int_eq(r.failed, 3);
	ck_assert_int_eq(r.sysctls, 0);
	ck_assert_ptr_nonnull(strstr(r.first_error, "bad sysctl record"));
	ck_assert_str_eq(tu_read(tu_path("%s/target", d)), "old\n");
}
END_TEST

START_TEST(clean_dir)
{
	const char *d = tu_tmpdir();
	const char *sd = tu_path("%s/state", d);
	struct clean_report r = report();
	struct mlab_err e = { "" };
	unsigned long long start;
	pid_t child = live_child(), dead = dead_pid();

	tu_mkdir(sd);
	tu_write(tu_path("%s/f-live", d), "x");
	tu_write(tu_path("%s/f-dead", d), "x");
	tu_write(tu_path("%s/f-other", d), "x");
	/* a live run (another process) is left alone */
	ck_assert_int_eq(proc_start_time(child, &start), 0);
	tu_write(tu_path("%s/live.state", sd),
		 tu_path("run %d %llu\nfile %s/f-live\n", (int)child, start, d));
	/* a dead run is undone */
	tu_write(tu_path("%s/dead.state", sd), tu_path("run %d 1\nfile %s/f-dead\n", (int)dead, d));
	/* a live pid with another start time is a reused pid: dead */
	tu_write(tu_path("%s/reused.state", sd),
		 tu_path("run %d %llu\nfile %s/f-other\n", (int)child, start + 1, d));
	/* not a state file */
	tu_write(tu_path("%s/notes.txt", sd), tu_path("run 4194399 1\nfile %s/f-live\n", d));

	ck_assert_int_eq(state_clean(sd, &r, &e), 0);
	ck_assert_int_eq(r.alive, 1);
	ck_assert_int_eq(r.runs, 2);
	ck_assert_int_eq(r.files, 2);
	ck_assert_int_eq(r.failed, 0);
	ck_assert(tu_exists(tu_path("%s/f-live", d)));
	ck_assert(tu_exists(tu_path("%s/live.state", sd)));
	ck_assert(!tu_exists(tu_path("%s/f-dead", d)));
	ck_assert(!tu_exists(tu_path("%s/dead.state", sd)));
	ck_assert(!tu_exists(tu_path("%s/f-other", d)));
	ck_assert(!tu_exists(tu_path("%s/reused.state", sd)));
	ck_assert(tu_exists(tu_path("%s/notes.txt", sd)));
	reap(child);

	/* failures surface in the return value with the first message */
	r = report();
	tu_write(tu_path("%s/bad.state", sd), "run 4194399 1\nbogus x\n");
	ck_assert_int_eq(state_clean(sd, &r, &e), -EBUSY);
	ck_assert_ptr_nonnull(strstr(e.msg, "clean left something behind"));
	ck_assert_ptr_nonnull(strstr(e.msg, "bogus"));

	/* no state dir yet: nothing to clean */
	r = report();
	ck_assert_int_eq(state_clean(tu_path("%s/nosuch", d), &r, &e), 0);
	ck_assert_int_eq(r.runs, 0);
}
END_TEST

/* A run this very process still has open is alive (its lock says so): a
 * process that begins a second run must not undo its first. */
START_TEST(clean_skips_own_live_run)
{
	const char *d = tu_tmpdir();
	const char *sd = tu_path("%s/state", d);
	struct clean_report r = report();
	struct mlab_err e = { "" };
	struct state s;

	ck_assert_int_eq(state_begin(&s, sd, &e), 0);
	tu_write(tu_path("%s/mine", d), "x");
	ck_assert_int_eq(state_record(&s, &e, STATE_FILE, "%s/mine", d), 0);
	ck_assert_int_eq(state_clean(sd, &r, &e), 0);
	ck_assert_int_eq(r.alive, 1);
	ck_assert(tu_exists(tu_path("%s/mine", d)));
	ck_assert(tu_exists(s.path));
	close(s.fd);
}
END_TEST

/* The owner's lock outranks its "run" line: a state file held by a live
 * run is left alone even when the line names a dead pid, and undone once
 * the holder is gone. */
START_TEST(clean_lock_wins)
{
	const char *d = tu_tmpdir();
	char sd[PATH_MAX], path[PATH_MAX] = "";
	struct clean_report r = report();
	struct mlab_err e = { "" };
	pid_t dead = dead_pid(), child;
	int pipefd[2], status;
	ssize_t n;

	snprintf(sd, sizeof(sd), "%s/state", d);
	ck_assert_int_eq(pipe(pipefd), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct state s;
		close(pipefd[0]);
		alarm(20);
		if (state_begin(&s, sd, &e))
			_exit(1);
		if (write(pipefd[1], s.path, strlen(s.path)) < 0)
			_exit(1);
		close(pipefd[1]);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	n = read(pipefd[0], path, sizeof(path) - 1);
	close(pipefd[0]);
	ck_assert_int_gt(n, 0);
	path[n] = 0;

	/* same inode, so the lock stays: a "run" line of a dead pid */
	tu_write(tu_path("%s/held", d), "x");
	tu_write(path, tu_path("run %d 1\nfile %s/held\n", (int)dead, d));
	ck_assert_int_eq(state_clean(sd, &r, &e), 0);
	ck_assert_int_eq(r.alive, 1);
	ck_assert_int_eq(r.runs, 0);
	ck_assert(tu_exists(tu_path("%s/held", d)));

	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	r = report();
	ck_assert_int_eq(state_clean(sd, &r, &e), 0);
	ck_assert_int_eq(r.alive, 0);
	ck_assert_int_eq(r.runs, 1);
	ck_assert(!tu_exists(tu_path("%s/held", d)));
	ck_assert(!tu_exists(path));
}
END_TEST

START_TEST(end_undoes)
{
	const char *d = tu_tmpdir();
	const char *sd = tu_path("%s/state", d);
	struct clean_report r = report();
	struct mlab_err e = { "" };
	struct state s;

	ck_assert_int_eq(state_begin(&s, sd, &e), 0);
	ck_assert_int_eq(state_record(&s, &e, STATE_DIR, "%s/made", d), 0);
	tu_mkdir(tu_path("%s/made", d));
	ck_assert_int_eq(state_record(&s, &e, STATE_FILE, "%s/made/f", d), 0);
	tu_write(tu_path("%s/made/f", d), "x");
	ck_assert_int_eq(state_end(&s, &r, &e), 0);
	ck_assert_int_eq(s.fd, -1);
	ck_assert(!tu_exists(tu_path("%s/made", d)));
	ck_assert(!tu_exists(s.path));
	ck_assert_int_eq(r.runs, 1);
	ck_assert_int_eq(r.files, 1);

	/* a step that fails keeps the state and says which run */
	r = report();
	ck_assert_int_eq(state_begin(&s, tu_path("%s/state2", d), &e), 0);
	ck_assert_int_eq(state_record(&s, &e, STATE_DIR, "%s/full", d), 0);
	tu_mkdir(tu_path("%s/full", d));
	tu_write(tu_path("%s/full/x", d), "x");
	ck_assert_int_eq(state_end(&s, &r, &e), -EBUSY);
	ck_assert_ptr_nonnull(strstr(e.msg, s.run_id));
	ck_assert_ptr_nonnull(strstr(e.msg, "remove directory"));
	ck_assert(tu_exists(s.path));
}
END_TEST

/* --- guard, meminfo, swap mode ------------------------------------------- */

START_TEST(meminfo)
{
	uint64_t v = 0;

	ck_assert_int_eq(meminfo_get(FIXTURES "/meminfo", "MemAvailable", &v), 0);
	ck_assert_uint_eq(v, 24327568ULL * 1024);
	ck_assert_int_eq(meminfo_get(FIXTURES "/meminfo", "MemTotal", &v), 0);
	ck_assert_uint_eq(v, 24683656ULL * 1024);
	/* a key is the whole name before ':' */
	ck_assert_int_eq(meminfo_get(FIXTURES "/meminfo", "Active", &v), 0);
	ck_assert_uint_eq(v, 134520ULL * 1024);
	ck_assert_int_eq(meminfo_get(FIXTURES "/meminfo", "Active(anon)", &v), 0);
	ck_assert_uint_eq(v, 1512ULL * 1024);
	ck_assert_int_eq(meminfo_get(FIXTURES "/meminfo", "SwapFree", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(meminfo_get(FIXTURES "/meminfo", "DirectMap1G", &v), 0);
	ck_assert_uint_eq(v, 25165824ULL * 1024);
	ck_assert_int_eq(meminfo_get(FIXTURES "/meminfo", "Mem", &v), -ENOENT);
	ck_assert_int_eq(meminfo_get(FIXTURES "/meminfo", "NoSuchKey", &v), -ENOENT);
	ck_assert_int_eq(meminfo_get(FIXTURES "/nosuch", "MemTotal", &v), -ENOENT);
}
END_TEST

START_TEST(guard)
{
	const char *d = tu_tmpdir();
	const char *mi = tu_path("%s/meminfo", d);
	struct mlab_err e = { "" };

	/* 1 GiB available: plans up to 512 MiB pass */
	tu_write(mi, "MemTotal:        2030000 kB\n"
		     "MemFree:          900000 kB\n"
		     "MemAvailable:    1048576 kB\n"
		     "Buffers:           10000 kB\n");
	ck_assert_int_eq(guard_check(4 * MIB, mi, &e), 0);
	ck_assert_int_eq(guard_check(512 * MIB, mi, &e), 0);
	ck_assert_int_eq(guard_check(512 * MIB + 1, mi, &e), -E2BIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "refused"));
	ck_assert_ptr_nonnull(strstr(e.msg, "1G")); /* says how much there is */
	ck_assert_int_eq(guard_check(600 * MIB, mi, &e), -E2BIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "600M"));
	ck_assert_ptr_nonnull(strstr(e.msg, "nothing was started"));
	/* no bound at all */
	ck_assert_int_eq(guard_check(0, mi, &e), -E2BIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "no upper bound"));
	/* the fixture: 23.2G available */
	ck_assert_int_eq(guard_check(11 * GIB, FIXTURES "/meminfo", &e), 0);
	ck_assert_int_eq(guard_check(12 * GIB, FIXTURES "/meminfo", &e), -E2BIG);
	/* without MemAvailable (before 3.14) nothing is judged */
	tu_write(mi, "MemTotal:        2030000 kB\nMemFree:          900000 kB\n");
	ck_assert_int_eq(guard_check(MIB, mi, &e), -EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "MemAvailable"));
	ck_assert_int_eq(guard_check(MIB, tu_path("%s/nosuch", d), &e), -EIO);
}
END_TEST

START_TEST(swap_mode)
{
	struct mlab_err e = { "" };
	uint64_t size = 7;
	int mode = -1;

	ck_assert_int_eq(swap_parse_mode("none", &size, &mode, &e), 0);
	ck_assert_int_eq(mode, SWAP_NONE);
	ck_assert_uint_eq(size, 0);
	ck_assert_int_eq(swap_parse_mode("auto", &size, &mode, &e), 0);
	ck_assert_int_eq(mode, SWAP_AUTO);
	ck_assert_uint_eq(size, 0);
	ck_assert_int_eq(swap_parse_mode("256M", &size, &mode, &e), 0);
	ck_assert_int_eq(mode, SWAP_SIZE);
	ck_assert_uint_eq(size, 256 * MIB);
	ck_assert_int_eq(swap_parse_mode("1M", &size, &mode, &e), 0);
	ck_assert_uint_eq(size, MIB);

	ck_assert_int_eq(swap_parse_mode("0", &size, &mode, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "at least 1M"));
	ck_assert_int_eq(swap_parse_mode("1023K", &size, &mode, &e), -EINVAL);
	ck_assert_int_eq(swap_parse_mode("12X", &size, &mode, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "expected auto, none or a size"));
	ck_assert_int_eq(swap_parse_mode("-1", &size, &mode, &e), -EINVAL);
	ck_assert_int_eq(swap_parse_mode("", &size, &mode, &e), -EINVAL);
	ck_assert_int_eq(swap_parse_mode("None", &size, &mode, &e), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state");
	TCase *tc;

	tu_init();
	tc = tu_case(s, "state", 20);
	tcase_add_test(tc, dir_default);
	tcase_add_test(tc, begin_record);
	tcase_add_test(tc, record_too_long);
	tcase_add_test(tc, alive);
	tcase_add_test(tc, undo_files_and_dirs);
	tcase_add_test(tc, undo_newest_first);
	tcase_add_test(tc, undo_dir_not_empty);
	tcase_add_test(tc, undo_refuses_foreign_group);
	tcase_add_test(tc, undo_our_group);
	tcase_add_test(tc, undo_unknown_and_torn);
	tcase_add_test(tc, undo_sysctl_refused);
	tcase_add_test(tc, clean_dir);
	tcase_add_test(tc, clean_skips_own_live_run);
	tcase_add_test(tc, clean_lock_wins);
	tcase_add_test(tc, end_undoes);
	tcase_add_test(tc, start_time_is_field_22);
	tcase_add_test(tc, begin_records_start_time);

	tc = tu_case(s, "guard", 0);
	tcase_add_test(tc, meminfo);
	tcase_add_test(tc, guard);
	tcase_add_test(tc, swap_mode);

	tc = tu_case(s, "refusals", 20);
	tcase_add_test(tc, undo_refuses_top_and_dots);

	return tu_suite_run(s);
}
