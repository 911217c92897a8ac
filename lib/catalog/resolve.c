/*
 * resolve.c - name resolution of queries against the schema model.
 *
 * Given the summary of a query (lib/sql/query.c), finds which relation and column every
 * reference means, the way PostgreSQL's parser does: FROM items by alias or name, CTEs before
 * tables, unqualified columns searched in every FROM item, correlated references in outer
 * levels, SELECT * expanded. The result is what a view depends on, the columns it outputs, the
 * references that do not resolve (what a previous application version's query would fail on),
 * and the columns that literals are compared with (an enum value the type does not have).
 *
 * It does not type-check expressions or resolve functions; a FROM item it cannot see into (a
 * set-returning function, an unknown relation) makes the level opaque rather than wrong.
 */
#include <stdint.h>
#include <string.h>

#include "apply.h"

struct cte_frame {
    const struct rs_cte *cte;
    struct rs_column *cols;
    size_t ncols;
    const struct cte_frame *next;
};

struct item {
    const char *name;           /* alias, or relation name */
    struct rs_qname rel;        /* base relation, name NULL for subqueries and functions */
    const struct rs_column *cols;
    size_t ncols;
    bool opaque;
};

struct scope {
    struct item *items;
    size_t n;
    const struct rs_query *q;
    const struct scope *outer;
};

/* A dependency in the table of struct rctx: its index in out->deps plus one (0: a free slot),
   and its hash, so that a lookup compares names only when the hashes agree. */
struct dep_slot {
    uint32_t index1;
    uint32_t hash;
};

struct rctx {
    struct arena *a;
    const struct rs_model *m;
    struct rs_resolved *out;
    /* out->deps by hash of (relation, column): a view over many columns adds each reference it
       makes, and looking for it in the list made that quadratic. NULL until the list is long
       enough to need it; at most half full. */
    struct dep_slot *dep_slot;
    size_t dep_mask;
};

static uint32_t str_hash(uint32_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return (h ^ 0xff) * 16777619u; /* a separator: ("ab", "c") is not ("a", "bc") */
}

static uint32_t dep_hash(const struct rs_qname *rel, const char *col)
{
    return str_hash(str_hash(str_hash(2166136261u, col), rel->name), rel->schema);
}

/* The names of the model are shared by the objects that use them: the same pointer is the
   same name, and most different names differ in their first byte. */
static inline bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && a[0] == b[0] && strcmp(a, b) == 0);
}

static bool same_dep(const struct rs_dep *d, const struct rs_qname *rel, const char *col)
{
    return same_str(d->column, col) && d->rel.name && rel->name &&
           same_str(d->rel.name, rel->name) && same_str(d->rel.schema, rel->schema);
}

static void dep_put(struct rctx *c, size_t i, uint32_t h)
{
    size_t k = h & c->dep_mask;
    while (c->dep_slot[k].index1)
        k = (k + 1) & c->dep_mask;
    c->dep_slot[k] = (struct dep_slot){(uint32_t)(i + 1), h};
}

static void add_dep(struct rctx *c, const struct rs_qname *rel, const char *col)
{
    rs_dep_vec *deps = &c->out->deps;
    uint32_t h = 0;
    if (!c->dep_slot) {
        for (size_t i = 0; i < deps->n; i++)
            if (same_dep(&deps->v[i], rel, col))
                return;
    } else {
        h = dep_hash(rel, col);
        for (size_t k = h & c->dep_mask; c->dep_slot[k].index1; k = (k + 1) & c->dep_mask)
            if (c->dep_slot[k].hash == h && same_dep(&deps->v[c->dep_slot[k].index1 - 1], rel, col))
                return;
    }
    struct rs_dep *d = VEC_PUSH(c->a, deps);
    d->rel = *rel;
    d->column = col;
    if (c->dep_slot && 2 * deps->n <= c->dep_mask) {
        dep_put(c, deps->n - 1, h);
    } else if (deps->n > 8) {
        struct dep_slot *old = c->dep_slot;
        size_t old_mask = c->dep_mask;
        c->dep_mask = old ? 2 * old_mask + 1 : 31;
        c->dep_slot = arena_alloc(c->a, (c->dep_mask + 1) * sizeof(*c->dep_slot));
        if (old) {
            for (size_t k = 0; k <= old_mask; k++)
                if (old[k].index1)
                    dep_put(c, old[k].index1 - 1, old[k].hash);
            dep_put(c, deps->n - 1, h);
        } else {
            for (size_t i = 0; i < deps->n; i++)
                dep_put(c, i, dep_hash(&deps->v[i].rel, deps->v[i].column));
        }
    }
}

