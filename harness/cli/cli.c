/* What the commands share: how they say what went wrong. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "util.h"

static int say_failed(int code, const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "memcg-lab%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return code;
}

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	code = say_failed(code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int cli_cmd_fail(int code, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	code = say_failed(code, cmd, fmt, ap);
	va_end(ap);
	return code;
}

/* Errors from run_begin: no root / no controller are "cannot run here". */
int cli_begin_failed(int ret, const struct mlab_err *e)
{
	return cli_fail(ret == -EPERM || ret == -ENODEV ? EXIT_SKIP : 1, "%s", e->msg);
}
