/*
 * model.c - the schema model's objects: creation, lookup by name, copy.
 *
 * Lookups are linear scans over small arrays (a project has hundreds of tables, not millions),
 * which keeps copies cheap: the down-migration check copies the model once per migration.
 * How statements change the model is apply.c's business.
 */
#include "model.h"

#include <string.h>

struct rs_model *rs_model_new(struct arena *a)
{
    struct rs_model *m = arena_alloc(a, sizeof(*m));
    m->arena = a;
    m->unfollowed_mig = RS_MIG_PREEXISTING - 1;
    *VEC_PUSH(a, &m->schemas) = "public";
    *VEC_PUSH(a, &m->search_path) = "public";
    return m;
}

#define COPY_VEC(a, dst, src)                                                                      \
    do {                                                                                           \
        (dst)->n = (src)->n;                                                                       \
        (dst)->cap = (src)->n;                                                                     \
        (dst)->v =                                                                                 \
            (src)->n ? arena_grow((a), (src)->v, (src)->n, (src)->n, sizeof(*(src)->v)) : NULL;    \
    } while (0)

/* A copy of *p in the arena, padding included (the down check compares copies bit for bit). */
static void *dup_struct(struct arena *a, const void *p, size_t size)
{
    return memcpy(arena_alloc_uninit(a, size), p, size);
}

struct rs_model *rs_model_copy(struct arena *a, const struct rs_model *m)
{
    struct rs_model *c = arena_alloc(a, sizeof(*c));
    c->arena = a;
    c->uncertain = m->uncertain;
    c->next_oid = m->next_oid;
    c->unfollowed_mig = m->unfollowed_mig;
    COPY_VEC(a, &c->rels, &m->rels);
    for (size_t i = 0; i < c->rels.n; i++) {
        struct rs_relation *r = dup_struct(a, m->rels.v[i], sizeof(*r));
        COPY_VEC(a, &r->columns, &m->rels.v[i]->columns);
        COPY_VEC(a, &r->constraints, &m->rels.v[i]->constraints);
        COPY_VEC(a, &r->deps, &m->rels.v[i]->deps);
        c->rels.v[i] = r;
    }
    COPY_VEC(a, &c->indexes, &m->indexes);
    for (size_t i = 0; i < c->indexes.n; i++) {
        struct rs_index *x = dup_struct(a, m->indexes.v[i], sizeof(*x));
        c->indexes.v[i] = x;
    }
    COPY_VEC(a, &c->types, &m->types);
    for (size_t i = 0; i < c->types.n; i++) {
        struct rs_typeobj *t = dup_struct(a, m->types.v[i], sizeof(*t));
        COPY_VEC(a, &t->labels, &m->types.v[i]->labels);
        c->types.v[i] = t;
    }
    COPY_VEC(a, &c->sequences, &m->sequences);
    for (size_t i = 0; i < c->sequences.n; i++) {
        struct rs_sequence *s = dup_struct(a, m->sequences.v[i], sizeof(*s));
        c->sequences.v[i] = s;
    }
    COPY_VEC(a, &c->functions, &m->functions);
    for (size_t i = 0; i < c->functions.n; i++) {
        struct rs_function *f = dup_struct(a, m->functions.v[i], sizeof(*f));
        c->functions.v[i] = f;
    }
    COPY_VEC(a, &c->triggers, &m->triggers);
    for (size_t i = 0; i < c->triggers.n; i++) {
        struct rs_trigger *t = dup_struct(a, m->triggers.v[i], sizeof(*t));
        c->triggers.v[i] = t;
    }
    COPY_VEC(a, &c->schemas, &m->schemas);
    COPY_VEC(a, &c->extensions, &m->extensions);
    COPY_VEC(a, &c->search_path, &m->search_path);
    return c;
}

bool rs_model_has_schema(const struct rs_model *m, const char *name)
{
    for (size_t i = 0; i < m->schemas.n; i++)
        if (rs_name_eq(m->schemas.v[i], name))
            return true;
    return false;
}

const char *rs_model_creation_schema(const struct rs_model *m)
{
    for (size_t i = 0; i < m->search_path.n; i++) {
        const char *s = m->search_path.v[i];
        if (!strcmp(s, "$user") || !strcmp(s, "pg_catalog") || !strcmp(s, "pg_temp"))
            continue;
        if (rs_model_has_schema(m, s))
            return s;
    }
    return "public";
}

const char *rs_qname_str(struct arena *a, const struct rs_qname *q)
{
    if (!q->name)
        return "?";
    if (!q->schema || !strcmp(q->schema, "public"))
        return q->name;
    return arena_printf(a, "%s.%s", q->schema, q->name);
}

