/*
 * drop_table.c - failure mode 1: a table that held rows is dropped.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP || st->obj_kind != RS_OBJ_TABLE)
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_relation *r = rs_model_rel(ctx->model, &st->objects[i]);
        if (!r && (st->if_exists || !ctx->model->uncertain))
            continue; /* not there: nothing is lost (statement-fails covers the error) */
        if (!rs_ctx_existing(ctx, r))
            continue;
        const char *copy = rs_copied_to(ctx, r, NULL);
        if (copy) {
            struct rs_finding *f = rs_emit(
                ctx, -1, NULL,
                "drops table %s; its rows were copied to %s earlier in this migration, so a "
                "down migration can restore them (check that every column was copied), but the "
                "previous application version fails on every query of %s",
                rs_ctx_name(ctx, &r->name), copy, rs_ctx_name(ctx, &r->name));
            f->cls = RS_CLASS_BREAKS;
            continue;
        }
        rs_emit(ctx, -1, NULL,
                "drops table %s and every row in it; the previous application version fails "
                "on every query of it, and a down migration can only re-create it empty%s",
                rs_ctx_name(ctx, r ? &r->name : &st->objects[i]),
                ctx->mig->unfollowed ? " (unless a statement rollsafe could not follow above "
                                       "copied its rows)"
                                     : "");
    }
}

const struct rs_rule rs_rule_drop_table = {
    .name = "drop-table",
    .cls = RS_CLASS_IRREVERSIBLE,
    .failure_mode = 1,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a table that holds rows is dropped",
    .catches = "DROP TABLE of a table that existed before the migration. Tables created earlier "
               "in the same migration are not flagged.",
    .n1_failure = "Version N-1 still reads or writes the table and fails with `relation ... does "
                  "not exist`.",
    .alternative = "Stop using the table in version N and deploy it; then rename it (for example "
                   "to <name>_deprecated) in a later release, so a rollback is a rename away; drop "
                   "it only when no version uses it, after a backup.",
    .versions = "Same in every version. DROP TABLE takes ACCESS EXCLUSIVE on the table and on "
                "tables whose foreign keys reference it.",
    .bad = "DROP TABLE old_feature;",
    .good = "ALTER TABLE old_feature RENAME TO old_feature_deprecated;  -- release N+1\n"
            "-- release N+2, after a backup:\n"
            "-- rollsafe:approve drop-table reason=\"unused since v40; dump in OPS-200\"\n"
            "DROP TABLE old_feature_deprecated;",
    .check = check,
};
