/*
 * model.c - the schema model's objects: creation, lookup by name, copy.
 *
 * Lookups are linear scans over small arrays (a project has hundreds of tables, not millions),
 * which keeps copies cheap: the down-migration check copies the model once per migration, and a
 * copy is its arrays of pointers; the objects are cloned when one of the models changes them
 * (copy-on-write, see model.h). How statements change the model is apply.c's business.
 */
#include "model.h"

#include <assert.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

/* Epochs are unique in the process: models of two threads share objects (lib/check.c's split),
   and an epoch handed out twice would let both change one in place. */
static _Atomic uint64_t last_epoch;

static uint64_t new_epoch(void)
{
    return atomic_fetch_add_explicit(&last_epoch, 1, memory_order_relaxed) + 1;
}

struct rs_model *rs_model_new(struct arena *a)
{
    struct rs_model *m = arena_alloc(a, sizeof(*m));
    m->arena = a;
    m->epoch = new_epoch();
    m->unfollowed_mig = RS_MIG_PREEXISTING - 1;
    *VEC_PUSH(a, &m->schemas) = "public";
    *VEC_PUSH(a, &m->search_path) = "public";
    return m;
}

/*
 * A deep copy goes into one block of the arena, cut into its arrays and structs in turn: a copy
 * takes thousands of them, and one arena call each cost more than the bytes they copy. Every
 * piece starts aligned for any type, as arena_alloc's do. Arrays are copied at their length
 * (cap = n), so the first push to one moves it out of the block, as it moved out of an
 * arena_grow copy.
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
   compares copies bit for bit), owned by the copy, and the array pointing to them. */
#define COPY_PTR_VEC(at, c, T, dst, src)                                                           \
    do {                                                                                           \
        COPY_VEC((at), (dst), (src));                                                              \
        for (size_t i_ = 0; i_ < (dst)->n; i_++) {                                                 \
            T *x_ = piece_copy((at), (src)->v[i_], 1, sizeof(T));                                  \
            x_->epoch = (c)->epoch;                                                                \
            (dst)->v[i_] = x_;                                                                     \
        }                                                                                          \
    } while (0)

/* The model struct of a copy of m, in a, with an epoch of its own. */
static struct rs_model *copy_head(struct arena *a, const struct rs_model *m)
{
    struct rs_model *c = arena_alloc(a, sizeof(*c));
    c->arena = a;
    c->epoch = new_epoch();
    c->uncertain = m->uncertain;
    c->next_oid = m->next_oid;
    c->unfollowed_mig = m->unfollowed_mig;
    return c;
}

/* The arrays of names: the last pieces of either copy's block, which must end with them. */
static void copy_names(unsigned char *at, const unsigned char *end, struct rs_model *c,
                       const struct rs_model *m)
{
    COPY_VEC(&at, &c->schemas, &m->schemas);
    COPY_VEC(&at, &c->extensions, &m->extensions);
    COPY_VEC(&at, &c->search_path, &m->search_path);
    assert(at == end);
    (void)end;
}

struct rs_model *rs_model_deep_copy(struct arena *a, const struct rs_model *m)
{
    struct rs_model *c = copy_head(a, m);
    size_t size = copy_size(m);
    unsigned char *at = arena_alloc_uninit(a, size), *end = at + size;
    COPY_PTR_VEC(&at, c, struct rs_relation, &c->rels, &m->rels);
    for (size_t i = 0; i < c->rels.n; i++) {
        struct rs_relation *r = (struct rs_relation *)c->rels.v[i];
        COPY_VEC(&at, &r->columns, &m->rels.v[i]->columns);
        COPY_VEC(&at, &r->constraints, &m->rels.v[i]->constraints);
        COPY_VEC(&at, &r->deps, &m->rels.v[i]->deps);
    }
    COPY_PTR_VEC(&at, c, struct rs_index, &c->indexes, &m->indexes);
    COPY_PTR_VEC(&at, c, struct rs_typeobj, &c->types, &m->types);
    for (size_t i = 0; i < c->types.n; i++)
        COPY_VEC(&at, &((struct rs_typeobj *)c->types.v[i])->labels, &m->types.v[i]->labels);
    COPY_PTR_VEC(&at, c, struct rs_sequence, &c->sequences, &m->sequences);
    COPY_PTR_VEC(&at, c, struct rs_function, &c->functions, &m->functions);
    COPY_PTR_VEC(&at, c, struct rs_trigger, &c->triggers, &m->triggers);
    copy_names(at, end, c, m);
    return c;
}

static bool same_vec_bytes(const void *a, size_t na, const void *b, size_t nb, size_t size)
{
    return na == nb && (!na || !memcmp(a, b, na * size));
}

