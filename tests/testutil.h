/* Helpers shared by the unit tests: scratch directories, small files, fake
 * trees copied from tests/fixtures, and running the built program.
 *
 * Everything lives under a fresh mkdtemp directory in $TMPDIR (or /tmp);
 * nothing here ever touches /sys/fs/cgroup, /run/memcg-lab, shm or swap. */
#ifndef MLAB_TESTUTIL_H
#define MLAB_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Make the base scratch directory of this test program; call it first in
 * main(), so that the tree is removed when main() returns, also after
 * tests that failed (their forked process leaves by _exit()). */
void tu_init(void);
/* Every test program's main(): a case of suite @s, added to it, with a
 * timeout in seconds (0: Check's default)... */
TCase *tu_case(Suite *s, const char *name, int timeout_s);
/* ...and the run of the suite: main()'s exit code (1 if a test failed). */
int tu_suite_run(Suite *s);

/* A new empty directory under the base. Aborts on failure. */
const char *tu_tmpdir(void);

/* snprintf into a static ring of 64 buffers, shared with tu_read(): for
 * building paths inline; copy a result that must outlive many calls. */
const char *tu_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Create or truncate @path and write @s. Aborts the test on failure. */
void tu_write(const char *path, const char *s);
/* Contents of @path (NUL-terminated, in the same ring as tu_path(), at most
 * 16K); NULL if unreadable. */
const char *tu_read(const char *path);
bool tu_exists(const char *path);
void tu_mkdir(const char *path);

/* rm -rf; returns 0 or -errno. */
int tu_rm_rf(const char *path);
/* Copy the directory tree @src to @dst (created; regular files and dirs). */
void tu_copy_tree(const char *src, const char *dst);

#define TU_NOBODY 65534

/* Run @argv (argv[0] is a path) with stdin from /dev/null, stdout and
 * stderr captured into @out and @err (may be NULL), as user and group
 * nobody when called as root. Kills it after @timeout_ms. Returns the exit
 * code (125: could not drop root, 126: could not exec), 128 + signal if
 * killed, or -1 on timeout. */
int tu_run(char *const argv[], int timeout_ms, char *out, size_t outlen, char *err, size_t errlen);

/* Field @n (1-based, as in proc(5)) of /proc/@pid/stat, parsed here
 * independently of the library; 0 if unreadable. */
unsigned long long tu_proc_stat_field(pid_t pid, int n);

/* Host tests: 77 (skip, with the reason on stderr) without root or a memory
 * controller; otherwise 0, with a private state directory
 * /run/memcg-lab-<tag>-<pid> in $MEMCG_LAB_STATE_DIR (written to @dir), so
 * the test never sees other runs' state. */
int tu_host_begin(const char *tag, char *dir, size_t len);
/* Undo whatever a failed test left in that directory, then remove it. */
void tu_host_end(const char *dir);

#endif
