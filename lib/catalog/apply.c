/*
 * apply.c - how each statement changes the schema model (replay).
 *
 * The model follows PostgreSQL's catalog behaviour where rollback safety depends on it:
 * serial columns own a sequence and a nextval default; PRIMARY KEY and UNIQUE constraints own
 * an index with the constraint's name; default names follow PostgreSQL's patterns (t_pkey,
 * t_c_key, t_c_fkey, t_c_check, t_c_idx); views keep working across renames of what they read
 * (PostgreSQL stores references, not names) but block type changes and drops of what they read.
 *
 * It deliberately does not evaluate data: INSERT, UPDATE and DELETE leave the model alone.
 */
#include "apply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/strbuf.h"

struct actx {
    struct rs_model *m;
    const struct rs_stmt *st;
    int mig;
    struct rs_apply_result *res;
};

static void fail(struct actx *c, int location, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct actx *c, int location, const char *hint, const char *fmt, ...)
{
    if (c->res->fails)
        return; /* the first reason is the one PostgreSQL reports */
    va_list ap;
    va_start(ap, fmt);
    c->res->message = arena_vprintf(c->m->arena, fmt, ap);
    va_end(ap);
    c->res->fails = true;
    c->res->hint = hint;
    c->res->location = location;
}

static bool streq(const char *a, const char *b)
{
    return rs_name_eq(a, b);
}

/* Removes element i of a VEC, keeping the order of the rest. */
#define VEC_REMOVE(vec, i)                                                                         \
    (memmove(&(vec)->v[(i)], &(vec)->v[(i) + 1], ((vec)->n - 1 - (i)) * sizeof(*(vec)->v)),        \
     (vec)->n--)

/* Removes the first occurrence of the pointer p from a VEC of pointers, if there is one. */
#define VEC_REMOVE_PTR(vec, p)                                                                     \
    do {                                                                                           \
        for (size_t at_ = 0; at_ < (vec)->n; at_++)                                                \
            if ((vec)->v[at_] == (p)) {                                                            \
                VEC_REMOVE(vec, at_);                                                              \
                break;                                                                             \
            }                                                                                      \
    } while (0)

static const char *qstr(struct actx *c, const struct rs_qname *q)
{
    return rs_qname_str(c->m->arena, q);
}

/* Fills in the schema of a name that is about to be created. */
static struct rs_qname creation_name(struct actx *c, const struct rs_qname *q)
{
    struct rs_qname r = *q;
    if (!r.schema)
        r.schema = rs_model_creation_schema(c->m);
    return r;
}

/* Is a relation, index or sequence of this name already there (one namespace in PostgreSQL)? */
static bool relname_taken(const struct rs_model *m, const struct rs_qname *q)
{
    return rs_model_rel(m, q) || rs_model_index(m, q) || rs_model_sequence(m, q);
}

/* PostgreSQL truncates identifiers to 63 bytes. */
static const char *limit63(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    return n <= 63 ? s : arena_strndup(a, s, 63);
}

/* A free relation name built like PostgreSQL's ChooseRelationName: base, base1, base2 ... */
static const char *choose_name(struct actx *c, const char *schema, const char *table,
                               const char *cols, const char *suffix)
{
    const char *base = cols && *cols ? arena_printf(c->m->arena, "%s_%s", table, cols) : table;
    for (int i = 0; i < 1000; i++) {
        const char *cand =
            i == 0 ? arena_printf(c->m->arena, "%s_%s", base, suffix)
                   : arena_printf(c->m->arena, "%s_%s%d", base, suffix, i);
        cand = limit63(c->m->arena, cand);
        struct rs_qname q = {schema, cand};
        bool taken = relname_taken(c->m, &q);
        /* Every constraint of the schema: their hashes first. */
        unsigned h = rs_name_hash(cand);
        for (size_t k = 0; !taken && k < c->m->rels.n; k++) {
            const struct rs_relation *r = c->m->rels.v[k];
            if (!streq(r->name.schema, schema))
                continue;
            for (size_t j = 0; !taken && j < r->constraints.n; j++)
                taken = r->constraints.v[j].name_hash == h && streq(r->constraints.v[j].name, cand);
        }
        if (!taken)
            return cand;
    }
    return base;
}

static const char *join_cols(struct actx *c, const char *const *cols, size_t n)
{
    struct strbuf sb;
    sb_init(&sb, c->m->arena);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_addc(&sb, '_');
        sb_add(&sb, cols[i]);
    }
    return sb.s;
}

/* ---------------------------------------------------------------- relations */

static struct rs_relation *new_rel(struct actx *c, const struct rs_qname *q, enum rs_rel_kind k)
{
    struct rs_relation *r = arena_alloc(c->m->arena, sizeof(*r));
    r->epoch = c->m->epoch;
    rs_rel_set_name(r, q);
    r->kind = k;
    r->complete = true;
    r->created_mig = c->mig;
    r->oid = ++c->m->next_oid;
    *VEC_PUSH(c->m->arena, &c->m->rels) = r;
    return r;
}

/* A relation the history never created: keep replaying with what the statement says. */
static struct rs_relation *placeholder_rel(struct actx *c, const struct rs_qname *q)
{
    struct rs_qname n = creation_name(c, q);
    struct rs_relation *r = new_rel(c, &n, RS_REL_TABLE);
    r->complete = false;
    /* After a statement the model could not follow, an unknown relation was probably created by
       it; otherwise it predates the migrations. */
    r->created_mig = c->m->unfollowed_mig == c->mig ? c->mig : RS_MIG_PREEXISTING;
    return r;
}

/* The relation an ALTER / INDEX / TRIGGER statement is on; reports it missing when the model
   can be trusted to know. Returns NULL when the statement is a no-op (IF EXISTS). mut: the
   relation made the model's own, to change (a placeholder is). */
static const struct rs_relation *target_rel_as(struct actx *c, const struct rs_qname *q,
                                               bool if_exists, bool mut)
{
    const struct rs_relation *r = mut ? rs_model_rel_mut(c->m, q) : rs_model_rel(c->m, q);
    if (r)
        return r;
    if (if_exists)
        return NULL;
    if (!c->m->uncertain)
        fail(c, -1, "check the name, or that the migration creating it comes first",
             "relation \"%s\" does not exist", qstr(c, q));
    return placeholder_rel(c, q);
}

/* The relation a statement is on, for reading. */
static const struct rs_relation *target_rel(struct actx *c, const struct rs_qname *q,
                                            bool if_exists)
{
    return target_rel_as(c, q, if_exists, false);
}

/* The relation a statement changes: the model's own. */
static struct rs_relation *target_rel_mut(struct actx *c, const struct rs_qname *q, bool if_exists)
{
    return (struct rs_relation *)target_rel_as(c, q, if_exists, true); /* the model's own */
}

static void remove_rel(struct actx *c, const struct rs_relation *r)
{
    struct rs_model *m = c->m;
    VEC_REMOVE_PTR(&m->rels, r);
    /* Its indexes, triggers and owned sequences go with it. */
    size_t k = 0;
    for (size_t i = 0; i < m->indexes.n; i++)
        if (!rs_qname_eq(&m->indexes.v[i]->table, &r->name))
            m->indexes.v[k++] = m->indexes.v[i];
    m->indexes.n = k;
    k = 0;
    for (size_t i = 0; i < m->triggers.n; i++)
        if (!rs_qname_eq(&m->triggers.v[i]->table, &r->name))
            m->triggers.v[k++] = m->triggers.v[i];
    m->triggers.n = k;
    k = 0;
    for (size_t i = 0; i < m->sequences.n; i++)
        if (!rs_qname_eq(&m->sequences.v[i]->owned_table, &r->name))
            m->sequences.v[k++] = m->sequences.v[i];
    m->sequences.n = k;
}

static void remove_index(struct rs_model *m, const struct rs_index *x)
{
    VEC_REMOVE_PTR(&m->indexes, x);
}

/* The slot of the index backing constraint name of r, or the array's length. */
static size_t index_of_constraint(const struct rs_model *m, const struct rs_relation *r,
                                  const char *name)
{
    for (size_t i = 0; i < m->indexes.n; i++) {
        const struct rs_index *x = m->indexes.v[i];
        if (streq(x->constraint, name) && rs_qname_eq(&x->table, &r->name))
            return i;
    }
    return m->indexes.n;
}

