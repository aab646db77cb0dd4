/* Memory-cgroup notifications (see ev.h).
 *
 * v1: one eventfd per registration, written as "<efd> <fd> [arg]" to the
 * group's cgroup.event_control; fd is the watched control file, kept open
 * (aux_fd) for as long as the registration lives. Reading the eventfd gives
 * the number of notifications since the last read. Closing the eventfd
 * unregisters (the kernel sees EPOLLHUP on it).
 *
 * v2: memory.events is a kernfs file with change notification: poll() says
 * POLLPRI (with POLLERR) once its counters changed after our last read, and
 * keeps saying so until we read it again. A PSI trigger is a write of
 * "some|full <stall us> <window us>" to an O_RDWR memory.pressure fd; the
 * trigger lives as long as the fd and poll() reports each firing once as
 * POLLPRI (the poll itself consumes it).
 *
 * Removal of the group: v2 files answer POLLERR and reads fail with ENODEV;
 * v1 signals every registered eventfd one last time, and a read of the kept
 * control file fails with ENODEV. Either way the watch is dropped quietly. */
#define _GNU_SOURCE
#include "ev.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* The memory.events counters reported, in ev_watch.last[] order. */
static const char *const v2_keys[] = { "low", "high", "max", "oom", "oom_kill", "oom_group_kill" };
#define V2_NKEYS (sizeof(v2_keys) / sizeof(v2_keys[0]))
_Static_assert(V2_NKEYS <= sizeof(((struct ev_watch *)0)->last) /
				   sizeof(((struct ev_watch *)0)->last[0]),
	       "ev_watch.last too small");

/* PSI watches keep the wakeups they could not report yet (no room in the
 * caller's hit array) in last[0]: the poll that saw them consumed them. */
#define PSI_PENDING 0

struct level {
	const char *name;
	const char *psi; /* v2 trigger */
};

static const struct level levels[] = {
	{ "low", "some 50000 1000000" },
	{ "medium", "some 150000 1000000" },
	{ "critical", "full 100000 1000000" },
};

/* Pressure events are named apart from memory.events' own "low". */
static void level_kind(char *out, size_t len, const char *level)
{
	snprintf(out, len, "pressure-%s", level);
}

void ev_init(struct ev_set *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < EV_MAX_WATCHES; i++) {
		s->w[i].fd = -1;
		s->w[i].aux_fd = -1;
	}
}

static void watch_close(struct ev_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->aux_fd >= 0)
		close(w->aux_fd);
	w->fd = -1;
	w->aux_fd = -1;
}

void ev_close(struct ev_set *s)
{
	for (int i = 0; i < s->n; i++)
		watch_close(&s->w[i]);
	ev_init(s);
}

/* The next free watch, zeroed, or NULL with -ENOSPC in @e. */
static struct ev_watch *watch_new(struct ev_set *s, enum ev_type type, int group,
				  struct mlab_err *e)
{
	struct ev_watch *w;

	if (s->n >= EV_MAX_WATCHES) {
		err_set(e, ENOSPC, "too many event watches (at most %d)", EV_MAX_WATCHES);
		return NULL;
	}
	w = &s->w[s->n];
	memset(w, 0, sizeof(*w));
	w->type = type;
	w->group = group;
	w->fd = -1;
	w->aux_fd = -1;
	return w;
}

static int group_file(const struct cg *g, const char *file, char *out, size_t len,
		      struct mlab_err *e)
{
	int n = snprintf(out, len, "%s/%s", g->path, file);

	if (n < 0 || (size_t)n >= len)
		return err_set(e, ENAMETOOLONG, "path too long: %s/%s", g->path, file);
	return 0;
}

static const struct level *level_find(const char *name, struct mlab_err *e)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (name && !strcmp(name, levels[i].name))
			return &levels[i];
	err_set(e, EINVAL, "unknown pressure level '%s' (low, medium or critical)",
		name ? name : "(null)");
	return NULL;
}

/* --- v1: cgroup.event_control ------------------------------------------- */

/* Register an eventfd on @file of @g; @arg is appended to the control line
 * (threshold, level) when not NULL. Fills and commits the next watch. */
static int v1_register(struct ev_set *s, const struct cg *g, int group, enum ev_type type,
		       const char *file, const char *arg, struct mlab_err *e)
{
	char path[PATH_MAX + 64], ctl[PATH_MAX + 64], line[128];
	struct ev_watch *w = watch_new(s, type, group, e);
	int efd, afd, ret;

	if (!w)
		return -ENOSPC;
	ret = group_file(g, file, path, sizeof(path), e);
	if (!ret)
		ret = group_file(g, "cgroup.event_control", ctl, sizeof(ctl), e);
	if (ret)
		return ret;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return err_set(e, errno, "eventfd: %s", strerror(errno));
	afd = open(path, O_RDONLY | O_CLOEXEC);
	if (afd < 0) {
		ret = err_set(e, errno, "%s: %s", path, strerror(errno));
		close(efd);
		return ret;
	}
	snprintf(line, sizeof(line), "%d %d%s%s", efd, afd, arg ? " " : "", arg ? arg : "");
	ret = write_file(ctl, line);
	if (ret) {
		err_set(e, -ret, "register '%s' for %s in %s: %s", line, file, ctl,
			strerror(-ret));
		close(afd);
		close(efd);
		return ret;
	}
	w->fd = efd;
	w->aux_fd = afd;
	w->events = POLLIN;
	s->n++;
	return 0;
}

