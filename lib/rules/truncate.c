/*
 * truncate.c - TRUNCATE of a table that held rows: irreversible.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_TRUNCATE)
        return;
    for (size_t i = 0; i < st->ntruncate_rels; i++) {
        const struct rs_relation *r = rs_model_rel(ctx->model, &st->truncate_rels[i]);
        if (!rs_ctx_existing(ctx, r) || rs_is_system_relation(ctx, &st->truncate_rels[i]))
            continue;
        rs_emit(ctx, -1, NULL,
                "empties table %s%s: every row is gone and no down migration can bring it back",
                rs_ctx_name(ctx, &st->truncate_rels[i]),
                st->cascade ? ", and with CASCADE every table whose foreign keys reference it"
                            : "");
    }
}

const struct rs_rule rs_rule_truncate = {
    .name = "truncate",
    .cls = RS_CLASS_IRREVERSIBLE,
    .severity = RS_SEV_ERROR,
    .summary = "a table that holds rows is truncated",
    .catches = "TRUNCATE of a table that existed before the migration (with CASCADE, also the "
               "tables that reference it).",
    .n1_failure = "Version N-1 keeps working but finds no rows; the data is destroyed.",
    .alternative = "Copy the rows to an archive table (CREATE TABLE ... AS SELECT) or export them "
                   "first; delete in batches if the table is large, so locks stay short.",
    .versions = "TRUNCATE takes ACCESS EXCLUSIVE in every version.",
    .bad = "TRUNCATE sessions;",
    .good = "CREATE TABLE sessions_archive AS SELECT * FROM sessions;\n"
            "-- rollsafe:approve truncate reason=\"sessions are disposable; archived above\"\n"
            "TRUNCATE sessions;",
    .check = check,
};
