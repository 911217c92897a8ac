/*
 * drop_object.c - other objects the previous version may rely on are dropped: types and
 * domains, extensions, row-level security policies, rewrite rules, foreign tables.
 *
 * Tables, views, functions, sequences, schemas, triggers and indexes have rules of their own.
 * A type dropped with CASCADE together with the columns that use it is drop-type's finding.
 */
#include <string.h>

#include "scan.h"

static bool extension_existed(const struct rs_model *m, const char *name)
{
    for (size_t i = 0; name && i < m->extensions.n; i++)
        if (!strcmp(m->extensions.v[i], name))
            return true;
    return false;
}

static bool type_in_use(const struct rs_model *m, const struct rs_typeobj *t)
{
    for (size_t r = 0; r < m->rels.n; r++)
        for (size_t k = 0; k < m->rels.v[r]->columns.n; k++) {
            const char *n = m->rels.v[r]->columns.v[k].type.name;
            if (n && !strcmp(n, t->name.name))
                return true;
        }
    return false;
}

static const char *consequence(enum rs_obj_kind k)
{
    switch (k) {
    case RS_OBJ_TYPE:
    case RS_OBJ_DOMAIN:
        return "casts to it and functions or queries that name it fail";
    case RS_OBJ_EXTENSION:
        return "the functions, types and operators it provides (uuid_generate_v4(), citext, "
               "gin_trgm_ops, ...) are gone";
    case RS_OBJ_POLICY:
        return "with row-level security on, the rows this policy let a role see or write are "
               "hidden from it or refused";
    case RS_OBJ_RULE:
        return "what the rule rewrote (an INSERT on a view, a redirect) happens no more";
    default:
        return "it no longer exists";
    }
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP)
        return;
    enum rs_obj_kind k = st->obj_kind;
    if (k != RS_OBJ_TYPE && k != RS_OBJ_DOMAIN && k != RS_OBJ_EXTENSION && k != RS_OBJ_POLICY &&
        k != RS_OBJ_RULE && k != RS_OBJ_FOREIGN_TABLE)
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_qname *q = &st->objects[i];
        bool existed = true;
        if (k == RS_OBJ_TYPE || k == RS_OBJ_DOMAIN) {
            const struct rs_typeobj *t = rs_model_type(ctx->model, q);
            if (!t && (st->if_exists || !ctx->model->uncertain))
                continue;
            if (t && st->cascade && type_in_use(ctx->model, t))
                continue; /* drop-type: the columns go with it */
            existed = !t || t->created_mig != ctx->mig->index;
        } else if (k == RS_OBJ_EXTENSION) {
            existed = extension_existed(ctx->mig->start, q->name);
        } else if (k == RS_OBJ_POLICY || k == RS_OBJ_RULE) {
            existed = rs_existed_at_start(ctx, &st->rel);
        } else {
            const struct rs_relation *r = rs_model_rel(ctx->model, q);
            existed = rs_ctx_existing(ctx, r) && (r || !st->if_exists);
        }
        if (!existed || rs_created_later(ctx, k, q->name, k == RS_OBJ_POLICY ? st->rel.name : NULL))
            continue;
        if (k == RS_OBJ_POLICY || k == RS_OBJ_RULE)
            rs_emit(ctx, -1, NULL, "drops %s %s on %s: %s", rs_obj_kind_name(k), q->name,
                    rs_ctx_name(ctx, &st->rel), consequence(k));
        else
            rs_emit(ctx, -1, NULL,
                    "drops %s %s: the previous application version may still use it: %s",
                    rs_obj_kind_name(k), rs_ctx_name(ctx, q), consequence(k));
    }
}

const struct rs_rule rs_rule_drop_object = {
    .name = "drop-object",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a type, domain, extension, policy or rule the previous version may rely on is "
               "dropped",
    .catches = "DROP TYPE, DROP DOMAIN (when no column uses it: with columns, drop-type), DROP "
               "EXTENSION, DROP POLICY, DROP RULE and DROP FOREIGN TABLE of an object that "
               "existed before the migration and is not created again later in it.",
    .n1_failure = "Version N-1 casts to the type, calls the extension's functions, or reads rows "
                  "a policy let its role see: errors, or rows that silently disappear from its "
                  "results.",
    .alternative = "Stop relying on the object in version N and deploy it; drop it in a later "
                   "release. Replace a policy in the same migration (DROP POLICY then CREATE "
                   "POLICY) when only its condition changes.",
    .versions = "Same in every version. DROP POLICY takes ACCESS EXCLUSIVE on its table.",
    .bad = "DROP EXTENSION \"uuid-ossp\";",
    .good = "-- release N uses gen_random_uuid() (built in since PostgreSQL 13); release N+1:\n"
            "DROP EXTENSION IF EXISTS \"uuid-ossp\";",
    .check = check,
};
