/* Scenarios: parsed .scn files (scn_parse.c) and their execution
 * (scn_run.c). The language is described in scenarios/README.md. */
#ifndef MLAB_SCN_H
#define MLAB_SCN_H

#include <linux/limits.h>
#include <stdint.h>

#include "scn_lang.h"
#include "util.h"
#include "wl.h"

#define SCN_NAME 64
#define SCN_TOK	 256
/* a term's field: a counter, a workload field, FILE or FILE:KEY */
#define SCN_FIELD	 128
#define SCN_MAX_ARGS	 16
#define SCN_MAX_VARIANTS 8
#define SCN_MAX_NEEDS	 16
#define SCN_MAX_TERMS	 6
#define SCN_MAX_WORDS	 48 /* on a line */

/* One per row of SCN_STEPS (scn_lang.h). */
enum scn_op {
#define SCN_OP_ENUM(OP, ...) SO_##OP,
	SCN_STEPS(SCN_OP_ENUM)
#undef SCN_OP_ENUM
	    SO_COUNT
};

/* A value: terms added or subtracted. A term is a literal, a saved $name,
 * or NAME.field: a group's portable (or raw) counter, or a workload's
 * progress, steps, rate, vmrss, rssanon, rssshmem. */
enum scn_term_kind {
	ST_LIT,
	ST_VAR,
	ST_GROUP,
	ST_WL,
	ST_KERNEL, /* kernel.FACT (kfact.h) */
	ST_OPEN,   /* NAME.value: a number read through a file kept open (open) */
};
struct scn_term {
	enum scn_term_kind kind;
	int neg;
	uint64_t lit;
	char name[SCN_NAME];   /* group, workload or variable */
	char field[SCN_FIELD]; /* counter or workload field */
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

/* What an expect / wait / pick line checks: one per row of SCN_CONDITIONS. */
enum scn_check {
#define SCN_CHECK_ENUM(KIND, ...) SK_##KIND,
	SCN_CONDITIONS(SCN_CHECK_ENUM)
#undef SCN_CHECK_ENUM
	    SK_COUNT
};
/* Where a condition's word stands (scn_lang.h). */
enum scn_cond_form { CF_LEAD, CF_WORKLOAD, CF_EVENT, CF_FILE, CF_COMPARE };

struct scn_cond {
	enum scn_check kind;
	union {
		/* EXPR OP EXPR [tol=SIZE|N%] */
		struct {
			struct scn_expr lhs, rhs;
			enum scn_cmp cmp;
			uint64_t tol;	  /* for ~=, in the unit of the values */
			unsigned tol_pct; /* or a percentage of the right-hand side */
		} compare;
		/* ID killed-by SIGNAL | exited [CODE] | ended | paused | running |
		 * holding | failed-with ERRNO */
		struct {
			char id[SCN_NAME];
			int signo;    /* killed-by */
			int code;     /* exited CODE */
			int has_code; /* exited: a code was given */
			int err;      /* failed-with */
		} wl;
		/* ID latency pNN OP DURATION */
		struct {
			char id[SCN_NAME];
			unsigned pct;
			enum scn_cmp cmp;
			uint64_t bound_ns;
		} latency;
		/* event GROUP KIND [count OP N | before LATER | within D of ID end] */
		struct {
			char group[SCN_NAME];
			char kind[SCN_NAME];
			enum scn_cmp cmp;     /* count */
			unsigned count;	      /* count */
			char later[SCN_NAME]; /* before: the kind that must come after */
			char wl[SCN_NAME];    /* within: the workload whose end */
			uint64_t within_ns;   /* within */
		} event;
		/* kmsg / no-kmsg / boot-kmsg / no-boot-kmsg "text" */
		struct {
			char text[SCN_TOK];
		} log;
		/* file GROUP FILE has WORD | lacks WORD | exists | absent */
		struct {
			char group[SCN_NAME];
			char name[SCN_TOK]; /* a file of the group's directory */
			char word[SCN_TOK]; /* has, lacks: a blank-separated word */
		} file;
		/* errno == NAME | errno != NAME (the last try's outcome) */
		struct {
			enum scn_cmp cmp;
			int err; /* 0: the try succeeded */
		} tried;
	};
};

/* sized for what they hold: a scenario keeps every step of its own */
struct scn_kv {
	char key[SCN_NAME];
	char val[SCN_FIELD];
};

/* NAME=VALUE settings of group and set, options of start */
struct scn_settings {
	struct scn_kv kv[SCN_MAX_ARGS];
	int n;
};

struct scn_step {
	enum scn_op op;
	int line;
	char guard[SCN_NAME]; /* run only under this variant ("" = always) */
	int guard_not;	      /* @!name: only when the variant is not this one */
	char text[512];	      /* the line as written (without guard and comment) */
	/* the step options */
	uint64_t timeout_ns; /* stop, wait: timeout= (10 s by default) */
	uint64_t settle_ns;  /* expect on events: how long to wait for a late
			      * notification (settle=; 0 = the kind's default) */
	/* the step's own words, by op */
	union {
		struct { /* group NAME settings, set GROUP settings */
			char group[SCN_NAME];
			struct scn_settings settings;
		} set;
		struct { /* write, try */
			char group[SCN_NAME];
			char file[SCN_TOK]; /* a control file of the group */
			char value[SCN_TOK];
			int fails_with; /* write ... fails ERRNO; 0 = must succeed */
		} write;
		struct { /* rmdir, reclaim, kill */
			char group[SCN_NAME];
		} group_op;
		struct {
			int mode; /* 1, 2 or 3 */
		} drop_caches;
		struct { /* open NAME GROUP FILE, fwrite NAME VALUE */
			char name[SCN_NAME];
			char group[SCN_NAME];
			char file[SCN_TOK];
			char value[SCN_TOK];
		} open;
		struct {
			char id[SCN_NAME];
			char group[SCN_NAME];
			char workload[SCN_NAME]; /* its type: alloc, tmpfs ... */
			struct scn_settings opts;
		} start;
		struct { /* stop, rm, rmid */
			char id[SCN_NAME];
		} wl_op;
		struct {
			char id[SCN_NAME];
			int signo;
		} signal;
		struct {
			char id[SCN_NAME];
			char to[SCN_NAME]; /* the group it moves to */
		} move;
		struct {
			char group[SCN_NAME];
			char kind[SCN_NAME];  /* oom, threshold, pressure */
			uint64_t threshold;   /* threshold: bytes */
			char level[SCN_NAME]; /* pressure: low, medium, critical */
		} watch;
		struct {
			uint64_t ns;
		} sleep;
		struct {
			char name[SCN_NAME];
			struct scn_expr expr;
		} save;
		struct {		     /* expect, wait, pick, measure */
			char name[SCN_NAME]; /* pick: the variant; measure: the figure */
			struct scn_cond cond;
		} check;
	};
};

/* One per row of SCN_NEEDS (scn_lang.h). */
enum scn_need {
#define SCN_NEED_ENUM(KIND, ...) SN_##KIND,
	SCN_NEEDS(SCN_NEED_ENUM)
#undef SCN_NEED_ENUM
	    SN_COUNT
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
	char opens[8][SCN_NAME]; /* names given by open */
	int nopens;
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
