/* Unit tests of the event watches (ev.c) on fake trees, and of the kernel
 * log record parser (kmsg.c). On a fake tree the control files are plain
 * files: what a registration writes can be read back, and the tests play
 * the kernel by rewriting memory.events, writing to the eventfds and
 * handing ev_dispatch the revents poll() would give. Nothing here touches
 * /sys/fs/cgroup or /dev/kmsg. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cg.h"
#include "ev.h"
#include "kmsg.h"
#include "testutil.h"

/* A fresh copy of fixture @ver as a fake root, its root group in @g. */
static const char *fake_root(const char *ver, struct cg_root *r, struct cg *g)
{
	const char *root = tu_path("%s/root", tu_tmpdir());
	struct mlab_err e = { "" };

	tu_copy_tree(tu_path("%s/%s", FIXTURES, ver), root);
	ck_assert_msg(!cg_root_open(r, root, &e), "cg_root_open(%s): %s", root, e.msg);
	ck_assert_msg(!cg_open(g, r, "", &e), "cg_open: %s", e.msg);
	return r->path;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static const char *fd_target(int fd)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink(tu_path("/proc/self/fd/%d", fd), buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* What poll() would return: every watch's fd with @revents. */
static int ready(const struct ev_set *s, struct pollfd *pfd, short revents)
{
	int n = ev_pollfds(s, pfd);

	for (int i = 0; i < n; i++)
		pfd[i].revents = revents;
	return n;
}

static void eventfd_add(int fd, uint64_t v)
{
	ck_assert_int_eq(write(fd, &v, sizeof(v)), sizeof(v));
}

static void assert_hit(const struct ev_hit *h, int group, const char *kind, uint64_t count)
{
	ck_assert_int_eq(h->group, group);
	ck_assert_str_eq(h->kind, kind);
	ck_assert_uint_eq(h->count, count);
	/* only pressure comes in bursts */
	ck_assert_int_eq(h->burst, !strncmp(kind, "pressure-", 9));
}

/* --- v2: memory.events ---------------------------------------------------- */

START_TEST(v2_events_increases)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct ev_hit h[16];
	struct pollfd pfd[EV_MAX_WATCHES];
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g);
	const char *ev = tu_path("%s/memory.events", root);
	int n, dfd, fds = open_fds();

	ev_init(&s);
	ck_assert_msg(!ev_watch_oom(&s, &g, 3, &e), "%s", e.msg);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.w[0].type, EV_OOM);
	ck_assert_int_eq(s.w[0].events, POLLPRI);
	ck_assert_int_eq(s.w[0].group, 3);
	ck_assert(ends_with(fd_target(s.w[0].fd), "/memory.events"));
	ck_assert(fcntl(s.w[0].fd, F_GETFD) & FD_CLOEXEC);
	/* the fixture's counters are the starting point: low high max oom
	 * oom_kill oom_group_kill = 0 0 3 1 1 0 */
	ck_assert_uint_eq(s.w[0].last[2], 3);
	ck_assert_uint_eq(s.w[0].last[3], 1);
	ck_assert_uint_eq(s.w[0].last[4], 1);

	/* nothing changed: a wakeup (POLLERR comes with kernfs notifications)
	 * reports nothing and keeps the watch */
	n = ready(&s, pfd, POLLPRI | POLLERR);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 16), 0);
	ck_assert_int_eq(s.n, 1);

	/* one hit per counter that grew, its value the increase, key order */
	tu_write(ev, "low 0\nhigh 7\nmax 5\noom 2\noom_kill 2\noom_group_kill 0\n");
	/* the counters are the authority for counts: read from the file now,
	 * since the watch began, whether or not a notification came yet */
	{
		uint64_t c = 99;
		ck_assert_int_eq(ev_counter(&s, 3, "oom", &c), 0);
		ck_assert_uint_eq(c, 1);
		ck_assert_int_eq(ev_counter(&s, 3, "high", &c), 0);
		ck_assert_uint_eq(c, 7);
		ck_assert_int_eq(ev_counter(&s, 3, "threshold", &c), -ENOENT);
		ck_assert_int_eq(ev_counter(&s, 4, "oom", &c), -ENOENT);
	}
	n = ready(&s, pfd, POLLPRI | POLLERR);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 16), 4);
	assert_hit(&h[0], 3, "high", 7);
	assert_hit(&h[1], 3, "max", 2);
	assert_hit(&h[2], 3, "oom", 1);
	assert_hit(&h[3], 3, "oom_kill", 1);
	/* reported once only */
	n = ready(&s, pfd, POLLPRI | POLLERR);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 16), 0);

	/* not called for: nothing read */
	tu_write(ev, "low 1\nhigh 7\nmax 5\noom 2\noom_kill 2\noom_group_kill 4\n");
	n = ready(&s, pfd, 0);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 16), 0);
	/* no room for every counter: left for the next call */
	n = ready(&s, pfd, POLLPRI | POLLERR);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 2), 0);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 16), 2);
	assert_hit(&h[0], 3, "low", 1);
	assert_hit(&h[1], 3, "oom_group_kill", 4);

	/* an older kernel without oom_group_kill: absent is 0, no hit */
	tu_write(ev, "low 1\nhigh 8\nmax 5\noom 2\noom_kill 2\n");
	n = ready(&s, pfd, POLLPRI | POLLERR);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 16), 1);
	assert_hit(&h[0], 3, "high", 1);

	/* a read that fails (ENODEV when the group is removed): dropped */
	n = ready(&s, pfd, POLLPRI | POLLERR);
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_eq(dup2(dfd, s.w[0].fd), s.w[0].fd);
	close(dfd);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 16), 0);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