static void remove_constraint(struct actx *c, struct rs_relation *r, size_t idx)
{
    const struct rs_constraint *k = &r->constraints.v[idx];
    size_t x = index_of_constraint(c->m, r, k->name);
    if (x < c->m->indexes.n)
        VEC_REMOVE(&c->m->indexes, x);
    VEC_REMOVE(&r->constraints, idx);
}

/* ---------------------------------------------------------------- columns and constraints */

static struct rs_sequence *add_sequence(struct actx *c, const struct rs_qname *q)
{
    struct rs_sequence *s = arena_alloc(c->m->arena, sizeof(*s));
    s->epoch = c->m->epoch;
    rs_sequence_set_name(s, q);
    s->created_mig = c->mig;
    *VEC_PUSH(c->m->arena, &c->m->sequences) = s;
    return s;
}

static void add_column(struct actx *c, struct rs_relation *r, const struct rs_column_def *d)
{
    struct rs_column *col = VEC_PUSH(c->m->arena, &r->columns);
    col->name = d->name;
    col->attnum = ++r->next_attnum;
    col->type = d->type;
    col->type.serial = false;
    col->not_null = d->not_null;
    col->created_mig = c->mig;
    col->collation = d->collation;
    col->identity = d->identity;
    if (d->default_expr && d->default_expr->kind != RS_EXPR_NULL) {
        col->default_text = d->default_expr->text;
        for (size_t i = 0; i < d->default_expr->nfuncs; i++)
            if (rs_function_is_volatile(d->default_expr->funcs[i]))
                col->default_volatile = true;
    }
    if (d->generated)
        col->generated_text = d->generated->text;
    if (d->type.serial || d->identity) {
        /* ChooseRelationName, as PostgreSQL does: t_c_seq, or t_c_seq1 when that is taken (a
           table renamed away keeps its sequence under the old name). */
        const char *seqname = choose_name(c, r->name.schema, r->name.name, d->name, "seq");
        struct rs_qname q = {r->name.schema, seqname};
        struct rs_sequence *s = add_sequence(c, &q);
        s->owned_table = r->name;
        s->owned_column = d->name;
        if (d->type.serial) {
            col->default_text = arena_printf(c->m->arena, "nextval('%s'::regclass)",
                                             rs_qname_str(c->m->arena, &q));
            col->default_volatile = true;
        }
    }
}

static struct rs_index *add_index(struct actx *c, const struct rs_qname *name,
                                  const struct rs_relation *r, const char *const *cols, size_t n)
{
    struct rs_index *x = arena_alloc(c->m->arena, sizeof(*x));
    x->epoch = c->m->epoch;
    rs_index_set_name(x, name);
    x->table = r->name;
    x->columns = (const char **)cols;
    x->ncolumns = n;
    x->valid = true;
    x->created_mig = c->mig;
    *VEC_PUSH(c->m->arena, &c->m->indexes) = x;
    return x;
}

static void add_constraint(struct actx *c, struct rs_relation *r,
                           const struct rs_constraint_def *d, const char *column)
{
    if (d->kind != RS_CON_CHECK && d->kind != RS_CON_PRIMARY && d->kind != RS_CON_UNIQUE &&
        d->kind != RS_CON_FOREIGN && d->kind != RS_CON_EXCLUSION)
        return;
    const char *const *cols = d->columns;
    size_t ncols = d->ncolumns;
    const char *one[1] = {column};
    if (d->kind == RS_CON_CHECK && d->expr && d->expr->ncolumns) {
        /* A CHECK depends on every column its expression reads (dropping one drops it). */
        cols = d->expr->columns;
        ncols = d->expr->ncolumns;
    } else if (!ncols && column) {
        cols = one;
        ncols = 1;
    }
    if (d->name && rs_rel_constraint(r, d->name)) {
        fail(c, d->location, "pick another constraint name, or drop the old constraint first",
             "constraint \"%s\" for relation \"%s\" already exists", d->name,
             qstr(c, &r->name));
        return;
    }
    for (size_t i = 0; i < ncols && d->kind != RS_CON_CHECK; i++) {
        if (r->complete && !rs_rel_column(r, cols[i]) && d->kind != RS_CON_EXCLUSION) {
            fail(c, d->location, NULL, "column \"%s\" named in the constraint does not exist",
                 cols[i]);
            return;
        }
    }
    struct rs_constraint *k = VEC_PUSH(c->m->arena, &r->constraints);
    k->kind = d->kind;
    k->columns = arena_grow(c->m->arena, cols, ncols, ncols ? ncols : 1, sizeof(char *));
    k->ncolumns = ncols;
    k->validated = !d->not_valid;
    k->deferrable = d->deferrable;
    k->created_mig = c->mig;
    k->validated_mig = d->not_valid ? -2 : c->mig;
    k->ref_table = d->ref_table;
    k->ref_columns = d->ref_columns;
    k->on_delete = d->on_delete;
    k->on_update = d->on_update;
    k->nref_columns = d->nref_columns;
    const char *first = NULL;
    if (d->kind == RS_CON_CHECK && d->expr) {
        k->check_text = d->expr->text;
        k->not_null_column = d->expr->not_null_column;
        /* PostgreSQL names it t_col_check when the expression reads one column, else t_check
           (AddRelationNewConstraints), wherever the CHECK is written. */
        first = d->expr->ncolumns == 1 ? d->expr->columns[0] : NULL;
    }
    if (d->name) {
        rs_constraint_set_name(k, d->name);
    } else {
        const char *suffix = d->kind == RS_CON_PRIMARY  ? "pkey"
                             : d->kind == RS_CON_UNIQUE ? "key"
                             : d->kind == RS_CON_FOREIGN ? "fkey"
                             : d->kind == RS_CON_EXCLUSION ? "excl"
                                                           : "check";
        const char *colpart = d->kind == RS_CON_PRIMARY ? NULL
                              : d->kind == RS_CON_CHECK ? first
                              : d->kind == RS_CON_FOREIGN && ncols ? join_cols(c, cols, ncols)
                              : ncols ? join_cols(c, cols, ncols)
                                      : NULL;
        rs_constraint_set_name(k, choose_name(c, r->name.schema, r->name.name, colpart, suffix));
    }
    if (d->kind == RS_CON_PRIMARY) {
        for (size_t i = 0; i < ncols; i++) {
            struct rs_column *col = rs_rel_column_mut(r, cols[i]);
            if (col)
                col->not_null = true;
        }
    }
    if (d->kind == RS_CON_PRIMARY || d->kind == RS_CON_UNIQUE || d->kind == RS_CON_EXCLUSION) {
        struct rs_qname iq = {r->name.schema, k->name};
        struct rs_index *x = NULL;
        if (d->using_index) {
            struct rs_qname uq = {r->name.schema, d->using_index};
            x = rs_model_index_mut(c->m, &uq);
            if (x) {
                /* USING INDEX renames the index after the constraint. */
                rs_index_set_name(x, &iq);
                k->columns = x->columns;
                k->ncolumns = x->ncolumns;
            } else if (!c->m->uncertain) {
                fail(c, d->location, "create the index first (CREATE UNIQUE INDEX CONCURRENTLY)",
                     "index \"%s\" does not exist", d->using_index);
            }
        }
        if (!x)
            x = add_index(c, &iq, r, k->columns, k->ncolumns);
        x->unique = d->kind != RS_CON_EXCLUSION;
        x->primary = d->kind == RS_CON_PRIMARY;
        x->constraint = k->name;
        k->index_name = k->name;
    }
}

static void add_column_def(struct actx *c, struct rs_relation *r, const struct rs_column_def *d)
{
    add_column(c, r, d);
    for (size_t i = 0; i < d->nconstraints; i++)
        add_constraint(c, r, &d->constraints[i], d->name);
}

/* Copies the columns of another relation (LIKE, INHERITS, PARTITION OF). */
static void copy_columns(struct actx *c, struct rs_relation *r, const struct rs_qname *from)
{
    const struct rs_relation *src = rs_model_rel(c->m, from);
    if (!src) {
        r->complete = false;
        return;
    }
    for (size_t i = 0; i < src->columns.n; i++) {
        if (rs_rel_column(r, src->columns.v[i].name))
            continue;
        struct rs_column *col = VEC_PUSH(c->m->arena, &r->columns);
        *col = src->columns.v[i];
        col->attnum = ++r->next_attnum;
        col->created_mig = c->mig;
    }
    if (!src->complete)
        r->complete = false;
}

