/* The table of portable names: one row per thing a scenario can read or set,
 * with its v1 and v2 file. "file:key" names one line of a keyed file. NULL
 * means the version has no such thing (reads give "not supported here").
 * v2's memory.stat counts the group and its descendants; v1's plain keys
 * count the group alone and its total_* keys match v2, so those are used. */
#include <string.h>

#include "cg.h"

const struct cg_name cg_names[] = {
	{ "limit", CG_BYTES, "memory.limit_in_bytes", "memory.max",
	  "hard limit; unlimited is -1 / 9223372036854771712 on v1, \"max\" on v2" },
	{ "usage", CG_BYTES, "memory.usage_in_bytes", "memory.current",
	  "memory charged now (v1 adds per-cpu slack; v2 is exact)" },
	{ "peak", CG_BYTES, "memory.max_usage_in_bytes", "memory.peak",
	  "highest usage; v1 resets on writing 0, v2 per open fd since 6.12" },
	{ "swap", CG_BYTES, "memory.stat:total_swap", "memory.swap.current",
	  "swap used by the group (v1 needs swap accounting)" },
	{ "swap_limit", CG_BYTES, "=memsw-limit", "memory.swap.max",
	  "swap allowed; v2 swap.max counts swap only, v1 memsw.limit counts memory+swap, "
	  "so on v1 this reads memsw.limit - limit and writes memsw.limit = limit + value" },
	{ "memsw_limit", CG_BYTES, "memory.memsw.limit_in_bytes", NULL,
	  "v1 only: memory+swap limit (must stay >= limit)" },
	{ "memsw_usage", CG_BYTES, "memory.memsw.usage_in_bytes", NULL,
	  "v1 only: memory+swap usage" },
	{ "anon", CG_BYTES, "memory.stat:total_rss", "memory.stat:anon",
	  "anonymous memory; v1 rss excludes shmem, as does v2 anon" },
	{ "file", CG_BYTES, "memory.stat:total_cache", "memory.stat:file",
	  "page cache including tmpfs/shm (v1 cache, v2 file)" },
	{ "shmem", CG_BYTES, "memory.stat:total_shmem", "memory.stat:shmem",
	  "tmpfs, SysV shm and MAP_SHARED anonymous memory" },
	{ "mapped_file", CG_BYTES, "memory.stat:total_mapped_file", "memory.stat:file_mapped",
	  "page cache mapped into page tables, shmem included" },
	{ "dirty", CG_BYTES, "memory.stat:total_dirty", "memory.stat:file_dirty", "dirty page cache" },
	{ "writeback", CG_BYTES, "memory.stat:total_writeback", "memory.stat:file_writeback",
	  "page cache under writeback" },
	{ "active_anon", CG_BYTES, "memory.stat:total_active_anon", "memory.stat:active_anon", NULL },
	{ "inactive_anon", CG_BYTES, "memory.stat:total_inactive_anon", "memory.stat:inactive_anon",
	  NULL },
	{ "active_file", CG_BYTES, "memory.stat:total_active_file", "memory.stat:active_file", NULL },
	{ "inactive_file", CG_BYTES, "memory.stat:total_inactive_file", "memory.stat:inactive_file",
	  NULL },
	{ "unevictable", CG_BYTES, "memory.stat:total_unevictable", "memory.stat:unevictable", NULL },
	{ "kmem", CG_BYTES, "memory.kmem.usage_in_bytes", "memory.stat:kernel",
	  "kernel memory charged to the group (v2 \"kernel\" since 5.18)" },
	{ "slab", CG_BYTES, NULL, "memory.stat:slab", "v2 only: slab memory" },
	{ "pgmajfault", CG_COUNT, "memory.stat:total_pgmajfault", "memory.stat:pgmajfault", NULL },
	{ "pgfault", CG_COUNT, "memory.stat:total_pgfault", "memory.stat:pgfault", NULL },
	{ "failcnt", CG_COUNT, "memory.failcnt", "memory.events:max",
	  "times the limit was hit (v2: times usage was about to go over memory.max)" },
	{ "oom", CG_COUNT, NULL, "memory.events:oom", "v2 only: times the group hit OOM" },
	{ "oom_kill", CG_COUNT, "memory.oom_control:oom_kill", "memory.events:oom_kill",
	  "processes killed by the OOM killer in the group" },
	{ "high_events", CG_COUNT, NULL, "memory.events:high",
	  "v2 only: times usage went over memory.high" },
	{ "under_oom", CG_FLAG, "memory.oom_control:under_oom", NULL,
	  "v1 only: 1 while tasks are paused by oom_kill_disable" },
	{ "oom_kill_disable", CG_FLAG, "memory.oom_control:oom_kill_disable", NULL,
	  "v1 only: pause instead of kill at the limit (write to memory.oom_control)" },
	{ "oom_group", CG_FLAG, NULL, "memory.oom.group", "v2 only: kill the whole group" },
	{ "swappiness", CG_NUMBER, "memory.swappiness", NULL,
	  "v1 only: 0 keeps the group out of swap; v2 analogue is swap_limit=0" },
	{ "soft_limit", CG_BYTES, "memory.soft_limit_in_bytes", NULL,
	  "v1 only: reclaimed first under global pressure; v2 analogue is low on the others" },
	{ "low", CG_BYTES, NULL, "memory.low", "v2 only: best-effort protection" },
	{ "min", CG_BYTES, NULL, "memory.min", "v2 only: hard protection" },
	{ "high", CG_BYTES, NULL, "memory.high", "v2 only: throttle limit" },
	{ "use_hierarchy", CG_FLAG, "memory.use_hierarchy", NULL,
	  "v1 only: writing 0 is refused since 5.11; v2 is always hierarchical" },
	{ "move_charge", CG_NUMBER, "memory.move_charge_at_immigrate", NULL,
	  "v1 only: deprecated 6.3, non-zero refused since 6.13; v2 never moves charges" },
};

const size_t cg_names_count = sizeof(cg_names) / sizeof(cg_names[0]);

const struct cg_name *cg_name_find(const char *name)
{
	for (size_t i = 0; i < cg_names_count; i++)
		if (!strcmp(cg_names[i].name, name))
			return &cg_names[i];
	return NULL;
}

const char *cg_name_file(const struct cg_name *n, enum cg_version v)
{
	return v == CG_V2 ? n->v2 : v == CG_V1 ? n->v1 : NULL;
}
