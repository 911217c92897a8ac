/*
 * rename_object.c - failure mode 5 for objects other than tables, views and columns: a schema,
 * type, domain, function, procedure, sequence or constraint renamed (or moved with SET SCHEMA)
 * without a bridge.
 *
 * Objects new in the migration are not flagged, nor a rename whose old name is created again
 * later in the same migration (a bridge: a wrapper function, a new object under the old name).
 * Index and trigger renames are not flagged: applications do not name them in queries.
 */
#include "scan.h"

/* Did the object exist when the migration started? -1 when the model cannot tell. */
static int existed(const struct rs_rule_ctx *ctx, enum rs_obj_kind k, const struct rs_qname *q,
                   const char *subname)
{
    switch (k) {
    case RS_OBJ_SCHEMA:
        return q->name && rs_model_has_schema(ctx->mig->start, q->name);
    case RS_OBJ_TYPE:
    case RS_OBJ_DOMAIN: {
        const struct rs_typeobj *t = rs_model_type(ctx->model, q);
        return t ? t->created_mig != ctx->mig->index : -1;
    }
    case RS_OBJ_FUNCTION:
    case RS_OBJ_PROCEDURE: {
        const struct rs_function *f = rs_model_function(ctx->model, q, NULL);
        return f ? f->created_mig != ctx->mig->index : -1;
    }
    case RS_OBJ_SEQUENCE: {
        const struct rs_sequence *s = rs_model_sequence(ctx->model, q);
        return s ? s->created_mig != ctx->mig->index : -1;
    }
    case RS_OBJ_CONSTRAINT: {
        const struct rs_relation *r = rs_model_rel(ctx->model, q);
        const struct rs_constraint *c = r && subname ? rs_rel_constraint(r, subname) : NULL;
        if (c)
            return c->created_mig != ctx->mig->index;
        return r && r->complete ? 0 : -1;
    }
    case RS_OBJ_MATVIEW: {
        const struct rs_relation *r = rs_model_rel(ctx->model, q);
        return r ? r->created_mig != ctx->mig->index : -1;
    }
    default:
        return 0;
    }
}

static const char *consequence(enum rs_obj_kind k)
{
    switch (k) {
    case RS_OBJ_SCHEMA:
        return "qualified names and a search_path that list it stop resolving";
    case RS_OBJ_TYPE:
    case RS_OBJ_DOMAIN:
        return "casts and function signatures that name it fail (columns of the type keep "
               "working)";
    case RS_OBJ_FUNCTION:
    case RS_OBJ_PROCEDURE:
        return "every call under the old name fails";
    case RS_OBJ_SEQUENCE:
        return "nextval() calls that name it fail (column defaults follow the rename)";
    case RS_OBJ_CONSTRAINT:
        return "INSERT ... ON CONFLICT ON CONSTRAINT and error handling that match the old name "
               "break";
    default:
        return "queries that name it fail";
    }
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    enum rs_obj_kind k = st->obj_kind;
    bool rename =
        st->kind == RS_STMT_RENAME &&
        (k == RS_OBJ_SCHEMA || k == RS_OBJ_TYPE || k == RS_OBJ_DOMAIN || k == RS_OBJ_FUNCTION ||
         k == RS_OBJ_PROCEDURE || k == RS_OBJ_SEQUENCE || k == RS_OBJ_CONSTRAINT);
    bool move = st->kind == RS_STMT_SET_SCHEMA &&
                (k == RS_OBJ_TYPE || k == RS_OBJ_DOMAIN || k == RS_OBJ_FUNCTION ||
                 k == RS_OBJ_PROCEDURE || k == RS_OBJ_SEQUENCE || k == RS_OBJ_MATVIEW);
    if (!rename && !move)
        return;
    int e = existed(ctx, k, &st->rel, st->subname);
    if (e == 0 || (e < 0 && (st->if_exists || !ctx->model->uncertain)))
        return;
    const char *old = k == RS_OBJ_CONSTRAINT ? st->subname : st->rel.name;
    if (rs_created_later(ctx, k, old, k == RS_OBJ_CONSTRAINT ? st->rel.name : NULL))
        return;
    if (move)
        rs_emit(ctx, -1, NULL,
                "moves %s %s to schema %s without a bridge: the previous application version "
                "still uses the old name, and %s",
                rs_obj_kind_name(k), rs_ctx_name(ctx, &st->rel), st->newname, consequence(k));
    else if (k == RS_OBJ_CONSTRAINT)
        rs_emit(ctx, -1, NULL,
                "renames constraint %s of %s to %s: the previous application version still "
                "uses the old name, and %s",
                st->subname, rs_ctx_name(ctx, &st->rel), st->newname, consequence(k));
    else
        rs_emit(ctx, -1, NULL,
                "renames %s %s to %s without a bridge: the previous application version still "
                "uses the old name, and %s",
                rs_obj_kind_name(k), rs_ctx_name(ctx, &st->rel), st->newname, consequence(k));
}

const struct rs_rule rs_rule_rename_object = {
    .name = "rename-object",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 5,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a schema, type, function, sequence or constraint is renamed or moved",
    .catches = "ALTER SCHEMA / TYPE / DOMAIN / FUNCTION / PROCEDURE / SEQUENCE ... RENAME TO, "
               "ALTER TABLE ... RENAME CONSTRAINT, and ALTER ... SET SCHEMA of those and of "
               "materialized views, for objects that existed before the migration, unless the "
               "same migration creates something under the old name again (a bridge). Tables, "
               "views and columns have rename-table and rename-column; index and trigger names "
               "are not used by applications.",
    .n1_failure = "Version N-1 uses the old name: `function ... does not exist`, `type ... does "
                  "not exist`, `schema ... does not exist`, or an ON CONFLICT ON CONSTRAINT that "
                  "no longer matches.",
    .alternative = "Expand/contract: create the object under the new name next to the old one "
                   "(for a function, a new function; the old one can call it), switch version N "
                   "to the new name, and drop the old name in a later release.",
    .versions = "Same in every version: a catalog change. Objects that reference the renamed "
                "one by OID (column types, defaults, views) follow it.",
    .bad = "ALTER FUNCTION order_total(bigint) RENAME TO order_sum;",
    .good = "CREATE FUNCTION order_sum(bigint) RETURNS numeric LANGUAGE sql\n"
            "    AS $$ SELECT order_total($1) $$;\n"
            "-- release N calls order_sum; drop order_total in a later release",
    .check = check,
};
