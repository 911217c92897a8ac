/*
 * rename_table.c - failure mode 5: a table (or view) renamed without a bridge.
 *
 * The finding is dropped by the engine when, at the end of the migration, a relation with the
 * old name exposes every column the old table had: a view bridge such as
 * CREATE VIEW users AS SELECT * FROM accounts.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    bool rename = st->kind == RS_STMT_RENAME &&
                  (st->obj_kind == RS_OBJ_TABLE || st->obj_kind == RS_OBJ_VIEW ||
                   st->obj_kind == RS_OBJ_MATVIEW);
    bool move = st->kind == RS_STMT_SET_SCHEMA &&
                (st->obj_kind == RS_OBJ_TABLE || st->obj_kind == RS_OBJ_VIEW);
    if (!rename && !move)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    if (!r && (st->if_exists || !ctx->model->uncertain))
        return;
    struct rs_finding *f =
        move ? rs_emit(ctx, -1, NULL,
                       "moves %s %s to schema %s without a bridge: the previous application "
                       "version still uses the old name and fails",
                       rs_obj_kind_name(st->obj_kind), rs_ctx_name(ctx, &st->rel), st->newname)
             : rs_emit(ctx, -1, NULL,
                       "renames %s %s to %s without a bridge: the previous application version "
                       "still uses the old name and fails",
                       rs_obj_kind_name(st->obj_kind), rs_ctx_name(ctx, &st->rel), st->newname);
    struct rs_qname start = r ? rs_start_name(ctx, r) : st->rel;
    f->bridge.schema = start.schema;
    f->bridge.name = start.name;
    f->bridge.oid = r ? r->oid : 0;
}

const struct rs_rule rs_rule_rename_table = {
    .name = "rename-table",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 5,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a table or view is renamed without a compatibility bridge",
    .catches = "ALTER TABLE / VIEW ... RENAME TO (or SET SCHEMA) of a relation that existed "
               "before the migration, unless the migration creates a view under the old name "
               "that exposes every column the old table had.",
    .n1_failure = "Version N-1 queries the old name: `relation ... does not exist`.",
    .alternative = "Bridge the rename: in the same migration, CREATE VIEW <old name> AS SELECT * "
                   "FROM <new name>. A simple view is automatically updatable, so N-1 keeps "
                   "reading and writing through it. Drop the view in a later release, when no "
                   "running version uses the old name.",
    .versions = "The rename is a catalog change under ACCESS EXCLUSIVE in every version. "
                "Automatically updatable views exist since 9.3.",
    .bad = "ALTER TABLE users RENAME TO accounts;",
    .good = "ALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;",
    .check = check,
};
