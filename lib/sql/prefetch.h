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
 * handle (rs_script.ahead), and parsing such a script takes the helper's statements when there
 * are some; anything the helper did not do (a helper that failed to start, died, or ran out of
 * room) is parsed in place, so prefetching never changes a result and never fails.
 */
#ifndef RS_SQL_PREFETCH_H
#define RS_SQL_PREFETCH_H

#include <stddef.h>

#include "source.h"

struct arena;
struct rs_sql_prefetch;

/*
 * Starts a helper for scripts[0..n), given in the order the engine will most likely parse
 * them, when jobs > 1 and there is enough text for a second process to pay off; sets each
 * script's ahead handle. Returns NULL (and changes nothing) when no helper was started. The
 * object and the shared memory holding the helper's statements live until arena a is freed;
 * the scripts must stay put until rs_sql_prefetch_end.
 */
struct rs_sql_prefetch *rs_sql_prefetch_start(struct arena *a, struct rs_script *const *scripts,
                                              size_t n, int jobs);
/* Stops the helper (killing it if it is still parsing), waits for it and clears the scripts'
   handles; the statements already taken stay valid. Accepts NULL. */
void rs_sql_prefetch_end(struct rs_sql_prefetch *p);

#endif
