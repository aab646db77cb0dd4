/* Commands of the memcg-lab program beyond `workload` and `clean`. */
#ifndef MLAB_CLI_H
#define MLAB_CLI_H

int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Where scenarios live: $MEMCG_LAB_SCENARIOS, the source tree this binary
 * was built from, or the installed share directory. */
const char *scenario_dir(void);

/* Exit codes of the program. */
enum { EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_SKIP = 77 };

#endif
