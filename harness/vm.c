/* memcg-lab vm: run the scenarios inside QEMU on another kernel, with cgroup
 * v1 or v2 mounted as asked, and bring the results back.
 *
 * Kernel: a bzImage (with --modules DIR), a Debian linux-image .deb, or
 * debian:FLAVOUR / debian:ABI-FLAVOUR fetched with apt-get download and
 * cached under ~/.cache/memcg-lab (never fetched twice). The initramfs is
 * written here (cpio newc): busybox-static, the static memcg-lab, the
 * scenarios, the few modules the guest needs (dependencies first), and the
 * init script (vm_guest_init.sh). A sparse virtio disk gives the guest a
 * real filesystem for page cache and swap files. The console is saved as
 * console.log; the results come back as a base64 tar on the second serial
 * port. QEMU is killed by its pid when it overruns the timeout. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "jout.h"
#include "util.h"

extern const unsigned char vm_init_sh[];

#define MAX_MODS 32

struct vm_opts {
	const char *kernel, *modules, *cgroup, *swap, *results, *accel;
	uint64_t mem, swapsize, timeout_ns;
	int cpus;
	char **run_args;
	int nrun_args;
};

struct kernel {
	char image[PATH_MAX]; /* bzImage */
	char modroot[PATH_MAX]; /* .../lib/modules/<release>, or "" */
	char release[128];
};

static int vm_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int vm_fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "memcg-lab vm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILED;
}

/* Run @argv (in @dir if set), stdout to @out (or /dev/null when out_fd is
 * -1 and capture is NULL), capture up to @len bytes of stdout if asked. */
static int run_cmd(char *const argv[], const char *dir, char *capture, size_t len)
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

static const char *cache_dir(void)
{
	static char dir[PATH_MAX];
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(dir, sizeof(dir), "%s/memcg-lab", xdg);
	else
		snprintf(dir, sizeof(dir), "%s/.cache/memcg-lab", home && *home ? home : "/root");
	return dir;
}

/* --- the kernel ------------------------------------------------------------- */

/* debian:cloud-amd64 -> the image package the meta package depends on now;
 * debian:6.1.0-47-cloud-amd64 -> linux-image-6.1.0-47-cloud-amd64. */
static int debian_package(const char *spec, char *pkg, size_t len)
{
	char meta[256], out[4096], *p;
	char *argv[] = { "apt-cache", "depends", meta, NULL };

	snprintf(meta, sizeof(meta), "linux-image-%s", spec);
	if (run_cmd(argv, NULL, out, sizeof(out)))
		return vm_fail("apt-cache knows no package %s (try: apt-cache search "
			       "--names-only linux-image-%s)", meta, spec),
		       -ENOENT;
	/* a versioned package depends on no other image; a meta package names one */
	p = strstr(out, "Depends: linux-image-");
	if (p && isdigit((unsigned char)p[21])) {
		p += 9;
		p[strcspn(p, " \n<>")] = 0;
		snprintf(pkg, len, "%s", p);
	} else {
		snprintf(pkg, len, "%s", meta);
	}
	return 0;
}

/* The cached .deb of @pkg, downloaded once. */
static int fetch_deb(const char *pkg, char *deb, size_t len)
{
	char dir[PATH_MAX], prefix[300];
	/* the cache is root's: apt's sandbox user could not write there */
	char *argv[] = { "apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", (char *)pkg,
			 NULL };
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/debs", cache_dir());
	if (mkdir_p(dir))
		return vm_fail("cannot create %s: %s", dir, strerror(errno)), -EIO;
	snprintf(prefix, sizeof(prefix), "%s_", pkg);
	for (int attempt = 0; attempt < 2; attempt++) {
		d = opendir(dir);
		while (d && (de = readdir(d)))
			if (!strncmp(de->d_name, prefix, strlen(prefix)) &&
			    strstr(de->d_name, ".deb")) {
				snprintf(deb, len, "%s/%s", dir, de->d_name);
				closedir(d);
				return 0;
			}
		if (d)
			closedir(d);
		if (attempt == 0) {
			fprintf(stderr, "memcg-lab vm: fetching %s\n", pkg);
			if (run_cmd(argv, dir, NULL, 0))
				return vm_fail("apt-get download %s failed", pkg), -EIO;
		}
	}
	return vm_fail("apt-get download %s left no .deb in %s", pkg, dir), -ENOENT;
}

