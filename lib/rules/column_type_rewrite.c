/*
 * column_type_rewrite.c - a column type change that rewrites the table and its indexes under
 * ACCESS EXCLUSIVE. Binary-coercible changes (varchar(50) -> varchar(255), varchar -> text)
 * do not rewrite and are not flagged.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ALTER_TYPE || !ctx->cmd->has_type)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    const struct rs_column *col = rs_cmd_column(ctx);
    if (!col || rs_column_is_new(ctx, col))
        return;
    struct rs_type_change tc;
    if (!rs_cmd_type_change(ctx, col, &tc) || tc.same)
        return;
    bool using_rewrites = ctx->cmd->using_expr && ctx->cmd->using_expr->kind != RS_EXPR_COLUMN;
    if (!tc.rewrite && !using_rewrites)
        return;
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    if (tc.rewrite_unless_utc && !using_rewrites) {
        rs_emit(ctx, ctx->cmd->location, NULL,
                "changing %s.%s from %s to %s rewrites the table and its indexes under %s, "
                "blocking every read and write, %s",
                table, ctx->cmd->column, rs_ctx_type(ctx, &col->type),
                rs_ctx_type(ctx, &ctx->cmd->type), rs_lockmode_name(ctx->lock->mode),
                ctx->pg_version >= 12 ? "unless the session TimeZone is UTC"
                                      : "whatever the TimeZone (before PostgreSQL 12)");
        return;
    }
    rs_emit(ctx, ctx->cmd->location, NULL,
            "changing %s.%s from %s to %s rewrites the whole table and its indexes under an "
            "%s lock, which blocks every read and write until it is done",
            table, ctx->cmd->column, rs_ctx_type(ctx, &col->type),
            rs_ctx_type(ctx, &ctx->cmd->type), rs_lockmode_name(ctx->lock->mode));
}

const struct rs_rule rs_rule_column_type_rewrite = {
    .name = "column-type-rewrite",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "a type change rewrites the table under ACCESS EXCLUSIVE",
    .catches = "ALTER COLUMN ... TYPE on an existing table when the old type is not binary "
               "coercible to the new one (integer to bigint, text to jsonb, timestamp to "
               "timestamptz outside UTC) or when a USING expression computes new values: "
               "PostgreSQL rewrites the table and rebuilds its indexes while holding ACCESS "
               "EXCLUSIVE.",
    .n1_failure = "None by itself; every query of both versions waits for the rewrite.",
    .alternative = "Add a new column of the new type, keep it in sync with a trigger, backfill it "
                   "in batches, then switch to it (for a primary key: swap in one short "
                   "transaction). Set lock_timeout so the ALTER gives up instead of queueing "
                   "everyone behind it.",
    .versions = "varchar(n) to varchar(m>n) or text, numeric precision increases at the same "
                "scale, and timestamp precision increases do not rewrite (9.2+). timestamp to "
                "timestamptz does not rewrite on 12+ when the session TimeZone is UTC.",
    .bad = "ALTER TABLE events ALTER COLUMN id TYPE bigint;",
    .good = "ALTER TABLE events ADD COLUMN id_new bigint;\n"
            "-- trigger keeps id_new = id; backfill in batches; swap in a later migration",
    .check = check,
};