const char *rs_fk_action_sql(const char *code)
{
    if (!code)
        return NULL;
    switch (code[0]) {
    case 'c':
        return "CASCADE";
    case 'n':
        return "SET NULL";
    case 'd':
        return "SET DEFAULT";
    case 'r':
        return "RESTRICT";
    default:
        return NULL;
    }
}

/*
 * Generic lookup: objects are compared by name; an unqualified name is tried in each schema of
 * search_path in turn, as PostgreSQL does.
 */
#define LOOKUP(m, vec, q, extra)                                                                   \
    do {                                                                                           \
        if (!(q) || !(q)->name)                                                                    \
            return NULL;                                                                           \
        if ((q)->schema) {                                                                         \
            for (size_t i_ = 0; i_ < (vec).n; i_++)                                                \
                if (rs_name_eq((vec).v[i_]->name.name, (q)->name) &&                               \
                    rs_name_eq((vec).v[i_]->name.schema, (q)->schema) && (extra))                  \
                    return (vec).v[i_];                                                            \
            return NULL;                                                                           \
        }                                                                                          \
        for (size_t p_ = 0; p_ < (m)->search_path.n; p_++)                                         \
            for (size_t i_ = 0; i_ < (vec).n; i_++)                                                \
                if (rs_name_eq((vec).v[i_]->name.name, (q)->name) &&                               \
                    rs_name_eq((vec).v[i_]->name.schema, (m)->search_path.v[p_]) && (extra))       \
                    return (vec).v[i_];                                                            \
        return NULL;                                                                               \
    } while (0)

struct rs_relation *rs_model_rel(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP(m, m->rels, q, true);
}

struct rs_index *rs_model_index(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP(m, m->indexes, q, true);
}

struct rs_typeobj *rs_model_type(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP(m, m->types, q, true);
}

struct rs_sequence *rs_model_sequence(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP(m, m->sequences, q, true);
}

struct rs_function *rs_model_function(const struct rs_model *m, const struct rs_qname *q,
                                      const char *signature)
{
    LOOKUP(m, m->functions, q,
           (!signature || !m->functions.v[i_]->signature ||
            rs_name_eq(m->functions.v[i_]->signature, signature)));
}

struct rs_trigger *rs_model_trigger(const struct rs_model *m, const struct rs_qname *table,
                                    const char *name)
{
    struct rs_relation *r = rs_model_rel(m, table);
    for (size_t i = 0; i < m->triggers.n; i++) {
        struct rs_trigger *t = m->triggers.v[i];
        if (!rs_name_eq(t->name, name))
            continue;
        if (r ? (rs_name_eq(t->table.name, r->name.name) &&
                 rs_name_eq(t->table.schema, r->name.schema))
              : rs_name_eq(t->table.name, table->name))
            return t;
    }
    return NULL;
}

struct rs_relation *rs_model_rel_by_oid(const struct rs_model *m, unsigned oid)
{
    for (size_t i = 0; i < m->rels.n; i++)
        if (m->rels.v[i]->oid == oid)
            return m->rels.v[i];
    return NULL;
}

struct rs_column *rs_rel_column(const struct rs_relation *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->columns.n; i++)
        if (rs_name_eq(r->columns.v[i].name, name))
            return &r->columns.v[i];
    return NULL;
}

size_t rs_rel_column_index(const struct rs_relation *r, const char *name)
{
    for (size_t i = 0; i < r->columns.n; i++)
        if (rs_name_eq(r->columns.v[i].name, name))
            return i;
    return (size_t)-1;
}

struct rs_constraint *rs_rel_constraint(const struct rs_relation *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->constraints.n; i++)
        if (rs_name_eq(r->constraints.v[i].name, name))
            return &r->constraints.v[i];
    return NULL;
}

size_t rs_model_dependent_views(const struct rs_model *m, const struct rs_qname *q,
                                const char *col, struct rs_relation **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->rels.n; i++) {
        struct rs_relation *v = m->rels.v[i];
        if (v->kind != RS_REL_VIEW && v->kind != RS_REL_MATVIEW)
            continue;
        for (size_t k = 0; k < v->deps.n; k++) {
            const struct rs_dep *d = &v->deps.v[k];
            if (!rs_name_eq(d->rel.name, q->name) || !rs_name_eq(d->rel.schema, q->schema))
                continue;
            if (col && d->column && !rs_name_eq(d->column, col))
                continue;
            if (n < max)
                out[n] = v;
            n++;
            break;
        }
    }
    return n;
}

size_t rs_model_table_indexes(const struct rs_model *m, const struct rs_qname *q,
                              struct rs_index **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->indexes.n; i++) {
        struct rs_index *x = m->indexes.v[i];
        if (rs_name_eq(x->table.name, q->name) && rs_name_eq(x->table.schema, q->schema)) {
            if (n < max)
                out[n] = x;
            n++;
        }
    }
    return n;
}