/* Find boot/vmlinuz-* and lib/modules/<release> under an unpacked package. */
static int find_kernel(const char *root, struct kernel *k)
{
	char dir[PATH_MAX + 16];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/boot", root);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vmlinuz-", 8)) {
			snprintf(k->image, sizeof(k->image), "%s/%s", dir, de->d_name);
			snprintf(k->release, sizeof(k->release), "%s", de->d_name + 8);
		}
	if (d)
		closedir(d);
	if (!k->image[0])
		return vm_fail("no boot/vmlinuz-* in %s", root), -ENOENT;
	snprintf(k->modroot, sizeof(k->modroot), "%s/lib/modules/%s", root, k->release);
	if (access(k->modroot, F_OK))
		snprintf(k->modroot, sizeof(k->modroot), "%s/usr/lib/modules/%s", root, k->release);
	if (access(k->modroot, F_OK))
		k->modroot[0] = 0;
	return 0;
}

static int unpack_deb(const char *deb, struct kernel *k)
{
	char root[PATH_MAX], tmp[PATH_MAX + 8];
	const char *base = strrchr(deb, '/') ? strrchr(deb, '/') + 1 : deb;
	char *argv[] = { "dpkg-deb", "-x", (char *)deb, tmp, NULL };

	/* one directory per package file: its name without ".deb" */
	snprintf(root, sizeof(root), "%s/kernels/%.*s", cache_dir(),
		 (int)(strlen(base) > 4 ? strlen(base) - 4 : strlen(base)), base);
	if (access(root, F_OK)) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", root);
		mkdir_p(tmp);
		if (run_cmd(argv, NULL, NULL, 0))
			return vm_fail("dpkg-deb -x %s failed", deb), -EIO;
		if (rename(tmp, root))
			return vm_fail("rename %s: %s", tmp, strerror(errno)), -EIO;
	}
	return find_kernel(root, k);
}

static int resolve_kernel(const struct vm_opts *o, struct kernel *k)
{
	char pkg[256], deb[PATH_MAX];
	size_t l = strlen(o->kernel);

	memset(k, 0, sizeof(*k));
	if (!strncmp(o->kernel, "debian:", 7)) {
		if (debian_package(o->kernel + 7, pkg, sizeof(pkg)) ||
		    fetch_deb(pkg, deb, sizeof(deb)))
			return -ENOENT;
		return unpack_deb(deb, k);
	}
	if (access(o->kernel, R_OK))
		return vm_fail("--kernel %s: %s", o->kernel, strerror(errno)), -ENOENT;
	if (l > 4 && !strcmp(o->kernel + l - 4, ".deb"))
		return unpack_deb(o->kernel, k);
	snprintf(k->image, sizeof(k->image), "%s", o->kernel);
	if (o->modules) {
		const char *rel = strrchr(o->modules, '/');
		snprintf(k->modroot, sizeof(k->modroot), "%s", o->modules);
		snprintf(k->release, sizeof(k->release), "%s", rel ? rel + 1 : o->modules);
	}
	return 0;
}

/* --- modules ------------------------------------------------------------------- */

struct mods {
	char path[MAX_MODS][PATH_MAX];
	char name[MAX_MODS][64];
	int n;
};

static int find_module(const char *dir, const char *name, char *out, size_t len)
{
	char p[PATH_MAX + 300], want[128];
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			found = find_module(p, name, out, len);
			continue;
		}
		/* module files spell - as _ or the other way round, and may be compressed */
		snprintf(want, sizeof(want), "%s.ko", name);
		for (char *c = want; *c; c++)
			if (*c == '-')
				*c = '_';
		{
			char got[256];
			snprintf(got, sizeof(got), "%s", de->d_name);
			for (char *c = got; *c; c++)
				if (*c == '-')
					*c = '_';
			if (!strncmp(got, want, strlen(want)) &&
			    (!got[strlen(want)] || got[strlen(want)] == '.')) {
				snprintf(out, len, "%s", p);
				found = 1;
			}
		}
	}
	closedir(d);
	return found;
}

/* Add @name after its dependencies (modinfo -F depends). Built-in or
 * missing modules are left out: the guest reports what it then lacks. */
