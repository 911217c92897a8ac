/*
 * model.c - the schema model's objects: creation, lookup by name, copy.
 *
 * Lookups are linear scans over small arrays (a project has hundreds of tables, not millions),
 * which keeps copies cheap: the down-migration check copies the model once per migration.
 * How statements change the model is apply.c's business.
 */
#include "model.h"

#include <assert.h>
#include <stddef.h>
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

/*
 * A copy goes into one block of the arena, cut into its arrays and structs in turn: a copy takes
 * thousands of them, and one arena call each cost more than the bytes they copy. Every piece
 * starts aligned for any type, as arena_alloc's do. Arrays are copied at their length (cap = n),
 * so the first push to one moves it out of the block, as it moved out of an arena_grow copy.
 */
#define PIECE_ALIGN (_Alignof(max_align_t))

static size_t piece_size(size_t n, size_t size)
{
    return (n * size + PIECE_ALIGN - 1) & ~(PIECE_ALIGN - 1);
}

/* n elements of size bytes from src, copied at *at, which moves past them; NULL when n is 0. */
static void *piece_copy(unsigned char **at, const void *src, size_t n, size_t size)
{
    if (!n)
        return NULL;
    void *p = memcpy(*at, src, n * size);
    *at += piece_size(n, size);
    return p;
}

#define VEC_SIZE(src) piece_size((src)->n, sizeof(*(src)->v))
#define COPY_VEC(at, dst, src)                                                                     \
    do {                                                                                           \
        (dst)->n = (src)->n;                                                                       \
        (dst)->cap = (src)->n;                                                                     \
        (dst)->v = piece_copy((at), (src)->v, (src)->n, sizeof(*(src)->v));                        \
    } while (0)

/* The bytes of the block rs_model_copy cuts m's copy from. */
static size_t copy_size(const struct rs_model *m)
{
    size_t size = VEC_SIZE(&m->rels) + m->rels.n * piece_size(1, sizeof(struct rs_relation));
    for (size_t i = 0; i < m->rels.n; i++) {
        const struct rs_relation *r = m->rels.v[i];
        size += VEC_SIZE(&r->columns) + VEC_SIZE(&r->constraints) + VEC_SIZE(&r->deps);
    }
    size += VEC_SIZE(&m->indexes) + m->indexes.n * piece_size(1, sizeof(struct rs_index));
    size += VEC_SIZE(&m->types) + m->types.n * piece_size(1, sizeof(struct rs_typeobj));
    for (size_t i = 0; i < m->types.n; i++)
        size += VEC_SIZE(&m->types.v[i]->labels);
    size += VEC_SIZE(&m->sequences) + m->sequences.n * piece_size(1, sizeof(struct rs_sequence));
    size += VEC_SIZE(&m->functions) + m->functions.n * piece_size(1, sizeof(struct rs_function));
    size += VEC_SIZE(&m->triggers) + m->triggers.n * piece_size(1, sizeof(struct rs_trigger));
    size += VEC_SIZE(&m->schemas) + VEC_SIZE(&m->extensions) + VEC_SIZE(&m->search_path);
    return size;
}

/* Copies of the structs an array of pointers points to, padding included (the down check
   compares copies bit for bit), and the array pointing to them. */
#define COPY_PTR_VEC(at, dst, src)                                                                 \
    do {                                                                                           \
        COPY_VEC((at), (dst), (src));                                                              \
        for (size_t i_ = 0; i_ < (dst)->n; i_++)                                                   \
            (dst)->v[i_] = piece_copy((at), (src)->v[i_], 1, sizeof(*(src)->v[i_]));               \
    } while (0)