static void add_issue(struct rctx *c, int kind, const struct rs_qname *rel, const char *col,
                      int location)
{
    struct rs_resolve_issue *is = VEC_PUSH(c->a, &c->out->issues);
    is->kind = kind;
    if (rel)
        is->rel = *rel;
    is->column = col;
    is->location = location;
}

static void resolve_level(struct rctx *c, const struct rs_query *q, const struct scope *outer,
                          const struct cte_frame *ctes, struct rs_column **cols, size_t *ncols);

static const struct cte_frame *find_cte(const struct cte_frame *f, const char *name)
{
    for (; f; f = f->next)
        if (!strcmp(f->cte->name, name))
            return f;
    return NULL;
}

static const struct rs_column *item_column(const struct item *it, const char *name)
{
    for (size_t i = 0; i < it->ncols; i++)
        if (it->cols[i].name && !strcmp(it->cols[i].name, name))
            return &it->cols[i];
    return NULL;
}

static const struct item *find_item(const struct scope *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i].name && !strcmp(s->items[i].name, name))
            return &s->items[i];
    return NULL;
}

/* An output column named name that is not simply the column name itself: ORDER BY and GROUP
   BY may use it. (`SELECT username FROM users` has a target named username, but that target is
   the reference being resolved, not an alias for it.) */
static bool target_alias(const struct rs_query *q, const char *name)
{
    for (size_t i = 0; q && i < q->ntargets; i++) {
        const struct rs_target *t = &q->targets[i];
        if (!t->name || strcmp(t->name, name))
            continue;
        if (t->is_plain_ref && t->ref.column && !strcmp(t->ref.column, name))
            continue;
        return true;
    }
    return false;
}

/* Renames the first columns of an item after its alias column list: FROM t AS x(a, b). */
static void apply_alias_columns(struct rctx *c, struct item *it, const struct rs_from_item *f)
{
    if (!f->nalias_columns)
        return;
    size_t n = it->ncols > f->nalias_columns ? it->ncols : f->nalias_columns;
    struct rs_column *cols = arena_alloc(c->a, n * sizeof(*cols));
    for (size_t i = 0; i < n; i++) {
        if (i < it->ncols)
            cols[i] = it->cols[i];
        if (i < f->nalias_columns)
            cols[i].name = f->alias_columns[i];
    }
    it->cols = cols;
    it->ncols = n;
}

static void build_items(struct rctx *c, const struct rs_query *q, const struct scope *outer,
                        const struct cte_frame *ctes, struct scope *s)
{
    s->items = q->nfrom ? arena_alloc(c->a, q->nfrom * sizeof(*s->items)) : NULL;
    s->n = q->nfrom;
    for (size_t i = 0; i < q->nfrom; i++) {
        const struct rs_from_item *f = &q->from[i];
        struct item *it = &s->items[i];
        it->name = f->alias;
        if (f->subquery) {
            struct rs_column *cols;
            size_t n;
            resolve_level(c, f->subquery, f->lateral ? s : outer, ctes, &cols, &n);
            it->cols = cols;
            it->ncols = n;
        } else if (f->is_function) {
            it->opaque = !f->nalias_columns;
        } else if (f->rel.name) {
            if (!it->name)
                it->name = f->rel.name;
            const struct cte_frame *cf = f->rel.schema ? NULL : find_cte(ctes, f->rel.name);
            if (cf) {
                it->cols = cf->cols;
                it->ncols = cf->ncols;
            } else {
                const struct rs_relation *r = rs_model_rel(c->m, &f->rel);
                if (r) {
                    it->rel = r->name;
                    it->cols = r->columns.v;
                    it->ncols = r->columns.n;
                    it->opaque = !r->complete;
                } else {
                    it->opaque = true;
                    c->out->opaque = true;
                    add_issue(c, RS_RESOLVE_NO_RELATION, &f->rel, NULL, f->location);
                }
            }
        }
        apply_alias_columns(c, it, f);
    }
}

