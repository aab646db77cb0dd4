/* Workload generators: each is a function with an options table. The harness
 * runs one in a child that is already inside its group; by hand it runs in
 * the calling process (`memcg-lab workload NAME [options]`).
 *
 * Progress and latency go to struct wl_shared, a MAP_SHARED region the
 * harness maps and prefaults before the fork: the child only writes pages
 * that are already present, so the region is never charged to the group
 * under test and it survives the child being OOM-killed. */
#ifndef MLAB_WL_H
#define MLAB_WL_H

#include <linux/limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lat.h"
#include "util.h"

enum wl_phase {
	WL_STARTING = 0, /* forked, not yet working */
	WL_RUNNING, /* allocating / writing / reading */
	WL_HOLDING, /* done filling, holding until told */
	WL_DONE, /* finished, about to exit 0 */
	WL_FAILED, /* gave up: err / errmsg say why */
};
const char *wl_phase_name(enum wl_phase p);

#define WL_MAGIC 0x6d636c62u

struct wl_shared {
	uint32_t magic;
	_Atomic uint32_t phase; /* enum wl_phase */
	_Atomic uint64_t bytes; /* bytes allocated / written / read so far */
	_Atomic uint64_t steps; /* completed steps */
	_Atomic uint64_t rate_bps; /* measured throughput at the end (pagecache, tmpfs) */
	_Atomic int32_t shm_id; /* shm: the segment id, -1 before shmget */
	int32_t err; /* errno of a failure */
	char errmsg[256];
	struct lat_hist lat; /* per-step latency */
};

/* Everything a workload can be told; each workload's table says which
 * fields it reads and their defaults. */
struct wl_opts {
	uint64_t size; /* bytes to reach; 0 = forever (alloc only) */
	uint64_t step; /* bytes per step */
	uint64_t rate; /* bytes per second; 0 = as fast as possible */
	uint64_t block; /* read() size (pagecache) */
	uint64_t passes; /* read passes (pagecache) */
	uint64_t key; /* SysV key (shm); 0 = IPC_PRIVATE */
	bool hold; /* hold what was made until told (SIGUSR1/SIGTERM/SIGINT) */
	bool remove; /* delete the file / IPC_RMID the segment before exiting */
	bool thp; /* allow transparent huge pages (alloc) */
	bool drop; /* drop the file from the page cache before each pass (pagecache) */
	bool data; /* pagecache: write the bytes of the file it makes (else sparse) */
	bool write; /* pagecache: write the file (dirty page cache) instead of reading */
	uint64_t files; /* tmpfs: spread --size over this many files (inodes, dentries) */
	uint64_t procs; /* forker: children alive at once */
	uint64_t count; /* dentries, threads, sockets: how many */
	bool oom_exempt; /* oom_score_adj -1000: the OOM killer passes it over */
	bool populate;	 /* alloc: --size in one madvise(MADV_POPULATE_WRITE) */
	bool quiet; /* no progress lines */
	bool private_mount; /* tmpfs: the harness mounts a private tmpfs for the file */
	char path[PATH_MAX]; /* a directory or file, per workload */
};

enum wl_opt_type { WL_SIZE, WL_RATE, WL_UINT, WL_FLAG, WL_PATH };

struct wl_opt {
	const char *name; /* long option without "--" */
	enum wl_opt_type type;
	size_t offset; /* into struct wl_opts */
	const char *def; /* default as text, NULL = none/off */
	const char *help;
};

/* What a workload sees while it runs. */
struct wl_ctx {
	struct wl_shared *sh;
	int out_fd; /* progress lines go here; -1 = silent */
	int stop; /* set when told to stop */
};

struct run;

struct wl_def {
	const char *name;
	const char *summary;
	const struct wl_opt *opts; /* terminated by { NULL } */
	/* Check options that only make sense together (size needed ...). */
	int (*check)(const struct wl_opts *o, struct mlab_err *e);
	/* Run to the end. Returns 0, or -errno with sh->errmsg filled. */
	int (*run)(const struct wl_opts *o, struct wl_ctx *c);
	/* Memory the plan needs (for the guard); 0 = unbounded. */
	uint64_t (*need)(const struct wl_opts *o);
	/* Before the start, in the harness and outside every group: make what
	 * the workload will use (a shm key, a private tmpfs, a scratch file),
	 * each recorded in run @r before it exists, and fill @o with it. @id
	 * names them within the run. NULL: nothing to make. */
	int (*prepare)(struct wl_opts *o, struct run *r, const char *id, struct mlab_err *e);
};

extern const struct wl_def wl_alloc, wl_tmpfs, wl_shm, wl_mmap, wl_pagecache, wl_forker,
    wl_dentries, wl_threads, wl_sockets;
extern const struct wl_def *const wl_all[];

const struct wl_def *wl_find(const char *name);
/* Fill @o with the defaults of @d. */
int wl_defaults(const struct wl_def *d, struct wl_opts *o, struct mlab_err *e);
/* Set one option by name ("size", "rate" ...) from text. */
int wl_set_opt(const struct wl_def *d, struct wl_opts *o, const char *name, const char *value,
	       struct mlab_err *e);

void wl_shared_init(struct wl_shared *sh);

/* --- helpers the workloads share (wl_common.c) ---------------------------- */

/* Block SIGUSR1/SIGTERM/SIGINT so they are taken at step boundaries only. */
void wl_signals_block(void);
/* Pace to @deadline_ns (CLOCK_MONOTONIC) while listening for stop signals;
 * returns 1 if told to stop. */
int wl_pace(struct wl_ctx *c, uint64_t deadline_ns);
/* Non-blocking check for a stop signal. */
int wl_told(struct wl_ctx *c);
/* Hold until told (phase HOLDING meanwhile). */
void wl_hold(struct wl_ctx *c);
/* Progress line to c->out_fd (no stdio: the child may die at any moment). */
void wl_say(struct wl_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record failure in the shared region and return -err. */
int wl_fail(struct wl_ctx *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Touch every page of [p, p+len) with a non-zero byte pattern. */
void wl_touch(void *p, size_t len);
/* A step that began at @t_step is done and @done bytes are: record its
 * latency and the progress. */
void wl_step_record(struct wl_ctx *c, uint64_t t_step, uint64_t done);
/* Wait for the next step's turn at --rate (from @t0), or just look for a
 * stop signal when unpaced. 1 = told to stop. */
int wl_step_pace(struct wl_ctx *c, const struct wl_opts *o, uint64_t t0, uint64_t done);
/* Both, for a workload with nothing to say in between. */
int wl_step_done(struct wl_ctx *c, const struct wl_opts *o, uint64_t t0, uint64_t t_step,
		 uint64_t done);
/* Deadline of step @i at @rate bytes/s from @t0 (0 rate = now). */
uint64_t wl_step_deadline(uint64_t t0, uint64_t done_bytes, uint64_t rate);

/* pagecache: make sure @path holds at least @size bytes, extending it if it
 * is missing or short: with @data by writing them, then pushing them out of
 * the page cache (fsync + POSIX_FADV_DONTNEED) so that the next reader is
 * its first toucher; else as a hole (ftruncate), which a reader gets as
 * zeroed page cache without any disk I/O, charged the same. *created says
 * whether the file is new. */
int wl_pagecache_prepare(const char *path, uint64_t size, int data, int *created,
			 struct mlab_err *e);

#endif
