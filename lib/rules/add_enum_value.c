/*
 * add_enum_value.c - failure mode 3: a value added to an enum the previous version reads.
 */
#include <string.h>

#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_ALTER_ENUM || st->old_label || !st->new_label)
        return;
    const struct rs_typeobj *t = rs_model_type(ctx->model, &st->rel);
    if (t && t->created_mig == ctx->mig->index)
        return;
    if (t) {
        for (size_t i = 0; i < t->labels.n; i++)
            if (!strcmp(t->labels.v[i], st->new_label))
                return; /* already there: IF NOT EXISTS no-op, or statement-fails */
    }
    rs_emit(ctx, -1, NULL,
            "adds value '%s' to enum %s: the previous application version cannot handle rows "
            "that hold it, and no down migration can take it out again (PostgreSQL has no DROP "
            "VALUE)",
            st->new_label, rs_ctx_name(ctx, &st->rel));
}

const struct rs_rule rs_rule_add_enum_value = {
    .name = "add-enum-value",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 3,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a value is added to an existing enum",
    .catches = "ALTER TYPE ... ADD VALUE on an enum that existed before the migration.",
    .n1_failure = "Once version N writes the new value, version N-1 reads rows it does not "
                  "know: it crashes on deserialisation or silently maps the value to a default. "
                  "After a rollback the rows keep the value, and the down migration cannot remove "
                  "it: PostgreSQL has no ALTER TYPE ... DROP VALUE (removing a value means a new "
                  "type and a table rewrite).",
    .alternative = "Two releases: first ship an application version that tolerates unknown "
                   "values (maps them to 'other'), then add the value in its own migration, and "
                   "only then start writing it. Consider a lookup table with a foreign key "
                   "instead of an enum for value sets that grow.",
    .versions = "Before PostgreSQL 12, ADD VALUE cannot run inside a transaction block. From 12 "
                "it can, but the new value cannot be used until the transaction commits (`unsafe "
                "use of new value`). IF NOT EXISTS exists since 9.3.",
    .bad = "ALTER TYPE order_status ADD VALUE 'refunded';",
    .good = "-- release N reads unknown statuses as 'other'; then, in its own migration:\n"
            "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';",
    .check = check,
};
