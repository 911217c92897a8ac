/*
 * drop_cascade.c - a DROP ... CASCADE whose hidden dependants go for good: views, materialized
 * views, foreign keys of other tables, triggers, everything in a schema.
 *
 * Dependants that the same migration creates again (the common "drop the views, change the
 * table, re-create the views" pattern) are not counted: only what is gone when the migration
 * ends is reported.
 */
#include <string.h>

#include "common.h"

#define MAX_DEPS 64

struct deps {
    const char *names[MAX_DEPS];
    size_t n;
};

static void add_name(struct deps *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->names[i], name))
            return;
    if (d->n < MAX_DEPS)
        d->names[d->n++] = name;
}

/* Views that read r (or its column col), transitively, by name. */
static void dependent_views(const struct rs_model *m, const struct rs_qname *r, const char *col,
                            struct arena *a, struct deps *out, int depth)
{
    const struct rs_relation *views[MAX_DEPS];
    size_t n = rs_model_dependent_views(m, r, col, views, MAX_DEPS);
    for (size_t i = 0; i < n && i < MAX_DEPS && depth < 16; i++) {
        size_t before = out->n;
        add_name(out, arena_printf(a, "%s %s", views[i]->kind == RS_REL_MATVIEW
                                                   ? "materialized view"
                                                   : "view",
                                   rs_qname_str(a, &views[i]->name)));
        if (out->n > before)
            dependent_views(m, &views[i]->name, NULL, a, out, depth + 1);
    }
}

/* Is an object of this name created again later in the migration? */
static bool recreated(const struct rs_rule_ctx *ctx, const char *name)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = (size_t)ctx->st->index; i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        const char *made = NULL;
        if (st->kind == RS_STMT_CREATE_VIEW || st->kind == RS_STMT_CREATE_MATVIEW ||
            st->kind == RS_STMT_CREATE_TABLE || st->kind == RS_STMT_CREATE_TABLE_AS)
            made = st->rel.name;
        else if (st->kind == RS_STMT_CREATE_TRIGGER)
            made = st->trigger_name;
        else if (st->kind == RS_STMT_ALTER_TABLE)
            for (size_t k = 0; k < st->ncmds && !made; k++)
                if (st->cmds[k].kind == RS_AT_ADD_CONSTRAINT && st->cmds[k].name &&
                    !strcmp(st->cmds[k].name, name))
                    made = st->cmds[k].name;
        if (!made)
            continue;
        if (!strcmp(made, name))
            return true;
    }
    return false;
}

/* The bare object name of a "kind name [on|of ...]" entry. */
static const char *object_of(struct arena *a, const char *entry)
{
    const char *of = strstr(entry, " of ");
    const char *on = strstr(entry, " on ");
    const char *end = of ? of : on ? on : entry + strlen(entry);
    const char *b = entry;
    for (const char *q = entry; q < end; q++)
        if (*q == ' ')
            b = q + 1;
    const char *name = arena_strndup(a, b, (size_t)(end - b));
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

static void keep_lost(const struct rs_rule_ctx *ctx, struct deps *d, struct arena *a)
{
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++)
        if (!recreated(ctx, object_of(a, d->names[i])))
            d->names[k++] = d->names[i];
    d->n = k;
}

static const char *list(struct arena *a, const struct deps *d)
{
    const char *s = "";
    for (size_t i = 0; i < d->n && i < 3; i++)
        s = arena_printf(a, "%s%s%s", s, i ? ", " : "", d->names[i]);
    if (d->n > 3)
        s = arena_printf(a, "%s and %zu more", s, d->n - 3);
    return s;
}

/* Foreign keys of other tables that reference table r. */
static void referencing_fks(const struct rs_model *m, const struct rs_relation *r, struct arena *a,
                            struct deps *out)
{
    for (size_t i = 0; i < m->rels.n; i++) {
        const struct rs_relation *o = m->rels.v[i];
        if (o == r)
            continue;
        for (size_t k = 0; k < o->constraints.n; k++) {
            const struct rs_constraint *c = &o->constraints.v[k];
            if (c->kind == RS_CON_FOREIGN && c->ref_table.name &&
                !strcmp(c->ref_table.name, r->name.name))
                add_name(out, arena_printf(a, "foreign key %s of %s", c->name,
                                           rs_qname_str(a, &o->name)));
        }
    }
}

