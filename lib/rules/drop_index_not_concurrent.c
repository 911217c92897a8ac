/*
 * drop_index_not_concurrent.c - DROP INDEX without CONCURRENTLY on a table that holds rows:
 * ACCESS EXCLUSIVE on the table, queued behind every running query of it.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP || st->obj_kind != RS_OBJ_INDEX || st->concurrently)
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_index *x = rs_model_index(ctx->model, &st->objects[i]);
        if (!x || x->constraint || x->created_mig == ctx->mig->index ||
            !rs_existed_at_start(ctx, &x->table) ||
            rs_tx_holds(ctx, &x->table, RS_LM_ACCESS_EXCLUSIVE))
            continue; /* new, or the transaction already holds the lock */
        rs_emit(ctx, -1,
                arena_printf(rs_ctx_arena(ctx),
                             "use DROP INDEX CONCURRENTLY IF EXISTS %s; CONCURRENTLY cannot run "
                             "in a transaction block, so %s",
                             x->name.name, rs_no_transaction_hint(ctx)),
                "drops index %s without CONCURRENTLY: it takes %s until the drop commits, "
                "after waiting for every query already running on it",
                rs_ctx_name(ctx, &x->name), rs_lock_phrase(ctx, &x->table));
    }
}

const struct rs_rule rs_rule_drop_index_not_concurrent = {
    .name = "drop-index-not-concurrent",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "DROP INDEX without CONCURRENTLY on an existing table",
    .catches = "DROP INDEX without CONCURRENTLY of an index that existed before the migration, "
               "on a table that existed before it, unless an earlier statement of the same "
               "transaction already holds ACCESS EXCLUSIVE on the table. Indexes that back a "
               "constraint are dropped with the constraint and are not flagged.",
    .n1_failure = "None by itself: every query of the table waits while the drop waits for its "
                  "lock.",
    .alternative = "DROP INDEX CONCURRENTLY IF EXISTS in a migration of its own that the runner "
                   "does not wrap in a transaction.",
    .versions = "Same in every version: DROP INDEX takes ACCESS EXCLUSIVE on the table; "
                "CONCURRENTLY takes SHARE UPDATE EXCLUSIVE and cannot run in a transaction "
                "block, nor drop more than one index or one that backs a constraint.",
    .bad = "DROP INDEX users_legacy_idx;",
    .good = "DROP INDEX CONCURRENTLY IF EXISTS users_legacy_idx;",
    .check = check,
};