static void add_module(struct mods *m, const struct kernel *k, const char *name, int depth)
{
	char path[PATH_MAX], deps[1024], *save, *dep;
	char *argv[] = { "modinfo", "-F", "depends", path, NULL };

	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return;
	if (depth > 8 || m->n == MAX_MODS || !find_module(k->modroot, name, path, sizeof(path)))
		return;
	if (!run_cmd(argv, NULL, deps, sizeof(deps)))
		for (dep = strtok_r(deps, ",\n", &save); dep; dep = strtok_r(NULL, ",\n", &save))
			add_module(m, k, dep, depth + 1);
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return;
	snprintf(m->path[m->n], PATH_MAX, "%s", path);
	snprintf(m->name[m->n++], 64, "%s", name);
}

/* --- initramfs: cpio newc ---------------------------------------------------- */

struct cpio {
	FILE *f;
	unsigned ino;
};

static void cpio_pad(struct cpio *c)
{
	while (ftell(c->f) % 4)
		fputc(0, c->f);
}

static void cpio_entry(struct cpio *c, const char *name, unsigned mode, const void *data,
		       size_t len)
{
	fprintf(c->f, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ++c->ino, mode,
		0, 0, 1, 0, (unsigned)len, 0, 0, 0, 0, (unsigned)strlen(name) + 1, 0);
	fwrite(name, 1, strlen(name) + 1, c->f);
	cpio_pad(c);
	if (len)
		fwrite(data, 1, len, c->f);
	cpio_pad(c);
}

static int cpio_file(struct cpio *c, const char *name, const char *src, unsigned mode)
{
	struct stat st;
	char *buf;
	int fd = open(src, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		return vm_fail("read %s: %s", src, strerror(errno)), -EIO;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return vm_fail("read %s: %s", src, strerror(errno)), -EIO;
	}
	close(fd);
	cpio_entry(c, name, 0100000 | mode, buf, (size_t)st.st_size);
	free(buf);
	return 0;
}

/* Compressed modules (.ko.xz, .ko.zst) are unpacked on the host: the
 * guest's insmod then needs no decompressor. */
static int module_bytes(const char *path, const char *tmpdir, char *out, size_t len)
{
	size_t l = strlen(path);
	const char *tool = l > 3 && !strcmp(path + l - 3, ".xz")    ? "xz"
			   : l > 4 && !strcmp(path + l - 4, ".zst") ? "zstd"
			   : l > 3 && !strcmp(path + l - 3, ".gz")  ? "gzip"
								    : NULL;
	char cmd[PATH_MAX * 2 + 64];

	if (!tool) {
		snprintf(out, len, "%s", path);
		return 0;
	}
	snprintf(out, len, "%s/module.ko", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s -dc '%s' > '%s'", tool, path, out);
	{
		char *argv[] = { "sh", "-c", cmd, NULL };
		if (run_cmd(argv, NULL, NULL, 0))
			return vm_fail("%s -d %s failed (is %s installed?)", tool, path, tool), -EIO;
	}
	return 0;
}

static const char *self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	buf[n > 0 ? n : 0] = 0;
	slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
	return buf;
}

