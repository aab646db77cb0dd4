/* The VM runner's results: the guest sends its results directory as a
 * base64 tar between two marker lines on its second serial port; here it
 * is decoded, unpacked and moved to RESULTS/<run-id>-vm-<cgroup>/ with the
 * console and vm.json. A boot without results still leaves a result: the
 * console and what went wrong, in RESULTS/<time>-vm-<cgroup>-error/. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

/* Decode the base64 of one line's payload (after "MLR:", up to the first
 * character that is not base64) onto @f; the bits left over in @acc, @bits. */
static void decode_line(const char *p, FILE *f, unsigned *acc, unsigned *bits)
{
	for (; *p && *p != '\n'; p++) {
		int v = b64val((unsigned char)*p);
		if (v < 0) {
			if (*p == '=')
				continue;
			return; /* the end of the line's payload */
		}
		*acc = *acc << 6 | (unsigned)v;
		*bits += 6;
		if (*bits >= 8) {
			*bits -= 8;
			fputc((int)(*acc >> *bits & 0xff), f);
		}
	}
}

/* The results in @serial (the second serial port, or any log with the
 * guest's console in it, a lab's for one): the base64 after "MLR:" on the
 * lines between the two markers, decoded to @out. A later BEGIN starts
 * over (a guest that was cut short and booted again); an END before any
 * BEGIN is some other line. */
int vm_results_decode(const char *serial, const char *out, struct mlab_err *e)
{
	FILE *in = fopen(serial, "r"), *f;
	char line[4096];
	int inside = 0, ended = 0, bad;
	unsigned acc = 0, bits = 0;

	if (!in)
		return err_set(e, ENOENT, "no output on the results port");
	f = fopen(out, "wb");
	if (!f) {
		fclose(in);
		return err_set(e, errno, "create %s: %s", out, strerror(errno));
	}
	while (fgets(line, sizeof(line), in)) {
		char *p = strstr(line, "MLR:");
		if (strstr(line, "MEMCG-LAB-RESULTS-BEGIN")) {
			inside = 1;
			acc = bits = 0;
			rewind(f);
			if (ftruncate(fileno(f), 0))
				break;
			continue;
		}
		if (inside && strstr(line, "MEMCG-LAB-RESULTS-END")) {
			ended = 1;
			break;
		}
		if (inside && p)
			decode_line(p + 4, f, &acc, &bits);
	}
	fclose(in);
	bad = ferror(f);
	bad |= fclose(f) != 0;
	if (bad)
		return err_set(e, EIO, "write %s: %s", out, strerror(errno ? errno : EIO));
	if (!ended)
		return err_set(e, EIO, "the guest never sent its results");
	return 0;
}

/* Where the guest's time went: its uptime at each mark, from the line
 * MEMCG-LAB-PHASES after the results (0 where it was not sent). */
struct phases {
	double init, modules, disk, start, end, sent, unpack[2];
};

static void read_phases(const char *serial, struct phases *p)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
	    {"init=", offsetof(struct phases, init)},
	    {"modules=", offsetof(struct phases, modules)},
	    {"disk=", offsetof(struct phases, disk)},
	    {"start=", offsetof(struct phases, start)},
	    {"end=", offsetof(struct phases, end)},
	    {"sent=", offsetof(struct phases, sent)},
	    {"unpack=", offsetof(struct phases, unpack)},
	};
	FILE *in = fopen(serial, "r");
	char line[512];

	memset(p, 0, sizeof(*p));
	while (in && fgets(line, sizeof(line), in)) {
		char *at = strstr(line, "MEMCG-LAB-PHASES ");
		if (!at)
			continue;
		for (char *w = strtok(at + 17, " \n"); w; w = strtok(NULL, " \n"))
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (!strncmp(w, keys[i].key, strlen(keys[i].key))) {
					double *v = (double *)((char *)p + keys[i].off);
					char *end;
					v[0] = strtod(w + strlen(keys[i].key), &end);
					/* unpack= has two: its start and its end */
					if (keys[i].off == offsetof(struct phases, unpack) &&
					    *end == ',')
						v[1] = strtod(end + 1, NULL);
				}
	}
	if (in)
		fclose(in);
}

static void put_span(json_t *j, const char *key, double from, double to, int *bad)
{
	if (to > 0 && to >= from)
		jout_put(j, key, jout_real(to - from, 3), bad);
}

/* vm.json "phases": seconds of the guest's clock per phase, and what lay
 * outside it (QEMU's start, the firmware, loading the kernel, power-off). */
