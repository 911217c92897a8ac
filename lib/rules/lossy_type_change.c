/*
 * lossy_type_change.c - a column type change that silently changes values: the old values
 * cannot be restored by changing the type back.
 *
 * numeric scale decreased (rounds), timestamp precision decreased (rounds), char(n) to text
 * (trims), float8 to float4, and any USING expression other than the column itself or a plain
 * cast of it (the expression decides what is kept).
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ALTER_TYPE || !ctx->cmd->has_type)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r) || rs_rel_is_view(r))
        return;
    const struct rs_column *col = rs_cmd_column(ctx);
    if (col && rs_column_is_new(ctx, col))
        return;
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    const struct rs_expr *u = ctx->cmd->using_expr;
    bool plain_using = !u || u->kind == RS_EXPR_COLUMN || (u->cast_of_column && u->nfuncs == 0);
    if (!plain_using) {
        rs_emit(ctx, u->location >= 0 ? u->location : ctx->cmd->location, NULL,
                "rewrites every value of %s.%s through USING %s: the old values are replaced "
                "and no down migration can compute them back",
                table, ctx->cmd->column, u->text);
        return;
    }
    struct rs_type_change tc;
    if (!col || !rs_cmd_type_change(ctx, col, &tc) || !tc.lossy)
        return;
    rs_emit(ctx, ctx->cmd->location, NULL,
            "changes %s.%s in a way that loses information: %s; changing the type back does "
            "not restore the old values",
            table, ctx->cmd->column, tc.reason);
}

const struct rs_rule rs_rule_lossy_type_change = {
    .name = "lossy-type-change",
    .cls = RS_CLASS_IRREVERSIBLE,
    .severity = RS_SEV_ERROR,
    .summary = "a type change silently changes stored values",
    .catches = "ALTER COLUMN ... TYPE that rounds, truncates, trims or reformats existing "
               "values: numeric(12,4) to numeric(12,2), timestamp(6) to timestamp(0), char(n) to "
               "text (trailing spaces go), double precision to real, json to jsonb (key order, "
               "duplicates and white space go), and any USING expression other than the column "
               "or a plain cast of it, such as USING left(name, 50).",
    .n1_failure = "Not a failure of N-1 as such: the data is different. A rollback of the "
                  "schema (a down migration that changes the type back) keeps the rounded or "
                  "truncated values.",
    .alternative = "Keep the original: add a new column of the new type, backfill it from the "
                   "old one in batches, switch reads and writes, and drop the old column in a "
                   "later release once nobody needs the original values.",
    .versions = "Same in every version. Rounding happens in the cast, without an error.",
    .bad = "ALTER TABLE prices ALTER COLUMN amount TYPE numeric(12,2);  -- was numeric(12,4)",
    .good = "ALTER TABLE prices ADD COLUMN amount_rounded numeric(12,2);\n"
            "-- backfill in batches; switch reads; drop prices.amount in a later release",
    .check = check,
};