START_TEST(v2_events_missing)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g);

	ck_assert(!unlink(tu_path("%s/memory.events", root)));
	ev_init(&s);
	ck_assert_int_eq(ev_watch_oom(&s, &g, 0, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "memory.events"));
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* --- v2: PSI triggers ------------------------------------------------------- */

/* The raw bytes of @path (the trigger is written with its NUL). */
static size_t raw(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, len);
	close(fd);
	ck_assert_int_ge(n, 0);
	return (size_t)n;
}

START_TEST(v2_psi_triggers)
{
	static const struct {
		const char *level, *trigger;
	} t[] = {
		{ "low", "some 50000 1000000" },
		{ "medium", "some 150000 1000000" },
		{ "critical", "full 100000 1000000" },
	};
	struct cg_root r;
	struct cg g[3];
	struct ev_set s;
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g[0]);
	char buf[64];

	ev_init(&s);
	for (int i = 0; i < 3; i++) {
		const char *dir = tu_path("%s/g%d", root, i);
		size_t n;

		tu_mkdir(dir);
		tu_write(tu_path("%s/memory.pressure", dir), "");
		ck_assert(!cg_open(&g[i], &r, tu_path("g%d", i), &e));
		ck_assert_msg(!ev_watch_pressure(&s, &g[i], i, t[i].level, &e), "%s", e.msg);
		n = raw(tu_path("%s/memory.pressure", dir), buf, sizeof(buf));
		ck_assert_uint_eq(n, strlen(t[i].trigger) + 1);
		ck_assert_str_eq(buf, t[i].trigger);
		ck_assert_int_eq(s.w[i].type, EV_PRESSURE);
		ck_assert_int_eq(s.w[i].events, POLLPRI);
		ck_assert_str_eq(s.w[i].level + strlen("pressure-"), t[i].level);
		ck_assert_int_eq(s.w[i].group, i);
		/* the trigger lives as long as the fd: O_RDWR, non-blocking */
		ck_assert_int_eq(fcntl(s.w[i].fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK),
				 O_RDWR | O_NONBLOCK);
		ck_assert(ends_with(fd_target(s.w[i].fd), tu_path("/g%d/memory.pressure", i)));
	}
	ck_assert_int_eq(s.n, 3);
	ev_close(&s);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(v2_psi_dispatch)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct ev_hit h[8];
	struct pollfd pfd[EV_MAX_WATCHES];
	struct mlab_err e = { "" };
	const char *root = fake_root("v2", &r, &g);
	int n, fds = open_fds();

	tu_write(tu_path("%s/memory.pressure", root), "");
	ev_init(&s);
	ck_assert(!ev_watch_pressure(&s, &g, 1, "critical", &e));
	ck_assert(!ev_watch_oom(&s, &g, 2, &e));

	/* each POLLPRI is one firing */
	n = ev_pollfds(&s, pfd);
	ck_assert_int_eq(n, 2);
	pfd[0].revents = POLLPRI;
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 1);
	assert_hit(&h[0], 1, "pressure-critical", 1);
	pfd[0].revents = 0;
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 0);
	/* firings that found no room are counted, not lost */
	pfd[0].revents = POLLPRI;
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 0), 0);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 0), 0);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 1);
	assert_hit(&h[0], 1, "pressure-critical", 3);

	/* POLLERR / POLLHUP: the group is gone; dropped quietly, the other
	 * watch stays and keeps its place */
	pfd[0].revents = POLLPRI | POLLERR;
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.w[0].type, EV_OOM);
	ck_assert_int_eq(s.w[0].group, 2);
	/* the stale pollfd array is harmless */
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 0);
	ck_assert_int_eq(ev_pollfds(&s, pfd), 1);
	ck_assert_int_eq(pfd[0].fd, s.w[0].fd);
	ck_assert(!ev_watch_pressure(&s, &g, 4, "low", &e));
	n = ready(&s, pfd, 0);
	pfd[1].revents = POLLHUP;
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 0);
	ck_assert_int_eq(s.n, 1);
	ev_close(&s);
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

