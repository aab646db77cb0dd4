/* A run: the lifetime of everything one harness invocation creates. It owns
 * the state file, the scratch tree <memory root>/memcg-lab/<run-id>/, shm
 * keys, private tmpfs mounts, scratch files and a temporary swap file; each
 * is recorded before it is made and undone by run_end (or, after a crash,
 * by `memcg-lab clean`). */
#ifndef MLAB_RUN_H
#define MLAB_RUN_H

#include <signal.h>

#include "cg.h"
#include "state.h"

#define RUN_TOP "memcg-lab" /* directory under the memory root */

struct run {
	struct state st;
	struct cg_root root;
	struct cg base; /* <root>/memcg-lab/<run-id> */
	unsigned next_key;
	unsigned nmounts;
	int sigs_installed;
	int oom_protected; /* oom_score_adj -1000 took effect */
};

/* Set when SIGINT/SIGTERM/SIGHUP arrive while a run is active. */
extern volatile sig_atomic_t run_interrupted;

/* Refuse without root (-EPERM) or a memory controller (-ENODEV), both with
 * a message saying so; then clean what dead runs left, protect the harness
 * (oom_score_adj -1000), start the state file and make the run's group. */
int run_begin(struct run *r, struct mlab_err *e);
/* A new group <base>/<name> (nested names allowed: "a/b"). */
int run_group(struct run *r, const char *name, struct cg *g, struct mlab_err *e);
/* A fresh SysV key nobody uses, recorded before the segment exists. */
int run_shm_key(struct run *r, uint64_t *key, struct mlab_err *e);
/* Mount a private tmpfs of @size; its directory goes to @dir. */
int run_tmpfs(struct run *r, uint64_t size, char *dir, size_t len, struct mlab_err *e);
/* Record a scratch file (removed at the end): /var/tmp/memcg-lab-<run>-<name>. */
int run_scratch_file(struct run *r, const char *name, char *path, size_t len,
		     struct mlab_err *e);
/* A file at a path the caller chose, recorded (removed at the end) only
 * when nothing is there yet: a file that already exists is never ours. */
int run_new_file(struct run *r, const char *path, struct mlab_err *e);
/* Undo everything; returns -EBUSY with the first failure if anything is left. */
int run_end(struct run *r, struct mlab_err *e);

/* Remove stale runs' leftovers (the `clean` command). */
int run_clean(struct clean_report *rep, struct mlab_err *e);

/* The memory guard: refuse a plan that needs more than half of
 * MemAvailable (read from @meminfo, normally /proc/meminfo). */
int guard_check(uint64_t plan_bytes, const char *meminfo, struct mlab_err *e);
/* The same with another share of MemAvailable: inside the VM runner's
 * disposable guest, scenarios that need the whole machine under pressure
 * may use up to 90 %. */
int guard_check_pct(uint64_t plan_bytes, unsigned pct, const char *meminfo, struct mlab_err *e);
int meminfo_get(const char *meminfo, const char *key, uint64_t *bytes);

/* Swap for a run. "none": leave swap as it is. "auto": use the free swap
 * there is if it covers @need, otherwise add a temporary swap file of @need.
 * SIZE: add a temporary swap file of SIZE. */
int swap_parse_mode(const char *s, uint64_t *size, int *mode, struct mlab_err *e);
enum { SWAP_NONE, SWAP_AUTO, SWAP_SIZE };
int run_swap(struct run *r, int mode, uint64_t size, uint64_t need, struct mlab_err *e);
/* What the machine swaps to now (the first of /proc/swaps): "zram", "file",
 * "partition", or "none". */
void swap_kind(char *buf, size_t len);

#endif