#define SAME_VEC(x, y) same_vec_bytes((x).v, (x).n, (y).v, (y).n, sizeof(*(x).v))
/* The objects of two arrays of pointers, each up to its epoch (the last member). */
#define SAME_OBJECTS(x, y, T)                                                                      \
    do {                                                                                           \
        if ((x).n != (y).n)                                                                        \
            return false;                                                                          \
        for (size_t i_ = 0; i_ < (x).n; i_++)                                                      \
            if (memcmp((x).v[i_], (y).v[i_], offsetof(T, epoch)))                                  \
                return false;                                                                      \
    } while (0)

bool rs_model_same_bytes(const struct rs_model *a, const struct rs_model *b)
{
    if (a->uncertain != b->uncertain || a->unfollowed_mig != b->unfollowed_mig ||
        a->next_oid != b->next_oid)
        return false;
    /* Relations and types: their vectors by content (where they are and their room differ),
       the rest byte for byte. */
    if (a->rels.n != b->rels.n || a->types.n != b->types.n)
        return false;
    for (size_t i = 0; i < a->rels.n; i++) {
        struct rs_relation x, y;
        memcpy(&x, a->rels.v[i], sizeof(x));
        memcpy(&y, b->rels.v[i], sizeof(y));
        if (!SAME_VEC(x.columns, y.columns) || !SAME_VEC(x.constraints, y.constraints) ||
            !SAME_VEC(x.deps, y.deps))
            return false;
        x.columns.v = y.columns.v = NULL;
        x.constraints.v = y.constraints.v = NULL;
        x.deps.v = y.deps.v = NULL;
        x.columns.cap = y.columns.cap = x.constraints.cap = y.constraints.cap = 0;
        x.deps.cap = y.deps.cap = 0;
        if (memcmp(&x, &y, offsetof(struct rs_relation, epoch)))
            return false;
    }
    for (size_t i = 0; i < a->types.n; i++) {
        struct rs_typeobj x, y;
        memcpy(&x, a->types.v[i], sizeof(x));
        memcpy(&y, b->types.v[i], sizeof(y));
        if (!SAME_VEC(x.labels, y.labels))
            return false;
        x.labels.v = y.labels.v = NULL;
        x.labels.cap = y.labels.cap = 0;
        if (memcmp(&x, &y, offsetof(struct rs_typeobj, epoch)))
            return false;
    }
    SAME_OBJECTS(a->indexes, b->indexes, struct rs_index);
    SAME_OBJECTS(a->sequences, b->sequences, struct rs_sequence);
    SAME_OBJECTS(a->functions, b->functions, struct rs_function);
    SAME_OBJECTS(a->triggers, b->triggers, struct rs_trigger);
    return SAME_VEC(a->schemas, b->schemas) && SAME_VEC(a->extensions, b->extensions) &&
           SAME_VEC(a->search_path, b->search_path);
}

/* The copy-on-write copy: arrays only, at their length (cap = n, so the first push to one moves
   it out, never into what the source may still push to), in one block. */
struct rs_model *rs_model_copy(struct arena *a, struct rs_model *m)
{
    struct rs_model *c = copy_head(a, m);
    m->epoch = new_epoch(); /* neither owns what they now share */
    size_t size = VEC_SIZE(&m->rels) + VEC_SIZE(&m->indexes) + VEC_SIZE(&m->types) +
                  VEC_SIZE(&m->sequences) + VEC_SIZE(&m->functions) + VEC_SIZE(&m->triggers) +
                  VEC_SIZE(&m->schemas) + VEC_SIZE(&m->extensions) + VEC_SIZE(&m->search_path);
    unsigned char *at = arena_alloc_uninit(a, size), *end = at + size;
    COPY_VEC(&at, &c->rels, &m->rels);
    COPY_VEC(&at, &c->indexes, &m->indexes);
    COPY_VEC(&at, &c->types, &m->types);
    COPY_VEC(&at, &c->sequences, &m->sequences);
    COPY_VEC(&at, &c->functions, &m->functions);
    COPY_VEC(&at, &c->triggers, &m->triggers);
    copy_names(at, end, c, m);
    return c;
}

/* A vector of a clone, copied at its length like a copy's arrays; no array when it is empty
   (the source's may have room after its end, which is not the clone's to fill). */
#define CLONE_VEC(a, vec)                                                                          \
    do {                                                                                           \
        (vec)->v =                                                                                 \
            (vec)->n ? arena_grow((a), (vec)->v, (vec)->n, (vec)->n, sizeof(*(vec)->v)) : NULL;    \
        (vec)->cap = (vec)->n;                                                                     \
    } while (0)

/* The object at slot i of vec made m's own: a clone, padding included (the down check compares
   objects bit for bit), unless m owns it already. Its vectors are cloned by the caller. */
