/*
 * rename_column.c - failure mode 5: a column renamed without a bridge.
 *
 * The finding is dropped by the engine when, at the end of the migration, the relation still
 * exposes a column under the old name (for example the table was renamed and a view with the
 * old table name selects `new_name AS old_name`).
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_RENAME || st->obj_kind != RS_OBJ_COLUMN || !st->subname)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    const struct rs_column *col = r ? rs_rel_column(r, st->subname) : NULL;
    if (col && rs_column_is_new(ctx, col))
        return;
    if (!col && r && r->complete)
        return;
    struct rs_finding *f = rs_emit(
        ctx, -1, NULL,
        "renames column %s.%s to %s without a bridge: the previous application version still "
        "uses the old name and fails",
        rs_ctx_name(ctx, &st->rel), st->subname, st->newname);
    struct rs_qname start = r ? rs_start_name(ctx, r) : st->rel;
    f->bridge.schema = start.schema;
    f->bridge.name = start.name;
    f->bridge.column = st->subname;
}

const struct rs_rule rs_rule_rename_column = {
    .name = "rename-column",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 5,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a column is renamed without a compatibility bridge",
    .catches = "ALTER TABLE ... RENAME COLUMN of a column that existed before the migration, "
               "unless the migration leaves the old name in place as a bridge: the table renamed "
               "and a view under the old table name that selects the new column AS the old name.",
    .n1_failure = "Version N-1 queries the old column name: `column ... does not exist`, only "
                  "after a rollback or on old instances during a rolling deploy.",
    .alternative = "Expand/contract: add the new column, keep both in sync with a trigger, "
                   "backfill, switch reads and writes to the new column in version N, drop the "
                   "old column in a later release. Or bridge: rename the table, then CREATE VIEW "
                   "<old table> AS SELECT ..., new_name AS old_name FROM <new table> (a simple "
                   "view is updatable, so N-1's writes work too); drop the view later.",
    .versions = "The rename is a catalog change under ACCESS EXCLUSIVE in every version; views "
                "that read the column keep working (they store the column, not its name).",
    .bad = "ALTER TABLE users RENAME COLUMN name TO full_name;",
    .good = "ALTER TABLE users RENAME TO users_v2;\nALTER TABLE users_v2 RENAME COLUMN name TO full_name;\n"
            "CREATE VIEW users AS SELECT id, email, full_name AS name FROM users_v2;",
    .check = check,
};
