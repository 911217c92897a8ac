/*
 * table_rewrite.c - statements whose whole point is to rewrite a table: VACUUM FULL, CLUSTER,
 * ALTER TABLE ... SET LOGGED / UNLOGGED / SET TABLESPACE / SET ACCESS METHOD. Every read and
 * write waits for the copy.
 */
#include "scan.h"

static bool rewriting_form(const struct rs_rule_ctx *ctx)
{
    if (ctx->cmd)
        return ctx->cmd->kind == RS_AT_SET_LOGGED || ctx->cmd->kind == RS_AT_SET_UNLOGGED ||
               ctx->cmd->kind == RS_AT_SET_TABLESPACE || ctx->cmd->kind == RS_AT_SET_ACCESS_METHOD;
    return (ctx->st->kind == RS_STMT_VACUUM && ctx->st->vacuum_full) ||
           ctx->st->kind == RS_STMT_CLUSTER;
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!rewriting_form(ctx))
        return;
    const char *work = rs_ctx_work(ctx);
    if (!work && ctx->st->rel.name)
        return; /* a new table, or SET LOGGED of a table that is logged already */
    const char *what = ctx->cmd ? ctx->cmd->what : ctx->st->vacuum_full ? "VACUUM FULL" : "CLUSTER";
    if (!ctx->st->rel.name)
        rs_emit(ctx, -1, NULL,
                "%s without a table rewrites every table it applies to, each under ACCESS "
                "EXCLUSIVE, which blocks every read and write of it",
                what);
    else
        rs_emit(ctx, ctx->cmd ? ctx->cmd->location : -1, NULL,
                "%s %s under %s until the copy is done", what, work, rs_lock_phrase(ctx, NULL));
}

const struct rs_rule rs_rule_table_rewrite = {
    .name = "table-rewrite",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "VACUUM FULL, CLUSTER or a SET that rewrites an existing table",
    .catches = "VACUUM FULL, CLUSTER, and ALTER TABLE ... SET UNLOGGED, SET LOGGED (of an "
               "unlogged table), SET TABLESPACE and SET ACCESS METHOD on a table that existed "
               "before the migration.",
    .n1_failure = "None by itself: every read and write of the table waits for the copy.",
    .alternative = "Rebuild the table online with pg_repack or pg_squeeze instead of VACUUM FULL "
                   "or CLUSTER, outside the migration; move tablespaces during a maintenance "
                   "window with lock_timeout set.",
    .versions = "ACCESS EXCLUSIVE and a full copy in every version; SET ACCESS METHOD exists "
                "from PostgreSQL 15. PostgreSQL 19 is to add REPACK (CONCURRENTLY).",
    .bad = "VACUUM FULL events;",
    .good = "-- outside the migration, online:\n-- pg_repack --table=events",
    .check = check,
};
