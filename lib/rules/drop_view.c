/*
 * drop_view.c - a view or materialized view the previous version may query is dropped.
 *
 * Views dropped and created again later in the same migration (the usual way to change a view
 * PostgreSQL cannot replace in place) are not flagged; neither are views new in the migration.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP || (st->obj_kind != RS_OBJ_VIEW && st->obj_kind != RS_OBJ_MATVIEW))
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_relation *r = rs_model_rel(ctx->model, &st->objects[i]);
        if (!r && (st->if_exists || !ctx->model->uncertain))
            continue; /* not there: statement-fails says so, or IF EXISTS makes it a no-op */
        if (r && r->kind == RS_REL_TABLE)
            continue;
        if (!rs_ctx_existing(ctx, r) ||
            rs_created_later(ctx, st->obj_kind, st->objects[i].name, NULL))
            continue;
        rs_emit(ctx, -1, NULL,
                "drops %s %s: the previous application version fails on every query of it "
                "(`relation ... does not exist`)",
                rs_obj_kind_name(st->obj_kind), rs_ctx_name(ctx, r ? &r->name : &st->objects[i]));
    }
}

const struct rs_rule rs_rule_drop_view = {
    .name = "drop-view",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a view the previous version may query is dropped",
    .catches = "DROP VIEW or DROP MATERIALIZED VIEW of a view that existed before the migration "
               "and is not created again later in the same migration.",
    .n1_failure = "Version N-1 still selects from the view: `relation ... does not exist`. No "
                  "rows are lost (a view holds none; a materialized view can be refreshed "
                  "again), so a down migration that re-creates it restores everything.",
    .alternative = "Stop using the view in version N and deploy it; drop the view in a later "
                   "release. To change a view's columns, drop and re-create it in the same "
                   "migration (N-1 keeps working if the old columns are still there).",
    .versions = "Same in every version: DROP VIEW takes ACCESS EXCLUSIVE on the view.",
    .bad = "DROP VIEW active_users;",
    .good = "-- release N no longer reads active_users; release N+1:\n"
            "DROP VIEW IF EXISTS active_users;",
    .check = check,
};
