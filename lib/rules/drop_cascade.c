/*
 * drop_cascade.c - a DROP ... CASCADE whose hidden dependants the model can name: views, foreign
 * keys, everything in a schema.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (ctx->cmd) {
        if (!ctx->cmd->cascade ||
            (ctx->cmd->kind != RS_AT_DROP_COLUMN && ctx->cmd->kind != RS_AT_DROP_CONSTRAINT))
            return;
        const struct rs_relation *r = rs_ctx_rel(ctx);
        if (!r)
            return;
        struct rs_relation *views[4];
        size_t n = ctx->cmd->kind == RS_AT_DROP_COLUMN
                       ? rs_model_dependent_views(ctx->model, &r->name, ctx->cmd->column, views, 4)
                       : 0;
        rs_emit(ctx, ctx->cmd->location, NULL,
                "%s with CASCADE also drops whatever depends on it%s%s%s",
                ctx->cmd->what, n ? ", such as view " : "",
                n ? rs_ctx_name(ctx, &views[0]->name) : "", n > 1 ? " and others" : "");
        return;
    }
    if (st->kind != RS_STMT_DROP || !st->cascade)
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_qname *q = &st->objects[i];
        if (st->obj_kind == RS_OBJ_TABLE || st->obj_kind == RS_OBJ_VIEW ||
            st->obj_kind == RS_OBJ_MATVIEW) {
            const struct rs_relation *r = rs_model_rel(ctx->model, q);
            if (!r || !rs_ctx_existing(ctx, r))
                continue;
            struct rs_relation *views[4];
            size_t n = rs_model_dependent_views(ctx->model, &r->name, NULL, views, 4);
            rs_emit(ctx, -1, NULL,
                    "DROP %s %s CASCADE also drops what depends on it without naming it%s%s%s",
                    rs_obj_kind_name(st->obj_kind), rs_ctx_name(ctx, q),
                    n ? ": view " : " (foreign keys of other tables, views)",
                    n ? rs_ctx_name(ctx, &views[0]->name) : "", n > 1 ? " and others" : "");
        } else if (st->obj_kind == RS_OBJ_SCHEMA) {
            rs_emit(ctx, -1, NULL,
                    "DROP SCHEMA %s CASCADE drops every table, view and function in it, with "
                    "their data",
                    q->name);
        } else if (st->obj_kind == RS_OBJ_FUNCTION || st->obj_kind == RS_OBJ_EXTENSION) {
            rs_emit(ctx, -1, NULL,
                    "DROP %s %s CASCADE also drops the triggers, defaults and columns that use "
                    "it",
                    rs_obj_kind_name(st->obj_kind), rs_ctx_name(ctx, q));
        }
    }
}

const struct rs_rule rs_rule_drop_cascade = {
    .name = "drop-cascade",
    .cls = RS_CLASS_IRREVERSIBLE,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "DROP ... CASCADE drops dependants without naming them",
    .catches = "DROP TABLE / VIEW / SCHEMA / FUNCTION / EXTENSION ... CASCADE and ALTER TABLE "
               "... DROP COLUMN / CONSTRAINT ... CASCADE on objects that existed before the "
               "migration. The dependants (views, foreign keys, columns of a dropped type, a "
               "whole schema's tables) disappear silently; the model names the ones it knows.",
    .n1_failure = "Version N-1 uses the dependants that went with the drop.",
    .alternative = "Drop dependants explicitly, one statement each, so the migration says what "
                   "it removes and each drop is reviewed on its own.",
    .versions = "Same in every version.",
    .bad = "DROP TABLE accounts CASCADE;",
    .good = "DROP VIEW active_accounts;\nALTER TABLE invoices DROP CONSTRAINT invoices_account_fkey;\n"
            "DROP TABLE accounts;",
    .check = check,
};
