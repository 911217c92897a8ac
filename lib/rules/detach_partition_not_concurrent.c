/*
 * detach_partition_not_concurrent.c - DETACH PARTITION without CONCURRENTLY: ACCESS EXCLUSIVE on
 * the partitioned table and the partition.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    if (!c || c->kind != RS_AT_DETACH_PARTITION || (c->concurrently && ctx->pg_version >= 14))
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    struct arena *a = rs_ctx_arena(ctx);
    rs_emit(ctx, c->location,
            ctx->pg_version >= 14
                ? arena_printf(a,
                               "use DETACH PARTITION ... CONCURRENTLY (not possible when the "
                               "table has a DEFAULT partition); it cannot run in a transaction "
                               "block, so %s",
                               rs_no_transaction_hint(ctx))
                : "PostgreSQL 13 and older cannot detach concurrently: set a short lock_timeout "
                  "and retry, at a quiet time",
            "detaches partition %s from %s without CONCURRENTLY: it takes %s, and the same on "
            "the partition",
            rs_ctx_name(ctx, &c->partition), rs_ctx_name(ctx, &ctx->st->rel),
            rs_lock_phrase(ctx, NULL));
}

const struct rs_rule rs_rule_detach_partition_not_concurrent = {
    .name = "detach-partition-not-concurrent",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "DETACH PARTITION without CONCURRENTLY",
    .catches = "ALTER TABLE ... DETACH PARTITION without CONCURRENTLY on a partitioned table "
               "that existed before the migration (with --pg-version 13 or lower, every DETACH: "
               "there is no concurrent form).",
    .n1_failure = "None by itself: every query of the partitioned table waits for the lock.",
    .alternative = "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) in a "
                   "migration of its own that the runner does not wrap in a transaction; if it "
                   "is interrupted, finish it with DETACH PARTITION ... FINALIZE.",
    .versions = "CONCURRENTLY exists from PostgreSQL 14: SHARE UPDATE EXCLUSIVE on both tables "
                "in a first transaction, ACCESS EXCLUSIVE on the partition in a second; not "
                "allowed in a transaction block or with a DEFAULT partition. Without it, ACCESS "
                "EXCLUSIVE on both in every version.",
    .bad = "ALTER TABLE measurements DETACH PARTITION measurements_2020;",
    .good = "ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;",
    .check = check,
};
