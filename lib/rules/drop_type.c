/*
 * drop_type.c - DROP TYPE / DOMAIN ... CASCADE of a type columns use: the columns go with it.
 * Without CASCADE PostgreSQL refuses the drop (statement-fails).
 */
#include <string.h>

#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP || (st->obj_kind != RS_OBJ_TYPE && st->obj_kind != RS_OBJ_DOMAIN))
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_typeobj *t = rs_model_type(ctx->model, &st->objects[i]);
        if (!t || t->created_mig == ctx->mig->index || !st->cascade)
            continue;
        for (size_t r = 0; r < ctx->model->rels.n; r++) {
            const struct rs_relation *rel = ctx->model->rels.v[r];
            for (size_t k = 0; k < rel->columns.n; k++) {
                const struct rs_column *col = &rel->columns.v[k];
                if (!col->type.name || strcmp(col->type.name, t->name.name))
                    continue;
                rs_emit(ctx, -1, NULL,
                        "drops %s %s with CASCADE, which drops column %s.%s and its data",
                        st->obj_kind == RS_OBJ_DOMAIN ? "domain" : "type",
                        rs_ctx_name(ctx, &t->name), rs_ctx_name(ctx, &rel->name), col->name);
            }
        }
    }
}

const struct rs_rule rs_rule_drop_type = {
    .name = "drop-type",
    .cls = RS_CLASS_IRREVERSIBLE,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a type that columns use is dropped with CASCADE",
    .catches = "DROP TYPE or DROP DOMAIN ... CASCADE of an enum, composite type or domain that "
               "columns of existing tables use: PostgreSQL drops those columns with it. Without "
               "CASCADE the statement fails (statement-fails).",
    .n1_failure = "Version N-1 reads the dropped columns and fails; the data is gone.",
    .alternative = "Change the columns to another type first (to text for an enum, with a "
                   "shadow column if the table is large), deploy, and drop the type when nothing "
                   "uses it.",
    .versions = "Same in every version.",
    .bad = "DROP TYPE mood CASCADE;",
    .good = "ALTER TABLE person ALTER COLUMN current_mood TYPE text;\nDROP TYPE mood;",
    .check = check,
};
