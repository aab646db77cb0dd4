/* Runs: see run.h. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

volatile sig_atomic_t run_interrupted;

static void on_signal(int sig)
{
	run_interrupted = sig;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int top_dir(const struct cg_root *root, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s/" RUN_TOP, root->path) >= len ? -ENAMETOOLONG : 0;
}

int run_clean(struct clean_report *rep, struct mlab_err *e)
{
	struct cg_root root;
	struct mlab_err ignore;
	char top[PATH_MAX];
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = state_clean(state_dir(), rep, e);
	/* the shared top directory goes once no run uses it (rmdir only
	 * succeeds on an empty group) */
	if (!cg_root_find(&root, &ignore) && !top_dir(&root, top, sizeof(top)))
		rmdir(top);
	return ret;
}

int run_begin(struct run *r, struct mlab_err *e)
{
	struct clean_report rep;
	char top[PATH_MAX], rel[PATH_MAX];
	int ret;

	memset(r, 0, sizeof(*r));
	r->st.fd = -1;
	if (geteuid() != 0)
		return err_set(e, EPERM, "needs root (memory cgroups, swap and mounts are root-only)");
	ret = cg_root_find(&r->root, e);
	if (ret)
		return err_set(e, ENODEV, "no usable memory controller: %s", e->msg);
	if (!r->sigs_installed) {
		install_signals();
		r->sigs_installed = 1;
	}
	ret = run_clean(&rep, e);
	if (ret)
		return err_wrap(e, ret, "leftovers of an earlier run");
	/* The OOM killer must never pick the harness. Without CAP_SYS_RESOURCE
	 * (some containers) the write is refused; the harness is still safe from
	 * group OOM (it is in no scratch group) and the guard keeps the machine
	 * out of global OOM, so that is noted, not fatal. */
	r->oom_protected = write_file("/proc/self/oom_score_adj", "-1000") == 0;

	ret = state_begin(&r->st, state_dir(), e);
	if (ret)
		return ret;
	top_dir(&r->root, top, sizeof(top));
	if (mkdir(top, 0755) && errno != EEXIST)
		return err_set(e, errno, "create %s: %s", top, strerror(errno));
	snprintf(rel, sizeof(rel), RUN_TOP "/%s", r->st.run_id);
	ret = state_record(&r->st, e, STATE_CGROUP, "%s/%s", r->root.path, rel);
	if (!ret)
		ret = cg_create(&r->base, &r->root, rel, e);
	return ret;
}

int run_group(struct run *r, const char *name, struct cg *g, struct mlab_err *e)
{
	char rel[PATH_MAX];
	int ret;

	if (!*name || strstr(name, "..") || name[0] == '/' || strlen(name) > 200)
		return err_set(e, EINVAL, "bad group name '%s'", name);
	snprintf(rel, sizeof(rel), RUN_TOP "/%s/%s", r->st.run_id, name);
	ret = state_record(&r->st, e, STATE_CGROUP, "%s/%s", r->root.path, rel);
	if (ret)
		return ret;
	return cg_create(g, &r->root, rel, e);
}

int run_shm_key(struct run *r, uint64_t *key, struct mlab_err *e)
{
	/* keys of the form 0x6dXXXXXX: pid-derived, then probed until unused */
	for (int tries = 0; tries < 4096; tries++) {
		key_t k = (key_t)(0x6d000000u | ((unsigned)getpid() & 0xffff) << 8 |
				  (r->next_key++ & 0xff));
		if (shmget(k, 0, 0) >= 0 || errno != ENOENT)
			continue;
		*key = (uint64_t)(unsigned)k;
		return state_record(&r->st, e, STATE_SHM, "%d", (int)k);
	}
	return err_set(e, EAGAIN, "no free SysV key");
}

int run_tmpfs(struct run *r, uint64_t size, char *dir, size_t len, struct mlab_err *e)
{
	char opts[64];
	int ret;

	if ((size_t)snprintf(dir, len, "%s/mnt-%s-%u", r->st.dir, r->st.run_id, r->nmounts++) >=
	    len)
		return err_set(e, ENAMETOOLONG, "mount path too long");
	/* undo order is newest first: unmount, then remove the directory */
	ret = state_record(&r->st, e, STATE_DIR, "%s", dir);
	if (!ret)
		ret = state_record(&r->st, e, STATE_MOUNT, "%s", dir);
	if (ret)
		return ret;
	if (mkdir(dir, 0700))
		return err_set(e, errno, "create %s: %s", dir, strerror(errno));
	snprintf(opts, sizeof(opts), "size=%llu,mode=0700",
		 (unsigned long long)page_round((size_t)size + 1 * MIB));
	if (mount(STATE_MOUNT_TAG, dir, "tmpfs", MS_NOSUID | MS_NODEV, opts))
		return err_set(e, errno, "mount a tmpfs on %s: %s", dir, strerror(errno));
	return 0;
}

int run_scratch_file(struct run *r, const char *name, char *path, size_t len,
		     struct mlab_err *e)
{
	if ((size_t)snprintf(path, len, "/var/tmp/memcg-lab-%s-%s", r->st.run_id, name) >= len)
		return err_set(e, ENAMETOOLONG, "scratch path too long");
	return state_record(&r->st, e, STATE_FILE, "%s", path);
}

int run_new_file(struct run *r, const char *path, struct mlab_err *e)
{
	if (!access(path, F_OK))
		return 0;
	return state_record(&r->st, e, STATE_FILE, "%s", path);
}

int run_end(struct run *r, struct mlab_err *e)
{
	struct clean_report rep;
	char top[PATH_MAX];
	int ret;

	if (r->st.fd < 0 && !r->st.path[0])
		return 0;
	memset(&rep, 0, sizeof(rep));
	ret = state_end(&r->st, &rep, e);
	if (!top_dir(&r->root, top, sizeof(top)))
		rmdir(top); /* fails while other runs use it: fine */
	r->st.path[0] = 0;
	return ret;
}

/* --- memory guard -------------------------------------------------------- */

int meminfo_get(const char *meminfo, const char *key, uint64_t *bytes)
{
	char buf[8192], *p;
	size_t kl = strlen(key);
	ssize_t n = read_file(meminfo ? meminfo : "/proc/meminfo", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == ':') {
			*bytes = strtoull(p + kl + 1, NULL, 10) * 1024; /* kB */
			return 0;
		}
	}
	return -ENOENT;
}

int guard_check(uint64_t plan, const char *meminfo, struct mlab_err *e)
{
	return guard_check_pct(plan, 50, meminfo, e);
}

int guard_check_pct(uint64_t plan, unsigned pct, const char *meminfo, struct mlab_err *e)
{
	char a[32], b[32];
	uint64_t avail;

	if (meminfo_get(meminfo, "MemAvailable", &avail))
		return err_set(e, EIO, "cannot read MemAvailable from %s",
			       meminfo ? meminfo : "/proc/meminfo");
	if (plan == 0)
		return err_set(e, E2BIG, "refused: the plan has no upper bound on memory (a "
					 "workload without a size in a group without a limit)");
	if (plan > (uint64_t)((unsigned __int128)avail * pct / 100))
		return err_set(e, E2BIG,
			       "refused: the plan needs %s, more than %s of MemAvailable (%s); "
			       "nothing was started",
			       fmt_size(a, sizeof(a), plan), pct == 50 ? "half" : "90%",
			       fmt_size(b, sizeof(b), avail));
	return 0;
}
