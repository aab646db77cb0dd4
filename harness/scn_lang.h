/* The scenario language's vocabulary: one row per step, condition and need.
 *
 * Each list is an X-macro. The parser (scn_parse.c), the engine
 * (scn_step.c, scn_cond.c, scn_plan.c) and the language reference
 * (scn_language) expand the same rows into their own tables, each taking
 * the columns it needs, so a new step, condition or need is one row here
 * plus the functions the row names (the build fails where one is missing).
 * Included by scn.h, which makes the enums from these rows. */
#ifndef MLAB_SCN_LANG_H
#define MLAB_SCN_LANG_H

/* Steps: X(OP, word, min, max, options, usage, parse, run)
 *   OP       SO_OP
 *   min/max  words on the line, the step's own included, after the step
 *            options (KEY=VALUE from `options`) are taken off
 *   options  the step options it takes, space-separated: timeout (10 s by
 *            default) and settle
 *   parse    in scn_parse.c; run: in scn_step.c */
#define SCN_STEPS(X)                                                                               \
	/* groups and control files */                                                             \
	X(GROUP, "group", 2, SCN_MAX_WORDS, "", "group NAME [setting=value]...", p_group, r_group) \
	X(SET, "set", 3, SCN_MAX_WORDS, "", "set GROUP setting=value...", p_set, r_set)            \
	X(WRITE, "write", 4, 4, "", "write GROUP FILE VALUE [fails ERRNO]", p_write, r_write)      \
	X(TRY, "try", 4, 4, "", "try GROUP FILE VALUE", p_write, r_try)                            \
	X(RMDIR, "rmdir", 2, 2, "", "rmdir|reclaim|kill GROUP", p_group_op, r_rmdir)               \
	X(RECLAIM, "reclaim", 2, 2, "", "rmdir|reclaim|kill GROUP", p_group_op, r_reclaim)         \
	X(KILL, "kill", 2, 2, "", "rmdir|reclaim|kill GROUP", p_group_op, r_kill)                  \
	X(DROP_CACHES, "drop_caches", 1, 2, "", "drop_caches [1|2|3]", p_drop_caches,              \
	  r_drop_caches)                                                                           \
	X(OPEN, "open", 4, 4, "", "open NAME GROUP FILE (kept open read-write; errno as try)",     \
	  p_open, r_open)                                                                          \
	X(FWRITE, "fwrite", 3, 3, "", "fwrite NAME VALUE (through the open file; errno as try)",   \
	  p_fwrite, r_fwrite)                                                                      \
	/* workloads */                                                                            \
	X(START, "start", 4, SCN_MAX_WORDS, "",                                                    \
	  "start ID GROUP WORKLOAD [option=value | flag]...", p_start, r_start)                    \
	X(STOP, "stop", 2, 2, "timeout", "stop WORKLOAD [timeout=DURATION]", p_wl_op, r_stop)      \
	X(SIGNAL, "signal", 3, 3, "", "signal WORKLOAD SIGNAL", p_signal, r_signal)                \
	X(MOVE, "move", 3, 3, "", "move WORKLOAD GROUP", p_move, r_move)                           \
	X(RM, "rm", 2, 2, "", "rm WORKLOAD (its tmpfs or mmap file)", p_rm, r_rm)                  \
	X(RMID, "rmid", 2, 2, "", "rmid WORKLOAD (its SysV segment)", p_rmid, r_rmid)              \
	/* observation */                                                                          \
	X(WATCH, "watch", 3, 4, "", "watch GROUP oom | threshold SIZE | pressure LEVEL", p_watch,  \
	  r_watch)                                                                                 \
	X(SLEEP, "sleep", 2, 2, "", "sleep DURATION", p_sleep, r_sleep)                            \
	X(SAVE, "save", 3, SCN_MAX_WORDS, "", "save NAME EXPRESSION (NAME: letters, digits, _ -)", \
	  p_save, r_save)                                                                          \
	X(PICK, "pick", 4, SCN_MAX_WORDS, "", "pick VARIANT if CONDITION", p_pick, r_pick)         \
	X(EXPECT, "expect", 1, SCN_MAX_WORDS, "settle", "expect CONDITION [settle=DURATION]",      \
	  p_check, r_expect)                                                                       \
	X(WAIT, "wait", 1, SCN_MAX_WORDS, "timeout settle", "wait CONDITION [timeout=DURATION]",   \
	  p_check, r_wait)                                                                         \
	X(MEASURE, "measure", 3, SCN_MAX_WORDS, "timeout",                                         \
	  "measure NAME CONDITION [timeout=DURATION] (a figure: how long until it holds)",         \
	  p_measure, r_measure)

