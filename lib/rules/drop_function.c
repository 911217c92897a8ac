/*
 * drop_function.c - a function or procedure the previous version may call is dropped.
 *
 * Functions dropped and created again later in the same migration (a signature change done by
 * DROP + CREATE) and functions new in the migration are not flagged.
 */
#include <string.h>

#include "scan.h"

/* A trigger function whose triggers this migration dropped: the application never called it,
   and drop-trigger reports what stops. */
static bool orphaned_trigger_function(const struct rs_rule_ctx *ctx, const struct rs_qname *f)
{
    bool used = false;
    const struct rs_model *start = ctx->mig->start;
    for (size_t i = 0; i < start->triggers.n; i++) {
        const struct rs_trigger *t = start->triggers.v[i];
        if (!t->function.name || !f->name || strcmp(t->function.name, f->name))
            continue;
        used = true;
        if (rs_model_trigger(ctx->model, &t->table, t->name))
            return false;
    }
    return used;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP ||
        (st->obj_kind != RS_OBJ_FUNCTION && st->obj_kind != RS_OBJ_PROCEDURE))
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const char *sig = st->object_args ? st->object_args[i] : NULL;
        const struct rs_function *f = rs_model_function(ctx->model, &st->objects[i], sig);
        if (!f && (st->if_exists || !ctx->model->uncertain))
            continue;
        if ((f && f->created_mig == ctx->mig->index) ||
            rs_created_later(ctx, RS_OBJ_FUNCTION, st->objects[i].name, NULL) ||
            orphaned_trigger_function(ctx, &st->objects[i]))
            continue;
        rs_emit(ctx, -1, NULL,
                "drops %s %s(%s): the previous application version fails on every call of it "
                "(`function ... does not exist`), and so do its triggers and views that call it",
                rs_obj_kind_name(st->obj_kind), rs_ctx_name(ctx, f ? &f->name : &st->objects[i]),
                sig                 ? sig
                : f && f->signature ? f->signature
                                    : "...");
    }
}

const struct rs_rule rs_rule_drop_function = {
    .name = "drop-function",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a function or procedure the previous version may call is dropped",
    .catches = "DROP FUNCTION, DROP PROCEDURE or DROP ROUTINE of one that existed before the "
               "migration and is not created again later in the same migration. Trigger "
               "functions whose triggers the migration dropped are left to drop-trigger.",
    .n1_failure = "Version N-1 calls the function (directly, through a view, or through a "
                  "trigger it expects): `function ... does not exist`.",
    .alternative = "Stop calling the function in version N and deploy it; drop it in a later "
                   "release. To change a signature, create the new function next to the old one "
                   "(overloading) and drop the old one once no running version calls it.",
    .versions = "Same in every version.",
    .bad = "DROP FUNCTION order_total(bigint);",
    .good = "-- release N calls order_total_v2; release N+1:\n"
            "DROP FUNCTION IF EXISTS order_total(bigint);",
    .check = check,
};
