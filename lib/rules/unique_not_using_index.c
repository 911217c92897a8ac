/*
 * unique_not_using_index.c - ADD CONSTRAINT ... UNIQUE / PRIMARY KEY on a table that holds rows
 * builds its index under ACCESS EXCLUSIVE. Built first with CREATE UNIQUE INDEX CONCURRENTLY and
 * attached with USING INDEX, the constraint only takes a brief lock.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    if (!c || c->kind != RS_AT_ADD_CONSTRAINT || !c->constraint || c->constraint->using_index ||
        (c->constraint->kind != RS_CON_UNIQUE && c->constraint->kind != RS_CON_PRIMARY))
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    struct arena *a = rs_ctx_arena(ctx);
    const struct rs_constraint_def *d = c->constraint;
    const char *kind = d->kind == RS_CON_PRIMARY ? "PRIMARY KEY" : "UNIQUE";
    const char *cols = d->ncolumns ? d->columns[0] : "...";
    for (size_t i = 1; i < d->ncolumns; i++)
        cols = arena_printf(a, "%s, %s", cols, d->columns[i]);
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    const char *name = d->name ? d->name : arena_printf(a, "%s_key", ctx->st->rel.name);
    rs_emit(ctx, d->location,
            arena_printf(a,
                         "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s (%s) in a "
                         "migration of its own, then ALTER TABLE %s ADD CONSTRAINT %s %s USING "
                         "INDEX %s",
                         name, table, cols, table, name, kind, name),
            "adds %s (%s) to %s by building its index under %s, for the whole build", kind, cols,
            table, rs_lock_phrase(ctx, NULL));
}

const struct rs_rule rs_rule_unique_not_using_index = {
    .name = "unique-not-using-index",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "UNIQUE or PRIMARY KEY built under ACCESS EXCLUSIVE instead of USING INDEX",
    .catches = "ALTER TABLE ... ADD CONSTRAINT ... UNIQUE or PRIMARY KEY without USING INDEX on a "
               "table that existed before the migration.",
    .n1_failure = "None by itself: every read and write of the table waits for the index build.",
    .alternative = "CREATE UNIQUE INDEX CONCURRENTLY (in a migration the runner does not wrap in "
                   "a transaction), check that it is valid (pg_index.indisvalid), then ALTER "
                   "TABLE ... ADD CONSTRAINT name UNIQUE (or PRIMARY KEY) USING INDEX name, "
                   "which only takes a brief lock. For a PRIMARY KEY, make the columns NOT NULL "
                   "first (see set-not-null-scan), or the ADD scans for NULLs.",
    .versions = "Same in every version from 9.1 (USING INDEX).",
    .bad = "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    .good = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);\n"
            "-- next migration:\n"
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
    .check = check,
};
