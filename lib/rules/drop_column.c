/*
 * drop_column.c - failure mode 1: a column that held data is dropped.
 *
 * Flags ALTER TABLE ... DROP COLUMN of a column that existed before this migration. Columns
 * added earlier in the same migration hold no production data and are not flagged.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_DROP_COLUMN)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    const struct rs_column *col = rs_cmd_column(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    if (col && rs_column_is_new(ctx, col))
        return;
    if (!col && r && r->complete)
        return; /* the column does not exist: statement-fails says so */
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    const char *copy = rs_copied_to(ctx, r, ctx->cmd->column);
    if (copy) {
        /* The values survive elsewhere: a down migration can restore them. */
        struct rs_finding *f =
            rs_emit(ctx, ctx->cmd->location, NULL,
                    "drops column %s.%s; its values were copied to %s earlier in this migration, "
                    "so a down migration can restore them, but the previous application version "
                    "fails if it still reads or writes the column",
                    table, ctx->cmd->column, copy);
        f->cls = RS_CLASS_BREAKS;
        return;
    }
    rs_emit(ctx, ctx->cmd->location, NULL,
            "drops column %s.%s and the data in it; the previous application version fails if "
            "it still reads or writes the column, and a down migration can only re-create it "
            "empty%s",
            table, ctx->cmd->column,
            ctx->mig->unfollowed ? " (unless a statement rollsafe could not follow above copied "
                                   "its values)"
                                 : "");
}

const struct rs_rule rs_rule_drop_column = {
    .name = "drop-column",
    .cls = RS_CLASS_IRREVERSIBLE,
    .failure_mode = 1,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a column that holds data is dropped",
    .catches = "ALTER TABLE ... DROP COLUMN of a column that existed before the migration. "
               "The data is destroyed: a down migration that adds the column back gives an empty "
               "column.",
    .n1_failure = "Version N-1 still selects or inserts the column: after a rollback of the "
                  "application (or during a rolling deploy) its queries fail with `column ... does "
                  "not exist`.",
    .alternative = "Stop reading and writing the column in version N and deploy it (Rails "
                   "ignored_columns, Django deprecate_field, or simply remove it from queries); "
                   "drop the column in a later release, once no running version uses it. Keep a "
                   "copy of the data (a backup table or an export) for as long as a rollback may "
                   "need it.",
    .versions = "The drop itself is a catalog change under a brief ACCESS EXCLUSIVE lock in every "
                "version; the space is reclaimed only when the table is rewritten.",
    .bad = "ALTER TABLE users DROP COLUMN legacy_flags;",
    .good = "-- release N: the application no longer uses users.legacy_flags\n"
            "-- release N+1:\n"
            "-- rollsafe:approve drop-column reason=\"unused since v42; backup in OPS-311\"\n"
            "ALTER TABLE users DROP COLUMN legacy_flags;",
    .check = check,
};
