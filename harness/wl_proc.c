/* Workload children: see wl_proc.h. */
#define _GNU_SOURCE
#include "wl_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static pid_t clone3_into(int cgroup_fd, int *pidfd)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	args.cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Touch the stack a workload may use, before it joins its group (v1): a
 * deeper call later (formatting an error at the limit) must not need a
 * fresh page, or an oom_kill_disable group would pause it right there. */
static __attribute__((noinline)) void prefault_stack(void)
{
	volatile char pad[128 * 1024];
	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
}

static void close_fds_except(int keep)
{
	if (keep < 0) {
		if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
			return;
	} else if (syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U) == 0 &&
		   syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0) {
		return;
	}
	/* kernels before 5.9: one by one */
	for (int fd = 3; fd < 4096; fd++)
		if (fd != keep)
			close(fd);
}

/* In the child, before anything of the workload runs. */
static void child_setup(void)
{
	static const int reset[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
	sigset_t none;

	/* the harness protects itself with -1000; the workload must be killable */
	write_file("/proc/self/oom_score_adj", "0");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		signal(reset[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	wl_signals_block();
	prefault_stack();
	/* The error path of a workload writes to pages it shares copy-on-write
	 * with the parent: errno, and the locale lock strerror() takes. Copy
	 * them now (on v1: still outside the group), or the first failing
	 * write() at the limit of an oom_kill_disable group would pause on that
	 * copy instead of reporting its ENOMEM. */
	errno = 0;
	if (!strerror(ENOMEM)[0])
		errno = 0;
}

static __attribute__((noreturn)) void child_run(const struct wl_def *d, const struct wl_opts *o,
						struct wl_shared *sh, int out_fd)
{
	struct wl_ctx c = {.sh = sh, .out_fd = o->quiet ? -1 : out_fd};
	int ret;

	if (o->oom_exempt)
		write_file("/proc/self/oom_score_adj", "-1000");
	ret = d->run(o, &c);
	if (ret && out_fd >= 0)
		dprintf(2, "memcg-lab workload %s: %s\n", d->name, sh->errmsg);
	_exit(ret ? 1 : 0);
}

/* The child's side of wl_start: never returns. */
static void __attribute__((noreturn))
child_start(const struct wl_def *d, const struct wl_opts *o, struct wl_shared *sh, int out_fd,
	    pid_t parent, const int go[2])
{
	/* The workload inherits none of the harness's descriptors: above all
	 * not the locked state file, which would keep a dead harness's run
	 * "alive" for as long as a child lingers. */
	close_fds_except(go[0]);
	child_setup();
	if (getppid() != parent)
		_exit(127);
	if (go[0] >= 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127); /* the parent could not attach us */
		close(go[0]);
	}
	child_run(d, o, sh, out_fd);
}

/* Where the child could not be born in its group (no clone3 into a v2
 * group, or v1): move it there, then let it go by writing to the pipe it
 * waits on. On failure the child is killed. Closes both ends (-1). */
static int attach_and_release(struct wl_proc *p, const struct cg *g, int go[2], struct mlab_err *e)
{
	int ret;

	close(go[0]);
	go[0] = -1;
	ret = cg_attach(g, p->pid, e);
	if (!ret && write(go[1], "g", 1) != 1)
		ret = err_set(e, errno, "release workload: %s", strerror(errno));
	if (ret)
		kill(p->pid, SIGKILL);
	close(go[1]);
	go[1] = -1;
	return ret;
}

int wl_start(struct wl_proc *p, const struct wl_def *d, const struct wl_opts *o, const struct cg *g,
	     int out_fd, struct mlab_err *e)
{
	int cgfd = -1, go[2] = {-1, -1}, ret;
	size_t len = page_round(sizeof(struct wl_shared));
	pid_t parent = getpid();

	memset(p, 0, sizeof(*p));
	p->def = d;
	p->pidfd = -1;
	p->pid = -1;
	p->sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->sh == MAP_FAILED) {
		p->sh = NULL;
		return err_set(e, errno, "map the progress region: %s", strerror(errno));
	}
	/* prefault here: the pages are charged to the harness, never to @g */
	memset(p->sh, 0, len);
	wl_shared_init(p->sh);

	if (g && g->root->ver == CG_V2) {
		cgfd = open(g->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd < 0) {
			ret = err_set(e, errno, "open %s: %s", g->path, strerror(errno));
			goto fail;
		}
	} else if (g && pipe2(go, O_CLOEXEC)) {
		ret = err_set(e, errno, "pipe: %s", strerror(errno));
		goto fail;
	}

	p->started_ns = now_ns();
	p->pid = clone3_into(cgfd, &p->pidfd);
	if (p->pid < 0 && errno == ENOSYS && cgfd < 0) {
		/* kernels before 5.3: plain fork, no pidfd */
		p->pidfd = -1;
		p->pid = fork();
	}
	if (p->pid < 0) {
		ret = err_set(e, errno, "start workload %s: %s", d->name, strerror(errno));
		goto fail;
	}
	if (p->pid == 0)
		child_start(d, o, p->sh, out_fd, parent, go);
	if (cgfd >= 0)
		close(cgfd);
	cgfd = -1;
	if (go[0] >= 0) {
		ret = attach_and_release(p, g, go, e);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	if (cgfd >= 0)
		close(cgfd);
	if (go[0] >= 0)
		close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	wl_release(p);
	return ret;
}

int wl_poll_end(struct wl_proc *p)
{
	siginfo_t si;

	if (p->end.ended)
		return 1;
	if (p->pid <= 0)
		return 1;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG) || si.si_pid == 0)
		return 0;
	p->end.ended = 1;
	p->end.at_ns = now_ns();
	p->end.exited = si.si_code == CLD_EXITED;
	p->end.code = p->end.exited ? si.si_status : 0;
	p->end.signo = p->end.exited ? 0 : si.si_status;
	return 1;
}

