/* What the commands share: how they say what went wrong. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "util.h"

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "memcg-lab: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* Errors from run_begin: no root / no controller are "cannot run here". */
int cli_begin_failed(int ret, const struct mlab_err *e)
{
	return cli_fail(ret == -EPERM || ret == -ENODEV ? EXIT_SKIP : 1, "%s", e->msg);
}
