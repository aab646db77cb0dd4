/* Results of a run: the data model every writer reads. The engine fills it;
 * res_ktap.c prints KTAP on stdout, res_files.c writes results/<run-id>/
 * (meta.json, results.json, junit.xml, one timeline CSV per scenario).
 * Strings are fixed-size so that filling them never allocates; the growing
 * parts (expectations, events, kernel-log lines, samples) are arrays the
 * engine grows before a scenario starts or between steps, never in a
 * workload child. */
#ifndef MLAB_RES_H
#define MLAB_RES_H

#include <stdint.h>
#include <stdio.h>

#include "lat.h"

enum res_verdict { RES_PASS, RES_FAIL, RES_SKIP, RES_ERROR };
const char *res_verdict_name(enum res_verdict v); /* "pass", "fail", "skip", "error" */

struct res_expect {
	char text[256];		  /* the expectation as written: "a killed-by SIGKILL" */
	enum res_verdict verdict; /* PASS, FAIL, or SKIP (guarded out by a variant) */
	char observed[256];	  /* what was seen: "killed by SIGKILL", "4194304 (4M)" */
	int line;		  /* in the scenario file */
};

/* A measured figure (the measure step): a finding reported, not judged. */
struct res_figure {
	char name[64];
	double value;
	char unit[8]; /* "ms" */
	int line;     /* in the scenario file */
};

/* One notification (or one harness observation: start, exit, killed,
 * paused, resumed). Distinct notifications are distinct entries; only a
 * burst of pressure notifications is kept as one entry, with its count and
 * its first and last time. */
struct res_event {
	double t_s;	 /* seconds since the scenario started (the first, for a burst) */
	double t_last_s; /* the last of a burst; = t_s otherwise */
	char group[64];	 /* scenario name of the group */
	char kind[32];	 /* oom, oom_kill, max, high, low, threshold, pressure-low,
			  * pressure-medium, pressure-critical, start, exit, killed,
			  * paused, resumed */
	uint64_t count;	 /* occurrences it stands for (a counter's increase in one
			  * read, an eventfd counter, a burst); 1 for the harness's */
	uint64_t value;	 /* detail: exit code, killing signal, progress in bytes
			  * (paused, resumed), threshold crossed; else 0 */
};

/* Sampled counters: one row per sample and group. */
#define RES_NCOUNTERS 9
extern const char *const res_counter_names[RES_NCOUNTERS];
/* usage limit anon file shmem swap failcnt oom_kill under_oom; a counter
 * this kernel lacks is RES_NA */
#define RES_NA UINT64_MAX

struct res_sample {
	double t_s;
	int group; /* index into res_scenario.groups */
	uint64_t v[RES_NCOUNTERS];
};

/* One workload of a scenario: how it ended and its own step latencies. */
struct res_workload {
	char id[64];
	char type[16]; /* alloc, tmpfs, shm, mmap, pagecache */
	char group[64];
	char end[64]; /* "exited 0", "killed by SIGKILL", "running" */
	uint64_t bytes, steps;
	uint64_t rate_bps; /* measured throughput, 0 if not measured */
	struct lat_hist lat;
};

struct res_scenario {
	char name[64];
	char file[256]; /* the .scn path as given */
	char doc[256];
	enum res_verdict verdict;
	char reason[256]; /* why SKIP / ERROR, or the first failure */
	char variant[64]; /* the variant this kernel showed; "" if none declared */
	char variant_doc[256];
	double duration_s;

	struct res_expect *expects;
	int nexpects, cap_expects;
	struct res_figure *figures;
	int nfigures, cap_figures;
	struct res_event *events;
	int nevents, cap_events;
	char (*kmsg)[256]; /* kernel-log lines seen during the scenario */
	int nkmsg, cap_kmsg;

	char groups[16][64]; /* scenario names of its groups, for samples */
	int ngroups;
	struct res_sample *samples;
	int nsamples, cap_samples;

	struct lat_hist lat; /* all workloads' steps merged */
	struct res_workload *workloads;
	int nworkloads, cap_workloads;
	int flaky; /* repeated (--repeat) with more than one verdict */
};

/* The format of meta.json and results.json, written into both as "format".
 * Raise it when a reader of the old format would misread the new one;
 * compare and the report refuse a format they do not know. */
#define RES_FORMAT 1

struct res_meta {
	char run_id[64];
	char kernel[128];	/* uname -r */
	int cgroup_version;	/* 1 or 2 */
	char cgroup_layout[16]; /* v1, v2, hybrid */
	uint64_t mem_total;	/* bytes */
	uint64_t swap_total;	/* bytes, at the start of the run (after --swap) */
	char swap_mode[32];	/* as asked: auto, none, 256M */
	char swap_kind[16];	/* what it swaps to: zram, file, partition, none */
	/* the kernel facts that are run dimensions (kfact.h), as read at the start */
	struct {
		char name[32];
		uint64_t value;
	} facts[8];
	int nfacts;
	char version[32];    /* harness version */
	char start_time[32]; /* ISO 8601 UTC */
	char where[8];	     /* "host" or "vm" */
	int repeat;
	/* the harness process's own cost (not its workloads'), at the end:
	 * peak resident memory and CPU time; 0 when not measured */
	uint64_t harness_max_rss;
	double harness_cpu_s;
};

/* Read the run dimensions (the kernel facts marked so, and the swap kind)
 * into @m. A fact that cannot be read is left out. */
void res_meta_dimensions(struct res_meta *m);

struct res_run {
	struct res_meta meta;
	struct res_scenario *scenarios;
	int nscenarios, cap_scenarios;
};

/* Growing the arrays: a zeroed new element, or NULL when out of memory
 * (res_add_kmsg: 0 or -ENOMEM). */
struct res_scenario *res_add_scenario(struct res_run *r);
struct res_expect *res_add_expect(struct res_scenario *s);
struct res_event *res_add_event(struct res_scenario *s);
struct res_figure *res_add_figure(struct res_scenario *s);
int res_add_kmsg(struct res_scenario *s, const char *line);
struct res_sample *res_add_sample(struct res_scenario *s);
struct res_workload *res_add_workload(struct res_scenario *s);
void res_free(struct res_run *r);

/* Verdict stability over repetitions: for each scenario name, how many of
 * its runs gave each verdict; marks the scenarios whose verdict changed as
 * flaky (also in each res_scenario). Returns how many names it filled. */
struct res_stability {
	char name[64];
	int runs, verdicts[4]; /* indexed by enum res_verdict */
	int flaky;
};
int res_stability(struct res_run *r, struct res_stability *out, int max);

/* KTAP (https://docs.kernel.org/dev-tools/ktap.html) on @f: the header,
 * one test per scenario with one subtest per expectation (observed value
 * in the line), SKIP with its reason, the variant as a diagnostic, and a
 * last line "N passed, N failed, N skipped". */
void res_ktap_begin(FILE *f, int nscenarios);
void res_ktap_scenario(FILE *f, int index, const struct res_scenario *s);
void res_ktap_end(FILE *f, const struct res_run *r);

/* results/<run-id>/ under @dir: meta.json, results.json, junit.xml and
 * timeline-<scenario>.csv. Returns 0 or -errno. */
int res_write_dir(const char *dir, const struct res_run *r, char *errbuf, size_t errlen);

#endif
