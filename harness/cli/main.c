/* memcg-lab: the command table. Each command is one row: its name, what it
 * takes, one line for the usage text, and the function that runs it (its
 * own --help says more). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name, *args, *summary;
	int (*run)(int argc, char **argv);
} commands[] = {
    {"run", "[NAME|FILE ...]", "run scenarios (default: all) and write results/", cmd_run},
    {"list", "", "the scenarios, and whether each can run here", cmd_list},
    {"show", "NAME", "print a scenario", cmd_show},
    {"vm", "--kernel K [...]", "run scenarios in QEMU on another kernel, v1 or v2", cmd_vm},
    {"import", "LOG ...", "results a guest printed on its console (a LAVA job's log)", cmd_import},
    {"compare", "RUN_A RUN_B ...", "what changed between result directories", cmd_compare},
    {"bench", "[--runs N]", "the harness's speed against baselines", cmd_bench},
    {"workload", "NAME [options]",
     "run a workload by hand (--list: which there are); with group options inside a "
     "scratch group",
     cmd_workload},
    {"info", "", "cgroup layout, memory controller, swap, memory", cmd_info},
    {"clean", "", "undo what dead runs left behind (groups, shm, mounts, swap files, sysctls)",
     cmd_clean},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The summary, folded to the width of a terminal after the first column. */
static void print_summary(FILE *f, const char *s, int col)
{
	int width = 79 - col;

	while ((int)strlen(s) > width) {
		int cut = width;
		while (cut > 0 && s[cut] != ' ')
			cut--;
		if (!cut)
			break;
		fprintf(f, "%.*s\n%*s", cut, s, col, "");
		s += cut + 1;
	}
	fprintf(f, "%s\n", s);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: memcg-lab COMMAND [options]\n"
		   "\n"
		   "Kernel-behaviour test and benchmark harness for Linux memory cgroups.\n"
		   "\n"
		   "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char head[64];
		snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-24s ", head);
		print_summary(f, commands[i].summary, 27);
	}
	fprintf(f,
		"  %-24s this text\n"
		"  %-24s version\n"
		"\n"
		"`memcg-lab COMMAND --help` says more about each; `memcg-lab workload NAME\n"
		"--help` describes a workload's options.\n"
		"Exit status: 0 ok, 1 failure, 2 usage error, 77 not possible on this host\n"
		"(no root, or no memory controller).\n",
		"help", "--version");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("memcg-lab %s\n", MLAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "memcg-lab: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
