/* Running a workload in a child process inside a group, and watching it:
 * its end through a pidfd (exit code or killing signal), whether it is
 * paused right now (D state, wchan), its progress in the shared region. */
#ifndef MLAB_WL_PROC_H
#define MLAB_WL_PROC_H

#include <sys/types.h>

#include "cg.h"
#include "wl.h"

struct wl_end {
	int ended;
	int exited; /* 1: exit code in code; 0: killed by signo */
	int code;
	int signo;
	uint64_t at_ns; /* CLOCK_MONOTONIC when the end was seen */
};

struct wl_proc {
	const struct wl_def *def;
	pid_t pid;
	int pidfd; /* -1 where the kernel has no pidfds */
	struct wl_shared *sh; /* MAP_SHARED, prefaulted by the parent */
	uint64_t started_ns;
	struct wl_end end;
};

/* Map and prefault the shared region, then start @d in a child that is in
 * @g (NULL: stays in the caller's group) before its first allocation:
 * clone3(CLONE_INTO_CGROUP) on v2, clone + cgroup.procs by the parent on v1
 * (the child waits for the parent's go). The child resets oom_score_adj to 0
 * and dies with its parent. Progress lines go to @out_fd (-1 = none). */
int wl_start(struct wl_proc *p, const struct wl_def *d, const struct wl_opts *o,
	     const struct cg *g, int out_fd, struct mlab_err *e);
/* Has it ended? Non-blocking; fills p->end. 1 = ended, 0 = running. */
int wl_poll_end(struct wl_proc *p);
/* Wait for the end, at most @timeout_ns: 0, -ETIMEDOUT, or -EINTR when a
 * signal arrived. */
int wl_wait_end(struct wl_proc *p, uint64_t timeout_ns, struct mlab_err *e);
/* Is the task paused right now by the memory controller: in D state,
 * sleeping in the memcg OOM handling (wchan mem_cgroup_oom_synchronize ...)?
 * Fills @wchan (may be NULL) with where it sleeps. 1 yes, 0 no, -errno. */
int wl_paused(const struct wl_proc *p, char *wchan, size_t len);
/* Send @sig (SIGUSR1 = "stop and finish") through the pidfd. */
int wl_signal(struct wl_proc *p, int sig);
/* Kill if still running, reap, unmap the region, close the pidfd. */
void wl_release(struct wl_proc *p);
/* "exited 0", "killed by SIGKILL", "running" */
const char *wl_end_str(const struct wl_end *end, char *buf, size_t len);

#endif