int wl_wait_end(struct wl_proc *p, uint64_t timeout_ns, struct mlab_err *e)
{
	uint64_t deadline = now_ns() + timeout_ns, backoff = 100000;

	while (!wl_poll_end(p)) {
		uint64_t now = now_ns();
		if (now >= deadline)
			return err_set(e, ETIMEDOUT,
				       "workload %s (pid %d) still running after %.1f s",
				       p->def->name, (int)p->pid, (double)timeout_ns / 1e9);
		if (p->pidfd >= 0) {
			/* a pidfd turns readable when the process exits */
			struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
			uint64_t ms = (deadline - now + 999999) / 1000000;
			if (poll(&pfd, 1, ms > 1000 ? 1000 : (int)ms) < 0 && errno == EINTR)
				return err_set(e, EINTR, "interrupted");
		} else {
			struct timespec ts = {0, (long)backoff};
			if (nanosleep(&ts, NULL) && errno == EINTR)
				return err_set(e, EINTR, "interrupted");
			if (backoff < 10000000)
				backoff *= 2;
		}
	}
	return 0;
}

int wl_paused(const struct wl_proc *p, char *wchan, size_t len)
{
	char path[64], buf[1024], *s;
	ssize_t n;

	if (p->pid <= 0 || p->end.ended)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)p->pid);
	n = read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	s = strrchr(buf, ')');
	if (!s || s[1] != ' ')
		return -EINVAL;
	if (s[2] != 'D')
		return 0;
	/* Paused means waiting in the memory controller's OOM handling
	 * (mem_cgroup_oom_synchronize and its kin), not any D state: a reader
	 * waiting for its disk is not paused, nor is a task caught between
	 * waking and running (wchan "0"). */
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)p->pid);
	if (read_file(path, buf, sizeof(buf)) <= 0 || !strstr(buf, "oom"))
		return 0;
	if (wchan && len)
		snprintf(wchan, len, "%s", buf);
	return 1;
}

int wl_signal(struct wl_proc *p, int sig)
{
	if (p->pid <= 0 || p->end.ended)
		return -ESRCH;
	if (p->pidfd >= 0 && !syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0))
		return 0;
	if (p->pidfd >= 0 && errno != ENOSYS)
		return -errno;
	return kill(p->pid, sig) ? -errno : 0;
}

void wl_release(struct wl_proc *p)
{
	if (p->pid > 0 && !p->end.ended) {
		struct mlab_err e;
		wl_signal(p, SIGKILL);
		wl_wait_end(p, 10ULL * 1000000000ULL, &e);
	}
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
	if (p->sh)
		munmap(p->sh, page_round(sizeof(struct wl_shared)));
	p->sh = NULL;
}

const char *wl_end_str(const struct wl_end *end, char *buf, size_t len)
{
	if (!end->ended)
		snprintf(buf, len, "running");
	else if (end->exited)
		snprintf(buf, len, "exited %d", end->code);
	else
		snprintf(buf, len, "killed by SIG%s",
			 sigabbrev_np(end->signo) ? sigabbrev_np(end->signo) : "?");
	return buf;
}
