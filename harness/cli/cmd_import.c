/* memcg-lab import LOG ...: results a guest printed on its console (with
 * memcg_lab.results=console: a LAVA job's log, a saved serial console)
 * brought into RESULTS/<run-id>-<label>/ like those of `memcg-lab vm`, so
 * compare and report read them as any other run. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opt.h"
#include "vm.h"

struct import_opts {
	const char *results, *label;
};

/* a label becomes part of a directory name */
static int check_label(const char *v, struct mlab_err *e)
{
	for (const char *p = v; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("._+-", *p))
			return err_set(e, EINVAL, "letters, digits, '.', '_', '+' and '-' only");
	return 0;
}

#define IOPT(f) offsetof(struct import_opts, f)

static const struct cli_opt import_opts_table[] = {
    CLI_OPTION("results", CLI_TEXT, IOPT(results), "DIR", "(default results)"),
    CLI_OPTION("label", CLI_CHECKED, IOPT(label), "NAME",
	       "ends each directory's name: <run-id>-NAME\n"
	       "(default import)",
	       .check = check_label),
    CLI_OPTIONS_END,
};

static const struct cli_cmd import_cmd = {
    .name = "import",
    .operands = "LOG ...",
    .about = "Bring the results a memcg-lab guest printed on its console (booted with\n"
	     "memcg_lab.results=console, as `memcg-lab vm --initramfs-out` prints; a LAVA\n"
	     "job's log, raw or plain, or a saved console) into RESULTS/<run-id>-NAME/,\n"
	     "with the log as console.log.",
    .opts = import_opts_table,
    .max_operands = -1,
};

/* One log's results; 0, or 1 with the reason on stderr. */
static int import_one(const char *log, const struct import_opts *o)
{
	char tmpdir[] = "/tmp/memcg-lab-import.XXXXXX", suffix[80];
	char *rm[] = {"rm", "-rf", tmpdir, NULL};
	struct mlab_err e;
	int guest_error = 0, ret;

	if (access(log, R_OK))
		return cli_cmd_fail(EXIT_FAILED, "import", "%s: %s", log, strerror(errno));
	if (!mkdtemp(tmpdir))
		return cli_cmd_fail(EXIT_FAILED, "import", "mkdtemp: %s", strerror(errno));
	snprintf(suffix, sizeof(suffix), "-%s", o->label);
	ret = vm_results_unpack(log, log, tmpdir, o->results, suffix, NULL, NULL, &guest_error, &e);
	run_command(rm, NULL, NULL, 0);
	if (ret)
		return cli_cmd_fail(EXIT_FAILED, "import", "%s: %s%s", log,
				    guest_error ? "the guest could not run the scenarios: " : "",
				    e.msg);
	return 0;
}

int cmd_import(int argc, char **argv)
{
	struct import_opts o = {.results = "results", .label = "import"};
	int nlogs = 0, failed = 0, ret = cli_parse(&import_cmd, argc, argv, &o, &nlogs, NULL);

	if (ret != CLI_OK)
		return cli_parse_status(ret);
	if (!nlogs) {
		cli_usage(&import_cmd, stderr);
		return EXIT_USAGE;
	}
	for (int i = 0; i < nlogs; i++)
		failed |= import_one(argv[1 + i], &o) != 0;
	return failed ? EXIT_FAILED : 0;
}