/* --- v2: memory.events, memory.pressure --------------------------------- */

/* Read memory.events from offset 0 into @v (keys absent on this kernel stay
 * 0). 0, or -errno of the read (ENODEV: the group is gone). */
static int v2_read_events(int fd, uint64_t *v)
{
	char buf[1024];
	ssize_t n;

	do
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	for (size_t i = 0; i < V2_NKEYS; i++) {
		uint64_t val;
		v[i] = cg_parse_key(buf, v2_keys[i], &val) ? 0 : val;
	}
	return 0;
}

static int v2_watch_events(struct ev_set *s, const struct cg *g, int group, struct mlab_err *e)
{
	char path[PATH_MAX + 64];
	struct ev_watch *w = watch_new(s, EV_OOM, group, e);
	int fd, ret;

	if (!w)
		return -ENOSPC;
	ret = group_file(g, "memory.events", path, sizeof(path), e);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "%s: %s", path, strerror(errno));
	/* the starting point; the read also arms the change notification */
	ret = v2_read_events(fd, w->last);
	if (ret) {
		close(fd);
		return err_set(e, -ret, "read %s: %s", path, strerror(-ret));
	}
	memcpy(w->base, w->last, sizeof(w->base));
	w->aux_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->aux_fd < 0) {
		ret = err_set(e, errno, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	w->fd = fd;
	w->events = POLLPRI;
	s->n++;
	return 0;
}

static int v2_watch_psi(struct ev_set *s, const struct cg *g, int group, const struct level *l,
			struct mlab_err *e)
{
	char path[PATH_MAX + 64];
	struct ev_watch *w = watch_new(s, EV_PRESSURE, group, e);
	size_t len = strlen(l->psi) + 1; /* with the NUL, as psi.rst writes it */
	ssize_t n;
	int fd, ret;

	if (!w)
		return -ENOSPC;
	ret = group_file(g, "memory.pressure", path, sizeof(path), e);
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == EOPNOTSUPP)
			return err_set(e, EOPNOTSUPP,
				       "no PSI for %s (memory.pressure: %s): not supported here",
				       g->path, strerror(errno));
		return err_set(e, errno, "%s: %s", path, strerror(errno));
	}
	do
		n = write(fd, l->psi, len);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len) {
		int err = n < 0 ? errno : EIO;
		close(fd);
		if (err == EOPNOTSUPP)
			return err_set(e, EOPNOTSUPP, "PSI is disabled: not supported here");
		return err_set(e, err, "PSI trigger '%s' on %s: %s", l->psi, path, strerror(err));
	}
	w->fd = fd;
	w->events = POLLPRI;
	level_kind(w->level, sizeof(w->level), l->name);
	s->n++;
	return 0;
}

/* --- registrations ------------------------------------------------------ */

int ev_watch_oom(struct ev_set *s, const struct cg *g, int group, struct mlab_err *e)
{
	if (g->root->ver == CG_V2)
		return v2_watch_events(s, g, group, e);
	return v1_register(s, g, group, EV_OOM, "memory.oom_control", NULL, e);
}

int ev_watch_threshold(struct ev_set *s, const struct cg *g, int group, uint64_t bytes,
		       struct mlab_err *e)
{
	char arg[32];
	int ret;

	if (g->root->ver == CG_V2)
		return err_set(e, EOPNOTSUPP,
			       "usage thresholds are cgroup v1 only: not supported here");
	snprintf(arg, sizeof(arg), "%" PRIu64, bytes);
	ret = v1_register(s, g, group, EV_THRESHOLD, "memory.usage_in_bytes", arg, e);
	if (!ret)
		s->w[s->n - 1].threshold = bytes;
	return ret;
}

int ev_watch_pressure(struct ev_set *s, const struct cg *g, int group, const char *level,
		      struct mlab_err *e)
{
	const struct level *l = level_find(level, e);
	int ret;

	if (!l)
		return -EINVAL;
	if (g->root->ver == CG_V2)
		return v2_watch_psi(s, g, group, l, e);
	ret = v1_register(s, g, group, EV_PRESSURE, "memory.pressure_level", l->name, e);
	if (!ret)
		level_kind(s->w[s->n - 1].level, sizeof(s->w[0].level), l->name);
	return ret;
}

int ev_pollfds(const struct ev_set *s, struct pollfd *pfd)
{
	for (int i = 0; i < s->n; i++) {
		pfd[i].fd = s->w[i].fd;
		pfd[i].events = s->w[i].events;
		pfd[i].revents = 0;
	}
	return s->n;
}

/* --- dispatch ----------------------------------------------------------- */

static void hit(struct ev_hit *h, const struct ev_watch *w, const char *kind, uint64_t count,
		uint64_t value)
{
	h->group = w->group;
	snprintf(h->kind, sizeof(h->kind), "%s", kind);
	h->count = count;
	h->value = value;
	h->burst = w->type == EV_PRESSURE;
}

