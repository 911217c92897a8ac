/*
 * fk_without_index.c - a foreign key whose referencing columns no index starts with.
 *
 * Every DELETE (and key UPDATE) of the referenced table then scans the referencing table to
 * look for rows that point at it, while holding its row locks; ON DELETE CASCADE / SET NULL do
 * it for each row. An index created later in the same migration counts.
 */
#include <string.h>

#include "scan.h"

/* Do the first n of an index's columns name exactly the key columns (in any order)? */
static bool leads_with(const char *const *ix, size_t nix, const char *const *key, size_t n)
{
    return n && nix >= n && rs_columns_among(ix, n, key, n);
}

static bool covered_by_stmt(const struct rs_stmt *st, const char *const *key, size_t n)
{
    if (st->kind == RS_STMT_CREATE_INDEX)
        return !st->where && leads_with(st->index_columns, st->nindex_columns, key, n);
    for (size_t i = 0; i < st->nconstraints; i++) {
        const struct rs_constraint_def *d = &st->constraints[i];
        if ((d->kind == RS_CON_PRIMARY || d->kind == RS_CON_UNIQUE) &&
            leads_with(d->columns, d->ncolumns, key, n))
            return true;
    }
    for (size_t i = 0; i < st->ncolumns; i++)
        if ((st->columns[i].primary_key || st->columns[i].unique) && n == 1 &&
            !strcmp(st->columns[i].name, key[0]))
            return true;
    for (size_t k = 0; k < st->ncmds; k++) {
        const struct rs_constraint_def *d = st->cmds[k].constraint;
        if (st->cmds[k].kind == RS_AT_ADD_CONSTRAINT && d &&
            (d->kind == RS_CON_PRIMARY || d->kind == RS_CON_UNIQUE) &&
            leads_with(d->columns, d->ncolumns, key, n))
            return true;
    }
    return false;
}

static bool covered(const struct rs_rule_ctx *ctx, const char *const *key, size_t n)
{
    const struct rs_qname *table = &ctx->st->rel;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (r) {
        const struct rs_index *ix[128];
        size_t ni = rs_model_table_indexes(ctx->model, &r->name, ix, 128);
        for (size_t i = 0; i < ni && i < 128; i++)
            if (!ix[i]->where_text && leads_with(ix[i]->columns, ix[i]->ncolumns, key, n))
                return true;
        for (size_t i = 0; i < r->constraints.n; i++) {
            const struct rs_constraint *k = &r->constraints.v[i];
            if ((k->kind == RS_CON_PRIMARY || k->kind == RS_CON_UNIQUE) &&
                leads_with(k->columns, k->ncolumns, key, n))
                return true;
        }
    }
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_stmt_pos(ctx); l && i < l->n; i++)
        if (rs_same_rel(ctx, &l->v[i].rel, table) && covered_by_stmt(&l->v[i], key, n))
            return true;
    return false;
}

static void flag(struct rs_rule_ctx *ctx, const struct rs_constraint_def *d, const char *const *key,
                 size_t n, int location)
{
    if (!n || covered(ctx, key, n))
        return;
    struct arena *a = rs_ctx_arena(ctx);
    const char *cols = key[0];
    for (size_t i = 1; i < n; i++)
        cols = arena_printf(a, "%s, %s", cols, key[i]);
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    const char *ref = rs_ctx_name(ctx, &d->ref_table);
    rs_emit(ctx, location,
            arena_printf(a, "CREATE INDEX CONCURRENTLY IF NOT EXISTS %s_%s_idx ON %s (%s)",
                         ctx->st->rel.name, key[0], table, cols),
            "foreign key %s(%s) references %s, but no index on %s starts with (%s): every "
            "DELETE from %s (and every update of its key) scans %s for referencing rows",
            table, cols, ref, table, cols, ref, table);
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (ctx->cmd) {
        const struct rs_alter_cmd *c = ctx->cmd;
        if (c->kind == RS_AT_ADD_CONSTRAINT && c->constraint &&
            c->constraint->kind == RS_CON_FOREIGN)
            flag(ctx, c->constraint, c->constraint->columns, c->constraint->ncolumns,
                 c->constraint->location);
        for (size_t i = 0; c->kind == RS_AT_ADD_COLUMN && c->coldef && i < c->coldef->nconstraints;
             i++)
            if (c->coldef->constraints[i].kind == RS_CON_FOREIGN)
                flag(ctx, &c->coldef->constraints[i], &c->coldef->name, 1, c->location);
        return;
    }
    if (st->kind != RS_STMT_CREATE_TABLE || st->partitioned)
        return;
    for (size_t i = 0; i < st->nconstraints; i++)
        if (st->constraints[i].kind == RS_CON_FOREIGN)
            flag(ctx, &st->constraints[i], st->constraints[i].columns, st->constraints[i].ncolumns,
                 st->constraints[i].location);
    for (size_t i = 0; i < st->ncolumns; i++)
        for (size_t k = 0; k < st->columns[i].nconstraints; k++)
            if (st->columns[i].constraints[k].kind == RS_CON_FOREIGN)
                flag(ctx, &st->columns[i].constraints[k], &st->columns[i].name, 1,
                     st->columns[i].location);
}

const struct rs_rule rs_rule_fk_without_index = {
    .name = "fk-without-index",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_INFO,
    .summary = "a foreign key without an index on its referencing columns",
    .catches = "A FOREIGN KEY (in CREATE TABLE, ADD CONSTRAINT or ADD COLUMN ... REFERENCES) "
               "whose columns are not the leading columns of any index of the referencing table "
               "(a primary key, a unique constraint or an index created later in the same "
               "migration count).",
    .n1_failure = "None by itself: deletes from the referenced table get slower as the "
                  "referencing table grows, and hold their locks while they scan it.",
    .alternative = "CREATE INDEX CONCURRENTLY on the referencing columns, in a migration the "
                   "runner does not wrap in a transaction (or a plain CREATE INDEX in the "
                   "migration that creates the table).",
    .versions = "Same in every version: PostgreSQL never creates this index by itself.",
    .bad = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);",
    .good = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n"
            "CREATE INDEX orders_user_id_idx ON orders (user_id);",
    .check = check,
};
