/* cgroup backend: detection, groups, tasks, and portable-name access.
 * The version-specific parts are the table in cg_names.c and the few
 * branches on root->ver below (subtree_control, cgroup.kill, cgroup.events). */
#include "cg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Is @word one of the @sep-separated tokens of @list? */
static int has_token(const char *list, const char *word, const char *sep)
{
	size_t wl = strlen(word);
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, sep);
		if (n == wl && !strncmp(p, word, wl))
			return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

const char *cg_layout_name(enum cg_layout l)
{
	switch (l) {
	case CG_LAYOUT_V1:
		return "v1";
	case CG_LAYOUT_V2:
		return "v2";
	case CG_LAYOUT_HYBRID:
		return "hybrid";
	default:
		return "none";
	}
}

int cg_v2_mount_option(const struct cg_detect *d, const char *opt)
{
	return d->v2_mount[0] && has_token(d->v2_opts, opt, ",");
}

int cg_detect(const char *mounts_path, struct cg_detect *d, struct mlab_err *e)
{
	char line[4096], path[PATH_MAX + 32], ctl[1024];
	int has_v1 = 0;
	FILE *f;

	memset(d, 0, sizeof(*d));
	f = fopen(mounts_path ? mounts_path : "/proc/self/mounts", "re");
	if (!f)
		return err_set(e, errno, "cannot read the mount table %s: %s",
			       mounts_path ? mounts_path : "/proc/self/mounts", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char src[256], mnt[PATH_MAX], type[64], opts[1024];
		if (sscanf(line, "%255s %4095s %63s %1023s", src, mnt, type, opts) != 4)
			continue;
		unescape_octal(mnt);
		if (!strcmp(type, "cgroup")) {
			has_v1 = 1;
			if (has_token(opts, "memory", ",") && !d->v1_memory[0])
				snprintf(d->v1_memory, sizeof(d->v1_memory), "%s", mnt);
		} else if (!strcmp(type, "cgroup2") && !d->v2_mount[0]) {
			snprintf(d->v2_mount, sizeof(d->v2_mount), "%s", mnt);
			snprintf(d->v2_opts, sizeof(d->v2_opts), "%s", opts);
		}
	}
	fclose(f);

	if (d->v2_mount[0]) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", d->v2_mount);
		if (read_file(path, ctl, sizeof(ctl)) >= 0)
			d->v2_has_memory = has_token(ctl, "memory", " \n");
	}
	if (d->v1_memory[0])
		d->memory = CG_V1;
	else if (d->v2_has_memory)
		d->memory = CG_V2;

	if (has_v1 && d->v2_mount[0])
		d->layout = CG_LAYOUT_HYBRID;
	else if (has_v1)
		d->layout = CG_LAYOUT_V1;
	else if (d->v2_mount[0])
		d->layout = CG_LAYOUT_V2;
	else
		d->layout = CG_LAYOUT_NONE;

	if (d->memory == CG_NONE)
		return err_set(
		    e, ENOENT, "no memory controller is mounted (no v1 memory hierarchy, %s)",
		    d->v2_mount[0] ? "and cgroup2 has no memory controller" : "and no cgroup2");
	return 0;
}

static int file_exists(const char *dir, const char *name)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

