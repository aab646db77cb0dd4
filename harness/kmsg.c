/* The kernel log from "now" on (see kmsg.h). /dev/kmsg gives one record per
 * read(): "pri,seq,usec,flags[,more];message\n", then optional continuation
 * lines " KEY=value\n" (device metadata). The message escapes bytes below
 * 0x20, above 0x7e and the backslash itself as \xNN. */
#define _GNU_SOURCE
#include "kmsg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* The kernel refuses a read() into a buffer smaller than the record
 * (EINVAL); records are at most CONSOLE_EXT_LOG_MAX (8192) bytes. */
#define KMSG_REC_MAX 8192

int kmsg_open(struct kmsg *k, struct mlab_err *e)
{
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return err_set(e, errno, "/dev/kmsg: %s%s", strerror(errno),
			       errno == EPERM || errno == EACCES
				       ? " (reading the kernel log needs root, or kernel.dmesg_restrict=0)"
				       : "");
	/* only what is logged from now on */
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		int err = errno;
		close(k->fd);
		k->fd = -1;
		return err_set(e, err, "/dev/kmsg: seek to the end: %s", strerror(err));
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Digits up to @stop; advances *p past @stop. */
static int number_field(const char **p, const char *end, char stop)
{
	const char *s = *p;

	if (s >= end || !isdigit((unsigned char)*s))
		return -1;
	while (s < end && isdigit((unsigned char)*s))
		s++;
	if (s >= end || *s != stop)
		return -1;
	*p = s + 1;
	return 0;
}

int kmsg_parse(const char *rec, size_t n, char *buf, size_t len)
{
	const char *end = rec + n, *p = rec, *msg, *semi;
	size_t out = 0;

	if (!len)
		return -EINVAL;
	buf[0] = 0;
	semi = memchr(rec, ';', n);
	if (!semi)
		return -EINVAL;
	/* pri,seq,usec,flags[,more...] */
	if (number_field(&p, semi, ',') || number_field(&p, semi, ',') ||
	    number_field(&p, semi, ','))
		return -EINVAL;
	if (p >= semi)
		return -EINVAL; /* no flags */
	/* the message ends at the first newline: continuation lines follow */
	msg = semi + 1;
	for (p = msg; p < end && *p != '\n'; p++) {
		char c = *p;

		if (c == '\\' && end - p >= 4 && p[1] == 'x' && hexval(p[2]) >= 0 &&
		    hexval(p[3]) >= 0) {
			c = (char)(hexval(p[2]) * 16 + hexval(p[3]));
			p += 3;
		}
		if (out + 1 < len)
			buf[out++] = c;
	}
	buf[out] = 0;
	return (int)out;
}

/* The sequence number of a record ("pri,seq,..."), or -1. */
static long long record_seq(const char *rec, size_t n)
{
	const char *p = memchr(rec, ',', n);
	long long seq = 0;

	if (!p || ++p >= rec + n || !isdigit((unsigned char)*p))
		return -1;
	for (; p < rec + n && isdigit((unsigned char)*p); p++)
		seq = seq * 10 + (*p - '0');
	return seq;
}

int kmsg_search_boot(const char *text, char *buf, size_t len, int *from_boot)
{
	char rec[KMSG_REC_MAX + 1];
	int fd, first = 1, found = 0;

	*from_boot = 0;
	if (len)
		buf[0] = 0;
	/* a fresh open starts at the oldest record still kept */
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, rec, KMSG_REC_MAX);

		if (n < 0 && errno == EPIPE) {
			/* overwritten while we read: what was kept is no longer whole */
			*from_boot = 0;
			first = 0;
			if (!text)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (first) {
			*from_boot = record_seq(rec, (size_t)n) == 0;
			first = 0;
			if (!text)
				break; /* only asked where the log starts */
		}
		if (kmsg_parse(rec, (size_t)n, buf, len) >= 0 && strstr(buf, text)) {
			found = 1;
			break;
		}
	}
	if (!found && len)
		buf[0] = 0;
	close(fd);
	return found;
}

int kmsg_next(struct kmsg *k, char *buf, size_t len)
{
	char rec[KMSG_REC_MAX + 1];

	if (len)
		buf[0] = 0;
	for (;;) {
		ssize_t n = read(k->fd, rec, KMSG_REC_MAX);

		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			if (errno == EPIPE || errno == EINTR)
				continue; /* records were overwritten: go on with the next */
			return -errno;
		}
		if (n == 0)
			return 0;
		if (kmsg_parse(rec, (size_t)n, buf, len) >= 0)
			return 1;
		/* not a record we understand: skip it */
	}
}

void kmsg_close(struct kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
