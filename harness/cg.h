/* cgroup memory-controller backend: one interface, a v1 and a v2 flavour.
 *
 * Callers speak portable names ("limit", "usage", "anon", "oom_kill" ...);
 * cg_names.c maps each to the file (and key) of the running cgroup version.
 * Version-specific files stay reachable by their raw names. Nothing here
 * prints or exits; errors are -errno plus a message in struct mlab_err. */
#ifndef MLAB_CG_H
#define MLAB_CG_H

#include <stdint.h>
#include <sys/types.h>
#include <linux/limits.h>

#include "util.h"

enum cg_version { CG_NONE = 0, CG_V1 = 1, CG_V2 = 2 };

/* Unlimited, as read back from "max" (v2) or 9223372036854771712 (v1). */
#define CG_UNLIMITED UINT64_MAX
/* What v1 prints for an unlimited page counter: PAGE_COUNTER_MAX * PAGE_SIZE. */
#define CG_V1_UNLIMITED 9223372036854771712ULL

/* Where the memory controller lives and how it is mounted. */
enum cg_layout { CG_LAYOUT_NONE, CG_LAYOUT_V1, CG_LAYOUT_V2, CG_LAYOUT_HYBRID };

struct cg_detect {
	enum cg_layout layout;
	enum cg_version memory;	  /* version that holds the memory controller */
	char v1_memory[PATH_MAX]; /* mount point of the v1 memory hierarchy */
	char v2_mount[PATH_MAX];  /* mount point of cgroup2, if any */
	char v2_opts[1024];	  /* its mount options ("rw,...,memory_recursiveprot") */
	int v2_has_memory;	  /* "memory" listed in the cgroup2 root's cgroup.controllers */
};

/* Read the mount table (normally /proc/self/mounts; injectable for tests)
 * and report the layout. Returns 0, or -ENOENT when no memory controller is
 * mounted (layout filled anyway). */
int cg_detect(const char *mounts_path, struct cg_detect *d, struct mlab_err *e);
const char *cg_layout_name(enum cg_layout l);
/* 1 when cgroup2 is mounted with option @opt (memory_recursiveprot ...). */
int cg_v2_mount_option(const struct cg_detect *d, const char *opt);

/* The root of the memory hierarchy that groups are created under. */
struct cg_root {
	enum cg_version ver;
	char path[PATH_MAX];
};

/* Open @path as a memory-controller root. The version comes from statfs
 * (cgroup or cgroup2 magic); on any other filesystem (a fake tree in a temp
 * dir) from the files present: cgroup.controllers means v2,
 * memory.limit_in_bytes means v1. */
int cg_root_open(struct cg_root *r, const char *path, struct mlab_err *e);
/* cg_detect + cg_root_open on the detected memory root. */
int cg_root_find(struct cg_root *r, struct mlab_err *e);

struct cg {
	const struct cg_root *root;
	char path[PATH_MAX]; /* absolute directory */
};

/* A handle on an existing group: @rel is relative to the root ("" = root). */
int cg_open(struct cg *g, const struct cg_root *r, const char *rel, struct mlab_err *e);
/* mkdir the group (parents must exist); on v2 also enable +memory in the
 * parent's cgroup.subtree_control when it is not there yet. */
int cg_create(struct cg *g, const struct cg_root *r, const char *rel, struct mlab_err *e);
/* rmdir the group and its descendants (deepest first). Tasks must be gone. */
int cg_destroy(const struct cg *g, struct mlab_err *e);

int cg_attach(const struct cg *g, pid_t pid, struct mlab_err *e);
/* Number of processes in the group (not its descendants); -errno on error. */
int cg_nr_procs(const struct cg *g, struct mlab_err *e);
/* SIGKILL every process of the group and its descendants (cgroup.kill where
 * the kernel has it), repeating until a pass finds none. */
int cg_kill_all(const struct cg *g, struct mlab_err *e);
/* Wait until the group and its descendants hold no process; -ETIMEDOUT. */
int cg_wait_empty(const struct cg *g, uint64_t timeout_ns, struct mlab_err *e);

/* --- portable names ------------------------------------------------------ */

enum cg_kind {
	CG_BYTES,  /* a byte count, "max"/v1-unlimited reads as CG_UNLIMITED */
	CG_COUNT,  /* an event or failure counter */
	CG_FLAG,   /* 0 or 1 */
	CG_NUMBER, /* any other number (swappiness) */
};

struct cg_name {
	const char *name; /* portable name */
	enum cg_kind kind;
	/* file, or "file:key" for a keyed file (memory.stat, memory.events,
	 * memory.oom_control); NULL = this version has no such thing */
	const char *v1;
	const char *v2;
	const char *doc; /* meaning, and how v1 and v2 differ */
};

extern const struct cg_name cg_names[];
extern const size_t cg_names_count;
const struct cg_name *cg_name_find(const char *name);
/* The file (or file:key) for @name on version @v, or NULL. */
const char *cg_name_file(const struct cg_name *n, enum cg_version v);

/* Read a portable name, or a raw file name ("memory.high"), or a raw
 * "file:key". Unsupported on this kernel: -EOPNOTSUPP with "not supported
 * here" in the message. */
int cg_get(const struct cg *g, const char *name, uint64_t *val, struct mlab_err *e);
/* Write a portable name or raw file. Values: a size ("5M"), a number, or
 * "max"/"-1"/"unlimited" for no limit. Kernel refusals come back as the
 * write's -errno (EINVAL, EBUSY ...) so callers can expect them. */
int cg_set(const struct cg *g, const char *name, const char *value, struct mlab_err *e);

/* Raw access to any file of the group. */
int cg_read_raw(const struct cg *g, const char *file, char *buf, size_t len, struct mlab_err *e);
int cg_write_raw(const struct cg *g, const char *file, const char *value, struct mlab_err *e);
/* One key of a "key value" file such as memory.stat; -ENOENT if absent. */
int cg_read_key(const struct cg *g, const char *file, const char *key, uint64_t *val,
		struct mlab_err *e);
/* Parse a "key value\n..." buffer. */
int cg_parse_key(const char *buf, const char *key, uint64_t *val);
/* Does the group have this file? */
int cg_has_file(const struct cg *g, const char *file);

#endif