int cg_root_open(struct cg_root *r, const char *path, struct mlab_err *e)
{
	struct statfs sfs;

	memset(r, 0, sizeof(*r));
	if (strlen(path) >= sizeof(r->path))
		return err_set(e, ENAMETOOLONG, "cgroup root path too long");
	snprintf(r->path, sizeof(r->path), "%s", path);
	if (statfs(path, &sfs))
		return err_set(e, errno, "%s: %s", path, strerror(errno));

	if ((unsigned long)sfs.f_type == CGROUP2_SUPER_MAGIC) {
		char ctl[1024], p[PATH_MAX + 32];
		r->ver = CG_V2;
		snprintf(p, sizeof(p), "%s/cgroup.controllers", path);
		if (read_file(p, ctl, sizeof(ctl)) < 0 || !has_token(ctl, "memory", " \n"))
			return err_set(e, ENOENT, "%s: cgroup2 without the memory controller",
				       path);
	} else if ((unsigned long)sfs.f_type == CGROUP_SUPER_MAGIC) {
		r->ver = CG_V1;
		if (!file_exists(path, "memory.usage_in_bytes"))
			return err_set(e, ENOENT, "%s: cgroup v1 hierarchy without memory", path);
	} else if (file_exists(path, "cgroup.controllers")) {
		r->ver = CG_V2; /* a fake tree for tests */
	} else if (file_exists(path, "memory.limit_in_bytes")) {
		r->ver = CG_V1;
	} else {
		return err_set(e, ENOENT, "%s is not a memory cgroup root", path);
	}
	return 0;
}

int cg_root_find(struct cg_root *r, struct mlab_err *e)
{
	struct cg_detect d;
	int ret = cg_detect(NULL, &d, e);

	if (ret)
		return ret;
	return cg_root_open(r, d.memory == CG_V1 ? d.v1_memory : d.v2_mount, e);
}

static int join(char *out, size_t len, const char *a, const char *b, struct mlab_err *e)
{
	int n = b && *b ? snprintf(out, len, "%s/%s", a, b) : snprintf(out, len, "%s", a);
	if (n < 0 || (size_t)n >= len)
		return err_set(e, ENAMETOOLONG, "path too long: %s/%s", a, b ? b : "");
	return 0;
}

int cg_open(struct cg *g, const struct cg_root *r, const char *rel, struct mlab_err *e)
{
	struct stat st;
	int ret;

	g->root = r;
	ret = join(g->path, sizeof(g->path), r->path, rel, e);
	if (ret)
		return ret;
	if (stat(g->path, &st) || !S_ISDIR(st.st_mode))
		return err_set(e, ENOENT, "no such group %s", g->path);
	return 0;
}

/* v2: a child only gets memory files if its parent delegates the controller. */
static int enable_memory_in(const char *dir, struct mlab_err *e)
{
	char p[PATH_MAX + 32], ctl[1024];
	int ret;

	snprintf(p, sizeof(p), "%s/cgroup.subtree_control", dir);
	if (read_file(p, ctl, sizeof(ctl)) >= 0 && has_token(ctl, "memory", " \n"))
		return 0;
	ret = write_file(p, "+memory");
	if (ret == -ENOENT)
		return err_set(e, ENOENT,
			       "%s: the memory controller is not delegated to %s (its "
			       "parent's cgroup.subtree_control lacks memory)",
			       p, dir);
	if (ret)
		return err_set(e, -ret, "enable memory in %s: %s", p, strerror(-ret));
	return 0;
}

int cg_create(struct cg *g, const struct cg_root *r, const char *rel, struct mlab_err *e)
{
	char parent[PATH_MAX];
	char *slash;
	int ret;

	g->root = r;
	ret = join(g->path, sizeof(g->path), r->path, rel, e);
	if (ret)
		return ret;
	if (r->ver == CG_V2) {
		snprintf(parent, sizeof(parent), "%s", g->path);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = 0;
		ret = enable_memory_in(parent, e);
		if (ret)
			return ret;
	}
	if (mkdir(g->path, 0755))
		return err_set(e, errno, "create group %s: %s", g->path, strerror(errno));
	return 0;
}