static void create_table(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    struct rs_qname q = creation_name(c, &st->rel);
    if (relname_taken(c->m, &q)) {
        if (!st->if_not_exists)
            fail(c, -1, "use CREATE TABLE IF NOT EXISTS only if the table may already be there",
                 "relation \"%s\" already exists", qstr(c, &q));
        return;
    }
    struct rs_relation *r = new_rel(c, &q, RS_REL_TABLE);
    r->unlogged = st->unlogged;
    r->partitioned = st->partitioned;
    if (st->partition_of.name) {
        r->partition_of = st->partition_of;
        copy_columns(c, r, &st->partition_of);
    }
    for (size_t i = 0; i < st->ninherits; i++)
        copy_columns(c, r, &st->inherits[i]);
    if (st->like.name)
        copy_columns(c, r, &st->like);
    for (size_t i = 0; i < st->ncolumns; i++) {
        if (rs_rel_column(r, st->columns[i].name) && !st->partition_of.name) {
            fail(c, st->columns[i].location, NULL, "column \"%s\" specified more than once",
                 st->columns[i].name);
            continue;
        }
        add_column_def(c, r, &st->columns[i]);
    }
    for (size_t i = 0; i < st->nconstraints; i++)
        add_constraint(c, r, &st->constraints[i], NULL);
}

/* Appends output column i of a query to r, numbered after r's own and created by this migration;
   the statement's column list (CREATE VIEW v (a, b) AS ...) renames the first ones. */
static struct rs_column *add_query_column(struct actx *c, struct rs_relation *r,
                                          const struct rs_resolved *res, size_t i)
{
    struct rs_column *col = VEC_PUSH(c->m->arena, &r->columns);
    *col = res->columns.v[i];
    col->attnum = ++r->next_attnum;
    col->created_mig = c->mig;
    if (i < c->st->nview_columns)
        col->name = c->st->view_columns[i];
    return col;
}

/* A table created from a query: CREATE TABLE AS, SELECT INTO, CREATE MATERIALIZED VIEW. */
static void create_from_query(struct actx *c, enum rs_rel_kind kind)
{
    const struct rs_stmt *st = c->st;
    struct rs_qname q = creation_name(c, &st->rel);
    if (relname_taken(c->m, &q)) {
        if (!st->if_not_exists)
            fail(c, -1, NULL, "relation \"%s\" already exists", qstr(c, &q));
        return;
    }
    struct rs_resolved res;
    rs_resolve_query(c->m->arena, c->m, st->query, &res);
    struct rs_relation *r = new_rel(c, &q, kind);
    r->complete = !res.opaque;
    for (size_t i = 0; i < res.columns.n; i++) {
        struct rs_column *col = add_query_column(c, r, &res, i);
        col->not_null = false;
        col->default_text = NULL;
        col->identity = NULL;
        col->generated_text = NULL;
    }
    if (kind == RS_REL_MATVIEW) {
        r->deps = res.deps;
        r->definition = NULL;
    }
}

static void create_view(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    struct rs_qname q = creation_name(c, &st->rel);
    struct rs_resolved res;
    rs_resolve_query(c->m->arena, c->m, st->query, &res);
    const struct rs_relation *was = rs_model_rel(c->m, &q);
    if (was || rs_model_index(c->m, &q) || rs_model_sequence(c->m, &q)) {
        if (!st->or_replace || !was || was->kind != RS_REL_VIEW) {
            fail(c, -1, NULL, "relation \"%s\" already exists", qstr(c, &q));
            return;
        }
        /* CREATE OR REPLACE VIEW may only add columns at the end. */
        for (size_t i = 0; i < was->columns.n && !res.opaque; i++) {
            const char *want = was->columns.v[i].name;
            const char *got = i < st->nview_columns ? st->view_columns[i]
                              : i < res.columns.n  ? res.columns.v[i].name
                                                   : NULL;
            if (!got) {
                fail(c, -1, "drop the view and create it again (DROP VIEW; CREATE VIEW)",
                     "cannot drop columns from view \"%s\" (column \"%s\")", qstr(c, &q), want);
                return;
            }
            if (!streq(want, got)) {
                fail(c, -1, "drop the view and create it again, or keep the column name",
                     "cannot change name of view column \"%s\" to \"%s\"", want, got);
                return;
            }
        }
        struct rs_relation *old = rs_model_rel_mut(c->m, &q);
        old->columns.n = 0;
        old->deps = res.deps;
        old->complete = !res.opaque;
        for (size_t i = 0; i < res.columns.n; i++)
            add_query_column(c, old, &res, i);
        return;
    }
    struct rs_relation *r = new_rel(c, &q, RS_REL_VIEW);
    r->complete = !res.opaque;
    r->deps = res.deps;
    for (size_t i = 0; i < res.columns.n; i++) {
        struct rs_column *col = add_query_column(c, r, &res, i);
        col->not_null = false;
        col->default_text = NULL;
        col->identity = NULL;
    }
}

/* ---------------------------------------------------------------- ALTER TABLE */

/* Drops the views that read r (or its column col), and what depends on them in turn. */
static void drop_dependent_views_depth(struct actx *c, const struct rs_relation *r,
                                       const char *col, int depth)
{
    const struct rs_relation *v;
    /* Each pass removes one view, so the loop ends; the depth bound guards against a view that
       the model believes reads itself. */
    while (depth < 64 && rs_model_dependent_views(c->m, &r->name, col, &v, 1) > 0) {
        if (v != r)
            drop_dependent_views_depth(c, v, NULL, depth + 1);
        remove_rel(c, v);
    }
}

static void drop_dependent_views(struct actx *c, const struct rs_relation *r, const char *col)
{
    drop_dependent_views_depth(c, r, col, 0);
}

static bool view_blocks(struct actx *c, const struct rs_relation *r, const char *col, bool cascade,
                        const char *what, int location)
{
    const struct rs_relation *view;
    if (!rs_model_dependent_views(c->m, &r->name, col, &view, 1))
        return false;
    if (cascade) {
        drop_dependent_views(c, r, col);
        return false;
    }
    fail(c, location,
         "drop and re-create the view in the same migration, around this statement",
         "cannot %s: view \"%s\" depends on %s%s%s", what, qstr(c, &view->name),
         qstr(c, &r->name), col ? "." : "", col ? col : "");
    return true;
}

static struct rs_column *existing_column(struct actx *c, struct rs_relation *r, const char *name,
                                         bool if_exists, int location)
{
    struct rs_column *col = rs_rel_column_mut(r, name);
    if (col || if_exists)
        return col;
    if (r->complete && !c->m->uncertain)
        fail(c, location, "check the column name against the migrations that created the table",
             "column \"%s\" of relation \"%s\" does not exist", name, qstr(c, &r->name));
    return NULL;
}

static bool ident_char(char ch)
{
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9');
}

/* Does expression text (an index key such as lower(email), a partial index predicate) name
   column col as a whole word? PostgreSQL drops such an index with the column. */
static bool mentions(const char *text, const char *col)
{
    size_t n = strlen(col);
    for (const char *p = text; p && (p = strstr(p, col)) != NULL; p++)
        if ((p == text || !ident_char(p[-1])) && !ident_char(p[n]) && (p == text || p[-1] != '\''))
            return true;
    return false;
}

/* Expression text with column `from` renamed `to` (whole words outside string literals):
   PostgreSQL stores expressions by attribute number, so index keys, predicates, CHECKs and
   generated expressions follow a rename. Returns text itself when it does not name the column. */
static const char *renamed_in(struct arena *a, const char *text, const char *from, const char *to)
{
    if (!text || !mentions(text, from))
        return text;
    struct strbuf sb;
    sb_init(&sb, a);
    size_t n = strlen(from);
    bool quoted = false;
    for (const char *p = text; *p;) {
        if (*p == '\'')
            quoted = !quoted;
        if (!quoted && !strncmp(p, from, n) && (p == text || !ident_char(p[-1])) &&
            !ident_char(p[n])) {
            sb_add(&sb, to);
            p += n;
            continue;
        }
        sb_addc(&sb, *p++);
    }
    return sb.s;
}

