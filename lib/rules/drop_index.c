/*
 * drop_index.c - a unique index the previous version relies on is dropped.
 *
 * A unique index enforces uniqueness and serves INSERT ... ON CONFLICT. Dropping a plain index
 * only makes queries slower (and takes a lock: drop-index-not-concurrent); it is not flagged
 * here. Indexes created again later in the same migration are not flagged.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP || st->obj_kind != RS_OBJ_INDEX)
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_index *x = rs_model_index(ctx->model, &st->objects[i]);
        if (!x || !x->unique || x->constraint || x->created_mig == ctx->mig->index)
            continue;
        if (rs_created_later(ctx, RS_OBJ_INDEX, x->name.name, NULL) ||
            rs_unique_later(ctx, x->table.name, x->columns, x->ncolumns) ||
            rs_dropped_later(ctx, x->table.name, x->columns, x->ncolumns))
            continue; /* built again, maybe under another name or after renames */
        const char *cols = x->ncolumns ? x->columns[0] : "...";
        for (size_t k = 1; k < x->ncolumns; k++)
            cols = arena_printf(rs_ctx_arena(ctx), "%s, %s", cols, x->columns[k]);
        rs_emit(ctx, -1, NULL,
                "drops unique index %s on %s (%s): duplicates can be written from now on, the "
                "previous application version's INSERT ... ON CONFLICT (%s) fails without it, "
                "and a down migration that builds it again fails once duplicates exist",
                rs_ctx_name(ctx, &x->name), rs_ctx_name(ctx, &x->table), cols, cols);
    }
}

const struct rs_rule rs_rule_drop_index = {
    .name = "drop-index",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a unique index the previous version relies on is dropped",
    .catches = "DROP INDEX of a unique index that existed before the migration and is not built "
               "again later in it (under any name, on the same columns, following renames of the "
               "table and columns; a UNIQUE or PRIMARY KEY constraint counts). Plain indexes are "
               "not flagged: dropping one makes queries "
               "slower, not wrong (its lock is drop-index-not-concurrent's business).",
    .n1_failure = "Version N-1's upserts on the indexed columns fail (`there is no unique or "
                  "exclusion constraint matching the ON CONFLICT specification`), and it may "
                  "rely on the uniqueness it no longer gets. Once duplicates exist, the down "
                  "migration cannot build the index again.",
    .alternative = "Keep the unique index until no running version relies on it. To replace it, "
                   "build the new one CONCURRENTLY first, deploy a version that uses it, then "
                   "drop the old one.",
    .versions = "Same in every version.",
    .bad = "DROP INDEX users_email_key_idx;",
    .good = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_lower_email_idx\n"
            "    ON users (lower(email));\n"
            "-- release N upserts on lower(email); release N+1:\n"
            "DROP INDEX CONCURRENTLY IF EXISTS users_email_key_idx;",
    .check = check,
};