static int destroy_dir(const char *path, struct mlab_err *e)
{
	char sub[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(path);
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : err_set(e, errno, "%s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= sizeof(sub))
			continue;
		ret = destroy_dir(sub, e);
		if (ret)
			break;
	}
	closedir(d);
	if (!ret && rmdir(path) && errno != ENOENT)
		ret = err_set(e, errno, "remove group %s: %s", path, strerror(errno));
	return ret;
}

int cg_destroy(const struct cg *g, struct mlab_err *e)
{
	return destroy_dir(g->path, e);
}

int cg_attach(const struct cg *g, pid_t pid, struct mlab_err *e)
{
	char p[PATH_MAX + 32], v[32];
	int ret;

	snprintf(p, sizeof(p), "%s/cgroup.procs", g->path);
	snprintf(v, sizeof(v), "%d", (int)pid);
	ret = write_file(p, v);
	if (ret)
		return err_set(e, -ret, "attach pid %d to %s: %s", (int)pid, g->path,
			       strerror(-ret));
	return 0;
}

/* Call @fn on every pid listed in @dir's cgroup.procs and its descendants'. */
static int for_each_proc(const char *dir, int (*fn)(pid_t, void *), void *arg)
{
	char p[PATH_MAX + 32], line[32];
	struct dirent *de;
	int n = 0;
	FILE *f;
	DIR *d;

	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	f = fopen(p, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		pid_t pid = (pid_t)atoi(line);
		if (pid > 0) {
			n++;
			if (fn)
				fn(pid, arg);
		}
	}
	fclose(f);
	d = opendir(dir);
	if (!d)
		return n;
	while ((de = readdir(d))) {
		int r;
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= sizeof(p))
			continue;
		r = for_each_proc(p, fn, arg);
		if (r > 0)
			n += r;
	}
	closedir(d);
	return n;
}

int cg_nr_procs(const struct cg *g, struct mlab_err *e)
{
	char p[PATH_MAX + 32], buf[8192];
	ssize_t n;
	int count = 0;

	snprintf(p, sizeof(p), "%s/cgroup.procs", g->path);
	n = read_file(p, buf, sizeof(buf));
	if (n < 0)
		return err_set(e, (int)-n, "%s: %s", p, strerror((int)-n));
	for (char *s = buf; *s; s++)
		if (*s == '\n')
			count++;
	return count;
}

static int kill_one(pid_t pid, void *arg)
{
	(void)arg;
	return kill(pid, SIGKILL);
}

int cg_kill_all(const struct cg *g, struct mlab_err *e)
{
	/* cgroup.kill (v2, 5.14+) kills atomically, forks included. */
	if (g->root->ver == CG_V2 && cg_has_file(g, "cgroup.kill")) {
		int ret = cg_write_raw(g, "cgroup.kill", "1", e);
		if (!ret || ret != -EINVAL)
			return ret;
	}
	/* Otherwise: kill what is listed until a pass finds nobody; a task that
	 * forks between our read and our kill is caught on the next pass. */
	for (int pass = 0; pass < 1000; pass++) {
		int n = for_each_proc(g->path, kill_one, NULL);
		if (n < 0)
			return err_set(e, -n, "list tasks of %s: %s", g->path, strerror(-n));
		if (!n)
			return 0;
		if (pass > 10)
			sleep_ns(1000000);
	}
	return err_set(e, EBUSY, "tasks of %s keep appearing", g->path);
}

static int populated(const struct cg *g)
{
	uint64_t v;
	char p[PATH_MAX + 32], buf[256];

	snprintf(p, sizeof(p), "%s/cgroup.events", g->path);
	if (read_file(p, buf, sizeof(buf)) >= 0 && !cg_parse_key(buf, "populated", &v))
		return v != 0;
	return for_each_proc(g->path, NULL, NULL) > 0;
}