/* Conditions (expect, wait, pick): X(KIND, form, word, waitable, usage, parse, eval)
 *   form      where its word stands (enum scn_cond_form): CF_LEAD first,
 *             CF_WORKLOAD after a workload's id, CF_EVENT after `event
 *             GROUP KIND`, CF_FILE after `file GROUP FILE`, CF_COMPARE
 *             none (a comparison: what is left)
 *   waitable  `wait` can wait for it (one about the past, such as what the
 *             kernel logged or which notification came first, cannot)
 *   parse     in scn_parse.c, from the words after `word`; eval: in
 *             scn_cond.c */
#define SCN_CONDITIONS(X)                                                                          \
	X(COMPARE, CF_COMPARE, "", 1, "EXPR OP EXPR [tol=SIZE|N%]", c_compare, e_compare)          \
	X(KILLED_BY, CF_WORKLOAD, "killed-by", 1, "ID killed-by SIGNAL", c_killed_by, e_killed_by) \
	X(EXITED, CF_WORKLOAD, "exited", 1, "ID exited [CODE]", c_exited, e_exited)                \
	X(ENDED, CF_WORKLOAD, "ended", 1, "ID ended (exited or killed)", c_no_more, e_ended)       \
	X(PAUSED, CF_WORKLOAD, "paused", 1, "ID paused", c_no_more, e_paused)                      \
	X(RUNNING, CF_WORKLOAD, "running", 1, "ID running", c_no_more, e_running)                  \
	X(HOLDING, CF_WORKLOAD, "holding", 1, "ID holding", c_no_more, e_holding)                  \
	X(WL_FAILED, CF_WORKLOAD, "failed-with", 1, "ID failed-with ERRNO", c_failed_with,         \
	  e_failed_with)                                                                           \
	X(LATENCY, CF_WORKLOAD, "latency", 0, "ID latency pNN OP DURATION", c_latency, e_latency)  \
	X(EVENT_COUNT, CF_EVENT, "count", 1, "event GROUP KIND [count OP N]", c_event_count,       \
	  e_event_count)                                                                           \
	X(EVENT_BEFORE, CF_EVENT, "before", 0, "event GROUP KIND before KIND2", c_event_before,    \
	  e_event_before)                                                                          \
	X(EVENT_WITHIN, CF_EVENT, "within", 0, "event GROUP KIND within DURATION of ID end",       \
	  c_event_within, e_event_within)                                                          \
	X(KMSG, CF_LEAD, "kmsg", 0, "kmsg \"text\"", c_log_text, e_kmsg)                           \
	X(NO_KMSG, CF_LEAD, "no-kmsg", 0, "no-kmsg \"text\"", c_log_text, e_kmsg)                  \
	X(BOOT_KMSG, CF_LEAD, "boot-kmsg", 0, "boot-kmsg \"text\"", c_log_text, e_boot_kmsg)       \
	X(NO_BOOT_KMSG, CF_LEAD, "no-boot-kmsg", 0, "no-boot-kmsg \"text\"", c_log_text,           \
	  e_boot_kmsg)                                                                             \
	X(ERRNO, CF_LEAD, "errno", 0, "errno == NAME | errno != NAME", c_errno, e_errno)           \
	X(FILE_HAS, CF_FILE, "has", 1, "file GROUP FILE has WORD", c_file_word, e_file_word)       \
	X(FILE_LACKS, CF_FILE, "lacks", 1, "file GROUP FILE lacks WORD", c_file_word, e_file_word) \
	X(FILE_EXISTS, CF_FILE, "exists", 1, "file GROUP FILE exists", c_file_state, e_file_state) \
	X(FILE_ABSENT, CF_FILE, "absent", 1, "file GROUP FILE absent", c_file_state, e_file_state)

/* Needs (header lines `needs ...`): X(KIND, word, usage, parse, check)
 *   parse  in scn_parse.c (NULL: nothing may follow the word); check: in
 *          scn_plan.c, the reason it is not met here */
#define SCN_NEEDS(X)                                                                               \
	X(ROOT, "root", "root", NULL, need_root)                                                   \
	X(CGROUP, "cgroup", "cgroup v1|v2 ...", n_cgroup, need_cgroup)                             \
	X(SWAP, "swap", "swap", NULL, need_swap)                                                   \
	X(MEMORY, "memory", "memory SIZE", n_memory, need_memory)                                  \
	X(KERNEL, "kernel", "kernel OP X.Y", n_kernel, need_kernel)                                \
	X(FILE, "file", "file CONTROL-FILE", n_file, need_file)                                    \
	X(VM, "vm", "vm", NULL, need_vm)                                                           \
	X(PSI, "psi", "psi", NULL, need_psi)                                                       \
	X(ZSWAP, "zswap", "zswap", NULL, need_zswap)

#endif
