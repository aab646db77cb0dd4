/* JSON output (see jout.h). */
#include "jout.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* A JSON string from a field; NULL only when out of memory. */
json_t *jout_str(const char *s, size_t n)
{
	char buf[1024];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	utf8_clean(buf, s, n);
	return json_string(buf);
}

/* null instead of "" for optional fields */
json_t *jout_str_or_null(const char *s, size_t n)
{
	return s[0] ? jout_str(s, n) : json_null();
}

/* JSON integers are signed 64 bits: anything above (RES_NA, "max") is null */
json_t *jout_u64(uint64_t v)
{
	return v > INT64_MAX ? json_null() : json_integer((json_int_t)v);
}

/* Rounded to @digits decimals; the dump's precision of 15 significant
 * digits then prints it without binary noise ("1.234", not
 * "1.2339999999999999"). */
json_t *jout_real(double v, int digits)
{
	double m = pow(10, digits);

	if (!isfinite(v))
		return json_null();
	return json_real(round(v * m) / m);
}

/* json_object_set_new() takes a NULL value as an error (and allocation
 * failures show up as NULL values): collect them into *@bad and check
 * once. */
void jout_put(json_t *o, const char *key, json_t *v, int *bad)
{
	if (!o || json_object_set_new(o, key, v))
		*bad = 1;
}

void jout_append(json_t *a, json_t *v, int *bad)
{
	if (!a || json_array_append_new(a, v))
		*bad = 1;
}

#define JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

/* Dump @root (consumed) to @f; -ENOMEM if it could not be built. */
int jout_dump(FILE *f, json_t *root, int bad)
{
	int ret = 0;

	if (!root || bad)
		ret = -ENOMEM;
	else if (json_dumpf(root, f, JSON_FLAGS) || fputc('\n', f) == EOF)
		ret = -(errno ? errno : EIO);
	json_decref(root);
	return ret;
}

struct dump_arg {
	json_t *root;
	int bad, dumped;
};

static int dump_cb(FILE *f, void *arg)
{
	struct dump_arg *d = arg;
	d->dumped = 1;
	return jout_dump(f, d->root, d->bad);
}

int jout_write_file(const char *path, json_t *root, int bad, struct mlab_err *e)
{
	struct dump_arg d = {root, bad, 0};
	char err[MLAB_ERR_LEN];
	int ret = write_file_atomic(path, dump_cb, &d, err, sizeof(err));

	if (!d.dumped) /* the file could not be opened: @root is still ours */
		json_decref(root);
	return ret ? err_set(e, -ret, "%s", err) : 0;
}
