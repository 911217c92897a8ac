/*
 * prefer_timestamptz.c - timestamp without time zone columns (opt-in style rule): the value
 * means a different instant depending on the session's TimeZone.
 */
#include <string.h>

#include "scan.h"

static void column(struct rs_rule_ctx *ctx, const char *name, const struct rs_type *t,
                   const struct rs_column_def *def, int location)
{
    (void)def;
    if (!t->name || strcmp(t->name, "timestamp") || !rs_type_is_builtin(t))
        return;
    rs_emit(ctx, location, NULL,
            "%s.%s is timestamp without time zone: what instant it means depends on the writer's "
            "TimeZone, and converting it to timestamptz later rewrites the table unless the "
            "session is in UTC",
            rs_ctx_name(ctx, &ctx->st->rel), name);
}

static void check(struct rs_rule_ctx *ctx)
{
    rs_each_new_column(ctx, column);
}

const struct rs_rule rs_rule_prefer_timestamptz = {
    .name = "prefer-timestamptz",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_INFO,
    .opt_in = true,
    .summary = "a timestamp without time zone column (opt-in style rule)",
    .catches = "timestamp (without time zone) columns in CREATE TABLE, ADD COLUMN or ALTER "
               "COLUMN ... TYPE.",
    .n1_failure = "None.",
    .alternative = "timestamptz: it stores an instant and converts for display.",
    .versions = "timestamp to timestamptz does not rewrite on PostgreSQL 12+ when the session "
                "TimeZone is UTC; it does otherwise.",
    .bad = "CREATE TABLE events (at timestamp NOT NULL);",
    .good = "CREATE TABLE events (at timestamptz NOT NULL);",
    .check = check,
};