START_TEST(v2_psi_missing)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct mlab_err e = { "" };

	fake_root("v2", &r, &g); /* the fixture has no memory.pressure */
	ev_init(&s);
	ck_assert_int_eq(ev_watch_pressure(&s, &g, 0, "low", &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "not supported here"));
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* --- arguments ---------------------------------------------------------------- */

START_TEST(bad_levels)
{
	static const char *const bad[] = { "high", "", "LOW", "low ", "critical\n", "some" };
	struct cg_root r[2];
	struct cg g[2];
	struct ev_set s;
	struct mlab_err e = { "" };
	int fds;

	tu_write(tu_path("%s/memory.pressure", fake_root("v2", &r[0], &g[0])), "");
	tu_write(tu_path("%s/cgroup.event_control", fake_root("v1", &r[1], &g[1])), "");
	tu_write(tu_path("%s/memory.pressure_level", r[1].path), "");
	fds = open_fds();
	ev_init(&s);
	for (int v = 0; v < 2; v++) {
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			e.msg[0] = 0;
			ck_assert_int_eq(ev_watch_pressure(&s, &g[v], 0, bad[i], &e), -EINVAL);
			ck_assert_msg(strstr(e.msg, "unknown pressure level"), "%s", e.msg);
		}
		ck_assert_int_eq(ev_watch_pressure(&s, &g[v], 0, NULL, &e), -EINVAL);
		ck_assert_int_eq(s.n, 0);
	}
	/* nothing written, nothing left open */
	ck_assert_str_eq(tu_read(tu_path("%s/memory.pressure", r[0].path)), "");
	ck_assert_str_eq(tu_read(tu_path("%s/cgroup.event_control", r[1].path)), "");
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

START_TEST(threshold_v2_unsupported)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct mlab_err e = { "" };

	fake_root("v2", &r, &g);
	ev_init(&s);
	ck_assert_int_eq(ev_watch_threshold(&s, &g, 0, 4 * MIB, &e), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(e.msg, "not supported here"));
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(too_many_watches)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct mlab_err e = { "" };
	int fds;

	fake_root("v2", &r, &g);
	fds = open_fds();
	ev_init(&s);
	for (int i = 0; i < EV_MAX_WATCHES; i++)
		ck_assert_msg(!ev_watch_oom(&s, &g, i, &e), "%d: %s", i, e.msg);
	ck_assert_int_eq(ev_watch_oom(&s, &g, 99, &e), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(e.msg, "too many"));
	ck_assert_int_eq(ev_watch_pressure(&s, &g, 99, "low", &e), -ENOSPC);
	ck_assert_int_eq(s.n, EV_MAX_WATCHES);
	/* memory.events twice: notifications, and counter reads */
	ck_assert_int_eq(open_fds(), fds + 2 * EV_MAX_WATCHES);
	ev_close(&s);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

