/* dentries: look up --count names that do not exist in --dir. Each lookup
 * leaves a negative dentry in the dcache, charged to the group as
 * reclaimable slab; nothing is created. The directory must be on a disk
 * filesystem: tmpfs and ramfs (the VM's root) keep no negative dentries. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wl.h"

#define OPT(f) offsetof(struct wl_opts, f)

static const struct wl_opt dentries_opts[] = {
    {"count", WL_UINT, OPT(count), "10000", "names to look up"},
    {"dir", WL_PATH, OPT(path), "/var/tmp", "where (a disk filesystem)"},
    {"hold", WL_FLAG, OPT(hold), NULL, "after the lookups, stay until told"},
    {"quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines"},
    {NULL},
};

static int dentries_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->count || o->count > 10000000)
		return err_set(e, EINVAL, "--count must be 1 to 10000000");
	return 0;
}

static uint64_t dentries_need(const struct wl_opts *o)
{
	return o->count * 256; /* a dentry and its name, roughly */
}

static int dentries_run(const struct wl_opts *o, struct wl_ctx *c)
{
	uint64_t t0 = now_ns(), i;
	struct stat st;
	char name[PATH_MAX + 96];

	errno = 0;
	if (stat(o->path, &st) || !S_ISDIR(st.st_mode))
		return wl_fail(c, errno ? errno : ENOTDIR, "--dir %s: not a directory", o->path);
	atomic_store(&c->sh->phase, WL_RUNNING);
	for (i = 0; i < o->count && !wl_told(c); i++) {
		uint64_t t1 = now_ns();
		/* a long name, so that it is stored outside the dentry too */
		snprintf(name, sizeof(name),
			 "%s/.memcg-lab-absent-%d-%llu-xxxxxxxxxxxxxxxxxxxxxxxx", o->path,
			 (int)getpid(), (unsigned long long)i);
		if (!stat(name, &st))
			return wl_fail(c, EEXIST, "%s exists", name);
		wl_step_record(c, t1, i + 1);
	}
	wl_say(c, "%llu negative dentries in %.1f s", (unsigned long long)i,
	       (double)(now_ns() - t0) / 1e9);
	if (o->hold && !c->stop)
		wl_hold(c);
	atomic_store(&c->sh->phase, WL_DONE);
	return 0;
}

const struct wl_def wl_dentries = {
    .name = "dentries",
    .summary = "Look up --count names that do not exist: each leaves a negative dentry\n"
	       "(reclaimable slab) charged to the group; nothing is created.",
    .opts = dentries_opts,
    .check = dentries_check,
    .run = dentries_run,
    .need = dentries_need,
};
