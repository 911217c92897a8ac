/*
 * fk_not_valid.c - a FOREIGN KEY added to an existing table without NOT VALID: both tables are
 * locked against writes while every row is checked.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ADD_CONSTRAINT || !ctx->cmd->constraint)
        return;
    const struct rs_constraint_def *d = ctx->cmd->constraint;
    if (d->kind != RS_CON_FOREIGN || d->not_valid)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r) || rs_columns_all_new(ctx, r, d->columns, d->ncolumns))
        return;
    rs_emit(ctx, d->location, NULL,
            "adds foreign key %s on %s without NOT VALID: %s on %s and %s blocks their writes "
            "while every row is checked",
            d->name ? d->name : "(unnamed)", rs_ctx_name(ctx, &ctx->st->rel),
            rs_lockmode_name(ctx->lock->mode), rs_ctx_name(ctx, &ctx->st->rel),
            rs_ctx_name(ctx, &d->ref_table));
}

const struct rs_rule rs_rule_fk_not_valid = {
    .name = "fk-not-valid",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "FOREIGN KEY on an existing table without NOT VALID",
    .catches = "ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY without NOT VALID on a table that "
               "existed before the migration (keys on columns added in the same migration are "
               "not flagged).",
    .n1_failure = "None by itself: writes to both tables wait for the validation.",
    .alternative = "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID (instant), then VALIDATE "
                   "CONSTRAINT in a separate migration or transaction: validation takes only SHARE "
                   "UPDATE EXCLUSIVE on the table and ROW SHARE on the referenced one.",
    .versions = "ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE on both tables (since 9.5; ACCESS "
                "EXCLUSIVE before).",
    .bad = "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users;",
    .good = "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES "
            "users NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;  -- separate "
            "migration",
    .check = check,
};
