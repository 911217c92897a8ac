/*
 * rename_enum_value.c - a value of an existing enum is renamed.
 */
#include <string.h>

#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_ALTER_ENUM || !st->old_label || !st->new_label)
        return;
    const struct rs_typeobj *t = rs_model_type(ctx->model, &st->rel);
    if (t && t->created_mig == ctx->mig->index)
        return;
    if (t) {
        bool known = false;
        for (size_t i = 0; i < t->labels.n; i++)
            known = known || !strcmp(t->labels.v[i], st->old_label);
        if (!known)
            return; /* statement-fails */
    }
    rs_emit(ctx, -1, NULL,
            "renames value '%s' of enum %s to '%s': the previous application version still "
            "writes '%s' (`invalid input value for enum`) and cannot read rows that now hold "
            "'%s'",
            st->old_label, rs_ctx_name(ctx, &st->rel), st->new_label, st->old_label, st->new_label);
}

const struct rs_rule rs_rule_rename_enum_value = {
    .name = "rename-enum-value",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 3,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a value of an existing enum is renamed",
    .catches = "ALTER TYPE ... RENAME VALUE on an enum that existed before the migration.",
    .n1_failure = "Every row holding the value changes at once: version N-1 writes the old label "
                  "and gets `invalid input value for enum`, and reads a label it does not know.",
    .alternative = "Add the new value (ADD VALUE), ship a version that reads both and writes the "
                   "new one, backfill the rows, and stop using the old value; enum values cannot "
                   "be dropped, so the old one stays unused.",
    .versions = "RENAME VALUE exists since PostgreSQL 10; a catalog change, no table lock.",
    .bad = "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';",
    .good = "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled';\n"
            "-- release N reads both, writes 'cancelled'; then backfill in batches",
    .check = check,
};