/* --- v1: cgroup.event_control ------------------------------------------------- */

static void assert_registered(const char *root, const struct ev_watch *w, const char *file,
			      const char *arg)
{
	char want[128];

	snprintf(want, sizeof(want), "%d %d%s%s", w->fd, w->aux_fd, arg ? " " : "",
		 arg ? arg : "");
	ck_assert_str_eq(tu_read(tu_path("%s/cgroup.event_control", root)), want);
	ck_assert_str_eq(fd_target(w->fd), "anon_inode:[eventfd]");
	ck_assert_int_eq(fcntl(w->fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	ck_assert(fcntl(w->fd, F_GETFD) & FD_CLOEXEC);
	ck_assert(fcntl(w->aux_fd, F_GETFD) & FD_CLOEXEC);
	ck_assert_msg(ends_with(fd_target(w->aux_fd), file), "aux %s", fd_target(w->aux_fd));
	ck_assert_int_eq(w->events, POLLIN);
}

START_TEST(v1_registrations)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct mlab_err e = { "" };
	const char *root = fake_root("v1", &r, &g);
	const char *ctl = tu_path("%s/cgroup.event_control", root);
	int fds;

	tu_write(tu_path("%s/memory.pressure_level", root), "");
	tu_write(ctl, "");
	fds = open_fds();
	ev_init(&s);
	ck_assert_msg(!ev_watch_oom(&s, &g, 5, &e), "%s", e.msg);
	assert_registered(root, &s.w[0], "/memory.oom_control", NULL);
	ck_assert_int_eq(s.w[0].type, EV_OOM);
	ck_assert_int_eq(s.w[0].group, 5);

	tu_write(ctl, "");
	ck_assert(!ev_watch_threshold(&s, &g, 6, 4 * MIB, &e));
	assert_registered(root, &s.w[1], "/memory.usage_in_bytes", "4194304");
	ck_assert_int_eq(s.w[1].type, EV_THRESHOLD);
	ck_assert_uint_eq(s.w[1].threshold, 4 * MIB);

	/* the largest threshold there is */
	tu_write(ctl, "");
	ck_assert(!ev_watch_threshold(&s, &g, 6, UINT64_MAX, &e));
	assert_registered(root, &s.w[2], "/memory.usage_in_bytes", "18446744073709551615");

	for (int i = 0; i < 3; i++) {
		static const char *const lv[] = { "low", "medium", "critical" };
		tu_write(ctl, "");
		ck_assert(!ev_watch_pressure(&s, &g, 7 + i, lv[i], &e));
		assert_registered(root, &s.w[3 + i], "/memory.pressure_level", lv[i]);
		ck_assert_int_eq(s.w[3 + i].type, EV_PRESSURE);
		ck_assert_str_eq(s.w[3 + i].level + strlen("pressure-"), lv[i]);
	}
	ck_assert_int_eq(s.n, 6);
	ck_assert_int_eq(open_fds(), fds + 12);
	ev_close(&s);
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

START_TEST(v1_registration_errors)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct mlab_err e = { "" };
	const char *root = fake_root("v1", &r, &g);
	int fds = open_fds();

	ev_init(&s);
	/* no cgroup.event_control (the fixture has none) */
	ck_assert_int_eq(ev_watch_oom(&s, &g, 0, &e), -ENOENT);
	ck_assert_msg(strstr(e.msg, "cgroup.event_control"), "%s", e.msg);
	/* no memory.pressure_level */
	tu_write(tu_path("%s/cgroup.event_control", root), "");
	ck_assert_int_eq(ev_watch_pressure(&s, &g, 0, "low", &e), -ENOENT);
	ck_assert_msg(strstr(e.msg, "memory.pressure_level"), "%s", e.msg);
	/* a refused registration: nothing kept open */
	ck_assert(!unlink(tu_path("%s/cgroup.event_control", root)));
	tu_mkdir(tu_path("%s/cgroup.event_control", root));
	ck_assert_int_eq(ev_watch_threshold(&s, &g, 0, 1, &e), -EISDIR);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

START_TEST(v1_dispatch)
{
	struct cg_root r;
	struct cg g;
	struct ev_set s;
	struct ev_hit h[8];
	struct pollfd pfd[EV_MAX_WATCHES];
	struct mlab_err e = { "" };
	const char *root = fake_root("v1", &r, &g);
	int n;

	tu_write(tu_path("%s/memory.pressure_level", root), "");
	tu_write(tu_path("%s/cgroup.event_control", root), "");
	ev_init(&s);
	ck_assert(!ev_watch_oom(&s, &g, 0, &e));
	ck_assert(!ev_watch_threshold(&s, &g, 1, 4 * MIB, &e));
	ck_assert(!ev_watch_pressure(&s, &g, 2, "medium", &e));

	/* spurious wakeups: the eventfds are empty, EAGAIN, nothing */
	n = ready(&s, pfd, POLLIN);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 0);
	ck_assert_int_eq(s.n, 3);

	/* the counter is the number of notifications */
	eventfd_add(s.w[0].fd, 2);
	eventfd_add(s.w[2].fd, 1);
	n = ready(&s, pfd, POLLIN);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 2);
	assert_hit(&h[0], 0, "oom", 2);
	assert_hit(&h[1], 2, "pressure-medium", 1);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 0); /* read, so reset */

	/* a threshold: one hit per crossing, the value is the threshold;
	 * what does not fit stays for the next call */
	eventfd_add(s.w[1].fd, 3);
	n = ready(&s, pfd, POLLIN);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 2), 2);
	assert_hit(&h[0], 1, "threshold", 1);
	ck_assert_uint_eq(h[0].value, 4 * MIB);
	assert_hit(&h[1], 1, "threshold", 1);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 1);
	assert_hit(&h[0], 1, "threshold", 1);
	ck_assert_uint_eq(h[0].value, 4 * MIB);

	/* no room: the counter waits in the eventfd */
	eventfd_add(s.w[0].fd, 1);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 0), 0);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 1);
	assert_hit(&h[0], 0, "oom", 1);

	/* only what poll() reported is read */
	eventfd_add(s.w[0].fd, 1);
	eventfd_add(s.w[2].fd, 1);
	n = ready(&s, pfd, 0);
	pfd[2].revents = POLLIN;
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 1);
	assert_hit(&h[0], 2, "pressure-medium", 1);

	/* POLLERR / POLLNVAL: dropped quietly, the others keep their order */
	pfd[0].revents = POLLIN;
	pfd[1].revents = POLLERR;
	pfd[2].revents = 0;
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 1);
	assert_hit(&h[0], 0, "oom", 1);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.w[0].type, EV_OOM);
	ck_assert_int_eq(s.w[1].type, EV_PRESSURE);
	n = ready(&s, pfd, POLLNVAL);
	ck_assert_int_eq(ev_dispatch(&s, pfd, n, h, 8), 0);
	ck_assert_int_eq(s.n, 0);
	ev_close(&s);
}
END_TEST