static int build_initramfs(const char *path, const struct kernel *k, const struct vm_opts *o,
			   const char *tmpdir)
{
	static const char *const wanted[] = { "virtio_pci", "virtio_blk", "zram", "lzo-rle", "lzo" };
	struct cpio c = { 0 };
	struct mods m = { 0 };
	char exe[PATH_MAX], bin[PATH_MAX + 32], args[8192], src[PATH_MAX], name[PATH_MAX];
	const char *sdir = scenario_dir();
	size_t used = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	snprintf(bin, sizeof(bin), "%s/memcg-lab-static", self_dir(exe, sizeof(exe)));
	if (getenv("MEMCG_LAB_STATIC"))
		snprintf(bin, sizeof(bin), "%s", getenv("MEMCG_LAB_STATIC"));
	if (access(bin, X_OK))
		return vm_fail("no static memcg-lab at %s (build it, or set MEMCG_LAB_STATIC)", bin);
	if (access("/bin/busybox", X_OK))
		return vm_fail("no /bin/busybox (Debian package busybox-static)");

	c.f = fopen(path, "wb");
	if (!c.f)
		return vm_fail("create %s: %s", path, strerror(errno));
	static const char *const dirs[] = { "bin", "dev", "proc", "sys", "modules", "scenarios",
					     "run", "tmp", "var", "var/tmp", "results" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		cpio_entry(&c, dirs[i], 040755, NULL, 0);
	ret |= cpio_file(&c, "bin/busybox", "/bin/busybox", 0755);
	ret |= cpio_file(&c, "bin/memcg-lab", bin, 0755);
	cpio_entry(&c, "init", 0100755, vm_init_sh, strlen((const char *)vm_init_sh));

	if (k->modroot[0])
		for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
			add_module(&m, k, wanted[i], 0);
	for (int i = 0; i < m.n && !ret; i++) {
		char file[PATH_MAX];
		ret = module_bytes(m.path[i], tmpdir, file, sizeof(file));
		snprintf(name, sizeof(name), "modules/%02d-%s.ko", i, m.name[i]);
		if (!ret)
			ret = cpio_file(&c, name, file, 0644);
	}

	d = opendir(sdir);
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".scn"))
			continue;
		snprintf(src, sizeof(src), "%s/%s", sdir, de->d_name);
		snprintf(name, sizeof(name), "scenarios/%s", de->d_name);
		ret |= cpio_file(&c, name, src, 0644);
	}
	if (d)
		closedir(d);
	else
		ret = vm_fail("scenario directory %s: %s", sdir, strerror(errno));

	args[0] = 0;
	for (int i = 0; i < o->nrun_args; i++)
		used += (size_t)snprintf(args + used, sizeof(args) - used, "%s\n", o->run_args[i]);
	cpio_entry(&c, "run-args", 0100644, args, strlen(args));
	cpio_entry(&c, "TRAILER!!!", 0, NULL, 0);
	if (fclose(c.f))
		ret = vm_fail("write %s: %s", path, strerror(errno));
	if (!ret)
		fprintf(stderr, "memcg-lab vm: initramfs with %d module%s%s\n", m.n,
			m.n == 1 ? "" : "s", k->modroot[0] ? "" : " (no module tree given)");
	return ret ? EXIT_FAILED : 0;
}

/* --- results ------------------------------------------------------------------ */

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
static int decode_results(const char *serial, const char *out, char *msg, size_t mlen)
{
	FILE *in = fopen(serial, "r"), *f;
	char line[4096];
	int inside = 0, ended = 0;
	unsigned acc = 0, bits = 0;

	if (!in)
		return snprintf(msg, mlen, "no output on the results port"), -ENOENT;
	f = fopen(out, "wb");
	if (!f) {
		fclose(in);
		return snprintf(msg, mlen, "create %s: %s", out, strerror(errno)), -EIO;
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
		return snprintf(msg, mlen, "the guest never sent its results"), -EIO;
	return 0;
}

/* A boot that brought no results still leaves a result: the console and
 * what went wrong, in RESULTS/<time>-vm-<cgroup>-error/. */
static void error_result(const struct vm_opts *o, const char *cgroup, const char *console,
			 const char *msg, int timed_out, double wall_s)
{
	char dir[PATH_MAX], f[PATH_MAX + 32];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(dir, sizeof(dir), "%s/%04d%02d%02d-%02d%02d%02d-vm-%s-error", o->results,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 cgroup);
	if (mkdir_p(dir))
		return;
	snprintf(f, sizeof(f), "%s/console.log", dir);
	{
		char *cp[] = { "cp", (char *)console, f, NULL };
		run_cmd(cp, NULL, NULL, 0);
	}
	snprintf(f, sizeof(f), "%s/error.json", dir);
	{
		json_t *j = json_object();
		struct mlab_err e;
		int bad = 0;
		jout_put(j, "verdict", json_string("error"), &bad);
		jout_put(j, "cgroup", jout_str(cgroup, strlen(cgroup)), &bad);
		jout_put(j, "error", jout_str(msg, strlen(msg)), &bad);
		jout_put(j, "timed_out", json_boolean(timed_out), &bad);
		jout_put(j, "wall_s", jout_real(wall_s, 3), &bad);
		if (jout_write_file(f, j, bad, &e))
			fprintf(stderr, "memcg-lab vm: %s\n", e.msg);
	}
	fprintf(stderr, "results: %s/ (error)\n", dir);
}

/* vm.json: how the guest was run */
static void write_vm_json(const char *path, const struct kernel *k, const struct vm_opts *o,
			  const char *cgroup, double wall_s, int timed_out)
{
	json_t *j = json_object();
	struct mlab_err e;
	int bad = 0;

	jout_put(j, "kernel_image", jout_str(k->image, strlen(k->image)), &bad);
	jout_put(j, "accel", jout_str(o->accel, strlen(o->accel)), &bad);
	jout_put(j, "mem_bytes", jout_u64(o->mem), &bad);
	jout_put(j, "cpus", json_integer(o->cpus), &bad);
	jout_put(j, "swap", jout_str(o->swap, strlen(o->swap)), &bad);
	jout_put(j, "cgroup", jout_str(cgroup, strlen(cgroup)), &bad);
	jout_put(j, "wall_s", jout_real(wall_s, 3), &bad);
	jout_put(j, "timed_out", json_boolean(timed_out), &bad);
	if (jout_write_file(path, j, bad, &e))
		fprintf(stderr, "memcg-lab vm: %s\n", e.msg);
}

static void console_tail(const char *path, int lines)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "tail -n %d '%s' >&2", lines, path);
	char *argv[] = { "sh", "-c", cmd, NULL };
	fprintf(stderr, "---- console (last %d lines) ----\n", lines);
	run_cmd(argv, NULL, NULL, 0);
}

