/* The scenario engine's insides, shared by its parts: the step loop and
 * records (scn_run.c), the steps (scn_step.c), condition evaluation
 * (scn_cond.c) and the unit tests, which build an engine over a fake
 * cgroup tree. Not for other callers: they use scn_run.h. */
#ifndef MLAB_SCN_ENG_H
#define MLAB_SCN_ENG_H

#include "ev.h"
#include "kmsg.h"
#include "res.h"
#include "run.h"
#include "scn.h"
#include "scn_run.h"
#include "wl.h"
#include "wl_proc.h"

#define CHECK_NS 5000000ULL /* conditions are re-checked at least every 5 ms */
/* memory.stat is folded in lazily (per-CPU batches; a flush at most every
 * 2 s): a comparison that reads it may wait this long to hold */
#define STAT_SETTLE_NS 3000000000ULL
#define MAX_VARS       32

struct eng_group {
	char name[SCN_NAME];
	struct cg cg;
	int alive;
};

struct eng_wl {
	char id[SCN_NAME];
	const struct wl_def *def;
	struct wl_opts o;
	struct wl_proc p;
	int group;
	int started, end_logged;
	int paused;	    /* seen paused, for paused/resumed events */
	uint64_t paused_at; /* its progress when it paused */
	uint64_t shm_key;
};

struct eng {
	const struct scn *s;
	const struct scn_opts *o;
	struct res_scenario *res;
	struct run run;
	struct eng_group g[16];
	int ng;
	struct eng_wl w[16];
	int nw;
	struct {
		char name[SCN_NAME];
		uint64_t v;
	} vars[MAX_VARS];
	int nvars;
	struct {
		char name[SCN_NAME];
		int fd; /* -1: the open failed */
	} opens[8];	/* open NAME GROUP FILE */
	int nopens;
	struct ev_set ev;
	struct kmsg km;
	int have_kmsg;
	uint64_t t0, next_sample, sample_ns;
	int last_errno, tried;
	int variant;	     /* index into s->variants, -1 none */
	char last_pick[200]; /* what the last pick that did not match saw */
	int aborted;	     /* a wait timed out or a step failed: stop here */
	int skipped;
};

/* lookups by name; NULL / -1 when there is none */
struct eng_group *eng_group(struct eng *g, const char *name);
int eng_group_index(struct eng *g, const char *name);
struct eng_wl *eng_wl(struct eng *g, const char *id);
/* the descriptor of open file @name, or -1 */
int eng_open_fd(const struct eng *g, const char *name);
/* seconds since the scenario began, now and at @ns */
double eng_since(const struct eng *g);
double eng_at_s(const struct eng *g, uint64_t ns);
/* what the kernel logged since the last look, into the results */
void eng_drain_kmsg(struct eng *g);

/* Wait for anything (event notifications, the kernel log, workload ends)
 * until @until (CLOCK_MONOTONIC ns), record it, sample the counters if due. */
void eng_pump(struct eng *g, uint64_t until);
/* Record one notification or observation of @group (burst: pressure
 * notifications, merged with a recent entry of the same kind). */
void eng_event(struct eng *g, const char *group, const char *kind, uint64_t count, uint64_t value,
	       int burst);
/* Record workload ends, pauses and resumptions seen since the last look. */
void eng_note_ends(struct eng *g);
/* Record the verdict of step @st with what was observed. */
struct res_expect *eng_expectation(struct eng *g, const struct scn_step *st, int pass,
				   const char *obs);
/* A step that could not be carried out: "file:line: step: reason" into
 * @e, the scenario stops there; returns -EIO. */
int eng_step_error(struct eng *g, const struct scn_step *st, struct mlab_err *e);
/* Carry out step @st (scn_step.c). */
int scn_step_run(struct eng *g, const struct scn_step *st, struct mlab_err *e);

/* The value of an expression now: 0, or -errno with the reason in @e
 * (-ENOENT: a group or workload that is not there, or not yet). */
int scn_expr_value(struct eng *g, const struct scn_expr *x, uint64_t *out, struct mlab_err *e);
/* Evaluate a condition: 1 holds, 0 does not, -errno could not be evaluated
 * (with the reason in @e). @obs gets what was observed; *@settled says
 * whether the outcome can no longer change (a wait that cannot succeed any
 * more ends at once; an event expectation waits until it is settled). */
int scn_cond_eval(struct eng *g, const struct scn_cond *c, char *obs, size_t len, int *settled,
		  struct mlab_err *e);
/* Does the comparison @c read memory.stat (a portable counter kept there
 * on this cgroup version, or a raw memory.stat:KEY)? */
int scn_cond_reads_stat(const struct eng *g, const struct scn_cond *c);

#endif
