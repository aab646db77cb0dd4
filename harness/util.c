/* Shared helpers: see util.h. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int err_set(struct mlab_err *e, int errnum, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

int err_wrap(struct mlab_err *e, int ret, const char *fmt, ...)
{
	if (e) {
		char old[MLAB_ERR_LEN];
		char ctx[MLAB_ERR_LEN];
		va_list ap;

		memcpy(old, e->msg, sizeof(old));
		va_start(ap, fmt);
		vsnprintf(ctx, sizeof(ctx), fmt, ap);
		va_end(ap);
		snprintf(e->msg, sizeof(e->msg), "%s: %s", ctx, old);
	}
	return ret;
}

/* Parse a non-negative decimal with an optional fraction, exactly: returns the
 * integer part in *ip and the fraction as numerator/denominator. */
static int parse_decimal(const char **sp, uint64_t *ip, uint64_t *fnum, uint64_t *fden)
{
	const char *s = *sp;
	uint64_t v = 0, num = 0, den = 1;
	int digits = 0;

	while (isdigit((unsigned char)*s)) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
		s++;
		digits++;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (den < 1000000000000ULL) {
				num = num * 10 + (unsigned)(*s - '0');
				den *= 10;
			} else if (*s != '0') {
				return -EINVAL; /* more precision than any unit needs */
			}
			s++;
			digits++;
		}
	}
	if (!digits)
		return -EINVAL;
	*ip = v;
	*fnum = num;
	*fden = den;
	*sp = s;
	return 0;
}

/* v * mult + frac * mult, checked for overflow; the result must be whole. */
static int scale(uint64_t v, uint64_t num, uint64_t den, uint64_t mult, uint64_t *out)
{
	uint64_t whole;
	unsigned __int128 f;

	if (mult && v > UINT64_MAX / mult)
		return -ERANGE;
	whole = v * mult;
	f = (unsigned __int128)num * mult;
	if (f % den)
		return -EDOM; /* a fraction of the smallest unit */
	f /= den;
	if (f > UINT64_MAX - whole)
		return -ERANGE;
	*out = whole + (uint64_t)f;
	return 0;
}

int parse_size(const char *s, uint64_t *out, struct mlab_err *e)
{
	const char *p = s;
	uint64_t v, num, den, mult = 1;
	int r;

	if (!s || !*s)
		return err_set(e, EINVAL, "empty size");
	if (*p == '-' || *p == '+')
		return err_set(e, EINVAL, "size '%s': must be a plain non-negative number", s);
	r = parse_decimal(&p, &v, &num, &den);
	if (r == -ERANGE)
		return err_set(e, ERANGE, "size '%s' is too large", s);
	if (r)
		return err_set(e, EINVAL, "size '%s': expected a number such as 4096, 400K, 5M or 1G", s);
	switch (toupper((unsigned char)*p)) {
	case 'K': mult = KIB; p++; break;
	case 'M': mult = MIB; p++; break;
	case 'G': mult = GIB; p++; break;
	case 'T': mult = GIB * 1024; p++; break;
	case 'P': mult = GIB * 1024 * 1024; p++; break;
	default: break;
	}
	if (mult > 1 && *p == 'i')
		p++;
	if (*p == 'B' || *p == 'b')
		p++;
	if (*p)
		return err_set(e, EINVAL, "size '%s': unknown unit '%s' (use K, M, G, T)", s, p);
	r = scale(v, num, den, mult, out);
	if (r == -ERANGE)
		return err_set(e, ERANGE, "size '%s' is too large", s);
	if (r)
		return err_set(e, EINVAL, "size '%s' is not a whole number of bytes", s);
	return 0;
}

int parse_rate(const char *s, uint64_t *out, struct mlab_err *e)
{
	char buf[64];
	size_t n;

	if (!s || !*s)
		return err_set(e, EINVAL, "empty rate");
	if (!strcmp(s, "max")) {
		*out = 0;
		return 0;
	}
	n = strlen(s);
	if (n >= sizeof(buf))
		return err_set(e, EINVAL, "rate '%.40s...' is too long", s);
	memcpy(buf, s, n + 1);
	if (n > 2 && !strcmp(buf + n - 2, "/s"))
		buf[n - 2] = 0;
	if (parse_size(buf, out, e))
		return err_set(e, EINVAL, "rate '%s': expected bytes per second such as 1M, 1M/s or max",
			       s);
	if (!*out)
		return err_set(e, EINVAL, "rate '%s' is zero (use max for unpaced)", s);
	return 0;
}

