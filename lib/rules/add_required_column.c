/*
 * add_required_column.c - failure mode 4: a NOT NULL column without a default added to an
 * existing table. Every INSERT of the previous version omits it.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ADD_COLUMN || !ctx->cmd->coldef)
        return;
    const struct rs_column_def *d = ctx->cmd->coldef;
    if (!d->not_null || d->type.serial || d->identity || d->generated ||
        (d->default_expr && d->default_expr->kind != RS_EXPR_NULL))
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    if (r && rs_rel_column(r, d->name))
        return; /* IF NOT EXISTS no-op, or statement-fails */
    rs_emit(ctx, ctx->cmd->location, NULL,
            "adds %s.%s NOT NULL without a default: the migration fails if the table has rows, "
            "and every INSERT of the previous application version (which does not know the "
            "column) is rejected",
            rs_ctx_name(ctx, &ctx->st->rel), d->name);
}

const struct rs_rule rs_rule_add_required_column = {
    .name = "add-required-column",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 4,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a NOT NULL column without a default is added to an existing table",
    .catches = "ALTER TABLE ... ADD COLUMN ... NOT NULL without a DEFAULT (and not an identity, "
               "serial or generated column) on a table that existed before the migration.",
    .n1_failure = "Version N-1 does not set the new column: each of its INSERTs fails with `null "
                  "value in column ... violates not-null constraint`. On a non-empty table the "
                  "migration itself fails.",
    .alternative = "Add the column with a database DEFAULT (non-volatile: no rewrite on "
                   "PostgreSQL 11+), or add it nullable, backfill, and enforce NOT NULL later "
                   "through a CHECK ... NOT VALID. Keep the default until every running version "
                   "sets the column itself.",
    .versions = "PostgreSQL 11+: a non-volatile DEFAULT is stored in the catalog, no rewrite.",
    .bad = "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
    .good = "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 1;",
    .check = check,
};
