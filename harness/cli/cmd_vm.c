/* memcg-lab vm: run the scenarios inside QEMU on another kernel, with cgroup
 * v1 or v2 mounted as asked, and bring the results back.
 *
 * The kernel comes from vm_kernel.c (a bzImage, a .deb, or a Debian package
 * fetched once), the initramfs from vm_initramfs.c; each guest here gets a
 * sparse virtio disk (a real filesystem for page cache and swap files,
 * formatted here) and virtio-rng, its console saved as console.log and its
 * results sent as gzip'd tar in base64 lines on the second serial port
 * (vm_results.c). The guests of --cgroup both run at once unless
 * --one-at-a-time; QEMU is killed by its pid when it overruns the timeout.
 * --initramfs-out writes the initramfs for a lab's own QEMU instead. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opt.h"
#include "vm.h"

#define vm_fail(...) cli_cmd_fail(EXIT_FAILED, "vm", __VA_ARGS__)

static volatile sig_atomic_t vm_stop; /* the signal that told the runner to stop */

static void on_stop(int sig)
{
	vm_stop = sig;
}

/* --- one boot -------------------------------------------------------------------- */

/* The files of one boot, in the scratch directory. */
struct boot_files {
	char console[PATH_MAX + 16]; /* the guest's console */
	char serial[PATH_MAX + 16];  /* its results, base64 */
	char disk[PATH_MAX + 64];    /* its sparse virtio disk */
};

static void name_boot_files(struct boot_files *f, const char *tmpdir, const char *cgroup)
{
	snprintf(f->console, sizeof(f->console), "%s/console-%s.log", tmpdir, cgroup);
	snprintf(f->serial, sizeof(f->serial), "%s/results-%s.b64", tmpdir, cgroup);
	snprintf(f->disk, sizeof(f->disk), "%s/disk-%s.img", tmpdir, cgroup);
}

/* A sparse 2G file: a real filesystem for page cache and swap files. It
 * is formatted here (ext2, e2fsprogs: a hundredth of a second) rather than
 * in the guest (a second under emulation); a guest given a blank disk
 * formats it itself. One inode per 256K: the scenarios make few files. */
static int make_disk(const char *disk, struct mlab_err *e)
{
	char *mkfs[] = {"mke2fs", "-q", "-F", "-t", "ext2", "-i", "262144", (char *)disk, NULL};
	int fd = open(disk, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || ftruncate(fd, (off_t)(2 * GIB)))
		return err_set(e, errno, "create %s: %s", disk, strerror(errno));
	close(fd);
	run_command(mkfs, NULL, NULL, 0);
	return 0;
}

/* QEMU's command line for one boot, and the texts its words point to. */
struct qemu_cmd {
	char append[512], mem[32], cpus[16];
	char consarg[PATH_MAX + 32], serarg[PATH_MAX + 32], drive[PATH_MAX + 96];
	char *argv[27];
};

void vm_cmdline(char *buf, size_t len, const struct vm_opts *o, const char *cgroup,
		int results_on_console)
{
	/* log_buf_len: the whole boot's log stays readable, so a warning the
	 * kernel prints once per boot is still there for the scenario that
	 * asks about it after a catalogue's worth of OOM reports */
	snprintf(buf, len,
		 "console=ttyS0 panic=-1 psi=1 quiet log_buf_len=4M memcg_lab.cgroup=%s "
		 "memcg_lab.swap=%s "
		 "memcg_lab.swapsize=%llu memcg_lab.mglru=%s memcg_lab.zswap=%s%s%s%s",
		 cgroup, o->swap, (unsigned long long)o->swapsize, o->mglru, o->zswap,
		 o->cgroup_opts[0] ? " memcg_lab.cgroup_opts=" : "", o->cgroup_opts,
		 results_on_console ? " memcg_lab.results=console" : "");
}

