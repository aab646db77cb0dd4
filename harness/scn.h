/* Scenarios: parsed .scn files (scn_parse.c) and their execution
 * (scn_run.c). The language is described in scenarios/README.md. */
#ifndef MLAB_SCN_H
#define MLAB_SCN_H

#include <linux/limits.h>
#include <stdint.h>

#include "util.h"
#include "wl.h"

#define SCN_NAME	 64
#define SCN_TOK		 256
#define SCN_MAX_ARGS	 24
#define SCN_MAX_VARIANTS 8
#define SCN_MAX_NEEDS	 16
#define SCN_MAX_TERMS	 6

enum scn_op {
	/* groups and control files */
	SO_GROUP,
	SO_SET,
	SO_WRITE,
	SO_TRY,
	SO_RMDIR,
	SO_RECLAIM,
	SO_DROP_CACHES,
	/* workloads */
	SO_START,
	SO_STOP,
	SO_SIGNAL,
	SO_KILL,
	SO_MOVE,
	SO_RM,
	SO_RMID,
	/* observation */
	SO_WATCH,
	SO_WAIT,
	SO_SLEEP,
	SO_SAVE,
	SO_PICK,
	SO_EXPECT,
};

/* A value: terms added or subtracted. A term is a literal, a saved $name,
 * or NAME.field: a group's portable (or raw) counter, or a workload's
 * progress, steps, rate, vmrss, rssanon, rssshmem. */
enum scn_term_kind { ST_LIT, ST_VAR, ST_GROUP, ST_WL, ST_KERNEL /* kernel.FACT (kfact.h) */ };
struct scn_term {
	enum scn_term_kind kind;
	int neg;
	uint64_t lit;
	char name[SCN_NAME]; /* group, workload or variable */
	char field[SCN_TOK]; /* counter or workload field */
};
struct scn_expr {
	struct scn_term t[SCN_MAX_TERMS];
	int n;
	char text[SCN_TOK]; /* as written, for messages */
};

enum scn_cmp { SC_EQ, SC_NE, SC_LT, SC_LE, SC_GT, SC_GE, SC_APPROX };
const char *scn_cmp_str(enum scn_cmp c);
/* @l OP @r; ~= holds within @tol either way. */
int scn_cmp_ok(enum scn_cmp c, uint64_t l, uint64_t r, uint64_t tol);

/* What an expect / wait / pick line checks. */
enum scn_check {
	SK_COMPARE,	 /* EXPR CMP EXPR [tol=] */
	SK_KILLED_BY,	 /* ID killed-by SIG */
	SK_EXITED,	 /* ID exited [CODE] */
	SK_PAUSED,	 /* ID paused */
	SK_RUNNING,	 /* ID running (alive and not paused) */
	SK_HOLDING,	 /* ID holding (done filling, holding) */
	SK_EVENT_COUNT,	 /* event G KIND count CMP N */
	SK_EVENT_BEFORE, /* event G KIND before KIND2 */
	SK_EVENT_WITHIN, /* event G KIND within DUR of ID end */
	SK_LATENCY,	 /* ID latency pNN CMP DUR */
	SK_KMSG,	 /* kmsg "text" */
	SK_NO_KMSG,	 /* no-kmsg "text" */
	SK_BOOT_KMSG,	 /* boot-kmsg "text": logged since boot, not only during the scenario */
	SK_NO_BOOT_KMSG, /* no-boot-kmsg "text" */
	SK_ERRNO,	 /* errno CMP ERRNO-NAME (after try; for pick) */
	SK_WL_FAILED,	 /* ID failed-with ERRNO-NAME (workload gave up on an errno) */
};

