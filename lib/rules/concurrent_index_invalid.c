/*
 * concurrent_index_invalid.c - CREATE INDEX CONCURRENTLY that cannot be retried.
 *
 * When a concurrent build fails (a deadlock, a cancel, a duplicate for a unique index), it
 * leaves an INVALID index behind under its name. Without IF NOT EXISTS, running the migration
 * again fails with `relation ... already exists`. Not flagged when the migration drops the index
 * IF EXISTS first. Inside a transaction block the statement fails anyway
 * (concurrently-in-transaction).
 */
#include <string.h>

#include "scan.h"

static bool dropped_before(const struct rs_rule_ctx *ctx, const char *name)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = 0; name && i < rs_stmt_pos(ctx); i++) {
        const struct rs_stmt *st = &l->v[i];
        if (st->kind != RS_STMT_DROP || st->obj_kind != RS_OBJ_INDEX || !st->if_exists)
            continue;
        for (size_t o = 0; o < st->nobjects; o++)
            if (st->objects[o].name && !strcmp(st->objects[o].name, name))
                return true;
    }
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_CREATE_INDEX || !st->concurrently || st->if_not_exists || ctx->in_tx)
        return;
    if (!st->index_name || dropped_before(ctx, st->index_name))
        return;
    rs_emit(ctx, -1,
            arena_printf(rs_ctx_arena(ctx),
                         "write %s CONCURRENTLY IF NOT EXISTS %s, and after a failure check "
                         "pg_index.indisvalid: DROP INDEX CONCURRENTLY an invalid index before "
                         "building again",
                         st->tag, st->index_name),
            "%s CONCURRENTLY %s without IF NOT EXISTS: if the build fails it leaves an "
            "INVALID index named %s, and running the migration again fails with `relation "
            "\"%s\" already exists`",
            st->tag, st->index_name, st->index_name, st->index_name);
}

const struct rs_rule rs_rule_concurrent_index_invalid = {
    .name = "concurrent-index-invalid",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "a failed CREATE INDEX CONCURRENTLY leaves an invalid index in the way",
    .catches = "CREATE [UNIQUE] INDEX CONCURRENTLY without IF NOT EXISTS, unless the migration "
               "drops the index IF EXISTS before building it.",
    .n1_failure = "None directly: after a failed build the migration cannot be retried until "
                  "someone drops the invalid index by hand; meanwhile the invalid index slows "
                  "every write (it is maintained but never used).",
    .alternative = "CREATE INDEX CONCURRENTLY IF NOT EXISTS, and check that the index is valid "
                   "(SELECT indisvalid FROM pg_index WHERE indexrelid = 'name'::regclass): IF "
                   "NOT EXISTS alone also keeps an invalid index from an earlier failed run. "
                   "Drop an invalid one with DROP INDEX CONCURRENTLY and build again.",
    .versions = "Same in every version.",
    .bad = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
    .good = "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);",
    .check = check,
};
