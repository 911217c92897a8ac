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

/* Does making column name NOT NULL scan the table? */
static bool scans(const struct rs_rule_ctx *ctx, const struct rs_relation *r, const char *name)
{
    const struct rs_column *col = r && name ? rs_rel_column(r, name) : NULL;
    if (col && (col->not_null || rs_column_is_new(ctx, col)))
        return false;
    return !(ctx->pg_version >= 12 && valid_check(r, name));
}

static const char *help(const struct rs_rule_ctx *ctx)
{
    return ctx->pg_version >= 18
               ? "PostgreSQL 18: ADD CONSTRAINT name NOT NULL col NOT VALID, then VALIDATE "
                 "CONSTRAINT name in a separate migration (SHARE UPDATE EXCLUSIVE) makes the "
                 "column NOT NULL without a scan under ACCESS EXCLUSIVE"
           : ctx->pg_version >= 12
               ? "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a separate migration "
                 "(SHARE UPDATE EXCLUSIVE), then SET NOT NULL skips the scan"
               : "before PostgreSQL 12 SET NOT NULL always scans; schedule it for a quiet "
                 "moment with lock_timeout set";
}

/* ADD PRIMARY KEY (also USING INDEX) makes its columns NOT NULL, with the same scan. */
static void primary_key(struct rs_rule_ctx *ctx, const struct rs_relation *r)
{
    const struct rs_constraint_def *d = ctx->cmd->constraint;
    const char *const *cols = d->columns;
    size_t n = d->ncolumns;
    if (!n && d->using_index) {
        struct rs_qname q = {r->name.schema, d->using_index};
        const struct rs_index *x = rs_model_index(ctx->model, &q);
        cols = x ? x->columns : NULL;
        n = x ? x->ncolumns : 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!scans(ctx, r, cols[i]))
            continue;
        rs_emit(ctx, d->location, help(ctx),
                "ADD PRIMARY KEY makes %s.%s NOT NULL, which scans the whole table under %s, "
                "blocking every read and write while it runs",
                rs_ctx_name(ctx, &ctx->st->rel), cols[i],
                rs_lockmode_name(ctx->lock->mode));
        return;
    }
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    if (ctx->cmd->kind == RS_AT_ADD_CONSTRAINT && ctx->cmd->constraint &&
        ctx->cmd->constraint->kind == RS_CON_PRIMARY && r) {
        primary_key(ctx, r);
        return;
    }
    if (ctx->cmd->kind != RS_AT_SET_NOT_NULL || !scans(ctx, r, ctx->cmd->column))
        return;
    rs_emit(ctx, ctx->cmd->location, help(ctx),
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
               "IS NOT NULL) that lets PostgreSQL skip the verification scan; also ADD PRIMARY "
               "KEY (with or without USING INDEX) on nullable columns, which sets NOT NULL the "
               "same way.",
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
