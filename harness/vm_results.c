/* The VM runner's results: the guest sends its results directory as a
 * base64 tar between two marker lines on its second serial port; here it
 * is decoded, unpacked and moved to RESULTS/<run-id>-vm-<cgroup>/ with the
 * console and vm.json. A boot without results still leaves a result: the
 * console and what went wrong, in RESULTS/<time>-vm-<cgroup>-error/. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jout.h"
#include "vm.h"

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* The base64 between the marker lines of the second serial port, decoded. */
static int decode_results(const char *serial, const char *out, struct mlab_err *e)
{
	FILE *in = fopen(serial, "r"), *f;
	char line[4096];
	int inside = 0, ended = 0;
	unsigned acc = 0, bits = 0;

	if (!in)
		return err_set(e, ENOENT, "no output on the results port");
	f = fopen(out, "wb");
	if (!f) {
		fclose(in);
		return err_set(e, errno, "create %s: %s", out, strerror(errno));
	}
	while (fgets(line, sizeof(line), in)) {
		if (!strncmp(line, "MEMCG-LAB-RESULTS-BEGIN", 23)) {
			inside = 1;
			continue;
		}
		if (!strncmp(line, "MEMCG-LAB-RESULTS-END", 21)) {
			ended = inside;
			break;
		}
		if (!inside)
			continue;
		for (char *p = line; *p; p++) {
			int v = b64val((unsigned char)*p);
			if (v < 0)
				continue;
			acc = acc << 6 | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				fputc((int)(acc >> bits & 0xff), f);
			}
		}
	}
	fclose(in);
	fclose(f);
	if (!ended)
		return err_set(e, EIO, "the guest never sent its results");
	return 0;
}

/* A boot that brought no results still leaves a result: the console and
 * what went wrong, in RESULTS/<time>-vm-<cgroup>-error/. */
static void error_result(const struct vm_opts *o, const struct vm_boot *b, const char *msg)
{
	char dir[PATH_MAX], f[PATH_MAX + 32];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(dir, sizeof(dir), "%s/%04d%02d%02d-%02d%02d%02d-vm-%s-error", o->results,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 b->cgroup);
	if (mkdir_p(dir))
		return;
	snprintf(f, sizeof(f), "%s/console.log", dir);
	{
		char *cp[] = {"cp", (char *)b->console, f, NULL};
		run_command(cp, NULL, NULL, 0);
	}
	snprintf(f, sizeof(f), "%s/error.json", dir);
	{
		json_t *j = json_object();
		struct mlab_err e;
		int bad = 0;
		jout_put(j, "verdict", json_string("error"), &bad);
		jout_put(j, "cgroup", jout_str(b->cgroup, strlen(b->cgroup)), &bad);
		jout_put(j, "error", jout_str(msg, strlen(msg)), &bad);
		jout_put(j, "timed_out", json_boolean(b->timed_out), &bad);
		jout_put(j, "wall_s", jout_real(b->wall_s, 3), &bad);
		if (jout_write_file(f, j, bad, &e))
			fprintf(stderr, "memcg-lab vm: %s\n", e.msg);
	}
	fprintf(stderr, "results: %s/ (error)\n", dir);
}

/* vm.json: how the guest was run */
static void write_vm_json(const char *path, const struct kernel *k, const struct vm_opts *o,
			  const struct vm_boot *b)
{
	json_t *j = json_object();
	struct mlab_err e;
	int bad = 0;

	jout_put(j, "kernel_image", jout_str(k->image, strlen(k->image)), &bad);
	jout_put(j, "accel", jout_str(o->accel, strlen(o->accel)), &bad);
	jout_put(j, "mem_bytes", jout_u64(o->mem), &bad);
	jout_put(j, "cpus", json_integer((json_int_t)o->cpus), &bad);
	jout_put(j, "swap", jout_str(o->swap, strlen(o->swap)), &bad);
	jout_put(j, "mglru", jout_str(o->mglru, strlen(o->mglru)), &bad);
	jout_put(j, "zswap", jout_str(o->zswap, strlen(o->zswap)), &bad);
	jout_put(j, "cgroup_opts", jout_str(o->cgroup_opts, strlen(o->cgroup_opts)), &bad);
	jout_put(j, "cgroup", jout_str(b->cgroup, strlen(b->cgroup)), &bad);
	jout_put(j, "wall_s", jout_real(b->wall_s, 3), &bad);
	jout_put(j, "timed_out", json_boolean(b->timed_out), &bad);
	if (jout_write_file(path, j, bad, &e))
		fprintf(stderr, "memcg-lab vm: %s\n", e.msg);
}

