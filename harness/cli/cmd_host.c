/* info and clean: what this host offers, and undoing what dead runs left. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cg.h"
#include "cli.h"
#include "run.h"
#include "state.h"

int cmd_info(int argc, char **argv)
{
	struct cg_detect d;
	struct mlab_err e;
	struct utsname u;
	uint64_t avail = 0, total = 0, swap = 0, swapfree = 0;
	char a[32], b[32], c[32], f[32];
	int ret;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("usage: memcg-lab info\n\nThe kernel, the cgroup layout, where the "
			       "memory "
			       "controller is, memory\nand swap. Exits 77 when there is no memory "
			       "controller.\n");
			return 0;
		}
		return cli_fail(EXIT_USAGE, "info takes no arguments");
	}
	ret = cg_detect(NULL, &d, &e);

	uname(&u);
	printf("kernel          %s\n", u.release);
	printf("cgroup layout   %s\n", cg_layout_name(d.layout));
	if (d.v1_memory[0])
		printf("v1 memory       %s\n", d.v1_memory);
	if (d.v2_mount[0])
		printf("cgroup2         %s (%s)\n", d.v2_mount,
		       d.v2_has_memory ? "memory controller available" : "no memory controller");
	printf("memory on       %s\n", d.memory == CG_V1   ? "cgroup v1"
				       : d.memory == CG_V2 ? "cgroup v2"
							   : "nothing");
	meminfo_get(NULL, "MemTotal", &total);
	meminfo_get(NULL, "MemAvailable", &avail);
	meminfo_get(NULL, "SwapTotal", &swap);
	meminfo_get(NULL, "SwapFree", &swapfree);
	printf("memory          %s total, %s available\n", fmt_size(a, sizeof(a), total),
	       fmt_size(b, sizeof(b), avail));
	printf("swap            %s total, %s free\n", fmt_size(c, sizeof(c), swap),
	       fmt_size(f, sizeof(f), swapfree));
	if (ret)
		return cli_fail(EXIT_SKIP, "%s", e.msg);
	return 0;
}

int cmd_clean(int argc, char **argv)
{
	struct clean_report rep;
	struct mlab_err e;
	int quiet = argc > 1 && !strcmp(argv[1], "--quiet");
	int ret;

	if (argc > 1 && !quiet) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf(
			    "usage: memcg-lab clean [--quiet]\n\nUndo what runs that are no "
			    "longer alive left behind, as listed in their state\nfiles under "
			    "%s: scratch groups (their tasks are killed),\nshm segments, private "
			    "tmpfs mounts, swap files, sysctls, scratch files.\nNothing else is "
			    "touched. Runs still alive are left alone.\n",
			    state_dir());
			return 0;
		}
		return cli_fail(EXIT_USAGE, "clean: unknown option '%s' (see clean --help)",
				argv[1]);
	}
	if (geteuid() != 0)
		return cli_fail(EXIT_SKIP, "clean needs root");
	ret = run_clean(&rep, &e);
	if (!quiet)
		printf("cleaned %d run%s: %d group%s, %d shm, %d mount%s, %d swap file%s, "
		       "%d file%s, %d sysctl%s%s\n",
		       rep.runs, rep.runs == 1 ? "" : "s", rep.groups, rep.groups == 1 ? "" : "s",
		       rep.shm, rep.mounts, rep.mounts == 1 ? "" : "s", rep.swaps,
		       rep.swaps == 1 ? "" : "s", rep.files, rep.files == 1 ? "" : "s", rep.sysctls,
		       rep.sysctls == 1 ? "" : "s",
		       rep.alive ? " (runs still alive left alone)" : "");
	if (ret)
		return cli_fail(1, "%s", e.msg);
	return 0;
}