static void resolve_ref(struct rctx *c, const struct scope *s, const struct rs_colref *r)
{
    if (r->qualifier) {
        for (const struct scope *sc = s; sc; sc = sc->outer) {
            const struct item *it = find_item(sc, r->qualifier);
            if (!it)
                continue;
            if (!r->column) {
                if (it->rel.name)
                    for (size_t k = 0; k < it->ncols; k++)
                        add_dep(c, &it->rel, it->cols[k].name);
                return;
            }
            if (it->opaque)
                return;
            if (item_column(it, r->column)) {
                if (it->rel.name)
                    add_dep(c, &it->rel, r->column);
            } else {
                struct rs_qname q = it->rel.name ? it->rel : (struct rs_qname){NULL, it->name};
                add_issue(c, RS_RESOLVE_NO_COLUMN, &q, r->column, r->location);
            }
            return;
        }
        /* A qualifier that names no FROM item: a whole-row or composite reference PostgreSQL
           would reject, unless it is a function-local name (trigger NEW/OLD) - not ours. */
        struct rs_qname q = {r->schema, r->qualifier};
        add_issue(c, RS_RESOLVE_NO_RELATION, &q, r->column, r->location);
        return;
    }
    if (!r->column) {
        for (size_t i = 0; i < s->n; i++)
            if (s->items[i].rel.name)
                for (size_t k = 0; k < s->items[i].ncols; k++)
                    add_dep(c, &s->items[i].rel, s->items[i].cols[k].name);
        return;
    }
    for (const struct scope *sc = s; sc; sc = sc->outer) {
        bool opaque = false;
        for (size_t i = 0; i < sc->n; i++) {
            const struct item *it = &sc->items[i];
            if (it->opaque) {
                opaque = true;
                continue;
            }
            if (item_column(it, r->column)) {
                if (it->rel.name)
                    add_dep(c, &it->rel, r->column);
                return;
            }
        }
        if (opaque)
            return;
        if (sc == s && target_alias(sc->q, r->column))
            return; /* ORDER BY / GROUP BY an output alias */
    }
    if (s->n == 0 && !s->outer)
        return; /* SELECT 1 without FROM: nothing to check */
    struct rs_qname q = {NULL, NULL};
    if (s->n == 1)
        q = s->items[0].rel.name ? s->items[0].rel : (struct rs_qname){NULL, s->items[0].name};
    add_issue(c, RS_RESOLVE_NO_COLUMN, &q, r->column, r->location);
}

/* The column a reference means, looked up like resolve_ref does; NULL when it does not resolve
   or lands in an item rollsafe cannot see into. */
static const struct rs_column *lookup_column(const struct scope *s, const struct rs_colref *r,
                                             const struct item **found)
{
    if (!r->column)
        return NULL;
    for (const struct scope *sc = s; sc; sc = sc->outer) {
        if (r->qualifier) {
            const struct item *it = find_item(sc, r->qualifier);
            if (!it)
                continue;
            *found = it;
            return it->opaque ? NULL : item_column(it, r->column);
        }
        bool opaque = false;
        for (size_t i = 0; i < sc->n; i++) {
            const struct item *it = &sc->items[i];
            if (it->opaque) {
                opaque = true;
                continue;
            }
            const struct rs_column *col = item_column(it, r->column);
            if (col) {
                *found = it;
                return col;
            }
        }
        if (opaque)
            return NULL; /* the column may be the opaque item's */
    }
    return NULL;
}

