/*
 * add_column.c - a column is added to an existing table (opt-in).
 *
 * The previous version's SELECT * (and code that maps result columns by position) sees one more
 * column. Most applications name their columns, so this rule is off unless enabled.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ADD_COLUMN || !ctx->cmd->coldef ||
        ctx->st->obj_kind != RS_OBJ_TABLE)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r) || (r && rs_rel_column(r, ctx->cmd->coldef->name)))
        return;
    rs_emit(ctx, ctx->cmd->location, NULL,
            "adds column %s.%s: the previous application version's SELECT * returns one more "
            "column, which breaks code that maps result columns by position",
            rs_ctx_name(ctx, &ctx->st->rel), ctx->cmd->coldef->name);
}

const struct rs_rule rs_rule_add_column = {
    .name = "add-column",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_INFO,
    .breaks_previous = true,
    .opt_in = true,
    .summary = "a column is added to an existing table (opt-in)",
    .catches = "ALTER TABLE ... ADD COLUMN on a table that existed before the migration. Opt-in: "
               "only applications that read SELECT * by position, or INSERT without a column "
               "list into a table whose new column has no default, are affected.",
    .n1_failure = "Version N-1 runs SELECT * and reads the columns by position, or compares "
                  "whole rows: it gets a column it does not expect.",
    .alternative = "Name the columns in every query (no SELECT *, no INSERT without a column "
                   "list); then adding a column is invisible to the previous version.",
    .versions = "Same in every version.",
    .bad = "ALTER TABLE users ADD COLUMN nickname text;",
    .good = "-- every query of users names its columns; then:\n"
            "ALTER TABLE users ADD COLUMN nickname text;",
    .check = check,
};