int cg_wait_empty(const struct cg *g, uint64_t timeout_ns, struct mlab_err *e)
{
	uint64_t deadline = now_ns() + timeout_ns, backoff = 50000;
	char p[PATH_MAX + 32];
	int fd;

	/* v2 notifies changes of cgroup.events (POLLPRI); v1 has nothing to wait
	 * on, so it polls with a growing backoff (at most 5 ms). */
	snprintf(p, sizeof(p), "%s/cgroup.events", g->path);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	while (populated(g)) {
		uint64_t now = now_ns();
		if (now >= deadline) {
			if (fd >= 0)
				close(fd);
			return err_set(e, ETIMEDOUT, "%s still has tasks after %.1f s", g->path,
				       (double)timeout_ns / 1e9);
		}
		if (fd >= 0) {
			struct pollfd pfd = {.fd = fd, .events = POLLPRI};
			uint64_t left = deadline - now;
			poll(&pfd, 1, (int)(left / 1000000 + 1 > 100 ? 100 : left / 1000000 + 1));
		} else {
			sleep_ns(backoff);
			if (backoff < 5000000)
				backoff *= 2;
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* --- file access --------------------------------------------------------- */

int cg_has_file(const struct cg *g, const char *file)
{
	return file_exists(g->path, file);
}

int cg_read_raw(const struct cg *g, const char *file, char *buf, size_t len, struct mlab_err *e)
{
	char p[PATH_MAX + 64];
	ssize_t n;

	if (strchr(file, '/') || !strcmp(file, "..") || !*file)
		return err_set(e, EINVAL, "'%s' is not a control file name", file);
	snprintf(p, sizeof(p), "%s/%s", g->path, file);
	n = read_file(p, buf, len);
	if (n == -ENOENT)
		return err_set(e, EOPNOTSUPP,
			       "%s: not supported here (no such file on this kernel)", file);
	if (n < 0)
		return err_set(e, (int)-n, "read %s: %s", p, strerror((int)-n));
	return 0;
}

int cg_write_raw(const struct cg *g, const char *file, const char *value, struct mlab_err *e)
{
	char p[PATH_MAX + 64];
	int ret;

	if (strchr(file, '/') || !strcmp(file, "..") || !*file)
		return err_set(e, EINVAL, "'%s' is not a control file name", file);
	snprintf(p, sizeof(p), "%s/%s", g->path, file);
	ret = write_file(p, value);
	if (ret == -ENOENT)
		return err_set(e, EOPNOTSUPP,
			       "%s: not supported here (no such file on this kernel)", file);
	if (ret)
		return err_set(e, -ret, "write '%s' to %s: %s", value, file, strerror(-ret));
	return 0;
}

int cg_parse_key(const char *buf, const char *key, uint64_t *val)
{
	size_t kl = strlen(key);
	const char *p = buf;

	while (*p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			const char *v = p + kl + 1;
			char *end;
			if (!strncmp(v, "max", 3)) {
				*val = CG_UNLIMITED;
				return 0;
			}
			if (!isdigit((unsigned char)*v))
				return -EINVAL;
			errno = 0;
			*val = strtoull(v, &end, 10);
			return errno || end == v ? -EINVAL : 0;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return -ENOENT;
}

int cg_read_key(const struct cg *g, const char *file, const char *key, uint64_t *val,
		struct mlab_err *e)
{
	char buf[16384];
	int ret = cg_read_raw(g, file, buf, sizeof(buf), e);

	if (ret)
		return ret;
	ret = cg_parse_key(buf, key, val);
	if (ret == -ENOENT)
		return err_set(e, EOPNOTSUPP, "%s:%s: not supported here (%s has no '%s')", file,
			       key, file, key);
	if (ret)
		return err_set(e, EINVAL, "%s:%s: not a number", file, key);
	return 0;
}

/* Read "file" or "file:key" as one number. */
static int get_spec(const struct cg *g, const char *spec, enum cg_kind kind, uint64_t *val,
		    struct mlab_err *e)
{
	const char *colon = strchr(spec, ':');
	char file[128], buf[128], *end;
	int ret;

	if (colon) {
		size_t n = (size_t)(colon - spec);
		if (n >= sizeof(file))
			return err_set(e, EINVAL, "'%s': file name too long", spec);
		memcpy(file, spec, n);
		file[n] = 0;
		return cg_read_key(g, file, colon + 1, val, e);
	}
	ret = cg_read_raw(g, spec, buf, sizeof(buf), e);
	if (ret)
		return ret;
	if (!strncmp(buf, "max", 3)) {
		*val = CG_UNLIMITED;
		return 0;
	}
	errno = 0;
	*val = isdigit((unsigned char)buf[0]) ? strtoull(buf, &end, 10) : (end = buf, 0);
	if (errno || end == buf || (*end && *end != '\n'))
		return err_set(e, EINVAL, "%s: not a single number: '%.40s'", spec, buf);
	/* v1 prints an unlimited page counter as PAGE_COUNTER_MAX pages */
	if (kind == CG_BYTES && *val >= CG_V1_UNLIMITED)
		*val = CG_UNLIMITED;
	return 0;
}

static int unsupported(const struct cg *g, const char *name, struct mlab_err *e)
{
	return err_set(e, EOPNOTSUPP, "%s: not supported here (cgroup v%d has no such file)", name,
		       (int)g->root->ver);
}

int cg_get(const struct cg *g, const char *name, uint64_t *val, struct mlab_err *e)
{
	const struct cg_name *n = cg_name_find(name);
	const char *spec;
	int ret;

	if (!n)
		return get_spec(g, name, CG_NUMBER, val, e);
	spec = cg_name_file(n, g->root->ver);
	if (!spec)
		return unsupported(g, name, e);
	if (!strcmp(spec, "=memsw-limit")) {
		uint64_t memsw, limit;
		ret = get_spec(g, "memory.memsw.limit_in_bytes", CG_BYTES, &memsw, e);
		if (!ret)
			ret = get_spec(g, "memory.limit_in_bytes", CG_BYTES, &limit, e);
		if (ret)
			return ret;
		*val = memsw == CG_UNLIMITED ? CG_UNLIMITED : memsw - limit;
		return 0;
	}
	return get_spec(g, spec, n->kind, val, e);
}

static int is_unlimited_word(const char *v)
{
	return !strcmp(v, "max") || !strcmp(v, "-1") || !strcmp(v, "unlimited");
}

int cg_set(const struct cg *g, const char *name, const char *value, struct mlab_err *e)
{
	const struct cg_name *n = cg_name_find(name);
	const char *spec, *unl = g->root->ver == CG_V2 ? "max" : "-1";
	char buf[32];
	uint64_t v;
	int ret;

	if (!n)
		return cg_write_raw(g, name, value, e);
	spec = cg_name_file(n, g->root->ver);
	if (!spec)
		return unsupported(g, name, e);

	if (n->kind == CG_BYTES) {
		if (is_unlimited_word(value)) {
			value = unl;
		} else {
			ret = parse_size(value, &v, e);
			if (ret)
				return err_wrap(e, ret, "%s", name);
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
			value = buf;
		}
	} else {
		ret = parse_uint(value, INT32_MAX, &v, e);
		if (ret)
			return err_wrap(e, ret, "%s", name);
	}

	if (!strcmp(spec, "=memsw-limit")) {
		/* v1 memsw counts memory+swap: swap_limit S means memsw = limit + S */
		uint64_t limit;
		if (value == unl)
			return cg_write_raw(g, "memory.memsw.limit_in_bytes", "-1", e);
		ret = get_spec(g, "memory.limit_in_bytes", CG_BYTES, &limit, e);
		if (ret)
			return ret;
		if (limit == CG_UNLIMITED)
			return err_set(e, EINVAL,
				       "swap_limit: on cgroup v1 it needs a finite limit first "
				       "(memory.memsw.limit_in_bytes counts memory+swap)");
		if (v > CG_V1_UNLIMITED - limit)
			return err_set(e, ERANGE, "swap_limit: limit + %llu overflows",
				       (unsigned long long)v);
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(limit + v));
		return cg_write_raw(g, "memory.memsw.limit_in_bytes", buf, e);
	}
	if (strchr(spec, ':')) {
		/* the only writable keyed value: oom_kill_disable in memory.oom_control */
		if (!strcmp(name, "oom_kill_disable"))
			return cg_write_raw(g, "memory.oom_control", value, e);
		return err_set(e, EINVAL, "%s is read-only", name);
	}
	return cg_write_raw(g, spec, value, e);
}