/* --- kmsg records --------------------------------------------------------------- */

static int parse(const char *rec, char *buf, size_t len)
{
	return kmsg_parse(rec, strlen(rec), buf, len);
}

START_TEST(kmsg_records)
{
	char buf[256];

	ck_assert_int_eq(parse("6,1234,5678901,-;hello world\n", buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "hello world");
	/* continuation lines are metadata, not message */
	ck_assert_int_eq(parse("3,55,100,-;usb 1-1: new device\n SUBSYSTEM=usb\n DEVICE=c189:1\n",
			       buf, sizeof(buf)),
			 19);
	ck_assert_str_eq(buf, "usb 1-1: new device");
	/* more fields after the flags; a continuation flag */
	ck_assert_int_eq(parse("4,339,5140900,c,caller=T1;Memory cgroup out of memory\n", buf,
			       sizeof(buf)),
			 27);
	ck_assert_str_eq(buf, "Memory cgroup out of memory");
	/* the kernel's escapes: control bytes, bytes >= 0x7f, the backslash */
	ck_assert_int_eq(parse("6,1,2,-;a\\x09b\\x5cc\\x0ad\\xc3\\xA9\n", buf, sizeof(buf)), 9);
	ck_assert_str_eq(buf, "a\tb\\c\nd\xc3\xa9");
	/* what is no complete escape stays as it is */
	ck_assert_int_eq(parse("6,1,2,-;\\xZZ \\n \\x4", buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "\\xZZ \\n \\x4");
	/* no newline at all; an empty message; ';' inside the message */
	ck_assert_int_eq(parse("6,1,2,-;x;y", buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "x;y");
	ck_assert_int_eq(parse("6,1,2,-;\n", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	/* truncated to fit, always terminated */
	ck_assert_int_eq(parse("6,1,2,-;hello world\n", buf, 6), 5);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(parse("6,1,2,-;a\\x5cb\n", buf, 3), 2);
	ck_assert_str_eq(buf, "a\\");
	ck_assert_int_eq(parse("6,1,2,-;hello\n", buf, 1), 0);
	ck_assert_str_eq(buf, "");
	/* malformed */
	ck_assert_int_eq(parse("", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(parse("hello world\n", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(parse("x,1,2,-;m\n", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(parse("6,1,2;m\n", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(parse("6,1,2,;m\n", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(parse("6,,2,-;m\n", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(parse(" SUBSYSTEM=usb\n", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(parse("6,1,2,-;m\n", buf, 0), -EINVAL);
}
END_TEST

/* kmsg_next on a SOCK_SEQPACKET pair, which keeps record boundaries as
 * /dev/kmsg does: one record per read, malformed ones skipped, EAGAIN = 0. */
START_TEST(kmsg_next_records)
{
	static const char *const recs[] = { "6,10,100,-;first\n SUBSYSTEM=x\n", "garbage",
					    "4,12,300,-;third \\x28x\\x29\n" };
	struct kmsg k;
	char buf[64];
	int sv[2];

	ck_assert(!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv));
	k.fd = sv[0];
	ck_assert_int_eq(kmsg_next(&k, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(write(sv[1], recs[i], strlen(recs[i])), strlen(recs[i]));
	ck_assert_int_eq(kmsg_next(&k, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "first");
	ck_assert_int_eq(kmsg_next(&k, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "third (x)");
	ck_assert_int_eq(kmsg_next(&k, buf, sizeof(buf)), 0);
	kmsg_close(&k);
	ck_assert_int_eq(k.fd, -1);
	close(sv[1]);
	/* a read error other than EAGAIN/EPIPE comes back */
	k.fd = 1000;
	ck_assert_int_eq(kmsg_next(&k, buf, sizeof(buf)), -EBADF);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ev");
	TCase *tc;

	tu_init();
	tc = tu_case(s, "ev", 20);
	tcase_add_test(tc, v2_events_increases);
	tcase_add_test(tc, v2_events_missing);
	tcase_add_test(tc, v2_psi_triggers);
	tcase_add_test(tc, v2_psi_dispatch);
	tcase_add_test(tc, v2_psi_missing);
	tcase_add_test(tc, bad_levels);
	tcase_add_test(tc, threshold_v2_unsupported);
	tcase_add_test(tc, too_many_watches);
	tcase_add_test(tc, v1_registrations);
	tcase_add_test(tc, v1_registration_errors);
	tcase_add_test(tc, v1_dispatch);

	tc = tu_case(s, "kmsg", 0);
	tcase_add_test(tc, kmsg_records);
	tcase_add_test(tc, kmsg_next_records);

	return tu_suite_run(s);
}
