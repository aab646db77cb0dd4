/* The kernel log as it grows: /dev/kmsg read from "now" on, never cleared.
 * A scenario opens it at its start and collects what the kernel logs while
 * it runs (OOM reports, deprecation warnings). */
#ifndef MLAB_KMSG_H
#define MLAB_KMSG_H

#include <stddef.h>

#include "util.h"

struct kmsg {
	int fd; /* non-blocking, pollable (POLLIN) */
};

/* Open positioned at the end of the log. -errno (EPERM without root). */
int kmsg_open(struct kmsg *k, struct mlab_err *e);
/* Read the next new message text (prefix "pri,seq,ts,flags;" and the
 * continuation lines stripped) into @buf; 1 got one, 0 none pending, -errno
 * when the read fails otherwise. Lost records (the log wrapped) are skipped. */
int kmsg_next(struct kmsg *k, char *buf, size_t len);
/* Parse one record of @n bytes as one read() of /dev/kmsg returns it:
 * "pri,seq,usec,flags[,more];message\n" plus continuation lines starting
 * with a space. The message goes to @buf (truncated to fit, NUL-terminated)
 * with the kernel's \xNN escapes undone. Returns its length, or -EINVAL for
 * a malformed record. */
int kmsg_parse(const char *rec, size_t n, char *buf, size_t len);
void kmsg_close(struct kmsg *k);

#endif
