/* Run state files and their undo: see state.h.
 *
 * Format: one record a line, fields separated by single spaces, the last
 * field may hold spaces:
 *     run PID STARTTIME
 *     cgroup PATH            a group (and its children) under .../memcg-lab/
 *     shm KEY                a SysV segment made with that key
 *     mount DIR              a tmpfs mounted with source STATE_MOUNT_TAG
 *     dir DIR                an empty directory to remove
 *     file PATH              a scratch file
 *     swapfile PATH          a swap file (swapoff, then unlink)
 *     sysctl PATH VALUE      a /proc/sys value to put back
 * Undo first kills the tasks of every listed group (so nothing holds a
 * mount, a segment or swap), then undoes the records newest first. */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>

#include "cg.h"

/* The record kinds: the tag written in the file, and how to undo one. */
static void undo_cgroup(char *arg, struct clean_report *r);
static void undo_shm(char *arg, struct clean_report *r);
static void undo_mount(char *arg, struct clean_report *r);
static void undo_dir(char *arg, struct clean_report *r);
static void undo_file(char *arg, struct clean_report *r);
static void undo_swapfile(char *arg, struct clean_report *r);
static void undo_sysctl(char *arg, struct clean_report *r);

static const struct {
	const char *tag;
	void (*undo)(char *arg, struct clean_report *r);
} kinds[] = {
	[STATE_RUN] = { "run", NULL },
	[STATE_CGROUP] = { "cgroup", undo_cgroup },
	[STATE_SHM] = { "shm", undo_shm },
	[STATE_MOUNT] = { "mount", undo_mount },
	[STATE_DIR] = { "dir", undo_dir },
	[STATE_FILE] = { "file", undo_file },
	[STATE_SWAPFILE] = { "swapfile", undo_swapfile },
	[STATE_SYSCTL] = { "sysctl", undo_sysctl },
};

const char *state_dir(void)
{
	const char *d = getenv("MEMCG_LAB_STATE_DIR");
	return d && *d ? d : STATE_DIR_DEFAULT;
}

int proc_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	/* the command name may hold spaces and parentheses: skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p++;
	for (field = 3; field < 22 && p; field++) /* p: the space before field 3 */
		p = strchr(p + 1, ' ');
	if (!p)
		return -EINVAL;
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

int proc_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	return pid > 0 && !proc_start_time(pid, &now) && now == start;
}

int state_begin(struct state *s, const char *dir, struct mlab_err *e)
{
	static unsigned seq; /* several runs in one process, one second apart or not */
	unsigned long long start = 0;
	char tmp[PATH_MAX + 8];
	struct tm tm;
	time_t t = time(NULL);
	int ret, n;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	ret = mkdir_p(dir);
	if (ret)
		return err_set(e, -ret, "cannot create %s: %s", dir, strerror(-ret));
	chmod(dir, 0700);
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	localtime_r(&t, &tm);
	n = snprintf(s->run_id, sizeof(s->run_id), "%04d%02d%02d-%02d%02d%02d-%d",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (int)getpid());
	if (seq++)
		snprintf(s->run_id + n, sizeof(s->run_id) - (size_t)n, "-%u", seq);
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s.state", dir, s->run_id) >=
	    sizeof(s->path))
		return err_set(e, ENAMETOOLONG, "state path too long");
	/* The file appears under its final name only once it is locked and
	 * names its owner, so a concurrent clean never takes it for dead. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->path);
	s->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return err_set(e, errno, "cannot create %s: %s", tmp, strerror(errno));
	/* held for the run's life, dropped by the kernel however it ends */
	if (flock(s->fd, LOCK_EX | LOCK_NB)) {
		ret = err_set(e, errno, "lock %s: %s", tmp, strerror(errno));
		goto fail;
	}
	proc_start_time(getpid(), &start);
	ret = state_record(s, e, STATE_RUN, "%d %llu", (int)getpid(), start);
	if (ret)
		goto fail;
	if (rename(tmp, s->path)) {
		ret = err_set(e, errno, "rename %s: %s", tmp, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	close(s->fd);
	s->fd = -1;
	return ret;
}

int state_record(struct state *s, struct mlab_err *e, enum state_kind kind, const char *fmt, ...)
{
	char line[PATH_MAX + 128];
	va_list ap;
	int n, m;

	n = snprintf(line, sizeof(line), "%s ", kinds[kind].tag);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= sizeof(line) - 1 || strchr(line, '\n'))
		return err_set(e, EINVAL, "state record too long or malformed");
	n += m;
	line[n++] = '\n';
	if (write(s->fd, line, (size_t)n) != n)
		return err_set(e, errno ? errno : EIO, "write %s: %s", s->path, strerror(errno));
	/* the record must be on disk before the resource exists */
	if (fdatasync(s->fd))
		return err_set(e, errno, "sync %s: %s", s->path, strerror(errno));
	return 0;
}

