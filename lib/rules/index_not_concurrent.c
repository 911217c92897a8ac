/*
 * index_not_concurrent.c - CREATE INDEX without CONCURRENTLY on a table that holds rows: the
 * SHARE lock blocks every write for the whole build.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_CREATE_INDEX || st->concurrently)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    rs_emit(ctx, -1,
            arena_printf(rs_ctx_arena(ctx),
                         "use CREATE INDEX CONCURRENTLY IF NOT EXISTS; CONCURRENTLY cannot run in "
                         "a transaction block, so %s",
                         rs_no_transaction_hint(ctx)),
            "builds index %s on %s without CONCURRENTLY: the %s lock %s on the table until the "
            "build is done",
            st->index_name ? st->index_name : "(unnamed)", rs_ctx_name(ctx, &st->rel),
            rs_lockmode_name(ctx->lock->mode), rs_lockmode_blocks(ctx->lock->mode));
}

const struct rs_rule rs_rule_index_not_concurrent = {
    .name = "index-not-concurrent",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "CREATE INDEX without CONCURRENTLY on an existing table",
    .catches = "CREATE [UNIQUE] INDEX without CONCURRENTLY on a table that existed before the "
               "migration. An index on a table created in the same migration is harmless and not "
               "flagged.",
    .n1_failure = "None by itself: writes of both versions wait for the build.",
    .alternative = "CREATE INDEX CONCURRENTLY IF NOT EXISTS in a migration of its own that the "
                   "runner does not wrap in a transaction. If the build fails it leaves an INVALID "
                   "index: drop it (DROP INDEX CONCURRENTLY) and build again.",
    .versions = "CONCURRENTLY takes SHARE UPDATE EXCLUSIVE and scans the table twice in every "
                "version; it cannot run inside a transaction block. Partitioned tables accept "
                "CONCURRENTLY from PostgreSQL 11 only on each partition, not on the parent.",
    .bad = "CREATE INDEX users_email_idx ON users (email);",
    .good = "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);",
    .check = check,
};
