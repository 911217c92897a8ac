/*
 * set_not_null_scan.c - SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a valid
 * CHECK (column IS NOT NULL) proves it (PostgreSQL 12+).
 */
#include <string.h>

#include "common.h"

static bool valid_check(const struct rs_relation *r, const char *col)
{
    for (size_t i = 0; r && i < r->constraints.n; i++) {
        const struct rs_constraint *k = &r->constraints.v[i];
        if (k->kind == RS_CON_CHECK && k->validated && k->not_null_column &&
            !strcmp(k->not_null_column, col))
            return true;
    }
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_SET_NOT_NULL)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    const struct rs_column *col = rs_cmd_column(ctx);
    if (col && (col->not_null || rs_column_is_new(ctx, col)))
        return;
    if (ctx->pg_version >= 12 && valid_check(r, ctx->cmd->column))
        return;
    rs_emit(ctx, ctx->cmd->location,
            ctx->pg_version >= 18
                ? "PostgreSQL 18: ADD CONSTRAINT name NOT NULL col NOT VALID, then VALIDATE "
                  "CONSTRAINT name in a separate migration (SHARE UPDATE EXCLUSIVE) makes the "
                  "column NOT NULL without a scan under ACCESS EXCLUSIVE"
            : ctx->pg_version >= 12
                ? "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a separate migration "
                  "(SHARE UPDATE EXCLUSIVE), then SET NOT NULL skips the scan"
                : "before PostgreSQL 12 SET NOT NULL always scans; schedule it for a quiet "
                  "moment with lock_timeout set",
            "SET NOT NULL on %s.%s scans the whole table under %s, blocking every read and write "
            "while it runs",
            rs_ctx_name(ctx, &ctx->st->rel), ctx->cmd->column, rs_lockmode_name(ctx->lock->mode));
}

const struct rs_rule rs_rule_set_not_null_scan = {
    .name = "set-not-null-scan",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "SET NOT NULL scans the table under ACCESS EXCLUSIVE",
    .catches = "ALTER COLUMN ... SET NOT NULL on an existing table without a valid CHECK (column "
               "IS NOT NULL) that lets PostgreSQL skip the verification scan.",
    .n1_failure = "None by itself: every query of the table waits until the scan is done.",
    .alternative = "ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID; in a later migration "
                   "VALIDATE CONSTRAINT c_nn (it only takes SHARE UPDATE EXCLUSIVE); then SET NOT "
                   "NULL, which uses the valid CHECK instead of scanning, and DROP CONSTRAINT "
                   "c_nn.",
    .versions = "The CHECK shortcut exists from PostgreSQL 12. Before 12 the scan always happens. "
                "PostgreSQL 18 adds NOT NULL constraints that can be added NOT VALID and validated "
                "later under SHARE UPDATE EXCLUSIVE (rollsafe's parser needs the PostgreSQL 18 "
                "grammar to read them).",
    .bad = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    .good = "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
            "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;  -- separate migration\n"
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    .check = check,
};
