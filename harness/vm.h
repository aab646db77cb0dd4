/* The VM runner's parts (memcg-lab vm, vm.c): the kernel and its modules
 * (vm_kernel.c), the initramfs (vm_initramfs.c), and bringing the results
 * home (vm_results.c). Each returns 0 or -errno with the reason in @e. */
#ifndef MLAB_VM_H
#define MLAB_VM_H

#include <linux/limits.h>
#include <stdint.h>

#include "util.h"

struct vm_opts {
	const char *kernel, *modules, *cgroup, *swap, *results, *accel;
	const char *mglru;	   /* "on", "off", or "kernel" (as the kernel boots) */
	const char *cgroup_opts;   /* cgroup2 mount options ("memory_recursiveprot,..."), or "" */
	const char *zswap;	   /* "on", "off", or "kernel" */
	const char *initramfs_out; /* write the initramfs here and boot nothing */
	const char *disk_out;	   /* with it: the scratch disk here */
	int one_at_a_time;	   /* --cgroup both: not both guests at once */
	uint64_t mem, swapsize, timeout_ns;
	uint64_t cpus;
	char **run_args;
	int nrun_args;
};

struct kernel {
	char image[PATH_MAX];	/* bzImage */
	char modroot[PATH_MAX]; /* .../lib/modules/<release>, or "" */
	char release[128];
};

/* --kernel: a bzImage (+ --modules), a .deb, or debian:FLAVOUR /
 * debian:ABI-FLAVOUR, fetched with apt-get download once and unpacked in
 * the cache (~/.cache/memcg-lab). */
int vm_kernel_resolve(const struct vm_opts *o, struct kernel *k, struct mlab_err *e);

#define VM_MAX_MODS 32
/* The modules the guest loads, each after its dependencies. */
struct vm_mods {
	char path[VM_MAX_MODS][PATH_MAX];
	char name[VM_MAX_MODS][64];
	int n;
};
/* Add @name and its dependencies (modinfo -F depends) to @m. Built-in or
 * missing modules are left out: the guest reports what it then lacks. */
void vm_modules_add(struct vm_mods *m, const struct kernel *k, const char *name);

/* The initramfs at @path: busybox, the static memcg-lab, the init, the
 * modules (how many in *@nmods), the scenarios and the run's arguments
 * (cpio newc). */
int vm_initramfs_build(const char *path, const struct kernel *k, const struct vm_opts *o,
		       const char *tmpdir, int *nmods, struct mlab_err *e);

/* The guest's kernel command line for @cgroup; @results_on_console: the
 * results follow the KTAP on the console (for a lab's QEMU with one serial
 * port) instead of going to the second serial port. */
void vm_cmdline(char *buf, size_t len, const struct vm_opts *o, const char *cgroup,
		int results_on_console);

/* The results in @log (the second serial port's output, or any log holding
 * the guest's console, such as a lab's), decoded to the tar file @out. */
int vm_results_decode(const char *log, const char *out, struct mlab_err *e);

/* The results in @log unpacked into @results as <run-id>@suffix/, with
 * @console copied in as console.log and @each(dir, @arg) called on each
 * (NULL: nothing more). A guest that could not run sends its reason instead:
 * then *@guest_error is 1 and the reason is in @e. */
typedef void vm_results_each(const char *dir, void *arg);
int vm_results_unpack(const char *log, const char *console, const char *tmpdir, const char *results,
		      const char *suffix, vm_results_each *each, void *arg, int *guest_error,
		      struct mlab_err *e);

/* How one boot went, for vm.json and error results. */
struct vm_boot {
	const char *cgroup, *console, *serial; /* the two serial ports' files */
	const char *tmpdir;
	double wall_s;
	int timed_out;
};
/* The results the guest sent on its second serial port, moved to
 * RESULTS/<run-id>-vm-<cgroup>/ with console.log and vm.json; or, when
 * there are none, RESULTS/<time>-vm-<cgroup>-error/ with the console and
 * error.json (and the console's tail on stderr). */
int vm_results_import(const struct vm_opts *o, const struct kernel *k, const struct vm_boot *b,
		      struct mlab_err *e);

#endif