/* Is the group of a v1 watch gone? Its control file then reads ENODEV
 * (memory.pressure_level reads EINVAL while it exists). */
static int v1_gone(const struct ev_watch *w)
{
	char buf[256];

	return pread(w->aux_fd, buf, sizeof(buf), 0) < 0 && errno == ENODEV;
}

/* Returns the hits added (n), or -1 - n to add n and drop the watch. */
static int v1_dispatch(struct ev_watch *w, short revents, struct ev_hit *h, int room)
{
	uint64_t cnt;
	int n = 0, gone;

	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		return -1;
	if (room < 1)
		return 0; /* the counter waits in the eventfd: poll fires again */
	if (read(w->fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return errno == EAGAIN || errno == EINTR ? 0 : -1; /* spurious wakeup */
	/* the removal of the group signals once more: that one is no event */
	gone = v1_gone(w);
	if (gone)
		cnt--;
	if (cnt) {
		switch (w->type) {
		case EV_OOM:
			hit(&h[n++], w, "oom", cnt, 0);
			break;
		case EV_PRESSURE:
			hit(&h[n++], w, w->level, cnt, 0);
			break;
		case EV_THRESHOLD:
			/* one hit per crossing; what does not fit goes back */
			while (cnt && n < room) {
				hit(&h[n++], w, "threshold", 1, w->threshold);
				cnt--;
			}
			if (cnt && !gone && write(w->fd, &cnt, sizeof(cnt)) != sizeof(cnt))
				return n;
			break;
		}
	}
	return gone ? -1 - n : n;
}

static int v2_events_dispatch(struct ev_watch *w, short revents, struct ev_hit *h, int room)
{
	uint64_t v[V2_NKEYS];
	int n = 0;

	/* POLLERR comes with every change of a kernfs file: not an error here */
	if (revents & POLLNVAL)
		return -1;
	if (room < (int)V2_NKEYS)
		return 0; /* unread, the file stays "changed" and poll fires again */
	if (v2_read_events(w->fd, v))
		return -1; /* ENODEV: the group is gone */
	for (size_t i = 0; i < V2_NKEYS; i++) {
		if (v[i] > w->last[i])
			hit(&h[n++], w, v2_keys[i], v[i] - w->last[i], 0);
		w->last[i] = v[i];
	}
	return n;
}

static int v2_psi_dispatch(struct ev_watch *w, short revents, struct ev_hit *h, int room)
{
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		return -1; /* the group (or PSI) is gone */
	if (revents & POLLPRI)
		w->last[PSI_PENDING]++;
	if (!w->last[PSI_PENDING] || room < 1)
		return 0;
	hit(h, w, w->level, w->last[PSI_PENDING], 0);
	w->last[PSI_PENDING] = 0;
	return 1;
}

int ev_dispatch(struct ev_set *s, const struct pollfd *pfd, int npfd, struct ev_hit *hits,
		int max)
{
	int nhits = 0, j, k;

	for (j = 0; j < npfd; j++) {
		struct ev_watch *w = NULL;
		int got;

		if (!pfd[j].revents || pfd[j].fd < 0)
			continue;
		for (k = 0; k < s->n; k++)
			if (s->w[k].fd == pfd[j].fd) {
				w = &s->w[k];
				break;
			}
		if (!w)
			continue; /* dropped already, or not ours */
		if (w->events == POLLIN)
			got = v1_dispatch(w, pfd[j].revents, hits + nhits, max - nhits);
		else if (w->type == EV_OOM)
			got = v2_events_dispatch(w, pfd[j].revents, hits + nhits, max - nhits);
		else
			got = v2_psi_dispatch(w, pfd[j].revents, hits + nhits, max - nhits);
		if (got < 0) {
			/* -1 - n: n hits, then drop */
			nhits += -1 - got;
			watch_close(w);
		} else {
			nhits += got;
		}
	}
	/* compact: the dropped watches go, the order of the others stays */
	for (j = k = 0; j < s->n; j++) {
		if (s->w[j].fd < 0)
			continue;
		if (k != j)
			s->w[k] = s->w[j];
		k++;
	}
	for (j = k; j < s->n; j++) {
		memset(&s->w[j], 0, sizeof(s->w[j]));
		s->w[j].fd = -1;
		s->w[j].aux_fd = -1;
	}
	s->n = k;
	return nhits;
}

int ev_counter(const struct ev_set *s, int group, const char *kind, uint64_t *n)
{
	for (int i = 0; i < s->n; i++) {
		const struct ev_watch *w = &s->w[i];
		uint64_t v[V2_NKEYS];
		int ret;

		if (w->group != group || w->type != EV_OOM || w->events != POLLPRI)
			continue;
		for (size_t k = 0; k < V2_NKEYS; k++) {
			if (strcmp(kind, v2_keys[k]))
				continue;
			ret = v2_read_events(w->aux_fd, v);
			if (ret)
				return ret;
			*n = v[k] - w->base[k];
			return 0;
		}
	}
	return -ENOENT;
}