int parse_duration_ns(const char *s, uint64_t *out, struct mlab_err *e)
{
	const char *p = s;
	uint64_t v, num, den, mult = 1000000000ULL;
	int r;

	if (!s || !*s)
		return err_set(e, EINVAL, "empty duration");
	if (*p == '-' || *p == '+')
		return err_set(e, EINVAL, "duration '%s': must be a plain non-negative number", s);
	r = parse_decimal(&p, &v, &num, &den);
	if (r)
		return err_set(e, EINVAL, "duration '%s': expected a time such as 250ms, 20s or 2m", s);
	if (!strcmp(p, "ns"))
		mult = 1;
	else if (!strcmp(p, "us"))
		mult = 1000;
	else if (!strcmp(p, "ms"))
		mult = 1000000;
	else if (!strcmp(p, "s") || !*p)
		mult = 1000000000ULL;
	else if (!strcmp(p, "m") || !strcmp(p, "min"))
		mult = 60000000000ULL;
	else if (!strcmp(p, "h"))
		mult = 3600000000000ULL;
	else
		return err_set(e, EINVAL, "duration '%s': unknown unit '%s' (use ms, s, m)", s, p);
	r = scale(v, num, den, mult, &v);
	if (r == -ERANGE || (!r && v > 365ULL * 24 * 3600000000000ULL))
		return err_set(e, ERANGE, "duration '%s' is too long", s);
	if (r)
		return err_set(e, EINVAL, "duration '%s' is finer than a nanosecond", s);
	*out = v;
	return 0;
}

int parse_uint(const char *s, uint64_t max, uint64_t *out, struct mlab_err *e)
{
	const char *p = s;
	uint64_t v = 0;

	if (!s || !*s)
		return err_set(e, EINVAL, "empty number");
	for (; *p; p++) {
		unsigned d;
		if (!isdigit((unsigned char)*p))
			return err_set(e, EINVAL, "'%s' is not a non-negative whole number", s);
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return err_set(e, ERANGE, "'%s' is too large (at most %llu)", s,
				       (unsigned long long)max);
		v = v * 10 + d;
	}
	if (v > max)
		return err_set(e, ERANGE, "'%s' is too large (at most %llu)", s, (unsigned long long)max);
	*out = v;
	return 0;
}

char *fmt_size(char *buf, size_t len, uint64_t b)
{
	static const char units[] = "KMGTP";
	uint64_t u = KIB;
	int i = -1;

	/* the largest unit the value reaches; exact values stay exact */
	while (i < 4 && b >= u) {
		u *= 1024;
		i++;
	}
	if (i < 0) {
		snprintf(buf, len, "%llu", (unsigned long long)b);
		return buf;
	}
	u /= 1024;
	if (b % u == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)(b / u), units[i]);
	else
		snprintf(buf, len, "%.1f%c", (double)b / (double)u, units[i]);
	return buf;
}

ssize_t read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - (size_t)total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		total += n;
	}
	buf[total] = 0;
	close(fd);
	return total;
}

int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = write(fd, s, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	if (close(fd) && !r && errno != EINTR)
		r = -errno;
	return r;
}

int write_file_atomic(const char *path, int (*fn)(FILE *f, void *arg), void *arg, char *errbuf,
		      size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ret = 0;

	/* "<dir>/.<name>.tmp<pid>": same directory, so the rename is atomic */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp%d", slash ? (int)(slash - path + 1) : 0,
			     path, slash ? slash + 1 : path, (int)getpid()) >= sizeof(tmp)) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	errno = 0;
	ret = fn(f, arg);
	/* a failed fprintf leaves only the stream's error flag */
	if (!ret && (fflush(f) == EOF || ferror(f)))
		ret = -(errno ? errno : EIO);
	if (!ret && fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
out_unlink:
	if (ret)
		unlink(tmp);
out:
	if (ret)
		snprintf(errbuf, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

int read_u64_file(const char *path, uint64_t *out)
{
	char buf[64], *end;
	ssize_t n = read_file(path, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	if (!strncmp(buf, "max", 3)) {
		*out = UINT64_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL; /* strtoull would take "-1", " 5" and "+5" */
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ULL),
			       .tv_nsec = (long)(ns % 1000000000ULL) };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

int mkdir_p(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);
	char *p;

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

size_t page_round(size_t n)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	return (n + ps - 1) / ps * ps;
}

/* Length of the valid UTF-8 sequence at @p (at most @n bytes), 0 if none:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	/* the second byte's range excludes overlongs, surrogates, > U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* Copy the string in @src (at most @n bytes) to @dst (at least n + 1
 * bytes), every byte that is not part of valid UTF-8 replaced by '?'. */
void utf8_clean(char *dst, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	n = strnlen(src, n);
	while (i < n) {
		size_t l = utf8_len(s + i, n - i);

		if (!l) {
			*dst++ = '?';
			i++;
			continue;
		}
		memcpy(dst, s + i, l);
		dst += l;
		i += l;
	}
	*dst = 0;
}

int run_command(char *const argv[], const char *dir, char *capture, size_t len)
{
	int pfd[2] = { -1, -1 }, status;
	size_t have = 0;
	pid_t pid;

	if (capture && pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_RDWR);
		if (dir && chdir(dir))
			_exit(126);
		dup2(capture ? pfd[1] : null, 1);
		if (capture)
			close(pfd[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (capture) {
		ssize_t n;
		close(pfd[1]);
		while ((n = read(pfd[0], capture + have, len - 1 - have)) > 0 && have < len - 1)
			have += (size_t)n;
		capture[have] = 0;
		close(pfd[0]);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