#define OWN(m, vec, i, T, vectors)                                                                 \
    do {                                                                                           \
        assert((i) < (vec).n);                                                                     \
        const T *o_ = (vec).v[i];                                                                  \
        if (o_->epoch == (m)->epoch)                                                               \
            return (T *)o_; /* made by m, or cloned by it already: never shared */                 \
        T *x_ = arena_alloc_uninit((m)->arena, sizeof(T));                                         \
        memcpy(x_, o_, sizeof(T));                                                                 \
        vectors;                                                                                   \
        x_->epoch = (m)->epoch;                                                                    \
        (vec).v[i] = x_;                                                                           \
        return x_;                                                                                 \
    } while (0)

struct rs_relation *rs_rel_own(struct rs_model *m, size_t i)
{
    OWN(m, m->rels, i, struct rs_relation, CLONE_VEC(m->arena, &x_->columns);
        CLONE_VEC(m->arena, &x_->constraints); CLONE_VEC(m->arena, &x_->deps));
}

struct rs_index *rs_index_own(struct rs_model *m, size_t i)
{
    OWN(m, m->indexes, i, struct rs_index, (void)0); /* columns: replaced, never changed */
}

struct rs_typeobj *rs_type_own(struct rs_model *m, size_t i)
{
    OWN(m, m->types, i, struct rs_typeobj, CLONE_VEC(m->arena, &x_->labels));
}

struct rs_sequence *rs_sequence_own(struct rs_model *m, size_t i)
{
    OWN(m, m->sequences, i, struct rs_sequence, (void)0);
}

struct rs_function *rs_function_own(struct rs_model *m, size_t i)
{
    OWN(m, m->functions, i, struct rs_function, (void)0);
}