static void add_cmps(struct rctx *c, const struct scope *s, const struct rs_query *q)
{
    for (size_t i = 0; i < q->ncmp; i++) {
        const struct item *it = NULL;
        const struct rs_column *col = lookup_column(s, &q->cmp_refs[i], &it);
        if (!col)
            continue;
        struct rs_resolved_cmp *cmp = VEC_PUSH(c->a, &c->out->cmps);
        cmp->rel = it->rel;
        cmp->column = col;
        cmp->value = q->cmp_values[i];
        cmp->location = q->cmp_refs[i].location;
    }
}

static void resolve_level(struct rctx *c, const struct rs_query *q, const struct scope *outer,
                          const struct cte_frame *ctes, struct rs_column **cols, size_t *ncols)
{
    *cols = NULL;
    *ncols = 0;
    if (!q)
        return;
    /* CTEs of this level, each visible to the next ones and to the body. */
    for (size_t i = 0; i < q->nctes; i++) {
        struct cte_frame *f = arena_alloc(c->a, sizeof(*f));
        f->cte = &q->ctes[i];
        f->next = ctes;
        if (q->ctes[i].query)
            resolve_level(c, q->ctes[i].query, outer, ctes, &f->cols, &f->ncols);
        for (size_t k = 0; k < q->ctes[i].ncolumns && k < f->ncols; k++)
            f->cols[k].name = q->ctes[i].columns[k];
        ctes = f;
    }
    if (q->set_left) {
        resolve_level(c, q->set_left, outer, ctes, cols, ncols);
        struct rs_column *rc;
        size_t rn;
        if (q->set_right)
            resolve_level(c, q->set_right, outer, ctes, &rc, &rn);
        return;
    }
    struct scope s = {.q = q, .outer = outer};
    build_items(c, q, outer, ctes, &s);
    for (size_t i = 0; i < q->nrefs; i++)
        resolve_ref(c, &s, &q->refs[i]);
    add_cmps(c, &s, q);
    for (size_t i = 0; i < q->nchildren; i++) {
        struct rs_column *cc;
        size_t cn;
        resolve_level(c, q->children[i], &s, ctes, &cc, &cn);
    }
    VEC(struct rs_column) out = {0};
    for (size_t i = 0; i < q->ntargets; i++) {
        const struct rs_target *t = &q->targets[i];
        if (t->star) {
            for (size_t k = 0; k < s.n; k++) {
                const struct item *it = &s.items[k];
                if (t->ref.qualifier && (!it->name || strcmp(it->name, t->ref.qualifier)))
                    continue;
                if (it->opaque)
                    c->out->opaque = true;
                for (size_t j = 0; j < it->ncols; j++)
                    *VEC_PUSH(c->a, &out) = it->cols[j];
            }
            continue;
        }
        struct rs_column *col = VEC_PUSH(c->a, &out);
        col->name = t->name;
        col->type.name = NULL;
        if (t->is_plain_ref && t->ref.column) {
            for (size_t k = 0; k < s.n; k++) {
                const struct item *it = &s.items[k];
                if (t->ref.qualifier && (!it->name || strcmp(it->name, t->ref.qualifier)))
                    continue;
                const struct rs_column *src = item_column(it, t->ref.column);
                if (src) {
                    col->type = src->type;
                    col->not_null = src->not_null;
                    break;
                }
            }
        }
    }
    *cols = out.v;
    *ncols = out.n;
}

void rs_resolve_query(struct arena *a, const struct rs_model *m, const struct rs_query *q,
                      struct rs_resolved *out)
{
    memset(out, 0, sizeof(*out));
    struct rctx c = {a, m, out, NULL, 0};
    struct rs_column *cols;
    size_t n;
    resolve_level(&c, q, NULL, NULL, &cols, &n);
    out->columns.v = cols;
    out->columns.n = out->columns.cap = n;
}
