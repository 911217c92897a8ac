/*
 * volatile_default.c - ADD COLUMN with a volatile default (random(), gen_random_uuid(),
 * clock_timestamp(), nextval() of a serial) rewrites the table: every row gets its own value.
 * Before PostgreSQL 11 any non-NULL default rewrites.
 */
#include "common.h"

static const char *volatile_call(const struct rs_column_def *d)
{
    if (d->type.serial)
        return "nextval() (serial)";
    if (!d->default_expr)
        return NULL;
    for (size_t i = 0; i < d->default_expr->nfuncs; i++)
        if (rs_function_is_volatile(d->default_expr->funcs[i]))
            return d->default_expr->funcs[i];
    return NULL;
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ADD_COLUMN || !ctx->cmd->coldef)
        return;
    const struct rs_column_def *d = ctx->cmd->coldef;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r) || (r && rs_rel_column(r, d->name)))
        return;
    const char *fn = volatile_call(d);
    bool old_any_default =
        ctx->pg_version < 11 && d->default_expr && d->default_expr->kind != RS_EXPR_NULL;
    if (!fn && !old_any_default)
        return;
    rs_emit(ctx, ctx->cmd->location, NULL,
            fn ? "adds %s.%s with a volatile default (%s): PostgreSQL rewrites the whole table "
                 "under %s to store a value in every row"
               : "adds %s.%s with a default%s: before PostgreSQL 11 this rewrites the whole table "
                 "under %s",
            rs_ctx_name(ctx, &ctx->st->rel), d->name, fn ? fn : "",
            rs_lockmode_name(ctx->lock->mode));
}

const struct rs_rule rs_rule_volatile_default = {
    .name = "volatile-default",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "ADD COLUMN with a volatile default rewrites the table",
    .catches = "ALTER TABLE ... ADD COLUMN on an existing table whose default calls a volatile "
               "function (random(), gen_random_uuid(), uuid_generate_v4(), clock_timestamp(), "
               "nextval() of a serial column), per PostgreSQL's own volatility list. now() and "
               "CURRENT_TIMESTAMP are stable and fine. With --pg-version 10 or lower, any default.",
    .n1_failure = "None by itself: every query of the table waits for the rewrite.",
    .alternative = "Add the column without a default (or with a constant one), then SET DEFAULT "
                   "for new rows, and backfill existing rows in batches outside the DDL "
                   "transaction.",
    .versions = "PostgreSQL 11+ stores a non-volatile default in the catalog without touching "
                "rows; before 11 every non-NULL default rewrites.",
    .bad = "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    .good = "ALTER TABLE users ADD COLUMN token uuid;\n"
            "ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();\n"
            "-- backfill existing rows in batches",
    .check = check,
};
