/* sockets: --count TCP connections over the loopback interface, each with
 * its buffers filled by data sent and never read. Socket buffer memory is
 * charged to the group (memory.stat sock). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wl.h"

#define OPT(f) offsetof(struct wl_opts, f)

static const struct wl_opt sockets_opts[] = {
    {"count", WL_UINT, OPT(count), "16", "connections"},
    {"hold", WL_FLAG, OPT(hold), NULL, "once all are full, stay until told"},
    {"quiet", WL_FLAG, OPT(quiet), NULL, "no progress lines"},
    {NULL},
};

static int sockets_check(const struct wl_opts *o, struct mlab_err *e)
{
	if (!o->count || o->count > 400)
		return err_set(e, EINVAL, "--count must be 1 to 400 (two descriptors each)");
	return 0;
}

static uint64_t sockets_need(const struct wl_opts *o)
{
	return o->count * 8 * MIB; /* send and receive buffers at their largest */
}

/* A listening socket on 127.0.0.1, port chosen by the kernel. */
static int listener(struct sockaddr_in *addr, struct wl_ctx *c)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) || listen(fd, 512) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		return wl_fail(c, errno, "listen on 127.0.0.1: %s (is lo up?)", strerror(errno));
	return fd;
}

/* One connection, its sender's queue filled until the kernel refuses more;
 * how many bytes it took, or -errno. */
static long long fill_one(int lfd, const struct sockaddr_in *addr, int fds[2])
{
	static char chunk[65536];
	long long sent = 0;
	ssize_t n;

	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds[0] < 0 || connect(fds[0], (const struct sockaddr *)addr, sizeof(*addr)))
		return -errno;
	fds[1] = accept(lfd, NULL, NULL);
	if (fds[1] < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK))
		return -errno;
	memset(chunk, 'm', sizeof(chunk));
	while ((n = send(fds[0], chunk, sizeof(chunk), MSG_NOSIGNAL)) > 0)
		sent += n;
	return n < 0 && errno != EAGAIN ? -errno : sent;
}

static int sockets_run(const struct wl_opts *o, struct wl_ctx *c)
{
	int *fds = calloc(o->count * 2, sizeof(*fds)), lfd, ret = 0;
	struct sockaddr_in addr;
	uint64_t n = 0, bytes = 0;

	if (!fds)
		return wl_fail(c, ENOMEM, "no memory");
	lfd = listener(&addr, c);
	if (lfd < 0) {
		free(fds);
		return lfd;
	}
	atomic_store(&c->sh->phase, WL_RUNNING);
	for (; n < o->count && !wl_told(c); n++) {
		uint64_t t1 = now_ns();
		long long sent = fill_one(lfd, &addr, &fds[2 * n]);
		if (sent < 0) {
			ret = wl_fail(c, (int)-sent, "connection %llu: %s",
				      (unsigned long long)n + 1, strerror((int)-sent));
			n++;
			break;
		}
		bytes += (uint64_t)sent;
		wl_step_record(c, t1, bytes);
	}
	if (!ret) {
		wl_say(c, "%llu connections holding %llu bytes", (unsigned long long)n,
		       (unsigned long long)bytes);
		if (o->hold && !c->stop)
			wl_hold(c);
		atomic_store(&c->sh->phase, WL_DONE);
	}
	for (uint64_t i = 0; i < 2 * n; i++)
		if (fds[i] > 0)
			close(fds[i]);
	close(lfd);
	free(fds);
	return ret;
}

const struct wl_def wl_sockets = {
    .name = "sockets",
    .summary = "Open --count TCP connections over loopback and fill their buffers with\n"
	       "data never read: socket memory charged to the group (sock).",
    .opts = sockets_opts,
    .check = sockets_check,
    .run = sockets_run,
    .need = sockets_need,
};