static json_t *phases_json(const struct vm_boot *b, int *bad)
{
	struct phases p;
	json_t *j = json_object();

	read_phases(b->serial, &p);
	if (p.sent <= 0)
		return j;
	put_span(j, "outside_guest", p.sent, b->wall_s, bad);
	put_span(j, "kernel_boot", 0, p.init, bad);
	put_span(j, "initramfs_unpack", p.unpack[0], p.unpack[1], bad);
	put_span(j, "modules", p.init, p.modules, bad);
	put_span(j, "disk", p.modules, p.disk, bad);
	put_span(j, "setup", p.disk, p.start, bad);
	put_span(j, "to_first_scenario", 0, p.start, bad);
	put_span(j, "scenarios", p.start, p.end, bad);
	put_span(j, "results", p.end, p.sent, bad);
	return j;
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
	jout_put(j, "phases_s", phases_json(b, &bad), &bad);
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

/* Each results directory unpacked from @tar moved to @results as
 * <run-id>@suffix/, @console copied in as console.log, and @each called
 * on it; how many there were in *@found. */
static int move_unpacked(const char *tar, const char *tmpdir, const char *results,
			 const char *suffix, const char *console, vm_results_each *each, void *arg,
			 int *found, struct mlab_err *e)
{
	char outdir[PATH_MAX + 16];
	char *targv[] = {"tar", "-xf", (char *)tar, "-C", outdir, NULL};
	struct dirent *de;
	DIR *d;

	*found = 0;
	snprintf(outdir, sizeof(outdir), "%s/unpacked%s", tmpdir, suffix);
	mkdir_p(outdir);
	if (run_command(targv, NULL, NULL, 0))
		return err_set(e, EIO, "the results do not unpack");
	d = opendir(outdir);
	while (d && (de = readdir(d))) {
		char src[PATH_MAX * 2], dst[PATH_MAX * 2], f[PATH_MAX * 2 + 16];
		char *cp[] = {"cp", (char *)console, f, NULL};
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", outdir, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s%s", results, de->d_name, suffix);
		/* a results directory, nothing else (the guest wrote the tar) */
		if (lstat(src, &st) || !S_ISDIR(st.st_mode)) {
			int ret = err_set(e, EIO, "%s in the results is not a directory", de->d_name);
			closedir(d); /* de is gone with it */
			return ret;
		}
		if (!lstat(dst, &st)) {
			closedir(d);
			return err_set(e, EEXIST, "%s already exists (imported before?)", dst);
		}
		mkdir_p(results);
		if (rename(src, dst)) {
			char *mv[] = {"mv", "-T", src, dst, NULL};
			if (run_command(mv, NULL, NULL, 0)) {
				closedir(d);
				return err_set(e, EIO, "cannot move results to %s", dst);
			}
		}
		snprintf(f, sizeof(f), "%s/console.log", dst);
		run_command(cp, NULL, NULL, 0);
		if (each)
			each(dst, arg);
		fprintf(stderr, "results: %s/\n", dst);
		(*found)++;
	}
	if (d)
		closedir(d);
	return 0;
}

int vm_results_unpack(const char *log, const char *console, const char *tmpdir, const char *results,
		      const char *suffix, vm_results_each *each, void *arg, int *guest_error,
		      struct mlab_err *e)
{
	char tar[PATH_MAX + 16], first[256];
	int ret, found = 0;

	*guest_error = 0;
	snprintf(tar, sizeof(tar), "%s/results%s.tar", tmpdir, suffix);
	ret = vm_results_decode(log, tar, e);
	if (ret)
		return ret;
	/* a guest that could not run says why instead of sending a tar */
	first_line(tar, first, sizeof(first));
	if (!strncmp(first, "error: ", 7)) {
		*guest_error = 1;
		return err_set(e, EIO, "%s", first + 7);
	}
	ret = move_unpacked(tar, tmpdir, results, suffix, console, each, arg, &found, e);
	if (!ret && !found)
		ret = err_set(e, EIO, "no results directory in them%s%s", first[0] ? ": " : "",
			      first);
	return ret;
}

struct vm_json_args {
	const struct vm_opts *o;
	const struct kernel *k;
	const struct vm_boot *b;
};

static void add_vm_json(const char *dir, void *arg)
{
	const struct vm_json_args *a = arg;
	char f[PATH_MAX + 16];

	snprintf(f, sizeof(f), "%s/vm.json", dir);
	write_vm_json(f, a->k, a->o, a->b);
}

int vm_results_import(const struct vm_opts *o, const struct kernel *k, const struct vm_boot *b,
		      struct mlab_err *e)
{
	struct vm_json_args a = {o, k, b};
	char suffix[32];
	int guest_error, ret;

	snprintf(suffix, sizeof(suffix), "-vm-%s", b->cgroup);
	ret = vm_results_unpack(b->serial, b->console, b->tmpdir, o->results, suffix, add_vm_json,
				&a, &guest_error, e);
	if (!ret)
		return 0;
	if (guest_error) {
		error_result(o, b, e->msg);
		return err_wrap(e, ret, "the guest could not run the scenarios with cgroup %s",
				b->cgroup);
	}
	return no_results(o, b, e,
			  err_wrap(e, ret, "cgroup %s%s", b->cgroup,
				   b->timed_out ? " (the guest overran --timeout)" : ""));
}