static void drop_column(struct actx *c, struct rs_relation *r, const struct rs_alter_cmd *cmd)
{
    struct rs_column *col = existing_column(c, r, cmd->column, cmd->if_exists, cmd->location);
    if (!col)
        return;
    if (view_blocks(c, r, cmd->column, cmd->cascade, "drop column", cmd->location))
        return;
    /* Constraints and indexes that use the column go too. */
    for (size_t i = r->constraints.n; i-- > 0;) {
        const struct rs_constraint *k = &r->constraints.v[i];
        bool uses = false;
        for (size_t j = 0; j < k->ncolumns; j++)
            uses = uses || streq(k->columns[j], cmd->column);
        if (k->kind == RS_CON_CHECK && k->check_text)
            uses = uses || streq(k->not_null_column, cmd->column);
        if (uses)
            remove_constraint(c, r, i);
    }
    for (size_t i = c->m->indexes.n; i-- > 0;) {
        const struct rs_index *x = c->m->indexes.v[i];
        if (!rs_qname_eq(&x->table, &r->name))
            continue;
        bool uses = mentions(x->where_text, cmd->column);
        for (size_t j = 0; j < x->ncolumns && !uses; j++)
            uses = streq(x->columns[j], cmd->column) || mentions(x->columns[j], cmd->column);
        if (uses)
            VEC_REMOVE(&c->m->indexes, i);
    }
    /* So does the sequence a serial or identity column owns. */
    size_t kept = 0;
    for (size_t i = 0; i < c->m->sequences.n; i++) {
        const struct rs_sequence *s = c->m->sequences.v[i];
        if (!(rs_qname_eq(&s->owned_table, &r->name) && streq(s->owned_column, cmd->column)))
            c->m->sequences.v[kept++] = c->m->sequences.v[i];
    }
    c->m->sequences.n = kept;
    size_t idx = rs_rel_column_index(r, cmd->column);
    VEC_REMOVE(&r->columns, idx);
}

/* Does an ALTER TABLE command of this kind change the relation itself (its columns,
   constraints or flags)? The others leave it as it is, and are not to clone it. */
static bool changes_rel(enum rs_alter_kind kind)
{
    switch (kind) {
    case RS_AT_ADD_COLUMN:
    case RS_AT_DROP_COLUMN:
    case RS_AT_ALTER_TYPE:
    case RS_AT_SET_DEFAULT:
    case RS_AT_DROP_DEFAULT:
    case RS_AT_SET_NOT_NULL:
    case RS_AT_DROP_NOT_NULL:
    case RS_AT_ADD_CONSTRAINT:
    case RS_AT_DROP_CONSTRAINT:
    case RS_AT_VALIDATE_CONSTRAINT:
    case RS_AT_ALTER_CONSTRAINT:
    case RS_AT_ADD_IDENTITY:
    case RS_AT_DROP_IDENTITY:
    case RS_AT_DROP_EXPRESSION:
    case RS_AT_SET_EXPRESSION:
    case RS_AT_SET_LOGGED:
    case RS_AT_SET_UNLOGGED:
        return true;
    default:
        return false;
    }
}

/* The commands that change other objects than the relation they are on (its triggers, its
   partitions), or nothing the model tracks. */
static void alter_other(struct actx *c, const struct rs_relation *r, const struct rs_alter_cmd *cmd)
{
    struct rs_model *m = c->m;
    switch (cmd->kind) {
    case RS_AT_ENABLE_TRIGGER:
    case RS_AT_DISABLE_TRIGGER: {
        struct rs_trigger *t = cmd->name ? rs_model_trigger_mut(m, &r->name, cmd->name) : NULL;
        if (t)
            t->enabled = cmd->kind == RS_AT_ENABLE_TRIGGER;
        break;
    }
    case RS_AT_DETACH_PARTITION: {
        struct rs_relation *p = rs_model_rel_mut(m, &cmd->partition);
        if (p)
            p->partition_of.name = NULL;
        break;
    }
    case RS_AT_ATTACH_PARTITION: {
        struct rs_relation *p = rs_model_rel_mut(m, &cmd->partition);
        if (p)
            p->partition_of = r->name;
        break;
    }
    default:
        break;
    }
}

void rs_apply_alter_cmd(struct rs_model *m, const struct rs_stmt *st, const struct rs_alter_cmd *cmd,
                        int mig, struct rs_apply_result *res)
{
    struct actx c = {m, st, mig, res};
    if (st->obj_kind != RS_OBJ_TABLE && st->obj_kind != RS_OBJ_FOREIGN_TABLE &&
        st->obj_kind != RS_OBJ_OTHER)
        return; /* ALTER INDEX / VIEW / SEQUENCE options: nothing the model tracks */
    if (!changes_rel(cmd->kind)) {
        const struct rs_relation *r = target_rel(&c, &st->rel, st->if_exists);
        if (r)
            alter_other(&c, r, cmd);
        return;
    }
    struct rs_relation *r = target_rel_mut(&c, &st->rel, st->if_exists);
    if (!r)
        return;
    /* A view's columns come from its query: of what the model follows, PostgreSQL takes only
       a default (for INSERTs through the view), and nothing on a materialized view. */
    bool view_default = r->kind == RS_REL_VIEW &&
                        (cmd->kind == RS_AT_SET_DEFAULT || cmd->kind == RS_AT_DROP_DEFAULT);
    if (rs_rel_is_view(r) && !view_default) {
        fail(&c, cmd->location,
             "change the view's query (CREATE OR REPLACE VIEW, or drop and create it), or the "
             "table it reads",
             "\"%s\" is a %s: PostgreSQL refuses %s on it", qstr(&c, &r->name),
             r->kind == RS_REL_VIEW ? "view" : "materialized view", cmd->what);
        return;
    }
    struct rs_column *col;
    switch (cmd->kind) {
    case RS_AT_ADD_COLUMN:
        if (!cmd->coldef)
            return;
        if (rs_rel_column(r, cmd->coldef->name)) {
            if (!cmd->if_not_exists)
                fail(&c, cmd->location, "use ADD COLUMN IF NOT EXISTS, or pick another name",
                     "column \"%s\" of relation \"%s\" already exists", cmd->coldef->name,
                     qstr(&c, &r->name));
            return;
        }
        add_column_def(&c, r, cmd->coldef);
        break;
    case RS_AT_DROP_COLUMN:
        drop_column(&c, r, cmd);
        break;
    case RS_AT_ALTER_TYPE:
        col = existing_column(&c, r, cmd->column, false, cmd->location);
        if (!col)
            return;
        if (view_blocks(&c, r, cmd->column, false, "alter type of a column used by a view or rule",
                        cmd->location))
            return;
        if (cmd->has_type)
            col->type = cmd->type;
        break;
    case RS_AT_SET_DEFAULT:
        col = existing_column(&c, r, cmd->column, false, cmd->location);
        if (!col || !cmd->expr)
            return;
        col->default_text = cmd->expr->kind == RS_EXPR_NULL ? NULL : cmd->expr->text;
        col->default_volatile = false;
        for (size_t i = 0; i < cmd->expr->nfuncs; i++)
            if (rs_function_is_volatile(cmd->expr->funcs[i]))
                col->default_volatile = true;
        break;
    case RS_AT_DROP_DEFAULT:
        col = existing_column(&c, r, cmd->column, false, cmd->location);
        if (col) {
            col->default_text = NULL;
            col->default_volatile = false;
        }
        break;
    case RS_AT_SET_NOT_NULL:
        col = existing_column(&c, r, cmd->column, false, cmd->location);
        if (col)
            col->not_null = true;
        break;
    case RS_AT_DROP_NOT_NULL:
        col = existing_column(&c, r, cmd->column, false, cmd->location);
        if (!col)
            return;
        for (size_t i = 0; i < r->constraints.n; i++) {
            const struct rs_constraint *k = &r->constraints.v[i];
            if (k->kind != RS_CON_PRIMARY)
                continue;
            for (size_t j = 0; j < k->ncolumns; j++)
                if (streq(k->columns[j], cmd->column))
                    fail(&c, cmd->location, NULL, "column \"%s\" is in a primary key",
                         cmd->column);
        }
        col->not_null = false;
        break;
    case RS_AT_ADD_CONSTRAINT:
        if (cmd->constraint)
            add_constraint(&c, r, cmd->constraint, NULL);
        break;
    case RS_AT_DROP_CONSTRAINT: {
        for (size_t i = 0; i < r->constraints.n; i++) {
            if (streq(r->constraints.v[i].name, cmd->name)) {
                remove_constraint(&c, r, i);
                return;
            }
        }
        if (!cmd->if_exists && r->complete && !m->uncertain)
            fail(&c, cmd->location, "use DROP CONSTRAINT IF EXISTS if it may not exist",
                 "constraint \"%s\" of relation \"%s\" does not exist", cmd->name,
                 qstr(&c, &r->name));
        break;
    }
    case RS_AT_VALIDATE_CONSTRAINT: {
        struct rs_constraint *k = rs_rel_constraint_mut(r, cmd->name);
        if (k) {
            if (!k->validated)
                k->validated_mig = mig;
            k->validated = true;
        } else if (r->complete && !m->uncertain) {
            fail(&c, cmd->location, NULL, "constraint \"%s\" of relation \"%s\" does not exist",
                 cmd->name, qstr(&c, &r->name));
        }
        break;
    }
    case RS_AT_ALTER_CONSTRAINT: {
        struct rs_constraint *k = rs_rel_constraint_mut(r, cmd->name);
        if (k && cmd->constraint)
            k->deferrable = cmd->constraint->deferrable;
        break;
    }
    case RS_AT_ADD_IDENTITY:
        col = existing_column(&c, r, cmd->column, false, cmd->location);
        if (col) {
            col->identity = cmd->constraint && cmd->constraint->identity
                                ? cmd->constraint->identity
                                : "d";
            col->not_null = true;
        }
        break;
    case RS_AT_DROP_IDENTITY:
        col = existing_column(&c, r, cmd->column, cmd->if_exists, cmd->location);
        if (col)
            col->identity = NULL;
        break;
    case RS_AT_DROP_EXPRESSION:
        col = existing_column(&c, r, cmd->column, cmd->if_exists, cmd->location);
        if (col)
            col->generated_text = NULL;
        break;
    case RS_AT_SET_EXPRESSION:
        col = existing_column(&c, r, cmd->column, false, cmd->location);
        if (col && cmd->expr)
            col->generated_text = cmd->expr->text;
        break;
    case RS_AT_SET_LOGGED:
        r->unlogged = false;
        break;
    case RS_AT_SET_UNLOGGED:
        r->unlogged = true;
        break;
    default:
        break;
    }
}