/* --- undo ------------------------------------------------------------------ */

static void note_failure(struct clean_report *r, const char *fmt, ...)
{
	va_list ap;

	r->failed++;
	if (r->first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->first_error, sizeof(r->first_error), fmt, ap);
	va_end(ap);
}

/* Only groups inside a run's scratch tree are ever touched: an absolute
 * path with a "memcg-lab" component followed by at least one more (the run
 * id), and no "." or ".." or empty component anywhere. */
static int is_our_group(const char *path)
{
	int after_top = -1;

	if (path[0] != '/')
		return 0;
	for (const char *p = path + 1; *p;) {
		size_t n = strcspn(p, "/");
		if (!n || (n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return 0;
		if (after_top >= 0)
			after_top++;
		else if (n == 9 && !strncmp(p, "memcg-lab", 9))
			after_top = 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return after_top > 0;
}

static void group_handle(const char *path, struct cg_root *r, struct cg *g)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/cgroup.controllers", path);
	r->ver = access(p, F_OK) == 0 ? CG_V2 : CG_V1;
	snprintf(r->path, sizeof(r->path), "%s", path);
	g->root = r;
	snprintf(g->path, sizeof(g->path), "%s", path);
}

static void undo_group_tasks(const char *path, struct clean_report *r)
{
	struct cg_root root;
	struct cg g;
	struct mlab_err e;

	if (!is_our_group(path) || access(path, F_OK))
		return;
	group_handle(path, &root, &g);
	if (cg_kill_all(&g, &e) || cg_wait_empty(&g, 10ULL * 1000000000ULL, &e))
		note_failure(r, "%s", e.msg);
}

static int mounted_here(const char *dir)
{
	char line[4096], src[256], mnt[PATH_MAX];
	FILE *f = fopen("/proc/self/mounts", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %4095s", src, mnt) == 2) {
			unescape_octal(mnt);
			found = !strcmp(mnt, dir) && !strcmp(src, STATE_MOUNT_TAG);
		}
	fclose(f);
	return found;
}

static int swap_active(const char *path)
{
	char line[4096], name[PATH_MAX];
	FILE *f = fopen("/proc/swaps", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%4095s", name) == 1) {
			unescape_octal(name);
			found = !strcmp(name, path);
		}
	fclose(f);
	return found;
}

static void undo_cgroup(char *arg, struct clean_report *r)
{
	struct cg_root root;
	struct cg g;
	struct mlab_err e;

	if (!is_our_group(arg)) {
		note_failure(r, "refusing to remove %s: not a memcg-lab group", arg);
		return;
	}
	if (access(arg, F_OK))
		return;
	group_handle(arg, &root, &g);
	if (cg_destroy(&g, &e))
		note_failure(r, "%s", e.msg);
	else
		r->groups++;
}

static void undo_shm(char *arg, struct clean_report *r)
{
	key_t key = (key_t)strtol(arg, NULL, 10);
	int id = key ? shmget(key, 0, 0) : -1;

	if (id < 0)
		return; /* gone already (or never made) */
	if (shmctl(id, IPC_RMID, NULL))
		note_failure(r, "IPC_RMID shm id %d: %s", id, strerror(errno));
	else
		r->shm++;
}

static void undo_mount(char *arg, struct clean_report *r)
{
	if (!mounted_here(arg))
		return;
	if (umount2(arg, MNT_DETACH))
		note_failure(r, "unmount %s: %s", arg, strerror(errno));
	else
		r->mounts++;
}

static void undo_dir(char *arg, struct clean_report *r)
{
	if (rmdir(arg) && errno != ENOENT)
		note_failure(r, "remove directory %s: %s", arg, strerror(errno));
}

static void undo_file(char *arg, struct clean_report *r)
{
	if (!unlink(arg))
		r->files++;
	else if (errno != ENOENT)
		note_failure(r, "remove %s: %s", arg, strerror(errno));
}

static void undo_swapfile(char *arg, struct clean_report *r)
{
	if (swap_active(arg) && swapoff(arg)) {
		note_failure(r, "swapoff %s: %s", arg, strerror(errno));
		return;
	}
	if (!unlink(arg))
		r->swaps++;
	else if (errno != ENOENT)
		note_failure(r, "remove swap file %s: %s", arg, strerror(errno));
}

static void undo_sysctl(char *arg, struct clean_report *r)
{
	char *val = strchr(arg, ' ');
	int ret;

	if (!val || strncmp(arg, "/proc/sys/", 10) || strstr(arg, "..")) {
		note_failure(r, "bad sysctl record '%s'", arg);
		return;
	}
	*val++ = 0;
	ret = write_file(arg, val);
	if (ret)
		note_failure(r, "restore %s to %s: %s", arg, val, strerror(-ret));
	else
		r->sysctls++;
}

static void undo_record(const char *tag, char *arg, struct clean_report *r)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].tag, tag)) {
			if (kinds[k].undo)
				kinds[k].undo(arg, r);
			return;
		}
	note_failure(r, "unknown state record '%s'", tag);
}

