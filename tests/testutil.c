/* Test helpers: see testutil.h. */
#define _GNU_SOURCE
#include "testutil.h"

#include "cg.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char base_dir[PATH_MAX];
static pid_t base_owner;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "testutil: %s %s: %s\n", what, path, strerror(errno));
	abort();
}

/* Only the process that made the base removes it: Check forks one process
 * per test, and a failing test leaves by _exit(), so the removal belongs
 * to main()'s process, which outlives every test. */
static void remove_base(void)
{
	if (getpid() == base_owner && base_dir[0])
		tu_rm_rf(base_dir);
}

TCase *tu_case(Suite *s, const char *name, int timeout_s)
{
	TCase *tc = tcase_create(name);

	if (timeout_s)
		tcase_set_timeout(tc, timeout_s);
	suite_add_tcase(s, tc);
	return tc;
}

int tu_suite_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

void tu_init(void)
{
	const char *t = getenv("TMPDIR");

	if (base_dir[0])
		return;
	/* state undo takes any path with "/memcg-lab/" for a scratch group:
	 * the tests' "foreign" directories must not look like one */
	if (!t || !*t || strstr(t, "memcg-lab"))
		t = "/tmp";
	snprintf(base_dir, sizeof(base_dir), "%s/mlab-test-XXXXXX", t);
	if (!mkdtemp(base_dir))
		die("mkdtemp", base_dir);
	base_owner = getpid();
	atexit(remove_base);
}

const char *tu_tmpdir(void)
{
	static char dirs[16][PATH_MAX];
	static int next;
	char *d = dirs[next];

	tu_init();
	next = (next + 1) % 16;
	snprintf(d, PATH_MAX, "%s/t-XXXXXX", base_dir);
	if (!mkdtemp(d))
		die("mkdtemp", d);
	return d;
}

#define RING 64

static char *ring_buf(size_t len)
{
	static char bufs[RING][PATH_MAX * 4];
	static int next;
	char *b = bufs[next];

	if (len > sizeof(bufs[0]))
		abort();
	next = (next + 1) % RING;
	return b;
}

const char *tu_path(const char *fmt, ...)
{
	char *b = ring_buf(PATH_MAX);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, PATH_MAX, fmt, ap);
	va_end(ap);
	return b;
}

void tu_write(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die("create", path);
	if (write(fd, s, len) != (ssize_t)len)
		die("write", path);
	close(fd);
}

const char *tu_read(const char *path)
{
	char *b = ring_buf(PATH_MAX * 4);
	size_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while (total < PATH_MAX * 4 - 1 && (n = read(fd, b + total, PATH_MAX * 4 - 1 - total)) > 0)
		total += (size_t)n;
	close(fd);
	b[total] = 0;
	return b;
}

bool tu_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

void tu_mkdir(const char *path)
{
	if (mkdir(path, 0755))
		die("mkdir", path);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP ? rmdir(path) : unlink(path))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

int tu_rm_rf(const char *path)
{
	if (!tu_exists(path))
		return 0;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void copy_file(const char *src, const char *dst)
{
	char buf[8192];
	ssize_t n;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (in < 0)
		die("open", src);
	if (out < 0)
		die("create", dst);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die("write", dst);
	if (n < 0)
		die("read", src);
	close(in);
	close(out);
}

void tu_copy_tree(const char *src_in, const char *dst_in)
{
	char src[PATH_MAX], dst[PATH_MAX];
	struct dirent *de;
	DIR *d;

	/* own copies: callers pass tu_path() results, whose ring buffers the
	 * recursion would otherwise reuse */
	snprintf(src, sizeof(src), "%s", src_in);
	snprintf(dst, sizeof(dst), "%s", dst_in);
	d = opendir(src);
	if (!d)
		die("opendir", src);
	if (mkdir(dst, 0755) && errno != EEXIST)
		die("mkdir", dst);
	while ((de = readdir(d))) {
		char s[PATH_MAX], t[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
		snprintf(t, sizeof(t), "%s/%s", dst, de->d_name);
		if (stat(s, &st))
			die("stat", s);
		if (S_ISDIR(st.st_mode))
			tu_copy_tree(s, t);
		else
			copy_file(s, t);
	}
	closedir(d);
}

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n;
	size_t total = 0;

	if (!buf || !len)
		return;
	lseek(fd, 0, SEEK_SET);
	while (total < len - 1 && (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += (size_t)n;
	buf[total] = 0;
}

int tu_run(char *const argv[], int timeout_ms, char *out, size_t outlen, char *err, size_t errlen)
{
	/* unlinked temp files, not pipes: no deadlock on large output, and the
	 * child can be waited for without a reader loop */
	int ofd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	int efd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	int status, waited = 0, ret = -1;
	pid_t pid;

	if (ofd < 0 || efd < 0)
		die("O_TMPFILE", "/tmp");
	pid = fork();
	if (pid < 0)
		die("fork", argv[0]);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(ofd, 1);
		dup2(efd, 2);
		/* as root, run it as nobody: should a regression take a command
		 * line meant to stay group-less into a run, the run stops at
		 * "needs root" instead of touching the machine's cgroups */
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) || setgid(TU_NOBODY) || setuid(TU_NOBODY)))
			_exit(125);
		execv(argv[0], argv);
		_exit(126);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			goto out;
		if (waited >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			goto out;
		}
		nanosleep(&tick, NULL);
		waited += 5;
	}
	if (WIFEXITED(status))
		ret = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		ret = 128 + WTERMSIG(status);
out:
	slurp(ofd, out, outlen);
	slurp(efd, err, errlen);
	close(ofd);
	close(efd);
	return ret;
}

unsigned long long tu_proc_stat_field(pid_t pid, int n)
{
	const char *s = tu_read(tu_path("/proc/%d/stat", (int)pid));
	const char *p;
	int field = 3;

	if (!s)
		return 0;
	/* fields 1 and 2 are "pid (comm)"; comm may hold spaces and ')' */
	p = strrchr(s, ')');
	if (!p)
		return 0;
	p += 2;
	while (field < n) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
		field++;
	}
	return strtoull(p, NULL, 10);
}

int tu_host_begin(const char *tag, char *dir, size_t len)
{
	struct cg_root root;
	struct mlab_err e;

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: host tests need root\n");
		return 77;
	}
	if (cg_root_find(&root, &e)) {
		fprintf(stderr, "SKIP: %s\n", e.msg);
		return 77;
	}
	snprintf(dir, len, "/run/memcg-lab-%s-%d", tag, (int)getpid());
	setenv("MEMCG_LAB_STATE_DIR", dir, 1);
	return 0;
}

void tu_host_end(const char *dir)
{
	struct clean_report rep;
	struct mlab_err e;

	run_clean(&rep, &e);
	rmdir(dir);
}
