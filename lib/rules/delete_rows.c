/*
 * delete_rows.c - DELETE from a table that existed before the migration: irreversible.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DELETE)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r) || rs_is_system_relation(ctx, &st->rel))
        return;
    if (st->has_where)
        rs_emit(ctx, -1, NULL,
                "deletes rows of %s (WHERE %s): they are gone, and no down migration can bring "
                "them back",
                rs_ctx_name(ctx, &st->rel), st->where ? st->where->text : "...");
    else
        rs_emit(ctx, -1, NULL,
                "deletes every row of %s (no WHERE clause): no down migration can bring them "
                "back",
                rs_ctx_name(ctx, &st->rel));
}

const struct rs_rule rs_rule_delete_rows = {
    .name = "delete-rows",
    .cls = RS_CLASS_IRREVERSIBLE,
    .severity = RS_SEV_ERROR,
    .summary = "rows of an existing table are deleted",
    .catches = "DELETE from a table that existed before the migration. Tables created earlier in "
               "the same migration are not flagged.",
    .n1_failure = "Version N-1 keeps working but the rows it expects are gone.",
    .alternative = "Copy the rows to an archive table first (INSERT INTO archive SELECT ... WHERE "
                   "...), so a rollback can restore them; delete large sets in batches outside "
                   "the DDL transaction.",
    .versions = "Same in every version.",
    .bad = "DELETE FROM users WHERE deleted_at IS NOT NULL;",
    .good = "INSERT INTO users_deleted SELECT * FROM users WHERE deleted_at IS NOT NULL;\n"
            "-- rollsafe:approve delete-rows reason=\"archived in users_deleted\"\n"
            "DELETE FROM users WHERE deleted_at IS NOT NULL;",
    .check = check,
};