struct rs_model *rs_model_copy(struct arena *a, const struct rs_model *m)
{
    struct rs_model *c = arena_alloc(a, sizeof(*c));
    c->arena = a;
    c->uncertain = m->uncertain;
    c->next_oid = m->next_oid;
    c->unfollowed_mig = m->unfollowed_mig;
    size_t size = copy_size(m);
    unsigned char *at = arena_alloc_uninit(a, size), *end = at + size;
    COPY_PTR_VEC(&at, &c->rels, &m->rels);
    for (size_t i = 0; i < c->rels.n; i++) {
        struct rs_relation *r = c->rels.v[i];
        COPY_VEC(&at, &r->columns, &m->rels.v[i]->columns);
        COPY_VEC(&at, &r->constraints, &m->rels.v[i]->constraints);
        COPY_VEC(&at, &r->deps, &m->rels.v[i]->deps);
    }
    COPY_PTR_VEC(&at, &c->indexes, &m->indexes);
    COPY_PTR_VEC(&at, &c->types, &m->types);
    for (size_t i = 0; i < c->types.n; i++)
        COPY_VEC(&at, &c->types.v[i]->labels, &m->types.v[i]->labels);
    COPY_PTR_VEC(&at, &c->sequences, &m->sequences);
    COPY_PTR_VEC(&at, &c->functions, &m->functions);
    COPY_PTR_VEC(&at, &c->triggers, &m->triggers);
    COPY_VEC(&at, &c->schemas, &m->schemas);
    COPY_VEC(&at, &c->extensions, &m->extensions);
    COPY_VEC(&at, &c->search_path, &m->search_path);
    assert(at == end);
    (void)end;
    return c;
}

void rs_rel_set_name(struct rs_relation *r, const struct rs_qname *q)
{
    r->name = *q;
    r->name_hash = rs_name_hash(q->name);
}

void rs_index_set_name(struct rs_index *x, const struct rs_qname *q)
{
    x->name = *q;
    x->name_hash = rs_name_hash(q->name);
}

void rs_sequence_set_name(struct rs_sequence *s, const struct rs_qname *q)
{
    s->name = *q;
    s->name_hash = rs_name_hash(q->name);
}

void rs_constraint_set_name(struct rs_constraint *k, const char *name)
{
    k->name = name;
    k->name_hash = rs_name_hash(name);
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
 * search_path in turn, as PostgreSQL does. HASHED: the objects keep the hash of their name, which
 * is compared first.
 */
#define LOOKUP_WITH(m, vec, q, match, extra)                                                       \
    do {                                                                                           \
        if (!(q) || !(q)->name)                                                                    \
            return NULL;                                                                           \
        if ((q)->schema) {                                                                         \
            for (size_t i_ = 0; i_ < (vec).n; i_++)                                                \
                if ((match) && rs_name_eq((vec).v[i_]->name.name, (q)->name) &&                    \
                    rs_name_eq((vec).v[i_]->name.schema, (q)->schema) && (extra))                  \
                    return (vec).v[i_];                                                            \
            return NULL;                                                                           \
        }                                                                                          \
        for (size_t p_ = 0; p_ < (m)->search_path.n; p_++)                                         \
            for (size_t i_ = 0; i_ < (vec).n; i_++)                                                \
                if ((match) && rs_name_eq((vec).v[i_]->name.name, (q)->name) &&                    \
                    rs_name_eq((vec).v[i_]->name.schema, (m)->search_path.v[p_]) && (extra))       \
                    return (vec).v[i_];                                                            \
        return NULL;                                                                               \
    } while (0)
#define LOOKUP(m, vec, q, extra) LOOKUP_WITH(m, vec, q, true, extra)
#define LOOKUP_HASHED(m, vec, q)                                                                   \
    do {                                                                                           \
        unsigned h_ = (q) ? rs_name_hash((q)->name) : 0;                                           \
        LOOKUP_WITH(m, vec, q, (vec).v[i_]->name_hash == h_, true);                                \
    } while (0)

struct rs_relation *rs_model_rel(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP_HASHED(m, m->rels, q);
}

struct rs_index *rs_model_index(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP_HASHED(m, m->indexes, q);
}

struct rs_typeobj *rs_model_type(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP(m, m->types, q, true);
}

struct rs_sequence *rs_model_sequence(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP_HASHED(m, m->sequences, q);
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