/* --- one boot -------------------------------------------------------------------- */

static int boot(const struct vm_opts *o, const struct kernel *k, const char *cgroup,
		const char *tmpdir, const char *initrd)
{
	char append[512], mem[32], cpus[16], console[PATH_MAX + 16], serial[PATH_MAX + 16];
	char disk[PATH_MAX + 64], consarg[PATH_MAX + 32], serarg[PATH_MAX + 32];
	char tar[PATH_MAX + 16], outdir[PATH_MAX + 16], msg[256], sz[32];
	uint64_t t0 = now_ns(), deadline = t0 + o->timeout_ns;
	int status = 0, timed_out = 0, fd;
	pid_t pid;

	snprintf(console, sizeof(console), "%s/console-%s.log", tmpdir, cgroup);
	snprintf(serial, sizeof(serial), "%s/results-%s.b64", tmpdir, cgroup);
	snprintf(disk, sizeof(disk), "%s/disk-%s.img", tmpdir, cgroup);
	fd = open(disk, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)(2 * GIB)))
		return vm_fail("create %s: %s", disk, strerror(errno));
	close(fd);
	/* log_buf_len: the whole boot's log stays readable, so a warning the
	 * kernel prints once per boot is still there for the scenario that
	 * asks about it after a catalogue's worth of OOM reports */
	snprintf(append, sizeof(append),
		 "console=ttyS0 panic=-1 psi=1 quiet log_buf_len=4M memcg_lab.cgroup=%s "
		 "memcg_lab.swap=%s "
		 "memcg_lab.swapsize=%llu",
		 cgroup, o->swap, (unsigned long long)o->swapsize);
	snprintf(mem, sizeof(mem), "%lluM", (unsigned long long)(o->mem / MIB));
	snprintf(cpus, sizeof(cpus), "%d", o->cpus);
	snprintf(consarg, sizeof(consarg), "file:%s", console);
	snprintf(serarg, sizeof(serarg), "file:%s", serial);
	snprintf(tar, sizeof(tar), "file=%s,if=virtio,format=raw", disk);
	char *argv[] = { "qemu-system-x86_64", "-accel", (char *)o->accel, "-m", mem, "-smp", cpus,
			 "-kernel", (char *)k->image, "-initrd", (char *)initrd, "-append", append,
			 "-display", "none", "-monitor", "none", "-serial", consarg, "-serial",
			 serarg, "-drive", tar, "-no-reboot", NULL };

	fprintf(stderr, "memcg-lab vm: booting %s (cgroup %s, %s, %s, swap %s, accel %s)\n",
		k->release[0] ? k->release : k->image, cgroup, mem, cpus, o->swap, o->accel);
	pid = fork();
	if (pid < 0)
		return vm_fail("fork: %s", strerror(errno));
	if (!pid) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "memcg-lab vm: cannot run qemu-system-x86_64: %s\n", strerror(errno));
		_exit(127);
	}
	/* the guest powers off when done; a hang or a panic loop is killed */
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			timed_out = 1;
			break;
		}
		sleep_ns(100000000);
	}
	unlink(disk);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return EXIT_FAILED;
	fprintf(stderr, "memcg-lab vm: guest %s after %.1f s\n",
		timed_out ? "killed at the timeout" : "powered off", (double)(now_ns() - t0) / 1e9);

	/* results: <results dir>/<guest run id>/ plus console.log and vm.json */
	snprintf(tar, sizeof(tar), "%s/results-%s.tar", tmpdir, cgroup);
	snprintf(outdir, sizeof(outdir), "%s/unpacked-%s", tmpdir, cgroup);
	if (decode_results(serial, tar, msg, sizeof(msg))) {
		console_tail(console, 40);
		error_result(o, cgroup, console, msg, timed_out, (double)(now_ns() - t0) / 1e9);
		return vm_fail("%s (cgroup %s)%s", msg, cgroup,
			       timed_out ? "; the guest overran --timeout" : "");
	}
	{
		/* a guest that could not run says why instead of sending a tar */
		FILE *t = fopen(tar, "r");
		char first[256] = "";
		if (t) {
			if (!fgets(first, sizeof(first), t))
				first[0] = 0;
			fclose(t);
		}
		if (!strncmp(first, "error: ", 7)) {
			first[strcspn(first, "\n")] = 0;
			error_result(o, cgroup, console, first + 7, timed_out,
				     (double)(now_ns() - t0) / 1e9);
			return vm_fail("the guest could not run the scenarios with cgroup %s: %s",
				       cgroup, first + 7);
		}
	}
	mkdir_p(outdir);
	{
		char *targv[] = { "tar", "-xf", tar, "-C", outdir, NULL };
		struct dirent *de;
		DIR *d;
		int found = 0;
		if (run_cmd(targv, NULL, NULL, 0)) {
			console_tail(console, 40);
			return vm_fail("the results from the guest do not unpack (cgroup %s)", cgroup);
		}
		d = opendir(outdir);
		while (d && (de = readdir(d))) {
			char src[PATH_MAX * 2], dst[PATH_MAX * 2], f[PATH_MAX * 2 + 16];
			if (de->d_name[0] == '.')
				continue;
			snprintf(src, sizeof(src), "%s/%s", outdir, de->d_name);
			snprintf(dst, sizeof(dst), "%s/%s-vm-%s", o->results, de->d_name, cgroup);
			mkdir_p(o->results);
			if (rename(src, dst)) {
				char *mv[] = { "mv", src, dst, NULL };
				if (run_cmd(mv, NULL, NULL, 0))
					return vm_fail("cannot move results to %s", dst);
			}
			snprintf(f, sizeof(f), "%s/console.log", dst);
			{
				char *cp[] = { "cp", console, f, NULL };
				run_cmd(cp, NULL, NULL, 0);
			}
			snprintf(f, sizeof(f), "%s/vm.json", dst);
			write_vm_json(f, k, o, cgroup, (double)(now_ns() - t0) / 1e9, timed_out);
			fprintf(stderr, "results: %s/\n", dst);
			found = 1;
		}
		if (d)
			closedir(d);
		if (!found) {
			FILE *e = fopen(tar, "r");
			char first[256] = "";
			if (e) {
				if (!fgets(first, sizeof(first), e))
					first[0] = 0;
				fclose(e);
			}
			console_tail(console, 40);
			return vm_fail("the guest sent no results directory%s%s", first[0] ? ": " : "",
				       first);
		}
	}
	(void)sz;
	return 0;
}

