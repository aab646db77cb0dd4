/* Memory-cgroup notifications, event-driven: v1 eventfds registered through
 * cgroup.event_control (memory.oom_control, usage thresholds,
 * memory.pressure_level), v2 memory.events change notifications and PSI
 * triggers on memory.pressure. Every registration exposes a file descriptor
 * to poll(); ev_dispatch turns what became readable into events. */
#ifndef MLAB_EV_H
#define MLAB_EV_H

#include <poll.h>
#include <stdint.h>

#include "cg.h"

#define EV_MAX_WATCHES 32

enum ev_type {
	EV_OOM, /* v1 oom_control eventfd; v2: memory.events changes (oom, oom_kill, max, high) */
	EV_THRESHOLD, /* v1 usage_in_bytes threshold */
	EV_PRESSURE, /* v1 pressure_level low|medium|critical; v2 PSI trigger */
};

struct ev_watch {
	enum ev_type type;
	int fd; /* what to poll (eventfd, memory.events, memory.pressure) */
	short events; /* POLLIN or POLLPRI */
	int group; /* caller's index of the group */
	char level[32]; /* pressure event kind (pressure-LEVEL), or "" */
	uint64_t threshold; /* bytes, for EV_THRESHOLD */
	uint64_t last[8]; /* v2: last memory.events counters, to report increases;
			   * PSI: last[0] = firings not reported yet (no room) */
	uint64_t base[8]; /* v2: memory.events counters when the watch began */
	int aux_fd; /* v1: the watched control file, kept open; v2 memory.events:
		     * a second open file for counter reads (ev_counter), so that
		     * reading the counters never consumes a pending notification */
};

struct ev_set {
	struct ev_watch w[EV_MAX_WATCHES];
	int n;
};

/* One notification as ev_dispatch reports it. */
struct ev_hit {
	int group;
	char kind[32]; /* oom | oom_kill | oom_group_kill | max | high | low (v2
			* memory.events keys), threshold, pressure-low |
			* pressure-medium | pressure-critical */
	uint64_t count; /* occurrences it stands for: the eventfd counter, the
			 * counter's increase, or PSI firings */
	uint64_t value; /* the threshold in bytes, else 0 */
	int burst; /* pressure: comes in bursts, may be kept as one entry */
};

void ev_init(struct ev_set *s);
/* OOM: on v1 an eventfd on memory.oom_control; on v2 memory.events, whose
 * counters (oom, oom_kill, max, high) are reported as they grow. */
int ev_watch_oom(struct ev_set *s, const struct cg *g, int group, struct mlab_err *e);
/* v1 only: usage crossing @bytes, in either direction. v2: -EOPNOTSUPP. */
int ev_watch_threshold(struct ev_set *s, const struct cg *g, int group, uint64_t bytes,
		       struct mlab_err *e);
/* @level is low, medium or critical. v1: memory.pressure_level; v2: a PSI
 * trigger on memory.pressure (low: some 50ms/1s, medium: some 150ms/1s,
 * critical: full 100ms/1s; -EOPNOTSUPP without PSI). */
int ev_watch_pressure(struct ev_set *s, const struct cg *g, int group, const char *level,
		      struct mlab_err *e);
/* Fill @pfd (room for EV_MAX_WATCHES) with what to poll; returns the count. */
int ev_pollfds(const struct ev_set *s, struct pollfd *pfd);
/* After poll(): read what is ready, append up to @max hits. Returns the
 * number of hits. Never blocks; what finds no room stays for a later call.
 * A watch whose group went away (POLLERR/POLLHUP, ENODEV) is dropped
 * quietly and s->n shrinks: fill @pfd with ev_pollfds before every poll(). */
int ev_dispatch(struct ev_set *s, const struct pollfd *pfd, int npfd, struct ev_hit *hits,
		int max);
/* The authority for counts: how often @kind happened in @group since its
 * watch began, read from the counter file now (v2 memory.events; a
 * notification may still be in flight, the counter is not). -ENOENT when
 * @kind has no counter file here (v1 eventfds, PSI, thresholds: their
 * notifications are exact counts already), -ENODEV when the group is gone. */
int ev_counter(const struct ev_set *s, int group, const char *kind, uint64_t *n);
void ev_close(struct ev_set *s);

#endif