struct rs_trigger *rs_trigger_own(struct rs_model *m, size_t i)
{
    OWN(m, m->triggers, i, struct rs_trigger, (void)0);
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
 * is compared first. The answer is the object's slot, the array's length when there is none: the
 * lookups for reading and for writing (which make the object the model's own) share it.
 */
#define LOOKUP_WITH(m, vec, q, match, extra)                                                       \
    do {                                                                                           \
        if (!(q) || !(q)->name)                                                                    \
            return (vec).n;                                                                        \
        if ((q)->schema) {                                                                         \
            for (size_t i_ = 0; i_ < (vec).n; i_++)                                                \
                if ((match) && rs_name_eq((vec).v[i_]->name.name, (q)->name) &&                    \
                    rs_name_eq((vec).v[i_]->name.schema, (q)->schema) && (extra))                  \
                    return i_;                                                                     \
            return (vec).n;                                                                        \
        }                                                                                          \
        for (size_t p_ = 0; p_ < (m)->search_path.n; p_++)                                         \
            for (size_t i_ = 0; i_ < (vec).n; i_++)                                                \
                if ((match) && rs_name_eq((vec).v[i_]->name.name, (q)->name) &&                    \
                    rs_name_eq((vec).v[i_]->name.schema, (m)->search_path.v[p_]) && (extra))       \
                    return i_;                                                                     \
        return (vec).n;                                                                            \
    } while (0)
#define LOOKUP(m, vec, q, extra) LOOKUP_WITH(m, vec, q, true, extra)
#define LOOKUP_HASHED(m, vec, q)                                                                   \
    do {                                                                                           \
        unsigned h_ = (q) ? rs_name_hash((q)->name) : 0;                                           \
        LOOKUP_WITH(m, vec, q, (vec).v[i_]->name_hash == h_, true);                                \
    } while (0)

static size_t rel_slot(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP_HASHED(m, m->rels, q);
}

static size_t index_slot(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP_HASHED(m, m->indexes, q);
}

static size_t type_slot(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP(m, m->types, q, true);
}

static size_t sequence_slot(const struct rs_model *m, const struct rs_qname *q)
{
    LOOKUP_HASHED(m, m->sequences, q);
}

static size_t function_slot(const struct rs_model *m, const struct rs_qname *q,
                            const char *signature)
{
    LOOKUP(m, m->functions, q,
           (!signature || !m->functions.v[i_]->signature ||
            rs_name_eq(m->functions.v[i_]->signature, signature)));
}

static size_t trigger_slot(const struct rs_model *m, const struct rs_qname *table, const char *name)
{
    const struct rs_relation *r = rs_model_rel(m, table);
    for (size_t i = 0; i < m->triggers.n; i++) {
        const struct rs_trigger *t = m->triggers.v[i];
        if (!rs_name_eq(t->name, name))
            continue;
        if (r ? (rs_name_eq(t->table.name, r->name.name) &&
                 rs_name_eq(t->table.schema, r->name.schema))
              : rs_name_eq(t->table.name, table->name))
            return i;
    }
    return m->triggers.n;
}

/* The object at slot i for reading, or made m's own for writing; NULL past the end. */
#define AT(vec, i) ((i) < (vec).n ? (vec).v[i] : NULL)
#define OWN_AT(m, vec, own, i) ((i) < (vec).n ? own((m), (i)) : NULL)

const struct rs_relation *rs_model_rel(const struct rs_model *m, const struct rs_qname *q)
{
    return AT(m->rels, rel_slot(m, q));
}

const struct rs_index *rs_model_index(const struct rs_model *m, const struct rs_qname *q)
{
    return AT(m->indexes, index_slot(m, q));
}

const struct rs_typeobj *rs_model_type(const struct rs_model *m, const struct rs_qname *q)
{
    return AT(m->types, type_slot(m, q));
}

const struct rs_typeobj *rs_model_enum(const struct rs_model *m, const struct rs_type *t)
{
    if (rs_type_is_builtin(t))
        return NULL;
    struct rs_qname q = {t->schema, t->name};
    const struct rs_typeobj *o = rs_model_type(m, &q);
    return o && o->kind == RS_TYPEOBJ_ENUM ? o : NULL;
}

const struct rs_sequence *rs_model_sequence(const struct rs_model *m, const struct rs_qname *q)
{
    return AT(m->sequences, sequence_slot(m, q));
}

const struct rs_function *rs_model_function(const struct rs_model *m, const struct rs_qname *q,
                                            const char *signature)
{
    return AT(m->functions, function_slot(m, q, signature));
}

const struct rs_trigger *rs_model_trigger(const struct rs_model *m, const struct rs_qname *table,
                                          const char *name)
{
    return AT(m->triggers, trigger_slot(m, table, name));
}

struct rs_relation *rs_model_rel_mut(struct rs_model *m, const struct rs_qname *q)
{
    return OWN_AT(m, m->rels, rs_rel_own, rel_slot(m, q));
}

struct rs_index *rs_model_index_mut(struct rs_model *m, const struct rs_qname *q)
{
    return OWN_AT(m, m->indexes, rs_index_own, index_slot(m, q));
}

struct rs_typeobj *rs_model_type_mut(struct rs_model *m, const struct rs_qname *q)
{
    return OWN_AT(m, m->types, rs_type_own, type_slot(m, q));
}

struct rs_sequence *rs_model_sequence_mut(struct rs_model *m, const struct rs_qname *q)
{
    return OWN_AT(m, m->sequences, rs_sequence_own, sequence_slot(m, q));
}

struct rs_function *rs_model_function_mut(struct rs_model *m, const struct rs_qname *q,
                                          const char *signature)
{
    return OWN_AT(m, m->functions, rs_function_own, function_slot(m, q, signature));
}

struct rs_trigger *rs_model_trigger_mut(struct rs_model *m, const struct rs_qname *table,
                                        const char *name)
{
    return OWN_AT(m, m->triggers, rs_trigger_own, trigger_slot(m, table, name));
}

const struct rs_relation *rs_model_rel_by_oid(const struct rs_model *m, unsigned oid)
{
    for (size_t i = 0; i < m->rels.n; i++)
        if (m->rels.v[i]->oid == oid)
            return m->rels.v[i];
    return NULL;
}

const struct rs_column *rs_rel_column(const struct rs_relation *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->columns.n; i++)
        if (rs_name_eq(r->columns.v[i].name, name))
            return &r->columns.v[i];
    return NULL;
}

struct rs_column *rs_rel_column_mut(struct rs_relation *r, const char *name)
{
    return (struct rs_column *)rs_rel_column(r, name); /* r's own, and so its columns */
}

size_t rs_rel_column_index(const struct rs_relation *r, const char *name)
{
    for (size_t i = 0; i < r->columns.n; i++)
        if (rs_name_eq(r->columns.v[i].name, name))
            return i;
    return (size_t)-1;
}

const struct rs_constraint *rs_rel_constraint(const struct rs_relation *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->constraints.n; i++)
        if (rs_name_eq(r->constraints.v[i].name, name))
            return &r->constraints.v[i];
    return NULL;
}

struct rs_constraint *rs_rel_constraint_mut(struct rs_relation *r, const char *name)
{
    return (struct rs_constraint *)rs_rel_constraint(r, name);
}

size_t rs_model_dependent_views(const struct rs_model *m, const struct rs_qname *q, const char *col,
                                const struct rs_relation **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->rels.n; i++) {
        const struct rs_relation *v = m->rels.v[i];
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
                              const struct rs_index **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->indexes.n; i++) {
        const struct rs_index *x = m->indexes.v[i];
        if (rs_name_eq(x->table.name, q->name) && rs_name_eq(x->table.schema, q->schema)) {
            if (n < max)
                out[n] = x;
            n++;
        }
    }
    return n;
}
