/* Run state: every resource a run makes (group, shm key, tmpfs mount, swap
 * file, sysctl change, scratch file) is appended to the run's state file
 * *before* it is made. Whoever finds the state of a run that is no longer
 * alive (the next run, or `memcg-lab clean`) undoes exactly what is listed
 * there, and nothing else. */
#ifndef MLAB_STATE_H
#define MLAB_STATE_H

#include <linux/limits.h>
#include <sys/types.h>

#include "util.h"

#define STATE_DIR_DEFAULT "/run/memcg-lab"
#define RUN_ID_LEN 48

struct state {
	int fd;
	char dir[PATH_MAX];
	char path[PATH_MAX];
	char run_id[RUN_ID_LEN];
};

struct clean_report {
	int runs; /* state files undone */
	int alive; /* state files skipped: their run is still alive */
	int groups, shm, mounts, swaps, files, sysctls;
	int failed; /* undo steps that failed; the state file is kept */
	char first_error[MLAB_ERR_LEN];
};

/* $MEMCG_LAB_STATE_DIR, or /run/memcg-lab. */
const char *state_dir(void);

/* Create a new run's state file in @dir (made 0700 if missing). */
int state_begin(struct state *s, const char *dir, struct mlab_err *e);
/* What a record says was made; each kind has its tag in the file and its
 * undo (state.c's table). */
enum state_kind {
	STATE_RUN, /* "PID START": whose run it is (nothing to undo) */
	STATE_CGROUP, /* a group under <root>/memcg-lab/ */
	STATE_SHM, /* a SysV key */
	STATE_MOUNT, /* a private tmpfs mount point */
	STATE_DIR, /* an empty directory */
	STATE_FILE, /* a file */
	STATE_SWAPFILE, /* a swap file, maybe active */
	STATE_SYSCTL, /* "/proc/sys/PATH OLD-VALUE" to restore */
};
/* Append one record "TAG ARG..." and make it durable before returning. */
int state_record(struct state *s, struct mlab_err *e, enum state_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Undo everything this run recorded, then remove its state file. */
int state_end(struct state *s, struct clean_report *r, struct mlab_err *e);
/* Undo every run in @dir whose owner is no longer alive. */
int state_clean(const char *dir, struct clean_report *r, struct mlab_err *e);
/* Undo one state file (whatever its owner's state); removes it when every
 * step succeeded. */
int state_undo_file(const char *path, struct clean_report *r);

/* Is the process @pid with start time @start (clock ticks since boot, field
 * 22 of /proc/PID/stat) still running? */
int proc_alive(pid_t pid, unsigned long long start);
int proc_start_time(pid_t pid, unsigned long long *start);

/* The name under which a private tmpfs of run @run_id is mounted: undo
 * only ever unmounts a mount whose source carries this tag. */
#define STATE_MOUNT_TAG "memcg-lab"

#endif