/* ---------------------------------------------------------------- renames */

/* What names relation from follows it to its new name. Each object is made the model's own
   only when it names from: most do not, and stay shared with the model's copies. */
static void rename_rel_refs(struct rs_model *m, const struct rs_qname *from,
                            const struct rs_qname *to)
{
    for (size_t i = 0; i < m->indexes.n; i++)
        if (rs_qname_eq(&m->indexes.v[i]->table, from))
            rs_index_own(m, i)->table = *to;
    for (size_t i = 0; i < m->triggers.n; i++)
        if (rs_qname_eq(&m->triggers.v[i]->table, from))
            rs_trigger_own(m, i)->table = *to;
    for (size_t i = 0; i < m->sequences.n; i++)
        if (rs_qname_eq(&m->sequences.v[i]->owned_table, from))
            rs_sequence_own(m, i)->owned_table = *to;
    /* m->rels.v[i] is read again after each change: the change may have cloned it. */
    for (size_t i = 0; i < m->rels.n; i++) {
        for (size_t k = 0; k < m->rels.v[i]->deps.n; k++)
            if (rs_qname_eq(&m->rels.v[i]->deps.v[k].rel, from))
                rs_rel_own(m, i)->deps.v[k].rel = *to;
        for (size_t k = 0; k < m->rels.v[i]->constraints.n; k++) {
            const struct rs_qname *rt = &m->rels.v[i]->constraints.v[k].ref_table;
            if (rt->name && streq(rt->name, from->name) &&
                (!rt->schema || streq(rt->schema, from->schema)))
                rs_rel_own(m, i)->constraints.v[k].ref_table = *to;
        }
    }
}

/* cols (n names, or expressions when in_text) with the column from renamed to: cols itself when
   nothing changes, a copy otherwise (copies of the model share these arrays). */
static const char **renamed_list(struct arena *a, const char **cols, size_t n, const char *from,
                                 const char *to, bool in_text)
{
    const char **out = cols;
    for (size_t j = 0; j < n; j++) {
        const char *v = streq(cols[j], from) ? to
                        : in_text           ? renamed_in(a, cols[j], from, to)
                                            : cols[j];
        if (v == cols[j])
            continue;
        if (out == cols) {
            out = arena_alloc_uninit(a, n * sizeof(*out));
            memcpy(out, cols, n * sizeof(*out));
        }
        out[j] = v;
    }
    return out;
}

static void rename_column(struct actx *c, struct rs_relation *r, const char *from, const char *to)
{
    struct rs_model *m = c->m;
    struct rs_column *col = existing_column(c, r, from, c->st->if_exists, -1);
    if (!col)
        return;
    if (rs_rel_column(r, to)) {
        fail(c, -1, NULL, "column \"%s\" of relation \"%s\" already exists", to,
             qstr(c, &r->name));
        return;
    }
    col->name = to;
    for (size_t k = 0; k < r->constraints.n; k++) {
        struct rs_constraint *kc = &r->constraints.v[k];
        kc->columns = renamed_list(m->arena, kc->columns, kc->ncolumns, from, to, false);
        if (streq(kc->not_null_column, from))
            kc->not_null_column = to;
        kc->check_text = renamed_in(m->arena, kc->check_text, from, to);
    }
    for (size_t k = 0; k < r->columns.n; k++)
        r->columns.v[k].generated_text =
            renamed_in(m->arena, r->columns.v[k].generated_text, from, to);
    /* The other objects are made the model's own only when they name the column. */
    for (size_t i = 0; i < m->indexes.n; i++) {
        const struct rs_index *x = m->indexes.v[i];
        if (!rs_qname_eq(&x->table, &r->name))
            continue;
        const char **cols = renamed_list(m->arena, x->columns, x->ncolumns, from, to, true);
        const char *where = renamed_in(m->arena, x->where_text, from, to);
        if (cols == x->columns && where == x->where_text)
            continue;
        struct rs_index *w = rs_index_own(m, i);
        w->columns = cols;
        w->where_text = where;
    }
    for (size_t i = 0; i < m->sequences.n; i++)
        if (rs_qname_eq(&m->sequences.v[i]->owned_table, &r->name) &&
            streq(m->sequences.v[i]->owned_column, from))
            rs_sequence_own(m, i)->owned_column = to;
    /* Views and foreign keys elsewhere follow the column (PostgreSQL keeps attribute numbers);
       the view's own output column names stay as they were. m->rels.v[i] is read again after
       each change: the change may have cloned it (r itself is the model's own already). */
    for (size_t i = 0; i < m->rels.n; i++) {
        for (size_t k = 0; k < m->rels.v[i]->deps.n; k++) {
            const struct rs_dep *d = &m->rels.v[i]->deps.v[k];
            if (rs_qname_eq(&d->rel, &r->name) && streq(d->column, from))
                rs_rel_own(m, i)->deps.v[k].column = to;
        }
        for (size_t k = 0; k < m->rels.v[i]->constraints.n; k++) {
            const struct rs_constraint *kc = &m->rels.v[i]->constraints.v[k];
            if (kc->kind != RS_CON_FOREIGN || !kc->ref_table.name ||
                !streq(kc->ref_table.name, r->name.name))
                continue;
            const char **cols =
                renamed_list(m->arena, kc->ref_columns, kc->nref_columns, from, to, false);
            if (cols != kc->ref_columns)
                rs_rel_own(m, i)->constraints.v[k].ref_columns = cols;
        }
    }
}

