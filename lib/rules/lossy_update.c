/*
 * lossy_update.c - UPDATE that overwrites values of columns that existed before the migration.
 *
 * Not flagged: assignments to columns added in this migration (a backfill), assignments
 * restricted to rows where the column IS NULL (filling gaps), and `SET c = c`.
 */
#include <string.h>

#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_UPDATE)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r) || rs_is_system_relation(ctx, &st->rel))
        return;
    for (size_t i = 0; i < st->nassignments; i++) {
        const struct rs_assignment *as = &st->assignments[i];
        if (!as->column)
            continue;
        const struct rs_column *col = r ? rs_rel_column(r, as->column) : NULL;
        if (col && rs_column_is_new(ctx, col))
            continue;
        if (st->where && st->where->is_null_column && !strcmp(st->where->is_null_column, as->column))
            continue;
        if (as->value && as->value->kind == RS_EXPR_COLUMN && as->value->column &&
            !strcmp(as->value->column, as->column))
            continue;
        rs_emit(ctx, as->location, NULL,
                "overwrites %s.%s in existing rows (SET %s = %s%s%s): the old values are gone "
                "and no down migration can restore them",
                rs_ctx_name(ctx, &st->rel), as->column, as->column,
                as->value ? as->value->text : "...", st->has_where ? " WHERE " : "",
                st->has_where && st->where ? st->where->text : "");
        return; /* one finding per statement */
    }
}

const struct rs_rule rs_rule_lossy_update = {
    .name = "lossy-update",
    .cls = RS_CLASS_IRREVERSIBLE,
    .severity = RS_SEV_ERROR,
    .summary = "an UPDATE overwrites existing values",
    .catches = "UPDATE of a column that existed before the migration, in a table that existed "
               "before it: the previous values are replaced (UPDATE users SET email = "
               "lower(email)). Backfills of columns added in the same migration and updates "
               "limited to rows where the column IS NULL are not flagged.",
    .n1_failure = "Version N-1 reads the transformed values; a rollback cannot give the "
                  "originals back.",
    .alternative = "Keep the original: add a new column, write the transformed value there, "
                   "switch reads, and drop the original in a later release. Or copy the affected "
                   "rows' old values to a backup table before the UPDATE, so a down migration can "
                   "restore them.",
    .versions = "Same in every version. Large UPDATEs in the DDL transaction also hold their "
                "locks until it commits.",
    .bad = "UPDATE users SET email = lower(email);",
    .good = "ALTER TABLE users ADD COLUMN email_normalized text;\n"
            "UPDATE users SET email_normalized = lower(email);",
    .check = check,
};
