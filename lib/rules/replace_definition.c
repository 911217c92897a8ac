/*
 * replace_definition.c - CREATE OR REPLACE of an existing view or function changes what the
 * previous version gets (opt-in).
 *
 * A replaced view returns different rows or values, a replaced function behaves differently,
 * for every running version at once. Whether that breaks the previous version depends on the
 * change, so the rule is off unless enabled. Replacing with an identical definition, and
 * objects new in the migration, are not flagged.
 */
#include <string.h>

#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (!st->or_replace)
        return;
    if (st->kind == RS_STMT_CREATE_VIEW) {
        const struct rs_relation *r = rs_ctx_rel(ctx);
        if (!r || r->kind != RS_REL_VIEW || !rs_ctx_existing(ctx, r))
            return;
        rs_emit(ctx, -1, NULL,
                "replaces view %s: the previous application version reads the new definition "
                "as soon as the migration commits",
                rs_ctx_name(ctx, &st->rel));
    } else if (st->kind == RS_STMT_CREATE_FUNCTION) {
        const struct rs_function *f = rs_model_function(ctx->model, &st->rel, st->arg_signature);
        if (!f || f->created_mig == ctx->mig->index ||
            (f->body && st->body && !strcmp(f->body, st->body)))
            return;
        rs_emit(ctx, -1, NULL,
                "replaces %s %s: the previous application version (and its triggers) run the "
                "new body as soon as the migration commits",
                rs_obj_kind_name(st->obj_kind), rs_ctx_name(ctx, &st->rel));
    }
}

const struct rs_rule rs_rule_replace_definition = {
    .name = "replace-definition",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_INFO,
    .breaks_previous = true,
    .opt_in = true,
    .summary = "an existing view or function is replaced in place (opt-in)",
    .catches = "CREATE OR REPLACE VIEW of an existing view and CREATE OR REPLACE FUNCTION / "
               "PROCEDURE of an existing one whose body changes. Opt-in: most replacements are "
               "meant for every version.",
    .n1_failure = "Version N-1 gets the new behaviour immediately: a view that returns other "
                  "rows, a function that computes something else or has new side effects. A "
                  "down migration must restore the old definition verbatim.",
    .alternative = "Version the object: create view_v2 / function_v2 next to the old one, switch "
                   "version N to it, and drop the old one in a later release.",
    .versions = "CREATE OR REPLACE VIEW can only add columns at the end, never remove, rename or "
                "retype them (every version). It takes ACCESS EXCLUSIVE on the view.",
    .bad = "CREATE OR REPLACE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql\n"
           "    AS $$ SELECT sum(amount) * 1.2 FROM items WHERE order_id = $1 $$;",
    .good = "CREATE FUNCTION order_total_v2(bigint) RETURNS numeric LANGUAGE sql\n"
            "    AS $$ SELECT sum(amount) * 1.2 FROM items WHERE order_id = $1 $$;",
    .check = check,
};