static void apply_rename(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    struct rs_model *m = c->m;
    switch (st->obj_kind) {
    case RS_OBJ_COLUMN: {
        struct rs_relation *r = target_rel_mut(c, &st->rel, st->if_exists);
        if (r)
            rename_column(c, r, st->subname, st->newname);
        /* else composite type attributes are not tracked */
        break;
    }
    case RS_OBJ_TABLE:
    case RS_OBJ_VIEW:
    case RS_OBJ_MATVIEW:
    case RS_OBJ_FOREIGN_TABLE: {
        struct rs_relation *r = target_rel_mut(c, &st->rel, st->if_exists);
        if (!r)
            return;
        struct rs_qname to = {r->name.schema, st->newname};
        if (relname_taken(m, &to)) {
            fail(c, -1, NULL, "relation \"%s\" already exists", qstr(c, &to));
            return;
        }
        struct rs_qname from = r->name;
        rs_rel_set_name(r, &to);
        rename_rel_refs(m, &from, &to);
        break;
    }
    case RS_OBJ_INDEX: {
        struct rs_index *x = rs_model_index_mut(m, &st->rel);
        if (x) {
            rs_index_set_name(x, &(struct rs_qname){x->name.schema, st->newname});
            if (x->constraint) {
                /* Renaming a constraint's index renames the constraint too. */
                struct rs_relation *r = rs_model_rel_mut(m, &x->table);
                struct rs_constraint *k = r ? rs_rel_constraint_mut(r, x->constraint) : NULL;
                if (k) {
                    rs_constraint_set_name(k, st->newname);
                    k->index_name = st->newname;
                }
                x->constraint = st->newname;
            }
            return;
        }
        /* ALTER INDEX ... RENAME also works on other relations; ALTER TABLE RENAME on an
           index too. */
        struct rs_relation *r = rs_model_rel_mut(m, &st->rel);
        if (r) {
            struct rs_qname from = r->name;
            rs_rel_set_name(r, &(struct rs_qname){r->name.schema, st->newname});
            rename_rel_refs(m, &from, &r->name);
        }
        break;
    }
    case RS_OBJ_SEQUENCE: {
        struct rs_sequence *s = rs_model_sequence_mut(m, &st->rel);
        if (s)
            rs_sequence_set_name(s, &(struct rs_qname){s->name.schema, st->newname});
        break;
    }
    case RS_OBJ_CONSTRAINT: {
        struct rs_relation *r = target_rel_mut(c, &st->rel, st->if_exists);
        struct rs_constraint *k = r ? rs_rel_constraint_mut(r, st->subname) : NULL;
        if (k) {
            size_t xi = index_of_constraint(m, r, k->name);
            struct rs_index *x = xi < m->indexes.n ? rs_index_own(m, xi) : NULL;
            rs_constraint_set_name(k, st->newname);
            if (x) {
                rs_index_set_name(x, &(struct rs_qname){x->name.schema, st->newname});
                x->constraint = st->newname;
                k->index_name = st->newname;
            }
        } else if (r && r->complete && !m->uncertain) {
            fail(c, -1, NULL, "constraint \"%s\" of relation \"%s\" does not exist",
                 st->subname, qstr(c, &r->name));
        }
        break;
    }
    case RS_OBJ_TYPE:
    case RS_OBJ_DOMAIN: {
        struct rs_typeobj *t = rs_model_type_mut(m, &st->rel);
        if (!t)
            return;
        const char *old = t->name.name;
        t->name.name = st->newname;
        /* Columns of that type now show the new name. */
        for (size_t i = 0; i < m->rels.n; i++)
            for (size_t k = 0; k < m->rels.v[i]->columns.n; k++)
                if (streq(m->rels.v[i]->columns.v[k].type.name, old))
                    rs_rel_own(m, i)->columns.v[k].type.name = st->newname;
        break;
    }
    case RS_OBJ_SCHEMA:
        for (size_t i = 0; i < m->schemas.n; i++)
            if (streq(m->schemas.v[i], st->rel.name))
                m->schemas.v[i] = st->newname;
        for (size_t i = 0; i < m->rels.n; i++)
            if (streq(m->rels.v[i]->name.schema, st->rel.name))
                rs_rel_own(m, i)->name.schema = st->newname;
        break;
    case RS_OBJ_TRIGGER: {
        struct rs_trigger *t = rs_model_trigger_mut(m, &st->rel, st->subname);
        if (t)
            t->name = st->newname;
        break;
    }
    case RS_OBJ_FUNCTION:
    case RS_OBJ_PROCEDURE: {
        struct rs_function *f = rs_model_function_mut(m, &st->rel, NULL);
        if (!f)
            break;
        /* Triggers call the function, not its name. */
        for (size_t i = 0; i < m->triggers.n; i++)
            if (streq(m->triggers.v[i]->function.name, f->name.name))
                rs_trigger_own(m, i)->function.name = st->newname;
        f->name.name = st->newname;
        break;
    }
    default:
        break;
    }
}

/* ---------------------------------------------------------------- drops */

static bool type_in_use(const struct rs_model *m, const struct rs_typeobj *t,
                        const struct rs_relation **user, const char **column)
{
    for (size_t i = 0; i < m->rels.n; i++) {
        const struct rs_relation *r = m->rels.v[i];
        if (r->kind != RS_REL_TABLE)
            continue;
        for (size_t k = 0; k < r->columns.n; k++) {
            const struct rs_type *ty = &r->columns.v[k].type;
            if (streq(ty->name, t->name.name) && (!ty->schema || streq(ty->schema, t->name.schema))) {
                *user = r;
                *column = r->columns.v[k].name;
                return true;
            }
        }
    }
    return false;
}

/* Is relation r one of the objects of the DROP statement being applied? Dependencies among
   them do not block it: DROP TABLE a, b drops a table and the one referencing it together. */
static bool dropped_too(struct actx *c, const struct rs_relation *r)
{
    for (size_t i = 0; i < c->st->nobjects; i++)
        if (rs_model_rel(c->m, &c->st->objects[i]) == r)
            return true;
    return false;
}

static void drop_relation(struct actx *c, const struct rs_qname *q)
{
    const struct rs_stmt *st = c->st;
    struct rs_model *m = c->m;
    const struct rs_relation *r = rs_model_rel(m, q);
    if (!r) {
        if (!st->if_exists && !m->uncertain)
            fail(c, -1, "use DROP ... IF EXISTS if it may not exist", "%s \"%s\" does not exist",
                 rs_obj_kind_name(st->obj_kind), qstr(c, q));
        return;
    }
    if (view_blocks(c, r, NULL, st->cascade, arena_printf(m->arena, "drop %s %s",
                                                          rs_obj_kind_name(st->obj_kind),
                                                          qstr(c, &r->name)),
                    -1))
        return;
    /* Foreign keys of other tables that reference this one; r is not cloned on the way (it is
       not one of them), so it is still the pointer remove_rel looks for. */
    for (size_t i = 0; i < m->rels.n; i++) {
        if (m->rels.v[i] == r)
            continue;
        for (size_t k = m->rels.v[i]->constraints.n; k-- > 0;) {
            const struct rs_relation *o = m->rels.v[i];
            const struct rs_constraint *kc = &o->constraints.v[k];
            if (kc->kind != RS_CON_FOREIGN || !streq(kc->ref_table.name, r->name.name))
                continue;
            if (!st->cascade && !dropped_too(c, o)) {
                fail(c, -1, "drop the foreign key first, or use CASCADE knowingly",
                     "cannot drop table %s because constraint %s on table %s depends on it",
                     qstr(c, &r->name), kc->name, qstr(c, &o->name));
                return;
            }
            remove_constraint(c, rs_rel_own(m, i), k);
        }
    }
    remove_rel(c, r);
}