/* --- the command --------------------------------------------------------------- */

static void vm_usage(FILE *f)
{
	fprintf(f,
		"usage: memcg-lab vm --kernel K [options] [-- RUN-ARGS]\n"
		"\n"
		"Boot K in QEMU with cgroup v1 or v2, run the scenarios there (RUN-ARGS go to\n"
		"`memcg-lab run` in the guest: scenario names, --repeat ...), and bring the\n"
		"results back to RESULTS/<run-id>-vm-<cgroup>/ with console.log and vm.json.\n"
		"\n"
		"  --kernel K        a bzImage (with --modules DIR), a linux-image .deb, or\n"
		"                    debian:FLAVOUR (newest, e.g. debian:cloud-amd64) or\n"
		"                    debian:ABI-FLAVOUR (e.g. debian:6.1.0-47-cloud-amd64),\n"
		"                    fetched with apt-get download, cached in ~/.cache/memcg-lab\n"
		"  --modules DIR     lib/modules/<release> of a bzImage kernel\n"
		"  --cgroup v1|v2|both  (default v2)\n"
		"  --mem SIZE        guest memory (default 512M)\n"
		"  --cpus N          (default 2)\n"
		"  --swap zram|disk|none  guest swap: zram of --swap-size, a swap file on the\n"
		"                    virtio disk, or none (default zram)\n"
		"  --swap-size SIZE  (default 256M)\n"
		"  --timeout DURATION  per boot; QEMU is killed after it (default 600s)\n"
		"  --results DIR     (default results)\n"
		"  --accel tcg|kvm   (default tcg; kvm needs /dev/kvm)\n");
}

