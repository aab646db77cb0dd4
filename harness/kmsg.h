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

/* Search the whole log the kernel still keeps (from its oldest record, not
 * from "now") for a message containing @text: for warnings a kernel prints
 * once per boot, which an earlier run may have drawn. 1 found (the message
 * in @buf), 0 not found, -errno when /dev/kmsg cannot be read. *@from_boot
 * is 1 when the oldest record kept is the boot's first (sequence 0), so a
 * "not found" is final; 0 when older records were overwritten. A NULL
 * @text only tells where the log starts. */
int kmsg_search_boot(const char *text, char *buf, size_t len, int *from_boot);

#endif