struct scn_cond {
	enum scn_check kind;
	struct scn_expr lhs, rhs;
	enum scn_cmp cmp;
	uint64_t tol;	      /* absolute tolerance for ~=, in the unit of the values */
	unsigned tol_pct;     /* or a percentage of the right-hand side */
	char id[SCN_NAME];    /* workload or group */
	char kind2[SCN_NAME]; /* second event kind, or the workload of "within" */
	char str[SCN_TOK];    /* kmsg text */
	int num;	      /* signal, exit code, errno, count, percentile */
	uint64_t dur_ns;      /* latency bound, event delay */
	int has_num;
};

struct scn_kv {
	char key[SCN_TOK];
	char val[SCN_TOK];
};

struct scn_step {
	enum scn_op op;
	int line;
	char guard[SCN_NAME]; /* run only under this variant ("" = always) */
	int guard_not;	      /* @!name: only when the variant is not this one */
	char text[512];	      /* the line as written (without guard and comment) */

	char a[SCN_NAME];    /* first name: group / workload / variable / variant */
	char b[SCN_NAME];    /* second name: group of start / move target */
	char wl[SCN_NAME];   /* workload type (start) */
	char file[SCN_TOK];  /* control file (write, try), watch kind, path (rm) */
	char value[SCN_TOK]; /* value written; watch level */
	struct scn_kv kv[SCN_MAX_ARGS];
	int nkv;
	int sig;	    /* signal */
	int err;	    /* errno a write must fail with (write ... fails E); 0 = must succeed */
	uint64_t num;	    /* drop_caches mode, threshold bytes */
	uint64_t dur_ns;    /* sleep, wait timeout */
	uint64_t settle_ns; /* expect on events: how long to wait for a late
			     * notification (settle=; 0 = the kind's default) */
	struct scn_expr expr; /* save */
	struct scn_cond cond; /* expect, wait, pick */
};

enum scn_need {
	SN_ROOT,
	SN_CGROUP,
	SN_SWAP,
	SN_MEMORY,
	SN_KERNEL,
	SN_FILE,
	SN_VM,
	SN_PSI,
};

struct scn_needs {
	enum scn_need kind;
	int line;
	int versions;	    /* SN_CGROUP: bit 1 = v1, bit 2 = v2 */
	uint64_t bytes;	    /* SN_MEMORY */
	enum scn_cmp cmp;   /* SN_KERNEL */
	int kmajor, kminor; /* SN_KERNEL */
	char file[SCN_TOK]; /* SN_FILE */
};

struct scn_variant {
	char name[SCN_NAME];
	char doc[256];
	int skip; /* picking it ends the scenario as SKIP with doc as reason */
	int line;
};

struct scn {
	char path[PATH_MAX];
	char name[SCN_NAME];
	char doc[256];
	char source[256];
	uint64_t timeout_ns; /* whole-scenario budget */
	struct scn_needs needs[SCN_MAX_NEEDS];
	int nneeds;
	struct scn_variant variants[SCN_MAX_VARIANTS];
	int nvariants;
	struct scn_step *steps;
	int nsteps, cap_steps;
	/* names declared by group/start/save, for checks at parse time */
	char groups[16][SCN_NAME];
	int ngroups;
	char wls[16][SCN_NAME];
	char wl_types[16][SCN_NAME];
	int nwls;
	char vars[32][SCN_NAME]; /* names given by save */
	int nvars;
};

/* Parse @path. On error: -EINVAL and "file:line: message" in @e. */
int scn_parse_file(struct scn *s, const char *path, struct mlab_err *e);
/* Parse from memory (tests); @path is only used in messages. */
int scn_parse_text(struct scn *s, const char *path, const char *text, struct mlab_err *e);
void scn_free(struct scn *s);

/* The language in brief, from the parser's own tables (steps, conditions,
 * event kinds, kernel facts), into @buf; returns the length it needed. */
size_t scn_language(char *buf, size_t len);

/* Signal names: "SIGKILL" / "KILL" / "9" -> 9; errno names: "EINVAL" -> 22. */
int scn_signal_num(const char *s);
int scn_errno_num(const char *s);
const char *scn_errno_name(int err);

#endif