static void check_alter(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd->cascade ||
        (ctx->cmd->kind != RS_AT_DROP_COLUMN && ctx->cmd->kind != RS_AT_DROP_CONSTRAINT))
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!r || !rs_ctx_existing(ctx, r))
        return;
    struct arena *a = rs_ctx_arena(ctx);
    struct deps d = {0};
    if (ctx->cmd->kind == RS_AT_DROP_COLUMN)
        dependent_views(ctx->model, &r->name, ctx->cmd->column, a, &d, 0);
    else
        referencing_fks(ctx->model, r, a, &d);
    keep_lost(ctx, &d, a);
    if (d.n)
        rs_emit(ctx, ctx->cmd->location, NULL,
                "%s with CASCADE also drops %s, which this migration does not create again",
                ctx->cmd->what, list(a, &d));
}

static void check(struct rs_rule_ctx *ctx)
{
    if (ctx->cmd) {
        check_alter(ctx);
        return;
    }
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP || !st->cascade)
        return;
    struct arena *a = rs_ctx_arena(ctx);
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_qname *q = &st->objects[i];
        struct deps d = {0};
        if (st->obj_kind == RS_OBJ_TABLE || st->obj_kind == RS_OBJ_VIEW ||
            st->obj_kind == RS_OBJ_MATVIEW) {
            const struct rs_relation *r = rs_model_rel(ctx->model, q);
            if (!r || !rs_ctx_existing(ctx, r))
                continue;
            dependent_views(ctx->model, &r->name, NULL, a, &d, 0);
            if (st->obj_kind == RS_OBJ_TABLE)
                referencing_fks(ctx->model, r, a, &d);
        } else if (st->obj_kind == RS_OBJ_SCHEMA) {
            for (size_t k = 0; k < ctx->model->rels.n; k++)
                if (ctx->model->rels.v[k]->name.schema &&
                    !strcmp(ctx->model->rels.v[k]->name.schema, q->name))
                    add_name(&d, arena_printf(a, "table %s",
                                              rs_qname_str(a, &ctx->model->rels.v[k]->name)));
        } else if (st->obj_kind == RS_OBJ_FUNCTION || st->obj_kind == RS_OBJ_PROCEDURE) {
            for (size_t k = 0; k < ctx->model->triggers.n; k++) {
                const struct rs_trigger *t = ctx->model->triggers.v[k];
                if (t->function.name && !strcmp(t->function.name, q->name))
                    add_name(&d, arena_printf(a, "trigger %s on %s", t->name,
                                              rs_qname_str(a, &t->table)));
            }
        } else {
            continue;
        }
        keep_lost(ctx, &d, a);
        if (!d.n)
            continue;
        struct rs_finding *f =
            rs_emit(ctx, -1, NULL,
                    "%s %s CASCADE also drops %s, which this migration does not create again",
                    st->tag, rs_ctx_name(ctx, q), list(a, &d));
        if (st->obj_kind == RS_OBJ_SCHEMA)
            f->cls = RS_CLASS_IRREVERSIBLE; /* the tables of the schema go, with their rows */
    }
}

const struct rs_rule rs_rule_drop_cascade = {
    .name = "drop-cascade",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "DROP ... CASCADE drops dependants without naming them",
    .catches = "DROP TABLE / VIEW / MATERIALIZED VIEW / SCHEMA / FUNCTION ... CASCADE and ALTER "
               "TABLE ... DROP COLUMN / CONSTRAINT ... CASCADE on objects that existed before the "
               "migration, when the schema model knows dependants (views that read them, foreign "
               "keys of other tables, triggers, a schema's tables) that the cascade removes and "
               "the migration does not create again. Columns of a dropped type are drop-type's.",
    .n1_failure = "Version N-1 uses the dependants that went with the drop: its queries of the "
                  "views fail, the triggers it relies on no longer run, the foreign keys it "
                  "relies on no longer protect the data. With DROP SCHEMA ... CASCADE the tables "
                  "and their rows go too: that finding is irreversible.",
    .alternative = "Drop dependants explicitly, one statement each, so the migration says what "
                   "it removes and each drop is reviewed on its own.",
    .versions = "Same in every version.",
    .bad = "DROP TABLE accounts CASCADE;",
    .good = "DROP VIEW active_accounts;\nALTER TABLE invoices DROP CONSTRAINT invoices_account_fkey;\n"
            "DROP TABLE accounts;",
    .check = check,
};
