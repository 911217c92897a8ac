/*
 * drop_not_null.c - a NOT NULL column becomes nullable.
 *
 * Rows with NULL can then be written (by version N, by anything), and the previous version
 * reads them without expecting NULL. Columns new in the migration, and columns made NOT NULL
 * again later in the same migration, are not flagged.
 */
#include <string.h>

#include "scan.h"

static bool set_again(const struct rs_rule_ctx *ctx)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_stmt_pos(ctx); l && i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        if (st->kind != RS_STMT_ALTER_TABLE || !st->rel.name ||
            strcmp(st->rel.name, ctx->st->rel.name))
            continue;
        for (size_t c = 0; c < st->ncmds; c++)
            if ((st != ctx->st || &st->cmds[c] > ctx->cmd) &&
                st->cmds[c].kind == RS_AT_SET_NOT_NULL && st->cmds[c].column &&
                !strcmp(st->cmds[c].column, ctx->cmd->column))
                return true;
    }
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_DROP_NOT_NULL || !ctx->cmd->column)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    const struct rs_column *col = rs_cmd_column(ctx);
    if (!rs_ctx_existing(ctx, r) || (col && (!col->not_null || rs_column_is_new(ctx, col))))
        return;
    if (!col && r && r->complete)
        return;
    if (set_again(ctx) || rs_dropped_later(ctx, ctx->st->rel.name, &ctx->cmd->column, 1))
        return;
    rs_emit(ctx, ctx->cmd->location, NULL,
            "makes %s.%s nullable: rows with NULL can be written from now on, the previous "
            "application version reads them without expecting NULL, and a down migration's SET "
            "NOT NULL fails once they exist",
            rs_ctx_name(ctx, &ctx->st->rel), ctx->cmd->column);
}

const struct rs_rule rs_rule_drop_not_null = {
    .name = "drop-not-null",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a NOT NULL column becomes nullable",
    .catches = "ALTER COLUMN ... DROP NOT NULL on a column that existed before the migration, "
               "unless the same migration sets NOT NULL again.",
    .n1_failure = "Version N-1 was written for a column that is never NULL: it crashes or "
                  "misbehaves on the first NULL version N writes (a null dereference, a failed "
                  "decode into a non-optional field). After a rollback the NULLs stay, and the "
                  "down migration's SET NOT NULL fails on them.",
    .alternative = "Ship a version N-1 that tolerates NULL first; or keep the column NOT NULL "
                   "and write a sentinel value; or add a new nullable column and move to it with "
                   "expand/contract.",
    .versions = "Same in every version: a catalog change under ACCESS EXCLUSIVE.",
    .bad = "ALTER TABLE orders ALTER COLUMN shipped_at DROP NOT NULL;",
    .good = "-- release N-1 already handles shipped_at IS NULL; then:\n"
            "ALTER TABLE orders ALTER COLUMN shipped_at DROP NOT NULL;",
    .check = check,
};
