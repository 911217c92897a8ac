/*
 * code_not_analysed.c - DO blocks, and calls of functions created by the migrations, whose
 * bodies change the schema or data: rollsafe does not replay them, so it says so instead of
 * passing them silently.
 *
 * The body is read with libpg_query's PL/pgSQL parser (or as SQL for LANGUAGE sql): bodies
 * that only read, raise notices or GRANT are not flagged. A function body is looked at when
 * the migration calls the function (SELECT f(), CALL p()), not when it is created.
 */
#include <string.h>

#include "scan.h"

static const char *describe(struct rs_rule_ctx *ctx, const struct rs_body_summary *b)
{
    struct arena *a = rs_ctx_arena(ctx);
    const char *list = NULL;
    for (size_t i = 0; i < b->ntags; i++)
        list = list ? arena_printf(a, "%s, %s", list, b->tags[i]) : b->tags[i];
    if (b->dynamic)
        list =
            list ? arena_printf(a, "%s and dynamic SQL (EXECUTE)", list) : "dynamic SQL (EXECUTE)";
    if (!list && b->unparsed)
        list = "code rollsafe cannot parse";
    return list;
}

static const struct rs_function *called(const struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind == RS_STMT_CALL && st->function.name)
        return rs_model_function(ctx->model, &st->function, NULL);
    if (st->kind != RS_STMT_SELECT || !st->query)
        return NULL;
    /* SELECT f(): a target without an alias is named after the function it calls. */
    for (size_t i = 0; i < st->query->ntargets; i++) {
        const struct rs_target *t = &st->query->targets[i];
        if (t->star || t->is_plain_ref || !t->name)
            continue;
        struct rs_qname q = {NULL, t->name};
        const struct rs_function *f = rs_model_function(ctx->model, &q, NULL);
        if (f && f->body)
            return f;
    }
    return NULL;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    struct rs_body_summary b;
    if (st->kind == RS_STMT_DO) {
        if (st->do_summary)
            b = *st->do_summary;
        else
            rs_sql_body_summary(rs_ctx_arena(ctx), st->language, st->body, &b);
        const char *what = describe(ctx, &b);
        if (what)
            rs_emit(ctx, st->body_offset, NULL,
                    "DO block runs %s, which rollsafe does not analyse: its locks, data changes "
                    "and effect on the previous application version are not checked, and the "
                    "schema model does not follow it",
                    what);
        return;
    }
    const struct rs_function *f = called(ctx);
    if (!f || !f->body)
        return;
    rs_sql_body_summary(rs_ctx_arena(ctx), f->language, f->body, &b);
    const char *what = describe(ctx, &b);
    if (what)
        rs_emit(ctx, -1, NULL,
                "calls %s, whose body runs %s, which rollsafe does not analyse: its locks, data "
                "changes and effect on the previous application version are not checked",
                rs_ctx_name(ctx, &f->name), what);
}

const struct rs_rule rs_rule_code_not_analysed = {
    .name = "code-not-analysed",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "a DO block or called function changes the schema or data unseen",
    .catches = "DO blocks, and SELECT / CALL of functions and procedures defined in the "
               "migrations, whose body contains DDL (CREATE, ALTER, DROP, ...), UPDATE, DELETE, "
               "TRUNCATE or dynamic SQL (EXECUTE), or cannot be parsed. The body is parsed with "
               "PostgreSQL's PL/pgSQL parser; bodies that only read, insert, raise or grant are "
               "not flagged.",
    .n1_failure = "Unknown: whatever the code does to the previous application version (a dropped "
                  "column, a rewritten value) is not checked by any rule.",
    .alternative = "Write the changes as plain statements in the migration, so that rollsafe "
                   "checks them; keep DO blocks for control flow around them. When a DO block is "
                   "needed (a conditional change), review it by hand and approve it with a "
                   "reason.",
    .versions = "Same in every version.",
    .bad = "DO $$ BEGIN\n"
           "  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attname = 'legacy') THEN\n"
           "    ALTER TABLE users DROP COLUMN old_flags;\n"
           "  END IF;\n"
           "END $$;",
    .good = "ALTER TABLE users DROP COLUMN IF EXISTS old_flags;",
    .check = check,
};
