/* What every workload shares: the registry, option parsing and --help,
 * signal handling at step boundaries, pacing and progress output. */
#include "wl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct wl_def *const wl_all[] = {&wl_alloc,     &wl_tmpfs,  &wl_shm,	&wl_mmap,
				       &wl_pagecache, &wl_forker, &wl_dentries, &wl_threads,
				       &wl_sockets,   NULL};

const char *wl_phase_name(enum wl_phase p)
{
	static const char *const names[] = {"starting", "running", "holding", "done", "failed"};
	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

const struct wl_def *wl_find(const char *name)
{
	for (int i = 0; wl_all[i]; i++)
		if (!strcmp(wl_all[i]->name, name))
			return wl_all[i];
	return NULL;
}

static const struct wl_opt *find_opt(const struct wl_def *d, const char *name)
{
	for (const struct wl_opt *o = d->opts; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

static int set_one(const struct wl_opt *opt, struct wl_opts *o, const char *value,
		   struct mlab_err *e)
{
	void *field = (char *)o + opt->offset;
	int ret = 0;

	switch (opt->type) {
	case WL_SIZE:
		ret = parse_size(value, field, e);
		break;
	case WL_RATE:
		ret = parse_rate(value, field, e);
		break;
	case WL_UINT:
		ret = parse_uint(value, INT32_MAX, field, e);
		break;
	case WL_FLAG:
		if (!value || !strcmp(value, "1") || !strcmp(value, "yes") || !strcmp(value, "on"))
			*(bool *)field = true;
		else if (!strcmp(value, "0") || !strcmp(value, "no") || !strcmp(value, "off"))
			*(bool *)field = false;
		else
			ret = err_set(e, EINVAL, "'%s' is not yes or no", value);
		break;
	case WL_PATH:
		if (!value || !*value)
			ret = err_set(e, EINVAL, "empty path");
		else if (strlen(value) >= sizeof(o->path))
			ret = err_set(e, ENAMETOOLONG, "path too long");
		else
			snprintf(field, sizeof(o->path), "%s", value);
		break;
	}
	if (ret)
		return err_wrap(e, ret, "--%s", opt->name);
	return 0;
}

int wl_defaults(const struct wl_def *d, struct wl_opts *o, struct mlab_err *e)
{
	memset(o, 0, sizeof(*o));
	for (const struct wl_opt *opt = d->opts; opt->name; opt++) {
		int ret;
		if (!opt->def)
			continue;
		ret = set_one(opt, o, opt->def, e);
		if (ret)
			return ret;
	}
	return 0;
}

int wl_set_opt(const struct wl_def *d, struct wl_opts *o, const char *name, const char *value,
	       struct mlab_err *e)
{
	const struct wl_opt *opt = find_opt(d, name);

	if (!opt)
		return err_set(e, EINVAL, "workload %s has no option --%s (see --help)", d->name,
			       name);
	if (opt->type != WL_FLAG && !value)
		return err_set(e, EINVAL, "--%s needs a value", name);
	return set_one(opt, o, value, e);
}

void wl_shared_init(struct wl_shared *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->magic = WL_MAGIC;
	atomic_store(&sh->shm_id, -1);
	lat_init(&sh->lat);
}

static sigset_t stop_set(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	return s;
}

void wl_signals_block(void)
{
	sigset_t s = stop_set();
	sigprocmask(SIG_BLOCK, &s, NULL);
}

int wl_pace(struct wl_ctx *c, uint64_t deadline_ns)
{
	sigset_t s = stop_set();

	for (;;) {
		uint64_t now = now_ns();
		struct timespec ts;
		if (c->stop)
			return 1;
		if (now >= deadline_ns)
			return wl_told(c);
		ts.tv_sec = (time_t)((deadline_ns - now) / 1000000000ULL);
		ts.tv_nsec = (long)((deadline_ns - now) % 1000000000ULL);
		if (sigtimedwait(&s, NULL, &ts) > 0)
			c->stop = 1;
	}
}

int wl_told(struct wl_ctx *c)
{
	static const struct timespec zero;
	sigset_t s = stop_set();

	if (!c->stop && sigtimedwait(&s, NULL, &zero) > 0)
		c->stop = 1;
	return c->stop;
}

void wl_hold(struct wl_ctx *c)
{
	sigset_t s = stop_set();

	atomic_store(&c->sh->phase, WL_HOLDING);
	while (!c->stop)
		if (sigwaitinfo(&s, NULL) > 0)
			c->stop = 1;
}

void wl_say(struct wl_ctx *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (c->out_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(c->out_fd, buf, (size_t)n) < 0) {
		/* nowhere left to report to */
	}
}

int wl_fail(struct wl_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	/* the verdict first: formatting may fault in a page, and at the limit
	 * of an oom_kill_disable group that fault pauses the task for good */
	c->sh->err = err;
	atomic_store(&c->sh->phase, WL_FAILED);
	va_start(ap, fmt);
	vsnprintf(c->sh->errmsg, sizeof(c->sh->errmsg), fmt, ap);
	va_end(ap);
	return -err;
}

void wl_touch(void *p, size_t len)
{
	/* memset is the fastest first touch; non-zero so no page can be mistaken
	 * for (or merged into) the zero page */
	memset(p, 0x5a, len);
}

void wl_step_record(struct wl_ctx *c, uint64_t t_step, uint64_t done)
{
	lat_record(&c->sh->lat, now_ns() - t_step);
	atomic_store(&c->sh->bytes, done);
	atomic_fetch_add(&c->sh->steps, 1);
}

int wl_step_pace(struct wl_ctx *c, const struct wl_opts *o, uint64_t t0, uint64_t done)
{
	return o->rate ? wl_pace(c, wl_step_deadline(t0, done, o->rate)) : wl_told(c);
}

int wl_step_done(struct wl_ctx *c, const struct wl_opts *o, uint64_t t0, uint64_t t_step,
		 uint64_t done)
{
	wl_step_record(c, t_step, done);
	return wl_step_pace(c, o, t0, done);
}

uint64_t wl_step_deadline(uint64_t t0, uint64_t done_bytes, uint64_t rate)
{
	if (!rate)
		return 0;
	return t0 + (uint64_t)((unsigned __int128)done_bytes * 1000000000ULL / rate);
}