static void qemu_command(struct qemu_cmd *q, const struct vm_opts *o, const struct kernel *k,
			 const char *cgroup, const char *initrd, const struct boot_files *f)
{
	vm_cmdline(q->append, sizeof(q->append), o, cgroup, 0);
	snprintf(q->mem, sizeof(q->mem), "%lluM", (unsigned long long)(o->mem / MIB));
	snprintf(q->cpus, sizeof(q->cpus), "%llu", (unsigned long long)o->cpus);
	snprintf(q->consarg, sizeof(q->consarg), "file:%s", f->console);
	snprintf(q->serarg, sizeof(q->serarg), "file:%s", f->serial);
	snprintf(q->drive, sizeof(q->drive), "file=%s,if=virtio,format=raw", f->disk);
	char *const argv[] = {"qemu-system-x86_64", "-accel", (char *)o->accel, "-m", q->mem,
			      "-smp", q->cpus, "-kernel", (char *)k->image, "-initrd",
			      (char *)initrd, "-append", q->append, "-display", "none", "-monitor",
			      "none", "-serial", q->consarg, "-serial", q->serarg, "-drive",
			      q->drive,
			      /* entropy: without it the guest's first random
			       * numbers (mkswap's UUID) wait a second for the
			       * kernel's own */
			      "-device", "virtio-rng-pci", "-no-reboot", NULL};
	_Static_assert(sizeof(argv) == sizeof(q->argv), "one slot for each word");
	memcpy(q->argv, argv, sizeof(argv));
}

/* QEMU started with @argv; it dies with memcg-lab, however memcg-lab ends
 * (even SIGKILL). */