static void apply_drop(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    struct rs_model *m = c->m;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_qname *q = &st->objects[i];
        switch (st->obj_kind) {
        case RS_OBJ_TABLE:
        case RS_OBJ_VIEW:
        case RS_OBJ_MATVIEW:
        case RS_OBJ_FOREIGN_TABLE:
            drop_relation(c, q);
            break;
        case RS_OBJ_INDEX: {
            const struct rs_index *x = rs_model_index(m, q);
            if (!x) {
                if (!st->if_exists && !m->uncertain)
                    fail(c, -1, "use DROP INDEX IF EXISTS if it may not exist",
                         "index \"%s\" does not exist", qstr(c, q));
                break;
            }
            if (x->constraint) {
                fail(c, -1, "drop the constraint instead (ALTER TABLE ... DROP CONSTRAINT)",
                     "cannot drop index %s because constraint %s requires it", qstr(c, q),
                     x->constraint);
                break;
            }
            remove_index(m, x);
            break;
        }
        case RS_OBJ_SEQUENCE: {
            const struct rs_sequence *s = rs_model_sequence(m, q);
            if (!s) {
                if (!st->if_exists && !m->uncertain)
                    fail(c, -1, NULL, "sequence \"%s\" does not exist", qstr(c, q));
                break;
            }
            VEC_REMOVE_PTR(&m->sequences, s);
            break;
        }
        case RS_OBJ_TYPE:
        case RS_OBJ_DOMAIN: {
            const struct rs_typeobj *t = rs_model_type(m, q);
            if (!t) {
                if (!st->if_exists && !m->uncertain)
                    fail(c, -1, NULL, "type \"%s\" does not exist", qstr(c, q));
                break;
            }
            const struct rs_relation *user;
            const char *column;
            if (type_in_use(m, t, &user, &column)) {
                if (!st->cascade) {
                    fail(c, -1, "change or drop the columns that use the type first",
                         "cannot drop type %s because column %s.%s uses it", qstr(c, q),
                         qstr(c, &user->name), column);
                    break;
                }
                /* CASCADE drops every column of that type. */
                for (size_t r = 0; r < m->rels.n; r++)
                    for (size_t k = m->rels.v[r]->columns.n; k-- > 0;)
                        if (streq(m->rels.v[r]->columns.v[k].type.name, t->name.name))
                            VEC_REMOVE(&rs_rel_own(m, r)->columns, k);
            }
            VEC_REMOVE_PTR(&m->types, t);
            break;
        }
        case RS_OBJ_FUNCTION:
        case RS_OBJ_PROCEDURE: {
            const char *sig = st->object_args ? st->object_args[i] : NULL;
            const struct rs_function *f = rs_model_function(m, q, sig);
            if (!f)
                break; /* functions from extensions and dumps are not all known */
            for (size_t k = 0; k < m->triggers.n; k++) {
                if (streq(m->triggers.v[k]->function.name, f->name.name) && !st->cascade) {
                    fail(c, -1, "drop the trigger first",
                         "cannot drop function %s because trigger %s on table %s depends on it",
                         qstr(c, q), m->triggers.v[k]->name, qstr(c, &m->triggers.v[k]->table));
                    break;
                }
            }
            if (st->cascade) {
                /* CASCADE drops the triggers that call it. */
                size_t kept = 0;
                for (size_t k = 0; k < m->triggers.n; k++)
                    if (!streq(m->triggers.v[k]->function.name, f->name.name))
                        m->triggers.v[kept++] = m->triggers.v[k];
                m->triggers.n = kept;
            }
            VEC_REMOVE_PTR(&m->functions, f);
            break;
        }
        case RS_OBJ_TRIGGER: {
            for (size_t k = 0; k < m->triggers.n; k++) {
                const struct rs_trigger *t = m->triggers.v[k];
                const struct rs_relation *r = rs_model_rel(m, &st->rel);
                if (streq(t->name, q->name) &&
                    (r ? rs_qname_eq(&t->table, &r->name) : streq(t->table.name, st->rel.name))) {
                    VEC_REMOVE(&m->triggers, k);
                    break;
                }
            }
            break;
        }
        case RS_OBJ_SCHEMA: {
            size_t k = 0;
            for (size_t s = 0; s < m->schemas.n; s++)
                if (!streq(m->schemas.v[s], q->name))
                    m->schemas.v[k++] = m->schemas.v[s];
            m->schemas.n = k;
            if (!st->cascade)
                break;
            for (size_t r = m->rels.n; r-- > 0;)
                if (streq(m->rels.v[r]->name.schema, q->name))
                    remove_rel(c, m->rels.v[r]);
            /* Everything else the schema holds goes too. */
            k = 0;
            for (size_t f = 0; f < m->functions.n; f++)
                if (!streq(m->functions.v[f]->name.schema, q->name))
                    m->functions.v[k++] = m->functions.v[f];
            m->functions.n = k;
            k = 0;
            for (size_t t = 0; t < m->types.n; t++)
                if (!streq(m->types.v[t]->name.schema, q->name))
                    m->types.v[k++] = m->types.v[t];
            m->types.n = k;
            k = 0;
            for (size_t s = 0; s < m->sequences.n; s++)
                if (!streq(m->sequences.v[s]->name.schema, q->name))
                    m->sequences.v[k++] = m->sequences.v[s];
            m->sequences.n = k;
            k = 0;
            for (size_t x = 0; x < m->indexes.n; x++)
                if (!streq(m->indexes.v[x]->name.schema, q->name))
                    m->indexes.v[k++] = m->indexes.v[x];
            m->indexes.n = k;
            break;
        }
        default:
            break;
        }
    }
}

/* ---------------------------------------------------------------- other statements */

static void create_index(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    const struct rs_relation *r = target_rel(c, &st->rel, false);
    if (!r)
        return;
    const char *name = st->index_name;
    if (name) {
        struct rs_qname q = {r->name.schema, name};
        if (relname_taken(c->m, &q)) {
            if (!st->if_not_exists)
                fail(c, -1, "use CREATE INDEX IF NOT EXISTS, or pick another name",
                     "relation \"%s\" already exists", qstr(c, &q));
            return;
        }
    } else {
        const char *cols = st->index_has_expressions ? "expr"
                                                     : join_cols(c, st->index_columns,
                                                                 st->nindex_columns);
        name = choose_name(c, r->name.schema, r->name.name, cols, "idx");
    }
    for (size_t i = 0; i < st->nindex_columns && !st->index_has_expressions; i++)
        if (r->complete && !rs_rel_column(r, st->index_columns[i]) && !c->m->uncertain)
            fail(c, -1, NULL, "column \"%s\" does not exist", st->index_columns[i]);
    struct rs_qname q = {r->name.schema, name};
    struct rs_index *x = add_index(c, &q, r, st->index_columns, st->nindex_columns);
    x->unique = st->unique;
    x->where_text = st->where ? st->where->text : NULL;
}

static void create_enum(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    struct rs_qname q = creation_name(c, &st->rel);
    if (rs_model_type(c->m, &q)) {
        fail(c, -1, NULL, "type \"%s\" already exists", qstr(c, &q));
        return;
    }
    struct rs_typeobj *t = arena_alloc(c->m->arena, sizeof(*t));
    t->epoch = c->m->epoch;
    t->name = q;
    t->kind = RS_TYPEOBJ_ENUM;
    t->created_mig = c->mig;
    for (size_t i = 0; i < st->nlabels; i++)
        *VEC_PUSH(c->m->arena, &t->labels) = st->labels[i];
    *VEC_PUSH(c->m->arena, &c->m->types) = t;
}

static void alter_enum(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    const struct rs_typeobj *t = rs_model_type(c->m, &st->rel);
    if (!t) {
        if (!c->m->uncertain)
            fail(c, -1, NULL, "type \"%s\" does not exist", qstr(c, &st->rel));
        return;
    }
    size_t pos = t->labels.n, found = (size_t)-1, neighbor = (size_t)-1;
    const char *label = st->old_label ? st->old_label : st->new_label;
    for (size_t i = 0; i < t->labels.n; i++) {
        if (streq(t->labels.v[i], label))
            found = i;
        if (st->neighbor_label && streq(t->labels.v[i], st->neighbor_label))
            neighbor = i;
    }
    if (st->old_label) {
        if (found == (size_t)-1) {
            fail(c, -1, NULL, "\"%s\" is not an existing enum label", st->old_label);
            return;
        }
        struct rs_typeobj *w = rs_model_type_mut(c->m, &st->rel);
        w->labels.v[found] = st->new_label;
        /* A default stores the value, not its label: defaults of the type show the new label. */
        struct strbuf old;
        sb_init(&old, c->m->arena);
        sb_add_literal(&old, st->old_label);
        for (size_t i = 0; i < c->m->rels.n; i++) {
            for (size_t k = 0; k < c->m->rels.v[i]->columns.n; k++) {
                const struct rs_column *col = &c->m->rels.v[i]->columns.v[k];
                const char *d = col->default_text;
                if (!d || !streq(col->type.name, w->name.name) || strncmp(d, old.s, old.len) ||
                    (d[old.len] && d[old.len] != ':'))
                    continue;
                struct strbuf now;
                sb_init(&now, c->m->arena);
                sb_add_literal(&now, st->new_label);
                sb_add(&now, d + old.len);
                rs_rel_own(c->m, i)->columns.v[k].default_text = now.s;
            }
        }
        return;
    }
    if (found != (size_t)-1) {
        if (!st->if_not_exists)
            fail(c, -1, "use ADD VALUE IF NOT EXISTS", "enum label \"%s\" already exists",
                 st->new_label);
        return;
    }
    if (st->neighbor_label) {
        if (neighbor == (size_t)-1) {
            fail(c, -1, NULL, "\"%s\" is not an existing enum label", st->neighbor_label);
            return;
        }
        pos = st->after_neighbor ? neighbor + 1 : neighbor;
    }
    struct rs_typeobj *w = rs_model_type_mut(c->m, &st->rel);
    *VEC_PUSH(c->m->arena, &w->labels) = NULL;
    memmove(&w->labels.v[pos + 1], &w->labels.v[pos], (w->labels.n - 1 - pos) * sizeof(char *));
    w->labels.v[pos] = st->new_label;
}

