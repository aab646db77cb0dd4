/* The scenario catalogue: the directory of .scn files, and the scenarios
 * a command line names (or all of them), parsed. */
#ifndef MLAB_SCN_CATALOGUE_H
#define MLAB_SCN_CATALOGUE_H

#include "scn.h"

/* a catalogue and every mutant of it (tests/mutation.sh runs them at once) */
#define SCN_CATALOGUE_MAX 1024

/* Where scenarios live: $MEMCG_LAB_SCENARIOS, the source tree this binary
 * was built from, or the installed share directory. */
const char *scenario_dir(void);

/* Parse the scenarios @args names (names, or paths of files), or with no
 * @args every file of scenario_dir() in name order (a1-..., a2-...), into
 * @out (at most @max; more is an error). All of them parse, or the result
 * is -errno with "file:line: message" in @e. Returns how many. */
int scn_catalogue_load(int nargs, char **args, struct scn *out, int max, struct mlab_err *e);

#endif
