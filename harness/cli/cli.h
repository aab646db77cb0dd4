/* The memcg-lab program's commands (harness/cli/): each takes its own
 * argv (argv[0] is the command's name) and returns the exit status. */
#ifndef MLAB_CLI_H
#define MLAB_CLI_H

int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_workload(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_clean(int argc, char **argv);

/* Exit codes of the program. */
enum { EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_SKIP = 77 };

struct mlab_err;
/* "memcg-lab: MESSAGE" on stderr; returns @code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "memcg-lab CMD: MESSAGE" on stderr; returns @code. */
int cli_cmd_fail(int code, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After run_begin failed: no root or no memory controller is "cannot run
 * here" (77), anything else a failure. */
int cli_begin_failed(int ret, const struct mlab_err *e);

#endif