int cmd_vm(int argc, char **argv)
{
	struct vm_opts o = { .cgroup = "v2", .swap = "zram", .results = "results", .accel = "tcg",
			     .mem = 512 * MIB, .swapsize = 256 * MIB, .cpus = 2,
			     .timeout_ns = 600000000000ULL };
	struct kernel k;
	struct mlab_err e;
	char tmpdir[] = "/tmp/memcg-lab-vm.XXXXXX", initrd[PATH_MAX];
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			vm_usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--")) {
			o.run_args = argv + i + 1;
			o.nrun_args = argc - i - 1;
			break;
		}
		if (!v || strncmp(a, "--", 2)) {
			fprintf(stderr, "memcg-lab vm: %s %s\n\n", a,
				v ? "is not an option" : "needs a value");
			vm_usage(stderr);
			return EXIT_USAGE;
		}
		i++;
		if (!strcmp(a, "--kernel"))
			o.kernel = v;
		else if (!strcmp(a, "--modules"))
			o.modules = v;
		else if (!strcmp(a, "--results"))
			o.results = v;
		else if (!strcmp(a, "--cgroup") && (!strcmp(v, "v1") || !strcmp(v, "v2") ||
						    !strcmp(v, "both")))
			o.cgroup = v;
		else if (!strcmp(a, "--swap") &&
			 (!strcmp(v, "zram") || !strcmp(v, "disk") || !strcmp(v, "none")))
			o.swap = v;
		else if (!strcmp(a, "--accel") && (!strcmp(v, "tcg") || !strcmp(v, "kvm")))
			o.accel = v;
		else if (!strcmp(a, "--mem") && !parse_size(v, &o.mem, &e) && o.mem >= 128 * MIB &&
			 o.mem <= 64 * GIB)
			;
		else if (!strcmp(a, "--swap-size") && !parse_size(v, &o.swapsize, &e) &&
			 o.swapsize >= MIB)
			;
		else if (!strcmp(a, "--cpus") && !parse_uint(v, 64, &n, &e) && n)
			o.cpus = (int)n;
		else if (!strcmp(a, "--timeout") && !parse_duration_ns(v, &o.timeout_ns, &e) &&
			 o.timeout_ns)
			;
		else {
			fprintf(stderr, "memcg-lab vm: bad %s '%s' (see --help)\n", a, v);
			return EXIT_USAGE;
		}
	}
	if (!o.kernel) {
		fprintf(stderr, "memcg-lab vm: --kernel is required\n\n");
		vm_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(o.accel, "kvm") && access("/dev/kvm", R_OK | W_OK))
		return vm_fail("--accel kvm: /dev/kvm is not usable here (use tcg)");
	if (resolve_kernel(&o, &k))
		return EXIT_FAILED;
	if (!mkdtemp(tmpdir))
		return vm_fail("mkdtemp: %s", strerror(errno));
	snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio", tmpdir);
	ret = build_initramfs(initrd, &k, &o, tmpdir);
	if (!ret && strcmp(o.cgroup, "v1"))
		ret |= boot(&o, &k, "v2", tmpdir, initrd);
	if (!ret && strcmp(o.cgroup, "v2"))
		ret |= boot(&o, &k, "v1", tmpdir, initrd);
	{
		char *rm[] = { "rm", "-rf", tmpdir, NULL };
		run_cmd(rm, NULL, NULL, 0);
	}
	return ret ? EXIT_FAILED : 0;
}