#define MAX_RECORDS 4096

int state_undo_file(const char *path, struct clean_report *r)
{
	static char buf[MAX_RECORDS * 128];
	char *lines[MAX_RECORDS];
	int n = 0, failed_before = r->failed;
	ssize_t len = read_file(path, buf, sizeof(buf));

	if (len < 0) {
		note_failure(r, "read %s: %s", path, strerror((int)-len));
		return (int)len;
	}
	for (char *p = buf; *p && n < MAX_RECORDS;) {
		char *nl = strchr(p, '\n');
		if (!nl)
			break; /* a torn last line: its resource was never made */
		*nl = 0;
		lines[n++] = p;
		p = nl + 1;
	}
	/* phase 1: nothing may still run inside our groups */
	for (int i = 0; i < n; i++) {
		const char *tag = kinds[STATE_CGROUP].tag;
		size_t tl = strlen(tag);
		if (!strncmp(lines[i], tag, tl) && lines[i][tl] == ' ')
			undo_group_tasks(lines[i] + tl + 1, r);
	}
	/* phase 2: newest first */
	for (int i = n - 1; i >= 0; i--) {
		char *sp = strchr(lines[i], ' ');
		if (!sp)
			continue;
		*sp = 0;
		undo_record(lines[i], sp + 1, r);
	}
	if (r->failed != failed_before)
		return -EBUSY;
	r->runs++;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Is the run that owns @path alive? Its lock says so (held until the owner
 * and every child that inherited the descriptor are gone), and so does its
 * first record (pid and start time) while the owner runs. */
static int state_owner_alive(const char *path)
{
	char buf[256];
	int pid, fd, locked;
	unsigned long long start;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	locked = flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	if (locked)
		return 1;
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	if (sscanf(buf, "run %d %llu", &pid, &start) != 2)
		return 0;
	return pid != getpid() && proc_alive(pid, start);
}

int state_clean(const char *dir, struct clean_report *r, struct mlab_err *e)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : err_set(e, errno, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		int tmp = l > 10 && !strcmp(de->d_name + l - 10, ".state.tmp");
		if (!tmp && (l < 7 || strcmp(de->d_name + l - 6, ".state")))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (tmp) {
			/* a run that died while starting: it recorded nothing */
			if (!state_owner_alive(path))
				unlink(path);
			continue;
		}
		if (state_owner_alive(path)) {
			r->alive++;
			continue;
		}
		state_undo_file(path, r);
	}
	closedir(d);
	if (r->failed)
		return err_set(e, EBUSY, "clean left something behind: %s", r->first_error);
	return 0;
}

int state_end(struct state *s, struct clean_report *r, struct mlab_err *e)
{
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	if (state_undo_file(s->path, r))
		return err_set(e, EBUSY, "cleanup of run %s incomplete: %s", s->run_id,
			       r->first_error);
	return 0;
}