static void create_typeobj(struct actx *c, enum rs_typeobj_kind kind)
{
    const struct rs_stmt *st = c->st;
    struct rs_qname q = creation_name(c, &st->rel);
    if (rs_model_type(c->m, &q))
        return;
    struct rs_typeobj *t = arena_alloc(c->m->arena, sizeof(*t));
    t->epoch = c->m->epoch;
    t->name = q;
    t->kind = kind;
    t->created_mig = c->mig;
    if (kind == RS_TYPEOBJ_DOMAIN) {
        t->base = st->domain_type;
        t->has_constraint = st->domain_has_constraint;
    }
    *VEC_PUSH(c->m->arena, &c->m->types) = t;
}

static void create_function(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    struct rs_qname q = creation_name(c, &st->rel);
    struct rs_function *f = rs_model_function_mut(c->m, &q, st->arg_signature);
    if (!f) {
        f = arena_alloc(c->m->arena, sizeof(*f));
        f->epoch = c->m->epoch;
        f->name = q;
        f->created_mig = c->mig;
        *VEC_PUSH(c->m->arena, &c->m->functions) = f;
    } else if (!st->or_replace) {
        fail(c, -1, "use CREATE OR REPLACE FUNCTION", "function \"%s\" already exists",
             qstr(c, &q));
    }
    f->signature = st->arg_signature;
    f->language = st->language;
    f->body = st->body;
}

static void create_trigger(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    const struct rs_relation *r = target_rel(c, &st->rel, false);
    if (!r)
        return;
    struct rs_trigger *t = rs_model_trigger_mut(c->m, &r->name, st->trigger_name);
    if (t && !st->or_replace) {
        fail(c, -1, NULL, "trigger \"%s\" for relation \"%s\" already exists", st->trigger_name,
             qstr(c, &r->name));
        return;
    }
    if (!t) {
        t = arena_alloc(c->m->arena, sizeof(*t));
        t->epoch = c->m->epoch;
        *VEC_PUSH(c->m->arena, &c->m->triggers) = t;
        t->created_mig = c->mig;
    }
    t->name = st->trigger_name;
    t->table = r->name;
    t->function = st->function;
    t->enabled = true;
}

static void set_search_path(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    struct rs_model *m = c->m;
    m->search_path.n = 0;
    if (!st->set_value) {
        *VEC_PUSH(m->arena, &m->search_path) = "public";
        return;
    }
    const char *p = st->set_value;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '"')
            p++;
        const char *b = p;
        while (*p && *p != ',' && *p != '"')
            p++;
        const char *e = p;
        while (e > b && e[-1] == ' ')
            e--;
        if (e > b)
            *VEC_PUSH(m->arena, &m->search_path) = arena_strndup(m->arena, b, (size_t)(e - b));
    }
    if (!m->search_path.n)
        *VEC_PUSH(m->arena, &m->search_path) = "public";
}

static void set_schema(struct actx *c)
{
    const struct rs_stmt *st = c->st;
    struct rs_model *m = c->m;
    switch (st->obj_kind) {
    case RS_OBJ_TABLE:
    case RS_OBJ_VIEW:
    case RS_OBJ_MATVIEW: {
        struct rs_relation *r = target_rel_mut(c, &st->rel, st->if_exists);
        if (!r)
            return;
        struct rs_qname from = r->name;
        r->name.schema = st->newname;
        rename_rel_refs(m, &from, &r->name);
        break;
    }
    case RS_OBJ_TYPE:
    case RS_OBJ_DOMAIN: {
        struct rs_typeobj *t = rs_model_type_mut(m, &st->rel);
        if (t)
            t->name.schema = st->newname;
        break;
    }
    case RS_OBJ_FUNCTION:
    case RS_OBJ_PROCEDURE: {
        struct rs_function *f = rs_model_function_mut(m, &st->rel, NULL);
        if (f)
            f->name.schema = st->newname;
        break;
    }
    default:
        break;
    }
}

void rs_apply_stmt(struct rs_model *m, const struct rs_stmt *st, int mig,
                   struct rs_apply_result *res)
{
    struct actx c = {m, st, mig, res};
    memset(res, 0, sizeof(*res));
    res->location = -1;
    if (st->syntax_error) {
        m->uncertain = true; /* whatever it meant to do, the model cannot follow */
        m->unfollowed_mig = mig;
        return;
    }
    switch (st->kind) {
    case RS_STMT_CREATE_TABLE:
        create_table(&c);
        break;
    case RS_STMT_CREATE_TABLE_AS:
        create_from_query(&c, RS_REL_TABLE);
        break;
    case RS_STMT_CREATE_MATVIEW:
        create_from_query(&c, RS_REL_MATVIEW);
        break;
    case RS_STMT_CREATE_VIEW:
        create_view(&c);
        break;
    case RS_STMT_ALTER_TABLE:
        for (size_t i = 0; i < st->ncmds; i++) {
            struct rs_apply_result r1 = {.location = -1};
            rs_apply_alter_cmd(m, st, &st->cmds[i], mig, &r1);
            if (r1.fails && !res->fails)
                *res = r1;
        }
        break;
    case RS_STMT_RENAME:
        apply_rename(&c);
        break;
    case RS_STMT_SET_SCHEMA:
        set_schema(&c);
        break;
    case RS_STMT_DROP:
        apply_drop(&c);
        break;
    case RS_STMT_CREATE_INDEX:
        create_index(&c);
        break;
    case RS_STMT_CREATE_ENUM:
        create_enum(&c);
        break;
    case RS_STMT_ALTER_ENUM:
        alter_enum(&c);
        break;
    case RS_STMT_CREATE_TYPE:
        create_typeobj(&c, RS_TYPEOBJ_COMPOSITE);
        break;
    case RS_STMT_CREATE_DOMAIN:
        create_typeobj(&c, RS_TYPEOBJ_DOMAIN);
        break;
    case RS_STMT_ALTER_DOMAIN: {
        struct rs_typeobj *t = st->domain_has_constraint ? rs_model_type_mut(m, &st->rel) : NULL;
        if (t)
            t->has_constraint = true;
        break;
    }
    case RS_STMT_CREATE_SEQUENCE: {
        struct rs_qname q = creation_name(&c, &st->rel);
        if (relname_taken(m, &q)) {
            if (!st->if_not_exists)
                fail(&c, -1, NULL, "relation \"%s\" already exists", qstr(&c, &q));
            break;
        }
        add_sequence(&c, &q);
        break;
    }
    case RS_STMT_CREATE_FUNCTION:
        create_function(&c);
        break;
    case RS_STMT_CREATE_TRIGGER:
        create_trigger(&c);
        break;
    case RS_STMT_CREATE_SCHEMA:
        if (rs_model_has_schema(m, st->rel.name)) {
            if (!st->if_not_exists)
                fail(&c, -1, NULL, "schema \"%s\" already exists", st->rel.name);
        } else if (st->rel.name) {
            *VEC_PUSH(m->arena, &m->schemas) = st->rel.name;
        }
        break;
    case RS_STMT_CREATE_EXTENSION:
        if (st->rel.name)
            *VEC_PUSH(m->arena, &m->extensions) = st->rel.name;
        break;
    case RS_STMT_SET:
        if (st->set_name && !strcmp(st->set_name, "search_path"))
            set_search_path(&c);
        break;
    case RS_STMT_DO:
    case RS_STMT_CALL:
        m->uncertain = true;
        m->unfollowed_mig = mig;
        break;
    default:
        break;
    }
}
