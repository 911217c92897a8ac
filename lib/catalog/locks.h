/*
 * locks.h - which lock each statement form takes, and whether it rewrites or scans the table.
 *
 * One table of facts (locks.def), checked against PostgreSQL's documentation ("Explicit
 * Locking", and the notes of ALTER TABLE, CREATE INDEX, REINDEX, DROP INDEX, REFRESH MATERIALIZED
 * VIEW, CREATE TRIGGER) for versions 11 to 18. Lock findings quote it; the drill verifies it
 * on a real server.
 */
#ifndef RS_LOCKS_H
#define RS_LOCKS_H

#include <stdbool.h>

#include "sql/stmt.h"

enum rs_lockmode {
    RS_LM_NONE,
    RS_LM_ACCESS_SHARE,
    RS_LM_ROW_SHARE,
    RS_LM_ROW_EXCLUSIVE,
    RS_LM_SHARE_UPDATE_EXCLUSIVE,
    RS_LM_SHARE,
    RS_LM_SHARE_ROW_EXCLUSIVE,
    RS_LM_EXCLUSIVE,
    RS_LM_ACCESS_EXCLUSIVE,
};

/* "ACCESS EXCLUSIVE", ... */
const char *rs_lockmode_name(enum rs_lockmode m);
/* What the mode blocks, for messages: "blocks all reads and writes", "blocks writes", ... */
const char *rs_lockmode_blocks(enum rs_lockmode m);

enum rs_work { RS_WORK_NONE, RS_WORK_SCAN, RS_WORK_REWRITE, RS_WORK_INDEX_BUILD };

struct rs_lock_fact {
    const char *form;       /* "ALTER TABLE ... ADD COLUMN" */
    enum rs_lockmode mode;  /* on the statement's table */
    enum rs_lockmode other; /* on a second table (the referenced table of a FK), or NONE */
    enum rs_work work;      /* what it does while holding the lock, in the common case */
    const char *when;       /* when the work happens ("with a volatile default"), or NULL */
    int min_pg, max_pg;     /* versions the row is true for (0 = no bound) */
};

/* The fact for a statement (cmd NULL) or one ALTER TABLE command on pg_version. Never NULL:
   statements that take no table lock get a row with mode RS_LM_NONE. */
const struct rs_lock_fact *rs_lock_fact_for(const struct rs_stmt *st,
                                            const struct rs_alter_cmd *cmd, int pg_version);

/* The whole table, for documentation (explain, docs/locks.md). */
const struct rs_lock_fact *rs_lock_facts(int *n);

#endif
