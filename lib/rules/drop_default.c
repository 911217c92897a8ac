/*
 * drop_default.c - the database stops filling in a value the previous version leaves to it:
 * DROP DEFAULT, DROP EXPRESSION (a generated column becomes a plain one), DROP IDENTITY.
 *
 * The previous version's INSERTs that leave the column out then store NULL, or fail when the
 * column is NOT NULL. That includes a column added in this migration with a default that the
 * migration drops again: the previous version does not know the column at all.
 * A default replaced later in the same migration (SET DEFAULT) is change-default's business.
 */
#include <string.h>

#include "scan.h"

static bool default_set_again(const struct rs_rule_ctx *ctx)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_stmt_pos(ctx); l && i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        if (st->kind != RS_STMT_ALTER_TABLE || !st->rel.name ||
            strcmp(st->rel.name, ctx->st->rel.name))
            continue;
        for (size_t c = 0; c < st->ncmds; c++)
            if ((st != ctx->st || &st->cmds[c] > ctx->cmd) &&
                (st->cmds[c].kind == RS_AT_SET_DEFAULT || st->cmds[c].kind == RS_AT_ADD_IDENTITY) &&
                st->cmds[c].column && !strcmp(st->cmds[c].column, ctx->cmd->column))
                return true;
    }
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    if (!c || !c->column ||
        (c->kind != RS_AT_DROP_DEFAULT && c->kind != RS_AT_DROP_EXPRESSION &&
         c->kind != RS_AT_DROP_IDENTITY))
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    const struct rs_column *col = rs_cmd_column(ctx);
    if (!r || !col || !rs_ctx_existing(ctx, r))
        return;
    const char *what = c->kind == RS_AT_DROP_EXPRESSION ? col->generated_text
                       : c->kind == RS_AT_DROP_IDENTITY ? (col->identity ? "identity" : NULL)
                                                        : col->default_text;
    if (!what || default_set_again(ctx) || rs_dropped_later(ctx, ctx->st->rel.name, &c->column, 1))
        return;
    bool is_new = rs_column_is_new(ctx, col);
    if (is_new && !col->not_null)
        return; /* N-1 never wrote it and a NULL is what it got before the column existed */
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    const char *value = c->kind == RS_AT_DROP_IDENTITY ? "the next identity value"
                        : c->kind == RS_AT_DROP_EXPRESSION
                            ? arena_printf(rs_ctx_arena(ctx), "the generated value %s", what)
                            : what;
    const char *verb = c->kind == RS_AT_DROP_EXPRESSION ? "stops generating"
                       : c->kind == RS_AT_DROP_IDENTITY ? "drops the identity of"
                                                        : "drops the default of";
    if (col->not_null)
        rs_emit(ctx, c->location, NULL,
                "%s %s.%s: the column is NOT NULL, so every INSERT of the previous application "
                "version that %s (and relied on %s) now fails",
                verb, table, c->column,
                is_new ? "does not know the column" : "leaves the column out", value);
    else
        rs_emit(ctx, c->location, NULL,
                "%s %s.%s: INSERTs of the previous application version that leave the column "
                "out now store NULL instead of %s",
                verb, table, c->column, value);
}

const struct rs_rule rs_rule_drop_default = {
    .name = "drop-default",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 4,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "the database stops filling in a value the previous version leaves out",
    .catches = "ALTER COLUMN ... DROP DEFAULT, DROP EXPRESSION (a stored generated column "
               "becomes a plain one) and DROP IDENTITY on a column of an existing table, unless "
               "the same migration sets a new default. Also a NOT NULL column added in this "
               "migration with a default that the migration drops again (the add-then-drop "
               "backfill pattern): the previous version does not write that column at all.",
    .n1_failure = "Version N-1 INSERTs without the column and relied on the database's value: "
                  "the row gets NULL, or, when the column is NOT NULL, the INSERT fails with "
                  "`null value in column ... violates not-null constraint`.",
    .alternative = "Keep the default until every running version writes the column itself: ship "
                   "version N that always sets it, and drop the default in a later release.",
    .versions = "Same in every version. DROP EXPRESSION exists from PostgreSQL 13.",
    .bad = "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';\n"
           "ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;",
    .good = "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';\n"
            "-- drop the default in a later release, once every running version sets plan",
    .check = check,
};
