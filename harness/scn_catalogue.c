/* The scenario catalogue: where the .scn files live and loading them (see
 * scn_catalogue.h). */
#include "scn_catalogue.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SCN SCN_CATALOGUE_MAX

const char *scenario_dir(void)
{
	static const char *const dirs[] = {MLAB_SOURCE_DIR "/scenarios", MLAB_DATADIR "/scenarios"};
	const char *env = getenv("MEMCG_LAB_SCENARIOS");
	struct stat st;

	if (env && *env)
		return env;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!stat(dirs[i], &st) && S_ISDIR(st.st_mode))
			return dirs[i];
	return dirs[0];
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .scn file of the scenario directory, sorted (a1-..., a2-...). */
static int list_files(char files[][PATH_MAX], int max, struct mlab_err *e)
{
	const char *dir = scenario_dir();
	char *names[MAX_SCN];
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return err_set(e, errno, "scenario directory %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l <= 4 || strcmp(de->d_name + l - 4, ".scn") || de->d_name[0] == '.')
			continue;
		if (n == max) {
			for (int i = 0; i < n; i++)
				free(names[i]);
			closedir(d);
			return err_set(e, E2BIG, "more than %d scenarios in %s", max, dir);
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		snprintf(files[i], PATH_MAX, "%s/%s", dir, names[i]);
		free(names[i]);
	}
	return n;
}

int scn_catalogue_load(int nargs, char **args, struct scn *out, int max, struct mlab_err *e)
{
	static char files[MAX_SCN][PATH_MAX];
	int nfiles = list_files(files, MAX_SCN, e), n = 0;

	if (nargs == 0) {
		if (nfiles < 0)
			return nfiles;
		for (int i = 0; i < nfiles && n < max; i++, n++)
			if (scn_parse_file(&out[n], files[i], e))
				return -EINVAL;
		return n;
	}
	if (nargs > max)
		return err_set(e, E2BIG, "more than %d scenarios asked for", max);
	for (int a = 0; a < nargs; a++) {
		int found = 0;
		if (strchr(args[a], '/') || strstr(args[a], ".scn")) {
			if (scn_parse_file(&out[n++], args[a], e))
				return -EINVAL;
			continue;
		}
		for (int i = 0; i < nfiles && !found; i++) {
			struct scn s;
			if (scn_parse_file(&s, files[i], e))
				return -EINVAL;
			if (!strcmp(s.name, args[a])) {
				out[n++] = s;
				found = 1;
			} else {
				scn_free(&s);
			}
		}
		if (!found)
			return err_set(e, ENOENT, "no scenario named '%s' in %s (memcg-lab list)",
				       args[a], scenario_dir());
	}
	return n;
}