static int start_qemu(char *const *argv, pid_t *pid, struct mlab_err *e)
{
	*pid = fork();
	if (*pid < 0)
		return err_set(e, errno, "fork: %s", strerror(errno));
	if (!*pid) {
		int null = open("/dev/null", O_RDWR);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(126);
		dup2(null, 0);
		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	return 0;
}

/* One guest: its files, its QEMU, how it ended. */
struct guest {
	const char *cgroup;
	struct boot_files f;
	struct qemu_cmd q;
	pid_t pid;
	uint64_t t0, t_end;
	int status, timed_out, done;
};

/* @g's QEMU started with @g->cgroup on its own scratch disk. */
static int start_guest(struct guest *g, const struct vm_opts *o, const struct kernel *k,
		       const char *tmpdir, const char *initrd, struct mlab_err *e)
{
	int ret;

	g->done = 1; /* nothing to wait for until QEMU runs */
	name_boot_files(&g->f, tmpdir, g->cgroup);
	ret = make_disk(g->f.disk, e);
	if (ret)
		return ret;
	qemu_command(&g->q, o, k, g->cgroup, initrd, &g->f);
	fprintf(stderr, "memcg-lab vm: booting %s (cgroup %s, %s, %s, swap %s, accel %s)\n",
		k->release[0] ? k->release : k->image, g->cgroup, g->q.mem, g->q.cpus, o->swap,
		o->accel);
	g->t0 = now_ns();
	ret = start_qemu(g->q.argv, &g->pid, e);
	g->done = ret != 0;
	return ret;
}

/* Each guest powers off when done (its wait status in ->status); a hang
 * or a panic loop is killed at its --timeout (->timed_out), and every
 * guest of a runner told to stop (EINTR). */
static int wait_guests(struct guest *gs, int n, uint64_t timeout_ns, struct mlab_err *e)
{
	for (int left = n; left;) {
		left = 0;
		for (int i = 0; i < n; i++) {
			struct guest *g = &gs[i];
			if (g->done)
				continue;
			if (waitpid(g->pid, &g->status, WNOHANG) != g->pid) {
				if (!vm_stop && now_ns() <= g->t0 + timeout_ns) {
					left++;
					continue;
				}
				kill(g->pid, SIGKILL);
				waitpid(g->pid, &g->status, 0);
				g->timed_out = !vm_stop;
			}
			g->done = 1;
			g->t_end = now_ns();
		}
		if (left)
			sleep_ns(100000000);
	}
	return vm_stop ? err_set(e, EINTR, "interrupted") : 0;
}

/* A guest that has ended: its results brought home. */
static int finish_guest(struct guest *g, const struct vm_opts *o, const struct kernel *k,
			const char *tmpdir, struct mlab_err *e)
{
	struct vm_boot b;

	if (WIFEXITED(g->status) && WEXITSTATUS(g->status) == 127)
		return err_set(e, ENOENT,
			       "cannot run qemu-system-x86_64 (Debian package qemu-system-x86)");
	fprintf(stderr, "memcg-lab vm: guest (cgroup %s) %s after %.1f s\n", g->cgroup,
		g->timed_out ? "killed at the timeout" : "powered off",
		(double)(g->t_end - g->t0) / 1e9);
	b.cgroup = g->cgroup;
	b.console = g->f.console;
	b.serial = g->f.serial;
	b.tmpdir = tmpdir;
	b.wall_s = (double)(g->t_end - g->t0) / 1e9;
	b.timed_out = g->timed_out;
	return vm_results_import(o, k, &b, e);
}

/* The guests of @cgroups ("v2", "v1"), at once or one after the other
 * (--one-at-a-time), each to its power-off or --timeout, and their
 * results brought home; the first error. */
static int boot(const struct vm_opts *o, const struct kernel *k, const char *const *cgroups, int n,
		const char *tmpdir, const char *initrd, struct mlab_err *e)
{
	struct guest gs[2] = {{0}};
	int step = o->one_at_a_time ? 1 : n, ret = 0;

	for (int first = 0; first < n && !ret; first += step) {
		int started = 0;
		for (int i = first; i < first + step && !ret; i++, started++) {
			gs[i].cgroup = cgroups[i];
			ret = start_guest(&gs[i], o, k, tmpdir, initrd, e);
		}
		{
			struct mlab_err we;
			int wret = wait_guests(gs + first, started, o->timeout_ns, &we);
			if (!ret && wret)
				ret = wret, *e = we;
		}
		for (int i = first; i < first + started; i++)
			unlink(gs[i].f.disk);
		/* every guest that ran leaves its results, or its error result */
		for (int i = first; i < first + started && ret != -EINTR; i++) {
			struct mlab_err fe;
			int fret = gs[i].pid > 0 ? finish_guest(&gs[i], o, k, tmpdir, &fe) : 0;
			if (!ret && fret)
				ret = fret, *e = fe;
		}
	}
	return ret;
}

/* --- the command --------------------------------------------------------------- */

#define VOPT(f) offsetof(struct vm_opts, f)

static const struct cli_opt vm_opts_table[] = {
    CLI_OPTION("kernel", CLI_TEXT, VOPT(kernel), "K",
	       "(required) a bzImage (with --modules DIR), a linux-image\n"
	       ".deb, or debian:FLAVOUR (newest, e.g. debian:cloud-amd64)\n"
	       "or debian:ABI-FLAVOUR (e.g. debian:6.1.0-47-cloud-amd64),\n"
	       "fetched with apt-get download, cached in\n"
	       "~/.cache/memcg-lab"),
    CLI_OPTION("modules", CLI_TEXT, VOPT(modules), "DIR",
	       "lib/modules/<release> of a bzImage kernel"),
    CLI_OPTION("cgroup", CLI_CHOICE, VOPT(cgroup), "v1|v2|both", "(default v2)",
	       .choices = "v1|v2|both"),
    CLI_OPTION("mem", CLI_SIZE, VOPT(mem), "SIZE", "guest memory (default 512M)", .min = 128 * MIB,
	       .max = 64 * GIB),
    CLI_OPTION("cpus", CLI_COUNT, VOPT(cpus), "N", "(default 2)", .min = 1, .max = 64),
    CLI_OPTION("swap", CLI_CHOICE, VOPT(swap), "zram|disk|none",
	       "guest swap: zram of --swap-size, a swap file on the\n"
	       "virtio disk, or none (default zram)",
	       .choices = "zram|disk|none"),
    CLI_OPTION("swap-size", CLI_SIZE, VOPT(swapsize), "SIZE", "(default 256M)", .min = MIB),
    CLI_OPTION("timeout", CLI_DURATION, VOPT(timeout_ns), "DURATION",
	       "per boot; QEMU is killed after it (default 600s)"),
    CLI_OPTION("results", CLI_TEXT, VOPT(results), "DIR", "(default results)"),
    CLI_OPTION("accel", CLI_CHOICE, VOPT(accel), "tcg|kvm", "(default tcg; kvm needs /dev/kvm)",
	       .choices = "tcg|kvm"),
    CLI_OPTION("mglru", CLI_CHOICE, VOPT(mglru), "on|off|kernel",
	       "the multi-gen LRU in the guest: switched on or off\n"
	       "before the scenarios, or as the kernel boots (default)",
	       .choices = "on|off|kernel"),
    CLI_OPTION("cgroup-opts", CLI_TEXT, VOPT(cgroup_opts), "OPT,...",
	       "cgroup2 mount options in the v2 guest:\n"
	       "memory_recursiveprot, memory_localevents,\n"
	       "memory_hugetlb_accounting, nsdelegate, favordynmods"),
    CLI_OPTION("zswap", CLI_CHOICE, VOPT(zswap), "on|off|kernel",
	       "zswap in the guest: switched on or off before the\n"
	       "scenarios, or as the kernel boots (default)",
	       .choices = "on|off|kernel"),
    CLI_OPTION("one-at-a-time", CLI_FLAG, VOPT(one_at_a_time), NULL,
	       "with --cgroup both, boot the v1 guest after the v2\n"
	       "one (default: both at once, about two thirds of the\n"
	       "time on two host cores)"),
    CLI_OPTION("initramfs-out", CLI_TEXT, VOPT(initramfs_out), "PATH",
	       "write the guest's initramfs (cpio) to PATH, print\n"
	       "the kernel's path and the command line for each\n"
	       "--cgroup version (results on the console), and boot\n"
	       "nothing: for a lab's own QEMU, such as LAVA's\n"
	       "(scripts/lava/)"),
    CLI_OPTION("disk-out", CLI_TEXT, VOPT(disk_out), "PATH",
	       "with --initramfs-out: also write the guest's scratch\n"
	       "disk, a sparse raw 2G image already formatted"),
    CLI_OPTIONS_END,
};

static const struct cli_cmd vm_cmd = {
    .name = "vm",
    .operands = "--kernel K [-- RUN-ARGS]",
    .about = "Boot K in QEMU with cgroup v1 or v2, run the scenarios there (RUN-ARGS go to\n"
	     "`memcg-lab run` in the guest: scenario names, --repeat ...), and bring the\n"
	     "results back to RESULTS/<run-id>-vm-<cgroup>/ with console.log and vm.json.",
    .opts = vm_opts_table,
    .max_operands = 0,
    .rest_after_dashdash = 1,
};

/* --cgroup-opts: known cgroup2 mount options only, comma-separated (they go
 * on the guest's kernel command line: no blanks). */
static int check_cgroup_opts(const char *opts, struct mlab_err *e)
{
	static const char *const known[] = {
	    "memory_recursiveprot", "memory_localevents", "memory_hugetlb_accounting",
	    "nsdelegate",	    "favordynmods",	  NULL};
	const char *p = opts;

	while (*p) {
		size_t n = strcspn(p, ",");
		int ok = 0;
		for (int i = 0; known[i]; i++)
			ok |= strlen(known[i]) == n && !strncmp(known[i], p, n);
		if (!ok)
			return err_set(e, EINVAL,
				       "'%.*s' is not one of memory_recursiveprot, "
				       "memory_localevents, memory_hugetlb_accounting, "
				       "nsdelegate, favordynmods",
				       (int)n, p);
		p += n + (p[n] == ',');
	}
	return 0;
}

/* --initramfs-out: the initramfs at the path asked; on stdout the kernel
 * to boot ("kernel: PATH", "release: NAME") and the command line a lab
 * boots it with, one line per cgroup version ("v2: ..."). */
static int write_initramfs(const struct vm_opts *o, const struct kernel *k, char *tmpdir)
{
	static const char *const versions[] = {"v2", "v1"};
	char *rm[] = {"rm", "-rf", tmpdir, NULL};
	struct mlab_err e;
	int nmods = 0, ret = vm_initramfs_build(o->initramfs_out, k, o, tmpdir, &nmods, &e);

	run_command(rm, NULL, NULL, 0);
	if (vm_stop) { /* a file perhaps cut short: not left as if whole */
		unlink(o->initramfs_out);
		fprintf(stderr, "memcg-lab vm: interrupted\n");
		return 128 + vm_stop;
	}
	if (ret) {
		unlink(o->initramfs_out);
		return vm_fail("%s", e.msg);
	}
	if (o->disk_out && make_disk(o->disk_out, &e)) {
		unlink(o->initramfs_out);
		return vm_fail("%s", e.msg);
	}
	fprintf(stderr, "memcg-lab vm: %s: initramfs with %d module%s for %s\n", o->initramfs_out,
		nmods, nmods == 1 ? "" : "s", k->release[0] ? k->release : k->image);
	printf("kernel: %s\nrelease: %s\n", k->image, k->release[0] ? k->release : "unknown");
	for (size_t i = 0; i < 2; i++)
		if (!strcmp(o->cgroup, "both") || !strcmp(o->cgroup, versions[i])) {
			char line[512];
			vm_cmdline(line, sizeof(line), o, versions[i], 1);
			printf("%s: %s\n", versions[i], line);
		}
	return 0;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_opts o = {.cgroup = "v2",
			    .swap = "zram",
			    .results = "results",
			    .accel = "tcg",
			    .mglru = "kernel",
			    .cgroup_opts = "",
			    .zswap = "kernel",
			    .mem = 512 * MIB,
			    .swapsize = 256 * MIB,
			    .cpus = 2,
			    .timeout_ns = 600000000000ULL};
	struct kernel k;
	struct mlab_err e;
	char tmpdir[] = "/tmp/memcg-lab-vm.XXXXXX", initrd[PATH_MAX];
	int ret = 0, nmods = 0;

	{
		int nops = 0, rest = -1;
		ret = cli_parse(&vm_cmd, argc, argv, &o, &nops, &rest);
		if (ret != CLI_OK)
			return cli_parse_status(ret);
		/* what follows "--" goes to `memcg-lab run` in the guest */
		if (rest >= 0) {
			o.run_args = argv + 1 + rest;
			o.nrun_args = nops - rest;
		}
	}
	if (!o.kernel) {
		fprintf(stderr, "memcg-lab vm: --kernel is required\n\n");
		cli_usage(&vm_cmd, stderr);
		return EXIT_USAGE;
	}
	if (o.disk_out && !o.initramfs_out) {
		fprintf(stderr, "memcg-lab vm: --disk-out goes with --initramfs-out\n");
		return EXIT_USAGE;
	}
	if (check_cgroup_opts(o.cgroup_opts, &e)) {
		fprintf(stderr, "memcg-lab vm: --cgroup-opts: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (!strcmp(o.accel, "kvm") && access("/dev/kvm", R_OK | W_OK))
		return vm_fail("--accel kvm: /dev/kvm is not usable here (use tcg)");
	if (vm_kernel_resolve(&o, &k, &e))
		return vm_fail("%s", e.msg);
	if (!mkdtemp(tmpdir))
		return vm_fail("mkdtemp: %s", strerror(errno));
	{
		/* SIGINT, SIGTERM, SIGHUP: stop the guest, remove the scratch
		 * directory, then end as the signal would */
		struct sigaction sa = {.sa_handler = on_stop};
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	if (o.initramfs_out)
		return write_initramfs(&o, &k, tmpdir);
	snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio", tmpdir);
	ret = vm_initramfs_build(initrd, &k, &o, tmpdir, &nmods, &e);
	if (!ret)
		fprintf(stderr, "memcg-lab vm: initramfs with %d module%s%s\n", nmods,
			nmods == 1 ? "" : "s", k.modroot[0] ? "" : " (no module tree given)");
	if (!ret) {
		const char *cgroups[2];
		int n = 0;
		if (strcmp(o.cgroup, "v1"))
			cgroups[n++] = "v2";
		if (strcmp(o.cgroup, "v2"))
			cgroups[n++] = "v1";
		ret = boot(&o, &k, cgroups, n, tmpdir, initrd, &e);
	}
	{
		char *rm[] = {"rm", "-rf", tmpdir, NULL};
		run_command(rm, NULL, NULL, 0);
	}
	if (vm_stop) {
		fprintf(stderr, "memcg-lab vm: interrupted\n");
		return 128 + vm_stop;
	}
	return ret ? vm_fail("%s", e.msg) : 0;
}
