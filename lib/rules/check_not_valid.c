/*
 * check_not_valid.c - a CHECK constraint added to an existing table without NOT VALID: every row
 * is checked under ACCESS EXCLUSIVE.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ADD_CONSTRAINT || !ctx->cmd->constraint)
        return;
    const struct rs_constraint_def *d = ctx->cmd->constraint;
    if (d->kind != RS_CON_CHECK || d->not_valid)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    rs_emit(ctx, d->location, NULL,
            "adds CHECK (%s) to %s without NOT VALID: every row is checked under %s, blocking "
            "all reads and writes while it runs",
            d->expr ? d->expr->text : "...", rs_ctx_name(ctx, &ctx->st->rel),
            rs_lockmode_name(ctx->lock->mode));
}

const struct rs_rule rs_rule_check_not_valid = {
    .name = "check-not-valid",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "CHECK constraint on an existing table without NOT VALID",
    .catches = "ALTER TABLE ... ADD CONSTRAINT ... CHECK without NOT VALID on a table that existed "
               "before the migration.",
    .n1_failure = "None by itself: every query of the table waits for the validating scan.",
    .alternative = "ADD CONSTRAINT ... CHECK (...) NOT VALID (instant; new rows are checked at "
                   "once), then VALIDATE CONSTRAINT in a separate migration, which takes only SHARE "
                   "UPDATE EXCLUSIVE.",
    .versions = "Same in every version: ADD CHECK takes ACCESS EXCLUSIVE; VALIDATE CONSTRAINT "
                "takes SHARE UPDATE EXCLUSIVE.",
    .bad = "ALTER TABLE orders ADD CONSTRAINT positive_total CHECK (total > 0);",
    .good = "ALTER TABLE orders ADD CONSTRAINT positive_total CHECK (total > 0) NOT VALID;\n"
            "ALTER TABLE orders VALIDATE CONSTRAINT positive_total;  -- separate migration",
    .check = check,
};
