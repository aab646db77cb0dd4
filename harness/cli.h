/* Commands of the memcg-lab program beyond `workload` and `clean`. */
#ifndef MLAB_CLI_H
#define MLAB_CLI_H

int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* Exit codes of the program. */
enum { EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_SKIP = 77 };

#endif
