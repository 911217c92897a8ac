/*
 * set_not_null.c - failure mode 4: NOT NULL added to a column that existed, possibly before
 * its backfill is complete.
 *
 * Not flagged when a CHECK (column IS NOT NULL) added in an earlier migration already rejects
 * NULLs: then SET NOT NULL restricts writes no further. Also flags ADD PRIMARY KEY on nullable
 * existing columns, which sets NOT NULL implicitly.
 */
#include <string.h>

#include "common.h"

static bool earlier_not_null_check(const struct rs_rule_ctx *ctx, const struct rs_relation *r,
                                   const char *col)
{
    for (size_t i = 0; r && i < r->constraints.n; i++) {
        const struct rs_constraint *k = &r->constraints.v[i];
        if (k->kind == RS_CON_CHECK && k->not_null_column && !strcmp(k->not_null_column, col) &&
            k->created_mig != ctx->mig->index)
            return true;
    }
    return false;
}

static void flag(struct rs_rule_ctx *ctx, const struct rs_relation *r, const char *colname,
                 int location, const char *how)
{
    const struct rs_column *col = r ? rs_rel_column(r, colname) : NULL;
    if (col && (col->not_null || rs_column_is_new(ctx, col)))
        return;
    if (earlier_not_null_check(ctx, r, colname))
        return;
    const char *help =
        ctx->pg_version >= 18
            ? "PostgreSQL 18: once version N always writes the column and the backfill is done, "
              "ADD CONSTRAINT name NOT NULL col NOT VALID (new rows are checked at once), then "
              "VALIDATE CONSTRAINT name in a later migration"
            : NULL;
    if (col && col->default_text)
        rs_emit(ctx, location, help,
                "%s %s.%s NOT NULL: the migration fails if any row is still NULL (backfill not "
                "finished), and the previous application version's writes that set it to NULL "
                "are rejected (the default %s only covers INSERTs that leave the column out)",
                how, rs_ctx_name(ctx, &ctx->st->rel), colname, col->default_text);
    else
        rs_emit(ctx, location, help,
                "%s %s.%s NOT NULL: the migration fails if any row is still NULL (backfill not "
                "finished), and the previous application version's INSERTs that leave it NULL "
                "are rejected",
                how, rs_ctx_name(ctx, &ctx->st->rel), colname);
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    if (ctx->cmd->kind == RS_AT_SET_NOT_NULL) {
        flag(ctx, r, ctx->cmd->column, ctx->cmd->location, "makes");
    } else if (ctx->cmd->kind == RS_AT_ADD_CONSTRAINT && ctx->cmd->constraint &&
               ctx->cmd->constraint->kind == RS_CON_PRIMARY && !ctx->cmd->constraint->using_index) {
        for (size_t i = 0; i < ctx->cmd->constraint->ncolumns; i++)
            flag(ctx, r, ctx->cmd->constraint->columns[i], ctx->cmd->location,
                 "ADD PRIMARY KEY makes");
    }
}

const struct rs_rule rs_rule_set_not_null = {
    .name = "set-not-null",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 4,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "NOT NULL is added to an existing column",
    .catches = "ALTER COLUMN ... SET NOT NULL (or a PRIMARY KEY, which implies it) on a column "
               "that existed before the migration, unless a CHECK (column IS NOT NULL) added in "
               "an earlier migration already rejects NULLs.",
    .n1_failure = "Version N-1 inserts rows without the column (or with NULL) and fails with "
                  "`null value in column ... violates not-null constraint`; if the backfill has a "
                  "long tail, the migration itself fails on the rows still NULL.",
    .alternative = "Backfill first (in batches, outside the DDL transaction) and ship a version N "
                   "that always writes the column; then ADD CONSTRAINT c_not_null CHECK (c IS NOT "
                   "NULL) NOT VALID; VALIDATE CONSTRAINT in a later migration; then SET NOT NULL "
                   "(PostgreSQL 12+ skips the scan thanks to the valid CHECK) and drop the CHECK.",
    .versions = "PostgreSQL 12+: SET NOT NULL skips its full-table scan when a valid CHECK (c IS "
                "NOT NULL) proves it. PostgreSQL 18 adds NOT NULL ... NOT VALID constraints.",
    .bad = "ALTER TABLE users ALTER COLUMN phone SET NOT NULL;",
    .good = "ALTER TABLE users ADD CONSTRAINT users_phone_nn CHECK (phone IS NOT NULL) NOT VALID;\n"
            "-- next migration, after the backfill and after N always writes phone:\n"
            "ALTER TABLE users VALIDATE CONSTRAINT users_phone_nn;\n"
            "ALTER TABLE users ALTER COLUMN phone SET NOT NULL;",
    .check = check,
};
