/*
 * prefetch.h - parsing migration scripts ahead, in a helper process, while the engine works.
 *
 * libpg_query's parse is most of what `rollsafe check` costs. With two CPUs, a helper process
 * parses scripts from the last one backwards while the engine takes them from the first one
 * forwards (parsing itself whatever the helper has not claimed yet), so the two meet in the
 * middle. The helper does everything rs_sql_parse_script does (parse, decode, translate, and the
 * piece-by-piece parse of a script that does not parse as a whole) and builds the statements in
 * shared memory mapped at the same address in both processes. Translating depends on nothing
 * but the script, so the statements (and the output) are exactly those of a serial run.
 *
 * A process rather than threads: libpg_query redirects the process's stderr (fd 2) around every
 * parse, which two threads parsing at once would leave pointing at a closed pipe.
 *
 * It is transparent to callers of rs_sql_parse_script: each script being prefetched carries a
 * handle (rs_script.ahead), in both processes; parsing such a script takes the statements
 * either process made (each parses into a data area of its own, both shared), or makes them.
 * Anything the helper did not do (a helper that failed to start, died, or ran out of room) is
 * parsed in place, so prefetching never changes a result and never fails.
 *
 * Once everything is parsed the helper can do more of the engine's work (the idle hook below:
 * the check hands it the second part of the history, check.c).
 */
#ifndef RS_SQL_PREFETCH_H
#define RS_SQL_PREFETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"

struct arena;
struct arena_region;
struct rs_sql_prefetch;

/*
 * Starts a helper for scripts[0..n), given in the order the engine will most likely parse
 * them, when jobs > 1 and there is enough text for a second process to pay off; sets each
 * script's ahead handle. Returns NULL (and changes nothing) when no helper was started. The
 * object and the shared memory holding the statements live until arena a is freed; the scripts
 * must stay put until rs_sql_prefetch_end.
 *
 * When the helper has nothing left to parse it calls idle(p, idle_arg), in its own process (a
 * copy of the engine's as it was at this call), if idle is not NULL, then exits. Work the idle
 * function hands back must be allocated in the helper's data area (rs_sql_prefetch_region),
 * the only memory of the helper the engine sees.
 */
struct rs_sql_prefetch *rs_sql_prefetch_start(struct arena *a, struct rs_script *const *scripts,
                                              size_t n, int jobs,
                                              void (*idle)(struct rs_sql_prefetch *, void *),
                                              void *idle_arg);
/* The data area this process parses into: an arena with this region allocates memory that the
   other process reads at the same address. */
struct arena_region *rs_sql_prefetch_region(struct rs_sql_prefetch *p);
/* Wakes the other process if it waits in rs_sql_prefetch_wait. */
void rs_sql_prefetch_wake(struct rs_sql_prefetch *p);
/* Sleeps until the other process wakes this one (it does after each script it parses); false
   when the other process is gone. */
bool rs_sql_prefetch_wait(struct rs_sql_prefetch *p);
/* Parses one script nobody has claimed yet, from the last one backwards; false when there is
   none left. For a process that would otherwise wait for the other. */
bool rs_sql_prefetch_help(struct rs_sql_prefetch *p);
/* Stops the helper (killing it if it is still working), waits for it and clears the scripts'
   handles; the statements already taken stay valid. Accepts NULL. */
void rs_sql_prefetch_end(struct rs_sql_prefetch *p);

#endif
