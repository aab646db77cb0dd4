/* Small shared helpers: error buffers, size/rate parsing, file I/O, clocks.
 *
 * Library code never prints and never exits: it returns 0 or -errno and
 * fills a fixed-size error message (we run near OOM: no allocation on error
 * paths). */
#ifndef MLAB_UTIL_H
#define MLAB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define MLAB_ERR_LEN 512

struct mlab_err {
	char msg[MLAB_ERR_LEN];
};

/* Fill @e (may be NULL) and return -@errnum (errnum > 0). */
int err_set(struct mlab_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix what is already in @e with a new context: "ctx: old". */
int err_wrap(struct mlab_err *e, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define KIB (1024ULL)
#define MIB (1024ULL * 1024)
#define GIB (1024ULL * 1024 * 1024)

/* "4096", "400K", "5M", "1G", "1.5M", "2T" (binary units, optional B/iB).
 * Rejects empty, negative, fractions of a byte, overflow and trailing junk. */
int parse_size(const char *s, uint64_t *out, struct mlab_err *e);
/* A rate in bytes per second: SIZE or SIZE/s; "max" gives 0 (unpaced). */
int parse_rate(const char *s, uint64_t *out, struct mlab_err *e);
/* A duration: "250ms", "20s", "1.5s", "2m", "100us"; bare numbers are seconds. */
int parse_duration_ns(const char *s, uint64_t *out, struct mlab_err *e);
/* A non-negative decimal integer that fits in @max. */
int parse_uint(const char *s, uint64_t max, uint64_t *out, struct mlab_err *e);

/* Human form of a byte count: "4M", "400K", "1.5G", "123" (exact if possible). */
char *fmt_size(char *buf, size_t len, uint64_t bytes);

/* Read a whole small file into @buf (NUL-terminated, trailing newline kept).
 * Returns bytes read or -errno. */
ssize_t read_file(const char *path, char *buf, size_t len);
/* Write @s to @path in one write(2) (O_WRONLY, no O_CREAT, no O_TRUNC), as a
 * control file needs. Returns 0 or -errno of open or write. */
int write_file(const char *path, const char *s);
/* Write @path whole or not at all: @fn writes into a temporary file beside
 * it, which is then synced and renamed into place. Returns 0, or @fn's
 * -errno or the file's, with "<path>: <error>" in @errbuf. */
int write_file_atomic(const char *path, int (*fn)(FILE *f, void *arg), void *arg, char *errbuf,
		      size_t errlen);
/* Read a file holding one unsigned decimal number (or "max"). */
int read_u64_file(const char *path, uint64_t *out);

uint64_t now_ns(void); /* CLOCK_MONOTONIC */
void sleep_ns(uint64_t ns);

/* Length of the valid UTF-8 sequence at @p (at most @n bytes), 0 if none:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
size_t utf8_len(const unsigned char *p, size_t n);
/* Copy the string in @src (at most @n bytes) to @dst (at least n + 1
 * bytes), every byte that is not part of valid UTF-8 replaced by '?'. */
void utf8_clean(char *dst, const char *src, size_t n);

/* Undo the octal escapes of /proc/mounts and /proc/swaps (\040 = space). */
void unescape_octal(char *s);

/* Run the program @argv (searched in PATH; in @dir when set) with stdin and
 * stderr as they are, stdout to /dev/null or, when @capture is set, into it
 * (up to @len bytes, NUL-terminated). Returns its exit code, 128 + signal,
 * 126/127 when it could not be started, or -errno. */
int run_command(char *const argv[], const char *dir, char *capture, size_t len);

/* mkdir -p for a directory path (mode 0755). */
int mkdir_p(const char *path);

/* Size of the mapping rounded up to the page size. */
size_t page_round(size_t n);

#endif
