/*
 * change_default.c - an existing column's default changes (opt-in).
 *
 * The previous version's INSERTs that leave the column out get the new value, which it may not
 * expect. Adding a default to a column that had none is not flagged: those INSERTs stored NULL.
 */
#include <string.h>

#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    if (!c || c->kind != RS_AT_SET_DEFAULT || !c->expr || !c->column)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    const struct rs_column *col = rs_cmd_column(ctx);
    if (!r || !col || !rs_ctx_existing(ctx, r) || rs_column_is_new(ctx, col))
        return;
    if (!col->default_text || (c->expr->text && !strcmp(col->default_text, c->expr->text)))
        return;
    rs_emit(ctx, c->location, NULL,
            "changes the default of %s.%s from %s to %s: INSERTs of the previous application "
            "version that leave the column out now get %s",
            rs_ctx_name(ctx, &ctx->st->rel), c->column, col->default_text,
            c->expr->text ? c->expr->text : "...", c->expr->text ? c->expr->text : "the new value");
}

const struct rs_rule rs_rule_change_default = {
    .name = "change-default",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_INFO,
    .breaks_previous = true,
    .opt_in = true,
    .summary = "an existing column's default changes (opt-in)",
    .catches = "ALTER COLUMN ... SET DEFAULT on a column of an existing table that already had "
               "a different default. Setting a first default is not flagged. Opt-in: most "
               "default changes are intended for every version.",
    .n1_failure = "Version N-1 INSERTs without the column and gets the new default: a new plan, "
                  "a new status, a different timestamp, which its logic may not expect. ORMs "
                  "that write their own copy of the default (Rails partial inserts off) keep "
                  "writing the old one.",
    .alternative = "Change the application first: make version N write the value explicitly, "
                   "deploy, then change the database default.",
    .versions = "Same in every version: a catalog change under ACCESS EXCLUSIVE, no rewrite.",
    .bad = "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'trial';",
    .good = "-- release N writes plan explicitly; then:\n"
            "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'trial';",
    .check = check,
};