static void console_tail(const char *path, int lines)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "tail -n %d '%s' >&2", lines, path);
	char *argv[] = {"sh", "-c", cmd, NULL};
	fprintf(stderr, "---- console (last %d lines) ----\n", lines);
	run_command(argv, NULL, NULL, 0);
}

/* The first line of @path ("" when there is none). */
static void first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
}

/* No results: an error result, the console's tail, and the reason. */
static int no_results(const struct vm_opts *o, const struct vm_boot *b, struct mlab_err *e, int ret)
{
	console_tail(b->console, 40);
	error_result(o, b, e->msg);
	return ret;
}

int vm_results_import(const struct vm_opts *o, const struct kernel *k, const struct vm_boot *b,
		      struct mlab_err *e)
{
	char tar[PATH_MAX + 16], outdir[PATH_MAX + 16], first[256];
	char *targv[] = {"tar", "-xf", tar, "-C", outdir, NULL};
	struct dirent *de;
	DIR *d;
	int ret, found = 0;

	snprintf(tar, sizeof(tar), "%s/results-%s.tar", b->tmpdir, b->cgroup);
	snprintf(outdir, sizeof(outdir), "%s/unpacked-%s", b->tmpdir, b->cgroup);
	ret = decode_results(b->serial, tar, e);
	if (ret)
		return no_results(o, b, e,
				  err_wrap(e, ret, "cgroup %s%s", b->cgroup,
					   b->timed_out ? " (the guest overran --timeout)" : ""));
	/* a guest that could not run says why instead of sending a tar */
	first_line(tar, first, sizeof(first));
	if (!strncmp(first, "error: ", 7)) {
		err_set(e, EIO, "the guest could not run the scenarios with cgroup %s: %s",
			b->cgroup, first + 7);
		error_result(o, b, first + 7);
		return -EIO;
	}
	mkdir_p(outdir);
	if (run_command(targv, NULL, NULL, 0))
		return no_results(o, b, e,
				  err_set(e, EIO,
					  "the results from the guest do not unpack (cgroup %s)",
					  b->cgroup));
	d = opendir(outdir);
	while (d && (de = readdir(d))) {
		char src[PATH_MAX * 2], dst[PATH_MAX * 2], f[PATH_MAX * 2 + 16];
		if (de->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", outdir, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s-vm-%s", o->results, de->d_name, b->cgroup);
		mkdir_p(o->results);
		if (rename(src, dst)) {
			char *mv[] = {"mv", src, dst, NULL};
			if (run_command(mv, NULL, NULL, 0)) {
				closedir(d);
				return err_set(e, EIO, "cannot move results to %s", dst);
			}
		}
		snprintf(f, sizeof(f), "%s/console.log", dst);
		{
			char *cp[] = {"cp", (char *)b->console, f, NULL};
			run_command(cp, NULL, NULL, 0);
		}
		snprintf(f, sizeof(f), "%s/vm.json", dst);
		write_vm_json(f, k, o, b);
		fprintf(stderr, "results: %s/\n", dst);
		found = 1;
	}
	if (d)
		closedir(d);
	if (!found)
		return no_results(o, b, e,
				  err_set(e, EIO, "the guest sent no results directory%s%s",
					  first[0] ? ": " : "", first));
	return 0;
}
