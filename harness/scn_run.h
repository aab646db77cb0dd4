/* Running one parsed scenario against the kernel: see scn_run.c. */
#ifndef MLAB_SCN_RUN_H
#define MLAB_SCN_RUN_H

#include "res.h"
#include "scn.h"

struct scn_opts {
	uint64_t sample_ns;  /* counter sampling period (default 20 ms) */
	uint64_t timeout_ns; /* overrides the scenario's own budget when set */
	const char *where;   /* "host" or "vm" (needs vm) */
	/* when set, nothing runs: every scenario is a SKIP with this reason (a
	 * guest whose kernel cannot give the cgroup version asked for) */
	const char *skip_all;
	/* called on every step, for a live progress line; may be NULL */
	void (*progress)(void *arg, const struct scn *s, const struct scn_step *st, double t_s);
	void *progress_arg;
};

/* Run @s in a run of its own (its groups, files, segments and mounts are
 * undone when it ends, whatever happens) and fill @out. Returns 0 when the
 * scenario could be judged (its verdict is in @out: pass, fail or skip), or
 * -errno with out->verdict = RES_ERROR and the reason in both @out and @e. */
int scn_run(const struct scn *s, const struct scn_opts *o, struct res_scenario *out,
	    struct mlab_err *e);

/* The most memory @s can take from the machine (what the guard judges):
 * per group its workloads' sizes, capped by the tightest limit on it or its
 * ancestors; page cache does not count (it is reclaimable). 0 = unbounded. */
uint64_t scn_plan_bytes(const struct scn *s);

/* Would @s run here? 0, or 1 with the reason it would be skipped. Checks
 * what can be known without creating anything (root, cgroup version,
 * kernel, memory, swap, vm, psi; not "needs file"). */
int scn_skip_reason(const struct scn *s, const char *where, char *why, size_t len);

#endif
