/*
 * drop_schema.c - a schema the previous version may use is dropped.
 *
 * With CASCADE everything inside goes too: drop-cascade names what is lost.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP || st->obj_kind != RS_OBJ_SCHEMA)
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const char *name = st->objects[i].name;
        if (!name || !rs_model_has_schema(ctx->mig->start, name))
            continue; /* new in this migration, or not there at all */
        if (rs_created_later(ctx, RS_OBJ_SCHEMA, name, NULL))
            continue;
        rs_emit(ctx, -1, NULL,
                "drops schema %s: the previous application version fails on every object it "
                "names in that schema, and a search_path that lists it no longer finds them",
                name);
    }
}

const struct rs_rule rs_rule_drop_schema = {
    .name = "drop-schema",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a schema the previous version may use is dropped",
    .catches = "DROP SCHEMA of a schema that existed before the migration and is not created "
               "again later in the same migration. With CASCADE, drop-cascade also lists the "
               "objects that go with it.",
    .n1_failure = "Version N-1 qualifies names with the schema, or relies on it in search_path: "
                  "`schema ... does not exist` or `relation ... does not exist`.",
    .alternative = "Move what version N needs out of the schema first and deploy it; drop the "
                   "schema in a later release, without CASCADE, so that PostgreSQL refuses if "
                   "anything is still in it.",
    .versions = "Same in every version.",
    .bad = "DROP SCHEMA reporting CASCADE;",
    .good = "-- release N no longer reads reporting.*; release N+1:\n"
            "DROP SCHEMA IF EXISTS reporting;",
    .check = check,
};
