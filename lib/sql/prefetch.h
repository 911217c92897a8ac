/*
 * prefetch.h - parsing migration scripts ahead, in a helper thread, while the engine works.
 *
 * libpg_query's parse is most of what `rollsafe check` costs. With two CPUs, a helper thread
 * parses scripts from the last one backwards while the engine takes them from the first one
 * forwards (parsing itself whatever the helper has not claimed yet), so the two meet in the
 * middle. The helper does everything rs_sql_parse_script does (parse, decode, translate, and the
 * piece-by-piece parse of a script that does not parse as a whole) into an arena of its own.
 * Translating depends on nothing but the script, so the statements (and the output) are exactly
 * those of a serial run. libpg_query keeps its parser state per thread.
 *
 * It is transparent to callers of rs_sql_parse_script: each script being prefetched carries a
 * handle (rs_script.ahead); parsing such a script takes the statements either thread made, or
 * makes them. Anything the helper did not do (a helper that failed to start, or a script too big
 * for it) is parsed in place, so prefetching never changes a result and never fails.
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
struct rs_sql_prefetch;

/*
 * Starts a helper for scripts[0..n), given in the order the engine will most likely parse
 * them, when jobs > 1 and there is enough text for a second thread to pay off; sets each
 * script's ahead handle. Scripts may be unread (rs_source_unread, whole-file scripts): each is
 * read by the thread that parses it; one whose file cannot be read gives no statements and stays
 * unread. Returns NULL (and changes nothing) when no helper was started. The
 * object and the statements live until arena a is freed (which joins the helper if
 * rs_sql_prefetch_end has not); the scripts must stay put until rs_sql_prefetch_end.
 *
 * When the helper has nothing left to parse it calls idle(p, idle_arg) in its thread, if idle
 * is not NULL, then finishes. The idle function must allocate only in arenas nobody else uses
 * meanwhile, and should return soon once rs_sql_prefetch_stopped(p).
 */
struct rs_sql_prefetch *rs_sql_prefetch_start(struct arena *a, struct rs_script *const *scripts,
                                              size_t n, int jobs,
                                              void (*idle)(struct rs_sql_prefetch *, void *),
                                              void *idle_arg);
/* Whether rs_sql_prefetch_start can start a helper at all: jobs > 1 and two CPUs. */
bool rs_sql_prefetch_possible(int jobs);
/* Wakes the other thread if it waits in rs_sql_prefetch_wait (or makes its next wait return). */
void rs_sql_prefetch_wake(struct rs_sql_prefetch *p);
/* Sleeps until the other thread wakes this one (it does after each script it parses); false
   when the other one is gone: the helper has finished, or the engine has stopped it. */
bool rs_sql_prefetch_wait(struct rs_sql_prefetch *p);
/* Whether the engine has stopped the helper (rs_sql_prefetch_end). */
bool rs_sql_prefetch_stopped(struct rs_sql_prefetch *p);
/* Parses one script nobody has claimed yet, from the last one backwards; false when there is
   none left. For a thread that would otherwise wait for the other. */
bool rs_sql_prefetch_help(struct rs_sql_prefetch *p);
/* Stops the helper (it finishes the script it is parsing, or leaves its idle work at the next
   step), joins it and clears the scripts' handles; the statements already taken stay valid.
   Accepts NULL and a helper already ended. */
void rs_sql_prefetch_end(struct rs_sql_prefetch *p);

#endif
